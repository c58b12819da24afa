// The element of a ListValue (core/crdt/rga_list.h): a 40-byte plain struct holding an RGA
// element's id, order key and value, so that containers can move elements with memcpy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <tuple>

#include "core/crdt/dot.h"
#include "core/op/op.h"

namespace cordis::list_internal {

// A byte string of up to 4 GiB in 16 bytes: up to 15 bytes inline, longer ones in one heap block.
// A plain struct without destructor, so containers can move elements with memcpy; the owner calls
// Free exactly once.
struct PackedStr {
  static constexpr size_t kInlineMax = 15;
  static constexpr uint8_t kHeapTag = 0x80;
  alignas(8) char raw[16];

  static PackedStr Make(std::string_view s);
  static PackedStr Empty() {
    PackedStr p;
    std::memset(p.raw, 0, sizeof(p.raw));
    return p;
  }
  bool on_heap() const { return static_cast<uint8_t>(raw[15]) == kHeapTag; }
  std::string_view view() const {
    if (!on_heap()) return {raw, static_cast<uint8_t>(raw[15])};
    const char* p;
    uint32_t n;
    std::memcpy(&p, raw, sizeof(p));
    std::memcpy(&n, raw + 8, sizeof(n));
    return {p, n};
  }
  size_t HeapBytes() const { return on_heap() ? view().size() : 0; }
  void Free();  // releases the heap block, if any; the string becomes empty
};

// One element or tombstone. Identity: (replica, seq, idx); order key: (hlc, replica, seq, idx).
// The inserting op's stamp is {hlc, replica}: an op is stamped by its origin.
struct Elem {
  uint64_t hlc;
  uint64_t seq;
  ReplicaId replica;
  uint32_t idx_bits;  // idx << 1 | removed
  PackedStr value;    // empty for tombstones

  uint32_t idx() const { return idx_bits >> 1; }
  bool removed() const { return (idx_bits & 1) != 0; }
  ElemId id() const { return ElemId{Dot{replica, seq}, idx()}; }
  Dot dot() const { return Dot{replica, seq}; }
  Stamp stamp() const { return Stamp{hlc, replica}; }
  auto key() const { return std::make_tuple(hlc, replica, seq, idx()); }
  bool Is(const ElemId& id) const {
    return seq == id.dot.seq && replica == id.dot.replica && idx() == id.idx;
  }
};
static_assert(sizeof(Elem) == 40);

}  // namespace cordis::list_internal
