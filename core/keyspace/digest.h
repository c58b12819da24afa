// Stable digests of logical values: equal on two replicas exactly when the keys hold the same
// logical data (type, content, deadline), whatever the internal layout (tombstones, folded
// counters, concurrent register entries, hash table order). Tests, the simulator and
// DEBUG DIGEST compare replicas with these.
#pragma once

#include <cstdint>
#include <string>

#include "core/keyspace/keyspace.h"

namespace cordis {

// 0 for a missing or invisible key.
uint64_t KeyDigest(const Keyspace& ks, const KeyEntry* e);
// Order-independent combination of every live key's digest; 0 for an empty keyspace.
uint64_t KeyspaceDigest(const Keyspace& ks);
std::string DigestHex(uint64_t d);

}  // namespace cordis
