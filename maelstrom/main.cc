// cordis-maelstrom: a Cordis replica as a Maelstrom node (JSON lines on stdin/stdout, logs on
// stderr). See docs/maelstrom.md.
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "maelstrom/adapter.h"
#include "maelstrom/stdio_loop.h"
#include "spdlog/sinks/stdout_color_sinks.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, workload, "auto",
          "auto, g-counter, pn-counter, g-set or broadcast: fixes what a bare `read` returns "
          "(auto detects it from the requests and replicated state)");
ABSL_FLAG(std::string, bug, "none",
          "Deliberate fault for checker tests: none, drop-remote-deltas, lin-kv-every-node");
ABSL_FLAG(int64_t, tick_ms, 100, "Replication tick period in milliseconds (anti-entropy rounds)");
ABSL_FLAG(uint64_t, max_log_entries, 1'000'000,
          "Oplog length beyond which the oldest ops leave; peers that lack them get a snapshot "
          "(small values exercise snapshot transfers)");
ABSL_FLAG(uint64_t, seed, 0, "PRNG seed for the core (0: from the clock)");
ABSL_FLAG(std::string, loglevel, "info", "trace, debug, info, warn, error, critical or off");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Cordis as a Maelstrom node.\n"
      "Usage: maelstrom test -w g-counter --bin cordis-maelstrom --node-count 3 ...");
  absl::ParseCommandLine(argc, argv);
  // stdout carries protocol lines only: every log goes to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("cordis-maelstrom"));
  spdlog::set_pattern("%H:%M:%S.%e %^%l%$ %v");
  auto level = spdlog::level::from_str(absl::GetFlag(FLAGS_loglevel));
  if (level == spdlog::level::off && absl::GetFlag(FLAGS_loglevel) != "off") {
    spdlog::error("unknown --loglevel '{}'", absl::GetFlag(FLAGS_loglevel));
    return 2;
  }
  spdlog::set_level(level);

  cordis::maelstrom::AdapterOptions opts;
  auto workload = cordis::maelstrom::ParseWorkload(absl::GetFlag(FLAGS_workload));
  auto bug = cordis::maelstrom::ParseBug(absl::GetFlag(FLAGS_bug));
  if (!workload.ok() || !bug.ok()) {
    spdlog::error("{}", !workload.ok() ? workload.status().ToString() : bug.status().ToString());
    return 2;
  }
  if (absl::GetFlag(FLAGS_tick_ms) < 1) {
    spdlog::error("--tick_ms must be at least 1");
    return 2;
  }
  opts.workload = *workload;
  opts.bug = *bug;
  opts.seed = absl::GetFlag(FLAGS_seed);
  if (absl::GetFlag(FLAGS_max_log_entries) < 1) {
    spdlog::error("--max_log_entries must be at least 1");
    return 2;
  }
  opts.replication.max_log_entries = absl::GetFlag(FLAGS_max_log_entries);
  if (opts.seed == 0) opts.seed = static_cast<uint64_t>(cordis::maelstrom::WallNowUs());
  if (opts.bug != cordis::maelstrom::Bug::kNone)
    spdlog::warn("running with deliberate bug --bug={}", absl::GetFlag(FLAGS_bug));

  cordis::maelstrom::Adapter adapter(opts, cordis::maelstrom::WriteStdoutLine);
  return cordis::maelstrom::RunStdioLoop(&adapter, absl::GetFlag(FLAGS_tick_ms));
}
