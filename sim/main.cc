// cordis-sim: the deterministic simulator's command line (docs/simulation.md).
//
//   cordis-sim --seed 42                 one run, one summary line (and a report on failure)
//   cordis-sim --seeds 1..200 --jobs 2   a sweep, each seed in its own process, output by seed
//   --nodes N --ops K --faults all|none|kind,kind  the shape; --mutate NAME injects a known bug
//
// Exit status: 0 if every seed passed, 1 if any failed, 2 on bad flags.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "core/base/mutation.h"
#include "core/base/strings.h"
#include "sim/simulation.h"

ABSL_FLAG(uint64_t, seed, 1, "run this one seed");
ABSL_FLAG(std::string, seeds, "", "sweep a range of seeds, A..B inclusive");
ABSL_FLAG(int, nodes, 3, "replicas (2-8)");
ABSL_FLAG(int, ops, 1000, "client requests in the safety phase");
ABSL_FLAG(std::string, faults, "all",
          "all (each kind on with probability 1/2 per seed), none, or a comma list of kinds: "
          "latency,loss,dup,reorder,asym,partition,clog,skew,drift,jump,crash,tiny_batch,"
          "small_log,snapshot,storm,small_buffer");
ABSL_FLAG(std::string, mutate, "",
          "inject a known bug: lww_tie, counter_drop, orset_remove, causal_early");
ABSL_FLAG(bool, lists, true,
          "issue list commands (--nolists sidesteps the open list state-join bug, see "
          "docs/simulation.md)");
ABSL_FLAG(int, jobs, 0, "parallel processes for --seeds (0 = one per core)");
ABSL_FLAG(int, trace_lines, 30, "on failure, how many events touching the failing key to print");
ABSL_FLAG(bool, dump_history, false, "print every recorded event after the run (debugging)");
ABSL_FLAG(bool, machine_crash_with_no, false,
          "also machine-crash replicas running appendfsync no (a known hazard, see "
          "docs/simulation.md)");
ABSL_FLAG(bool, require_coverage, false,
          "a sweep fails unless every fault kind it allows fired and every command family ran");
ABSL_FLAG(int, seed_timeout, 0,
          "in a sweep, a seed still running after this many seconds of CPU fails (0: no limit)");
ABSL_FLAG(bool, stop_on_failure, false, "in a sweep, start no new seeds after a failure");

namespace cordis::sim {
namespace {

Simulation* g_running = nullptr;

void OnAbort(int) {
  // A core CHECK failed (it printed itself to stderr): say which seed and how to rerun it.
  if (g_running != nullptr) {
    std::string report = g_running->CrashReport();
    std::fwrite(report.data(), 1, report.size(), stdout);
    std::fflush(stdout);
  }
  std::signal(SIGABRT, SIG_DFL);
  std::abort();
}

std::string Rerun(uint64_t seed) {
  std::string cmd = StrCat("cordis-sim --seed ", seed, " --nodes ", absl::GetFlag(FLAGS_nodes),
                           " --ops ", absl::GetFlag(FLAGS_ops), " --faults ",
                           absl::GetFlag(FLAGS_faults));
  if (!absl::GetFlag(FLAGS_lists)) cmd += " --nolists";
  if (absl::GetFlag(FLAGS_machine_crash_with_no)) cmd += " --machine_crash_with_no";
  if (!absl::GetFlag(FLAGS_mutate).empty())
    StrAppend(&cmd, " --mutate ", absl::GetFlag(FLAGS_mutate));
  return cmd;
}

// Runs one seed in this process and prints its result; true if it passed.
bool RunSeed(uint64_t seed, const FaultSelection& faults) {
  SimOptions o;
  o.seed = seed;
  o.nodes = absl::GetFlag(FLAGS_nodes);
  o.ops = absl::GetFlag(FLAGS_ops);
  o.faults = faults;
  o.lists = absl::GetFlag(FLAGS_lists);
  o.rerun = Rerun(seed);
  o.trace_lines = static_cast<size_t>(std::max(1, absl::GetFlag(FLAGS_trace_lines)));
  o.dump_history = absl::GetFlag(FLAGS_dump_history);
  o.machine_crash_with_no = absl::GetFlag(FLAGS_machine_crash_with_no);
  Simulation sim(o);
  g_running = &sim;
  std::signal(SIGABRT, OnAbort);
  SimResult r = sim.Run();
  g_running = nullptr;
  std::printf("%s\n%s", r.summary.c_str(), r.detail.c_str());
  std::fflush(stdout);
  return r.ok;
}

// What a sweep exercised, read back from the children's summary lines
// ("... faults[loss=12 dup=0 ...] families[strings,counters] ...").
struct Coverage {
  std::set<std::string> fired;
  std::set<std::string> families;

  void Add(const std::string& summary) {
    std::string faults = Field(summary, "faults[");
    size_t pos = 0;
    while (pos < faults.size()) {
      size_t end = faults.find(' ', pos);
      if (end == std::string::npos) end = faults.size();
      std::string item = faults.substr(pos, end - pos);
      size_t eq = item.find('=');
      if (eq != std::string::npos && item.substr(eq + 1) != "0") fired.insert(item.substr(0, eq));
      pos = end + 1;
    }
    std::string fams = Field(summary, "families[");
    pos = 0;
    while (pos < fams.size()) {
      size_t end = fams.find(',', pos);
      if (end == std::string::npos) end = fams.size();
      families.insert(fams.substr(pos, end - pos));
      pos = end + 1;
    }
  }
  static std::string Field(const std::string& line, const std::string& open) {
    size_t a = line.find(open);
    if (a == std::string::npos) return "";
    a += open.size();
    size_t b = line.find(']', a);
    return b == std::string::npos ? "" : line.substr(a, b - a);
  }
  // One line; false if something the sweep should have covered is missing.
  bool Report(const FaultSelection& sel, std::string* out) const {
    std::string missing;
    for (size_t i = 0; i < kFaultNames.size(); ++i) {
      std::string name(kFaultNames[i]);
      if (sel.Allows(i) && !fired.contains(name)) StrAppend(&missing, " fault:", name);
    }
    for (const char* f : {"strings", "counters", "lists", "sets", "hashes", "zsets", "ttl", "del",
                          "flush", "multi"}) {
      if (std::string(f) == "lists" && !absl::GetFlag(FLAGS_lists)) continue;
      if (!families.contains(f)) StrAppend(&missing, " family:", f);
    }
    std::string kinds, fams;
    for (const std::string& k : fired) StrAppend(&kinds, kinds.empty() ? "" : ",", k);
    for (const std::string& f : families) StrAppend(&fams, fams.empty() ? "" : ",", f);
    *out = StrCat("coverage: faults fired [", kinds, "] families [", fams, "] missing [",
                  missing.empty() ? "" : missing.substr(1), "]\n");
    return missing.empty();
  }
};

struct Child {
  uint64_t seed = 0;
  pid_t pid = 0;
  FILE* out = nullptr;
  bool done = false;
  bool ok = false;
  int signal = 0;
};

// Each seed runs in a forked process writing to its own temporary file, so a CHECK abort fails
// that seed only; results print in seed order.
// Forks a process that runs one seed with its output going to a temporary file.
bool StartChild(uint64_t seed, const FaultSelection& faults, Child* child) {
  FILE* out = std::tmpfile();
  if (out == nullptr) {
    std::perror("tmpfile");
    return false;
  }
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) {
    std::perror("fork");
    return false;
  }
  if (pid == 0) {
    dup2(fileno(out), 1);
    dup2(fileno(out), 2);
    // A run that blows up (state growing without bound) must not hang the sweep.
    if (int limit = absl::GetFlag(FLAGS_seed_timeout); limit > 0) {
      rlimit cpu{static_cast<rlim_t>(limit), static_cast<rlim_t>(limit) + 5};
      setrlimit(RLIMIT_CPU, &cpu);
    }
    bool ok = RunSeed(seed, faults);
    std::fflush(stdout);
    _exit(ok ? 0 : 1);
  }
  *child = Child{seed, pid, out};
  return true;
}

// What a finished child printed, plus a failure line if it died without printing one.
std::string ChildOutput(Child& c) {
  std::rewind(c.out);
  char buf[4096];
  size_t n;
  std::string text;
  while ((n = std::fread(buf, 1, sizeof(buf), c.out)) > 0) text.append(buf, n);
  std::fclose(c.out);
  if (!c.ok && text.find("FAIL seed") == std::string::npos) {
    StrAppend(&text, "FAIL seed ", c.seed, ": ",
              c.signal == SIGXCPU ? "ran out of --seed_timeout CPU seconds" : "the run died",
              c.signal != 0 ? StrCat(" (signal ", c.signal, ")") : "", "\nrerun: ", Rerun(c.seed),
              "\n");
  }
  return text;
}

int Sweep(uint64_t first, uint64_t last, const FaultSelection& faults) {
  int jobs = absl::GetFlag(FLAGS_jobs);
  if (jobs <= 0) jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<Child> children;
  size_t next_print = 0, running = 0;
  uint64_t next_seed = first;
  std::vector<uint64_t> failed;
  Coverage coverage;
  auto print_ready = [&] {
    while (next_print < children.size() && children[next_print].done) {
      std::string text = ChildOutput(children[next_print++]);
      coverage.Add(text.substr(0, text.find('\n')));
      std::fwrite(text.data(), 1, text.size(), stdout);
      std::fflush(stdout);
    }
  };
  while (next_seed <= last || running > 0) {
    bool stop = absl::GetFlag(FLAGS_stop_on_failure) && !failed.empty();
    if (next_seed <= last && !stop && running < static_cast<size_t>(jobs)) {
      Child c;
      if (!StartChild(next_seed++, faults, &c)) return 2;
      children.push_back(c);
      ++running;
      continue;
    }
    if (running == 0) break;
    int status = 0;
    pid_t pid = wait(&status);
    for (Child& c : children) {
      if (c.pid != pid || c.done) continue;
      c.done = true;
      c.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
      if (WIFSIGNALED(status)) c.signal = WTERMSIG(status);
      if (!c.ok) failed.push_back(c.seed);
      --running;
    }
    print_ready();
  }
  print_ready();
  std::sort(failed.begin(), failed.end());
  std::string list;
  for (uint64_t s : failed) StrAppend(&list, " ", s);
  std::printf("sweep %llu..%llu: %zu runs, %zu failed%s%s\n",
              static_cast<unsigned long long>(first), static_cast<unsigned long long>(last),
              children.size(), failed.size(), failed.empty() ? "" : ":", list.c_str());
  std::string cov;
  bool covered = coverage.Report(faults, &cov);
  std::fputs(cov.c_str(), stdout);
  if (!covered && absl::GetFlag(FLAGS_require_coverage)) {
    std::printf("FAIL: the sweep did not cover everything it should (--require_coverage)\n");
    return 1;
  }
  return failed.empty() ? 0 : 1;
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Cordis deterministic simulator (docs/simulation.md)");
  absl::ParseCommandLine(argc, argv);
  int nodes = absl::GetFlag(FLAGS_nodes);
  if (nodes < 2 || nodes > 8 || absl::GetFlag(FLAGS_ops) < 1) {
    std::fprintf(stderr, "cordis-sim: --nodes must be 2-8 and --ops at least 1\n");
    return 2;
  }
  absl::StatusOr<FaultSelection> faults = FaultSelection::Parse(absl::GetFlag(FLAGS_faults));
  if (!faults.ok()) {
    std::fprintf(stderr, "cordis-sim: --faults: %s\n", faults.status().ToString().c_str());
    return 2;
  }
  std::string mutate = absl::GetFlag(FLAGS_mutate);
  if (!mutate.empty()) {
    std::optional<Mutation> m = ParseMutation(mutate);
    if (!m) {
      std::fprintf(stderr,
                   "cordis-sim: --mutate: unknown bug '%s' (lww_tie, counter_drop, orset_remove, "
                   "causal_early)\n",
                   mutate.c_str());
      return 2;
    }
    SetMutationForTesting(*m);
  }
  std::string range = absl::GetFlag(FLAGS_seeds);
  if (range.empty()) return RunSeed(absl::GetFlag(FLAGS_seed), *faults) ? 0 : 1;
  size_t dots = range.find("..");
  unsigned long long a = 0, b = 0;
  if (dots == std::string::npos || std::sscanf(range.c_str(), "%llu", &a) != 1 ||
      std::sscanf(range.c_str() + dots + 2, "%llu", &b) != 1 || a > b) {
    std::fprintf(stderr, "cordis-sim: --seeds wants A..B with A <= B, got '%s'\n", range.c_str());
    return 2;
  }
  return Sweep(a, b, *faults);
}

}  // namespace
}  // namespace cordis::sim

int main(int argc, char** argv) { return cordis::sim::Main(argc, argv); }
