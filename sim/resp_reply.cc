#include "sim/resp_reply.h"

#include <charconv>

#include "core/base/strings.h"

namespace cordis::sim {
namespace {

bool ReadLine(std::string_view bytes, size_t* pos, std::string_view* line) {
  size_t end = bytes.find("\r\n", *pos);
  if (end == std::string_view::npos) return false;
  *line = bytes.substr(*pos, end - *pos);
  *pos = end + 2;
  return true;
}

bool ToInt(std::string_view s, int64_t* v) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), *v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool ParseOne(std::string_view bytes, size_t* pos, Reply* out, int depth) {
  if (*pos >= bytes.size() || depth > 8) return false;
  out->type = bytes[(*pos)++];
  std::string_view line;
  if (!ReadLine(bytes, pos, &line)) return false;
  switch (out->type) {
    case '+':
    case '-':
      out->str = std::string(line);
      return true;
    case ':':
      return ToInt(line, &out->integer);
    case '$': {
      int64_t len;
      if (!ToInt(line, &len)) return false;
      if (len < 0) {
        out->nil = true;
        return true;
      }
      if (*pos + static_cast<size_t>(len) + 2 > bytes.size()) return false;
      out->str = std::string(bytes.substr(*pos, static_cast<size_t>(len)));
      *pos += static_cast<size_t>(len) + 2;
      return true;
    }
    case '*': {
      int64_t n;
      if (!ToInt(line, &n)) return false;
      if (n < 0) {
        out->nil = true;
        return true;
      }
      out->elems.resize(static_cast<size_t>(n));
      for (Reply& e : out->elems)
        if (!ParseOne(bytes, pos, &e, depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

bool ParseReplies(std::string_view bytes, std::vector<Reply>* out) {
  size_t pos = 0;
  while (pos < bytes.size()) {
    Reply r;
    if (!ParseOne(bytes, &pos, &r, 0)) return false;
    out->push_back(std::move(r));
  }
  return true;
}

std::string Reply::Show() const {
  if (nil) return "(nil)";
  switch (type) {
    case ':':
      return std::to_string(integer);
    case '$':
      return "\"" + str + "\"";
    case '*': {
      std::string s = "[";
      for (size_t i = 0; i < elems.size(); ++i) StrAppend(&s, i ? " " : "", elems[i].Show());
      return s + "]";
    }
    default:
      return str;
  }
}

}  // namespace cordis::sim
