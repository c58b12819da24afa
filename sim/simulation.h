// One simulated run: N real cordis::Nodes on virtual time, driven by one seed.
//
//   setup    draw the fault plan, per-node clocks and replication options (BUGGIFY), open clients
//   safety   clients issue `ops` random requests to random replicas while the nemesis injects the
//            plan's faults (network, clocks, crashes, forced snapshots, retransmit storms)
//   liveness every fault heals; within a bounded virtual time all replicas must reach the same
//            version vector and the same digest in every database
//   check    reply sanity was checked as the run went; now the per-type oracles (checkers.h)
//
// Every choice comes from one Prng seeded with the seed, events run in (time, sequence) order,
// and nothing reads the wall clock, so one seed always gives byte-identical output.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/base/prng.h"
#include "core/server/node.h"
#include "sim/checkers.h"
#include "sim/event_queue.h"
#include "sim/fault_plan.h"
#include "sim/history.h"
#include "sim/network.h"
#include "sim/sim_process.h"
#include "sim/sim_clock.h"
#include "sim/workload.h"

namespace cordis::sim {

struct SimOptions {
  uint64_t seed = 1;
  int nodes = 3;
  int ops = 1000;
  FaultSelection faults;
  bool lists = true;  // list commands in the workload
  size_t trace_lines = 30;
  bool dump_history = false;
  // Machine crashes also for appendfsync no, whose "durable" means only "reached the OS": shows
  // the sequence-number reuse hazard (docs/simulation.md); off in every sweep.
  bool machine_crash_with_no = false;  // SimResult::detail gets every event  // events shown for the failing key
  std::string rerun;  // the command line that reproduces this run (printed on failure)
};

struct SimResult {
  bool ok = true;
  std::string summary;  // one line
  std::string detail;   // on failure: what, how to rerun, the trace
};

class Simulation {
 public:
  explicit Simulation(SimOptions opts);
  ~Simulation();
  SimResult Run();

  // For the abort handler: a core CHECK failed in the middle of this run.
  std::string CrashReport() const;

 private:
  struct Client {
    int node = 0;
    Session* session = nullptr;
  };

  void Setup();
  void LivenessPhase();
  SimResult Result() const;
  void StartNode(int i);
  void CrashNode(int i);
  void AfterBatch(int i, bool client);
  void MarkLost(int i, uint64_t recovered_seq);
  void SchedulePeriodic(int i);
  void ScheduleClient(int c);
  void RunClient(int c);
  bool RunRequest(int c, int node, Session* session, const Request& r);
  void CaptureOps(int node, uint64_t from_pos, HistoryEntry* e);
  std::optional<std::string> CheckReplies(const Request& r, const std::vector<Reply>& replies);
  void Collect(int i);
  void Deliver(int to, const std::string& bytes);
  void Nemesis();
  void StartPartition();
  void Swizzle();
  void Heal();
  bool SameOps();
  std::string ReplicaStates();
  bool Converged();
  std::optional<Failure> Divergence();
  std::optional<Failure> ExpiredKeysLeft();
  Reply Query(int node, uint32_t db, const std::vector<std::string>& args);
  int64_t NodeNow(int i) const { return clocks_[i].Now(queue_.now_us()); }
  void Fail(Failure f);
  std::string Summary(const char* result) const;

  SimOptions opts_;
  Prng rng_;
  EventQueue queue_;
  FaultPlan plan_;
  std::unique_ptr<Network> network_;
  Workload workload_;
  History history_;
  std::vector<SimClock> clocks_;
  std::vector<NodeOptions> node_opts_;
  std::vector<std::unique_ptr<SimProcess>> procs_;
  std::vector<Node*> nodes_;  // procs_[i]->node(), nullptr while replica i is down
  std::vector<uint64_t> acked_seq_;  // per node: its highest own op a client got a reply for
  std::vector<uint64_t> last_hlc_;  // per node: the HLC must only grow
  std::vector<Client> clients_;
  int issued_ = 0;
  bool healing_ = false;
  bool partitioned_ = false;
  bool swizzling_ = false;
  int64_t think_us_ = 0;
  int64_t heal_at_us_ = 0;
  std::optional<Failure> failure_;
  std::string running_request_;  // for the crash report
};

}  // namespace cordis::sim
