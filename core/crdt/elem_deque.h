// ElemDeque: the sequence of a ListValue's elements (core/crdt/list_elem.h), a deque of fixed
// blocks of 64 elements (2,560 bytes) reached through a ring of block pointers, like Redis's
// quicklist nodes or std::deque. Pushing at either end writes one slot and now and then adds a
// block: no element ever moves when the list grows, so a long list costs no growth copies (a
// single growable buffer copied half its elements at every doubling). Index access stays O(1):
// element i sits at slot head + i of the concatenated blocks. A list of up to 64 elements lives
// in one block sized to fit (a power of two up to 64 slots), so a short list costs little more than
// its elements.
//
// A plain container of trivially copyable Elems: it never frees the elements' value bytes; the
// owner frees them before dropping elements.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/base/check.h"
#include "core/crdt/list_elem.h"

namespace cordis::list_internal {

class ElemDeque {
 public:
  static constexpr size_t kBlockShift = 6;
  static constexpr size_t kBlockSize = size_t{1} << kBlockShift;  // elements per full block

  ElemDeque() = default;
  ~ElemDeque() { Clear(); }
  ElemDeque(const ElemDeque&) = delete;
  ElemDeque& operator=(const ElemDeque&) = delete;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Bytes of blocks and block map held, whether in use or not.
  size_t AllocatedBytes() const;
  Elem& operator[](size_t i) { return At(i); }
  const Elem& operator[](size_t i) const { return At(i); }
  Elem& front() { return At(0); }
  Elem& back() { return At(size_ - 1); }

  // Inserts n elements so that src[0] ends at position pos; moves the shorter side.
  void Insert(size_t pos, const Elem* src, size_t n);
  void PopFront();
  void PopBack();
  // Walks from the back to the front and keeps the elements for which keep(elem, next_kept) is
  // true, where next_kept is the nearest kept element after elem (nullptr if none).
  template <typename Keep>
  void FilterFromBack(Keep keep);

 private:
  Elem& At(size_t i) const {
    const size_t slot = head_ + i;
    return map_[(map_head_ + (slot >> kBlockShift)) & (map_cap_ - 1)][slot & (kBlockSize - 1)];
  }
  // Slots in the blocks: the first block may be a small one while it is the only one.
  size_t Slots() const { return blocks_ == 0 ? 0 : (blocks_ - 1) * kBlockSize + first_cap_; }
  bool Small() const { return blocks_ <= 1 && first_cap_ < kBlockSize; }
  void RoomAtFront(size_t n);
  void RoomAtBack(size_t n);
  // Moves the elements of a deque of at most one block into one new block of `cap` slots,
  // starting at slot `head`.
  void Relayout(size_t cap, size_t head);
  void PushBlockFront();
  void PushBlockBack();
  void DropBlockFront();
  void DropBlockBack();
  void GrowMapIfFull();
  Elem* NewFullBlock();
  void ReleaseFullBlock(Elem* block);
  void AfterShrink();
  void Clear();

  Elem* one_block_ = nullptr;  // the map while map_cap_ == 1
  Elem** map_ = &one_block_;   // ring of map_cap_ block pointers
  Elem* spare_ = nullptr;      // one released full block, kept so push/pop at a boundary is cheap
  uint32_t map_cap_ = 1;       // a power of two
  uint32_t map_head_ = 0;      // map index of the first block
  uint32_t blocks_ = 0;        // blocks in use, from map_head_ on
  uint32_t first_cap_ = 0;     // slots of the first block: kBlockSize unless Small()
  size_t head_ = 0;            // slot of element 0 in the first block
  size_t size_ = 0;
};

template <typename Keep>
void ElemDeque::FilterFromBack(Keep keep) {
  size_t w = size_;  // kept elements occupy [w, size_)
  const Elem* next_kept = nullptr;
  for (size_t r = size_; r-- > 0;) {
    if (keep(At(r), next_kept)) {
      --w;
      if (w != r) At(w) = At(r);
      next_kept = &At(w);
    }
  }
  head_ += w;
  size_ -= w;
  if (size_ == 0) return Clear();
  while (blocks_ > 1 && head_ >= kBlockSize) {
    DropBlockFront();
    head_ -= kBlockSize;
  }
  AfterShrink();
}

}  // namespace cordis::list_internal
