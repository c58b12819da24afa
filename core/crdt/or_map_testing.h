// Test support for HashValue (core/crdt/or_map.h): an op as it travels between replicas, owning
// its strings and causal context, and the one way tests apply it. Shared by or_map_test.cc and
// tests/property/or_map_property_test.cc.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/crdt/or_map.h"

namespace cordis::testing {

struct HashRec {
  enum Kind { kSet, kRemove, kAdd, kAddFloat, kClear } kind;
  Dot dot;
  Stamp stamp;
  VersionVector ctx;
  std::vector<std::pair<std::string, std::string>> pairs;  // kSet; kRemove/kAdd use .first
  int64_t delta = 0;
  long double fdelta = 0;
};

inline void ApplyRec(HashValue& h, const HashRec& r) {
  Op op;
  op.dot = r.dot;
  op.stamp = r.stamp;
  op.ctx = &r.ctx;
  switch (r.kind) {
    case HashRec::kSet: {
      delta::HashSet d;
      for (const auto& [f, v] : r.pairs) d.fields.emplace_back(f, v);
      h.Apply(d, op);
      break;
    }
    case HashRec::kRemove: {
      delta::HashRemove d;
      for (const auto& p : r.pairs) d.fields.push_back(p.first);
      h.Apply(d, op);
      break;
    }
    case HashRec::kAdd:
      h.Apply(delta::HashAdd{r.pairs[0].first, r.delta}, op);
      break;
    case HashRec::kAddFloat:
      h.Apply(delta::HashAddFloat{r.pairs[0].first, r.fdelta}, op);
      break;
    case HashRec::kClear:
      h.RemoveObserved(r.ctx);
      break;
  }
}

}  // namespace cordis::testing
