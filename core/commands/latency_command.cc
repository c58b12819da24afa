// LATENCY LATEST/HISTORY/RESET/DOCTOR/GRAPH/HELP over the node's LatencyMonitor
// (core/server/latency_monitor.h). Events recorded here: "command" and "fast-command".
#include <cmath>

#include "core/base/strings.h"
#include "core/server/command_context.h"

namespace cordis {
namespace {

std::string Doctor(const CommandContext& ctx, const LatencyMonitor& mon) {
  auto it = ctx.node.config().find("latency-monitor-threshold");
  bool enabled = it != ctx.node.config().end() && it->second != "0";
  if (mon.events().empty() && !enabled) {
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis "
           "instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in "
           "order to enable it. If we weren't in a deep space mission I'd suggest to take a look "
           "at https://redis.io/topics/latency-monitor.\n";
  }
  if (mon.events().empty()) {
    return "Dave, no latency spike was observed during the lifetime of this Redis instance, not "
           "in the slightest bit. I honestly think you ought to sleep tonight.\n";
  }
  std::string out =
      "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about "
      "it, do you Dave?\n\n";
  int i = 0;
  for (const auto& [name, series] : mon.events()) {
    double sum = 0;
    for (const auto& s : series.samples) sum += static_cast<double>(s.ms);
    const double n = static_cast<double>(series.samples.size());
    const double avg = sum / n;
    double dev = 0;
    for (const auto& s : series.samples) dev += std::fabs(static_cast<double>(s.ms) - avg);
    dev /= n;
    double period = 0;
    if (series.samples.size() > 1) {
      period = static_cast<double>(series.samples.back().unix_s - series.samples.front().unix_s) /
               (n - 1);
    }
    char line[256];
    std::snprintf(line, sizeof line,
                  "%d. %s: %zu latency spikes (average %lldms, mean deviation %lldms, period "
                  "%.2f sec). Worst all time event %lldms.\n",
                  ++i, name.c_str(), series.samples.size(), static_cast<long long>(avg),
                  static_cast<long long>(dev), period > 0 ? period : 1.0,
                  static_cast<long long>(series.max_ms));
    out += line;
  }
  out +=
      "\nThe slowest commands are in SLOWLOG GET; DEBUG SLEEP and large values (KEYS, SORT, "
      "SMEMBERS of big sets) are the usual causes.\n";
  return out;
}

void LatencyCommand(CommandContext& ctx) {
  const auto& a = ctx.args;
  std::string_view sub = a[1];
  LatencyMonitor& mon = ctx.node.latency();
  if (EqualsIgnoreCase(sub, "latest") && a.size() == 2) {
    ctx.reply.Array(mon.events().size());
    for (const auto& [name, series] : mon.events()) {
      ctx.reply.Array(4);
      ctx.reply.Bulk(name);
      ctx.reply.Integer(series.samples.back().unix_s);
      ctx.reply.Integer(series.samples.back().ms);
      ctx.reply.Integer(series.max_ms);
    }
    return;
  }
  if (EqualsIgnoreCase(sub, "history") && a.size() == 3) {
    auto it = mon.events().find(std::string(a[2]));
    if (it == mon.events().end()) return ctx.reply.Array(0);
    ctx.reply.Array(it->second.samples.size());
    for (const auto& s : it->second.samples) {
      ctx.reply.Array(2);
      ctx.reply.Integer(s.unix_s);
      ctx.reply.Integer(s.ms);
    }
    return;
  }
  if (EqualsIgnoreCase(sub, "reset")) {
    if (a.size() == 2) return ctx.reply.Integer(static_cast<int64_t>(mon.Reset()));
    size_t n = 0;
    for (size_t i = 2; i < a.size(); ++i) n += mon.Reset(std::string(a[i]));
    return ctx.reply.Integer(static_cast<int64_t>(n));
  }
  if (EqualsIgnoreCase(sub, "doctor") && a.size() == 2) return ctx.reply.Bulk(Doctor(ctx, mon));
  if (EqualsIgnoreCase(sub, "graph") && a.size() == 3) {
    auto it = mon.events().find(std::string(a[2]));
    if (it == mon.events().end())
      return ctx.reply.Error(StrCat("ERR No samples available for event '", a[2], "'"));
    // A plain listing rather than Redis's ASCII chart: one line per sample.
    std::string out = StrCat(a[2], " - all time high ", it->second.max_ms, " ms\n");
    for (const auto& s : it->second.samples) StrAppend(&out, s.unix_s, " ", s.ms, " ms\n");
    return ctx.reply.Bulk(out);
  }
  if (EqualsIgnoreCase(sub, "help") && a.size() == 2) {
    static constexpr std::string_view kHelp[] = {
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HELP",
        "    Prints this help."};
    return ctx.ReplyHelp(kHelp);
  }
  ctx.reply.Error(
      err::SubcommandError("latency", sub, {"latest", "history", "doctor", "graph", "help"}));
}

}  // namespace

void RegisterLatencyCommand(CommandTable& t) {
  using namespace cmd;
  CommandRegistrar r(t, "server");
  r.NoKeys("latency", -2, kAdmin | kNoScript | kLoading | kStale, LatencyCommand,
           "A container for latency diagnostics commands.", "2.8.13", "Depends on subcommand.");
}

}  // namespace cordis
