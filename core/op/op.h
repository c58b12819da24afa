// An op: the unit of replication. Every write command builds ops from local state, then applies
// them through Keyspace::Apply, the same function that applies ops arriving from peers.
//
// op := dot        (origin replica, origin sequence number; unique)
//       stamp      (HLC time of the write; LWW decisions)
//       ctx        (origin's version vector when the op was made: its causal context. Removal
//                   parts of the op remove exactly the entries whose dot ctx covers.)
//       db key
//       clear_key  (remove every observed entry of the key, of every type, before the payload:
//                   DEL, SET, *STORE, RENAME's destination)
//       keep_ttl   (with clear_key: leave the key's expiry entries alone)
//       expire     (optional new expiry entry, absolute ms; kPersistMs = PERSIST)
//       payload    (one of the typed deltas below, or none)
//
// Payload views point into the client's request (or a peer message) and live only while the op is
// applied; the CRDTs copy what they keep.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/crdt/dot.h"
#include "core/crdt/version_vector.h"

namespace cordis {

// Identity of one list element: the dot of the op that inserted it plus its index within the op.
struct ElemId {
  Dot dot;
  uint32_t idx = 0;
  friend bool operator==(const ElemId&, const ElemId&) = default;
  friend auto operator<=>(const ElemId&, const ElemId&) = default;
};

inline constexpr int64_t kPersistMs = std::numeric_limits<int64_t>::max();

namespace delta {

struct StrAssign {  // SET family: the key becomes this string (LWW register)
  std::string_view value;
};
struct CounterAdd {  // INCR family
  int64_t delta = 0;
};
struct FloatAdd {  // INCRBYFLOAT
  long double delta = 0;
};
struct ExpireOnly {};  // EXPIRE family / PERSIST: only the op's expire field matters
struct SetAdd {
  std::vector<std::string_view> members;
};
struct SetRemove {
  std::vector<std::string_view> members;
};
struct HashSet {
  std::vector<std::pair<std::string_view, std::string_view>> fields;
};
struct HashRemove {
  std::vector<std::string_view> fields;
};
struct HashAdd {
  std::string_view field;
  int64_t delta = 0;
};
struct HashAddFloat {
  std::string_view field;
  long double delta = 0;
};
struct ZsetAdd {  // ZADD: membership + LWW score (resets observed ZINCRBY increments)
  std::vector<std::pair<double, std::string_view>> items;
};
struct ZsetIncr {  // ZINCRBY: membership + counter increment of the score
  std::string_view member;
  double delta = 0;
};
struct ZsetRemove {
  std::vector<std::string_view> members;
};
struct ListInsert {  // RGA insert of values, in order, after `after` (nullopt = at the head)
  std::optional<ElemId> after;
  std::vector<std::string_view> values;
};
struct ListRemove {
  std::vector<ElemId> ids;
};
struct ListSet {  // LSET: LWW on the element's value
  ElemId id;
  std::string_view value;
};

}  // namespace delta

using Payload =
    std::variant<std::monostate, delta::StrAssign, delta::CounterAdd, delta::FloatAdd,
                 delta::ExpireOnly, delta::SetAdd, delta::SetRemove, delta::HashSet,
                 delta::HashRemove, delta::HashAdd, delta::HashAddFloat, delta::ZsetAdd,
                 delta::ZsetIncr, delta::ZsetRemove, delta::ListInsert, delta::ListRemove,
                 delta::ListSet>;

struct Op {
  Dot dot;
  Stamp stamp;
  const VersionVector* ctx = nullptr;
  uint32_t db = 0;
  std::string_view key;
  bool clear_key = false;
  bool keep_ttl = false;
  std::optional<int64_t> expire;  // absolute ms, or kPersistMs
  Payload payload;
};

}  // namespace cordis
