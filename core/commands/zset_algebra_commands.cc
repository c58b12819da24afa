// Sorted-set algebra: ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD, following Redis
// 7.0's zunionInterDiffGenericCommand (src/t_zset.c): sets count as sorted sets whose scores are
// all 1, WEIGHTS multiply, AGGREGATE SUM|MIN|MAX combines, and a NaN from inf * 0 or inf + -inf
// becomes 0. The reads reply from local state; a STORE form overwrites its destination with one
// op (clear_key + ZsetAdd of the result), like SINTERSTORE.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/commands/arg_parse.h"
#include "core/crdt/or_set.h"
#include "core/crdt/zset.h"
#include "core/server/command_context.h"

namespace cordis {
namespace {

enum class ZOp { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

// One input: a sorted set, a set (scores 1) or a missing key (empty).
struct Source {
  const ZsetValue* zset = nullptr;
  const SetValue* set = nullptr;
  double weight = 1.0;

  size_t size() const { return zset ? zset->size() : set ? set->size() : 0; }
  std::optional<double> Find(std::string_view m) const {
    if (zset != nullptr) return zset->Score(m);
    if (set != nullptr && set->Contains(m)) return 1.0;
    return std::nullopt;
  }
  // f(member, score) for every element: a sorted set in score order, a set in its dict order.
  template <typename F>
  void ForEach(F&& f) const {
    if (zset != nullptr) {
      if (zset->size() == 0) return;
      zset->index().ForEachFromRank(0, false, [&](double s, std::string_view m) {
        f(m, s);
        return true;
      });
    } else if (set != nullptr) {
      set->ForEach([&](std::string_view m) { f(m, 1.0); });
    }
  }
  bool Same(const Source& o) const {
    return (zset != nullptr && zset == o.zset) || (set != nullptr && set == o.set);
  }
};

void Combine(double* target, double value, Aggregate agg) {
  switch (agg) {
    case Aggregate::kSum:
      *target += value;
      if (std::isnan(*target)) *target = 0.0;  // inf + -inf: Redis's convention is 0
      break;
    case Aggregate::kMin:
      *target = value < *target ? value : *target;
      break;
    case Aggregate::kMax:
      *target = value > *target ? value : *target;
      break;
  }
}

struct Request {
  ZOp op = ZOp::kUnion;
  bool store = false;      // *STORE: args[1] is the destination
  bool card_only = false;  // ZINTERCARD
  bool withscores = false;
  Aggregate agg = Aggregate::kSum;
  int64_t limit = 0;
  std::vector<Source> sources;
};

// Looks up the numkeys inputs at args[numkeys_idx + 1..] and parses the options after them, in
// Redis's order of checks. Replies and returns false on error.
bool ParseRequest(CommandContext& ctx, size_t numkeys_idx, Request* r) {
  const auto& a = ctx.args;
  std::optional<int64_t> setnum = ParseInt64(a[numkeys_idx]);
  if (!setnum) return ctx.reply.Error(err::kNotInteger), false;
  if (*setnum < 1) {
    ctx.reply.Error(StrCat("ERR at least 1 input key is needed for '", ctx.spec.name, "' command"));
    return false;
  }
  if (static_cast<uint64_t>(*setnum) > a.size() - (numkeys_idx + 1)) {
    return ctx.reply.Error(err::kSyntax), false;
  }
  const size_t n = static_cast<size_t>(*setnum);
  size_t j = numkeys_idx + 1;
  for (size_t i = 0; i < n; ++i, ++j) {
    Source src;
    if (KeyEntry* e = ctx.Lookup(a[j])) {
      if (e->value->type() == ValueType::kZset) {
        src.zset = static_cast<const ZsetValue*>(e->value);
      } else if (e->value->type() == ValueType::kSet) {
        src.set = static_cast<const SetValue*>(e->value);
      } else {
        return ctx.reply.Error(err::kWrongType), false;
      }
    }
    r->sources.push_back(src);
  }
  const bool algebra = r->op != ZOp::kDiff && !r->card_only;
  while (j < a.size()) {
    const size_t remaining = a.size() - j;
    if (algebra && remaining >= n + 1 && EqualsIgnoreCase(a[j], "weights")) {
      ++j;
      for (size_t i = 0; i < n; ++i, ++j) {
        std::optional<double> w = ParseDouble(a[j]);
        if (!w) return ctx.reply.Error("ERR weight value is not a float"), false;
        r->sources[i].weight = *w;
      }
    } else if (algebra && remaining >= 2 && EqualsIgnoreCase(a[j], "aggregate")) {
      std::string_view v = a[j + 1];
      if (EqualsIgnoreCase(v, "sum")) {
        r->agg = Aggregate::kSum;
      } else if (EqualsIgnoreCase(v, "min")) {
        r->agg = Aggregate::kMin;
      } else if (EqualsIgnoreCase(v, "max")) {
        r->agg = Aggregate::kMax;
      } else {
        return ctx.reply.Error(err::kSyntax), false;
      }
      j += 2;
    } else if (!r->store && !r->card_only && EqualsIgnoreCase(a[j], "withscores")) {
      r->withscores = true;
      ++j;
    } else if (r->card_only && remaining >= 2 && EqualsIgnoreCase(a[j], "limit")) {
      std::optional<int64_t> l = ParseInt64(a[j + 1]);
      if (!l || *l < 0) return ctx.reply.Error("ERR LIMIT can't be negative"), false;
      r->limit = *l;
      j += 2;
    } else {
      return ctx.reply.Error(err::kSyntax), false;
    }
  }
  return true;
}

using Result = std::vector<std::pair<double, std::string_view>>;

double Weighted(double score, double weight) {
  double v = weight * score;
  return std::isnan(v) ? 0.0 : v;
}

// Intersection over the smallest input first (inputs are sorted by size, stably, as Redis's
// qsort over them does in practice). Stops counting at limit when only the count is wanted.
Result Intersect(const Request& r, size_t* cardinality) {
  Result out;
  const std::vector<Source>& src = r.sources;
  if (src[0].size() == 0) return out;
  src[0].ForEach([&](std::string_view m, double s) {
    if (r.limit != 0 && *cardinality >= static_cast<uint64_t>(r.limit)) return;
    double score = Weighted(s, src[0].weight);
    for (size_t j = 1; j < src.size(); ++j) {
      std::optional<double> v = src[j].Same(src[0]) ? std::optional<double>(s) : src[j].Find(m);
      if (!v) return;
      Combine(&score, *v * src[j].weight, r.agg);
    }
    ++*cardinality;
    if (!r.card_only) out.emplace_back(score, m);
  });
  return out;
}

Result Union(const Request& r) {
  absl::flat_hash_map<std::string_view, size_t> pos;  // lookups only; order comes from out
  Result out;
  for (const Source& s : r.sources) {
    s.ForEach([&](std::string_view m, double score) {
      double v = Weighted(score, s.weight);
      auto [it, fresh] = pos.emplace(m, out.size());
      if (fresh) {
        out.emplace_back(v, m);
      } else {
        Combine(&out[it->second].first, v, r.agg);
      }
    });
  }
  return out;
}

Result Difference(const Request& r) {
  Result out;
  const std::vector<Source>& src = r.sources;
  src[0].ForEach([&](std::string_view m, double s) {
    for (size_t j = 1; j < src.size(); ++j)
      if (src[j].Find(m)) return;
    out.emplace_back(s, m);
  });
  return out;
}

// The result in Redis's skiplist order: by score, then member bytes.
void SortResult(Result* res) {
  std::sort(res->begin(), res->end(), [](const auto& x, const auto& y) {
    if (x.first != y.first) return x.first < y.first;
    return x.second < y.second;
  });
}

void ReplyResult(CommandContext& ctx, const Result& res, bool withscores) {
  const bool resp3 = ctx.reply.resp3();
  ctx.reply.Array(withscores && !resp3 ? 2 * res.size() : res.size());
  for (const auto& [score, member] : res) {
    if (withscores && resp3) ctx.reply.Array(2);
    ctx.reply.Bulk(member);
    if (withscores) ctx.reply.Double(score);
  }
}

// Overwrites the destination with the result (one op: clear_key + ZsetAdd), or deletes it when
// the result is empty. Redis converts a small result to a listpack, which stores -0 as 0.
void Store(CommandContext& ctx, const Result& res) {
  const std::string_view dst = ctx.args[1];
  if (res.empty()) {
    if (ctx.Lookup(dst) != nullptr) {
      Op del = ctx.NewOp(dst);
      del.clear_key = true;
      ctx.Commit(del);
    }
    return ctx.reply.Integer(0);
  }
  bool listpack = res.size() <= ZsetValue::kListpackMaxEntries;
  for (const auto& item : res) listpack = listpack && item.second.size() <= ZsetValue::kListpackMaxValue;
  // The destination may be an input: copy the members before the op frees them.
  std::vector<std::string> members;
  members.reserve(res.size());
  delta::ZsetAdd add;
  add.items.reserve(res.size());
  for (const auto& [score, member] : res) members.emplace_back(member);
  for (size_t i = 0; i < res.size(); ++i) {
    double score = res[i].first;
    add.items.emplace_back(listpack && score == 0 ? 0.0 : score, members[i]);
  }
  Op op = ctx.NewOp(dst);
  op.clear_key = true;
  op.payload = std::move(add);
  ctx.Commit(op);
  ctx.reply.Integer(static_cast<int64_t>(members.size()));
}

void Generic(CommandContext& ctx, ZOp op, bool store, bool card_only) {
  Request r;
  r.op = op;
  r.store = store;
  r.card_only = card_only;
  if (!ParseRequest(ctx, store ? 2 : 1, &r)) return;
  if (op != ZOp::kDiff) {
    std::stable_sort(r.sources.begin(), r.sources.end(),
                     [](const Source& x, const Source& y) { return x.size() < y.size(); });
  }
  size_t cardinality = 0;
  Result res = op == ZOp::kInter   ? Intersect(r, &cardinality)
               : op == ZOp::kUnion ? Union(r)
                                   : Difference(r);
  if (card_only) return ctx.reply.Integer(static_cast<int64_t>(cardinality));
  SortResult(&res);
  if (store) return Store(ctx, res);
  ReplyResult(ctx, res, r.withscores);
}

void ZunionCommand(CommandContext& ctx) { Generic(ctx, ZOp::kUnion, false, false); }
void ZinterCommand(CommandContext& ctx) { Generic(ctx, ZOp::kInter, false, false); }
void ZdiffCommand(CommandContext& ctx) { Generic(ctx, ZOp::kDiff, false, false); }
void ZunionstoreCommand(CommandContext& ctx) { Generic(ctx, ZOp::kUnion, true, false); }
void ZinterstoreCommand(CommandContext& ctx) { Generic(ctx, ZOp::kInter, true, false); }
void ZdiffstoreCommand(CommandContext& ctx) { Generic(ctx, ZOp::kDiff, true, false); }
void ZintercardCommand(CommandContext& ctx) { Generic(ctx, ZOp::kInter, false, true); }

}  // namespace

void RegisterZsetAlgebraCommands(CommandTable& t) {
  using namespace cmd;
  CommandRegistrar r(t, "sorted-set");
  constexpr std::string_view kUnionCost =
      "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being "
      "the number of elements in the resulting sorted set.";
  constexpr std::string_view kInterCost =
      "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the "
      "number of input sorted sets and M being the number of elements in the resulting sorted "
      "set.";
  constexpr std::string_view kDiffCost =
      "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N "
      "is the size of the first set, and K is the size of the result set.";
  r.Keys("zunion", -3, kReadOnly, 0, 0, ZunionCommand,
         "Returns the union of multiple sorted sets.", "6.2.0", kUnionCost);
  r.Keys("zinter", -3, kReadOnly, 0, 0, ZinterCommand,
         "Returns the intersect of multiple sorted sets.", "6.2.0", kInterCost);
  r.Keys("zdiff", -3, kReadOnly, 0, 0, ZdiffCommand,
         "Returns the difference between multiple sorted sets.", "6.2.0", kDiffCost);
  r.Keys("zunionstore", -4, kWrite | kDenyOom, 1, 1, ZunionstoreCommand,
         "Stores the union of multiple sorted sets in a key.", "2.0.0", kUnionCost);
  r.Keys("zinterstore", -4, kWrite | kDenyOom, 1, 1, ZinterstoreCommand,
         "Stores the intersect of multiple sorted sets in a key.", "2.0.0", kInterCost);
  r.Keys("zdiffstore", -4, kWrite | kDenyOom, 1, 1, ZdiffstoreCommand,
         "Stores the difference of multiple sorted sets in a key.", "6.2.0", kDiffCost);
  r.Keys("zintercard", -3, kReadOnly, 0, 0, ZintercardCommand,
         "Returns the number of members of the intersect of multiple sorted sets.", "7.0.0",
         "O(N*K) worst case with N being the smallest input sorted set, K being the number of "
         "input sorted sets.");
}

}  // namespace cordis
