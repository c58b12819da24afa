// Where a Node sends what it applies so a driver can make it durable (core/storage/durable_log.h
// is the shared implementation; prod and the simulator plug it into NodeOptions::persistence).
#pragma once

#include "cordis/replication.pb.h"

namespace cordis {

class PersistenceSink {
 public:
  virtual ~PersistenceSink() = default;
  // Every op the node applies, local or remote, in application order (a causal order), called
  // as it is applied. Ops count as durable only once the driver calls Node::MarkDurable with a
  // record count that covers them; until then the node's own ops are never shipped to peers,
  // and no op counts towards what peers take as stable.
  virtual void Append(const pb::Op& record) = 0;
  // The node's whole state was replaced (a peer's snapshot was installed), so the log alone no
  // longer reproduces it: the driver must write a full snapshot before relying on the log again.
  // Counts as one record for Node::MarkDurable.
  virtual void StateReplaced() = 0;
};

}  // namespace cordis
