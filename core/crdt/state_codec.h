// Helpers shared by the value-state codecs (the EncodeState/DecodeState members of the CRDT
// classes, defined in core/crdt/*_state.cc; format in proto/cordis/state.proto). Decoders
// validate everything and return kDataLoss on bad input: a peer or a file can send anything.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "cordis/state.pb.h"
#include "core/crdt/dot.h"

namespace cordis::state {

absl::Status Corrupt(std::string_view what);  // kDataLoss "value state: <what>"

bool ValidDot(const Dot& d);  // replica and seq both nonzero

void EncodeTag(const Dot& dot, const Stamp& stamp, pb::Tag* out);
absl::Status DecodeTag(const pb::Tag& in, Dot* dot, Stamp* stamp);

// True if no dot occurs twice (sorts its argument).
bool UniqueDots(std::vector<Dot> dots);

// A long double as its 10 significant bytes (x86-64 80-bit extended precision).
std::string LongDoubleBytes(long double v);
bool ParseLongDoubleBytes(const std::string& s, long double* v);


}  // namespace cordis::state
