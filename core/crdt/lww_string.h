// The string type: a last-writer-wins register (SET, APPEND, SETRANGE, ...) with a log of counter
// increments on top (INCR family, INCRBYFLOAT), applied one by one as Redis applies them
// (core/crdt/increment_log.h), so the value is the bytes Redis would hold and concurrent
// increments all count. A SET removes the increments it had seen and keeps the others.
//
// If the register is not a number, increments cannot apply and the value is the register's bytes
// (this arises only when a SET of a non-number races with increments; docs/semantics.md).
//
// Concurrent assignments leave several register entries; the greatest stamp wins and the others
// stay until an assignment that saw them removes them, so any delivery order converges.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"
#include "core/base/small_string.h"
#include "core/crdt/increment_log.h"
#include "core/keyspace/value.h"
#include "core/op/op.h"

namespace cordis {
namespace pb {
class StringState;
}  // namespace pb

class StringValue final : public Value {
 public:
  static constexpr ValueType kType = ValueType::kString;
  explicit StringValue(uint64_t seed) : Value(kType) { (void)seed; }

  void Apply(const delta::StrAssign& d, const Op& op);
  void Apply(const delta::CounterAdd& d, const Op& op);
  void Apply(const delta::FloatAdd& d, const Op& op);

  void RemoveObserved(const VersionVector& ctx) override;
  bool Empty() const override { return regs_.empty() && incrs_ == nullptr; }
  Stamp MaxStamp() const override;
  void Compact(const VersionVector& stable) override;
  size_t MemoryBytes() const override;
  void PrefetchInternals(int stage) const override {
    if (incrs_ == nullptr) return;
    if (stage == 0) return __builtin_prefetch(incrs_.get());
    incrs_->PrefetchPending();
  }

  // The logical value. Returns a view of the register when there are no increments, otherwise
  // formats into *scratch and returns a view of it.
  std::string_view Get(std::string* scratch) const;
  // The value as an integer, if it is one (what INCR sees).
  std::optional<int64_t> AsInteger() const;
  // The value as a long double, if it is a number (what INCRBYFLOAT sees).
  std::optional<long double> AsLongDouble() const;
  size_t Length() const;
  bool has_increments() const { return incrs_ != nullptr; }

  // The whole internal state for snapshots (registers, pending and folded increments), and back;
  // DecodeState validates and returns kDataLoss on bad input (lww_string_state.cc).
  void EncodeState(pb::StringState* out) const;
  static absl::StatusOr<std::unique_ptr<StringValue>> DecodeState(const pb::StringState& in,
                                                                  uint64_t seed);

  // Formats like Redis's INCRBYFLOAT (%.17Lf, trailing zeros removed).
  static std::string FormatLongDouble(long double v);
  static std::optional<int64_t> ParseInt64(std::string_view s);
  static std::optional<long double> ParseLongDouble(std::string_view s);

 private:
  // One assignment: its dot and stamp packed into 24 bytes (Dot and Stamp each pad to 16).
  struct Reg {
    Reg() = default;
    Reg(const Dot& d, const Stamp& s, std::string_view v)
        : seq(d.seq), hlc(s.hlc), replica(d.replica), stamp_replica(s.replica), bytes(v) {}
    Dot dot() const { return Dot{replica, seq}; }
    Stamp stamp() const { return Stamp{hlc, stamp_replica}; }
    uint64_t seq = 0;
    uint64_t hlc = 0;
    ReplicaId replica = 0;
    ReplicaId stamp_replica = 0;
    SmallString bytes;
  };
  const Reg* Winner() const;

  absl::InlinedVector<Reg, 1> regs_;
  std::string_view Base() const;

  // Allocated by the first increment and freed when none is left: most strings never have one,
  // and the log is several times the size of the rest of the value.
  std::unique_ptr<IncrementLog> incrs_;
  IncrementLog& Incrs();
  void DropEmptyIncrs();
};

}  // namespace cordis
