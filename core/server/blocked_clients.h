// Clients parked by blocking commands (BLPOP, BLMOVE, BZPOPMIN, ...), Redis's model: a client
// blocks on a list of keys with an optional deadline; when any of those keys is written (by a
// local command or by an op from a peer) the key becomes "ready", and the node re-runs the waiting
// clients' commands in the order they blocked (first come, first served) until one finds no data.
// Ordered containers only: the order in which clients are served reaches replies.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cordis {

class BlockedClients {
 public:
  // Parks session `id` on `keys` of database `db` until `deadline_us` (0: forever).
  void Add(uint64_t id, uint32_t db, const std::vector<std::string>& keys, int64_t deadline_us);
  void Remove(uint64_t id);
  bool contains(uint64_t id) const { return sessions_.contains(id); }
  size_t size() const { return sessions_.size(); }

  // A key was written: if someone waits on it, it becomes ready. Cheap when nobody waits.
  void Touch(uint32_t db, std::string_view key) {
    if (!waiting_.empty()) TouchSlow(db, key);
  }
  // Every key someone waits on becomes ready (a snapshot replaced the keyspace).
  void TouchAll();
  bool has_ready() const { return !ready_.empty(); }
  // The ready keys, in the order they became ready, and the clients waiting on each (in the
  // order they blocked), as of now.
  std::vector<std::vector<uint64_t>> TakeReadyWaiters();

  // Sessions whose deadline is at or before now_us, earliest first.
  std::vector<uint64_t> DueBy(int64_t now_us) const;
  // The earliest deadline, or 0 when no blocked client has one.
  int64_t NextDeadlineUs() const;

 private:
  struct Entry {
    std::vector<std::string> keys;  // db-qualified (see QualifiedKey)
    int64_t deadline_us = 0;
  };
  static std::string QualifiedKey(uint32_t db, std::string_view key);
  void TouchSlow(uint32_t db, std::string_view key);

  std::map<std::string, std::deque<uint64_t>> waiting_;  // qualified key -> sessions, FIFO
  std::map<uint64_t, Entry> sessions_;
  std::set<std::pair<int64_t, uint64_t>> deadlines_;
  std::vector<std::string> ready_;
  std::set<std::string> ready_set_;
};

}  // namespace cordis
