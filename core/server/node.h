// A Cordis replica's core: sessions, command execution, keyspace, clock, version vector.
// Pure and deterministic: time arrives with every call, randomness comes from a PRNG seeded by the
// driver, and nothing here touches sockets, files or threads.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/base/prng.h"
#include "core/clock/hlc.h"
#include "core/crdt/version_vector.h"
#include "core/keyspace/keyspace.h"
#include "core/op/op.h"
#include "core/op/op_codec.h"
#include "core/replication/oplog.h"
#include "core/server/blocked_clients.h"
#include "core/server/command.h"
#include "core/server/host_info.h"
#include "core/server/latency_monitor.h"
#include "core/server/persistence_control.h"
#include "core/server/persistence_sink.h"
#include "core/server/replication_control.h"
#include "core/server/session.h"
#include "core/server/slowlog.h"

namespace cordis {

struct ReplicationOptions {
  size_t max_log_entries =
      1'000'000;                     // beyond this, the oldest ops leave (peers resync by snapshot)
  size_t max_batch_ops = 1000;       // ops per OpBatch message
  size_t max_pending_ops = 100'000;  // remote ops waiting for their causal dependencies
  int64_t snapshot_retry_ms = 1000;  // at most one snapshot per peer per this interval
  // Ops sent to a peer count as in flight until a Have shows no progress on their origin; then
  // they are resent, at most once per this interval per origin (see OnHave's in-flight rule).
  int64_t resend_after_ms = 200;
  // Another origin's ops are relayed to a peer whose Have made no progress on it for this long
  // (the origin cannot reach it); a busy peer only pauses, and its origin's stream still comes.
  int64_t relay_after_ms = 1000;
};

// A message for the driver to deliver to replica `to`.
struct Outgoing {
  ReplicaId to;
  pb::PeerMessage msg;
};

struct NodeOptions {
  ReplicaId replica_id = 1;
  uint64_t seed = 1;  // PRNG and hash seed; the simulator fixes it, prod draws it at start
  HostInfo* host = nullptr;
  int64_t start_us = 0;
  ReplicationOptions replication;
  // Durability (core/storage): null keeps everything in memory, and every own op counts as
  // durable at once.
  PersistenceSink* persistence = nullptr;
  // SAVE/BGSAVE/LASTSAVE/INFO persistence; null: persistence is off.
  PersistenceControl* persistence_control = nullptr;
  // CORDIS.MEET/ROLE/INFO replication's peer links; null: no peer networking (a lone node).
  ReplicationControl* replication_control = nullptr;
};

struct NodeStats {
  uint64_t connections_received = 0;
  uint64_t commands_processed = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t expired_keys = 0;
  uint64_t ops_applied = 0;
  uint64_t rejected_protocol = 0;
  uint64_t remote_ops_applied = 0;
  uint64_t remote_ops_duplicate = 0;
  uint64_t remote_ops_buffered = 0;
  uint64_t remote_ops_dropped = 0;  // causal buffer full; anti-entropy resends them
  uint64_t snapshots_sent = 0;
  uint64_t snapshots_installed = 0;
  uint64_t snapshots_refused = 0;  // older than ops already dropped here; a newer one will come
};

class Node {
 public:
  explicit Node(const NodeOptions& opts);
  ~Node();

  // Sessions are owned by the node and stay valid until CloseSession.
  Session* OpenSession(std::string addr, std::string laddr, int64_t now_us);
  void CloseSession(Session* s);

  // Parses and executes every complete command in s->input, appending replies to s->output.
  void ProcessInput(Session* s, int64_t now_us);
  // Executes one command (args[0] is the name) and appends its reply to s->output.
  void Execute(Session* s, const std::vector<std::string_view>& args, int64_t now_us);
  // Periodic work: active expiry. Call a few times a second or more.
  void Tick(int64_t now_us);

  // Applies a locally made op: assigns nothing, the op already has dot/stamp/ctx from NewOp.
  // Returns the key's entry afterwards, or nullptr when the key is gone (Keyspace::Apply).
  KeyEntry* Commit(const Op& op);
  // A fresh op for a local write to key (dot = next sequence number, stamp = HLC now).
  Op NewOp(uint32_t db, std::string_view key, int64_t now_ms);
  Op NewOp(uint32_t db, std::string_view key, Stamp stamp);
  Stamp NowStamp(int64_t now_ms) { return clock_.Now(now_ms); }
  // Deletes key if it has passed its deadline (issuing the observed-remove op); true if it did.
  bool ExpireIfNeeded(uint32_t db, KeyEntry* e, int64_t now_ms);

  Keyspace& db(uint32_t index) { return *dbs_.at(index); }
  size_t db_count() const { return dbs_.size(); }
  const CommandTable& commands() const { return commands_; }
  Prng& rng() { return rng_; }
  ReplicaId replica_id() const { return opts_.replica_id; }
  const VersionVector& version_vector() const { return vv_; }
  HostInfo* host() const { return opts_.host; }
  PersistenceControl* persistence_control() const { return opts_.persistence_control; }
  ReplicationControl* replication_control() const { return opts_.replication_control; }
  NodeStats& stats() { return stats_; }
  int64_t start_us() const { return opts_.start_us; }
  const std::map<uint64_t, std::unique_ptr<Session>>& sessions() const { return sessions_; }

  // --- Replication (core/replication/node_replication.cc) ---
  // The replica set this node replicates with (itself always included). Garbage collection waits
  // for every member, so members are added deliberately (configuration or a MEET).
  // A member added to a node that already folded metadata (a node that served writes alone, then
  // met a cluster) may hold ops made concurrently with what was folded: those ops are refused
  // with an error (OnPeerMessage), never applied wrongly.
  void AddMember(ReplicaId r);
  // This node belongs to a cluster whose other members it does not know yet (prod started with
  // --peers, before any handshake): until AddMember names them, nothing becomes stable here and
  // the log keeps every op. Call before recovery and before the first command.
  void ExpectPeers() { expect_peers_ = true; }
  const std::vector<ReplicaId>& members() const { return members_; }
  bool replicating() const { return members_.size() > 1 || expect_peers_; }
  // A message from a peer. A malformed message returns an error and changes nothing; the driver
  // should drop that link.
  absl::Status OnPeerMessage(const pb::PeerMessage& msg, int64_t now_us);
  // Announces what we have to every peer (they answer with what we lack) and trims the oplog.
  void ReplicationTick(int64_t now_us);
  // Pushes ops made since the last flush to peers (call after each batch of commands).
  void FlushReplication();
  std::vector<Outgoing> TakeOutbox();
  // Sends our whole state to `to` now, whether it needs it or not (tests and the simulator use
  // it to exercise snapshot installs under concurrent writes).
  void ForceSnapshot(ReplicaId to, int64_t now_us);
  const Oplog& oplog() const { return oplog_; }
  // What every member has seen, as far as this node knows causally (see node.cc Commit).
  const VersionVector& stable_vector() const { return stable_; }
  size_t pending_remote_ops() const { return pending_.size(); }
  // What a peer last told us it has (empty if never heard).
  VersionVector PeerHave(ReplicaId r) const;

  // --- Blocking commands (core/server/node_blocking.cc) ---
  // Parks s until one of `keys` (in s->db) is written or deadline_us passes (0: never). Called by
  // a blocking command that found nothing; when the node re-runs that command and it finds
  // nothing again, the call keeps the session where it was in line.
  // `args` is the command to re-run.
  void Block(Session* s, const std::vector<std::string_view>& args,
             const std::vector<std::string_view>& keys, int64_t deadline_us,
             bool timeout_null_array);
  size_t blocked_clients() const { return blocked_.size(); }
  // WAIT: parks s until a peer's acknowledgement arrives (re-run then) or the deadline passes
  // (re-run with s->block_timed_out set).
  void BlockForAcks(Session* s, const std::vector<std::string_view>& args, int64_t deadline_us);
  // Peers whose last Have covers our own op `seq`.
  size_t PeersAcknowledged(uint64_t seq) const;
  // Sessions that got a reply outside their own input (woken by another client's write, a peer's
  // op or a timeout): the driver writes their output.
  std::vector<Session*> TakeWokenSessions();
  // The earliest blocked client's deadline (0: none); the driver ticks by then.
  // (the end of a CLIENT PAUSE counts too).
  int64_t NextBlockDeadlineUs() const;

  // MONITOR (core/server/node_monitor.cc): s receives every command run from now on.
  void AddMonitor(Session* s);

  // --- CLIENT PAUSE / UNPAUSE / KILL (core/server/node_pause.cc) ---
  // Until end_us, commands that write (all commands, with `all`) wait unexecuted; a second pause
  // extends the first (the later end and the stricter mode win).
  void PauseClients(int64_t end_us, bool all);
  // Ends the pause: the waiting commands run now, in the order they arrived.
  void UnpauseClients(int64_t now_us);
  bool paused_writes() const { return pause_end_us_ != 0; }
  // Closes s after its pending output (the driver learns it through TakeWokenSessions).
  void KillSession(Session* s);

  // --- SLOWLOG, LATENCY, DEBUG SLEEP ---
  SlowLog& slowlog() { return slowlog_; }
  LatencyMonitor& latency() { return latency_; }
  // CONFIG SET changed settings that the node keeps parsed (slowlog-*, latency-monitor-*).
  void ConfigChanged();
  // DEBUG SLEEP: the core cannot block, so the driver stalls its event loop this long after the
  // batch (as Redis's DEBUG SLEEP stalls the server).
  void RequestSleep(int64_t us) { sleep_request_us_ += us; }
  int64_t TakeSleepRequest() {
    int64_t us = sleep_request_us_;
    sleep_request_us_ = 0;
    return us;
  }

  // --- Durability (core/server/node_durability.cc) ---
  // The driver made the first `records` records handed to the persistence sink durable (every
  // PersistenceSink::Append and every StateReplaced counts as one record, in call order).
  //  - An own op is never shipped (ops or snapshot) before it is durable here, or a crash that
  //    lost it would let this node reuse a sequence number its peers already hold for a
  //    different op.
  //  - The Have we send tells peers which ops are durable here; they take causal stability only
  //    from that (see pb::Have::durable).
  void MarkDurable(uint64_t records);
  // The highest own sequence number that is durable (all of them without persistence).
  uint64_t durable_seq() const;
  // What survives a crash of this node (everything applied, without persistence).
  const VersionVector& durable_vv() const {
    return opts_.persistence == nullptr ? vv_ : durable_vv_;
  }
  // The whole state (every database, the version vector, the clock) as a snapshot message.
  void EncodeSnapshot(pb::Snapshot* out) const;
  // Recovery, on a fresh node before any command or peer message: installs a snapshot read from
  // disk (it must be this replica's), then replays logged records in their original order.
  // ReplayOp returns false for a record the state already covers. Neither calls the
  // persistence sink: what they restore is already on disk. FinishRecovery ends the replay.
  // A replicating node must know its members (AddMember) before recovery: a node that is alone
  // and has only its own ops treats everything replayed as stable (garbage collection).
  absl::Status LoadSnapshot(const pb::Snapshot& snap);
  absl::StatusOr<bool> ReplayOp(const pb::Op& record);
  void FinishRecovery();

  // SHUTDOWN asks the driver to stop the server after this batch.
  void RequestShutdown() { shutdown_requested_ = true; }
  bool shutdown_requested() const { return shutdown_requested_; }

  // Settings read by CONFIG GET and INFO; CONFIG SET validates and stores.
  std::map<std::string, std::string>& config() { return config_; }

 private:
  void Dispatch(Session* s, const std::vector<std::string_view>& args, int64_t now_us);
  void Unblock(Session* s);
  void Woken(Session* s, int64_t now_us);
  void FeedMonitors(const Session& s, const std::vector<std::string_view>& args, int64_t now_us);
  // A peer's Have arrived: WAIT's clients re-count.
  void PeerAcknowledged();
  // Re-runs the commands of clients blocked on keys written since the last call, then answers
  // clients whose deadline passed.
  void ServeBlocked(int64_t now_us);

  struct PeerState {
    bool heard = false;
    uint64_t incarnation = 0;
    VersionVector have;   // what the peer last said it has
    VersionVector sent;   // have + what we sent since
    VersionVector known;  // what we know causally that it had seen (for garbage collection)
    // A Have's durable vector, counted in `known` once we hold the sender's ops up to
    // unconfirmed_own (every op it had made when it sent the Have).
    VersionVector unconfirmed_have;
    uint64_t unconfirmed_own = 0;
    VersionVector vv_at_have;  // our version vector when its previous Have arrived (in-flight rule)
    struct OriginProgress {
      int64_t resent_ms = -1'000'000;  // when we last resent this origin's ops to the peer
      int64_t progress_ms = 0;         // when the peer's Have last advanced on this origin
      bool relaying = false;  // we forward this origin's ops to the peer until it caught up
    };
    std::map<ReplicaId, OriginProgress> origins;  // in-flight rule, per origin
    uint64_t cursor = 0;       // oplog position scanned for this peer (anti-entropy)
    uint64_t push_cursor = 0;  // oplog position scanned for eager pushes of our own ops
    int64_t last_snapshot_ms = -1;
    // What was stable here when this replica became known: its ops must have seen it.
    VersionVector join_floor;
  };
  void ApplyRemote(const DecodedOp& d);
  void DrainPending();
  void OnHave(ReplicaId from, const pb::Have& have, int64_t now_ms);
  absl::Status OnOps(ReplicaId from, const pb::OpBatch& batch);
  absl::Status OnSnapshot(ReplicaId from, const pb::Snapshot& snap);
  void SendOps(ReplicaId to, PeerState& peer, bool own_only);
  void SendSnapshot(ReplicaId to, PeerState& peer, int64_t now_ms);
  bool NeedsSnapshot(const PeerState& peer) const;
  void RecomputeStable();
  void Log(pb::Op record);
  // Hands a record to the persistence sink, remembering its dot until it is durable.
  void Persist(const pb::Op& record);
  bool OwnOpDurable(const Dot& dot) const {
    return dot.replica != opts_.replica_id || dot.seq <= durable_seq();
  }

  NodeOptions opts_;
  Prng rng_;
  HybridClock clock_;
  VersionVector vv_;      // what this replica has applied, per origin
  VersionVector stable_;  // what every replica has applied (metadata under it can be folded)
  std::vector<std::unique_ptr<Keyspace>> dbs_;
  // End of the last timed command of the current input batch (-1: none): the next command's
  // start, so a pipelined command costs one clock read.
  int64_t timing_mark_us_ = -1;
  CommandTable commands_;
  std::map<uint64_t, std::unique_ptr<Session>> sessions_;
  uint64_t next_session_id_ = 1;
  NodeStats stats_;
  std::map<std::string, std::string> config_;
  bool shutdown_requested_ = false;
  uint64_t incarnation_ = 0;  // random per start: tells peers we may have lost state
  std::vector<ReplicaId> members_;
  bool expect_peers_ = false;
  std::map<ReplicaId, PeerState> peers_;
  Oplog oplog_;
  // Durability (with persistence configured): durable_vv_ covers the records up to
  // durable_records_; the dots of records after it wait in undurable_ (record durable_records_+1
  // first). A dot {0, 0} stands for a state replacement, whose vector waits in undurable_states_.
  VersionVector durable_vv_;
  uint64_t durable_records_ = 0;
  std::deque<Dot> undurable_;
  std::deque<VersionVector> undurable_states_;
  std::vector<std::unique_ptr<DecodedOp>> pending_;
  std::vector<Outgoing> outbox_;
  std::vector<std::string> due_scratch_;
  std::vector<std::string_view> args_scratch_;
  BlockedClients blocked_;
  std::vector<uint64_t> woken_;
  bool serving_blocked_ = false;
  bool reblocked_ = false;  // set by Block during a re-run: the client keeps waiting
  bool rerunning_ = false;  // re-running a blocked client's command (MONITOR shows it once)
  std::vector<uint64_t> monitors_;
  // CLIENT PAUSE: sessions whose next command waits for pause_end_us_ (0: no pause).
  int64_t pause_end_us_ = 0;
  bool pause_all_ = false;
  std::vector<uint64_t> paused_;
  bool MustWaitForPause(const Session& s, const std::vector<std::string_view>& args) const;
  // Runs one parsed command of s's input as ProcessInput does (reply modes, blocked clients).
  size_t PrefetchKeys(const Session& s, std::string_view buf) const;
  void RunRequest(Session* s, const std::vector<std::string_view>& args, int64_t now_us);
  SlowLog slowlog_;
  LatencyMonitor latency_;
  int64_t slowlog_threshold_us_ = 10000;
  size_t slowlog_max_len_ = 128;
  int64_t latency_threshold_ms_ = 0;
  int64_t sleep_request_us_ = 0;
};

}  // namespace cordis
