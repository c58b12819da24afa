#include "core/keyspace/dump_format.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "core/crdt/lww_string.h"
#include "core/crdt/or_map.h"
#include "core/crdt/or_set.h"
#include "core/crdt/rga_list.h"
#include "core/crdt/zset.h"

namespace cordis {
namespace {

constexpr size_t kFooter = 2 + 8;

uint64_t Fnv1a64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutStr(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

void PutFixed(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetFixed(std::string_view s, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(s[i])) << (8 * i);
  return v;
}

// Reads the body; every read is bounds-checked and failures stick.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool ok() const { return ok_; }
  bool done() const { return pos_ == s_.size(); }
  std::string_view Rest() {
    std::string_view r = s_.substr(pos_);
    pos_ = s_.size();
    return r;
  }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 70 && ok_; shift += 7) {
      if (pos_ >= s_.size()) break;
      unsigned char c = static_cast<unsigned char>(s_[pos_++]);
      v |= static_cast<uint64_t>(c & 0x7f) << shift;
      if ((c & 0x80) == 0) return v;
    }
    ok_ = false;
    return 0;
  }
  std::string_view Str() {
    uint64_t n = Varint();
    if (!ok_ || n > s_.size() - pos_) {
      ok_ = false;
      return {};
    }
    std::string_view r = s_.substr(pos_, n);
    pos_ += n;
    return r;
  }
  double F64() {
    if (!ok_ || s_.size() - pos_ < 8) {
      ok_ = false;
      return 0;
    }
    uint64_t bits = GetFixed(s_.substr(pos_, 8), 8);
    pos_ += 8;
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }
  // A count of items of at least `min_bytes` each: more than the rest could hold is corrupt.
  uint64_t Count(size_t min_bytes) {
    uint64_t n = Varint();
    if (ok_ && n > (s_.size() - pos_) / min_bytes) ok_ = false;
    return ok_ ? n : 0;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
  bool ok_ = true;
};

absl::Status BadFormat() { return absl::InvalidArgumentError("Bad data format"); }

}  // namespace

std::string EncodeDump(const Value& v) {
  std::string out;
  switch (v.type()) {
    case ValueType::kString: {
      out.push_back('S');
      std::string scratch;
      out.append(static_cast<const StringValue&>(v).Get(&scratch));
      break;
    }
    case ValueType::kList: {
      out.push_back('L');
      std::vector<std::string> items = static_cast<const ListValue&>(v).Contents();
      PutVarint(&out, items.size());
      for (const std::string& s : items) PutStr(&out, s);
      break;
    }
    case ValueType::kSet: {
      out.push_back('E');
      const SetValue& s = static_cast<const SetValue&>(v);
      PutVarint(&out, s.size());
      s.ForEach([&](std::string_view m) { PutStr(&out, m); });
      break;
    }
    case ValueType::kHash: {
      out.push_back('H');
      std::vector<std::pair<std::string_view, std::string_view>> fields;
      static_cast<const HashValue&>(v).ForEach(
          [&](std::string_view f, std::string_view val) { fields.emplace_back(f, val); });
      PutVarint(&out, fields.size());
      for (const auto& [f, val] : fields) {
        PutStr(&out, f);
        PutStr(&out, val);
      }
      break;
    }
    case ValueType::kZset: {
      out.push_back('Z');
      std::vector<std::pair<std::string, double>> items = static_cast<const ZsetValue&>(v).Contents();
      PutVarint(&out, items.size());
      for (const auto& [m, score] : items) {
        PutStr(&out, m);
        uint64_t bits;
        std::memcpy(&bits, &score, sizeof bits);
        PutFixed(&out, bits, 8);
      }
      break;
    }
  }
  PutFixed(&out, kDumpVersion, 2);
  PutFixed(&out, Fnv1a64(out), 8);
  return out;
}

absl::StatusOr<ContentPayload> DecodeDump(std::string_view payload) {
  if (payload.size() < 1 + kFooter) return absl::DataLossError("payload too short");
  const size_t body_end = payload.size() - kFooter;
  if (GetFixed(payload.substr(body_end), 2) != kDumpVersion ||
      GetFixed(payload.substr(body_end + 2), 8) != Fnv1a64(payload.substr(0, body_end + 2))) {
    return absl::DataLossError("version or checksum");
  }
  Reader r(payload.substr(1, body_end - 1));
  ContentPayload c;
  auto keep = [&c](std::string_view s) -> std::string_view { return c.storage.emplace_back(s); };
  switch (payload[0]) {
    case 'S':
      c.payload = delta::StrAssign{keep(r.Rest())};
      break;
    case 'L': {
      delta::ListInsert ins;
      uint64_t n = r.Count(1);
      for (uint64_t i = 0; i < n && r.ok(); ++i) ins.values.push_back(keep(r.Str()));
      // Head inserts read back reversed (LPUSH a b c gives c b a): list the elements tail first.
      std::reverse(ins.values.begin(), ins.values.end());
      if (n == 0) return BadFormat();
      c.payload = std::move(ins);
      break;
    }
    case 'E': {
      delta::SetAdd add;
      uint64_t n = r.Count(1);
      for (uint64_t i = 0; i < n && r.ok(); ++i) add.members.push_back(keep(r.Str()));
      if (n == 0) return BadFormat();
      c.payload = std::move(add);
      break;
    }
    case 'H': {
      delta::HashSet set;
      uint64_t n = r.Count(2);
      for (uint64_t i = 0; i < n && r.ok(); ++i) {
        std::string_view f = keep(r.Str());
        set.fields.emplace_back(f, keep(r.Str()));
      }
      if (n == 0) return BadFormat();
      c.payload = std::move(set);
      break;
    }
    case 'Z': {
      delta::ZsetAdd add;
      uint64_t n = r.Count(9);
      for (uint64_t i = 0; i < n && r.ok(); ++i) {
        std::string_view m = keep(r.Str());
        double score = r.F64();
        if (std::isnan(score)) return BadFormat();
        add.items.emplace_back(score, m);
      }
      if (n == 0) return BadFormat();
      c.payload = std::move(add);
      break;
    }
    default:
      return BadFormat();
  }
  if (!r.ok() || !r.done()) return BadFormat();
  return c;
}

}  // namespace cordis
