// MULTI / EXEC / DISCARD / WATCH / UNWATCH: commands queue in the session and EXEC runs them back
// to back. The event loop runs one command at a time, so the batch is atomic on this replica.
//
// WATCH is optimistic locking on this replica's view: it records each key's logical digest
// (content and deadline) and the greatest HLC stamp in its value. EXEC compares them again and
// replies a null array instead of running the queue when any differs. Every write to a key goes
// through an op, local or arriving from a peer, and every op that changes the key changes its
// digest or brings a newer stamp, so a modification by this client, another client or a peer's
// replicated op aborts the transaction, as does the key's expiry. A write that left the key as it
// was (SADD of a present member) can abort it too, which is safe for optimistic locking; an op
// that only touched state hidden behind a concurrent write of another type does not.
#include "core/keyspace/digest.h"
#include "core/server/command_context.h"

namespace cordis {
namespace {

Session::WatchedKey Observe(CommandContext& ctx, uint32_t db, std::string_view key) {
  Session::WatchedKey w;
  w.db = db;
  w.key = std::string(key);
  KeyEntry* e = ctx.LookupIn(db, key);
  if (e == nullptr) return w;
  w.present = true;
  w.digest = KeyDigest(ctx.node.db(db), e);
  Stamp max = e->value->MaxStamp();
  w.max_hlc = max.hlc;
  w.max_replica = max.replica;
  return w;
}

bool Changed(CommandContext& ctx, const Session::WatchedKey& then) {
  Session::WatchedKey now = Observe(ctx, then.db, then.key);
  return now.present != then.present || now.digest != then.digest ||
         now.max_hlc != then.max_hlc || now.max_replica != then.max_replica;
}

void MultiCommand(CommandContext& ctx) {
  if (ctx.session.in_multi) return ctx.reply.Error(err::kNestedMulti);
  ctx.session.in_multi = true;
  ctx.session.multi_error = false;
  ctx.session.multi_queue.clear();
  ctx.reply.Ok();
}

void DiscardCommand(CommandContext& ctx) {
  if (!ctx.session.in_multi) return ctx.reply.Error(err::kDiscardWithoutMulti);
  ctx.session.in_multi = false;
  ctx.session.multi_error = false;
  ctx.session.multi_queue.clear();
  ctx.session.watched.clear();
  ctx.reply.Ok();
}

void ExecCommand(CommandContext& ctx) {
  Session& s = ctx.session;
  if (!s.in_multi) return ctx.reply.Error(err::kExecWithoutMulti);
  std::vector<std::vector<std::string>> queue = std::move(s.multi_queue);
  bool aborted = s.multi_error;
  s.in_multi = false;
  s.multi_error = false;
  s.multi_queue.clear();
  std::vector<Session::WatchedKey> watched = std::move(s.watched);
  s.watched.clear();
  if (aborted) return ctx.reply.Error(err::kExecAbort);
  for (const Session::WatchedKey& w : watched) {
    if (Changed(ctx, w)) return ctx.reply.NullArray();
  }
  ctx.reply.Array(queue.size());
  std::vector<std::string_view> args;
  s.in_exec = true;
  for (const auto& cmd : queue) {
    args.assign(cmd.begin(), cmd.end());
    ctx.node.Execute(&s, args, ctx.now_us);
  }
  s.in_exec = false;
}

void WatchCommand(CommandContext& ctx) {
  Session& s = ctx.session;
  if (s.in_multi) return ctx.reply.Error("ERR WATCH inside MULTI is not allowed");
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    bool known = false;
    for (const Session::WatchedKey& w : s.watched)
      known = known || (w.db == s.db && w.key == ctx.args[i]);
    if (!known) s.watched.push_back(Observe(ctx, s.db, ctx.args[i]));
  }
  ctx.reply.Ok();
}

void UnwatchCommand(CommandContext& ctx) {
  ctx.session.watched.clear();
  ctx.reply.Ok();
}

}  // namespace

void RegisterTransactionCommands(CommandTable& t) {
  using namespace cmd;
  CommandRegistrar r(t, "transactions");
  r.NoKeys("multi", 1, kNoScript | kLoading | kStale | kFast | kNoMulti, MultiCommand,
           "Starts a transaction.", "1.2.0");
  r.NoKeys("exec", 1, kNoScript | kLoading | kStale | kSkipSlowlog, ExecCommand,
           "Executes all commands in a transaction.", "1.2.0",
           "Depends on commands in the transaction");
  r.NoKeys("discard", 1, kNoScript | kLoading | kStale | kFast, DiscardCommand,
           "Discards a transaction.", "2.0.0", "O(N) when N is the number of queued commands");
  r.Keys("watch", -2, kNoScript | kLoading | kStale | kFast | kNoMulti, 1, -1, 1, WatchCommand,
         "Monitors changes to keys to determine the execution of a transaction.", "2.2.0",
         "O(1) for every key.");
  r.NoKeys("unwatch", 1, kNoScript | kLoading | kStale | kFast, UnwatchCommand,
           "Forgets about watched keys of a transaction.", "2.2.0", "O(1)");
}

}  // namespace cordis
