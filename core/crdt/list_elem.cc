#include "core/crdt/list_elem.h"

#include <cstdlib>
#include <limits>

#include "core/base/check.h"

namespace cordis::list_internal {

PackedStr PackedStr::Make(std::string_view s) {
  PackedStr p = Empty();
  if (s.size() <= kInlineMax) {
    if (!s.empty()) std::memcpy(p.raw, s.data(), s.size());
    p.raw[15] = static_cast<char>(s.size());
    return p;
  }
  CHECK_LE(s.size(), size_t{std::numeric_limits<uint32_t>::max()});
  char* heap = static_cast<char*>(std::malloc(s.size()));
  CHECK(heap != nullptr);
  std::memcpy(heap, s.data(), s.size());
  const uint32_t n = static_cast<uint32_t>(s.size());
  std::memcpy(p.raw, &heap, sizeof(heap));
  std::memcpy(p.raw + 8, &n, sizeof(n));
  p.raw[15] = static_cast<char>(kHeapTag);
  return p;
}

void PackedStr::Free() {
  if (on_heap()) std::free(const_cast<char*>(view().data()));
  *this = Empty();
}

}  // namespace cordis::list_internal
