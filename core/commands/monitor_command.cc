// MONITOR: the session streams every command the server runs (Node::FeedMonitors).
#include "core/server/command_context.h"

namespace cordis {
namespace {

void MonitorCommand(CommandContext& ctx) {
  // A client running a MULTI queue expects one reply per command (Redis's DENY BLOCKING rule).
  if (ctx.session.in_exec) return ctx.reply.Error("ERR MONITOR isn't allowed for DENY BLOCKING client");
  if (ctx.session.monitor) return;  // already monitoring: Redis answers nothing
  ctx.reply.Ok();
  ctx.node.AddMonitor(&ctx.session);
}

}  // namespace

void RegisterMonitorCommand(CommandTable& t) {
  using namespace cmd;
  CommandRegistrar r(t, "server");
  r.NoKeys("monitor", 1, kAdmin | kNoScript | kLoading | kStale, MonitorCommand,
           "Listens for all requests received by the server in real-time.", "1.0.0", "");
}

}  // namespace cordis
