#include "core/storage/crc32c.h"

#include <array>
#include <cstring>

namespace cordis {
namespace {

constexpr uint32_t kPolynomial = 0x82F63B78u;

constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPolynomial : c >> 1;
    t[i] = c;
  }
  return t;
}

constexpr std::array<uint32_t, 256> kTable = MakeTable();

uint32_t TableExtend(uint32_t c, const unsigned char* p, size_t n) {
  for (; n > 0; --n, ++p) c = kTable[(c ^ *p) & 0xFF] ^ (c >> 8);
  return c;
}

#if defined(__x86_64__)
// SSE 4.2's crc32 instruction computes exactly this polynomial, eight bytes at a time: the
// oplog checksums every record, so a table walk (~1 byte per cycle) was most of the cost of
// writing large values (a 1 MB SETBIT spent half its time here).
__attribute__((target("sse4.2"))) uint32_t HardwareExtend(uint32_t c, const unsigned char* p,
                                                          size_t n) {
  uint64_t c64 = c;
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    c64 = __builtin_ia32_crc32di(c64, v);
  }
  uint32_t c32 = static_cast<uint32_t>(c64);
  for (; n > 0; --n, ++p) c32 = __builtin_ia32_crc32qi(c32, *p);
  return c32;
}

bool HasHardwareCrc() {
  static const bool has = __builtin_cpu_supports("sse4.2");
  return has;
}
#endif

}  // namespace

uint32_t Crc32cExtend(uint32_t crc, std::string_view data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
#if defined(__x86_64__)
  if (HasHardwareCrc()) return ~HardwareExtend(~crc, p, data.size());
#endif
  return ~TableExtend(~crc, p, data.size());
}

uint32_t Crc32cExtendPortable(uint32_t crc, std::string_view data) {
  return ~TableExtend(~crc, reinterpret_cast<const unsigned char*>(data.data()), data.size());
}

}  // namespace cordis
