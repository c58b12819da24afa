// The node's own pseudo-random generator (SplitMix64). Pinned so that one seed gives the same
// sequence with every compiler and standard library; never use <random> distributions here.
#pragma once

#include <cstdint>

#include "core/base/check.h"

namespace cordis {

class Prng {
 public:
  explicit Prng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, bound) without modulo bias (Lemire's method with rejection).
  uint64_t Uniform(uint64_t bound) {
    CHECK_GT(bound, 0u);
    uint64_t threshold = (0 - bound) % bound;
    for (;;) {
      __uint128_t m = static_cast<__uint128_t>(Next()) * bound;
      if (static_cast<uint64_t>(m) >= threshold) return static_cast<uint64_t>(m >> 64);
    }
  }

  // Uniform in [lo, hi] inclusive.
  int64_t Range(int64_t lo, int64_t hi) {
    CHECK_LE(lo, hi);
    return lo + static_cast<int64_t>(Uniform(static_cast<uint64_t>(hi - lo) + 1));
  }

  bool Chance(double p) { return (Next() >> 11) * 0x1.0p-53 < p; }

 private:
  uint64_t state_;
};

}  // namespace cordis
