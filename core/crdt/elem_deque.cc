#include "core/crdt/elem_deque.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <type_traits>

namespace cordis::list_internal {
namespace {

static_assert(std::is_trivially_copyable_v<Elem>);
constexpr size_t kMinCap = 1;     // slots of the smallest block
constexpr size_t kShrinkCap = 8;  // a lone block above this shrinks when a quarter full

Elem* Allocate(size_t slots) {
  Elem* b = static_cast<Elem*>(std::malloc(slots * sizeof(Elem)));
  CHECK(b != nullptr);
  return b;
}

}  // namespace

size_t ElemDeque::AllocatedBytes() const {
  size_t bytes = Slots() * sizeof(Elem);
  if (spare_ != nullptr) bytes += kBlockSize * sizeof(Elem);
  if (map_cap_ > 1) bytes += map_cap_ * sizeof(Elem*);
  return bytes;
}

void ElemDeque::Insert(size_t pos, const Elem* src, size_t n) {
  CHECK_LE(pos, size_);
  if (n == 0) return;
  if (pos < size_ - pos) {
    // Shift the first pos elements n slots towards the front.
    RoomAtFront(n);
    head_ -= n;
    size_ += n;
    for (size_t i = 0; i < pos; ++i) At(i) = At(i + n);
  } else {
    // Shift the elements from pos on n slots towards the back.
    RoomAtBack(n);
    const size_t old = size_;
    size_ += n;
    for (size_t i = old; i-- > pos;) At(i + n) = At(i);
  }
  for (size_t i = 0; i < n; ++i) At(pos + i) = src[i];
  CHECK_LE(head_ + size_, Slots());
}

void ElemDeque::RoomAtFront(size_t n) {
  if (head_ >= n) return;
  if (Small()) {
    const size_t need = size_ + n;
    if (need <= kBlockSize) {
      // One block still holds it all: grow it (or re-centre it, if the room is at the back).
      const size_t cap = std::max({kMinCap, std::bit_ceil(need), size_t{first_cap_}});
      const size_t spare = cap - need;
      return Relayout(cap, n + spare - spare / 2);
    }
    Relayout(kBlockSize, kBlockSize - size_);  // a full block, all of its room at the front
  }
  while (head_ < n) PushBlockFront();
}

void ElemDeque::RoomAtBack(size_t n) {
  if (head_ + size_ + n <= Slots()) return;
  if (Small()) {
    const size_t need = size_ + n;
    if (need <= kBlockSize) {
      const size_t cap = std::max({kMinCap, std::bit_ceil(need), size_t{first_cap_}});
      return Relayout(cap, (cap - need) / 2);
    }
    Relayout(kBlockSize, 0);  // a full block, all of its room at the back
  }
  while (head_ + size_ + n > Slots()) PushBlockBack();
}

void ElemDeque::Relayout(size_t cap, size_t head) {
  CHECK_LE(blocks_, 1u);
  CHECK_LE(head + size_, cap);
  CHECK_LE(cap, kBlockSize);
  Elem* old = blocks_ == 0 ? nullptr : map_[map_head_];
  Elem* fresh;
  if (old != nullptr && cap == first_cap_) {
    fresh = old;  // same block: move the elements within it
    std::memmove(fresh + head, old + head_, size_ * sizeof(Elem));
  } else {
    fresh = cap == kBlockSize ? NewFullBlock() : Allocate(cap);
    if (size_ != 0) std::memcpy(fresh + head, old + head_, size_ * sizeof(Elem));
    if (old != nullptr) {
      if (first_cap_ == kBlockSize) {
        ReleaseFullBlock(old);
      } else {
        std::free(old);
      }
    }
  }
  // One block again: the map goes back inline.
  if (map_ != &one_block_) std::free(map_);
  one_block_ = fresh;
  map_ = &one_block_;
  map_cap_ = 1;
  map_head_ = 0;
  blocks_ = 1;
  first_cap_ = static_cast<uint32_t>(cap);
  head_ = head;
}

void ElemDeque::PushBlockFront() {
  CHECK(!Small());
  GrowMapIfFull();
  map_head_ = (map_head_ + map_cap_ - 1) & (map_cap_ - 1);
  map_[map_head_] = NewFullBlock();
  ++blocks_;
  head_ += kBlockSize;
}

void ElemDeque::PushBlockBack() {
  CHECK(!Small());
  GrowMapIfFull();
  map_[(map_head_ + blocks_) & (map_cap_ - 1)] = NewFullBlock();
  ++blocks_;
}

void ElemDeque::DropBlockFront() {
  CHECK_GT(blocks_, 1u);
  ReleaseFullBlock(map_[map_head_]);
  map_head_ = (map_head_ + 1) & (map_cap_ - 1);
  --blocks_;
}

void ElemDeque::DropBlockBack() {
  CHECK_GT(blocks_, 1u);
  --blocks_;
  ReleaseFullBlock(map_[(map_head_ + blocks_) & (map_cap_ - 1)]);
}

void ElemDeque::GrowMapIfFull() {
  if (blocks_ < map_cap_) return;
  const uint32_t cap = std::max<uint32_t>(4, map_cap_ * 2);
  Elem** fresh = static_cast<Elem**>(std::malloc(cap * sizeof(Elem*)));
  CHECK(fresh != nullptr);
  for (uint32_t i = 0; i < blocks_; ++i) fresh[i] = map_[(map_head_ + i) & (map_cap_ - 1)];
  if (map_ != &one_block_) std::free(map_);
  one_block_ = nullptr;
  map_ = fresh;
  map_cap_ = cap;
  map_head_ = 0;
}

Elem* ElemDeque::NewFullBlock() {
  if (spare_ == nullptr) return Allocate(kBlockSize);
  Elem* b = spare_;
  spare_ = nullptr;
  return b;
}

void ElemDeque::ReleaseFullBlock(Elem* block) {
  if (spare_ == nullptr) {
    spare_ = block;
  } else {
    std::free(block);
  }
}

void ElemDeque::PopFront() {
  CHECK_GT(size_, 0u);
  ++head_;
  --size_;
  if (size_ == 0) return Clear();
  if (head_ == kBlockSize && blocks_ > 1) {
    DropBlockFront();
    head_ = 0;
  }
  AfterShrink();
}

void ElemDeque::PopBack() {
  CHECK_GT(size_, 0u);
  --size_;
  if (size_ == 0) return Clear();
  if (blocks_ > 1 && head_ + size_ <= (blocks_ - 1) * kBlockSize) DropBlockBack();
  AfterShrink();
}

// A lone block that is mostly empty moves into a smaller one (a full block becomes small again).
void ElemDeque::AfterShrink() {
  if (blocks_ != 1 || first_cap_ <= kShrinkCap || size_ > first_cap_ / 4) return;
  const size_t cap = std::max(kShrinkCap, std::bit_ceil(size_) * 2);
  Relayout(cap, (cap - size_) / 2);
  if (spare_ != nullptr) {
    std::free(spare_);
    spare_ = nullptr;
  }
}

void ElemDeque::Clear() {
  for (uint32_t i = 0; i < blocks_; ++i) std::free(map_[(map_head_ + i) & (map_cap_ - 1)]);
  std::free(spare_);
  if (map_ != &one_block_) std::free(map_);
  one_block_ = nullptr;
  map_ = &one_block_;
  spare_ = nullptr;
  map_cap_ = 1;
  map_head_ = 0;
  blocks_ = 0;
  first_cap_ = 0;
  head_ = 0;
  size_ = 0;
}

}  // namespace cordis::list_internal
