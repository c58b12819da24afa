// MONITOR: every command the node runs is streamed to monitoring sessions as one status line,
// Redis's format: +<seconds>.<microseconds> [<db> <client address>] "arg" "arg" ...
#include <cstdio>
#include <string>
#include <vector>

#include "core/server/node.h"

namespace cordis {
namespace {

// Redis's sdscatrepr: a double-quoted string with C escapes, other unprintables as \xHH.
void AppendRepr(std::string_view s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '\\':
      case '"':
        out->push_back('\\');
        out->push_back(static_cast<char>(c));
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\a':
        out->append("\\a");
        break;
      case '\b':
        out->append("\\b");
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out->push_back(static_cast<char>(c));
        } else {
          char buf[5];
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          out->append(buf);
        }
    }
  }
  out->push_back('"');
}

}  // namespace

void Node::AddMonitor(Session* s) {
  if (s->monitor) return;
  s->monitor = true;
  monitors_.push_back(s->id);
}

void Node::FeedMonitors(const Session& s, const std::vector<std::string_view>& args,
                        int64_t now_us) {
  char head[64];
  std::snprintf(head, sizeof(head), "+%lld.%06lld [%u ", static_cast<long long>(now_us / 1000000),
                static_cast<long long>(now_us % 1000000), s.db);
  std::string line = head;
  line += s.addr;
  line += ']';
  for (std::string_view a : args) {
    line += ' ';
    AppendRepr(a, &line);
  }
  line += "\r\n";
  for (uint64_t id : monitors_) {
    auto it = sessions_.find(id);
    if (it == sessions_.end()) continue;
    it->second->output += line;
    if (it->second.get() != &s) woken_.push_back(id);
  }
}

}  // namespace cordis
