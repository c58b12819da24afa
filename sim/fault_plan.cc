#include "sim/fault_plan.h"

#include "core/base/strings.h"

namespace cordis::sim {

absl::StatusOr<FaultSelection> FaultSelection::Parse(std::string_view spec) {
  FaultSelection sel;
  if (spec == "none" || spec.empty()) return sel;
  size_t pos = 0;
  if (spec == "all" || spec.rfind("all,", 0) == 0) {
    sel.random_ = true;
    sel.on_.fill(true);
    if (spec == "all") return sel;
    pos = 4;
  }
  while (pos <= spec.size()) {
    size_t comma = spec.find(',', pos);
    if (comma == std::string_view::npos) comma = spec.size();
    std::string_view name = spec.substr(pos, comma - pos);
    // After "all", "-kind" leaves a kind out; otherwise names list exactly the kinds on.
    bool exclude = sel.random_ && !name.empty() && name[0] == '-';
    if (exclude) name.remove_prefix(1);
    bool found = false;
    for (size_t i = 0; i < kFaultNames.size(); ++i) {
      if (kFaultNames[i] == name) {
        sel.on_[i] = !exclude;
        found = true;
      }
    }
    if (!found) {
      std::string known;
      for (std::string_view n : kFaultNames) StrAppend(&known, " ", n);
      return absl::InvalidArgumentError(
          StrCat("unknown fault kind '", name, "' (all, all,-kind,..., none, or a list of:", known,
                 ")"));
    }
    pos = comma + 1;
  }
  return sel;
}

std::array<bool, static_cast<int>(Fault::kCount)> FaultSelection::Draw(Prng& rng) const {
  std::array<bool, static_cast<int>(Fault::kCount)> on = on_;
  // Always draw, so a seed's later choices do not depend on the selection's shape.
  for (bool& b : on) {
    bool coin = rng.Chance(0.5);
    if (random_) b = b && coin;
  }
  return on;
}

FaultPlan FaultPlan::Make(const std::array<bool, static_cast<int>(Fault::kCount)>& on,
                          Prng& rng) {
  FaultPlan p;
  p.on = on;
  p.base_latency_us = rng.Range(50, 2'000);
  p.jitter_us = rng.Range(0, 500);
  if (p.is_on(Fault::kLoss)) p.loss = 0.01 * static_cast<double>(rng.Range(1, 30));
  if (p.is_on(Fault::kDuplicate)) p.duplicate = 0.01 * static_cast<double>(rng.Range(1, 20));
  if (p.is_on(Fault::kReorder)) p.jitter_us = rng.Range(5'000, 200'000);
  if (p.is_on(Fault::kLatency)) {
    p.spike_chance = 0.001 * static_cast<double>(rng.Range(1, 50));
    p.spike_us = rng.Range(100'000, 3'000'000);
  }
  return p;
}

std::string FaultPlan::Summary() const {
  std::string out;
  for (size_t i = 0; i < kFaultNames.size(); ++i) {
    if (!on[i]) continue;
    if (!out.empty()) out += ' ';
    StrAppend(&out, kFaultNames[i], "=", fired[i]);
  }
  if (lost_acked > 0) StrAppend(&out, " lost_acked_ops=", lost_acked);
  return out.empty() ? "none" : out;
}

}  // namespace cordis::sim
