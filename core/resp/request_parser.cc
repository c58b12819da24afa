#include "core/resp/request_parser.h"

#include <algorithm>
#include <utility>

#include "core/base/check.h"

namespace cordis::resp {
namespace {

constexpr size_t kNotFound = std::string_view::npos;
// Redis allocates argv for at most this many arguments before they arrive.
constexpr size_t kMaxPrealloc = 1024;
// Buffers grown past this by one huge command are released rather than kept.
constexpr size_t kKeepCapacity = 4096;

// Redis's string2ll (src/util.c): "0", or an optional '-' then a digit 1-9 then digits, at most
// 20 characters, within int64.
bool ParseInteger(std::string_view s, int64_t* value) {
  if (s.empty() || s.size() >= 21) return false;
  if (s == "0") {
    *value = 0;
    return true;
  }
  const bool negative = s[0] == '-';
  if (negative) s.remove_prefix(1);
  if (s.empty() || s[0] < '1' || s[0] > '9') return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const uint64_t digit = c - '0';
    if (v > (UINT64_MAX - digit) / 10) return false;
    v = v * 10 + digit;
  }
  if (negative) {
    if (v > uint64_t{INT64_MAX} + 1) return false;
    *value = static_cast<int64_t>(0 - v);
  } else {
    if (v > uint64_t{INT64_MAX}) return false;
    *value = static_cast<int64_t>(v);
  }
  return true;
}

// isspace() in the C locale.
bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// The byte a backslash escape inside double quotes stands for.
char Unescape(char c) {
  switch (c) {
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'b':
      return '\b';
    case 'a':
      return '\a';
    default:
      return c;
  }
}

template <typename T>
void ClearAndTrim(T& container) {
  if (container.capacity() > kKeepCapacity) {
    T().swap(container);
  } else {
    container.clear();
  }
}

}  // namespace

RequestParser::RequestParser(ParserLimits limits) : limits_(limits) {
  CHECK_GE(limits_.max_bulk_len, 0);
  CHECK_LE(limits_.max_bulk_len, INT64_MAX / 2);
  CHECK_GE(limits_.max_multibulk_len, 0);
}

RequestParser::Result RequestParser::Next(std::string_view buf, size_t* pos) {
  CHECK(pos != nullptr);
  CHECK_LE(*pos, buf.size());
  if (state_ == State::kError) return Result::kError;
  // The driver must hand back every unconsumed byte.
  if (state_ != State::kIdle) CHECK_GE(buf.size() - *pos, seen_);
  ClearAndTrim(args_);
  wanted_ = 0;
  while (*pos < buf.size()) {
    const std::string_view in = buf.substr(*pos);
    if (state_ == State::kIdle) state_ = in[0] == '*' ? State::kMultibulk : State::kInline;
    const Step step = state_ == State::kMultibulk ? ParseMultibulk(in) : ParseInline(in);
    switch (step) {
      case Step::kNeedMore:
        seen_ = in.size();
        return Result::kNeedMore;
      case Step::kError:
        return Result::kError;
      case Step::kEmpty:
        *pos += cursor_;
        Reset();
        break;
      case Step::kCommand:
        if (state_ == State::kMultibulk) {
          args_.reserve(spans_.size());
          for (const Span& span : spans_) args_.push_back(in.substr(span.offset, span.len));
        }
        *pos += cursor_;
        Reset();
        return Result::kCommand;
    }
  }
  return Result::kNeedMore;
}

RequestParser::Step RequestParser::ParseMultibulk(std::string_view in) {
  CHECK_EQ(in[0], '*');
  if (remaining_ < 0) {
    const size_t cr = FindLineEnd(in, '\r');
    if (cr == kNotFound) {
      if (in.size() > limits_.max_inline_len) {
        return Fail("ERR Protocol error: too big mbulk count string");
      }
      return Step::kNeedMore;
    }
    if (cr + 2 > in.size()) return Step::kNeedMore;  // The byte after CR has not arrived.
    int64_t count;
    if (!ParseInteger(in.substr(1, cr - 1), &count) || count > limits_.max_multibulk_len) {
      return Fail("ERR Protocol error: invalid multibulk length");
    }
    cursor_ = cr + 2;
    if (count <= 0) return Step::kEmpty;
    remaining_ = count;
    spans_.reserve(std::min<size_t>(count, kMaxPrealloc));
  }
  while (remaining_ > 0) {
    if (bulk_len_ < 0) {
      const size_t cr = FindLineEnd(in, '\r');
      if (cr == kNotFound) {
        if (in.size() - cursor_ > limits_.max_inline_len) {
          return Fail("ERR Protocol error: too big bulk count string");
        }
        return Step::kNeedMore;
      }
      if (cr + 2 > in.size()) return Step::kNeedMore;
      if (in[cursor_] != '$') {
        // Redis's addReplyErrorFormat maps CR and LF to spaces.
        const char got = in[cursor_] == '\r' || in[cursor_] == '\n' ? ' ' : in[cursor_];
        return Fail(std::string("ERR Protocol error: expected '$', got '") + got + "'");
      }
      int64_t len;
      if (!ParseInteger(in.substr(cursor_ + 1, cr - cursor_ - 1), &len) || len < 0 ||
          len > limits_.max_bulk_len) {
        return Fail("ERR Protocol error: invalid bulk length");
      }
      cursor_ = cr + 2;
      bulk_len_ = len;
    }
    // The payload is followed by two bytes Redis skips without looking at them.
    const size_t needed = static_cast<size_t>(bulk_len_) + 2;
    const size_t available = in.size() - cursor_;
    if (available < needed) {
      wanted_ = needed - available;
      return Step::kNeedMore;
    }
    spans_.push_back({cursor_, static_cast<size_t>(bulk_len_)});
    cursor_ += needed;
    bulk_len_ = -1;
    --remaining_;
  }
  return Step::kCommand;
}

RequestParser::Step RequestParser::ParseInline(std::string_view in) {
  const size_t lf = FindLineEnd(in, '\n');
  if (lf == kNotFound) {
    if (in.size() > limits_.max_inline_len) {
      return Fail("ERR Protocol error: too big inline request");
    }
    return Step::kNeedMore;
  }
  const size_t end = lf > 0 && in[lf - 1] == '\r' ? lf - 1 : lf;
  if (!SplitInline(in.substr(0, end))) {
    return Fail("ERR Protocol error: unbalanced quotes in request");
  }
  cursor_ = lf + 1;
  return args_.empty() ? Step::kEmpty : Step::kCommand;
}

// sdssplitargs() on line, which holds no NUL: past its end reads as the C string's NUL. Words
// without quotes are views into line; quoted ones are decoded into arena_, reserved once so
// that earlier views stay valid.
bool RequestParser::SplitInline(std::string_view line) {
  ClearAndTrim(arena_);
  auto at = [line](size_t i) { return i < line.size() ? line[i] : '\0'; };
  size_t p = 0;
  while (true) {
    while (p < line.size() && IsSpace(line[p])) ++p;
    if (p == line.size()) return true;
    const size_t start = p;
    size_t word_end = p;
    bool in_dquotes = false;
    bool in_squotes = false;
    bool decoded = false;  // Whether the word lives in arena_ from arena_start.
    size_t arena_start = 0;
    bool done = false;
    while (!done) {
      const char c = at(p);
      char out = c;
      bool emit = true;
      if (in_dquotes) {
        if (c == '\\' && at(p + 1) == 'x' && IsHexDigit(at(p + 2)) && IsHexDigit(at(p + 3))) {
          out = static_cast<char>(HexValue(at(p + 2)) * 16 + HexValue(at(p + 3)));
          p += 3;
        } else if (c == '\\' && at(p + 1) != '\0') {
          out = Unescape(line[++p]);
        } else if (c == '"') {
          if (at(p + 1) != '\0' && !IsSpace(at(p + 1))) return false;
          emit = false;
          done = true;
        } else if (c == '\0') {
          return false;  // Unterminated quotes.
        }
      } else if (in_squotes) {
        if (c == '\\' && at(p + 1) == '\'') {
          ++p;
          out = '\'';
        } else if (c == '\'') {
          if (at(p + 1) != '\0' && !IsSpace(at(p + 1))) return false;
          emit = false;
          done = true;
        } else if (c == '\0') {
          return false;
        }
      } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\0') {
        emit = false;
        done = true;
        word_end = p;
      } else if (c == '"' || c == '\'') {
        in_dquotes = c == '"';
        in_squotes = c == '\'';
        emit = false;
        if (!decoded) {  // Copy the plain prefix, then decode from here on.
          if (arena_.capacity() < line.size()) arena_.reserve(line.size());
          decoded = true;
          arena_start = arena_.size();
          arena_.append(line.substr(start, p - start));
        }
      }
      if (emit && decoded) arena_.push_back(out);
      if (p < line.size()) ++p;
    }
    // Decoded bytes never outnumber the line's, so the reserve above held.
    CHECK_LE(arena_.size(), line.size());
    args_.push_back(decoded ? std::string_view(arena_).substr(arena_start)
                            : line.substr(start, word_end - start));
  }
}

// Redis's strchr(querybuf + pos, target): the first target at or after cursor_, stopping at a
// NUL. Resumes where the previous search of this line gave up, so no byte is searched twice.
size_t RequestParser::FindLineEnd(std::string_view in, char target) {
  size_t i = std::max(scan_, cursor_);
  CHECK_LE(i, in.size());
  const size_t from = i;
  while (i < in.size() && in[i] != target && in[i] != '\0') ++i;
  bytes_scanned_ += i - from;
  scan_ = i;  // At the target, the NUL or the end: the next search restarts right here.
  return i < in.size() && in[i] == target ? i : kNotFound;
}

RequestParser::Step RequestParser::Fail(std::string message) {
  state_ = State::kError;
  error_ = std::move(message);
  args_.clear();
  wanted_ = 0;
  return Step::kError;
}

void RequestParser::Reset() {
  state_ = State::kIdle;
  cursor_ = 0;
  scan_ = 0;
  seen_ = 0;
  remaining_ = -1;
  bulk_len_ = -1;
  ClearAndTrim(spans_);
}

size_t RequestParser::memory_usage() const {
  return spans_.capacity() * sizeof(Span) + args_.capacity() * sizeof(std::string_view) +
         arena_.capacity() + error_.capacity();
}

}  // namespace cordis::resp
