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
  s.in_exec = true;
  for (const auto& cmd : queue) {
    args.assign(cmd.begin(), cmd.end());
    ctx.node.Execute(&s, args, ctx.now_us);
  }
  s.in_exec = false;
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
}

}  // namespace cordis
