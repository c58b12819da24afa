// Bit arithmetic on strings for the bitmap commands (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP,
// BITFIELD), as Redis 7.0's src/bitops.c computes it. Bit 0 is the most significant bit of byte 0.
// Reads past the end of a string see zero bits; writers grow the string first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cordis::bitmap {

// The bit at `offset`; 0 past the end.
bool GetBit(std::string_view s, uint64_t offset);
// Sets or clears the bit at `offset`, which must be inside *s.
void SetBit(std::string* s, uint64_t offset, bool on);

// The number of set bits in bytes [first_byte, last_byte] of s (both inside s), leaving out the
// `skip_head` most significant bits of the first byte and the `skip_tail` least significant bits
// of the last byte (BITCOUNT ... BIT).
int64_t CountBits(std::string_view s, uint64_t first_byte, uint64_t last_byte, int skip_head = 0,
                  int skip_tail = 0);

// The position of the first bit equal to `bit` in bits [first_bit, last_bit] of s (both inside
// s), or -1 if there is none.
int64_t FindBit(std::string_view s, uint64_t first_bit, uint64_t last_bit, bool bit);

// Redis's range rules for BITCOUNT/BITPOS: negative indexes count from `length`, then both are
// clamped to [0, length - 1]. Empty when start > end afterwards.
struct Range {
  int64_t start, end;
  bool empty() const { return start > end; }
};
Range NormalizeRange(int64_t start, int64_t end, int64_t length);

enum class BitOp { kAnd, kOr, kXor, kNot };
// BITOP over the sources (missing keys are empty strings): the result is as long as the longest
// source, shorter sources are padded with zero bytes. kNot takes exactly one source.
std::string Apply(BitOp op, const std::vector<std::string_view>& sources);

// BITFIELD integers: `bits` wide (1..64 signed, 1..63 unsigned) at bit `offset`.
uint64_t GetUnsigned(std::string_view s, uint64_t offset, int bits);
int64_t GetSigned(std::string_view s, uint64_t offset, int bits);
// The field must be inside *s.
void SetUnsigned(std::string* s, uint64_t offset, int bits, uint64_t value);
void SetSigned(std::string* s, uint64_t offset, int bits, int64_t value);

enum class Overflow { kWrap, kSat, kFail };
// Redis's checkUnsignedBitfieldOverflow / checkSignedBitfieldOverflow: whether value + incr leaves
// the type's range (+1 above, -1 below, 0 inside); for kWrap and kSat *limit is set to the wrapped
// or saturated result when it does. SET checks the new value with incr = 0. Kept exactly as Redis
// computes them, quirks included (a signed SET far below the range can report +1 and saturate to
// the maximum, as Redis does).
int CheckUnsignedOverflow(uint64_t value, int64_t incr, int bits, Overflow mode, uint64_t* limit);
int CheckSignedOverflow(int64_t value, int64_t incr, int bits, Overflow mode, int64_t* limit);

}  // namespace cordis::bitmap
