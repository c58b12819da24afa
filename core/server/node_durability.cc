// Durability hooks of a Node: the durable watermark for its own ops, and restoring state from
// disk (core/storage/recovery.cc reads the files and calls LoadSnapshot/ReplayOp).
#include "core/base/strings.h"
#include "core/server/node.h"
#include "core/snapshot/snapshot.h"

namespace cordis {

void Node::Persist(const pb::Op& record) {
  opts_.persistence->Append(record);
  undurable_.push_back(Dot{record.origin(), record.seq()});
}

void Node::MarkDurable(uint64_t records) {
  CHECK_LE(records, durable_records_ + undurable_.size());
  for (; durable_records_ < records; ++durable_records_) {
    Dot dot = undurable_.front();
    undurable_.pop_front();
    if (dot.replica == 0) {
      durable_vv_.Merge(undurable_states_.front());
      undurable_states_.pop_front();
    } else {
      durable_vv_.Raise(dot.replica, dot.seq);
    }
  }
}

uint64_t Node::durable_seq() const { return durable_vv().Get(opts_.replica_id); }

void Node::EncodeSnapshot(pb::Snapshot* out) const {
  out->set_format_version(pb::FORMAT_VERSION_1);
  out->set_replica(opts_.replica_id);
  out->set_max_hlc(clock_.last());
  EncodeVersionVector(vv_, out->mutable_vv());
  for (uint32_t i = 0; i < dbs_.size(); ++i) EncodeKeyspace(*dbs_[i], i, out);
}

absl::Status Node::LoadSnapshot(const pb::Snapshot& snap) {
  if (!vv_.empty()) return absl::FailedPreconditionError("LoadSnapshot on a node with state");
  if (snap.format_version() != pb::FORMAT_VERSION_1)
    return absl::DataLossError(
        StrCat("snapshot format version ", snap.format_version(), " is not one this build reads"));
  if (snap.replica() != opts_.replica_id)
    return absl::FailedPreconditionError(StrCat("the data belongs to replica ", snap.replica(),
                                                ", but this is replica ", opts_.replica_id));
  VersionVector svv;
  absl::Status st = DecodeVersionVector(snap.vv(), &svv);
  if (!st.ok()) return st;
  // Decode into fresh databases so a bad snapshot changes nothing.
  std::vector<std::unique_ptr<Keyspace>> fresh;
  for (size_t i = 0; i < dbs_.size(); ++i)
    fresh.push_back(std::make_unique<Keyspace>(dbs_[i]->dict().seed(), opts_.start_us / 1000));
  for (const pb::KeyState& k : snap.keys()) {
    if (k.db() >= fresh.size()) return absl::DataLossError("snapshot: db out of range");
    st = DecodeKeyState(k, fresh[k.db()].get());
    if (!st.ok()) return st;
  }
  dbs_ = std::move(fresh);
  clock_.Observe(snap.max_hlc());
  vv_ = svv;
  // Ops the snapshot covers are not in the oplog: peers lacking them need a snapshot.
  oplog_.RaiseFloor(svv);
  durable_vv_ = vv_;
  return absl::OkStatus();
}

void Node::FinishRecovery() {
  // A node that is alone and never held another replica's op is every member: all it applied is
  // stable, as Commit assumes for it. Otherwise stability is learnt again from the peers.
  if (replicating()) return;
  for (const auto& [origin, seq] : vv_.entries())
    if (origin != opts_.replica_id) return;
  stable_ = vv_;
  for (auto& db : dbs_) db->CollectGarbage(stable_);
}

absl::StatusOr<bool> Node::ReplayOp(const pb::Op& record) {
  std::unique_ptr<DecodedOp> d;
  absl::Status st = DecodeOp(record, &d);
  if (!st.ok()) return st;
  const Op& op = d->op;
  if (vv_.Covers(op.dot)) return false;
  if (!vv_.CanDeliver(op.dot, d->ctx))
    return absl::DataLossError(
        StrCat("op ", op.dot.replica, ":", op.dot.seq,
               " does not follow the state before it (a record is missing)"));
  clock_.Observe(op.stamp.hlc);
  // The stable vector of the original run is not on disk; replaying under the current one (a
  // lower bound) keeps more metadata, never less, and the same logical values. FinishRecovery
  // folds it when that is safe.
  dbs_[op.db]->Apply(op, stable_);
  vv_.Raise(op.dot.replica, op.dot.seq);
  if (replicating()) {
    Log(std::move(d->record));
  } else {
    VersionVector dropped;
    dropped.Raise(op.dot.replica, op.dot.seq);
    oplog_.RaiseFloor(dropped);
  }
  durable_vv_.Raise(op.dot.replica, op.dot.seq);  // it was read from disk
  ++stats_.ops_applied;
  return true;
}

}  // namespace cordis
