// The oplog: every op this replica applied (local or remote), in application order, which is a
// causal order, so any suffix can be shipped to a peer and applied there as it arrives.
//
// Entries leave from the front once every member has them (Truncate), or when the log exceeds
// its bounds (DropOldest); `floor()` records, per origin, the highest sequence number dropped so
// the node knows when a peer needs a snapshot instead of ops.
#pragma once

#include <cstdint>
#include <deque>

#include "core/crdt/version_vector.h"
#include "cordis/replication.pb.h"

namespace cordis {

class Oplog {
 public:
  void Append(pb::Op record);

  // Absolute positions: begin() is the position of the oldest entry kept.
  uint64_t begin() const { return dropped_; }
  uint64_t end() const { return dropped_ + entries_.size(); }
  const pb::Op& at(uint64_t pos) const { return entries_[pos - dropped_]; }
  size_t size() const { return entries_.size(); }
  size_t bytes() const { return bytes_; }

  // Drops the longest prefix whose ops `everyone` covers.
  void Truncate(const VersionVector& everyone);
  // Drops the oldest entry whatever peers have (bounds); peers that lacked it need a snapshot.
  void DropOldest();

  // Per origin, the highest sequence number no longer in the log.
  const VersionVector& floor() const { return floor_; }
  // After installing a snapshot covering vv: ops it covers need not be (and may not be) here.
  void RaiseFloor(const VersionVector& vv) { floor_.Merge(vv); }

 private:
  void PopFront();

  std::deque<pb::Op> entries_;
  uint64_t dropped_ = 0;
  size_t bytes_ = 0;
  VersionVector floor_;
};

}  // namespace cordis
