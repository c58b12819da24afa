#include "maelstrom/resp_reply.h"

#include <charconv>

namespace cordis::maelstrom {
namespace {

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  absl::StatusOr<RespReply> Read(int depth) {
    if (depth > 32) return absl::InvalidArgumentError("RESP reply nested too deeply");
    std::string_view line;
    if (!ReadLine(&line) || line.empty()) return absl::InvalidArgumentError("truncated RESP reply");
    char tag = line[0];
    std::string_view rest = line.substr(1);
    RespReply r;
    switch (tag) {
      case '+':
        r.kind = RespReply::Kind::kSimple;
        r.text = std::string(rest);
        return r;
      case '-':
        r.kind = RespReply::Kind::kError;
        r.text = std::string(rest);
        return r;
      case ':':
        r.kind = RespReply::Kind::kInteger;
        if (!ParseInt(rest, &r.integer)) return absl::InvalidArgumentError("bad RESP integer");
        return r;
      case '$':
        return ReadBulk(rest);
      case '*':
        return ReadArray(rest, depth);
      default:
        return absl::InvalidArgumentError(std::string("unexpected RESP type byte '") + tag + "'");
    }
  }

  bool at_end() const { return pos_ == data_.size(); }

 private:
  absl::StatusOr<RespReply> ReadBulk(std::string_view len_text) {
    int64_t len = 0;
    if (!ParseInt(len_text, &len) || len < -1) return absl::InvalidArgumentError("bad bulk length");
    RespReply r;
    if (len == -1) return r;  // nil
    size_t n = static_cast<size_t>(len);
    if (data_.size() - pos_ < n + 2 || data_.substr(pos_ + n, 2) != "\r\n")
      return absl::InvalidArgumentError("truncated bulk string");
    r.kind = RespReply::Kind::kBulk;
    r.text = std::string(data_.substr(pos_, n));
    pos_ += n + 2;
    return r;
  }

  absl::StatusOr<RespReply> ReadArray(std::string_view count_text, int depth) {
    int64_t count = 0;
    if (!ParseInt(count_text, &count) || count < -1)
      return absl::InvalidArgumentError("bad array length");
    RespReply r;
    if (count == -1) return r;  // nil
    r.kind = RespReply::Kind::kArray;
    for (int64_t i = 0; i < count; ++i) {
      absl::StatusOr<RespReply> e = Read(depth + 1);
      if (!e.ok()) return e.status();
      r.elements.push_back(std::move(*e));
    }
    return r;
  }

  bool ReadLine(std::string_view* line) {
    size_t end = data_.find("\r\n", pos_);
    if (end == std::string_view::npos) return false;
    *line = data_.substr(pos_, end - pos_);
    pos_ = end + 2;
    return true;
  }

  static bool ParseInt(std::string_view s, int64_t* out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && p == s.data() + s.size();
  }

  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace

absl::StatusOr<RespReply> ParseRespReply(std::string_view data) {
  Reader reader(data);
  absl::StatusOr<RespReply> r = reader.Read(0);
  if (r.ok() && !reader.at_end()) return absl::InvalidArgumentError("bytes after the RESP reply");
  return r;
}

}  // namespace cordis::maelstrom
