#include "sim/checkers.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/base/strings.h"
#include "core/crdt/lww_string.h"

namespace cordis::sim {
namespace {

using OpList = std::vector<const DecodedOp*>;

template <typename T>
const T* As(const DecodedOp* d) {
  return std::get_if<T>(&d->op.payload);
}

bool Has(const std::vector<std::string_view>& v, std::string_view m) {
  return std::find(v.begin(), v.end(), m) != v.end();
}

// True if an op on the key whose causal context covers x's dot matches `pred` (it removed x).
template <typename Pred>
bool Removed(const DecodedOp* x, const OpList& ops, Pred pred) {
  for (const DecodedOp* y : ops)
    if (y != x && y->ctx.Covers(x->op.dot) && pred(*y)) return true;
  return false;
}

bool ClearsString(const DecodedOp& y) {
  return y.op.clear_key || std::holds_alternative<delta::StrAssign>(y.op.payload);
}

// The string a counter/float/string key must hold, or nullopt for no key.
std::optional<std::string> ExpectString(const OpList& ops) {
  const DecodedOp* winner = nullptr;
  uint64_t sum = 0;
  long double fsum = 0;
  bool ints = false, floats = false;
  for (const DecodedOp* x : ops) {
    bool assign = As<delta::StrAssign>(x) != nullptr;
    const auto* add = As<delta::CounterAdd>(x);
    const auto* fadd = As<delta::FloatAdd>(x);
    if (!assign && add == nullptr && fadd == nullptr) continue;
    if (Removed(x, ops, ClearsString)) continue;
    if (assign && (winner == nullptr || x->op.stamp > winner->op.stamp)) winner = x;
    if (add != nullptr) {
      sum += static_cast<uint64_t>(add->delta);
      ints = true;
    }
    if (fadd != nullptr) {
      fsum += fadd->delta;
      floats = true;
    }
  }
  if (winner == nullptr && !ints && !floats) return std::nullopt;
  std::string base =
      winner != nullptr ? std::string(As<delta::StrAssign>(winner)->value) : std::string("0");
  if (floats) {
    std::optional<long double> b = StringValue::ParseLongDouble(base);
    return StringValue::FormatLongDouble((b ? *b : 0) + fsum);
  }
  if (ints) {
    std::optional<int64_t> b = StringValue::ParseInt64(base);
    if (!b) return base;  // increments cannot apply to a non-number (not in this workload)
    return std::to_string(static_cast<int64_t>(static_cast<uint64_t>(*b) + sum));
  }
  return base;
}

std::set<std::string> ExpectSet(const OpList& ops) {
  std::set<std::string> members;
  for (const DecodedOp* x : ops) {
    const auto* add = As<delta::SetAdd>(x);
    if (add == nullptr) continue;
    for (std::string_view m : add->members) {
      bool gone = Removed(x, ops, [&](const DecodedOp& y) {
        const auto* rm = As<delta::SetRemove>(&y);
        return y.op.clear_key || (rm != nullptr && Has(rm->members, m));
      });
      if (!gone) members.emplace(m);
    }
  }
  return members;
}

std::map<std::string, std::string> ExpectHash(const OpList& ops) {
  struct Field {
    const DecodedOp* winner = nullptr;
    std::string value;
    uint64_t sum = 0;
    bool adds = false;
  };
  std::map<std::string, Field> fields;
  auto removed = [&](const DecodedOp* x, std::string_view f) {
    return Removed(x, ops, [&](const DecodedOp& y) {
      if (y.op.clear_key) return true;
      if (const auto* rm = As<delta::HashRemove>(&y)) return Has(rm->fields, f);
      if (const auto* set = As<delta::HashSet>(&y)) {
        for (const auto& [name, v] : set->fields)
          if (name == f) return true;
      }
      return false;
    });
  };
  for (const DecodedOp* x : ops) {
    if (const auto* set = As<delta::HashSet>(x)) {
      for (const auto& [f, v] : set->fields) {
        if (removed(x, f)) continue;
        Field& field = fields[std::string(f)];
        // A field named twice in one HSET takes its last value, as in Redis.
        if (field.winner == nullptr || field.winner == x || x->op.stamp > field.winner->op.stamp) {
          field.winner = x;
          field.value = std::string(v);
        }
      }
    } else if (const auto* add = As<delta::HashAdd>(x)) {
      if (removed(x, add->field)) continue;
      Field& field = fields[std::string(add->field)];
      field.sum += static_cast<uint64_t>(add->delta);
      field.adds = true;
    }
  }
  std::map<std::string, std::string> out;
  for (auto& [f, field] : fields) {
    if (!field.adds) {
      out[f] = field.value;
      continue;
    }
    int64_t base = field.winner ? StringValue::ParseInt64(field.value).value_or(0) : 0;
    out[f] = std::to_string(static_cast<int64_t>(static_cast<uint64_t>(base) + field.sum));
  }
  return out;
}

// The surviving elements of a list, per inserting op in insertion order.
std::vector<std::vector<std::string>> ExpectList(const OpList& ops) {
  std::set<ElemId> removed_ids;
  for (const DecodedOp* y : ops)
    if (const auto* rm = As<delta::ListRemove>(y))
      removed_ids.insert(rm->ids.begin(), rm->ids.end());
  std::vector<std::vector<std::string>> out;
  for (const DecodedOp* x : ops) {
    const auto* ins = As<delta::ListInsert>(x);
    if (ins == nullptr) continue;
    if (Removed(x, ops, [](const DecodedOp& y) { return y.op.clear_key; })) continue;
    // Values inserted at the head go there one by one (LPUSH a b c reads c b a); values after an
    // element chain in order (rga_list.h).
    std::vector<std::string> alive;
    for (uint32_t i = 0; i < ins->values.size(); ++i)
      if (!removed_ids.contains(ElemId{x->op.dot, i})) alive.emplace_back(ins->values[i]);
    if (!ins->after) std::reverse(alive.begin(), alive.end());
    if (!alive.empty()) out.push_back(std::move(alive));
  }
  return out;
}

std::string Join(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) StrAppend(&s, i ? " " : "", v[i]);
  return s + "]";
}

std::vector<std::string> Strings(const Reply& r) {
  std::vector<std::string> out;
  for (const Reply& e : r.elems) out.push_back(e.str);
  return out;
}

std::optional<Failure> CheckKey(const std::string& key, const OpList& ops, int node,
                                const QueryFn& query) {
  auto fail = [&](std::string what) {
    return Failure{StrCat("replica ", node + 1, ": ", key, ": ", what), 0, key};
  };
  std::string cls = key.substr(0, key.find(':'));
  if (cls == "cnt" || cls == "flt" || cls == "str") {
    std::optional<std::string> want = ExpectString(ops);
    Reply got = query(node, 0, {"GET", key});
    std::string want_s = want ? "\"" + *want + "\"" : "(nil)";
    if (got.Show() != want_s)
      return fail(StrCat("GET is ", got.Show(), ", the acknowledged writes make ", want_s));
  } else if (cls == "set") {
    std::set<std::string> want = ExpectSet(ops);
    std::vector<std::string> got = Strings(query(node, 0, {"SMEMBERS", key}));
    std::sort(got.begin(), got.end());
    std::vector<std::string> want_v(want.begin(), want.end());
    if (got != want_v)
      return fail(StrCat("SMEMBERS is ", Join(got), ", the acknowledged adds and removes make ",
                         Join(want_v)));
  } else if (cls == "hash") {
    std::map<std::string, std::string> want = ExpectHash(ops);
    std::vector<std::string> flat = Strings(query(node, 0, {"HGETALL", key}));
    std::map<std::string, std::string> got;
    for (size_t i = 0; i + 1 < flat.size(); i += 2) got[flat[i]] = flat[i + 1];
    if (got != want) {
      std::vector<std::string> a, b;
      for (const auto& [f, v] : got) a.push_back(f + "=" + v);
      for (const auto& [f, v] : want) b.push_back(f + "=" + v);
      return fail(StrCat("HGETALL is ", Join(a), ", the acknowledged writes make ", Join(b)));
    }
  } else if (cls == "list") {
    std::vector<std::vector<std::string>> want = ExpectList(ops);
    std::vector<std::string> got = Strings(query(node, 0, {"LRANGE", key, "0", "-1"}));
    std::map<std::string, size_t> pos;
    for (size_t i = 0; i < got.size(); ++i) {
      if (pos.contains(got[i])) return fail(StrCat("element ", got[i], " appears twice"));
      pos[got[i]] = i;
    }
    size_t total = 0;
    for (const auto& group : want) {
      total += group.size();
      for (size_t i = 0; i < group.size(); ++i) {
        if (!pos.contains(group[i]))
          return fail(StrCat("acknowledged element ", group[i], " never removed is missing from ",
                             Join(got)));
        if (i > 0 && pos[group[i - 1]] > pos[group[i]])
          return fail(StrCat("elements of one push out of order: ", group[i - 1], " after ",
                             group[i], " in ", Join(got)));
      }
    }
    if (total != got.size())
      return fail(StrCat("LRANGE has ", got.size(), " elements, the history leaves ", total));
  }
  return std::nullopt;
}

// A ttl key whose causally last write (its context covers every other write) set a deadline that
// has passed on a replica's clock must be gone there.
std::optional<Failure> CheckTtl(const std::string& key, const OpList& ops,
                                const std::vector<int64_t>& node_now_ms, const QueryFn& query) {
  for (const DecodedOp* o : ops) {
    if (!o->op.expire || *o->op.expire == kPersistMs) continue;
    bool last = std::all_of(ops.begin(), ops.end(), [&](const DecodedOp* y) {
      return y == o || o->ctx.Covers(y->op.dot);
    });
    if (!last) continue;
    for (size_t n = 0; n < node_now_ms.size(); ++n) {
      if (node_now_ms[n] <= *o->op.expire) continue;
      Reply r = query(static_cast<int>(n), 0, {"EXISTS", key});
      if (r.integer != 0)
        return Failure{StrCat("replica ", n + 1, ": ", key, " outlived its deadline ",
                              *o->op.expire, " (clock ", node_now_ms[n], ")"),
                       0, key};
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Failure> CheckOracles(const History& history, const std::vector<int64_t>& node_now_ms,
                                    const QueryFn& query) {
  std::map<std::string, OpList> by_key;
  for (const HistoryEntry& e : history.entries())
    for (const auto& op : e.ops)
      if (op->op.db == 0) by_key[std::string(op->op.key)].push_back(op.get());
  for (const auto& [key, ops] : by_key) {
    for (size_t n = 0; n < node_now_ms.size(); ++n) {
      if (auto f = CheckKey(key, ops, static_cast<int>(n), query)) return f;
    }
    if (key.rfind("ttl:", 0) == 0) {
      if (auto f = CheckTtl(key, ops, node_now_ms, query)) return f;
    }
  }
  return std::nullopt;
}

}  // namespace cordis::sim
