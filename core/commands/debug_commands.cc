// DEBUG (guarded by enable-debug-command, as in Redis 7): DIGEST and DIGEST-VALUE compare
// replicas by logical content; SLEEP stalls the server (the driver sleeps after the batch).
#include <cstdlib>
#include <string>

#include "core/base/strings.h"
#include "core/commands/arg_parse.h"
#include "core/keyspace/digest.h"
#include "core/server/command_context.h"

namespace cordis {
namespace {

bool IsLocal(const Session& s) {
  return s.addr.rfind("127.", 0) == 0 || s.addr.rfind("[::1]", 0) == 0 ||
         s.addr.rfind("::1", 0) == 0 || s.addr.empty();
}

bool DebugAllowed(CommandContext& ctx) {
  const std::string& mode = ctx.node.config()["enable-debug-command"];
  return mode == "yes" || (mode == "local" && IsLocal(ctx.session));
}

void DebugCommand(CommandContext& ctx) {
  if (!DebugAllowed(ctx)) {
    return ctx.reply.Error(
        "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", "
        "you can run it from a local connection, otherwise you need to set this option in the "
        "configuration file, and then restart the server.");
  }
  const auto& a = ctx.args;
  std::string_view sub = a[1];
  if (EqualsIgnoreCase(sub, "digest") && a.size() == 2) {
    uint64_t sum = 0;
    for (uint32_t db = 0; db < ctx.node.db_count(); ++db)
      sum += KeyspaceDigest(ctx.node.db(db)) * (db + 1);
    return ctx.reply.Simple(DigestHex(sum));
  }
  if (EqualsIgnoreCase(sub, "digest-value")) {
    ctx.reply.Array(a.size() - 2);
    for (size_t i = 2; i < a.size(); ++i) {
      KeyEntry* e = ctx.Lookup(a[i]);
      ctx.reply.Simple(DigestHex(KeyDigest(ctx.db(), e)));
    }
    return;
  }
  if (EqualsIgnoreCase(sub, "sleep") && a.size() == 3) {
    // Like Redis (strtod): what does not parse sleeps 0 seconds; negatives do not sleep.
    std::string text(a[2]);
    double seconds = std::strtod(text.c_str(), nullptr);
    if (seconds > 0 && seconds < 86400.0 * 365)
      ctx.node.RequestSleep(static_cast<int64_t>(seconds * 1e6));
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "sleep")) {
    return ctx.reply.Error(StrCat("ERR unknown subcommand or wrong number of arguments for '", sub,
                                  "'. Try DEBUG HELP."));
  }
  if (EqualsIgnoreCase(sub, "help")) {
    static constexpr std::string_view kHelp[] = {
        "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DIGEST",
        "    Output a hex signature representing the current DB content.",
        "DIGEST-VALUE <key> [<key> ...]",
        "    Output a hex signature of the values of all the specified keys.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
        "HELP",
        "    Print this help."};
    ctx.ReplyHelp(kHelp);
    return;
  }
  ctx.reply.Error(err::UnknownSubcommand(sub, "debug"));
}

}  // namespace

void RegisterDebugCommands(CommandTable& t) {
  using namespace cmd;
  CommandRegistrar r(t, "server");
  r.NoKeys("debug", -2, kAdmin | kNoScript | kLoading | kStale, DebugCommand,
           "A container for debugging commands.", "1.0.0", "Depends on subcommand.");
}

}  // namespace cordis
