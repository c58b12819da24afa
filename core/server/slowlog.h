// SLOWLOG: the most recent commands whose execution took at least slowlog-log-slower-than
// microseconds, newest first, at most slowlog-max-len of them (Redis's src/slowlog.c). Arguments
// are kept as Redis keeps them: at most 32, each cut at 128 bytes.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace cordis {

class SlowLog {
 public:
  struct Entry {
    uint64_t id;
    int64_t unix_s;
    int64_t duration_us;
    std::vector<std::string> args;
    std::string client_addr;
    std::string client_name;
  };
  static constexpr size_t kMaxArgs = 32;
  static constexpr size_t kMaxArgBytes = 128;

  // Records a command if it took at least threshold_us (a negative threshold disables the log).
  void MaybeAdd(int64_t threshold_us, size_t max_len, const std::vector<std::string_view>& args,
                int64_t duration_us, int64_t unix_s, std::string_view client_addr,
                std::string_view client_name);
  // Drops the oldest entries beyond max_len (CONFIG SET slowlog-max-len takes effect at once).
  void Trim(size_t max_len);
  void Reset() { entries_.clear(); }
  // Newest first.
  const std::deque<Entry>& entries() const { return entries_; }

 private:
  std::deque<Entry> entries_;
  uint64_t next_id_ = 0;
};

}  // namespace cordis
