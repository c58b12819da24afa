// ZSetIndex: see zset_index.h. The algorithms follow Redis's zslInsert, zslDeleteNode,
// zslUpdateScore, zslGetRank and zslGetElementByRank; the range queries are two prefix walks
// (elements before the lower bound, elements up to the upper bound), each O(log n).
#include "core/crdt/zset_index.h"

#include <cmath>
#include <cstddef>

#include "core/base/check.h"

namespace cordis {
namespace {

// Redis order: score, then member bytes as sdscmp compares them (memcmp over the common prefix,
// shorter first). std::string_view::compare is exactly that: char_traits<char> compares bytes as
// unsigned char.
int CompareKeys(double a_score, std::string_view a_member, double b_score,
                std::string_view b_member) {
  if (a_score < b_score) return -1;
  if (a_score > b_score) return 1;
  return a_member.compare(b_member);
}

// True when `member` lies before the lower end of a lex range (outside it on the left).
bool BeforeLexMin(std::string_view member, const ZSetIndex::LexBound& min) {
  switch (min.kind) {
    case ZSetIndex::LexBound::kMinusInf:
      return false;
    case ZSetIndex::LexBound::kPlusInf:
      return true;
    case ZSetIndex::LexBound::kInclusive:
      return member < min.value;
    case ZSetIndex::LexBound::kExclusive:
      return member <= min.value;
  }
  CHECK(false);
  return false;
}

// True when `member` does not lie after the upper end of a lex range.
bool UpToLexMax(std::string_view member, const ZSetIndex::LexBound& max) {
  switch (max.kind) {
    case ZSetIndex::LexBound::kMinusInf:
      return false;
    case ZSetIndex::LexBound::kPlusInf:
      return true;
    case ZSetIndex::LexBound::kInclusive:
      return member <= max.value;
    case ZSetIndex::LexBound::kExclusive:
      return member < max.value;
  }
  CHECK(false);
  return false;
}

}  // namespace

ZSetIndex::ZSetIndex(uint64_t seed) : prng_(seed) {}

ZSetIndex::~ZSetIndex() { Clear(); }

ZSetIndex::ZSetIndex(ZSetIndex&& other) noexcept
    : header_(std::exchange(other.header_, nullptr)),
      tail_(std::exchange(other.tail_, nullptr)),
      length_(std::exchange(other.length_, 0)),
      level_(std::exchange(other.level_, 1)),
      heap_bytes_(std::exchange(other.heap_bytes_, 0)),
      prng_(other.prng_) {}

ZSetIndex& ZSetIndex::operator=(ZSetIndex&& other) noexcept {
  if (this != &other) {
    Clear();
    header_ = std::exchange(other.header_, nullptr);
    tail_ = std::exchange(other.tail_, nullptr);
    length_ = std::exchange(other.length_, 0);
    level_ = std::exchange(other.level_, 1);
    heap_bytes_ = std::exchange(other.heap_bytes_, 0);
    prng_ = other.prng_;
  }
  return *this;
}

ZSetIndex::Node* ZSetIndex::NewNode(int level_count, double score, std::string_view member) {
  // The Level entries live right after the Node in the same allocation.
  static_assert(alignof(Node) >= alignof(Level));
  static_assert(sizeof(Node) % alignof(Level) == 0);
  CHECK_GE(level_count, 1);
  CHECK_LE(level_count, kMaxLevel);
  size_t bytes = sizeof(Node) + static_cast<size_t>(level_count) * sizeof(Level);
  std::byte* memory = static_cast<std::byte*>(::operator new(bytes));
  Node* node = new (memory) Node{score, member, nullptr, level_count};
  for (int i = 0; i < level_count; ++i) {
    new (memory + sizeof(Node) + static_cast<size_t>(i) * sizeof(Level)) Level{nullptr, 0};
  }
  heap_bytes_ += bytes;
  return node;
}

void ZSetIndex::FreeNode(Node* node) {
  heap_bytes_ -= sizeof(Node) + static_cast<size_t>(node->level_count) * sizeof(Level);
  node->~Node();
  ::operator delete(static_cast<void*>(node));
}

void ZSetIndex::Clear() {
  if (header_ == nullptr) return;
  Node* x = header_->levels()[0].forward;
  while (x != nullptr) {
    Node* next = x->levels()[0].forward;
    FreeNode(x);
    x = next;
  }
  FreeNode(header_);
  header_ = nullptr;
  tail_ = nullptr;
  length_ = 0;
  level_ = 1;
  CHECK_EQ(heap_bytes_, 0u);
}

int ZSetIndex::RandomLevel() {
  // One draw gives 32 two-bit digits; each further level needs a zero digit (probability 1/4).
  uint64_t bits = prng_.Next();
  int level = 1;
  while (level < kMaxLevel && (bits & 3) == 0) {
    ++level;
    bits >>= 2;
  }
  return level;
}

ZSetIndex::Node* ZSetIndex::FindWithPath(double score, std::string_view member, Node** update) {
  if (header_ == nullptr) return nullptr;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr &&
           CompareKeys(x->levels()[i].forward->score, x->levels()[i].forward->member, score,
                       member) < 0) {
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
  Node* candidate = x->levels()[0].forward;
  if (candidate != nullptr &&
      CompareKeys(candidate->score, candidate->member, score, member) == 0) {
    return candidate;
  }
  return nullptr;
}

void ZSetIndex::LinkNode(Node* node) {
  CHECK(header_ != nullptr);
  Node* update[kMaxLevel];
  size_t rank[kMaxLevel];  // rank[i]: rank of update[i] (header = 0)
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    rank[i] = (i == level_ - 1) ? 0 : rank[i + 1];
    while (x->levels()[i].forward != nullptr &&
           CompareKeys(x->levels()[i].forward->score, x->levels()[i].forward->member, node->score,
                       node->member) < 0) {
      rank[i] += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
  Node* next = x->levels()[0].forward;
  CHECK(next == nullptr ||
        CompareKeys(next->score, next->member, node->score, node->member) != 0);  // no duplicate

  int level = node->level_count;
  if (level > level_) {
    for (int i = level_; i < level; ++i) {
      rank[i] = 0;
      update[i] = header_;
      header_->levels()[i].span = length_;
    }
    level_ = level;
  }
  for (int i = 0; i < level; ++i) {
    Level& before = update[i]->levels()[i];
    node->levels()[i].forward = before.forward;
    before.forward = node;
    // `before.span` counted the elements up to its old forward; split it around the new node,
    // which sits rank[0] - rank[i] + 1 positions after update[i].
    node->levels()[i].span = before.span - (rank[0] - rank[i]);
    before.span = (rank[0] - rank[i]) + 1;
  }
  for (int i = level; i < level_; ++i) update[i]->levels()[i].span++;

  node->backward = (update[0] == header_) ? nullptr : update[0];
  if (node->levels()[0].forward != nullptr) {
    node->levels()[0].forward->backward = node;
  } else {
    tail_ = node;
  }
  ++length_;
}

void ZSetIndex::UnlinkNode(Node* node, Node* const* update) {
  for (int i = 0; i < level_; ++i) {
    Level& before = update[i]->levels()[i];
    if (before.forward == node) {
      before.span += node->levels()[i].span - 1;
      before.forward = node->levels()[i].forward;
    } else {
      before.span -= 1;
    }
  }
  if (node->levels()[0].forward != nullptr) {
    node->levels()[0].forward->backward = node->backward;
  } else {
    tail_ = node->backward;
  }
  while (level_ > 1 && header_->levels()[level_ - 1].forward == nullptr) --level_;
  --length_;
}

void ZSetIndex::Insert(double score, std::string_view member) {
  CHECK(!std::isnan(score));
  if (header_ == nullptr) header_ = NewNode(kMaxLevel, 0, {});
  LinkNode(NewNode(RandomLevel(), score, member));
}

void ZSetIndex::Erase(double score, std::string_view member) {
  Node* update[kMaxLevel];
  Node* node = FindWithPath(score, member, update);
  CHECK(node != nullptr);  // (score, member) must be present
  UnlinkNode(node, update);
  FreeNode(node);
}

void ZSetIndex::UpdateScore(double old_score, std::string_view member, double new_score) {
  CHECK(!std::isnan(new_score));
  Node* update[kMaxLevel];
  Node* node = FindWithPath(old_score, member, update);
  CHECK(node != nullptr);  // (old_score, member) must be present
  const Node* prev = node->backward;
  const Node* next = node->levels()[0].forward;
  if ((prev == nullptr || CompareKeys(prev->score, prev->member, new_score, member) < 0) &&
      (next == nullptr || CompareKeys(next->score, next->member, new_score, member) > 0)) {
    node->score = new_score;  // still between its neighbours: no relinking
    return;
  }
  UnlinkNode(node, update);
  node->score = new_score;
  LinkNode(node);  // reuses the node and its level
}

template <typename Pred>
std::pair<size_t, const ZSetIndex::Node*> ZSetIndex::WalkPrefix(Pred pred) const {
  if (header_ == nullptr) return {0, nullptr};
  const Node* x = header_;
  size_t count = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && pred(*x->levels()[i].forward)) {
      count += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
  }
  return {count, x};
}

size_t ZSetIndex::Rank(double score, std::string_view member) const {
  auto [count, last] =
      WalkPrefix([&](const Node& n) { return CompareKeys(n.score, n.member, score, member) <= 0; });
  CHECK(count > 0 && CompareKeys(last->score, last->member, score, member) == 0);  // present
  return count - 1;
}

const ZSetIndex::Node* ZSetIndex::NodeAtRank(size_t rank) const {
  CHECK_LT(rank, length_);
  const size_t target = rank + 1;  // spans count the header as rank 0
  const Node* x = header_;
  size_t traversed = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && traversed + x->levels()[i].span <= target) {
      traversed += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    if (traversed == target) return x;
  }
  CHECK(false);  // spans are inconsistent with length_
  return nullptr;
}

std::pair<double, std::string_view> ZSetIndex::At(size_t rank) const {
  const Node* node = NodeAtRank(rank);
  return {node->score, node->member};
}

std::pair<size_t, size_t> ZSetIndex::ScoreRanks(const ScoreRange& range) const {
  CHECK(!std::isnan(range.min) && !std::isnan(range.max));
  size_t first = WalkPrefix([&](const Node& n) {
                   return range.min_exclusive ? n.score <= range.min : n.score < range.min;
                 }).first;
  size_t end = WalkPrefix([&](const Node& n) {
                 return range.max_exclusive ? n.score < range.max : n.score <= range.max;
               }).first;
  // An empty or inverted range leaves end <= first.
  return {first, end > first ? end : first};
}

size_t ZSetIndex::FirstRankInRange(const ScoreRange& range) const {
  auto [first, end] = ScoreRanks(range);
  return first < end ? first : length_;
}

size_t ZSetIndex::CountInRange(const ScoreRange& range) const {
  auto [first, end] = ScoreRanks(range);
  return end - first;
}

std::pair<size_t, size_t> ZSetIndex::LexRanks(const LexBound& min, const LexBound& max) const {
  size_t first = WalkPrefix([&](const Node& n) { return BeforeLexMin(n.member, min); }).first;
  size_t end = WalkPrefix([&](const Node& n) { return UpToLexMax(n.member, max); }).first;
  return {first, end > first ? end : first};
}

size_t ZSetIndex::FirstRankInLex(const LexBound& min, const LexBound& max) const {
  auto [first, end] = LexRanks(min, max);
  return first < end ? first : length_;
}

size_t ZSetIndex::CountInLex(const LexBound& min, const LexBound& max) const {
  auto [first, end] = LexRanks(min, max);
  return end - first;
}

void ZSetIndex::CheckInvariants() const {
  if (header_ == nullptr) {
    CHECK_EQ(length_, 0u);
    CHECK(tail_ == nullptr);
    CHECK_EQ(level_, 1);
    CHECK_EQ(heap_bytes_, 0u);
    return;
  }
  CHECK_GE(level_, 1);
  CHECK_LE(level_, kMaxLevel);
  CHECK_EQ(header_->level_count, kMaxLevel);
  if (level_ > 1) CHECK(header_->levels()[level_ - 1].forward != nullptr);

  // Level 0: strict order, backward links, tail, length, node levels, heap accounting.
  size_t count = 0;
  size_t bytes = sizeof(Node) + kMaxLevel * sizeof(Level);
  const Node* prev = nullptr;
  for (const Node* x = header_->levels()[0].forward; x != nullptr; x = x->levels()[0].forward) {
    CHECK(!std::isnan(x->score));
    CHECK(x->backward == prev);
    if (prev != nullptr) CHECK(CompareKeys(prev->score, prev->member, x->score, x->member) < 0);
    CHECK_GE(x->level_count, 1);
    CHECK_LE(x->level_count, level_);
    bytes += sizeof(Node) + static_cast<size_t>(x->level_count) * sizeof(Level);
    ++count;
    prev = x;
  }
  CHECK(tail_ == prev);
  CHECK_EQ(count, length_);
  CHECK_EQ(bytes, heap_bytes_);

  // Every level: it links exactly the nodes tall enough for it, with spans that match the
  // distance along level 0 (and the number of elements after the last node of the level).
  for (int i = 0; i < level_; ++i) {
    const Node* x = header_;
    size_t x_rank = 0;
    const Node* walker = header_;  // walks level 0 alongside
    size_t walker_rank = 0;
    for (;;) {
      const Node* next = x->levels()[i].forward;
      while (walker != next) {
        walker = walker->levels()[0].forward;
        if (walker == nullptr) break;
        ++walker_rank;
        if (walker != next) CHECK_LE(walker->level_count, i);  // skipped: must be shorter
      }
      if (next == nullptr) {
        CHECK_EQ(x->levels()[i].span, length_ - x_rank);
        break;
      }
      CHECK_GT(next->level_count, i);
      CHECK_EQ(x->levels()[i].span, walker_rank - x_rank);
      x = next;
      x_rank = walker_rank;
    }
  }
}

}  // namespace cordis
