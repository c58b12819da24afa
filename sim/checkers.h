// End-of-run oracles over the recorded history (see workload.h for the key classes). Each one
// rebuilds what a key must hold from the ops the clients' commands committed — an op's effect is
// removed exactly by later ops on the key whose causal context covers its dot (observed-remove) —
// and compares it with what every replica answers:
//   counters: the surviving SET (greatest stamp) plus every surviving increment: no acknowledged
//             increment is lost and none counts twice;
//   strings:  the surviving assignment with the greatest stamp (LWW winner);
//   sets:     exactly the members with an add no remove/DEL observed (add wins);
//   hashes:   per field, LWW value plus surviving increments, fields as for sets;
//   lists:    every pushed element not popped/removed/DEL'd, each once; one op's elements in push
//             order;
//   ttl:      a key whose causally last write set a deadline that has passed is gone everywhere,
//             and no replica holds a key past its deadline.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/history.h"
#include "sim/resp_reply.h"

namespace cordis::sim {

struct Failure {
  explicit Failure(std::string w, uint32_t d = 0, std::string k = "")
      : what(std::move(w)), db(d), key(std::move(k)) {}
  std::string what;
  uint32_t db = 0;
  std::string key;  // empty when the failure is not about one key
};

// Runs a command on replica `node` (0-based) in database `db` and returns its reply.
using QueryFn = std::function<Reply(int node, uint32_t db, const std::vector<std::string>& args)>;

// node_now_ms[i] is replica i's wall clock at the end of the run.
std::optional<Failure> CheckOracles(const History& history, const std::vector<int64_t>& node_now_ms,
                                    const QueryFn& query);

}  // namespace cordis::sim
