// The one place that knows every value type: creation and payload dispatch for Keyspace::Apply.
#pragma once

#include <cstdint>
#include <optional>

#include "core/keyspace/value.h"
#include "core/op/op.h"

namespace cordis {

struct PayloadTarget {
  ValueType type;
  bool creates;  // adds entries (may create the value) vs. only removes/updates existing ones
};

// Which value type a payload writes, or nullopt for payloads that touch no value (none, expiry).
std::optional<PayloadTarget> TargetOf(const Payload& p);
Value* NewValue(ValueType type, uint64_t seed);
// Applies op.payload to v, whose type is TargetOf(op.payload)->type.
void ApplyPayload(Value* v, const Op& op);

}  // namespace cordis
