#include "core/server/slowlog.h"

#include "core/base/strings.h"

namespace cordis {

void SlowLog::MaybeAdd(int64_t threshold_us, size_t max_len,
                       const std::vector<std::string_view>& args, int64_t duration_us,
                       int64_t unix_s, std::string_view client_addr, std::string_view client_name) {
  if (threshold_us < 0 || duration_us < threshold_us) return;
  Entry e;
  e.id = next_id_++;
  e.unix_s = unix_s;
  e.duration_us = duration_us;
  size_t n = std::min(args.size(), kMaxArgs);
  for (size_t i = 0; i < n; ++i) {
    if (i == kMaxArgs - 1 && args.size() > kMaxArgs) {
      e.args.push_back(StrCat("... (", args.size() - kMaxArgs + 1, " more arguments)"));
      break;
    }
    std::string_view a = args[i];
    if (a.size() > kMaxArgBytes) {
      e.args.push_back(
          StrCat(a.substr(0, kMaxArgBytes), "... (", a.size() - kMaxArgBytes, " more bytes)"));
    } else {
      e.args.emplace_back(a);
    }
  }
  e.client_addr = std::string(client_addr);
  e.client_name = std::string(client_name);
  entries_.push_front(std::move(e));
  Trim(max_len);
}

void SlowLog::Trim(size_t max_len) {
  while (entries_.size() > max_len) entries_.pop_back();
}

}  // namespace cordis
