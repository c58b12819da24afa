#include "core/replication/oplog.h"

#include "core/base/check.h"

namespace cordis {

void Oplog::Append(pb::Op record) {
  bytes_ += record.ByteSizeLong();
  entries_.push_back(std::move(record));
}

void Oplog::PopFront() {
  const pb::Op& front = entries_.front();
  floor_.Raise(front.origin(), front.seq());
  bytes_ -= front.ByteSizeLong();
  entries_.pop_front();
  ++dropped_;
}

void Oplog::Truncate(const VersionVector& everyone) {
  while (!entries_.empty() &&
         everyone.Covers(Dot{entries_.front().origin(), entries_.front().seq()})) {
    PopFront();
  }
}

void Oplog::DropOldest() {
  CHECK(!entries_.empty());
  PopFront();
}

}  // namespace cordis
