#include "core/server/blocked_clients.h"

#include <algorithm>

#include "core/base/check.h"

namespace cordis {

std::string BlockedClients::QualifiedKey(uint32_t db, std::string_view key) {
  std::string q(reinterpret_cast<const char*>(&db), sizeof(db));
  q.append(key);
  return q;
}

void BlockedClients::Add(uint64_t id, uint32_t db, const std::vector<std::string>& keys,
                         int64_t deadline_us) {
  CHECK(!sessions_.contains(id));
  Entry& e = sessions_[id];
  e.deadline_us = deadline_us;
  for (const std::string& k : keys) {
    std::string q = QualifiedKey(db, k);
    if (std::find(e.keys.begin(), e.keys.end(), q) != e.keys.end()) continue;  // BLPOP k k 0
    waiting_[q].push_back(id);
    e.keys.push_back(std::move(q));
  }
  if (deadline_us > 0) deadlines_.emplace(deadline_us, id);
}

void BlockedClients::Remove(uint64_t id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  for (const std::string& q : it->second.keys) {
    auto w = waiting_.find(q);
    CHECK(w != waiting_.end());
    std::erase(w->second, id);
    if (w->second.empty()) waiting_.erase(w);
  }
  if (it->second.deadline_us > 0) deadlines_.erase({it->second.deadline_us, id});
  sessions_.erase(it);
}

void BlockedClients::TouchSlow(uint32_t db, std::string_view key) {
  std::string q = QualifiedKey(db, key);
  if (!waiting_.contains(q)) return;
  if (ready_set_.insert(q).second) ready_.push_back(std::move(q));
}

void BlockedClients::TouchAll() {
  for (const auto& [q, ids] : waiting_)
    if (ready_set_.insert(q).second) ready_.push_back(q);
}

std::vector<std::vector<uint64_t>> BlockedClients::TakeReadyWaiters() {
  std::vector<std::vector<uint64_t>> out;
  for (const std::string& q : ready_) {
    auto w = waiting_.find(q);
    if (w != waiting_.end()) out.emplace_back(w->second.begin(), w->second.end());
  }
  ready_.clear();
  ready_set_.clear();
  return out;
}

std::vector<uint64_t> BlockedClients::DueBy(int64_t now_us) const {
  std::vector<uint64_t> due;
  for (const auto& [deadline, id] : deadlines_) {
    if (deadline > now_us) break;
    due.push_back(id);
  }
  return due;
}

int64_t BlockedClients::NextDeadlineUs() const {
  return deadlines_.empty() ? 0 : deadlines_.begin()->first;
}

}  // namespace cordis
