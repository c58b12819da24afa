// Test support shared by the CRDT property suites: drain a log of recorded ops into a replica in
// causal order (the order the replication layer guarantees), whatever order the log is in.
#pragma once

namespace cordis::testing {

// Replica provides CanDeliver(rec) and Deliver(rec); after_each(replica) runs after every
// delivery (e.g. compaction). Returns when nothing more in `log` can be delivered.
template <typename Replica, typename Log, typename AfterEach>
void DeliverAllCausally(Replica& r, const Log& log, AfterEach after_each) {
  for (bool progress = true; progress;) {
    progress = false;
    for (const auto& rec : log) {
      if (r.CanDeliver(rec)) {
        r.Deliver(rec);
        after_each(r);
        progress = true;
      }
    }
  }
}

template <typename Replica, typename Log>
void DeliverAllCausally(Replica& r, const Log& log) {
  DeliverAllCausally(r, log, [](Replica&) {});
}

}  // namespace cordis::testing
