// Encodes replies into a session's output buffer, RESP2 or RESP3 as the client chose with HELLO.
// Appends only: replies for a whole pipelined batch accumulate and leave in one write.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace cordis::resp {

class ReplyBuilder {
 public:
  explicit ReplyBuilder(std::string* out) : out_(out) {}

  void set_resp3(bool on) { resp3_ = on; }
  bool resp3() const { return resp3_; }
  std::string* buffer() { return out_; }
  void set_buffer(std::string* out) { out_ = out; }

  void Ok() { out_->append("+OK\r\n"); }
  void Simple(std::string_view s);
  // msg is the full error text without '-' ("ERR syntax error", "WRONGTYPE ..."). Newlines in
  // msg are replaced by spaces, as Redis does, so the reply stays one line.
  void Error(std::string_view msg);
  void Integer(int64_t v) { Prefixed(':', v); }
  void Bulk(std::string_view s);
  void NullBulk() { out_->append(resp3_ ? "_\r\n" : "$-1\r\n"); }
  void NullArray() { out_->append(resp3_ ? "_\r\n" : "*-1\r\n"); }
  void Array(size_t n) { Prefixed('*', static_cast<int64_t>(n)); }
  // RESP3 map of n pairs; RESP2 flat array of 2n elements.
  void Map(size_t n) { Prefixed(resp3_ ? '%' : '*', static_cast<int64_t>(resp3_ ? n : 2 * n)); }
  void Set(size_t n) { Prefixed(resp3_ ? '~' : '*', static_cast<int64_t>(n)); }
  // A double as Redis 7.0 replies it: RESP3 ",<%.17g>", RESP2 a bulk string of the same text.
  void Double(double d);
  // RESP3 boolean, RESP2 integer 0/1.
  void Bool(bool b) { out_->append(resp3_ ? (b ? "#t\r\n" : "#f\r\n") : (b ? ":1\r\n" : ":0\r\n")); }
  // RESP3 verbatim string ("=<len>\r\ntxt:..."), RESP2 bulk string (INFO, CLIENT LIST).
  void Verbatim(std::string_view s);
  void Raw(std::string_view s) { out_->append(s); }

  // Formats d exactly as Redis 7.0 does in replies (%.17g; "inf", "-inf").
  static std::string FormatDouble(double d);

 private:
  void Prefixed(char c, int64_t v) {
    char buf[24];
    buf[0] = c;
    auto r = std::to_chars(buf + 1, buf + sizeof(buf), v);
    *r.ptr++ = '\r';
    *r.ptr++ = '\n';
    out_->append(buf, r.ptr - buf);
  }

  std::string* out_;
  bool resp3_ = false;
};

}  // namespace cordis::resp
