// The eventually consistent Maelstrom workloads, each mapped onto core commands and CRDTs:
//
//   echo        echo {echo}            -> echo_ok {echo}                (no state)
//   unique-ids  generate               -> generate_ok {id: "<node>-<k>"} (node name + local counter)
//   g-counter,  add {delta}            -> INCRBY maelstrom:counter delta (the core's PN-counter)
//   pn-counter  read                   -> GET maelstrom:counter          -> read_ok {value: int}
//   g-set       add {element}          -> SADD maelstrom:g-set json(element)  (the core's OR-set)
//               read                   -> SMEMBERS maelstrom:g-set       -> read_ok {value: [...]}
//   broadcast   topology               -> topology_ok (replication is the core's anti-entropy)
//               broadcast {message}    -> SADD maelstrom:broadcast json(message)
//               read                   -> SMEMBERS maelstrom:broadcast   -> read_ok {messages: [...]}
//
// `read` looks the same in g-set, the counters and broadcast. The adapter tells them apart by
// --workload, else by what this node has seen (add with delta or element, topology, broadcast),
// else by which workload key the replicated keyspace holds. Before any of that it cannot know the
// shape of the answer, and says so with error 11 (a definite failure) rather than guess.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "maelstrom/core_client.h"
#include "maelstrom/protocol.h"

namespace cordis::maelstrom {

enum class Workload { kUnknown, kCounter, kGSet, kBroadcast };

// "g-counter" and "pn-counter" -> kCounter, "g-set", "broadcast"; "" or "auto" -> kUnknown.
absl::StatusOr<Workload> ParseWorkload(const std::string& name);

class Workloads {
 public:
  Workloads(CoreClient* core, std::string node_name, Workload fixed);

  // The reply body (an *_ok or an error) for a request of one of these workloads; nullopt when
  // the type belongs to none of them.
  std::optional<Json> Handle(const Message& req, int64_t now_us);

 private:
  Json Add(const Message& req, int64_t now_us);
  Json Read(int64_t now_us);
  Json AddMember(const char* key, const Json& element, const char* ok_type, int64_t now_us);
  Json ReadCounter(int64_t now_us);
  Json ReadMembers(const char* key, const char* field, int64_t now_us);
  Workload Detect(int64_t now_us);
  void Learn(Workload w);

  CoreClient* core_;
  std::string node_name_;
  Workload fixed_;
  Workload seen_ = Workload::kUnknown;
  uint64_t next_id_ = 0;
};

// A core error reply (or an unreadable reply) as a Maelstrom error body.
Json CoreErrorBody(const absl::StatusOr<RespReply>& reply);

}  // namespace cordis::maelstrom
