// Replication decisions of a Node: causal delivery of remote ops, anti-entropy (Have -> missing
// ops or a snapshot), oplog truncation and the stable vector for garbage collection. Pure: the
// driver carries the messages and calls ReplicationTick/FlushReplication.
#include <algorithm>

#include "core/base/mutation.h"
#include "core/base/strings.h"
#include "core/server/node.h"
#include "core/snapshot/snapshot.h"
#include "core/snapshot/state_join.h"

namespace cordis {
namespace {

// Causal delivery (VersionVector::CanDeliver), or, with the injected kCausalDeliversEarly bug,
// only "the origin's next op".
bool Deliverable(const VersionVector& vv, const DecodedOp& d) {
  if (Mutated(Mutation::kCausalDeliversEarly)) [[unlikely]]
    return vv.Get(d.op.dot.replica) + 1 == d.op.dot.seq;
  return vv.CanDeliver(d.op.dot, d.ctx);
}

}  // namespace

void Node::AddMember(ReplicaId r) {
  CHECK_NE(r, 0u);
  if (std::find(members_.begin(), members_.end(), r) != members_.end()) return;
  // A lone node keeps no log: what it applied so far reaches peers only by snapshot.
  if (!replicating()) oplog_.RaiseFloor(vv_);
  members_.push_back(r);
  std::sort(members_.begin(), members_.end());
  auto [it, added] = peers_.try_emplace(r);
  if (added) it->second.join_floor = stable_;
  RecomputeStable();
}

VersionVector Node::PeerHave(ReplicaId r) const {
  auto it = peers_.find(r);
  return it == peers_.end() ? VersionVector() : it->second.have;
}

std::vector<Outgoing> Node::TakeOutbox() {
  std::vector<Outgoing> out;
  out.swap(outbox_);
  return out;
}

void Node::Log(pb::Op record) {
  oplog_.Append(std::move(record));
  while (oplog_.size() > opts_.replication.max_log_entries) oplog_.DropOldest();
}

// stable[o] = min over members m of what we know m had seen from o. What we know of m comes from
// m's own ops applied here (their context) and from m's Have messages once we hold every op m had
// made by then: so every op made concurrently with a stable op has already been applied here.
void Node::RecomputeStable() {
  if (expect_peers_ && peers_.empty()) return;  // members still unknown: nothing is stable
  VersionVector s;
  std::vector<ReplicaId> origins;
  for (const auto& [r, seq] : vv_.entries()) origins.push_back(r);
  for (ReplicaId o : origins) {
    uint64_t m = vv_.Get(o);
    for (const auto& [r, peer] : peers_) m = std::min(m, peer.known.Get(o));
    if (m > 0) s.Raise(o, m);
  }
  stable_ = std::move(s);
}

absl::Status Node::OnPeerMessage(const pb::PeerMessage& msg, int64_t now_us) {
  ReplicaId from = msg.from();
  if (from == 0 || from == opts_.replica_id)
    return absl::InvalidArgumentError(StrCat("peer message from bad replica id ", from));
  if (!peers_.contains(from)) AddMember(from);
  absl::Status st = absl::InvalidArgumentError("peer message without a body");
  switch (msg.body_case()) {
    case pb::PeerMessage::kHave:
      OnHave(from, msg.have(), now_us / 1000);
      st = absl::OkStatus();
      break;
    case pb::PeerMessage::kOps:
      st = OnOps(from, msg.ops());
      break;
    case pb::PeerMessage::kSnapshot:
      st = OnSnapshot(from, msg.snapshot());
      break;
    case pb::PeerMessage::BODY_NOT_SET:
      break;
  }
  // Clients blocked on keys a peer's ops wrote are served now.
  if (blocked_.has_ready()) ServeBlocked(now_us);
  return st;
}

void Node::OnHave(ReplicaId from, const pb::Have& have, int64_t now_ms) {
  VersionVector h;
  if (!DecodeVersionVector(have.vv(), &h).ok()) return;
  uint64_t have_own = h.Get(from);
  for (uint32_t m : have.members())
    if (m != 0) AddMember(m);
  // What survives the sender's crash: only that may count towards stability.
  VersionVector durable;
  if (have.has_durable()) {
    if (!DecodeVersionVector(have.durable(), &durable).ok() || !h.Dominates(durable)) return;
  } else {
    durable = h;
  }
  PeerState& peer = peers_[from];
  bool continuing = peer.heard && peer.incarnation == have.incarnation();
  if (continuing) {
    h.Merge(peer.have);  // a late, older Have must not make us resend or snapshot needlessly
  }
  if (!continuing) {
    peer.sent = h;  // first Have, or the peer restarted: send whatever it lacks
    peer.origins.clear();
    peer.cursor = oplog_.begin();
    peer.push_cursor = oplog_.begin();
  } else {
    // In-flight rule, per origin: ops we sent (or the origin pushed) after the peer made this
    // Have are still on their way, and resending them on every Have floods a busy peer with
    // duplicates (which make it slower, so its next Have lags more: found by the prod benchmark).
    // An origin counts as stalled at the peer when its Have did not advance since the previous
    // one although we already had more of that origin's ops back then (lost, dropped by a full
    // queue or buffer, or the origin cannot reach the peer): only then do we resend from what the
    // peer has, at most once per resend_after_ms (a busy peer may skip a beat without losing
    // anything; what we resend gets that long to arrive). Another origin's ops are relayed only
    // after relay_after_ms without progress: its own stream usually comes in bursts (everysec
    // ships own ops once they are fsynced), and relaying what is on its way doubles the work.
    // Origins that progress are treated as delivered up to what we hold: we do not relay another
    // origin's ops the peer is receiving from it.
    bool rescan = false;
    for (const auto& [o, seq] : vv_.entries()) {
      uint64_t got = h.Get(o);
      PeerState::OriginProgress& p = peer.origins[o];
      if (got > peer.have.Get(o)) p.progress_ms = now_ms;
      if (got >= seq) p.relaying = false;  // caught up
      bool stalled = got == peer.have.Get(o) && peer.vv_at_have.Get(o) > got &&
                     now_ms - p.resent_ms >= opts_.replication.resend_after_ms;
      if (o != opts_.replica_id && !p.relaying)
        stalled = stalled && now_ms - p.progress_ms >= opts_.replication.relay_after_ms;
      if (stalled) {
        p.resent_ms = now_ms;
        p.relaying = o != opts_.replica_id;
        if (peer.sent.Get(o) > got) rescan = true;
        peer.sent.Lower(o, got);
      } else if (o == opts_.replica_id || p.relaying) {
        peer.sent.Raise(o, got);  // keep sending (a batch per Have) past what is in flight
      } else {
        peer.sent.Raise(o, seq);
      }
    }
    if (rescan) peer.cursor = peer.push_cursor = oplog_.begin();
  }
  peer.vv_at_have = vv_;
  peer.heard = true;
  peer.incarnation = have.incarnation();
  peer.have = h;
  // Every op the sender had made by then must be here first: an op it made concurrently with a
  // stable op would otherwise arrive after we folded that op's metadata.
  peer.unconfirmed_have = durable;
  peer.unconfirmed_own = have_own;
  if (vv_.Get(from) >= have_own) {
    peer.known.Merge(durable);
    RecomputeStable();
  }
  PeerAcknowledged();
  if (NeedsSnapshot(peer)) {
    SendSnapshot(from, peer, now_ms);
  } else {
    SendOps(from, peer, /*own_only=*/false);
  }
}

absl::Status Node::OnOps(ReplicaId from, const pb::OpBatch& batch) {
  (void)from;
  // Decode everything first: a malformed batch changes nothing.
  std::vector<std::unique_ptr<DecodedOp>> decoded;
  decoded.reserve(batch.ops_size());
  for (const pb::Op& rec : batch.ops()) {
    std::unique_ptr<DecodedOp> d;
    absl::Status st = DecodeOp(rec, &d);
    if (!st.ok()) return st;
    // An op of a replica that joined after we folded metadata must have seen what we folded.
    auto origin = peers_.find(d->op.dot.replica);
    const VersionVector& floor = origin == peers_.end() ? stable_ : origin->second.join_floor;
    if (d->op.dot.replica != opts_.replica_id && !vv_.Covers(d->op.dot) && !d->ctx.Dominates(floor))
      return absl::FailedPreconditionError(StrCat(
          "op ", d->op.dot.replica, ":", d->op.dot.seq,
          " was made concurrently with state this node had already compacted before replica ",
          d->op.dot.replica,
          " joined; a node that served writes alone can join a cluster "
          "only with an empty data directory"));
    decoded.push_back(std::move(d));
  }
  for (auto& d : decoded) {
    if (vv_.Covers(d->op.dot)) {
      ++stats_.remote_ops_duplicate;
      continue;
    }
    if (pending_.size() >= opts_.replication.max_pending_ops) {
      // A full buffer must not stop an op that can be applied now: if the buffer holds only ops
      // waiting for others, dropping every arrival would wait forever (found by the simulator,
      // small_buffer). Anti-entropy sends each peer's log in causal order, so the next op it
      // needs always arrives deliverable.
      if (Deliverable(vv_, *d)) {
        ApplyRemote(*d);
        DrainPending();
        continue;
      }
      ++stats_.remote_ops_dropped;
      continue;
    }
    pending_.push_back(std::move(d));
    ++stats_.remote_ops_buffered;
  }
  DrainPending();
  return absl::OkStatus();
}

// Applies every buffered op whose causal dependencies are met, until none is.
void Node::DrainPending() {
  bool progressed = true;
  while (progressed) {
    progressed = false;
    for (size_t i = 0; i < pending_.size();) {
      const DecodedOp& d = *pending_[i];
      if (vv_.Covers(d.op.dot)) {  // a duplicate that arrived twice in the buffer
        pending_.erase(pending_.begin() + i);
        continue;
      }
      if (Deliverable(vv_, d)) {
        std::unique_ptr<DecodedOp> owned = std::move(pending_[i]);
        pending_.erase(pending_.begin() + i);
        ApplyRemote(*owned);
        progressed = true;
        continue;
      }
      ++i;
    }
  }
}

void Node::ApplyRemote(const DecodedOp& d) {
  const Op& op = d.op;
  CHECK(Deliverable(vv_, d));
  clock_.Observe(op.stamp.hlc);
  dbs_[op.db]->Apply(op, stable_);
  blocked_.Touch(op.db, op.key);
  if (opts_.persistence != nullptr) Persist(d.record);
  oplog_.Append(d.record);
  while (oplog_.size() > opts_.replication.max_log_entries) oplog_.DropOldest();
  vv_.Raise(op.dot.replica, op.dot.seq);
  if (op.dot.replica != opts_.replica_id) {
    PeerState& origin = peers_[op.dot.replica];
    origin.known.Merge(d.ctx);
    origin.known.Raise(op.dot.replica, op.dot.seq);
    // A Have that was waiting for this origin's own ops may now count.
    if (vv_.Get(op.dot.replica) >= origin.unconfirmed_own)
      origin.known.Merge(origin.unconfirmed_have);
  }
  RecomputeStable();
  ++stats_.remote_ops_applied;
}

bool Node::NeedsSnapshot(const PeerState& peer) const {
  // The peer lacks ops that are no longer in our log.
  for (const auto& [origin, seq] : oplog_.floor().entries()) {
    if (peer.have.Get(origin) < seq) return true;
  }
  return false;
}

void Node::SendOps(ReplicaId to, PeerState& peer, bool own_only) {
  pb::PeerMessage msg;
  msg.set_from(opts_.replica_id);
  pb::OpBatch* batch = msg.mutable_ops();
  uint64_t& cursor = own_only ? peer.push_cursor : peer.cursor;
  uint64_t pos = std::max(cursor, oplog_.begin());
  for (; pos < oplog_.end(); ++pos) {
    const pb::Op& rec = oplog_.at(pos);
    Dot dot{rec.origin(), rec.seq()};
    if (!OwnOpDurable(dot)) break;  // resume here once MarkDurable covers it
    if (peer.sent.Covers(dot)) continue;
    if (own_only && dot.replica != opts_.replica_id) continue;
    // Only a contiguous next op can be delivered by the peer; anything else waits for a Have.
    if (peer.sent.Get(dot.replica) + 1 != dot.seq) continue;
    *batch->add_ops() = rec;
    peer.sent.Raise(dot.replica, dot.seq);
    if (static_cast<size_t>(batch->ops_size()) >= opts_.replication.max_batch_ops) {
      ++pos;
      break;
    }
  }
  cursor = pos;
  if (batch->ops_size() > 0) outbox_.push_back(Outgoing{to, std::move(msg)});
}

void Node::SendSnapshot(ReplicaId to, PeerState& peer, int64_t now_ms) {
  if (peer.last_snapshot_ms >= 0 &&
      now_ms - peer.last_snapshot_ms < opts_.replication.snapshot_retry_ms)
    return;
  if (durable_seq() < vv_.Get(opts_.replica_id)) return;  // not before our own ops are durable
  peer.last_snapshot_ms = now_ms;
  pb::PeerMessage msg;
  msg.set_from(opts_.replica_id);
  pb::Snapshot* snap = msg.mutable_snapshot();
  snap->set_format_version(pb::FORMAT_VERSION_1);
  snap->set_replica(opts_.replica_id);
  snap->set_max_hlc(clock_.last());
  EncodeVersionVector(vv_, snap->mutable_vv());
  for (uint32_t i = 0; i < dbs_.size(); ++i) EncodeKeyspace(*dbs_[i], i, snap);
  // The peer will hold everything we have: continue from our log's end.
  peer.sent = vv_;
  peer.cursor = peer.push_cursor = oplog_.end();
  outbox_.push_back(Outgoing{to, std::move(msg)});
  ++stats_.snapshots_sent;
}

// Merges a peer's state into ours: the join of the two CRDT states (core/snapshot/state_join.h),
// which is the state both replicas' ops together produce, so it works however far apart the two
// are and whatever either has dropped from its log. A malformed snapshot changes nothing.
absl::Status Node::OnSnapshot(ReplicaId from, const pb::Snapshot& snap) {
  (void)from;
  if (snap.format_version() != pb::FORMAT_VERSION_1)
    return absl::InvalidArgumentError(StrCat("snapshot format ", snap.format_version()));
  VersionVector svv;
  absl::Status st = DecodeVersionVector(snap.vv(), &svv);
  if (!st.ok()) return st;
  if (vv_.Dominates(svv)) return absl::OkStatus();  // nothing new
  // Validate every key of theirs as it stands before joining it with ours.
  std::vector<std::unique_ptr<Keyspace>> fresh;
  auto fresh_dbs = [&] {
    fresh.clear();
    for (size_t i = 0; i < dbs_.size(); ++i)
      fresh.push_back(std::make_unique<Keyspace>(dbs_[i]->dict().seed(), 0));
  };
  fresh_dbs();
  for (const pb::KeyState& k : snap.keys()) {
    if (k.db() >= fresh.size()) return absl::DataLossError("snapshot: db out of range");
    st = DecodeKeyState(k, fresh[k.db()].get());
    if (!st.ok()) return st;
  }
  pb::Snapshot mine, joined;
  for (uint32_t i = 0; i < dbs_.size(); ++i) EncodeKeyspace(*dbs_[i], i, &mine);
  st = JoinSnapshotKeys(mine, vv_, snap, svv, &joined);
  // Both sides decoded: a join that fails is a refusal (state compacted before the sender
  // joined, see AddMember), not a malformed message.
  if (!st.ok()) return absl::FailedPreconditionError(st.message());
  fresh_dbs();
  for (const pb::KeyState& k : joined.keys()) {
    st = DecodeKeyState(k, fresh[k.db()].get());
    if (!st.ok()) return st;
  }
  dbs_ = std::move(fresh);
  blocked_.TouchAll();
  clock_.Observe(snap.max_hlc());
  vv_.Merge(svv);
  // Their ops are in our state now but not in our log: a peer lacking them needs a snapshot.
  oplog_.RaiseFloor(svv);
  for (auto& [r, peer] : peers_) peer.cursor = peer.push_cursor = oplog_.begin();
  RecomputeStable();
  if (opts_.persistence != nullptr) {
    opts_.persistence->StateReplaced();
    undurable_.push_back(Dot{0, 0});
    undurable_states_.push_back(vv_);
  }
  DrainPending();
  ++stats_.snapshots_installed;
  return absl::OkStatus();
}

void Node::ReplicationTick(int64_t now_us) {
  (void)now_us;
  if (!replicating()) return;
  // Ops every member has can leave the log.
  if (expect_peers_ && peers_.empty()) return;  // nobody to tell yet
  VersionVector everyone = vv_;
  for (const auto& [r, peer] : peers_) {
    VersionVector m;
    for (const auto& [o, seq] : everyone.entries()) m.Raise(o, std::min(seq, peer.have.Get(o)));
    everyone = m;
  }
  oplog_.Truncate(everyone);
  for (auto& db : dbs_) db->CollectGarbage(stable_);
  pb::PeerMessage msg;
  msg.set_from(opts_.replica_id);
  EncodeVersionVector(vv_, msg.mutable_have()->mutable_vv());
  if (opts_.persistence != nullptr && !durable_vv_.Dominates(vv_)) {
    VersionVector durable = durable_vv_;
    durable.Raise(opts_.replica_id, vv_.Get(opts_.replica_id));  // see pb::Have::durable
    EncodeVersionVector(durable, msg.mutable_have()->mutable_durable());
  }
  msg.mutable_have()->set_incarnation(incarnation_);
  for (ReplicaId m : members_) msg.mutable_have()->add_members(m);
  for (const auto& [r, peer] : peers_) outbox_.push_back(Outgoing{r, msg});
}

void Node::ForceSnapshot(ReplicaId to, int64_t now_us) {
  auto it = peers_.find(to);
  if (it == peers_.end()) return;
  it->second.last_snapshot_ms = -1;
  SendSnapshot(to, it->second, now_us / 1000);
}

void Node::FlushReplication() {
  if (!replicating()) return;
  for (auto& [r, peer] : peers_) {
    if (peer.heard) SendOps(r, peer, /*own_only=*/true);
  }
}

}  // namespace cordis
