// ZSetIndex: the ordered index of a sorted set, an order-statistic skip list modelled on Redis's
// zskiplist (t_zset.c). Every forward link carries a span (how many elements it skips), so rank
// queries (ZRANK, ZRANGE by index, ZCOUNT, ZLEXCOUNT) run in O(log n) and backward links make
// reverse iteration (ZREVRANGE) as cheap as forward iteration.
//
// Elements are (score, member) pairs ordered exactly as Redis orders them: by score, then by
// member bytes (memcmp over the common prefix, the shorter member first). The index does not own
// member bytes: it keeps std::string_view whose storage the caller (the sorted-set CRDT, which
// stores members in its own nodes) keeps alive and unchanged until the element is erased.
//
// Node levels come from a seeded SplitMix64 generator owned by the index, so one seed and one
// operation sequence always build the same structure: replies, MEMORY USAGE and simulator runs
// stay reproducible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <string_view>
#include <utility>

#include "core/base/prng.h"

namespace cordis {

class ZSetIndex {
 public:
  // A score interval with ZRANGEBYSCORE semantics: each end inclusive or exclusive, +-inf allowed.
  // An interval with min > max (or min == max with an exclusive end) is empty. NaN is rejected.
  struct ScoreRange {
    double min, max;
    bool min_exclusive = false, max_exclusive = false;
  };

  // One end of a ZRANGEBYLEX interval, already parsed: "-", "+", "[x" or "(x".
  struct LexBound {
    enum Kind { kMinusInf, kPlusInf, kInclusive, kExclusive } kind;
    std::string_view value;
  };

  explicit ZSetIndex(uint64_t seed = 0x5eed);
  ~ZSetIndex();

  ZSetIndex(const ZSetIndex&) = delete;
  ZSetIndex& operator=(const ZSetIndex&) = delete;
  // A moved-from index is empty and fully usable.
  ZSetIndex(ZSetIndex&& other) noexcept;
  ZSetIndex& operator=(ZSetIndex&& other) noexcept;

  // Adds (score, member); CHECKs that it is not present and that score is not NaN. The bytes
  // behind `member` must stay alive and unchanged until the element is erased.
  void Insert(double score, std::string_view member);
  // Removes (score, member); CHECKs that it is present.
  void Erase(double score, std::string_view member);
  // Moves (old_score, member) to new_score, in place when its position does not change. CHECKs
  // that (old_score, member) is present. The stored member view is kept.
  void UpdateScore(double old_score, std::string_view member, double new_score);

  size_t size() const { return length_; }
  bool empty() const { return length_ == 0; }

  // 0-based rank of (score, member) in ascending order; CHECKs that it is present.
  size_t Rank(double score, std::string_view member) const;
  // The element at 0-based ascending rank; CHECKs rank < size().
  std::pair<double, std::string_view> At(size_t rank) const;

  // Rank of the first element inside the score range, or size() if none.
  size_t FirstRankInRange(const ScoreRange& range) const;
  // Number of elements inside the score range (ZCOUNT).
  size_t CountInRange(const ScoreRange& range) const;

  // Lex ranges compare members only; like ZRANGEBYLEX they are meaningful when all scores are
  // equal. FirstRankInLex returns size() if no element is inside.
  size_t FirstRankInLex(const LexBound& min, const LexBound& max) const;
  size_t CountInLex(const LexBound& min, const LexBound& max) const;

  // Calls f(score, member) -> bool for the element at ascending `rank`, then for each following
  // element (toward higher ranks, or toward lower ranks when `reverse`), until f returns false or
  // the set ends. Does nothing when rank >= size(). The index must not be modified meanwhile.
  template <typename F>
  void ForEachFromRank(size_t rank, bool reverse, F&& f) const;

  // Approximate heap bytes owned by the index (nodes and header; not the member bytes).
  size_t MemoryBytes() const { return heap_bytes_; }

  // CHECKs every structural invariant (order, spans, backward links, levels, counters). O(n log n)
  // expected; for tests and the simulator.
  void CheckInvariants() const;

 private:
  // Redis's ZSKIPLIST_MAXLEVEL; each level is kept with probability 1/4 (ZSKIPLIST_P).
  static constexpr int kMaxLevel = 32;

  struct Node;
  struct Level {
    Node* forward;
    // Elements between this node and `forward`, counting `forward`. For the last link of a level
    // it is the number of elements after this node, as in Redis.
    size_t span;
  };
  // Allocated with its `level_count` Level entries directly after it (one allocation per node).
  struct Node {
    double score;
    std::string_view member;
    Node* backward;  // nullptr for the first element; never points at the header
    int level_count;

    Level* levels() {
      return std::launder(
          reinterpret_cast<Level*>(reinterpret_cast<std::byte*>(this) + sizeof(Node)));
    }
    const Level* levels() const {
      return std::launder(
          reinterpret_cast<const Level*>(reinterpret_cast<const std::byte*>(this) + sizeof(Node)));
    }
  };

  Node* NewNode(int level_count, double score, std::string_view member);
  void FreeNode(Node* node);
  void Clear();
  int RandomLevel();
  // Finds the node equal to (score, member), filling update[i] with the last node before it on
  // each level i < level_. Returns nullptr if absent.
  Node* FindWithPath(double score, std::string_view member, Node** update);
  // Links an allocated node (score, member and level_count set) at its ordered position.
  void LinkNode(Node* node);
  // Unlinks `node`, given the path FindWithPath produced for it.
  void UnlinkNode(Node* node, Node* const* update);
  // Walks the longest prefix of elements for which `pred(node)` holds (pred must be true on a
  // prefix of the order). Returns its length and its last node (the header if the prefix is empty,
  // nullptr if the index has no header yet).
  template <typename Pred>
  std::pair<size_t, const Node*> WalkPrefix(Pred pred) const;
  const Node* NodeAtRank(size_t rank) const;
  // Half-open rank interval [first, end) of the elements inside a range.
  std::pair<size_t, size_t> ScoreRanks(const ScoreRange& range) const;
  std::pair<size_t, size_t> LexRanks(const LexBound& min, const LexBound& max) const;

  Node* header_ = nullptr;  // kMaxLevel levels; allocated on the first Insert
  Node* tail_ = nullptr;
  size_t length_ = 0;
  int level_ = 1;  // levels in use, >= 1
  size_t heap_bytes_ = 0;
  Prng prng_;
};

template <typename F>
void ZSetIndex::ForEachFromRank(size_t rank, bool reverse, F&& f) const {
  if (rank >= length_) return;
  for (const Node* x = NodeAtRank(rank); x != nullptr;
       x = reverse ? x->backward : x->levels()[0].forward) {
    if (!f(x->score, x->member)) return;
  }
}

}  // namespace cordis
