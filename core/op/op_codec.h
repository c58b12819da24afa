// Converts ops to and from their protobuf form (proto/cordis/replication.proto) for the oplog,
// peer messages and files. Decoding validates everything a peer or a file could get wrong and
// returns an error instead of crashing.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "core/op/op.h"
#include "cordis/replication.pb.h"

namespace cordis {

void EncodeVersionVector(const VersionVector& vv, pb::VersionVector* out);
absl::Status DecodeVersionVector(const pb::VersionVector& in, VersionVector* out);

void EncodeOp(const Op& op, pb::Op* out);

// An op decoded from a record: `op`'s views and ctx point into this object, which therefore does
// not move (held by unique_ptr).
struct DecodedOp {
  pb::Op record;
  VersionVector ctx;
  Op op;
};

absl::Status DecodeOp(pb::Op record, std::unique_ptr<DecodedOp>* out);

}  // namespace cordis
