// Snapshot encoding of a keyspace.
//
//   KeyState := db, key,
//               values: bytes[]   each a serialized pb::ValueState (state.proto): the visible
//                                 value first, then the key's other-type values ("shadows" left
//                                 by concurrent writes of different types), in the keyspace's
//                                 order; no visible value first when the key is invisible
//               expiry: ExpiryEntry[]  (dot, deadline) per expiry entry, in order
//               unstable_writes: WriteDot[]  writes to the key not yet stable at the sender,
//                                 oldest first: the receiver's garbage collection keeps an
//                                 emptied key exactly as long as the sender's would
//
// Each value carries its type's whole internal CRDT state (the types' EncodeState/DecodeState in
// core/crdt/*_state.cc), so the receiver's later ops apply exactly as the sender's would.
#include "core/snapshot/snapshot.h"

#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "cordis/state.pb.h"
#include "core/crdt/lww_string.h"
#include "core/crdt/or_map.h"
#include "core/crdt/or_set.h"
#include "core/crdt/rga_list.h"
#include "core/crdt/zset.h"

namespace cordis {
namespace {

constexpr size_t kMaxKeyBytes = 512u * 1024 * 1024;

std::string EncodeValue(const Value& v) {
  pb::ValueState s;
  switch (v.type()) {
    case ValueType::kString:
      static_cast<const StringValue&>(v).EncodeState(s.mutable_string());
      break;
    case ValueType::kList:
      static_cast<const ListValue&>(v).EncodeState(s.mutable_list());
      break;
    case ValueType::kSet:
      static_cast<const SetValue&>(v).EncodeState(s.mutable_set());
      break;
    case ValueType::kZset:
      static_cast<const ZsetValue&>(v).EncodeState(s.mutable_zset());
      break;
    case ValueType::kHash:
      static_cast<const HashValue&>(v).EncodeState(s.mutable_hash());
      break;
  }
  CHECK(s.value_case() != pb::ValueState::VALUE_NOT_SET);
  return s.SerializeAsString();
}

template <typename V, typename S>
absl::StatusOr<std::unique_ptr<Value>> Decode(const S& in, uint64_t seed) {
  absl::StatusOr<std::unique_ptr<V>> v = V::DecodeState(in, seed);
  if (!v.ok()) return v.status();
  return std::unique_ptr<Value>(std::move(*v));
}

absl::StatusOr<std::unique_ptr<Value>> DecodeValue(const std::string& bytes, uint64_t seed) {
  pb::ValueState s;
  if (!s.ParseFromString(bytes)) return absl::DataLossError("snapshot: unparsable value state");
  switch (s.value_case()) {
    case pb::ValueState::kString:
      return Decode<StringValue>(s.string(), seed);
    case pb::ValueState::kList:
      return Decode<ListValue>(s.list(), seed);
    case pb::ValueState::kSet:
      return Decode<SetValue>(s.set(), seed);
    case pb::ValueState::kZset:
      return Decode<ZsetValue>(s.zset(), seed);
    case pb::ValueState::kHash:
      return Decode<HashValue>(s.hash(), seed);
    case pb::ValueState::VALUE_NOT_SET:
      break;
  }
  return absl::DataLossError("snapshot: value state without a type");
}

}  // namespace

void EncodeKeyspace(const Keyspace& ks, uint32_t db, pb::Snapshot* out) {
  // The writes garbage collection still waits on, by key.
  absl::flat_hash_map<const KeyEntry*, std::vector<Dot>> unstable;
  ks.ForEachUnstableWrite([&](std::string_view key, const Dot& dot) {
    if (const KeyEntry* e = ks.FindEntry(key)) unstable[e].push_back(dot);
  });
  ks.dict().ForEach([&](const KeyEntry* e) {
    const ExpiryState* expiry = ks.ExpiryOf(e);
    std::span<const std::unique_ptr<Value>> shadows = ks.ShadowsOf(e);
    auto writes = unstable.find(e);
    if (e->value == nullptr && shadows.empty() && (expiry == nullptr || expiry->entries.empty()) &&
        writes == unstable.end())
      return;  // nothing the receiver needs
    pb::KeyState* k = out->add_keys();
    k->set_db(db);
    k->set_key(std::string(e->key()));
    if (e->value != nullptr) k->add_values(EncodeValue(*e->value));
    for (const std::unique_ptr<Value>& v : shadows) k->add_values(EncodeValue(*v));
    if (expiry != nullptr) {
      for (const auto& [dot, at_ms] : expiry->entries) {
        pb::ExpiryEntry* p = k->add_expiry();
        p->set_replica(dot.replica);
        p->set_seq(dot.seq);
        p->set_at_ms(at_ms);
      }
    }
    if (writes != unstable.end()) {
      for (const Dot& d : writes->second) {
        pb::WriteDot* p = k->add_unstable_writes();
        p->set_replica(d.replica);
        p->set_seq(d.seq);
      }
    }
  });
}

absl::Status DecodeKeyState(const pb::KeyState& in, Keyspace* ks) {
  if (in.key().size() > kMaxKeyBytes) return absl::DataLossError("snapshot: key too long");
  const uint64_t seed = ks->dict().seed();
  std::vector<std::unique_ptr<Value>> values;
  values.reserve(in.values_size());
  for (const std::string& bytes : in.values()) {
    absl::StatusOr<std::unique_ptr<Value>> v = DecodeValue(bytes, seed);
    if (!v.ok()) return v.status();
    values.push_back(std::move(*v));
  }
  ExpiryState expiry;
  for (const pb::ExpiryEntry& p : in.expiry())
    expiry.entries.emplace_back(Dot{p.replica(), p.seq()}, p.at_ms());
  std::vector<Dot> writes;
  writes.reserve(in.unstable_writes_size());
  for (const pb::WriteDot& p : in.unstable_writes()) writes.push_back(Dot{p.replica(), p.seq()});
  return ks->InsertDecoded(in.key(), std::move(values), std::move(expiry), writes);
}

}  // namespace cordis
