#include "sim/history.h"

#include <algorithm>

#include "core/base/strings.h"

namespace cordis::sim {
namespace {

bool Touches(const HistoryEntry& e, uint32_t db, const std::string& key) {
  std::string name = db == 0 ? key : StrCat(db, "/", key);
  for (const std::string& k : e.keys)
    if (k == name || k == "*" || (db == 1 && k == "*1")) return true;
  for (const auto& op : e.ops)
    if (op->op.db == db && op->op.key == key) return true;
  for (const auto& op : e.lost)
    if (op->op.db == db && op->op.key == key) return true;
  return false;
}

std::string TimeMs(int64_t us) { return StrCat(us / 1000, ".", std::to_string(us % 1000 / 100)); }

}  // namespace

HistoryEntry& History::Add(HistoryEntry e) {
  entries_.push_back(std::move(e));
  return entries_.back();
}

void History::Note(int64_t at_us, int node, std::string text) {
  HistoryEntry e;
  e.at_us = at_us;
  e.node = node;
  e.text = std::move(text);
  entries_.push_back(std::move(e));
}

void History::DropLost(ReplicaId r, uint64_t recovered_seq) {
  for (HistoryEntry& e : entries_) {
    for (auto& op : e.ops) {
      if (op->op.dot.replica == r && op->op.dot.seq > recovered_seq) e.lost.push_back(std::move(op));
    }
    std::erase(e.ops, nullptr);
  }
}

std::string History::Show(const HistoryEntry& e) {
  std::string line = StrCat("  t=", TimeMs(e.at_us), "ms");
  if (e.node >= 0) StrAppend(&line, " n", e.node + 1);
  if (e.client >= 0) {
    StrAppend(&line, " c", e.client, " ", e.text, " -> ", e.reply);
    for (const auto& op : e.ops) {
      StrAppend(&line, "\n      op ", op->op.dot.replica, ":", op->op.dot.seq, " db", op->op.db,
                " ", op->op.key);
      std::string body = op->record.ShortDebugString();
      StrAppend(&line, " {", body.substr(0, 200), "}");
    }
    for (const auto& op : e.lost)
      StrAppend(&line, "\n      op ", op->op.dot.replica, ":", op->op.dot.seq, " lost in a crash");
  } else {
    StrAppend(&line, " [", e.text, "]");
  }
  return line;
}

std::string History::Trace(uint32_t db, const std::string& key, size_t max_lines) const {
  std::vector<const HistoryEntry*> picked;
  for (auto it = entries_.rbegin(); it != entries_.rend() && picked.size() < max_lines; ++it) {
    if (it->client < 0 || Touches(*it, db, key)) picked.push_back(&*it);
  }
  // Fault events alone are not interesting at the start of the trace.
  while (!picked.empty() && picked.back()->client < 0) picked.pop_back();
  std::reverse(picked.begin(), picked.end());
  std::string out;
  for (const HistoryEntry* e : picked) StrAppend(&out, Show(*e), "\n");
  return out;
}

std::string History::Tail(size_t max_lines) const {
  std::string out;
  size_t from = entries_.size() > max_lines ? entries_.size() - max_lines : 0;
  for (size_t i = from; i < entries_.size(); ++i) StrAppend(&out, Show(entries_[i]), "\n");
  return out;
}

}  // namespace cordis::sim
