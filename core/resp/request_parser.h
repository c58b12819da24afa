// Resumable, zero-copy parser for client requests (client -> server), reproducing Redis 7's
// processMultibulkBuffer, processInlineBuffer and sdssplitargs (src/networking.c, src/sds.c),
// quirks included. The first byte of a request picks its form:
//
//   request   = multibulk | inline
//   multibulk = "*" count CR X bulk*count               ; count <= 0: consumed, no command
//   bulk      = "$" length CR X payload X X             ; payload: exactly `length` raw bytes
//   count     = integer <= max_multibulk_len
//   length    = integer in [0, max_bulk_len]
//   integer   = "0" | ["-"] %x31-39 *DIGIT              ; string2ll: no "+" or leading zeros,
//                                                       ; at most 20 characters, fits int64
//   X         = any byte                                ; present, but never checked
//   inline    = line [CR] LF                            ; first byte not "*"; line has no LF
//   line      = *blank *(word 1*blank) [word]           ; no word: consumed, no command
//   word      = 1*plain | *plain quoted                 ; plain bytes run as far as they can
//   quoted    = dq | sq                                 ; then a blank or the end of line
//   plain     = any byte but SP TAB CR LF DQUOTE "'"    ; so VT and FF are kept in a word
//   dq        = DQUOTE *(byte | "\" byte) DQUOTE        ; \n \r \t \b \a \xHH decoded, \c is c
//   sq        = "'" *(byte | "\'") "'"                  ; \' is ', other backslashes literal
//   blank     = SP | TAB | CR | LF | VT | FF            ; isspace() in the C locale
//
// Like Redis's strchr() over its NUL-terminated query buffer, the search for the CR ending a
// header, or the LF ending an inline line, stops at a NUL byte: such a request never completes
// and fails once the 64KB line limit is crossed. Payload bytes are never searched, so bulks are
// binary safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cordis::resp {

struct ParserLimits {
  int64_t max_bulk_len = 512LL * 1024 * 1024;      // proto-max-bulk-len
  int64_t max_multibulk_len = 1024 * 1024 * 1024;  // never preallocated from
  size_t max_inline_len = 64 * 1024;               // PROTO_INLINE_MAX_SIZE, also caps headers
};

class RequestParser {
 public:
  enum class Result { kCommand, kNeedMore, kError };

  explicit RequestParser(ParserLimits limits = {});

  // Parses the next command in buf starting at *pos.
  //  kCommand:  args() holds it; *pos is just past it.
  //  kNeedMore: *pos is past any empty requests skipped (*0, *-1, blank inline lines) and so at
  //             the start of the incomplete command, if any. The parser keeps its progress
  //             relative to *pos: the next call must pass the same unconsumed bytes at the new
  //             *pos (the buffer may have moved or been compacted) plus whatever arrived. Bytes
  //             already parsed are not scanned again, so feeding a command in pieces is linear.
  //  kError:    error() holds the reply without the leading '-' and the CRLF, e.g.
  //             "ERR Protocol error: invalid bulk length"; close the connection. Commands that
  //             precede the bad request in buf are still returned first. The error is sticky.
  Result Next(std::string_view buf, size_t* pos);

  // Valid until the next call to Next() or until buf changes. Multibulk arguments point into buf;
  // inline arguments point into buf unless quoted, in which case they point into the parser.
  const std::vector<std::string_view>& args() const { return args_; }
  std::string_view error() const { return error_; }

  // At least this many more bytes are needed to finish the current command (the rest of a bulk
  // payload and its CRLF), 0 if unknown. Lets the driver size its buffer once.
  size_t bytes_wanted() const { return wanted_; }

  // Heap bytes held by the parser, for client memory accounting. Bounded by the bytes received,
  // never by a declared count or length.
  size_t memory_usage() const;

  // Bytes examined by line searches since construction. Tests use it to prove linearity.
  uint64_t bytes_scanned() const { return bytes_scanned_; }

 private:
  enum class State { kIdle, kMultibulk, kInline, kError };
  enum class Step { kCommand, kEmpty, kNeedMore, kError };
  struct Span {
    size_t offset;  // relative to the start of the request
    size_t len;
  };

  Step ParseMultibulk(std::string_view in);
  Step ParseInline(std::string_view in);
  bool SplitInline(std::string_view line);
  size_t FindLineEnd(std::string_view in, char target);
  Step Fail(std::string message);
  void Reset();

  ParserLimits limits_;
  State state_ = State::kIdle;
  // Offsets below are relative to the start of the current request, so they survive a move.
  size_t cursor_ = 0;       // first byte not yet parsed
  size_t scan_ = 0;         // where the pending line search resumes
  size_t seen_ = 0;         // request bytes available at the last kNeedMore
  int64_t remaining_ = -1;  // bulks still expected, -1 before the count line
  int64_t bulk_len_ = -1;   // length of the pending bulk, -1 before its header
  std::vector<Span> spans_;
  std::vector<std::string_view> args_;
  std::string arena_;  // decoded quoted inline words
  std::string error_;
  size_t wanted_ = 0;
  uint64_t bytes_scanned_ = 0;
};

}  // namespace cordis::resp
