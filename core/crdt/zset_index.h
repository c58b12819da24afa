// ZSetIndex: the ordered index of a sorted set, an order-statistic B+tree.
//
// Elements are (score, member) pairs ordered exactly as Redis orders them: by score, then by
// member bytes (memcmp over the common prefix, the shorter member first). The index does not own
// member bytes: it keeps std::string_view whose storage the caller (the sorted-set CRDT, which
// stores members in its own nodes) keeps alive and unchanged until the element is erased.
//
// Structure. Leaves hold up to kLeafCapacity elements in two parallel sorted arrays, the scores
// and the member views, and are linked both ways, so ZRANGE and ZREVRANGE walk contiguous arrays
// in either direction. Inner nodes hold, per child, the child's smallest element (again as a
// score array and a view array) and the number of elements under the child, so rank queries
// (ZRANK, ZRANGE by index, ZCOUNT, ZLEXCOUNT) add up counts on the way down: O(log n) with a
// base of 16 to 32. Every node except the root is at least half full; all leaves are at the same
// depth. A key in an inner node is always a copy of a live element (the smallest element under
// that child is kept exact through every insert, erase and in-place score update), so it never
// refers to member bytes the caller has freed.
//
// Why not a skip list (Redis's zskiplist, which this index replaced): a skip list touches one
// scattered node per hop, ~17 dependent cache misses per search at 100k elements, and ZADD of an
// existing member searches twice. A B+tree search reads one node per level (four at 100k
// elements, the upper ones staying in cache) and scans contiguous doubles in each; member bytes
// are read only when scores are equal. It also needs no randomness: one
// operation sequence always builds the same tree, so replies, MEMORY USAGE and simulator runs
// stay reproducible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

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

  ZSetIndex() = default;
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

  // Heap bytes owned by the index (its nodes; not the member bytes). 0 when empty.
  size_t MemoryBytes() const { return heap_bytes_; }

  // CHECKs every structural invariant: order within and across leaves, leaf links, per-child
  // counts and keys, fill bounds, uniform leaf depth, size and memory counters. O(n); for tests
  // and the simulator.
  void CheckInvariants() const;

 private:
  // 32 elements: a leaf's scores fill four cache lines and a split or merge moves at most ~800
  // bytes. Inner nodes have the same fan-out, so 100k elements make four levels (height_ 3).
  static constexpr int kLeafCapacity = 32;
  static constexpr int kLeafMin = kLeafCapacity / 2;
  static constexpr int kInnerCapacity = 32;
  static constexpr int kInnerMin = kInnerCapacity / 2;
  // Inner levels above the leaves: with every non-root node at least half full, 16 levels hold
  // more than 2^64 elements.
  static constexpr int kMaxHeight = 16;
  static_assert(kLeafMin >= 2 && kInnerMin >= 2);

  struct Node {
    int count = 0;  // elements in a leaf, children in an inner node
    bool leaf;
  };
  struct Leaf : Node {
    Leaf() : Node{0, true} {}
    Leaf* prev = nullptr;
    Leaf* next = nullptr;
    double scores[kLeafCapacity];
    std::string_view members[kLeafCapacity];
  };
  struct Child {
    Node* node;
    size_t size;  // elements under node
  };
  struct Inner : Node {
    Inner() : Node{0, false} {}
    // Key i is the smallest element under children[i] (key 0 too: it is the node's own minimum).
    double scores[kInnerCapacity];
    std::string_view members[kInnerCapacity];
    Child children[kInnerCapacity];
  };
  // The inner nodes of one root-to-leaf descent and the child slot taken in each; index 0 is the
  // root, index height_ - 1 the leaf's parent.
  struct Path {
    Inner* nodes[kMaxHeight];
    int slots[kMaxHeight];
  };

  Leaf* NewLeaf();
  Inner* NewInner();
  void FreeNode(Node* node);
  void FreeSubtree(Node* node);
  void Clear();

  // The leaf where (score, member) is or would be, filling path.
  Leaf* Descend(double score, std::string_view member, Path* path) const;
  // Inserts into the leaf at pos (counts on the path already include it), splitting upward.
  void InsertAt(Path* path, Leaf* leaf, int pos, double score, std::string_view member);
  // Erases the leaf's element at pos, found through path, merging or borrowing upward.
  void EraseAt(Path* path, Leaf* leaf, int pos);
  // The smallest element under a node (its key in the parent).
  static std::pair<double, std::string_view> MinKey(const Node* node);
  // The smallest element of the node at `depth` on the path became (score, member): updates the
  // keys above it as far as it is also their node's smallest.
  static void SetMinKey(Path* path, int depth, double score, std::string_view member);
  // Adds `right`, just split off the node at `depth` on the path, as its parent's next child.
  void AddSibling(Path* path, int depth, Node* right, size_t right_size);
  void RebalanceLeaf(Path* path, Leaf* leaf);
  void RebalanceInner(Path* path, int depth);

  const Leaf* LeafAtRank(size_t rank, int* pos) const;
  // Length of the longest prefix of elements for which pred(score, member) holds (pred must be
  // true on a prefix of the order).
  template <typename Pred>
  size_t PrefixLength(Pred pred) const;
  // Half-open rank interval [first, end) of the elements inside a range.
  std::pair<size_t, size_t> ScoreRanks(const ScoreRange& range) const;
  std::pair<size_t, size_t> LexRanks(const LexBound& min, const LexBound& max) const;

  struct CheckState;
  size_t CheckSubtree(const Node* node, int depth, CheckState* state) const;

  Node* root_ = nullptr;  // nullptr when empty
  int height_ = 0;        // inner levels above the leaves
  size_t length_ = 0;
  size_t heap_bytes_ = 0;
};

template <typename F>
void ZSetIndex::ForEachFromRank(size_t rank, bool reverse, F&& f) const {
  if (rank >= length_) return;
  int pos = 0;
  const Leaf* leaf = LeafAtRank(rank, &pos);
  if (!reverse) {
    for (; leaf != nullptr; leaf = leaf->next, pos = 0) {
      for (; pos < leaf->count; ++pos) {
        if (!f(leaf->scores[pos], leaf->members[pos])) return;
      }
    }
  } else {
    for (;;) {
      for (; pos >= 0; --pos) {
        if (!f(leaf->scores[pos], leaf->members[pos])) return;
      }
      leaf = leaf->prev;
      if (leaf == nullptr) return;
      pos = leaf->count - 1;
    }
  }
}

}  // namespace cordis
