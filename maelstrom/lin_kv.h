// Maelstrom's lin-kv workload: a linearizable key/value store of registers.
//
//   read  {key}             -> GET maelstrom:lin-kv:json(key)  -> read_ok {value} | error 20
//   write {key, value}      -> SET ...                          -> write_ok
//   cas   {key, from, to,   -> GET, compare, SET in one turn   -> cas_ok | error 20 | error 22
//          [create_if_not_exists]}
//
// Cordis replicas accept writes independently and converge later, so two replicas serving the
// same register are not linearizable. One replica is: the node applies one command at a time, and
// a GET sees every SET acknowledged before it. So exactly one node, the lowest replica id, serves
// lin-kv; every other node answers error 11 (temporarily unavailable, a definite failure) and
// never a possibly stale value. Only that node writes lin-kv keys, so replication never changes
// them under it.
#pragma once

#include <cstdint>
#include <string>

#include "maelstrom/core_client.h"
#include "maelstrom/protocol.h"

namespace cordis::maelstrom {

class LinKv {
 public:
  // `serving` is true on the one node that answers; `server_name` is named in refusals.
  LinKv(CoreClient* core, bool serving, std::string server_name);

  // True for read with a "key", write and cas.
  static bool Handles(const Message& req);
  Json Handle(const Message& req, int64_t now_us);

 private:
  Json Read(const Json& key, int64_t now_us);
  Json Write(const Json& key, const Json& value, int64_t now_us);
  Json Cas(const Message& req, int64_t now_us);

  CoreClient* core_;
  bool serving_;
  std::string server_name_;
};

}  // namespace cordis::maelstrom
