// A seeded 64-bit string hash. The core's hash tables iterate in hash order, and that order can
// reach replies (KEYS, SMEMBERS, SCAN), so the seed comes from the node's driver: fixed in the
// simulator (reproducible runs), random in production (no hash flooding). absl::Hash cannot be
// used for this because it salts itself per process.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace cordis {

inline uint64_t Mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

inline uint64_t HashBytes(std::string_view s, uint64_t seed) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  uint64_t h = seed ^ (s.size() * kMul);
  const char* p = s.data();
  size_t n = s.size();
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ Mix64(w + kMul)) * kMul;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ Mix64(w ^ (n << 56))) * kMul;
  }
  return Mix64(h);
}

}  // namespace cordis
