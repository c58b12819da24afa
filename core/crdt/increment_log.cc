#include "core/crdt/increment_log.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/base/check.h"
#include "core/crdt/lww_string.h"

namespace cordis {
namespace {

uint64_t Rank(const VersionVector& ctx) {
  uint64_t sum = 0;
  for (const auto& [replica, seq] : ctx.entries()) sum += seq;
  return sum;
}

bool Before(const IncrementLog::Entry& a, uint64_t rank, const Dot& dot) {
  return a.rank != rank ? a.rank < rank : a.dot < dot;
}


}  // namespace

void IncrementLog::Add(const Op& op, bool is_float, int64_t i, long double f) {
  uint64_t rank = Rank(*op.ctx);
  // Causal stability: whatever arrives after a fold has seen the folded increments.
  if (folded_) CHECK_GT(rank, folded_rank_);
  auto it = std::lower_bound(pending_.begin(), pending_.end(), op.dot,
                             [&](const Entry& e, const Dot& d) { return Before(e, rank, d); });
  CHECK(it == pending_.end() || it->dot != op.dot);
  pending_.insert(it, Entry{rank, op.dot, op.stamp.hlc, is_float, i, f});
}

bool IncrementLog::RemoveObserved(const VersionVector& ctx) {
  size_t before = pending_.size();
  std::erase_if(pending_, [&](const Entry& e) { return ctx.Covers(e.dot); });
  bool changed = pending_.size() != before;
  if (folded_) {
    if (!ctx.Dominates(folded_vv_)) {
      std::ostringstream detail;
      detail << "(remover ctx " << ctx << ", folded " << folded_vv_ << ")";
      internal::CheckFailed(__FILE__, __LINE__, "ctx.Dominates(folded_vv_)", detail.str());
    }
    folded_.reset();
    folded_vv_.Clear();
    folded_first_ = Dot{};
    folded_rank_ = folded_hlc_ = 0;
    folded_replica_ = 0;
    changed = true;
  }
  return changed;
}

void IncrementLog::Compact(const VersionVector& stable, std::string_view base) {
  size_t n = 0;
  while (n < pending_.size() && stable.Covers(pending_[n].dot)) ++n;
  if (n == 0) return;
  if (!folded_) {
    folded_.emplace(base);
    folded_first_ = pending_[0].dot;
  }
  for (size_t k = 0; k < n; ++k) {
    const Entry& e = pending_[k];
    Step(&*folded_, e);
    folded_vv_.Raise(e.dot.replica, e.dot.seq);
    folded_rank_ = std::max(folded_rank_, e.rank);
    if (Stamp{e.hlc, e.dot.replica} > Stamp{folded_hlc_, folded_replica_}) {
      folded_hlc_ = e.hlc;
      folded_replica_ = e.dot.replica;
    }
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
}

std::string IncrementLog::Evaluate(std::string_view base) const {
  std::string v(folded_ ? std::string_view(*folded_) : base);
  for (const Entry& e : pending_) Step(&v, e);
  return v;
}

void IncrementLog::Step(std::string* value, const Entry& e) {
  if (!e.is_float) {
    if (std::optional<int64_t> n = StringValue::ParseInt64(*value)) {
      *value = std::to_string(
          static_cast<int64_t>(static_cast<uint64_t>(*n) + static_cast<uint64_t>(e.i)));
      return;
    }
  }
  std::optional<long double> x = StringValue::ParseLongDouble(*value);
  if (!x) return;
  long double r = *x + (e.is_float ? e.f : static_cast<long double>(e.i));
  if (std::isfinite(r)) *value = StringValue::FormatLongDouble(r);
}

Stamp IncrementLog::MaxStamp() const {
  Stamp m{folded_hlc_, folded_replica_};
  for (const Entry& e : pending_) m = std::max(m, Stamp{e.hlc, e.dot.replica});
  return m;
}

size_t IncrementLog::MemoryBytes() const {
  size_t bytes = pending_.capacity() * sizeof(Entry);
  if (folded_ && folded_->capacity() > 15) bytes += folded_->capacity() + 1;
  return bytes;
}

}  // namespace cordis
