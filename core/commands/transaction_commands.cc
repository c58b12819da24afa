// MULTI / EXEC / DISCARD: commands queue in the session and EXEC runs them back to back. The
// event loop runs one command at a time, so the batch is atomic on this replica.
#include "core/server/command_context.h"

namespace cordis {
namespace {

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
  if (aborted) return ctx.reply.Error(err::kExecAbort);
  ctx.reply.Array(queue.size());
  std::vector<std::string_view> args;
  for (const auto& cmd : queue) {
    args.assign(cmd.begin(), cmd.end());
    ctx.node.Execute(&s, args, ctx.now_us);
  }
}

}  // namespace

void RegisterTransactionCommands(CommandTable& t) {
  using namespace cmd;
  t.Add({.name = "multi", .arity = 1, .flags = kNoScript | kLoading | kStale | kFast | kNoMulti,
         .handler = MultiCommand, .group = "transactions",
         .summary = "Starts a transaction.", .since = "1.2.0"});
  t.Add({.name = "exec", .arity = 1, .flags = kNoScript | kLoading | kStale | kSkipSlowlog,
         .handler = ExecCommand, .group = "transactions",
         .summary = "Executes all commands in a transaction.", .since = "1.2.0",
         .complexity = "Depends on commands in the transaction"});
  t.Add({.name = "discard", .arity = 1, .flags = kNoScript | kLoading | kStale | kFast,
         .handler = DiscardCommand, .group = "transactions",
         .summary = "Discards a transaction.", .since = "2.0.0",
         .complexity = "O(N) when N is the number of queued commands"});
}

}  // namespace cordis
