#include "core/keyspace/digest.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "core/base/hash.h"
#include "core/keyspace/value_content.h"

namespace cordis {
namespace {

constexpr uint64_t kSeed = 0xC0D15D16E57ULL;

uint64_t Combine(uint64_t h, std::string_view s) {
  // Length-prefixed so ("ab","c") and ("a","bc") differ.
  return Mix64(h ^ HashBytes(s, kSeed + s.size()));
}

uint64_t HashSorted(uint64_t h, std::vector<std::string> parts) {
  std::sort(parts.begin(), parts.end());
  for (const auto& p : parts) h = Combine(h, p);
  return h;
}

std::string Pair(std::string_view a, std::string_view b) {
  std::string s = std::to_string(a.size());
  s += ':';
  s.append(a);
  s.append(b);
  return s;
}

}  // namespace

uint64_t KeyDigest(const Keyspace& ks, const KeyEntry* e) {
  if (e == nullptr || e->value == nullptr) return 0;
  uint64_t h = Combine(kSeed, e->key());
  h = Combine(h, ValueTypeName(e->value->type()));
  ContentPayload c = ContentOf(*e->value);
  std::visit(
      [&](const auto& d) {
        using D = std::decay_t<decltype(d)>;
        std::vector<std::string> parts;
        if constexpr (std::is_same_v<D, delta::StrAssign>) {
          h = Combine(h, d.value);
        } else if constexpr (std::is_same_v<D, delta::SetAdd>) {
          for (auto m : d.members) parts.emplace_back(m);
          h = HashSorted(h, std::move(parts));
        } else if constexpr (std::is_same_v<D, delta::HashSet>) {
          for (auto [f, v] : d.fields) parts.push_back(Pair(f, v));
          h = HashSorted(h, std::move(parts));
        } else if constexpr (std::is_same_v<D, delta::ZsetAdd>) {
          for (auto [score, m] : d.items) {
            char buf[32];
            std::snprintf(buf, sizeof(buf), "%a", score);  // exact bits, not a rounded print
            parts.push_back(Pair(m, buf));
          }
          h = HashSorted(h, std::move(parts));
        } else if constexpr (std::is_same_v<D, delta::ListInsert>) {
          for (auto v : d.values) h = Combine(h, v);  // tail first; order matters
        }
      },
      c.payload);
  std::optional<int64_t> at = ks.ExpireAtMs(e);
  h = Combine(h, at ? std::to_string(*at) : std::string("-"));
  return h == 0 ? 1 : h;
}

uint64_t KeyspaceDigest(const Keyspace& ks) {
  uint64_t sum = 0;
  ks.dict().ForEach([&](KeyEntry* e) { sum += KeyDigest(ks, e); });
  return sum;
}

std::string DigestHex(uint64_t d) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(d));
  return buf;
}

}  // namespace cordis
