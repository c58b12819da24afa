// The DUMP / RESTORE payload: a value's logical content in a format of our own, with a version
// and a checksum so that RESTORE rejects damaged or foreign payloads (including Redis's RDB
// payloads) before changing anything.
//
//   payload  := type body version checksum
//   type     := 'S' (string) | 'L' (list) | 'E' (set) | 'H' (hash) | 'Z' (sorted set)    one byte
//   body     := bytes                                  for 'S': the rest up to the footer
//             | count item*count                        otherwise
//   item     := str                                     list element, set member
//             | str str                                 hash field, value
//             | str f64                                 sorted-set member, score (IEEE-754, LE)
//   str      := varint(length) bytes
//   count    := varint
//   varint   := LEB128, at most 10 bytes
//   version  := u16 little-endian = kDumpVersion
//   checksum := u64 little-endian FNV-1a 64 of every byte before it
//
// Only logical content is dumped (no CRDT metadata): RESTORE is a fresh write of that content.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/keyspace/value.h"
#include "core/keyspace/value_content.h"

namespace cordis {

inline constexpr uint16_t kDumpVersion = 1;

std::string EncodeDump(const Value& v);

// The content to write back as one op payload. kDataLoss: wrong length, version or checksum
// (Redis: "DUMP payload version or checksum are wrong"); kInvalidArgument: the checksum holds but
// the body does not parse (Redis: "Bad data format").
absl::StatusOr<ContentPayload> DecodeDump(std::string_view payload);

}  // namespace cordis
