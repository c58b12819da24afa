#include "core/server/node.h"

#include <array>
#include <climits>

#include "core/resp/reply_builder.h"
#include "core/resp/request_peek.h"
#include "core/server/command_context.h"
#include "core/server/errors.h"

namespace cordis {
namespace {

constexpr size_t kDatabases = 16;
constexpr size_t kActiveExpireBatch = 1000;

bool IsNamed(const CommandSpec& spec, std::string_view name) { return spec.name == name; }

// Commands run at once even inside MULTI (Redis: exec, discard, multi, watch, quit, reset).
bool RunsInsideMulti(const CommandSpec& spec) {
  return IsNamed(spec, "exec") || IsNamed(spec, "discard") || IsNamed(spec, "multi") ||
         IsNamed(spec, "watch") || IsNamed(spec, "quit") || IsNamed(spec, "reset");
}

}  // namespace

Node::Node(const NodeOptions& opts) : opts_(opts), rng_(opts.seed), clock_(opts.replica_id) {
  CHECK_NE(opts.replica_id, 0u);
  members_.push_back(opts.replica_id);
  incarnation_ = rng_.Next();
  for (size_t i = 0; i < kDatabases; ++i)
    dbs_.push_back(std::make_unique<Keyspace>(rng_.Next(), opts.start_us / 1000));
  config_ = {{"databases", "16"},
             {"maxclients", "10000"},
             {"timeout", "0"},
             {"proto-max-bulk-len", "536870912"},
             {"appendonly", "no"},
             {"save", ""},
             {"maxmemory", "0"},
             {"maxmemory-policy", "noeviction"},
             {"hz", "10"},
             {"loglevel", "notice"},
             {"enable-debug-command", "no"}};
}

Node::~Node() = default;

Session* Node::OpenSession(std::string addr, std::string laddr, int64_t now_us) {
  auto s = std::make_unique<Session>();
  s->id = next_session_id_++;
  s->addr = std::move(addr);
  s->laddr = std::move(laddr);
  s->created_ms = now_us / 1000;
  s->last_interaction_ms = now_us / 1000;
  resp::ParserLimits limits;
  limits.max_multibulk_len = INT_MAX;
  s->parser = resp::RequestParser(limits);
  Session* raw = s.get();
  sessions_.emplace(raw->id, std::move(s));
  ++stats_.connections_received;
  return raw;
}

void Node::CloseSession(Session* s) {
  if (s->blocked) Unblock(s);
  if (s->paused) std::erase(paused_, s->id);
  if (s->monitor) std::erase(monitors_, s->id);
  sessions_.erase(s->id);
}

void Node::ProcessInput(Session* s, int64_t now_us) {
  s->last_interaction_ms = now_us / 1000;
  size_t peeked_to = 0;  // input offset up to which the keys were prefetched
  timing_mark_us_ = -1;  // the batch's first command reads the clock
  while (!s->close_after_reply && !s->blocked && !s->paused) {
    std::string_view buf(s->input);
    if (s->input_pos >= peeked_to) peeked_to = PrefetchKeys(*s, buf);
    resp::RequestParser::Result r = s->parser.Next(buf, &s->input_pos);
    if (r == resp::RequestParser::Result::kNeedMore) break;
    if (r == resp::RequestParser::Result::kError) {
      resp::ReplyBuilder reply(&s->output);
      reply.Error(s->parser.error());
      s->close_after_reply = true;
      ++stats_.rejected_protocol;
      break;
    }
    if (pause_end_us_ != 0 && MustWaitForPause(*s, s->parser.args())) {
      s->paused = true;
      s->paused_args.assign(s->parser.args().begin(), s->parser.args().end());
      paused_.push_back(s->id);
      break;
    }
    RunRequest(s, s->parser.args(), now_us);
  }
  timing_mark_us_ = -1;
  // Compact the input buffer: drop consumed bytes once they dominate it.
  if (s->input_pos == s->input.size()) {
    s->input.clear();
    s->input_pos = 0;
  } else if (s->input_pos > 4096 && s->input_pos * 2 > s->input.size()) {
    s->input.erase(0, s->input_pos);
    s->input_pos = 0;
  }
}

// Pipelined requests: issue the cache loads for the keys of the next few requests together, so
// their misses overlap instead of stalling each command in turn (the keyspace lookup was a third
// of the CPU time of GET/INCR at pipeline depth 16). Returns the offset the peek covered.
size_t Node::PrefetchKeys(const Session& s, std::string_view buf) const {
  constexpr size_t kBatch = 16;
  std::array<resp::PeekedArgs, kBatch> requests;
  resp::PeekResult r = resp::PeekFirstArguments(buf, s.input_pos, requests);
  // A lone request (no pipelining) gains nothing from the hint.
  if (r.requests >= 2) dbs_[s.db]->Prefetch(std::span(requests).first(r.requests));
  return r.end > s.input_pos ? r.end : buf.size();
}

void Node::RunRequest(Session* s, const std::vector<std::string_view>& args, int64_t now_us) {
  const size_t mark = s->output.size();
  Execute(s, args, now_us);
  // CLIENT REPLY OFF/SKIP, judged after the command (CLIENT REPLY ON answers OK), as Redis.
  if (s->reply_off || s->reply_skip) s->output.resize(mark);
  s->reply_skip = s->reply_skip_next;
  s->reply_skip_next = false;
  // Like Redis, clients blocked on a key this command wrote are served before the next one.
  if (blocked_.has_ready()) ServeBlocked(now_us);
}

void Node::Execute(Session* s, const std::vector<std::string_view>& args, int64_t now_us) {
  CHECK(!args.empty());
  ++s->commands_processed;
  ++stats_.commands_processed;
  Dispatch(s, args, now_us);
}

void Node::Dispatch(Session* s, const std::vector<std::string_view>& args, int64_t now_us) {
  resp::ReplyBuilder reply(&s->output);
  reply.set_resp3(s->resp == 3);
  const CommandSpec* spec = commands_.Find(args[0]);
  if (spec == nullptr) {
    if (s->in_multi) s->multi_error = true;
    reply.Error(err::UnknownCommand(args[0], args.data() + 1, args.size() - 1));
    return;
  }
  int argc = static_cast<int>(args.size());
  if ((spec->arity > 0 && argc != spec->arity) || (spec->arity < 0 && argc < -spec->arity)) {
    if (s->in_multi) s->multi_error = true;
    reply.Error(err::WrongArity(spec->name));
    return;
  }
  if (s->in_multi && !RunsInsideMulti(*spec)) {
    s->multi_queue.emplace_back(args.begin(), args.end());
    reply.Simple("QUEUED");
    return;
  }
  s->last_command = spec->name;
  const uint64_t seq_before = vv_.Get(opts_.replica_id);
  CommandContext ctx(*this, *s, reply, args, *spec, now_us);
  // SLOWLOG and LATENCY time commands with the driver's monotonic clock (none: not timed).
  const bool timed = opts_.host != nullptr && !(spec->flags & cmd::kSkipSlowlog) &&
                     (slowlog_threshold_us_ >= 0 || latency_threshold_ms_ > 0);
  // One clock read per command: within a batch, a command starts where the previous one ended.
  const int64_t started_us =
      !timed ? 0 : (timing_mark_us_ >= 0 ? timing_mark_us_ : opts_.host->MonotonicMicros());
  timing_mark_us_ = -1;
  const int64_t sleep_before_us = sleep_request_us_;
  spec->handler(ctx);
  if (timed && !s->blocked) {  // a blocked command is timed when it finally runs
    // DEBUG SLEEP's stall happens in the driver after the batch, but it is this command's.
    const int64_t ended_us = opts_.host->MonotonicMicros();
    const int64_t took_us = ended_us - started_us + (sleep_request_us_ - sleep_before_us);
    timing_mark_us_ = ended_us;
    slowlog_.MaybeAdd(slowlog_threshold_us_, slowlog_max_len_, args, took_us, now_us / 1'000'000,
                      s->addr, s->name);
    latency_.MaybeAdd(latency_threshold_ms_,
                      (spec->flags & cmd::kFast) ? "fast-command" : "command", took_us / 1000,
                      now_us / 1'000'000);
  }
  const uint64_t seq_after = vv_.Get(opts_.replica_id);
  if (seq_after != seq_before) s->last_write_seq = seq_after;
  // Like Redis: after the command ran (its database is the one it left selected), never admin
  // commands, and a blocked client's command only when first run.
  if (!monitors_.empty() && !(spec->flags & cmd::kAdmin) && !rerunning_)
    FeedMonitors(*s, args, now_us);
}

Op Node::NewOp(uint32_t db, std::string_view key, int64_t now_ms) {
  return NewOp(db, key, clock_.Now(now_ms));
}

Op Node::NewOp(uint32_t db, std::string_view key, Stamp stamp) {
  Op op;
  op.dot = Dot{opts_.replica_id, vv_.Get(opts_.replica_id) + 1};
  op.stamp = stamp;
  op.ctx = &vv_;
  op.db = db;
  op.key = key;
  return op;
}

KeyEntry* Node::Commit(const Op& op) {
  CHECK_EQ(op.dot.replica, opts_.replica_id);
  CHECK_EQ(op.dot.seq, vv_.Get(opts_.replica_id) + 1);
  CHECK(op.ctx == &vv_);
  CHECK_LT(op.db, dbs_.size());
  // With no peers, every op is seen by every replica as soon as it is applied, so the stable
  // vector is our own vector including this op. With peers it must be, per origin, the minimum
  // over replicas of what this node KNOWS each replica had seen (the context + dot of the latest
  // op received from it), never the peers' self-reported vectors: an op a peer made before
  // seeing a removal may still be in flight (see tests/property/keyspace_convergence...).
  if (!replicating()) stable_.Raise(opts_.replica_id, op.dot.seq);
  KeyEntry* entry = dbs_[op.db]->Apply(op, stable_);
  blocked_.Touch(op.db, op.key);
  if (replicating() || opts_.persistence != nullptr) {
    pb::Op record;
    EncodeOp(op, &record);
    if (opts_.persistence != nullptr) Persist(record);
    if (replicating()) Log(std::move(record));
  }
  vv_.Raise(opts_.replica_id, op.dot.seq);
  ++stats_.ops_applied;
  return entry;
}

bool Node::ExpireIfNeeded(uint32_t db, KeyEntry* e, int64_t now_ms) {
  if (!dbs_[db]->IsExpired(e, now_ms)) return false;
  std::string key(e->key());
  Op op = NewOp(db, key, now_ms);
  op.clear_key = true;
  Commit(op);
  ++stats_.expired_keys;
  return true;
}

void Node::Tick(int64_t now_us) {
  if (pause_end_us_ != 0 && now_us >= pause_end_us_) UnpauseClients(now_us);
  int64_t now_ms = now_us / 1000;
  // Like Redis, keys do not expire actively while writes are paused (an expiry is a write).
  if (pause_end_us_ != 0) return ServeBlocked(now_us);
  for (uint32_t i = 0; i < dbs_.size(); ++i) {
    Keyspace& ks = *dbs_[i];
    due_scratch_.clear();
    ks.wheel().Advance(now_ms, kActiveExpireBatch, &due_scratch_);
    for (const std::string& key : due_scratch_) {
      KeyEntry* e = ks.FindEntry(key);
      if (e != nullptr && e->value != nullptr) ExpireIfNeeded(i, e, now_ms);
    }
  }
  ServeBlocked(now_us);
}

}  // namespace cordis
