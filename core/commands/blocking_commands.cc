// Blocking commands: the list and sorted-set pops BLPOP, BRPOP, BZPOPMIN, BZPOPMAX, and WAIT. A command that finds data
// answers at once, like its non-blocking form; one that finds none parks the client
// (Node::Block) until a key is written or the timeout passes, and the node re-runs it then.
// Inside MULTI/EXEC they never block: they answer as if the timeout had passed (Redis).
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/commands/arg_parse.h"
#include "core/crdt/rga_list.h"
#include "core/crdt/zset.h"
#include "core/base/strings.h"
#include "core/server/command_context.h"
#include "core/server/errors.h"

namespace cordis {
namespace {

constexpr size_t kMaxTimeoutChars = 5 * 1024;

// Redis's getTimeoutFromObjectOrReply (seconds, as a long double) with its quirks: the seconds
// become whole milliseconds by truncation, values too large for that wrap negative, and 0 means
// forever. *deadline_us is 0 for forever.
bool ParseTimeout(CommandContext& ctx, std::string_view arg, int64_t* deadline_us) {
  std::string buf(arg);
  errno = 0;
  char* end = nullptr;
  long double seconds = buf.empty() || buf.size() >= kMaxTimeoutChars || std::isspace(buf[0])
                            ? NAN
                            : std::strtold(buf.c_str(), &end);
  if (std::isnan(seconds) || errno == ERANGE || end == nullptr || *end != '\0') {
    ctx.reply.Error("ERR timeout is not a float or out of range");
    return false;
  }
  long double ms_f = seconds * 1000.0L;
  // The C cast Redis does turns anything out of range into LLONG_MIN on x86-64.
  int64_t ms = (ms_f < 9223372036854775807.0L && ms_f > -9223372036854775807.0L)
                   ? static_cast<int64_t>(ms_f)
                   : LLONG_MIN;
  if (ms < 0) {
    ctx.reply.Error("ERR timeout is negative");
    return false;
  }
  if (ms > 0 && ms > LLONG_MAX / 1000 - ctx.now_ms) {
    ctx.reply.Error("ERR timeout is out of range");
    return false;
  }
  *deadline_us = ms == 0 ? 0 : (ctx.now_ms + ms) * 1000;
  return true;
}

// The value of `key` if it is a `T` with data; nullptr if missing or empty. A key of another
// type is WRONGTYPE when the client first runs the command; when the node re-runs it for a
// blocked client the key is skipped and the client keeps waiting (Redis serves only keys of the
// right type).
template <typename T>
T* Ready(CommandContext& ctx, std::string_view key, bool* error) {
  KeyEntry* e = ctx.Lookup(key);
  if (e == nullptr) return nullptr;
  if (e->value->type() != T::kType) {
    if (!ctx.session.blocked) {
      ctx.reply.Error(err::kWrongType);
      *error = true;
    }
    return nullptr;
  }
  return static_cast<T*>(e->value);
}

// Blocks the client, or inside EXEC answers at once. Redis answers a null array at the timeout
// for every blocking command, but BLMOVE/BRPOPLPUSH answer a null bulk inside EXEC.
void Park(CommandContext& ctx, const std::vector<std::string_view>& keys, int64_t deadline_us,
          bool exec_null_array = true) {
  if (ctx.session.in_exec) {
    if (exec_null_array) return ctx.reply.NullArray();
    return ctx.reply.NullBulk();
  }
  ctx.node.Block(&ctx.session, ctx.args, keys, deadline_us, /*timeout_null_array=*/true);
}

// BLPOP/BRPOP key [key ...] timeout (Redis's blockingPopGenericCommand).
void BlockingListPop(CommandContext& ctx, bool head) {
  int64_t deadline_us = 0;
  if (!ParseTimeout(ctx, ctx.args.back(), &deadline_us)) return;
  std::vector<std::string_view> keys(ctx.args.begin() + 1, ctx.args.end() - 1);
  for (std::string_view key : keys) {
    bool error = false;
    ListValue* list = Ready<ListValue>(ctx, key, &error);
    if (error) return;
    if (list == nullptr || list->size() == 0) continue;
    delta::ListRemove rm;
    ctx.reply.Array(2);
    ctx.reply.Bulk(key);
    list->Scan(head ? 0 : list->size() - 1, !head,
               [&](size_t, std::string_view value, const ElemId& id) {
                 ctx.reply.Bulk(value);
                 rm.ids.push_back(id);
                 return false;
               });
    Op op = ctx.NewOp(key);
    op.payload = std::move(rm);
    ctx.Commit(op);
    return;
  }
  Park(ctx, keys, deadline_us);
}

// BZPOPMIN/BZPOPMAX key [key ...] timeout: [key, member, score].
void BlockingZsetPop(CommandContext& ctx, bool max) {
  int64_t deadline_us = 0;
  if (!ParseTimeout(ctx, ctx.args.back(), &deadline_us)) return;
  std::vector<std::string_view> keys(ctx.args.begin() + 1, ctx.args.end() - 1);
  for (std::string_view key : keys) {
    bool error = false;
    ZsetValue* z = Ready<ZsetValue>(ctx, key, &error);
    if (error) return;
    if (z == nullptr || z->size() == 0) continue;
    const ZSetIndex& index = z->index();
    std::string member;
    double score = 0;
    index.ForEachFromRank(max ? index.size() - 1 : 0, max, [&](double s, std::string_view m) {
      member.assign(m);
      score = s;
      return false;
    });
    ctx.reply.Array(3);
    ctx.reply.Bulk(key);
    ctx.reply.Bulk(member);
    ctx.reply.Double(score);
    Op op = ctx.NewOp(key);
    op.payload = delta::ZsetRemove{{member}};
    ctx.Commit(op);
    return;
  }
  Park(ctx, keys, deadline_us);
}

// WAIT numreplicas timeout: how many peers have acknowledged (reported having, in their Have)
// this client's latest write; blocks until numreplicas have or the timeout (ms, 0 = forever)
// passes. Writes are never lost without it: WAIT only tells how far they have spread.
void WaitCommand(CommandContext& ctx) {
  std::optional<int64_t> wanted = ParseInt64(ctx.args[1]);
  if (!wanted) return ctx.reply.Error(err::kNotInteger);
  std::optional<int64_t> timeout_ms = ParseInt64(ctx.args[2]);
  if (!timeout_ms) return ctx.reply.Error("ERR timeout is not an integer or out of range");
  if (*timeout_ms < 0) return ctx.reply.Error("ERR timeout is negative");
  if (*timeout_ms > 0 && *timeout_ms > LLONG_MAX / 1000 - ctx.now_ms)
    return ctx.reply.Error("ERR timeout is out of range");
  const int64_t acked =
      static_cast<int64_t>(ctx.node.PeersAcknowledged(ctx.session.last_write_seq));
  if (acked >= *wanted || ctx.session.in_exec || ctx.session.block_timed_out)
    return ctx.reply.Integer(acked);
  const int64_t deadline_us = *timeout_ms == 0 ? 0 : (ctx.now_ms + *timeout_ms) * 1000;
  ctx.node.BlockForAcks(&ctx.session, ctx.args, deadline_us);
}

// The blocking forms of LMOVE, RPOPLPUSH, LMPOP and ZMPOP run the non-blocking command's own
// handler (from the command table) on the arguments without the timeout, into a scratch reply.
// If it found nothing (it answered its null and wrote nothing) the client blocks instead; on a
// re-run, an error (a key of another type) also keeps it waiting, as Redis serves only keys of
// the right type.
void RunOrPark(CommandContext& ctx, std::string_view inner_name,
               const std::vector<std::string_view>& inner_args,
               const std::vector<std::string_view>& keys, int64_t deadline_us, bool null_array) {
  const CommandSpec* inner = ctx.node.commands().Find(inner_name);
  CHECK(inner != nullptr);
  std::string scratch;
  resp::ReplyBuilder reply(&scratch);
  reply.set_resp3(ctx.reply.resp3());
  const uint64_t before = ctx.node.version_vector().Get(ctx.node.replica_id());
  CommandContext inner_ctx(ctx.node, ctx.session, reply, inner_args, *inner, ctx.now_us);
  inner->handler(inner_ctx);
  const bool wrote = ctx.node.version_vector().Get(ctx.node.replica_id()) != before;
  std::string null_reply;
  resp::ReplyBuilder expected(&null_reply);
  expected.set_resp3(ctx.reply.resp3());
  if (null_array) {
    expected.NullArray();
  } else {
    expected.NullBulk();
  }
  const bool nothing = scratch == null_reply || (ctx.session.blocked && scratch[0] == '-');
  if (wrote || !nothing) {
    ctx.session.output += scratch;
    return;
  }
  Park(ctx, keys, deadline_us, null_array);
}


// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout; BRPOPLPUSH source destination timeout.
void BlmoveGeneric(CommandContext& ctx, std::vector<std::string_view> lmove_args) {
  int64_t deadline_us = 0;
  if (!ParseTimeout(ctx, ctx.args.back(), &deadline_us)) return;
  RunOrPark(ctx, "lmove", lmove_args, {ctx.args[1]}, deadline_us, /*null_array=*/false);
}

void BlmoveCommand(CommandContext& ctx) {
  for (std::string_view where : {ctx.args[3], ctx.args[4]})
    if (!EqualsIgnoreCase(where, "left") && !EqualsIgnoreCase(where, "right"))
      return ctx.reply.Error(err::kSyntax);
  BlmoveGeneric(ctx, {"lmove", ctx.args[1], ctx.args[2], ctx.args[3], ctx.args[4]});
}

void BrpoplpushCommand(CommandContext& ctx) {
  BlmoveGeneric(ctx, {"lmove", ctx.args[1], ctx.args[2], "RIGHT", "LEFT"});
}

// BLMPOP / BZMPOP timeout numkeys key [key ...] <where> [COUNT count].
void BlockingMpop(CommandContext& ctx, std::string_view inner_name) {
  int64_t deadline_us = 0;
  if (!ParseTimeout(ctx, ctx.args[1], &deadline_us)) return;
  std::vector<std::string_view> inner_args{inner_name};
  inner_args.insert(inner_args.end(), ctx.args.begin() + 2, ctx.args.end());
  std::vector<std::string_view> keys;
  std::optional<int64_t> numkeys = ParseInt64(ctx.args[2]);
  if (numkeys && *numkeys > 0 && static_cast<uint64_t>(*numkeys) < ctx.args.size() - 3)
    keys.assign(ctx.args.begin() + 3, ctx.args.begin() + 3 + *numkeys);
  RunOrPark(ctx, inner_name, inner_args, keys, deadline_us, /*null_array=*/true);
}

void BlmpopCommand(CommandContext& ctx) { BlockingMpop(ctx, "lmpop"); }
void BzmpopCommand(CommandContext& ctx) { BlockingMpop(ctx, "zmpop"); }

void BlpopCommand(CommandContext& ctx) { BlockingListPop(ctx, true); }
void BrpopCommand(CommandContext& ctx) { BlockingListPop(ctx, false); }
void BzpopminCommand(CommandContext& ctx) { BlockingZsetPop(ctx, false); }
void BzpopmaxCommand(CommandContext& ctx) { BlockingZsetPop(ctx, true); }

}  // namespace

void RegisterBlockingCommands(CommandTable& t) {
  using namespace cmd;
  CommandRegistrar lists(t, "list");
  lists.Keys("blpop", -3, kWrite | kNoScript | kBlocking, 1, -2, 1, BlpopCommand,
             "Remove and get the first element in a list, or block until one is available",
             "2.0.0", "O(N) where N is the number of provided keys.");
  lists.Keys("brpop", -3, kWrite | kNoScript | kBlocking, 1, -2, 1, BrpopCommand,
             "Remove and get the last element in a list, or block until one is available",
             "2.0.0", "O(N) where N is the number of provided keys.");
  lists.Keys("blmove", 6, kWrite | kDenyOom | kNoScript | kBlocking, 1, 2, 1, BlmoveCommand,
             "Pop an element from a list, push it to another list and return it; or block until "
             "one is available",
             "6.2.0", "O(1)");
  lists.Keys("brpoplpush", 4, kWrite | kDenyOom | kNoScript | kBlocking, 1, 2, 1,
             BrpoplpushCommand,
             "Pop an element from a list, push it to another list and return it; or block until "
             "one is available",
             "2.2.0", "O(1)");
  lists.Keys("blmpop", -5, kWrite | kBlocking, 0, 0, 0, BlmpopCommand,
             "Pop elements from a list, or block until one is available", "7.0.0",
             "O(N+M) where N is the number of provided keys and M is the number of elements "
             "returned.");
  CommandRegistrar generic(t, "generic");
  generic.NoKeys("wait", 3, kNoScript, WaitCommand,
                 "Blocks until the asynchronous replication of all preceding write commands sent "
                 "by the connection is completed.",
                 "3.0.0", "O(1)");
  CommandRegistrar zsets(t, "sorted-set");
  zsets.Keys("bzpopmin", -3, kWrite | kNoScript | kFast | kBlocking, 1, -2, 1, BzpopminCommand,
             "Remove and return the member with the lowest score from one or more sorted sets, "
             "or block until one is available",
             "5.0.0", "O(log(N)) with N being the number of elements in the sorted set.");
  zsets.Keys("bzpopmax", -3, kWrite | kNoScript | kFast | kBlocking, 1, -2, 1, BzpopmaxCommand,
             "Remove and return the member with the highest score from one or more sorted sets, "
             "or block until one is available",
             "5.0.0", "O(log(N)) with N being the number of elements in the sorted set.");
  zsets.Keys("bzmpop", -5, kWrite | kBlocking, 0, 0, 0, BzmpopCommand,
             "Remove and return members with scores in a sorted set or block until one is "
             "available",
             "7.0.0",
             "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of "
             "elements in the sorted set, and M being the number of elements popped.");
}

}  // namespace cordis
