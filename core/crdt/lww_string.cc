#include "core/crdt/lww_string.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/base/mutation.h"
#include "core/base/strings.h"

namespace cordis {

void StringValue::Apply(const delta::StrAssign& d, const Op& op) {
  // An assignment replaces what its origin had seen: registers and increments.
  RemoveObserved(*op.ctx);
  regs_.emplace_back(op.dot, op.stamp, d.value);
}

IncrementLog& StringValue::Incrs() {
  if (incrs_ == nullptr) incrs_ = std::make_unique<IncrementLog>();
  return *incrs_;
}

void StringValue::DropEmptyIncrs() {
  if (incrs_ != nullptr && incrs_->empty()) incrs_.reset();
}

void StringValue::Apply(const delta::CounterAdd& d, const Op& op) { Incrs().AddInt(op, d.delta); }

void StringValue::Apply(const delta::FloatAdd& d, const Op& op) { Incrs().AddFloat(op, d.delta); }

void StringValue::RemoveObserved(const VersionVector& ctx) {
  EraseIf(regs_, [&](const Reg& r) { return ctx.Covers(r.dot()); });
  if (incrs_ != nullptr) {
    incrs_->RemoveObserved(ctx);
    DropEmptyIncrs();
  }
}

Stamp StringValue::MaxStamp() const {
  Stamp m;
  for (const Reg& r : regs_) m = std::max(m, r.stamp());
  return incrs_ != nullptr ? std::max(m, incrs_->MaxStamp()) : m;
}

void StringValue::Compact(const VersionVector& stable) {
  if (incrs_ != nullptr && incrs_->has_pending()) incrs_->Compact(stable, Base());
}

size_t StringValue::MemoryBytes() const {
  size_t bytes = sizeof(*this);
  if (incrs_ != nullptr) bytes += sizeof(IncrementLog) + incrs_->MemoryBytes();
  for (const Reg& r : regs_) bytes += r.bytes.heap_bytes();
  return bytes;
}

const StringValue::Reg* StringValue::Winner() const {
  const Reg* best = nullptr;
  const bool ignore_replica = Mutated(Mutation::kLwwTieIgnoresReplica);
  for (const Reg& r : regs_) {
    bool greater = ignore_replica ? best == nullptr || r.hlc > best->hlc
                                  : best == nullptr || r.stamp() > best->stamp();
    if (greater) best = &r;
  }
  return best;
}

// The base increments start from: the winning register, or "0" when there is none.
std::string_view StringValue::Base() const {
  const Reg* w = Winner();
  return w != nullptr ? w->bytes.view() : std::string_view("0");
}

std::string_view StringValue::Get(std::string* scratch) const {
  if (!has_increments()) {
    const Reg* w = Winner();
    return w != nullptr ? w->bytes.view() : std::string_view();
  }
  if (std::optional<std::string_view> v = incrs_->FoldedOnly()) return *v;
  *scratch = incrs_->Evaluate(Base());
  return *scratch;
}

std::optional<int64_t> StringValue::AsInteger() const {
  if (incrs_ != nullptr) {
    if (std::optional<std::string_view> v = incrs_->FoldedOnly()) return ParseInt64(*v);
  }
  std::string scratch;
  return ParseInt64(Get(&scratch));
}

std::optional<long double> StringValue::AsLongDouble() const {
  std::string scratch;
  return ParseLongDouble(Get(&scratch));
}

size_t StringValue::Length() const {
  std::string scratch;
  return Get(&scratch).size();
}

std::string StringValue::FormatLongDouble(long double v) {
  char buf[5 * 1024];
  int n = std::snprintf(buf, sizeof(buf), "%.17Lf", v);
  if (n < 0 || static_cast<size_t>(n) >= sizeof(buf)) return "0";
  std::string s(buf, n);
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

// Redis's string2ll: optional '-', digits, no leading zeros (except "0"), no spaces, fits int64.
std::optional<int64_t> StringValue::ParseInt64(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  if (s.size() > 1 && s[0] == '0') return std::nullopt;
  if (s.size() >= 2 && s[0] == '-' && s[1] == '0') return std::nullopt;
  if (s == "-") return std::nullopt;
  int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  if (s[0] == '+') return std::nullopt;
  return v;
}

// Redis's string2ld: strtold over the whole string, no leading space, not NaN.
std::optional<long double> StringValue::ParseLongDouble(std::string_view s) {
  if (s.empty() || s.size() >= 5 * 1024) return std::nullopt;
  if (std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  std::string buf(s);
  char* end = nullptr;
  errno = 0;
  long double v = std::strtold(buf.c_str(), &end);
  if (end != buf.c_str() + buf.size()) return std::nullopt;
  if (std::isnan(v)) return std::nullopt;
  if (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || std::fpclassify(v) == FP_ZERO))
    return std::nullopt;
  return v;
}

}  // namespace cordis
