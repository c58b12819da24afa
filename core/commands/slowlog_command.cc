// SLOWLOG GET/LEN/RESET/HELP over the node's SlowLog (core/server/slowlog.h); commands are timed
// in Node::Dispatch with the driver's monotonic clock.
#include "core/base/strings.h"
#include "core/commands/arg_parse.h"
#include "core/server/command_context.h"

namespace cordis {
namespace {

void SlowlogCommand(CommandContext& ctx) {
  const auto& a = ctx.args;
  std::string_view sub = a[1];
  SlowLog& log = ctx.node.slowlog();
  if (EqualsIgnoreCase(sub, "get") && a.size() <= 3) {
    int64_t count = 10;
    if (a.size() == 3) {
      std::optional<int64_t> n = ParseInt64(a[2]);
      if (!n || *n < -1) return ctx.reply.Error("ERR count should be greater than or equal to -1");
      count = *n == -1 ? static_cast<int64_t>(log.entries().size()) : *n;
    }
    size_t n = std::min(log.entries().size(), static_cast<size_t>(count));
    ctx.reply.Array(n);
    for (size_t i = 0; i < n; ++i) {
      const SlowLog::Entry& e = log.entries()[i];
      ctx.reply.Array(6);
      ctx.reply.Integer(static_cast<int64_t>(e.id));
      ctx.reply.Integer(e.unix_s);
      ctx.reply.Integer(e.duration_us);
      ctx.reply.Array(e.args.size());
      for (const std::string& arg : e.args) ctx.reply.Bulk(arg);
      ctx.reply.Bulk(e.client_addr);
      ctx.reply.Bulk(e.client_name);
    }
    return;
  }
  if (EqualsIgnoreCase(sub, "len") && a.size() == 2)
    return ctx.reply.Integer(static_cast<int64_t>(log.entries().size()));
  if (EqualsIgnoreCase(sub, "reset") && a.size() == 2) {
    log.Reset();
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "help") && a.size() == 2) {
    static constexpr std::string_view kHelp[] = {
        "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        "HELP",
        "    Prints this help."};
    return ctx.ReplyHelp(kHelp);
  }
  // GET takes an optional count and checks its own arity, with its own message (as Redis does);
  // the others have a fixed arity.
  if (EqualsIgnoreCase(sub, "get"))
    return ctx.reply.Error(StrCat("ERR unknown subcommand or wrong number of arguments for '", sub,
                                  "'. Try SLOWLOG HELP."));
  ctx.reply.Error(err::SubcommandError("slowlog", sub, {"len", "reset", "help"}));
}

}  // namespace

void RegisterSlowlogCommand(CommandTable& t) {
  using namespace cmd;
  CommandRegistrar r(t, "server");
  r.NoKeys("slowlog", -2, kAdmin | kRandom | kLoading | kStale, SlowlogCommand,
           "A container for slow log commands.", "2.2.12", "Depends on subcommand.");
}

}  // namespace cordis
