#include "sim/simulation.h"

#include <algorithm>
#include <sstream>

#include "core/base/strings.h"
#include "core/keyspace/digest.h"

namespace cordis::sim {
namespace {

constexpr int64_t kMs = 1000;
constexpr int64_t kSec = 1000 * kMs;
constexpr int64_t kLivenessBudgetUs = 60 * kSec;  // after healing, convergence must come by then
constexpr uint32_t kDbsUsed = 2;
constexpr int64_t kMinTinyBatch = 4;

}  // namespace

Simulation::Simulation(SimOptions opts)
    : opts_(std::move(opts)), rng_(opts_.seed), workload_(&rng_, opts_.lists) {}

Simulation::~Simulation() = default;

void Simulation::Setup() {
  plan_ = FaultPlan::Make(opts_.faults.Draw(rng_), rng_);
  network_ =
      std::make_unique<Network>(opts_.nodes, &plan_, &rng_, &queue_,
                                [this](int to, const std::string& bytes) { Deliver(to, bytes); });
  think_us_ = rng_.Range(1, 20) * kMs;
  for (int i = 0; i < opts_.nodes; ++i) {
    int64_t offset = plan_.is_on(Fault::kSkew) ? rng_.Range(-3 * kSec, 3 * kSec) : 0;
    int64_t drift = plan_.is_on(Fault::kDrift) ? rng_.Range(-10'000, 10'000) : 0;
    clocks_.emplace_back(offset, drift);
    NodeOptions o;
    o.replica_id = static_cast<ReplicaId>(i + 1);
    o.seed = rng_.Next();
    ReplicationOptions& r = o.replication;
    if (plan_.is_on(Fault::kTinyBatch))
      r.max_batch_ops = static_cast<size_t>(rng_.Range(kMinTinyBatch, 16));
    if (plan_.is_on(Fault::kSmallLog)) {
      // Big enough that one FLUSHALL's ops fit (the history reads them back from the log).
      r.max_log_entries = static_cast<size_t>(rng_.Range(150, 400));
      r.snapshot_retry_ms = rng_.Range(20, 500);
    }
    if (plan_.is_on(Fault::kSmallBuffer))
      r.max_pending_ops = static_cast<size_t>(rng_.Range(1, 20));
    node_opts_.push_back(o);
    // Every replica runs the production durability engine on its own simulated disk.
    uint64_t roll = rng_.Uniform(10);
    SyncPolicy policy = roll < 4   ? SyncPolicy::kAlways
                        : roll < 7 ? SyncPolicy::kEverySec
                                   : SyncPolicy::kNo;
    procs_.push_back(
        std::make_unique<SimProcess>(policy, static_cast<uint64_t>(rng_.Range(2'000, 64'000))));
  }
  for (Fault f : {Fault::kSkew, Fault::kDrift, Fault::kTinyBatch, Fault::kSmallLog,
                  Fault::kSmallBuffer, Fault::kReorder})
    if (plan_.is_on(f)) plan_.Fire(f);  // set once for the whole run
  nodes_.assign(opts_.nodes, nullptr);
  last_hlc_.assign(opts_.nodes, 0);
  acked_seq_.assign(opts_.nodes, 0);
  for (int i = 0; i < opts_.nodes; ++i) StartNode(i);
  std::string policies;
  for (int i = 0; i < opts_.nodes; ++i)
    StrAppend(&policies, i ? "," : "", SyncPolicyName(procs_[i]->policy()));
  history_.Note(0, -1, StrCat("appendfsync per replica: ", policies));
  for (int i = 0; i < opts_.nodes; ++i) SchedulePeriodic(i);
  for (int c = 0; c < 2 * opts_.nodes; ++c) {
    clients_.push_back(Client{});
    ScheduleClient(c);
  }
  queue_.After(rng_.Range(10, 300) * kMs, [this] { Nemesis(); });
}

// Starts (or restarts) replica i: recovery from its disk through the production code.
void Simulation::StartNode(int i) {
  NodeOptions o = node_opts_[i];
  o.seed = rng_.Next();  // a new process: new incarnation
  std::vector<ReplicaId> members;
  for (int j = 0; j < opts_.nodes; ++j) members.push_back(static_cast<ReplicaId>(j + 1));
  absl::StatusOr<std::string> warnings = procs_[i]->Start(o, members, NodeNow(i));
  if (!warnings.ok()) {
    Fail(Failure{StrCat("replica ", i + 1, " failed to recover: ", warnings.status().ToString())});
    return;
  }
  nodes_[i] = procs_[i]->node();
  if (!warnings->empty()) {
    std::string w = *warnings;
    if (w.back() == '\n') w.pop_back();
    history_.Note(queue_.now_us(), i, StrCat("recovery: ", w));
  }
  uint64_t recovered = nodes_[i]->version_vector().Get(static_cast<ReplicaId>(i + 1));
  MarkLost(i, recovered);
}

// Ops a crash took away before they were durable (and so before any peer saw them): the
// checkers must not expect them. Under appendfsync always no acknowledged op may be among them.
void Simulation::MarkLost(int i, uint64_t recovered_seq) {
  if (acked_seq_[i] > recovered_seq) {
    if (procs_[i]->policy() == SyncPolicy::kAlways) {
      Fail(Failure{StrCat("replica ", i + 1,
                          " lost acknowledged writes in a crash under "
                          "appendfsync always: recovered up to seq ",
                          recovered_seq, ", acknowledged ", acked_seq_[i])});
      return;
    }
    plan_.lost_acked += acked_seq_[i] - recovered_seq;
  }
  acked_seq_[i] = std::min(acked_seq_[i], recovered_seq);
  uint64_t hlc = 0;
  for (const HistoryEntry& e : history_.entries()) {
    for (const auto& op : e.ops) {
      if (op->op.dot.replica == static_cast<ReplicaId>(i + 1) && op->op.dot.seq <= recovered_seq)
        hlc = std::max(hlc, op->op.stamp.hlc);
    }
  }
  history_.DropLost(static_cast<ReplicaId>(i + 1), recovered_seq);
  last_hlc_[i] = hlc;
}

void Simulation::CrashNode(int i) {
  // A machine crash loses unsynced bytes; appendfsync no is only safe against process crashes.
  bool machine =
      (opts_.machine_crash_with_no || procs_[i]->policy() != SyncPolicy::kNo) && rng_.Chance(0.7);
  procs_[i]->Crash(rng_, machine);
  nodes_[i] = nullptr;
  for (Client& c : clients_) {
    if (c.node == i) c.session = nullptr;  // the connection died with the process
  }
  plan_.Fire(Fault::kCrash);
  history_.Note(queue_.now_us(), i, machine ? "machine crash" : "process crash");
  queue_.After(rng_.Range(20, 2000) * kMs, [this, i] {
    if (nodes_[i] == nullptr && !failure_) {
      history_.Note(queue_.now_us(), i, "restart");
      StartNode(i);
    }
  });
}

// After replica i applied a batch: the durability policy, then push own ops that became durable.
void Simulation::AfterBatch(int i, bool client) {
  absl::Status st = procs_[i]->AfterBatch(client, NodeNow(i));
  if (!st.ok()) Fail(Failure{StrCat("replica ", i + 1, " storage: ", st.ToString())});
  nodes_[i]->FlushReplication();
  Collect(i);
}

// Active expiry and anti-entropy, each at its own per-node period.
void Simulation::SchedulePeriodic(int i) {
  int64_t tick_us = rng_.Range(5, 50) * kMs;
  int64_t repl_us = rng_.Range(20, 200) * kMs;
  struct Loop {
    static void Tick(Simulation* s, int i, int64_t period) {
      if (s->nodes_[i] != nullptr) {
        s->nodes_[i]->Tick(s->NodeNow(i));
        s->AfterBatch(i, /*client=*/false);  // expiry deletes are own ops
      }
      s->queue_.After(period, [s, i, period] { Tick(s, i, period); });
    }
    static void Repl(Simulation* s, int i, int64_t period) {
      if (s->nodes_[i] != nullptr) {
        s->nodes_[i]->ReplicationTick(s->NodeNow(i));
        s->Collect(i);
      }
      s->queue_.After(period, [s, i, period] { Repl(s, i, period); });
    }
    // Once a second: everysec's sync, and now and then a snapshot that retires old segments.
    static void Disk(Simulation* s, int i) {
      if (s->nodes_[i] != nullptr) {
        absl::Status st = s->procs_[i]->Periodic(s->NodeNow(i), s->rng_.Chance(0.2));
        if (!st.ok()) s->Fail(Failure{StrCat("replica ", i + 1, " storage: ", st.ToString())});
        s->nodes_[i]->FlushReplication();
        s->Collect(i);
      }
      s->queue_.After(kSec, [s, i] { Disk(s, i); });
    }
  };
  queue_.After(rng_.Range(0, kSec), [this, i] { Loop::Disk(this, i); });
  queue_.After(rng_.Range(0, tick_us), [this, i, tick_us] { Loop::Tick(this, i, tick_us); });
  queue_.After(rng_.Range(0, repl_us), [this, i, repl_us] { Loop::Repl(this, i, repl_us); });
}

void Simulation::ScheduleClient(int c) {
  queue_.After(rng_.Range(0, 2 * think_us_), [this, c] { RunClient(c); });
}

void Simulation::RunClient(int c) {
  if (issued_ >= opts_.ops || failure_) return;
  Client& client = clients_[c];
  // Clients connect to a random live replica and now and then move to another.
  if (client.session == nullptr || rng_.Chance(0.02)) {
    if (client.session != nullptr) nodes_[client.node]->CloseSession(client.session);
    client.session = nullptr;
    client.node = static_cast<int>(rng_.Uniform(opts_.nodes));
    for (int k = 0; k < opts_.nodes && nodes_[client.node] == nullptr; ++k)
      client.node = (client.node + 1) % opts_.nodes;
    if (nodes_[client.node] == nullptr) {  // the whole cluster is down: try again later
      ScheduleClient(c);
      return;
    }
    client.session =
        nodes_[client.node]->OpenSession(StrCat("client", c), "sim", NodeNow(client.node));
  }
  ++issued_;
  Request r = workload_.Next();
  bool twin = r.twin;
  if (!RunRequest(c, client.node, client.session, r)) return;
  if (twin && opts_.nodes > 1) {
    // Another client writes the same key on another replica at the same instant: concurrent
    // writes in the same millisecond, where HLC stamps can tie and only the replica id decides.
    int other = (client.node + 1 + static_cast<int>(rng_.Uniform(opts_.nodes - 1))) % opts_.nodes;
    if (nodes_[other] == nullptr) other = client.node;
    Session* s = nodes_[other]->OpenSession("twin", "sim", NodeNow(other));
    bool ok = RunRequest(c, other, s, workload_.Twin(r));
    nodes_[other]->CloseSession(s);
    if (!ok) return;
  }
  if (issued_ == opts_.ops) {
    queue_.After(0, [this] { Heal(); });
  } else {
    ScheduleClient(c);
  }
}

// Runs one request on a replica, records it, checks its replies; false if the run failed.
bool Simulation::RunRequest(int c, int n, Session* session, const Request& r) {
  running_request_ = StrCat("n", n + 1, " c", c, " ", r.text);
  Node& node = *nodes_[n];
  uint64_t pos = node.oplog().end();
  session->input += r.input;
  node.ProcessInput(session, NodeNow(n));
  // The replies count as given only after the durability policy ran (appendfsync always syncs).
  AfterBatch(n, /*client=*/true);
  if (failure_) return false;
  std::string out;
  out.swap(session->output);

  HistoryEntry e;
  e.at_us = queue_.now_us();
  e.node = n;
  e.client = c;
  e.text = r.text;
  e.keys = r.keys;
  std::vector<Reply> replies;
  if (!ParseReplies(out, &replies)) {
    e.reply = out;
    HistoryEntry& added = history_.Add(std::move(e));
    Fail(Failure{StrCat("malformed reply to ", added.text), 0, r.keys.empty() ? "" : r.keys[0]});
    return false;
  }
  for (size_t i = 0; i < replies.size(); ++i) StrAppend(&e.reply, i ? "; " : "", replies[i].Show());
  CaptureOps(n, pos, &e);
  running_request_.clear();
  std::optional<std::string> bad = CheckReplies(r, replies);
  history_.Add(std::move(e));
  if (bad) {
    std::string key = r.keys.empty() ? "" : r.keys[0];
    uint32_t db = 0;
    if (key.rfind("1/", 0) == 0) {
      db = 1;
      key = key.substr(2);
    }
    Fail(Failure{StrCat("reply sanity: ", *bad), db, key});
    return false;
  }
  return true;
}

// The ops a request committed, read back from its node's oplog (every local op is logged).
void Simulation::CaptureOps(int node, uint64_t from_pos, HistoryEntry* e) {
  const Oplog& log = nodes_[node]->oplog();
  CHECK_LE(log.begin(), from_pos);  // max_log_entries holds one request's ops
  for (uint64_t p = from_pos; p < log.end(); ++p) {
    const pb::Op& rec = log.at(p);
    CHECK_EQ(rec.origin(), static_cast<uint32_t>(node + 1));
    std::unique_ptr<DecodedOp> d;
    CHECK(DecodeOp(rec, &d).ok());
    // The HLC keeps every node's stamps increasing through skew, drift and backward jumps
    // (the ops of one command, e.g. MSET's, may share a stamp).
    if (p == from_pos) {
      CHECK_GT(d->op.stamp.hlc, last_hlc_[node]);
    } else {
      CHECK_GE(d->op.stamp.hlc, last_hlc_[node]);
    }
    last_hlc_[node] = d->op.stamp.hlc;
    acked_seq_[node] = std::max(acked_seq_[node], d->op.dot.seq);
    e->ops.push_back(std::move(d));
  }
}

std::optional<std::string> Simulation::CheckReplies(const Request& r,
                                                    const std::vector<Reply>& replies) {
  if (replies.size() != r.replies)
    return StrCat(r.text, ": ", replies.size(), " replies, expected ", r.replies);
  for (const Reply& rep : replies) {
    if (!rep.is_error()) continue;
    if (r.check != ReplyCheck::kAnyReply) return StrCat(r.text, ": unexpected error ", rep.str);
    if (rep.str.find("wrong number") != std::string::npos ||
        rep.str.find("unknown command") != std::string::npos ||
        rep.str.find("syntax error") != std::string::npos)
      return StrCat(r.text, ": ", rep.str);
  }
  switch (r.check) {
    case ReplyCheck::kIncrBy: {
      int64_t before = replies[0].nil ? 0 : std::stoll(replies[0].str);
      int64_t want =
          static_cast<int64_t>(static_cast<uint64_t>(before) + static_cast<uint64_t>(r.delta));
      if (replies[1].type != ':' || replies[1].integer != want)
        return StrCat(r.text, ": value was ", before, " so the reply must be ", want, ", got ",
                      replies[1].Show());
      break;
    }
    case ReplyCheck::kAddCard:
      if (replies[2].integer - replies[0].integer != replies[1].integer)
        return StrCat(r.text, ": SCARD went from ", replies[0].integer, " to ", replies[2].integer,
                      " but SADD said ", replies[1].integer);
      break;
    case ReplyCheck::kPushLen:
      if (replies[0].integer != replies[1].integer)
        return StrCat(r.text, ": push says length ", replies[0].integer, ", LLEN ",
                      replies[1].integer);
      break;
    case ReplyCheck::kExec:
      if (replies.back().type != '*' || replies.back().elems.size() != r.replies - 2)
        return StrCat(r.text, ": EXEC returned ", replies.back().Show());
      for (const Reply& sub : replies.back().elems)
        if (sub.is_error()) return StrCat(r.text, ": EXEC step failed: ", sub.str);
      break;
    default:
      break;
  }
  return std::nullopt;
}

void Simulation::Collect(int i) {
  for (Outgoing& o : nodes_[i]->TakeOutbox()) {
    int to = static_cast<int>(o.to) - 1;
    CHECK(to >= 0 && to < opts_.nodes && to != i);
    network_->Send(i, to, o.msg.SerializeAsString());
  }
}

void Simulation::Deliver(int to, const std::string& bytes) {
  if (failure_) return;
  if (nodes_[to] == nullptr) return;  // the process is down
  pb::PeerMessage msg;
  CHECK(msg.ParseFromString(bytes));
  absl::Status st = nodes_[to]->OnPeerMessage(msg, NodeNow(to));
  if (!st.ok()) {
    Fail(Failure{StrCat("replica ", to + 1, " rejected a peer message from ", msg.from(), ": ",
                        st.ToString())});
    return;
  }
  AfterBatch(to, /*client=*/false);
}

// One fault from the plan's enabled kinds, then the next nemesis step.
void Simulation::Nemesis() {
  if (healing_ || failure_) return;
  std::vector<Fault> kinds;
  for (Fault f : {Fault::kPartition, Fault::kClog, Fault::kJump, Fault::kSnapshot, Fault::kStorm,
                  Fault::kCrash})
    if (plan_.is_on(f)) kinds.push_back(f);
  if (!kinds.empty()) {
    Fault f = kinds[rng_.Uniform(kinds.size())];
    int a = static_cast<int>(rng_.Uniform(opts_.nodes));
    for (int k = 0; k < opts_.nodes && nodes_[a] == nullptr; ++k) a = (a + 1) % opts_.nodes;
    if (nodes_[a] == nullptr) f = Fault::kCount;  // everyone is down: wait for restarts
    switch (f) {
      case Fault::kPartition:
        if (!partitioned_) StartPartition();
        break;
      case Fault::kClog:
        if (!swizzling_) Swizzle();
        break;
      case Fault::kJump: {
        int64_t delta = rng_.Chance(0.5) ? -rng_.Range(1, 2 * kSec) : rng_.Range(1, 5 * kSec);
        clocks_[a].Jump(delta);
        plan_.Fire(Fault::kJump);
        history_.Note(queue_.now_us(), a, StrCat("clock jumps ", delta / kMs, "ms"));
        break;
      }
      case Fault::kCrash: {
        int up = 0;
        for (Node* n : nodes_) up += n != nullptr;
        if (up > 1 || rng_.Chance(0.2)) CrashNode(a);  // rarely, the whole cluster goes down
        break;
      }
      case Fault::kSnapshot: {
        int b = (a + 1 + static_cast<int>(rng_.Uniform(opts_.nodes - 1))) % opts_.nodes;
        nodes_[a]->ForceSnapshot(static_cast<ReplicaId>(b + 1), NodeNow(a));
        plan_.Fire(Fault::kSnapshot);
        history_.Note(queue_.now_us(), a, StrCat("forced snapshot to n", b + 1));
        Collect(a);
        break;
      }
      case Fault::kStorm: {
        int64_t n = rng_.Range(3, 20);
        for (int64_t k = 0; k < n; ++k) {
          nodes_[a]->ReplicationTick(NodeNow(a));
          Collect(a);
        }
        plan_.Fire(Fault::kStorm);
        break;
      }
      default:
        break;
    }
  }
  queue_.After(rng_.Range(10, 300) * kMs, [this] { Nemesis(); });
}

// Random halves, one node isolated, a bridge (two sides that only one node connects), or one-way
// cuts; healed after a while.
void Simulation::StartPartition() {
  int n = opts_.nodes;
  std::vector<int> side(n);
  std::string what;
  switch (n >= 3 ? rng_.Uniform(4) : rng_.Uniform(2) * 3) {
    case 0: {
      for (int& s : side) s = static_cast<int>(rng_.Uniform(2));
      what = "halves";
      break;
    }
    case 1: {
      int x = static_cast<int>(rng_.Uniform(n));
      side[x] = 1;
      what = StrCat("isolate n", x + 1);
      break;
    }
    case 2: {
      int bridge = static_cast<int>(rng_.Uniform(n));
      for (int i = 0; i < n; ++i) side[i] = i == bridge ? 2 : static_cast<int>(rng_.Uniform(2));
      what = StrCat("bridge n", bridge + 1);
      break;
    }
    default: {
      for (int a = 0; a < n; ++a)
        for (int b = 0; b < n; ++b)
          if (a != b && rng_.Chance(0.3)) network_->Cut(a, b);
      what = "one-way cuts";
      side.assign(n, 2);
      break;
    }
  }
  for (int a = 0; a < n; ++a)
    for (int b = 0; b < n; ++b)
      if (side[a] != 2 && side[b] != 2 && side[a] != side[b]) network_->Cut(a, b);
  partitioned_ = true;
  history_.Note(queue_.now_us(), -1, StrCat("partition: ", what));
  queue_.After(rng_.Range(100, 3000) * kMs, [this] {
    for (int a = 0; a < opts_.nodes; ++a)
      for (int b = 0; b < opts_.nodes; ++b) network_->Uncut(a, b);
    partitioned_ = false;
    history_.Note(queue_.now_us(), -1, "partition heals");
  });
}

// Swizzle clogging (FoundationDB): stop a random set of links one by one, then restore them in a
// different random order.
void Simulation::Swizzle() {
  std::vector<std::pair<int, int>> links;
  for (int a = 0; a < opts_.nodes; ++a)
    for (int b = 0; b < opts_.nodes; ++b)
      if (a != b && rng_.Chance(0.5)) links.emplace_back(a, b);
  if (links.empty()) return;
  swizzling_ = true;
  history_.Note(queue_.now_us(), -1, StrCat("swizzle clogs ", links.size(), " links"));
  int64_t t = 0;
  for (auto [a, b] : links) {
    t += rng_.Range(5, 100) * kMs;
    queue_.After(t, [this, a, b] {
      if (!healing_) network_->Clog(a, b);
    });
  }
  for (size_t i = links.size(); i > 1; --i) std::swap(links[i - 1], links[rng_.Uniform(i)]);
  for (auto [a, b] : links) {
    t += rng_.Range(5, 300) * kMs;
    queue_.After(t, [this, a, b] { network_->Unclog(a, b); });
  }
  queue_.After(t, [this] { swizzling_ = false; });
}

// The liveness phase begins: the network becomes reliable and every link comes back.
void Simulation::Heal() {
  healing_ = true;
  heal_at_us_ = queue_.now_us();
  history_.Note(queue_.now_us(), -1, "heal: liveness phase");
  plan_.loss = plan_.duplicate = plan_.spike_chance = 0;
  for (int i = 0; i < opts_.nodes; ++i) {
    if (nodes_[i] == nullptr) {
      history_.Note(queue_.now_us(), i, "restart");
      StartNode(i);
    }
  }
  plan_.jitter_us = std::min<int64_t>(plan_.jitter_us, 1000);
  network_->HealAll();
}

// Per replica: version vector, causal buffer, snapshots, log and what it believes its peers have.
std::string Simulation::ReplicaStates() {
  std::string out;
  for (int i = 0; i < opts_.nodes; ++i) {
    std::ostringstream vv;
    vv << nodes_[i]->version_vector();
    const NodeStats& st = nodes_[i]->stats();
    StrAppend(&out, "\n  replica ", i + 1, ": vv ", vv.str(), " pending ",
              nodes_[i]->pending_remote_ops(), " dropped ", st.remote_ops_dropped,
              " snapshots sent/installed/refused ", st.snapshots_sent, "/", st.snapshots_installed,
              "/", st.snapshots_refused, " log [", nodes_[i]->oplog().begin(), ",",
              nodes_[i]->oplog().end(), ")");
    for (int j = 0; j < opts_.nodes; ++j) {
      if (j == i) continue;
      std::ostringstream have;
      have << nodes_[i]->PeerHave(static_cast<ReplicaId>(j + 1));
      StrAppend(&out, " r", j + 1, " has ", have.str());
    }
  }
  return out;
}

bool Simulation::SameOps() {
  for (int i = 0; i < opts_.nodes; ++i) {
    if (nodes_[i]->pending_remote_ops() != 0) return false;
    if (!(nodes_[i]->version_vector() == nodes_[0]->version_vector())) return false;
  }
  return true;
}

bool Simulation::Converged() { return SameOps() && !Divergence(); }

// The first key whose digest differs between replica 1 and another.
std::optional<Failure> Simulation::Divergence() {
  for (uint32_t db = 0; db < nodes_[0]->db_count(); ++db) {
    uint64_t d0 = KeyspaceDigest(nodes_[0]->db(db));
    for (int i = 1; i < opts_.nodes; ++i) {
      if (KeyspaceDigest(nodes_[i]->db(db)) == d0) continue;
      std::vector<std::string> keys;
      for (int n : {0, i})
        nodes_[n]->db(db).dict().ForEach([&](KeyEntry* e) { keys.emplace_back(e->key()); });
      std::sort(keys.begin(), keys.end());
      for (const std::string& k : keys) {
        uint64_t a = KeyDigest(nodes_[0]->db(db), nodes_[0]->db(db).FindEntry(k));
        uint64_t b = KeyDigest(nodes_[i]->db(db), nodes_[i]->db(db).FindEntry(k));
        if (a != b)
          return Failure{StrCat("replicas 1 and ", i + 1, " differ on db", db, " ", k), db, k};
      }
      return Failure{StrCat("replicas 1 and ", i + 1, " differ on db", db), db, ""};
    }
  }
  return std::nullopt;
}

// After the liveness phase no replica may still hold a key whose deadline its clock has passed:
// active expiry must have deleted it.
std::optional<Failure> Simulation::ExpiredKeysLeft() {
  for (int i = 0; i < opts_.nodes; ++i) {
    int64_t now_ms = NodeNow(i) / 1000;
    for (uint32_t db = 0; db < kDbsUsed; ++db) {
      std::optional<Failure> f;
      nodes_[i]->db(db).dict().ForEach([&](KeyEntry* e) {
        if (!f && e->value != nullptr && nodes_[i]->db(db).IsExpired(e, now_ms))
          f = Failure{StrCat("replica ", i + 1, " still holds expired key ", e->key()), db,
                      std::string(e->key())};
      });
      if (f) return f;
    }
  }
  return std::nullopt;
}

Reply Simulation::Query(int node, uint32_t db, const std::vector<std::string>& args) {
  Node& n = *nodes_[node];
  Session* s = n.OpenSession("checker", "sim", NodeNow(node));
  const std::vector<std::string> select = {"SELECT", std::to_string(db)};
  for (const std::vector<std::string>* cmd : {&select, &args}) {
    StrAppend(&s->input, "*", cmd->size(), "\r\n");
    for (const std::string& a : *cmd) StrAppend(&s->input, "$", a.size(), "\r\n", a, "\r\n");
  }
  n.ProcessInput(s, NodeNow(node));
  std::vector<Reply> replies;
  CHECK(ParseReplies(s->output, &replies));
  CHECK_EQ(replies.size(), 2u);
  n.CloseSession(s);
  return replies[1];
}

void Simulation::Fail(Failure f) {
  if (!failure_) failure_ = std::move(f);
}

std::string Simulation::Summary(const char* result) const {
  uint64_t msgs = network_ ? network_->stats().sent : 0;
  int64_t vt = queue_.now_us();
  return StrCat("seed=", opts_.seed, " nodes=", opts_.nodes, " ops=", issued_, " msgs=", msgs,
                " vtime=", vt / kSec, ".", std::to_string(vt % kSec / kMs + 1000).substr(1), "s",
                " faults[", plan_.Summary(), "] families[",
                Workload::FamilyNames(workload_.families()), "] result=", result);
}

std::string Simulation::CrashReport() const {
  return StrCat(Summary("CRASH"), "\nFAIL seed ", opts_.seed,
                ": a core CHECK failed (message above)\nrerun: ", opts_.rerun, "\nlast events:\n",
                history_.Tail(25),
                running_request_.empty() ? "" : StrCat("while running: ", running_request_, "\n"));
}

SimResult Simulation::Run() {
  Setup();
  // Safety phase: until the last request is issued (which schedules Heal).
  while (!healing_ && !failure_ && queue_.RunOne()) {
  }
  if (!failure_) LivenessPhase();
  // Let deadlines that skewed clocks have not reached yet pass everywhere, then check.
  if (!failure_) {
    queue_.RunUntil(queue_.now_us() + 8 * kSec, [this] { return failure_.has_value(); });
    if (!failure_ && !Converged()) {
      std::optional<Failure> d = Divergence();
      Fail(d ? *d : Failure{"replicas diverged again after converging"});
    }
  }
  if (!failure_) {
    if (auto f = ExpiredKeysLeft()) Fail(*f);
  }
  if (!failure_) {
    std::vector<int64_t> now_ms;
    for (int i = 0; i < opts_.nodes; ++i) now_ms.push_back(NodeNow(i) / 1000);
    auto query = [this](int node, uint32_t db, const std::vector<std::string>& args) {
      return Query(node, db, args);
    };
    if (auto f = CheckOracles(history_, now_ms, query)) Fail(*f);
  }
  return Result();
}

// After healing, every replica must converge within the budget.
void Simulation::LivenessPhase() {
  // Anti-entropy ships one batch per Have round (at most 200 ms apart here), so with tiny
  // batches catching up on the partition's backlog takes proportionally longer.
  int64_t budget_us = kLivenessBudgetUs;
  if (plan_.is_on(Fault::kTinyBatch)) budget_us += issued_ * 2 / kMinTinyBatch * 200 * kMs;
  int64_t same_ops_since_us = -1;
  while (!failure_ && queue_.now_us() - heal_at_us_ < budget_us) {
    queue_.RunUntil(queue_.now_us() + 100 * kMs, [this] { return failure_.has_value(); });
    if (failure_ || Converged()) return;
    // Replicas that applied exactly the same ops must hold the same state: a difference that
    // lasts is a safety bug, no need to wait out the budget.
    if (!SameOps()) {
      same_ops_since_us = -1;
    } else if (same_ops_since_us < 0) {
      same_ops_since_us = queue_.now_us();
    } else if (queue_.now_us() - same_ops_since_us >= kSec) {
      std::optional<Failure> d = Divergence();
      if (d) {
        d->what = StrCat("replicas applied the same ops but hold different state: ", d->what,
                         ReplicaStates());
        Fail(*d);
      }
    }
  }
  if (failure_) return;
  std::optional<Failure> d = Divergence();
  Failure f = d ? *d : Failure{"replicas did not reach the same version vector"};
  f.what =
      StrCat("no convergence within ", budget_us / kSec, "s of healing: ", f.what, ReplicaStates());
  Fail(f);
}

SimResult Simulation::Result() const {
  SimResult res;
  res.ok = !failure_;
  if (opts_.dump_history) res.detail = history_.Tail(history_.entries().size());
  res.summary = Summary(res.ok ? "PASS" : "FAIL");
  if (!res.ok) {
    res.detail +=
        StrCat("FAIL seed ", opts_.seed, ": ", failure_->what, "\nrerun: ", opts_.rerun, "\n");
    if (!failure_->key.empty()) {
      StrAppend(&res.detail, "trace of db", failure_->db, " key ", failure_->key, ":\n",
                history_.Trace(failure_->db, failure_->key, opts_.trace_lines));
    } else {
      StrAppend(&res.detail, "last events:\n", history_.Tail(25));
    }
  }
  return res;
}

}  // namespace cordis::sim
