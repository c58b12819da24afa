// What happened in a run: every client request with its replies and the ops it committed on its
// node (taken from the node's oplog, so the checkers judge the ops the core really made), plus the
// faults injected, in virtual-time order. Checkers build their models from it, and a failure
// prints the part of it that touched the failing key.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/op/op_codec.h"

namespace cordis::sim {

struct HistoryEntry {
  int64_t at_us = 0;
  int node = -1;    // 0-based; -1 for cluster-wide fault events
  int client = -1;  // -1 for fault events
  std::string text;   // the request, or the fault
  std::string reply;  // the replies, shown
  std::vector<std::string> keys;  // db 0 keys by name, "1/k" for db 1, "*" for every key
  std::vector<std::unique_ptr<DecodedOp>> ops;
  std::vector<std::unique_ptr<DecodedOp>> lost;  // ops a crash took before they were durable
};

class History {
 public:
  HistoryEntry& Add(HistoryEntry e);
  void Note(int64_t at_us, int node, std::string text);
  // A crash lost replica r's ops after `recovered_seq` (they were not durable, so no peer has
  // them): they move to `lost` and stop counting for the checkers.
  void DropLost(ReplicaId r, uint64_t recovered_seq);
  const std::vector<HistoryEntry>& entries() const { return entries_; }

  // The last `max_lines` entries that touched key in db (requests naming it or committing ops on
  // it), with the fault events among them, one per line.
  std::string Trace(uint32_t db, const std::string& key, size_t max_lines) const;
  // The last `max_lines` entries of any kind.
  std::string Tail(size_t max_lines) const;
  static std::string Show(const HistoryEntry& e);

 private:
  std::vector<HistoryEntry> entries_;
};

}  // namespace cordis::sim
