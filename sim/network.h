// The simulated network between replicas. Every message travels as bytes (the serialized
// pb::PeerMessage, its wire form) and may be lost, duplicated, delayed (latency distribution with
// spikes; wide jitter reorders), held by a clogged link until it unclogs, or cut by a partition.
// Links are directional: a partition can be one-way and each direction has its own latency and
// loss when asymmetry is on.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "core/base/prng.h"
#include "sim/event_queue.h"
#include "sim/fault_plan.h"

namespace cordis::sim {

struct NetworkStats {
  uint64_t sent = 0;
  uint64_t delivered = 0;
  uint64_t bytes = 0;
};

class Network {
 public:
  // deliver(to_index, bytes) is called at delivery time; node indexes are 0-based.
  using DeliverFn = std::function<void(int to, const std::string& bytes)>;

  Network(int nodes, FaultPlan* plan, Prng* rng, EventQueue* queue, DeliverFn deliver);

  void Send(int from, int to, std::string bytes);

  // Partitions: cut[from][to] drops every message on that direction (in flight too).
  void Cut(int from, int to) { link(from, to).cut = true; }
  void Uncut(int from, int to) { link(from, to).cut = false; }
  bool IsCut(int from, int to) const { return links_[from * n_ + to].cut; }
  // Clogging: messages wait on the link until it unclogs.
  void Clog(int from, int to) { link(from, to).clogged = true; }
  void Unclog(int from, int to);
  // Heals every link: no cuts, no clogs, no asymmetry; rates come from the (healed) plan.
  void HealAll();
  int size() const { return n_; }
  const NetworkStats& stats() const { return stats_; }

 private:
  struct Link {
    bool cut = false;
    bool clogged = false;
    int64_t extra_latency_us = 0;  // asymmetry
    double extra_loss = 0;
    std::deque<std::string> held;  // messages waiting for a clogged link
  };
  Link& link(int from, int to) { return links_[from * n_ + to]; }
  void Schedule(int from, int to, std::string bytes);
  int64_t Latency(const Link& l);

  int n_;
  FaultPlan* plan_;
  Prng* rng_;
  EventQueue* queue_;
  DeliverFn deliver_;
  std::vector<Link> links_;
  NetworkStats stats_;
};

}  // namespace cordis::sim
