// ZSetIndex: see zset_index.h. Insert and erase are the textbook B+tree algorithms (split a full
// node in halves; refill an underfull one by borrowing from a sibling or merging with it), with
// the path of one descent kept on the stack instead of parent pointers. Ranks add up the per-child
// counts to the left of the path; range queries are two prefix-length descents each.
#include "core/crdt/zset_index.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <tuple>
#include <type_traits>
#include <utility>

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

// Position of the first of n sorted keys not below (score, member). The score pass is a
// branch-free count over contiguous doubles; member bytes are compared only on equal scores.
int LowerBound(const double* scores, const std::string_view* members, int n, double score,
               std::string_view member) {
  int pos = 0;
  for (int i = 0; i < n; ++i) pos += scores[i] < score;
  while (pos < n && scores[pos] == score && members[pos].compare(member) < 0) ++pos;
  return pos;
}

// Number of keys among n sorted keys that are <= (score, member).
int UpperBound(const double* scores, const std::string_view* members, int n, double score,
               std::string_view member) {
  int pos = 0;
  for (int i = 0; i < n; ++i) pos += scores[i] < score;
  while (pos < n && scores[pos] == score && members[pos].compare(member) <= 0) ++pos;
  return pos;
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

// Moves entries [from, from + n) of parallel arrays to position `to` (ranges may overlap).
template <typename T>
void MoveEntries(T* array, int from, int n, int to) {
  std::memmove(static_cast<void*>(array + to), static_cast<const void*>(array + from),
               static_cast<size_t>(n) * sizeof(T));
}

// Copies entries [from, from + n) of one node's array to `to` in another node's array.
template <typename T>
void CopyEntries(const T* src, int from, int n, T* dst, int to) {
  std::memcpy(static_cast<void*>(dst + to), static_cast<const void*>(src + from),
              static_cast<size_t>(n) * sizeof(T));
}

// A node's slots are parallel arrays: scores and members, plus children in an inner node. These
// move or copy slot ranges across all of a node's arrays at once (leaves and inner nodes alike).
template <typename NodeT>
void MoveSlots(NodeT* node, int from, int n, int to) {
  MoveEntries(node->scores, from, n, to);
  MoveEntries(node->members, from, n, to);
  if constexpr (requires { node->children; }) MoveEntries(node->children, from, n, to);
}

template <typename NodeT>
void CopySlots(const NodeT* src, int from, int n, NodeT* dst, int to) {
  CopyEntries(src->scores, from, n, dst->scores, to);
  CopyEntries(src->members, from, n, dst->members, to);
  if constexpr (requires { src->children; }) CopyEntries(src->children, from, n, dst->children, to);
}

// Splits the full node `full` in halves, its upper half into the empty node `fresh`, and returns
// the node and slot where an insert meant for slot `pos` of `full` now goes: the right half past
// the middle, the left half up to it (so both halves keep at least half a node's worth).
template <typename NodeT>
std::pair<NodeT*, int> SplitHalves(NodeT* full, NodeT* fresh, int pos) {
  constexpr int kCapacity = static_cast<int>(std::extent_v<decltype(NodeT::scores)>);
  constexpr int kHalf = kCapacity / 2;
  CHECK_EQ(full->count, kCapacity);
  CopySlots(full, kHalf, kCapacity - kHalf, fresh, 0);
  fresh->count = kCapacity - kHalf;
  full->count = kHalf;
  if (pos > kHalf) return {fresh, pos - kHalf};
  return {full, pos};
}

// Opens slot `pos` of a node with room (shifting the slots after it) and puts the key there.
template <typename NodeT>
void PutKey(NodeT* node, int pos, double score, std::string_view member) {
  MoveSlots(node, pos, node->count - pos, pos + 1);
  node->scores[pos] = score;
  node->members[pos] = member;
  node->count++;
}

}  // namespace

ZSetIndex::~ZSetIndex() { Clear(); }

ZSetIndex::ZSetIndex(ZSetIndex&& other) noexcept
    : root_(std::exchange(other.root_, nullptr)),
      height_(std::exchange(other.height_, 0)),
      length_(std::exchange(other.length_, 0)),
      heap_bytes_(std::exchange(other.heap_bytes_, 0)) {}

ZSetIndex& ZSetIndex::operator=(ZSetIndex&& other) noexcept {
  if (this != &other) {
    Clear();
    root_ = std::exchange(other.root_, nullptr);
    height_ = std::exchange(other.height_, 0);
    length_ = std::exchange(other.length_, 0);
    heap_bytes_ = std::exchange(other.heap_bytes_, 0);
  }
  return *this;
}

ZSetIndex::Leaf* ZSetIndex::NewLeaf() {
  heap_bytes_ += sizeof(Leaf);
  return new Leaf();
}

ZSetIndex::Inner* ZSetIndex::NewInner() {
  heap_bytes_ += sizeof(Inner);
  return new Inner();
}

void ZSetIndex::FreeNode(Node* node) {
  if (node->leaf) {
    heap_bytes_ -= sizeof(Leaf);
    delete static_cast<Leaf*>(node);
  } else {
    heap_bytes_ -= sizeof(Inner);
    delete static_cast<Inner*>(node);
  }
}

void ZSetIndex::FreeSubtree(Node* node) {
  if (!node->leaf) {
    Inner* inner = static_cast<Inner*>(node);
    for (int i = 0; i < inner->count; ++i) FreeSubtree(inner->children[i].node);
  }
  FreeNode(node);
}

void ZSetIndex::Clear() {
  if (root_ != nullptr) FreeSubtree(root_);
  root_ = nullptr;
  height_ = 0;
  length_ = 0;
  CHECK_EQ(heap_bytes_, 0u);
}

ZSetIndex::Leaf* ZSetIndex::Descend(double score, std::string_view member, Path* path) const {
  Node* node = root_;
  for (int depth = 0; depth < height_; ++depth) {
    Inner* inner = static_cast<Inner*>(node);
    // The child whose key is the last one <= (score, member); child 0 if none is.
    int slot = UpperBound(inner->scores + 1, inner->members + 1, inner->count - 1, score, member);
    path->nodes[depth] = inner;
    path->slots[depth] = slot;
    node = inner->children[slot].node;
  }
  return static_cast<Leaf*>(node);
}

std::pair<double, std::string_view> ZSetIndex::MinKey(const Node* node) {
  if (node->leaf) {
    const Leaf* leaf = static_cast<const Leaf*>(node);
    return {leaf->scores[0], leaf->members[0]};
  }
  const Inner* inner = static_cast<const Inner*>(node);
  return {inner->scores[0], inner->members[0]};
}

void ZSetIndex::SetMinKey(Path* path, int depth, double score, std::string_view member) {
  for (int d = depth - 1; d >= 0; --d) {
    Inner* parent = path->nodes[d];
    int slot = path->slots[d];
    parent->scores[slot] = score;
    parent->members[slot] = member;
    if (slot != 0) return;  // the parent's own minimum is unchanged
  }
}

void ZSetIndex::Insert(double score, std::string_view member) {
  CHECK(!std::isnan(score));
  if (root_ == nullptr) root_ = NewLeaf();
  Path path;
  Leaf* leaf = Descend(score, member, &path);
  int pos = LowerBound(leaf->scores, leaf->members, leaf->count, score, member);
  CHECK(pos == leaf->count ||  // no duplicate
        CompareKeys(leaf->scores[pos], leaf->members[pos], score, member) != 0);
  InsertAt(&path, leaf, pos, score, member);
}

void ZSetIndex::InsertAt(Path* path, Leaf* leaf, int pos, double score, std::string_view member) {
  for (int d = 0; d < height_; ++d) path->nodes[d]->children[path->slots[d]].size++;
  ++length_;
  Leaf* target = leaf;
  Leaf* right = nullptr;
  if (leaf->count == kLeafCapacity) {
    // Split in halves; the new element goes to the half it belongs to, so both end up with at
    // least kLeafMin elements.
    right = NewLeaf();
    std::tie(target, pos) = SplitHalves(leaf, right, pos);
    right->prev = leaf;
    right->next = leaf->next;
    if (leaf->next != nullptr) leaf->next->prev = right;
    leaf->next = right;
  }
  PutKey(target, pos, score, member);
  // A new minimum of the left leaf changes keys above it; the right leaf gets its key below.
  if (pos == 0 && target == leaf) SetMinKey(path, height_, score, member);
  if (right != nullptr) AddSibling(path, height_, right, static_cast<size_t>(right->count));
}

void ZSetIndex::AddSibling(Path* path, int depth, Node* right, size_t right_size) {
  const auto [right_score, right_member] = MinKey(right);
  if (depth == 0) {  // the root split: grow a level
    CHECK_LT(height_, kMaxHeight);
    Node* left = root_;
    Inner* root = NewInner();
    root->count = 2;
    std::tie(root->scores[0], root->members[0]) = MinKey(left);
    root->children[0] = {left, length_ - right_size};
    root->scores[1] = right_score;
    root->members[1] = right_member;
    root->children[1] = {right, right_size};
    root_ = root;
    ++height_;
    return;
  }
  Inner* parent = path->nodes[depth - 1];
  int slot = path->slots[depth - 1] + 1;  // where `right` goes
  parent->children[slot - 1].size -= right_size;
  Inner* target = parent;
  Inner* split = nullptr;
  if (parent->count == kInnerCapacity) {
    split = NewInner();
    // slot == half appends to the left half: `right` is never a new key 0.
    std::tie(target, slot) = SplitHalves(parent, split, slot);
  }
  PutKey(target, slot, right_score, right_member);
  target->children[slot] = {right, right_size};
  if (split != nullptr) {
    size_t split_size = 0;
    for (int i = 0; i < split->count; ++i) split_size += split->children[i].size;
    AddSibling(path, depth - 1, split, split_size);
  }
}

void ZSetIndex::Erase(double score, std::string_view member) {
  CHECK(root_ != nullptr);  // (score, member) must be present
  Path path;
  Leaf* leaf = Descend(score, member, &path);
  int pos = LowerBound(leaf->scores, leaf->members, leaf->count, score, member);
  CHECK(pos < leaf->count &&  // (score, member) must be present
        CompareKeys(leaf->scores[pos], leaf->members[pos], score, member) == 0);
  EraseAt(&path, leaf, pos);
}

void ZSetIndex::EraseAt(Path* path, Leaf* leaf, int pos) {
  for (int d = 0; d < height_; ++d) path->nodes[d]->children[path->slots[d]].size--;
  --length_;
  MoveSlots(leaf, pos + 1, leaf->count - pos - 1, pos);
  leaf->count--;
  if (height_ == 0) {  // the root leaf: never underfull, freed when empty
    if (leaf->count == 0) {
      FreeNode(leaf);
      root_ = nullptr;
    }
    return;
  }
  // A non-root leaf had at least kLeafMin >= 2 elements, so it still has a minimum.
  if (pos == 0) SetMinKey(path, height_, leaf->scores[0], leaf->members[0]);
  if (leaf->count < kLeafMin) RebalanceLeaf(path, leaf);
}

void ZSetIndex::RebalanceLeaf(Path* path, Leaf* leaf) {
  Inner* parent = path->nodes[height_ - 1];
  int slot = path->slots[height_ - 1];
  // The parent has at least two children (a non-root inner node at least kInnerMin).
  if (slot > 0) {
    Leaf* left = leaf->prev;
    if (left->count > kLeafMin) {  // borrow the left sibling's largest element
      MoveSlots(leaf, 0, leaf->count, 1);
      leaf->scores[0] = left->scores[left->count - 1];
      leaf->members[0] = left->members[left->count - 1];
      leaf->count++;
      left->count--;
      parent->children[slot - 1].size--;
      parent->children[slot].size++;
      parent->scores[slot] = leaf->scores[0];
      parent->members[slot] = leaf->members[0];
      return;
    }
  } else {
    Leaf* right = leaf->next;
    if (right->count > kLeafMin) {  // borrow the right sibling's smallest element
      leaf->scores[leaf->count] = right->scores[0];
      leaf->members[leaf->count] = right->members[0];
      leaf->count++;
      MoveSlots(right, 1, right->count - 1, 0);
      right->count--;
      parent->children[0].size++;
      parent->children[1].size--;
      parent->scores[1] = right->scores[0];
      parent->members[1] = right->members[0];
      return;
    }
    slot = 1;  // merge the right sibling into this leaf instead
    leaf = right;
  }
  // Merge `leaf` (at slot) into its left neighbour: together at most kLeafCapacity - 1.
  Leaf* left = leaf->prev;
  CopySlots(leaf, 0, leaf->count, left, left->count);
  left->count += leaf->count;
  left->next = leaf->next;
  if (leaf->next != nullptr) leaf->next->prev = left;
  parent->children[slot - 1].size += parent->children[slot].size;
  int after = parent->count - slot - 1;
  MoveSlots(parent, slot + 1, after, slot);
  parent->count--;
  FreeNode(leaf);
  RebalanceInner(path, height_ - 1);
}

void ZSetIndex::RebalanceInner(Path* path, int depth) {
  Inner* node = path->nodes[depth];
  if (depth == 0) {  // the root: needs two children, else its only child becomes the root
    if (node->count == 1) {
      root_ = node->children[0].node;
      --height_;
      FreeNode(node);
    }
    return;
  }
  if (node->count >= kInnerMin) return;
  Inner* parent = path->nodes[depth - 1];
  int slot = path->slots[depth - 1];
  if (slot > 0) {
    Inner* left = static_cast<Inner*>(parent->children[slot - 1].node);
    if (left->count > kInnerMin) {  // borrow the left sibling's last child
      int last = left->count - 1;
      MoveSlots(node, 0, node->count, 1);
      node->scores[0] = left->scores[last];
      node->members[0] = left->members[last];
      node->children[0] = left->children[last];
      node->count++;
      left->count--;
      parent->children[slot - 1].size -= node->children[0].size;
      parent->children[slot].size += node->children[0].size;
      parent->scores[slot] = node->scores[0];
      parent->members[slot] = node->members[0];
      return;
    }
  } else {
    Inner* right = static_cast<Inner*>(parent->children[1].node);
    if (right->count > kInnerMin) {  // borrow the right sibling's first child
      node->scores[node->count] = right->scores[0];
      node->members[node->count] = right->members[0];
      node->children[node->count] = right->children[0];
      size_t moved = right->children[0].size;
      node->count++;
      MoveSlots(right, 1, right->count - 1, 0);
      right->count--;
      parent->children[0].size += moved;
      parent->children[1].size -= moved;
      parent->scores[1] = right->scores[0];
      parent->members[1] = right->members[0];
      return;
    }
    slot = 1;  // merge the right sibling into this node instead
    node = right;
  }
  // Merge `node` (at slot) into its left neighbour: together at most kInnerCapacity - 1.
  Inner* left = static_cast<Inner*>(parent->children[slot - 1].node);
  CopySlots(node, 0, node->count, left, left->count);
  left->count += node->count;
  parent->children[slot - 1].size += parent->children[slot].size;
  int after = parent->count - slot - 1;
  MoveSlots(parent, slot + 1, after, slot);
  parent->count--;
  FreeNode(node);
  RebalanceInner(path, depth - 1);
}

void ZSetIndex::UpdateScore(double old_score, std::string_view member, double new_score) {
  CHECK(!std::isnan(new_score));
  CHECK(root_ != nullptr);  // (old_score, member) must be present
  Path path;
  Leaf* leaf = Descend(old_score, member, &path);
  int pos = LowerBound(leaf->scores, leaf->members, leaf->count, old_score, member);
  CHECK(pos < leaf->count &&  // (old_score, member) must be present
        CompareKeys(leaf->scores[pos], leaf->members[pos], old_score, member) == 0);
  const std::string_view stored = leaf->members[pos];
  // Still between its neighbours (possibly in the adjacent leaves): no structural change.
  const Leaf* prev_leaf = pos > 0 ? leaf : leaf->prev;
  const Leaf* next_leaf = pos + 1 < leaf->count ? leaf : leaf->next;
  const bool after_prev = prev_leaf == nullptr || [&] {
    int i = pos > 0 ? pos - 1 : prev_leaf->count - 1;
    return CompareKeys(prev_leaf->scores[i], prev_leaf->members[i], new_score, stored) < 0;
  }();
  const bool before_next = next_leaf == nullptr || [&] {
    int i = pos + 1 < leaf->count ? pos + 1 : 0;
    return CompareKeys(next_leaf->scores[i], next_leaf->members[i], new_score, stored) > 0;
  }();
  if (after_prev && before_next) {
    leaf->scores[pos] = new_score;
    if (pos == 0) SetMinKey(&path, height_, new_score, stored);
    return;
  }
  EraseAt(&path, leaf, pos);
  if (root_ == nullptr) root_ = NewLeaf();
  leaf = Descend(new_score, stored, &path);
  pos = LowerBound(leaf->scores, leaf->members, leaf->count, new_score, stored);
  InsertAt(&path, leaf, pos, new_score, stored);
}

size_t ZSetIndex::Rank(double score, std::string_view member) const {
  CHECK(root_ != nullptr);  // (score, member) must be present
  size_t rank = 0;
  const Node* node = root_;
  for (int depth = 0; depth < height_; ++depth) {
    const Inner* inner = static_cast<const Inner*>(node);
    int slot = UpperBound(inner->scores + 1, inner->members + 1, inner->count - 1, score, member);
    for (int i = 0; i < slot; ++i) rank += inner->children[i].size;
    node = inner->children[slot].node;
  }
  const Leaf* leaf = static_cast<const Leaf*>(node);
  int pos = LowerBound(leaf->scores, leaf->members, leaf->count, score, member);
  CHECK(pos < leaf->count &&  // (score, member) must be present
        CompareKeys(leaf->scores[pos], leaf->members[pos], score, member) == 0);
  return rank + static_cast<size_t>(pos);
}

const ZSetIndex::Leaf* ZSetIndex::LeafAtRank(size_t rank, int* pos) const {
  CHECK_LT(rank, length_);
  const Node* node = root_;
  for (int depth = 0; depth < height_; ++depth) {
    const Inner* inner = static_cast<const Inner*>(node);
    int slot = 0;
    while (rank >= inner->children[slot].size) {
      rank -= inner->children[slot].size;
      ++slot;
      CHECK_LT(slot, inner->count);  // counts are inconsistent with length_
    }
    node = inner->children[slot].node;
  }
  const Leaf* leaf = static_cast<const Leaf*>(node);
  CHECK_LT(rank, static_cast<size_t>(leaf->count));
  *pos = static_cast<int>(rank);
  return leaf;
}

std::pair<double, std::string_view> ZSetIndex::At(size_t rank) const {
  int pos = 0;
  const Leaf* leaf = LeafAtRank(rank, &pos);
  return {leaf->scores[pos], leaf->members[pos]};
}

template <typename Pred>
size_t ZSetIndex::PrefixLength(Pred pred) const {
  if (root_ == nullptr) return 0;
  size_t count = 0;
  const Node* node = root_;
  for (int depth = 0; depth < height_; ++depth) {
    const Inner* inner = static_cast<const Inner*>(node);
    // Every child before the last one whose smallest element satisfies pred is wholly inside.
    int slot = 0;
    while (slot + 1 < inner->count && pred(inner->scores[slot + 1], inner->members[slot + 1])) {
      count += inner->children[slot].size;
      ++slot;
    }
    node = inner->children[slot].node;
  }
  const Leaf* leaf = static_cast<const Leaf*>(node);
  int pos = 0;
  while (pos < leaf->count && pred(leaf->scores[pos], leaf->members[pos])) ++pos;
  return count + static_cast<size_t>(pos);
}

std::pair<size_t, size_t> ZSetIndex::ScoreRanks(const ScoreRange& range) const {
  CHECK(!std::isnan(range.min) && !std::isnan(range.max));
  size_t first = PrefixLength([&](double score, std::string_view) {
    return range.min_exclusive ? score <= range.min : score < range.min;
  });
  size_t end = PrefixLength([&](double score, std::string_view) {
    return range.max_exclusive ? score < range.max : score <= range.max;
  });
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
  size_t first =
      PrefixLength([&](double, std::string_view member) { return BeforeLexMin(member, min); });
  size_t end =
      PrefixLength([&](double, std::string_view member) { return UpToLexMax(member, max); });
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

// What the in-order walk of CheckInvariants carries from leaf to leaf.
struct ZSetIndex::CheckState {
  const Leaf* last_leaf = nullptr;
  size_t bytes = 0;
};

size_t ZSetIndex::CheckSubtree(const Node* node, int depth, CheckState* state) const {
  const bool is_root = depth == 0;
  CHECK_EQ(node->leaf, depth == height_);  // every leaf at the same depth
  if (node->leaf) {
    const Leaf* leaf = static_cast<const Leaf*>(node);
    state->bytes += sizeof(Leaf);
    CHECK_GE(leaf->count, is_root ? 1 : kLeafMin);
    CHECK_LE(leaf->count, kLeafCapacity);
    CHECK(leaf->prev == state->last_leaf);  // links follow the in-order walk
    if (state->last_leaf != nullptr) {
      CHECK(state->last_leaf->next == leaf);
      const Leaf* last = state->last_leaf;
      CHECK(CompareKeys(last->scores[last->count - 1], last->members[last->count - 1],
                        leaf->scores[0], leaf->members[0]) < 0);
    }
    for (int i = 0; i < leaf->count; ++i) {
      CHECK(!std::isnan(leaf->scores[i]));
      if (i > 0) {
        CHECK(CompareKeys(leaf->scores[i - 1], leaf->members[i - 1], leaf->scores[i],
                          leaf->members[i]) < 0);
      }
    }
    state->last_leaf = leaf;
    return static_cast<size_t>(leaf->count);
  }
  const Inner* inner = static_cast<const Inner*>(node);
  state->bytes += sizeof(Inner);
  CHECK_GE(inner->count, is_root ? 2 : kInnerMin);
  CHECK_LE(inner->count, kInnerCapacity);
  size_t total = 0;
  for (int i = 0; i < inner->count; ++i) {
    const Node* child = inner->children[i].node;
    CHECK_EQ(inner->children[i].size, CheckSubtree(child, depth + 1, state));
    total += inner->children[i].size;
    // Key i is exactly the child's smallest element: same score bits, same member view.
    const auto [min_score, min_member] = MinKey(child);
    CHECK(std::memcmp(&inner->scores[i], &min_score, sizeof(double)) == 0);
    CHECK(inner->members[i].data() == min_member.data());
    CHECK_EQ(inner->members[i].size(), min_member.size());
  }
  return total;
}

void ZSetIndex::CheckInvariants() const {
  if (root_ == nullptr) {
    CHECK_EQ(length_, 0u);
    CHECK_EQ(height_, 0);
    CHECK_EQ(heap_bytes_, 0u);
    return;
  }
  CHECK_GE(height_, 0);
  CHECK_LE(height_, kMaxHeight);
  CheckState state;
  CHECK_EQ(CheckSubtree(root_, 0, &state), length_);
  CHECK(state.last_leaf->next == nullptr);
  CHECK_EQ(state.bytes, heap_bytes_);
}

}  // namespace cordis
