// Helpers shared by the value-state codecs (the EncodeState/DecodeState members of the CRDT
// classes, defined in core/crdt/*_state.cc; format in proto/cordis/state.proto). Decoders
// validate everything and return kDataLoss on bad input: a peer or a file can send anything.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "cordis/state.pb.h"
#include "core/crdt/counter.h"
#include "core/crdt/dot.h"

namespace cordis::state {

absl::Status Corrupt(std::string_view what);  // kDataLoss "value state: <what>"

bool ValidDot(const Dot& d);  // replica and seq both nonzero

void EncodeTag(const Dot& dot, const Stamp& stamp, pb::Tag* out);
absl::Status DecodeTag(const pb::Tag& in, Dot* dot, Stamp* stamp);

// True if no dot occurs twice (sorts its argument).
bool UniqueDots(std::vector<Dot> dots);

// A long double as its 10 significant bytes (x86-64 80-bit extended precision).
std::string LongDoubleBytes(long double v);
bool ParseLongDoubleBytes(const std::string& s, long double* v);

template <typename T>
void EncodeCounter(const Counter<T>& c, pb::CounterState* out) {
  for (const auto& inc : c.pending()) {
    pb::CounterState::Increment* p = out->add_pending();
    p->set_replica(inc.dot.replica);
    p->set_seq(inc.dot.seq);
    p->set_hlc(inc.hlc);
    if constexpr (std::is_integral_v<T>) {
      p->set_delta(inc.delta);
    } else {
      p->set_float_delta(LongDoubleBytes(inc.delta));
    }
  }
  for (const auto& f : c.folded()) {
    pb::CounterState::Folded* p = out->add_folded();
    p->set_replica(f.replica);
    p->set_seq(f.seq);
    p->set_hlc(f.hlc);
    if constexpr (std::is_integral_v<T>) {
      p->set_sum(f.sum);
    } else {
      p->set_float_sum(LongDoubleBytes(f.sum));
    }
  }
}

// Integer counters must not carry float fields and vice versa; pending float deltas must not be
// NaN (no command makes one).
template <typename T>
absl::Status DecodeCounter(const pb::CounterState& in, Counter<T>* c) {
  constexpr bool kInt = std::is_integral_v<T>;
  std::vector<typename Counter<T>::Increment> pending;
  pending.reserve(in.pending_size());
  for (const auto& p : in.pending()) {
    typename Counter<T>::Increment inc{Dot{p.replica(), p.seq()}, p.hlc(), T{}};
    if constexpr (kInt) {
      if (!p.float_delta().empty()) return Corrupt("float delta in an integer counter");
      inc.delta = p.delta();
    } else {
      if (p.delta() != 0) return Corrupt("integer delta in a float counter");
      if (!ParseLongDoubleBytes(p.float_delta(), &inc.delta) || inc.delta != inc.delta)
        return Corrupt("bad float counter delta");
    }
    pending.push_back(inc);
  }
  std::vector<typename Counter<T>::Folded> folded;
  folded.reserve(in.folded_size());
  for (const auto& p : in.folded()) {
    typename Counter<T>::Folded f{p.replica(), p.seq(), p.hlc(), T{}};
    if constexpr (kInt) {
      if (!p.float_sum().empty()) return Corrupt("float sum in an integer counter");
      f.sum = p.sum();
    } else {
      if (p.sum() != 0) return Corrupt("integer sum in a float counter");
      if (!ParseLongDoubleBytes(p.float_sum(), &f.sum)) return Corrupt("bad float counter sum");
    }
    folded.push_back(f);
  }
  if (!c->Restore(std::move(pending), std::move(folded))) return Corrupt("counter invariants");
  return absl::OkStatus();
}

}  // namespace cordis::state
