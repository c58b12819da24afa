#include "sim/network.h"

namespace cordis::sim {

Network::Network(int nodes, FaultPlan* plan, Prng* rng, EventQueue* queue, DeliverFn deliver)
    : n_(nodes), plan_(plan), rng_(rng), queue_(queue), deliver_(std::move(deliver)) {
  links_.resize(static_cast<size_t>(n_ * n_));
  if (plan_->is_on(Fault::kAsymmetric)) {
    for (Link& l : links_) {
      l.extra_latency_us = rng_->Chance(0.5) ? rng_->Range(0, 50'000) : 0;
      l.extra_loss = rng_->Chance(0.3) ? 0.01 * static_cast<double>(rng_->Range(1, 40)) : 0;
    }
  }
}

int64_t Network::Latency(const Link& l) {
  int64_t d = plan_->base_latency_us + rng_->Range(0, plan_->jitter_us) + l.extra_latency_us;
  if (plan_->spike_chance > 0 && rng_->Chance(plan_->spike_chance)) {
    d += rng_->Range(0, plan_->spike_us);
    plan_->Fire(Fault::kLatency);
  }
  return d;
}

void Network::Send(int from, int to, std::string bytes) {
  ++stats_.sent;
  stats_.bytes += bytes.size();
  Link& l = link(from, to);
  if (l.cut) {
    plan_->Fire(Fault::kPartition);
    return;
  }
  if (plan_->loss > 0 && rng_->Chance(plan_->loss)) {
    plan_->Fire(Fault::kLoss);
    return;
  }
  if (l.extra_loss > 0 && rng_->Chance(l.extra_loss)) {
    plan_->Fire(Fault::kAsymmetric);
    return;
  }
  if (plan_->duplicate > 0 && rng_->Chance(plan_->duplicate)) {
    plan_->Fire(Fault::kDuplicate);
    Schedule(from, to, bytes);
  }
  Schedule(from, to, std::move(bytes));
}

void Network::Schedule(int from, int to, std::string bytes) {
  Link& l = link(from, to);
  if (l.clogged) {
    plan_->Fire(Fault::kClog);
    l.held.push_back(std::move(bytes));
    return;
  }
  int64_t delay = Latency(l);
  queue_->After(delay, [this, from, to, b = std::move(bytes)] {
    if (link(from, to).cut) {  // cut while in flight
      plan_->Fire(Fault::kPartition);
      return;
    }
    ++stats_.delivered;
    deliver_(to, b);
  });
}

void Network::Unclog(int from, int to) {
  Link& l = link(from, to);
  l.clogged = false;
  std::deque<std::string> held;
  held.swap(l.held);
  for (std::string& b : held) Schedule(from, to, std::move(b));
}

void Network::HealAll() {
  for (int a = 0; a < n_; ++a) {
    for (int b = 0; b < n_; ++b) {
      Link& l = link(a, b);
      l.cut = false;
      l.extra_latency_us = 0;
      l.extra_loss = 0;
      if (l.clogged) Unclog(a, b);
    }
  }
}

}  // namespace cordis::sim
