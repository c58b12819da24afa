// The value of a key: one CRDT per Redis type. A key normally holds one Value; concurrent writes
// of different types can leave a key with several, of which the one with the greatest stamp is
// visible (see Keyspace).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/crdt/dot.h"
#include "core/crdt/version_vector.h"

namespace cordis {

enum class ValueType : uint8_t { kString = 0, kList = 1, kSet = 2, kZset = 3, kHash = 4 };

std::string_view ValueTypeName(ValueType t);  // "string", "list", ... as TYPE replies

class Value {
 public:
  explicit Value(ValueType type) : type_(type) {}
  virtual ~Value() = default;
  Value(const Value&) = delete;
  Value& operator=(const Value&) = delete;

  ValueType type() const { return type_; }

  // Removes every entry whose dot `ctx` covers (DEL, SET over another value, RENAME).
  virtual void RemoveObserved(const VersionVector& ctx) = 0;
  // True when no live entry is left: readers no longer see the value.
  virtual bool Empty() const = 0;
  // True when nothing at all is left, not even metadata a concurrent op may still need (list
  // tombstones): the keyspace then frees the value.
  virtual bool Droppable() const { return Empty(); }
  // The greatest stamp among live entries; decides which type is visible.
  virtual Stamp MaxStamp() const = 0;
  // Folds metadata for ops every replica has seen (garbage collection of tombstones).
  virtual void Compact(const VersionVector& stable) { (void)stable; }
  // Approximate heap bytes held (MEMORY USAGE, INFO).
  virtual size_t MemoryBytes() const = 0;
  // Cache hint for a pipelined batch (Keyspace::Prefetch): warms the lookup of `member` in the
  // value's own table, in two stages (0 the home slot, 1 the entry). No effect on state.
  virtual void PrefetchMember(std::string_view member, int stage) const {
    (void)member;
    (void)stage;
  }
  // Likewise for the value's own side allocations (stage 0, then 1), e.g. a counter's log.
  virtual void PrefetchInternals(int stage) const { (void)stage; }

 private:
  ValueType type_;
};

}  // namespace cordis
