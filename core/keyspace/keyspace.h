// One database of the keyspace: key -> { visible CRDT value, other-type values (rare), expiry }.
//
// Writes reach it only through Apply(op), the single path for local and remote ops. Reads see only
// the visible value of live (not expired) keys. Expiry itself never deletes here: the node issues
// an observed-remove op when it finds a key past its deadline, so removal replicates like any
// other write.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "core/keyspace/dict.h"
#include "core/keyspace/value.h"
#include "core/op/op.h"
#include "core/resp/request_peek.h"
#include "core/ttl/timing_wheel.h"

namespace cordis {

// One key. Allocated with its key bytes inline so a key costs one allocation plus its value.
struct KeyEntry {
  Value* value = nullptr;  // visible value (owned); null while only expiry entries remain
                           // (invisible; kept so a concurrent write meets its TTL)
  uint32_t dict_hash = 0;  // set by Dict::Insert
  uint32_t key_len = 0;
  uint32_t unstable_writes = 0;  // writes applied here that not every replica has seen yet
  bool has_expiry = false;
  bool has_shadow = false;  // other-type values exist in Keyspace::shadows_
  char key_bytes[];         // flexible array member (GNU extension, also in C++ compilers we use)

  std::string_view DictKey() const { return {key_bytes, key_len}; }
  std::string_view key() const { return DictKey(); }
};

// Expiry entries of a key: concurrent EXPIREs each leave one; the effective deadline is the
// greatest (kPersistMs, from PERSIST, beats every deadline).
struct ExpiryState {
  absl::InlinedVector<std::pair<Dot, int64_t>, 1> entries;
  int64_t Effective() const;  // kPersistMs when none
};

class Keyspace {
 public:
  explicit Keyspace(uint64_t seed, int64_t start_ms = 0);
  ~Keyspace();
  Keyspace(const Keyspace&) = delete;
  Keyspace& operator=(const Keyspace&) = delete;

  // The entry for key, or nullptr; ignores expiry (callers check IsExpired).
  KeyEntry* FindEntry(std::string_view key) const { return dict_.Find(key); }
  bool IsExpired(const KeyEntry* e, int64_t now_ms) const;
  // Warms the cache for the upcoming requests of a pipelined batch: loads for the keys' home slots,
  // then their entries, then their values and a string's counter log, then (sets, hashes, sorted
  // sets) the home slots and entries of the members the second and third arguments may name, each
  // stage issued for the whole batch at once. Only a hint: no effect on state or results.
  void Prefetch(std::span<const resp::PeekedArgs> requests) const;
  // Effective deadline in absolute ms, or nullopt when the key does not expire.
  std::optional<int64_t> ExpireAtMs(const KeyEntry* e) const;

  // Applies one op (local or remote). `stable` is what every replica has seen: metadata covered by
  // it may be folded away. Returns the key's entry afterwards (nullptr when the key is gone), so a
  // command can read the result of its own write without a second lookup.
  KeyEntry* Apply(const Op& op, const VersionVector& stable);

  // Removes everything, immediately (FLUSHALL on a single node; snapshot install).
  void Clear();

  // Installs a key decoded from a snapshot (core/snapshot): `values` are its values of distinct
  // types, the visible one first (the first with the greatest MaxStamp becomes visible, as
  // ResolveVisible decides); `expiry` its expiry entries, scheduled on the wheel. A key with no
  // value is an invisible expiry-only key. `unstable_writes` are the dots of writes to the key the
  // sender's garbage collection waited on (UnstableWrites), queued here the same way. kDataLoss,
  // changing nothing, if the key exists, a value is empty, two values share a type, dots repeat,
  // or there is nothing to install.
  absl::Status InsertDecoded(std::string_view key, std::vector<std::unique_ptr<Value>> values,
                             ExpiryState expiry, std::span<const Dot> unstable_writes = {});
  // f(key, dot) for every write not yet stable here, oldest first (snapshot encoding).
  template <typename F>
  void ForEachUnstableWrite(F&& f) const {
    for (const auto& [key, dot] : gc_queue_) f(std::string_view(key), dot);
  }
  // What a snapshot encodes besides e->value: the other-type values (concurrent type conflicts)
  // and the expiry entries (nullptr when none).
  std::span<const std::unique_ptr<Value>> ShadowsOf(const KeyEntry* e) const;
  const ExpiryState* ExpiryOf(const KeyEntry* e) const;

  // Keys a reader can see (DBSIZE): entries minus invisible expiry-only ones.
  size_t size() const { return dict_.size() - invisible_; }
  // Every entry, invisible ones included.
  size_t entry_count() const { return dict_.size(); }
  size_t invisible_count() const { return invisible_; }
  // Revisits keys written by ops that have since become stable: compacts their metadata and
  // drops keys left with nothing visible. Call periodically with the node's stable vector.
  void CollectGarbage(const VersionVector& stable);
  size_t gc_backlog() const { return gc_queue_.size(); }
  size_t expires_count() const { return expiries_.size(); }
  const Dict<KeyEntry>& dict() const { return dict_; }
  TimingWheel& wheel() { return wheel_; }

  // Average remaining TTL (ms) over keys with a deadline, for INFO keyspace.
  int64_t AverageTtlMs(int64_t now_ms) const;
  size_t MemoryBytes() const;

 private:
  KeyEntry* CreateEntry(std::string_view key, Value* value);
  void DestroyEntry(KeyEntry* e);
  Value* ValueOfType(KeyEntry* e, ValueType type, bool create);
  void RemoveObserved(KeyEntry* e, const VersionVector& ctx, bool keep_ttl);
  void ApplyExpiry(KeyEntry* e, const Op& op);
  void ResolveVisible(KeyEntry* e, const VersionVector& stable);
  void ResolveExpiry(KeyEntry* e, const VersionVector& stable);

  // Keeps or drops an entry that no longer holds a visible value.
  bool MaybeDestroyInvisible(KeyEntry* e);  // true when it destroyed the entry

  Dict<KeyEntry> dict_;
  size_t invisible_ = 0;
  // (key, dot of a write to it) for writes not yet stable: revisited by CollectGarbage.
  std::deque<std::pair<std::string, Dot>> gc_queue_;
  absl::flat_hash_map<const KeyEntry*, ExpiryState> expiries_;
  absl::flat_hash_map<const KeyEntry*, std::vector<std::unique_ptr<Value>>> shadows_;
  TimingWheel wheel_;
  size_t entry_bytes_ = 0;
};

}  // namespace cordis
