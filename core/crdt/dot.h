// Identity and time of a write.
//
// Every op has a Dot: (origin replica, origin sequence number), unique in the cluster. Every CRDT
// entry remembers the dot of the op that made it, so that a later op can remove exactly the entries
// its origin had observed (observed-remove: an entry is observed iff the op's causal context covers
// its dot). Entries also carry the op's hybrid-logical-clock time for last-writer-wins decisions;
// ties on time break by replica id.
#pragma once

#include <cstdint>
#include <ostream>
#include <tuple>

namespace cordis {

using ReplicaId = uint32_t;

struct Dot {
  ReplicaId replica = 0;
  uint64_t seq = 0;  // 1-based; 0 means "none"

  friend bool operator==(const Dot&, const Dot&) = default;
  friend auto operator<=>(const Dot& a, const Dot& b) {
    return std::tie(a.replica, a.seq) <=> std::tie(b.replica, b.seq);
  }
  friend std::ostream& operator<<(std::ostream& os, const Dot& d) {
    return os << d.replica << ":" << d.seq;
  }
};

// A point in hybrid logical time: (physical ms << 16 | logical) plus the writer's replica id,
// ordered lexicographically. Totally ordered across the cluster.
struct Stamp {
  uint64_t hlc = 0;
  ReplicaId replica = 0;

  friend bool operator==(const Stamp&, const Stamp&) = default;
  friend auto operator<=>(const Stamp& a, const Stamp& b) {
    return std::tie(a.hlc, a.replica) <=> std::tie(b.hlc, b.replica);
  }
  friend std::ostream& operator<<(std::ostream& os, const Stamp& s) {
    return os << (s.hlc >> 16) << "." << (s.hlc & 0xffff) << "@" << s.replica;
  }
};

}  // namespace cordis
