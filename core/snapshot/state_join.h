// State-based merge of two replicas' keyspaces: the join of their CRDT states.
//
// Op-based catch-up needs the ops a peer lacks; once both sides of a long partition have dropped
// ops from their logs, neither can replay the other's. The join needs only the two states and
// their version vectors, and gives the state that applying both replicas' ops would give.
//
// Every CRDT entry (register, set tag, increment, list element, expiry entry) carries the dot of
// the op that made it, and a replica never forgets an entry it has not removed, except by the
// folds of garbage collection. So for an entry present on one side only:
//   - the other side has not seen its dot: keep it (it is news to that side);
//   - the other side has seen it: the other side removed it (or folded it away): drop it.
// Folds are the exceptions, handled per type: increment logs fold a prefix into one value (two
// folds of one lineage are prefixes of one another; a remover ends a lineage), sorted-set
// members fold increments into their winning score register, and list tombstones are dropped
// once stable (so a list element the other side has seen and no longer holds goes too, and the
// rest merge in RGA order; see ListJoin in state_join.cc).
#pragma once

#include "absl/status/status.h"
#include "cordis/replication.pb.h"
#include "core/crdt/version_vector.h"

namespace cordis {

// out->keys := the join of `mine` (a state covering exactly `mine_vv`) and `theirs` (covering
// `theirs_vv`), key by key; other fields of `out` are left alone. kDataLoss, with `out` in an
// unspecified state, if the inputs are malformed or contradict each other.
absl::Status JoinSnapshotKeys(const pb::Snapshot& mine, const VersionVector& mine_vv,
                              const pb::Snapshot& theirs, const VersionVector& theirs_vv,
                              pb::Snapshot* out);

}  // namespace cordis
