// Sorted-set family: ZADD/ZINCRBY (LWW score + counter), ZREM and the ZREMRANGEBY*/ZPOP*
// removals, and the read commands over the ZSetIndex (ranks, score and lex ranges) and the member
// Dict (ZSCAN). Handlers parse everything first, then decide from local state, commit one op and
// reply from local state, with Redis 7.0's replies and error strings (src/t_zset.c).
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/base/glob.h"
#include "core/commands/arg_parse.h"
#include "core/crdt/zset.h"
#include "core/server/command_context.h"

namespace cordis {
namespace {

constexpr std::string_view kXxAndNx = "ERR XX and NX options at the same time are not compatible";
constexpr std::string_view kGtLtNx =
    "ERR GT, LT, and/or NX options at the same time are not compatible";
constexpr std::string_view kIncrSinglePair =
    "ERR INCR option supports a single increment-element pair";
constexpr std::string_view kNan = "ERR resulting score is not a number (NaN)";
constexpr std::string_view kLimitNeedsRange =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
constexpr std::string_view kWithscoresBylex =
    "ERR syntax error, WITHSCORES not supported in combination with BYLEX";

using ScoreRange = ZSetIndex::ScoreRange;
using LexBound = ZSetIndex::LexBound;

// One end of a score range as zslParseRange reads it: "(" makes it exclusive, the rest goes to
// strtod, which must consume it up to the first NUL ("" is 0, " 1" is 1, "1e400" is inf).
bool ParseScoreBound(std::string_view arg, double* value, bool* exclusive) {
  std::string buf(arg);
  const char* start = buf.c_str();
  *exclusive = false;
  if (start[0] == '(') {
    *exclusive = true;
    ++start;
  }
  char* end = nullptr;
  *value = std::strtod(start, &end);
  return end[0] == '\0' && !std::isnan(*value);
}

bool ParseScoreRange(std::string_view min, std::string_view max, ScoreRange* r) {
  return ParseScoreBound(min, &r->min, &r->min_exclusive) &&
         ParseScoreBound(max, &r->max, &r->max_exclusive);
}

// One end of a lex range as zslParseLexRangeItem reads it: "-", "+", "[x" or "(x".
bool ParseLexBound(std::string_view arg, LexBound* b) {
  if (arg.empty()) return false;
  switch (arg[0]) {
    case '+':
    case '-':
      if (arg.size() > 1 && arg[1] != '\0') return false;
      *b = LexBound{arg[0] == '+' ? LexBound::kPlusInf : LexBound::kMinusInf, {}};
      return true;
    case '(':
      *b = LexBound{LexBound::kExclusive, arg.substr(1)};
      return true;
    case '[':
      *b = LexBound{LexBound::kInclusive, arg.substr(1)};
      return true;
    default:
      return false;
  }
}

// A ZRANGEBYLEX interval. Redis answers lex queries by walking the set in (score, member) order,
// assuming the members are sorted there, which holds when all scores are equal. Otherwise its
// docs call the result unspecified, but a listpack (every small set) gives a definite one: start
// at the first element from the head that is >= min (from the tail: <= max, for reverse walks),
// then go on while elements stay <= max (>= min). We give that answer for every set; with equal
// scores it comes from the index in O(log n), otherwise from a walk.
struct LexRange {
  LexBound min, max;

  bool GteMin(std::string_view m) const {
    switch (min.kind) {
      case LexBound::kMinusInf:
        return true;
      case LexBound::kPlusInf:
        return false;
      case LexBound::kInclusive:
        return m >= min.value;
      case LexBound::kExclusive:
        return m > min.value;
    }
    return false;
  }
  bool LteMax(std::string_view m) const {
    switch (max.kind) {
      case LexBound::kMinusInf:
        return false;
      case LexBound::kPlusInf:
        return true;
      case LexBound::kInclusive:
        return m <= max.value;
      case LexBound::kExclusive:
        return m < max.value;
    }
    return false;
  }
  // zslIsInLexRange's first test: min above max (or equal with an open end) matches nothing.
  bool EmptyByBounds() const {
    auto rank = [](const LexBound& b) {
      return b.kind == LexBound::kMinusInf ? 0 : b.kind == LexBound::kPlusInf ? 2 : 1;
    };
    int cmp = rank(min) - rank(max);
    if (cmp == 0 && rank(min) == 1) cmp = min.value.compare(max.value);
    bool open = min.kind != LexBound::kInclusive || max.kind != LexBound::kInclusive;
    return cmp > 0 || (cmp == 0 && open);
  }
};

bool ParseLexRange(std::string_view min, std::string_view max, LexRange* r) {
  return ParseLexBound(min, &r->min) && ParseLexBound(max, &r->max);
}

bool UniformScores(const ZSetIndex& index) {
  return index.size() < 2 || index.At(0).first == index.At(index.size() - 1).first;
}

// zzlFirstInLexRange / zzlLastInLexRange: the ascending rank where a forward (reverse) walk
// over the range starts, or nullopt.
std::optional<size_t> LexStart(const ZSetIndex& index, const LexRange& r, bool reverse) {
  size_t n = index.size();
  if (n == 0 || r.EmptyByBounds()) return std::nullopt;
  if (!r.GteMin(index.At(n - 1).second) || !r.LteMax(index.At(0).second)) return std::nullopt;
  if (UniformScores(index)) {
    size_t count = index.CountInLex(r.min, r.max);
    if (count == 0) return std::nullopt;
    size_t first = index.FirstRankInLex(r.min, r.max);
    return reverse ? first + count - 1 : first;
  }
  std::optional<size_t> start;
  size_t rank = reverse ? n - 1 : 0;
  index.ForEachFromRank(rank, reverse, [&](double, std::string_view m) {
    if (reverse ? r.LteMax(m) : r.GteMin(m)) {
      if (reverse ? r.GteMin(m) : r.LteMax(m)) start = rank;
      return false;
    }
    rank = reverse ? rank - 1 : rank + 1;
    return true;
  });
  return start;
}

// The elements of a lex walk from `start` (see LexStart): skip `offset` elements unchecked, then
// take elements while they stay inside the far end of the range, at most `limit` (negative: no
// limit). A negative offset gives nothing, as in Redis (its skip loop runs off the end).
std::vector<std::pair<double, std::string_view>> LexWalk(const ZSetIndex& index, const LexRange& r,
                                                         size_t start, bool reverse, int64_t offset,
                                                         int64_t limit) {
  std::vector<std::pair<double, std::string_view>> out;
  if (offset < 0 || static_cast<uint64_t>(offset) >= index.size()) return out;
  size_t skip = static_cast<size_t>(offset);
  if (reverse ? skip > start : start + skip >= index.size()) return out;
  size_t from = reverse ? start - skip : start + skip;
  index.ForEachFromRank(from, reverse, [&](double s, std::string_view m) {
    if (limit == 0 || !(reverse ? r.GteMin(m) : r.LteMax(m))) return false;
    out.emplace_back(s, m);
    if (limit > 0) --limit;
    return true;
  });
  return out;
}

// Replies "value is not an integer" and returns nullopt when arg is not an int64.
std::optional<int64_t> IntArg(CommandContext& ctx, std::string_view arg) {
  std::optional<int64_t> v = ParseInt64(arg);
  if (!v) ctx.reply.Error(err::kNotInteger);
  return v;
}

// Clamps ZRANGE-style indexes (negative from the end) to a set of `len` elements: the first
// ascending rank and the count, or nullopt when the range is empty.
std::optional<std::pair<size_t, size_t>> RankSpan(int64_t start, int64_t end, size_t len) {
  int64_t n = static_cast<int64_t>(len);
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0) start = 0;
  if (start > end || start >= n) return std::nullopt;
  if (end >= n) end = n - 1;
  return std::make_pair(static_cast<size_t>(start), static_cast<size_t>(end - start + 1));
}

// Emits a range reply as Redis's zrange result handler does: members, with scores as a flat
// array in RESP2 and as [member, score] pairs in RESP3.
class RangeReply {
 public:
  RangeReply(CommandContext& ctx, bool withscores) : ctx_(ctx), withscores_(withscores) {}
  void Begin(size_t n) { ctx_.reply.Array(withscores_ && !ctx_.reply.resp3() ? 2 * n : n); }
  void Emit(std::string_view member, double score) {
    if (withscores_ && ctx_.reply.resp3()) ctx_.reply.Array(2);
    ctx_.reply.Bulk(member);
    if (withscores_) ctx_.reply.Double(score);
  }
 private:
  CommandContext& ctx_;
  bool withscores_;
};

// ---- ZADD / ZINCRBY ----------------------------------------------------------------------------

struct ZaddFlags {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
};

bool* ZaddFlag(ZaddFlags& f, std::string_view opt) {
  if (EqualsIgnoreCase(opt, "nx")) return &f.nx;
  if (EqualsIgnoreCase(opt, "xx")) return &f.xx;
  if (EqualsIgnoreCase(opt, "ch")) return &f.ch;
  if (EqualsIgnoreCase(opt, "incr")) return &f.incr;
  if (EqualsIgnoreCase(opt, "gt")) return &f.gt;
  if (EqualsIgnoreCase(opt, "lt")) return &f.lt;
  return nullptr;
}

struct ZaddArgs {
  ZaddFlags flags;
  size_t first_pair = 2;  // argument index of the first score
  std::vector<double> scores;
};

// Options, their conflicts and every score, in Redis's order of checks. Replies on error.
bool ParseZadd(CommandContext& ctx, bool incr_command, ZaddArgs* z) {
  const auto& a = ctx.args;
  ZaddFlags& f = z->flags;
  f.incr = incr_command;
  auto fail = [&](std::string_view error) {
    ctx.reply.Error(error);
    return false;
  };
  size_t idx = 2;
  for (; idx < a.size(); ++idx) {
    bool* flag = ZaddFlag(f, a[idx]);
    if (flag == nullptr) break;  // the first score
    *flag = true;
  }
  size_t elements = a.size() - idx;
  if (elements % 2 != 0 || elements == 0) return fail(err::kSyntax);
  elements /= 2;
  if (f.nx && f.xx) return fail(kXxAndNx);
  if ((f.gt && f.nx) || (f.lt && f.nx) || (f.gt && f.lt)) return fail(kGtLtNx);
  if (f.incr && elements > 1) return fail(kIncrSinglePair);
  z->first_pair = idx;
  z->scores.resize(elements);
  for (size_t j = 0; j < elements; ++j) {
    std::optional<double> s = ParseDouble(a[idx + 2 * j]);
    if (!s) return fail(err::kNotFloat);
    z->scores[j] = *s;
  }
  return true;
}

struct ZaddPlan {
  int64_t added = 0, updated = 0, processed = 0;
  double score = 0;                     // the last processed score (INCR's reply)
  delta::ZsetAdd adds;                  // without INCR: the final score of each changed member
  std::optional<delta::ZsetIncr> incr;  // with INCR
};

// Runs Redis's zsetAdd over every pair against the local state (z may be null: a new key) and
// collects what changes. Returns false when INCR would make the score NaN (nothing changes).
bool PlanZadd(const std::vector<std::string_view>& a, const ZaddArgs& z_args, const ZsetValue* z,
              ZaddPlan* plan) {
  const ZaddFlags& f = z_args.flags;
  absl::flat_hash_map<std::string_view, size_t> planned;  // member -> position in adds.items
  // Follows Redis's encoding through the command: a listpack stores -0 as 0, and the set turns
  // into a skiplist before its 129th member or a member over 64 bytes is inserted.
  bool listpack = z != nullptr ? z->listpack() : true;
  size_t size = z != nullptr ? z->size() : 0;
  for (size_t j = 0; j < z_args.scores.size(); ++j) {
    double score = z_args.scores[j];
    std::string_view member = a[z_args.first_pair + 2 * j + 1];
    auto it = planned.find(member);
    std::optional<double> cur = it != planned.end()
                                    ? plan->adds.items[it->second].first
                                    : (z != nullptr ? z->Score(member) : std::nullopt);
    if (cur) {
      if (f.nx) continue;
      if (f.incr) {
        score += *cur;
        if (std::isnan(score)) return false;
      }
      if ((f.lt && score >= *cur) || (f.gt && score <= *cur)) continue;
      ++plan->processed;
      plan->score = score;
      if (score == *cur) continue;
      ++plan->updated;
    } else if (!f.xx) {
      if (size + 1 > ZsetValue::kListpackMaxEntries ||
          member.size() > ZsetValue::kListpackMaxValue) {
        listpack = false;
      }
      ++size;
      ++plan->added;
      ++plan->processed;
      plan->score = score;
    } else {
      continue;
    }
    double stored = listpack && score == 0 ? 0.0 : score;
    if (f.incr) {
      // The new score is (current or -0.0) + delta: a +0 delta gives the listpack's +0.
      double d = z_args.scores[j];
      plan->incr = delta::ZsetIncr{member, listpack && d == 0 ? 0.0 : d};
    } else if (it != planned.end()) {
      plan->adds.items[it->second].first = stored;
    } else {
      planned.emplace(member, plan->adds.items.size());
      plan->adds.items.emplace_back(stored, member);
    }
  }
  return true;
}

// Redis's zaddGenericCommand: ZADD and ZINCRBY (which is ZADD with INCR preset).
void ZaddGeneric(CommandContext& ctx, bool incr_command) {
  ZaddArgs args;
  if (!ParseZadd(ctx, incr_command, &args)) return;
  std::string_view key = ctx.args[1];
  bool wrong = false;
  ZsetValue* z = ctx.LookupAs<ZsetValue>(key, &wrong);
  if (wrong) return;
  ZaddPlan plan;
  // XX on a missing key: nothing to do (and no key is created).
  if ((z != nullptr || !args.flags.xx) && !PlanZadd(ctx.args, args, z, &plan)) {
    return ctx.reply.Error(kNan);
  }
  if (plan.incr || !plan.adds.items.empty()) {
    Op op = ctx.NewOp(key);
    if (plan.incr) {
      op.payload = *plan.incr;
    } else {
      op.payload = std::move(plan.adds);
    }
    ctx.Commit(op);
  }
  if (!args.flags.incr) {
    return ctx.reply.Integer(args.flags.ch ? plan.added + plan.updated : plan.added);
  }
  if (plan.processed == 0) return ctx.reply.NullBulk();
  // Redis replies the score it computed, before a listpack turns a -0 into 0.
  ctx.reply.Double(plan.score);
}

void ZaddCommand(CommandContext& ctx) { ZaddGeneric(ctx, false); }
void ZincrbyCommand(CommandContext& ctx) { ZaddGeneric(ctx, true); }

// ---- Removals ----------------------------------------------------------------------------------

// Commits one ZsetRemove of `members` (present, distinct) on key.
void CommitRemove(CommandContext& ctx, std::string_view key,
                  std::vector<std::string_view> members) {
  if (members.empty()) return;
  Op op = ctx.NewOp(key);
  op.payload = delta::ZsetRemove{std::move(members)};
  ctx.Commit(op);
}

void ZremCommand(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  bool wrong = false;
  ZsetValue* z = ctx.LookupAs<ZsetValue>(key, &wrong);
  if (wrong) return;
  if (z == nullptr) return ctx.reply.Integer(0);
  std::vector<std::string_view> members;
  absl::flat_hash_map<std::string_view, bool> seen;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    std::string_view m = ctx.args[i];
    if (z->Score(m) && seen.emplace(m, true).second) members.push_back(m);
  }
  size_t removed = members.size();
  CommitRemove(ctx, key, std::move(members));
  ctx.reply.Integer(static_cast<int64_t>(removed));
}

enum class RangeKind { kRank, kScore, kLex };

// Redis's zremrangeGenericCommand.
void ZremrangeGeneric(CommandContext& ctx, RangeKind kind) {
  const auto& a = ctx.args;
  std::string_view key = a[1];
  int64_t start = 0, end = 0;
  ScoreRange range{};
  LexRange lex{};
  if (kind == RangeKind::kRank) {
    std::optional<int64_t> s = IntArg(ctx, a[2]);
    if (!s) return;
    std::optional<int64_t> e = IntArg(ctx, a[3]);
    if (!e) return;
    start = *s;
    end = *e;
  } else if (kind == RangeKind::kScore) {
    if (!ParseScoreRange(a[2], a[3], &range)) return ctx.reply.Error(err::kMinMaxNotFloat);
  } else if (!ParseLexRange(a[2], a[3], &lex)) {
    return ctx.reply.Error(err::kMinMaxNotLex);
  }
  bool wrong = false;
  ZsetValue* z = ctx.LookupAs<ZsetValue>(key, &wrong);
  if (wrong) return;
  if (z == nullptr) return ctx.reply.Integer(0);
  const ZSetIndex& index = z->index();
  // Copy the members: the op frees the entries their views point into.
  std::vector<std::string> doomed;
  auto take = [&](size_t first, size_t count) {
    doomed.reserve(count);
    if (count == 0) return;
    index.ForEachFromRank(first, false, [&](double, std::string_view m) {
      doomed.emplace_back(m);
      return doomed.size() < count;
    });
  };
  if (kind == RangeKind::kRank) {
    std::optional<std::pair<size_t, size_t>> span = RankSpan(start, end, index.size());
    if (span) take(span->first, span->second);
  } else if (kind == RangeKind::kScore) {
    take(index.FirstRankInRange(range), index.CountInRange(range));
  } else if (std::optional<size_t> first = LexStart(index, lex, false)) {
    for (const auto& [score, m] : LexWalk(index, lex, *first, false, 0, -1)) doomed.emplace_back(m);
  }
  size_t count = doomed.size();
  CommitRemove(ctx, key, std::vector<std::string_view>(doomed.begin(), doomed.end()));
  ctx.reply.Integer(static_cast<int64_t>(count));
}

void ZremrangebyrankCommand(CommandContext& ctx) { ZremrangeGeneric(ctx, RangeKind::kRank); }
void ZremrangebyscoreCommand(CommandContext& ctx) { ZremrangeGeneric(ctx, RangeKind::kScore); }
void ZremrangebylexCommand(CommandContext& ctx) { ZremrangeGeneric(ctx, RangeKind::kLex); }

// Pops up to `count` members from the low (or high) end of z at key as one ZsetRemove, and returns
// them (copied: the op frees the entries).
std::vector<std::pair<std::string, double>> PopEnd(CommandContext& ctx, std::string_view key,
                                                   const ZsetValue& z, size_t count, bool max) {
  size_t n = std::min(count, z.size());
  std::vector<std::pair<std::string, double>> popped;
  popped.reserve(n);
  const ZSetIndex& index = z.index();
  if (n > 0) {
    index.ForEachFromRank(max ? index.size() - 1 : 0, max, [&](double s, std::string_view m) {
      popped.emplace_back(std::string(m), s);
      return popped.size() < n;
    });
  }
  std::vector<std::string_view> members;
  members.reserve(n);
  for (const auto& p : popped) members.push_back(p.first);
  CommitRemove(ctx, key, std::move(members));
  return popped;
}

void ReplyPopped(CommandContext& ctx, const std::vector<std::pair<std::string, double>>& popped,
                 bool nested) {
  ctx.reply.Array(nested ? popped.size() : 2 * popped.size());
  for (const auto& [member, score] : popped) {
    if (nested) ctx.reply.Array(2);
    ctx.reply.Bulk(member);
    ctx.reply.Double(score);
  }
}

// Redis's zpopMinMaxCommand + genericZpopCommand for one key.
void ZpopGeneric(CommandContext& ctx, bool max) {
  const auto& a = ctx.args;
  if (a.size() > 3) return ctx.reply.Error(err::kSyntax);
  int64_t count = -1;  // -1: no COUNT argument, pop one and reply a flat pair
  if (a.size() == 3) {
    // getPositiveLongFromObjectOrReply: one message for bad numbers and negative ones.
    std::optional<int64_t> n = ParseInt64(a[2]);
    if (!n || *n < 0) return ctx.reply.Error(err::kMustBePositive);
    count = *n;
  }
  bool nested = ctx.reply.resp3() && count != -1;
  std::string_view key = a[1];
  bool wrong = false;
  ZsetValue* z = ctx.LookupAs<ZsetValue>(key, &wrong);
  if (wrong) return;
  if (z == nullptr || count == 0) return ctx.reply.Array(0);
  if (count == -1) count = 1;
  ReplyPopped(ctx, PopEnd(ctx, key, *z, static_cast<size_t>(count), max), nested);
}

void ZpopminCommand(CommandContext& ctx) { ZpopGeneric(ctx, false); }
void ZpopmaxCommand(CommandContext& ctx) { ZpopGeneric(ctx, true); }

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count] (Redis's zmpopGenericCommand): pops from the
// first existing sorted set; replies [key, [[member, score], ...]] or a null array.
void ZmpopCommand(CommandContext& ctx) {
  const auto& a = ctx.args;
  std::optional<int64_t> numkeys = ParseInt64(a[1]);
  if (!numkeys || *numkeys < 1) return ctx.reply.Error("ERR numkeys should be greater than 0");
  if (static_cast<uint64_t>(*numkeys) >= a.size() - 2) return ctx.reply.Error(err::kSyntax);
  const size_t where_idx = 2 + static_cast<size_t>(*numkeys);
  bool max;
  if (EqualsIgnoreCase(a[where_idx], "min")) {
    max = false;
  } else if (EqualsIgnoreCase(a[where_idx], "max")) {
    max = true;
  } else {
    return ctx.reply.Error(err::kSyntax);
  }
  int64_t count = -1;
  for (size_t j = where_idx + 1; j < a.size(); ++j) {
    if (count == -1 && EqualsIgnoreCase(a[j], "count") && j + 1 < a.size()) {
      std::optional<int64_t> c = ParseInt64(a[++j]);
      if (!c || *c < 1) return ctx.reply.Error("ERR count should be greater than 0");
      count = *c;
    } else {
      return ctx.reply.Error(err::kSyntax);
    }
  }
  if (count == -1) count = 1;
  for (size_t k = 2; k < where_idx; ++k) {
    bool wrong = false;
    ZsetValue* z = ctx.LookupAs<ZsetValue>(a[k], &wrong);
    if (wrong) return;
    if (z == nullptr) continue;
    std::string key(a[k]);
    auto popped = PopEnd(ctx, key, *z, static_cast<size_t>(count), max);
    ctx.reply.Array(2);
    ctx.reply.Bulk(key);
    return ReplyPopped(ctx, popped, true);
  }
  ctx.reply.NullArray();
}

// ZRANDMEMBER key [count [WITHSCORES]] (Redis's zrandmemberCommand).
void ZrandmemberCommand(CommandContext& ctx) {
  const auto& a = ctx.args;
  bool wrong = false;
  if (a.size() == 2) {
    ZsetValue* z = ctx.LookupAs<ZsetValue>(a[1], &wrong);
    if (wrong) return;
    if (z == nullptr) return ctx.reply.NullBulk();
    return ctx.reply.Bulk(z->index().At(ctx.node.rng().Uniform(z->size())).second);
  }
  std::optional<int64_t> l = ParseInt64(a[2]);
  if (!l) return ctx.reply.Error(err::kNotInteger);
  if (*l == INT64_MIN) {
    return ctx.reply.Error(
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807");
  }
  bool withscores = false;
  if (a.size() > 4 || (a.size() == 4 && !EqualsIgnoreCase(a[3], "withscores"))) {
    return ctx.reply.Error(err::kSyntax);
  }
  if (a.size() == 4) {
    withscores = true;
    if (*l < -INT64_MAX / 2 || *l > INT64_MAX / 2) return ctx.reply.Error("ERR value is out of range");
  }
  ZsetValue* z = ctx.LookupAs<ZsetValue>(a[1], &wrong);
  if (wrong) return;
  if (z == nullptr || *l == 0) return ctx.reply.Array(0);
  const ZSetIndex& index = z->index();
  RangeReply out(ctx, withscores);
  Prng& rng = ctx.node.rng();
  const bool unique = *l > 0;
  const uint64_t count = unique ? static_cast<uint64_t>(*l) : 0 - static_cast<uint64_t>(*l);
  if (!unique || count == 1) {  // repeats allowed: independent draws
    out.Begin(count);
    for (uint64_t i = 0; i < count; ++i) {
      auto [score, member] = index.At(rng.Uniform(index.size()));
      out.Emit(member, score);
    }
    return;
  }
  std::vector<size_t> ranks(index.size());
  for (size_t i = 0; i < ranks.size(); ++i) ranks[i] = i;
  if (count < index.size()) {
    // A partial Fisher-Yates shuffle: the first `count` ranks are a uniform distinct sample.
    for (size_t i = 0; i < count; ++i) std::swap(ranks[i], ranks[i + rng.Uniform(ranks.size() - i)]);
    ranks.resize(count);
  }
  out.Begin(ranks.size());
  for (size_t rank : ranks) {
    auto [score, member] = index.At(rank);
    out.Emit(member, score);
  }
}

// ---- Point reads -------------------------------------------------------------------------------

void ZscoreCommand(CommandContext& ctx) {
  bool wrong = false;
  ZsetValue* z = ctx.LookupAs<ZsetValue>(ctx.args[1], &wrong);
  if (wrong) return;
  std::optional<double> s = z != nullptr ? z->Score(ctx.args[2]) : std::nullopt;
  if (!s) return ctx.reply.NullBulk();
  ctx.reply.Double(*s);
}

void ZmscoreCommand(CommandContext& ctx) {
  bool wrong = false;
  ZsetValue* z = ctx.LookupAs<ZsetValue>(ctx.args[1], &wrong);
  if (wrong) return;
  ctx.reply.Array(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    std::optional<double> s = z != nullptr ? z->Score(ctx.args[i]) : std::nullopt;
    if (s) {
      ctx.reply.Double(*s);
    } else {
      ctx.reply.NullBulk();
    }
  }
}

void ZcardCommand(CommandContext& ctx) {
  bool wrong = false;
  ZsetValue* z = ctx.LookupAs<ZsetValue>(ctx.args[1], &wrong);
  if (wrong) return;
  ctx.reply.Integer(z != nullptr ? static_cast<int64_t>(z->size()) : 0);
}

void ZrankGeneric(CommandContext& ctx, bool reverse) {
  bool wrong = false;
  ZsetValue* z = ctx.LookupAs<ZsetValue>(ctx.args[1], &wrong);
  if (wrong) return;
  std::optional<size_t> rank = z != nullptr ? z->Rank(ctx.args[2]) : std::nullopt;
  if (!rank) return ctx.reply.NullBulk();
  ctx.reply.Integer(static_cast<int64_t>(reverse ? z->size() - 1 - *rank : *rank));
}

void ZrankCommand(CommandContext& ctx) { ZrankGeneric(ctx, false); }
void ZrevrankCommand(CommandContext& ctx) { ZrankGeneric(ctx, true); }

void ZcountCommand(CommandContext& ctx) {
  ScoreRange range{};
  if (!ParseScoreRange(ctx.args[2], ctx.args[3], &range))
    return ctx.reply.Error(err::kMinMaxNotFloat);
  bool wrong = false;
  ZsetValue* z = ctx.LookupAs<ZsetValue>(ctx.args[1], &wrong);
  if (wrong) return;
  ctx.reply.Integer(z != nullptr ? static_cast<int64_t>(z->index().CountInRange(range)) : 0);
}

void ZlexcountCommand(CommandContext& ctx) {
  LexRange lex{};
  if (!ParseLexRange(ctx.args[2], ctx.args[3], &lex)) return ctx.reply.Error(err::kMinMaxNotLex);
  bool wrong = false;
  ZsetValue* z = ctx.LookupAs<ZsetValue>(ctx.args[1], &wrong);
  if (wrong) return;
  if (z == nullptr) return ctx.reply.Integer(0);
  const ZSetIndex& index = z->index();
  size_t count = 0;
  if (UniformScores(index)) {
    count = index.CountInLex(lex.min, lex.max);
  } else if (std::optional<size_t> first = LexStart(index, lex, false)) {
    count = LexWalk(index, lex, *first, false, 0, -1).size();
  }
  ctx.reply.Integer(static_cast<int64_t>(count));
}

// ---- ZRANGE family -----------------------------------------------------------------------------

enum class Direction { kAuto, kForward, kReverse };
enum class RangeType { kAuto, kRank, kScore, kLex };

using Scored = std::pair<double, std::string_view>;

// Appends the in-range elements [first, first + in_range) (ascending ranks) after skipping
// `offset` and keeping at most `limit` (negative: all), in the requested direction. A negative
// offset gives nothing, as in Redis (its skip loop runs off the end).
void CollectLimited(const ZSetIndex& index, size_t first, size_t in_range, int64_t offset,
                    int64_t limit, bool reverse, std::vector<Scored>* out) {
  if (offset < 0 || static_cast<uint64_t>(offset) >= in_range) return;
  size_t left = in_range - static_cast<size_t>(offset);
  size_t n = limit < 0 ? left : std::min(left, static_cast<size_t>(limit));
  if (n == 0) return;
  size_t start = reverse ? first + in_range - 1 - static_cast<size_t>(offset)
                         : first + static_cast<size_t>(offset);
  index.ForEachFromRank(start, reverse, [&](double s, std::string_view m) {
    out->emplace_back(s, m);
    return --n > 0;
  });
}

struct ZrangeRequest {
  RangeType type = RangeType::kAuto;
  bool reverse = false;
  bool withscores = false;
  int64_t offset = 0, limit = -1;
  int64_t start = 0, end = 0;  // kRank
  ScoreRange score{};          // kScore
  LexRange lex{};              // kLex
};

// zrangeGenericCommand's steps 1 and 2: options, their conflicts, then the range itself (given
// as max, min when reversed by score or lex). The source key is args[base], the range
// args[base + 1..2]; ZRANGESTORE (store) has base 2 and no WITHSCORES. Replies on error.
bool ParseZrange(CommandContext& ctx, RangeType type, Direction dir, size_t base, bool store,
                 ZrangeRequest* r) {
  const auto& a = ctx.args;
  for (size_t j = base + 3; j < a.size(); ++j) {
    size_t left = a.size() - j - 1;
    if (!store && EqualsIgnoreCase(a[j], "withscores")) {
      r->withscores = true;
    } else if (EqualsIgnoreCase(a[j], "limit") && left >= 2) {
      std::optional<int64_t> o = IntArg(ctx, a[j + 1]);
      if (!o) return false;
      std::optional<int64_t> l = IntArg(ctx, a[j + 2]);
      if (!l) return false;
      r->offset = *o;
      r->limit = *l;
      j += 2;
    } else if (dir == Direction::kAuto && EqualsIgnoreCase(a[j], "rev")) {
      dir = Direction::kReverse;
    } else if (type == RangeType::kAuto && EqualsIgnoreCase(a[j], "bylex")) {
      type = RangeType::kLex;
    } else if (type == RangeType::kAuto && EqualsIgnoreCase(a[j], "byscore")) {
      type = RangeType::kScore;
    } else {
      ctx.reply.Error(err::kSyntax);
      return false;
    }
  }
  r->type = type == RangeType::kAuto ? RangeType::kRank : type;
  r->reverse = dir == Direction::kReverse;
  std::string_view error;
  if (r->limit != -1 && r->type == RangeType::kRank) error = kLimitNeedsRange;
  if (error.empty() && r->withscores && r->type == RangeType::kLex) error = kWithscoresBylex;
  if (!error.empty()) {
    ctx.reply.Error(error);
    return false;
  }
  std::string_view min = a[base + 1], max = a[base + 2];
  if (r->reverse && r->type != RangeType::kRank) std::swap(min, max);
  if (r->type == RangeType::kRank) {
    std::optional<int64_t> s = IntArg(ctx, min);
    if (!s) return false;
    std::optional<int64_t> e = IntArg(ctx, max);
    if (!e) return false;
    r->start = *s;
    r->end = *e;
  } else if (r->type == RangeType::kScore && !ParseScoreRange(min, max, &r->score)) {
    ctx.reply.Error(err::kMinMaxNotFloat);
    return false;
  } else if (r->type == RangeType::kLex && !ParseLexRange(min, max, &r->lex)) {
    ctx.reply.Error(err::kMinMaxNotLex);
    return false;
  }
  return true;
}

// The elements a ZRANGE request selects, in reply order.
std::vector<Scored> CollectRange(const ZSetIndex& index, const ZrangeRequest& r) {
  std::vector<Scored> out;
  if (r.type == RangeType::kRank) {
    std::optional<std::pair<size_t, size_t>> span = RankSpan(r.start, r.end, index.size());
    if (!span) return out;
    auto [first, n] = *span;
    // Reversed, ranks count from the top: the span is the mirrored one, walked downwards.
    CollectLimited(index, r.reverse ? index.size() - first - n : first, n, 0, -1, r.reverse, &out);
    return out;
  }
  if (r.type == RangeType::kScore) {
    CollectLimited(index, index.FirstRankInRange(r.score), index.CountInRange(r.score), r.offset,
                   r.limit, r.reverse, &out);
    return out;
  }
  if (std::optional<size_t> start = LexStart(index, r.lex, r.reverse))
    out = LexWalk(index, r.lex, *start, r.reverse, r.offset, r.limit);
  return out;
}

// Redis's zrangeGenericCommand (ZRANGE, ZREVRANGE, Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX).
void ZrangeGeneric(CommandContext& ctx, RangeType type, Direction dir) {
  ZrangeRequest r;
  if (!ParseZrange(ctx, type, dir, 1, false, &r)) return;
  bool wrong = false;
  ZsetValue* z = ctx.LookupAs<ZsetValue>(ctx.args[1], &wrong);
  if (wrong) return;
  if (z == nullptr) return ctx.reply.Array(0);
  std::vector<Scored> found = CollectRange(z->index(), r);
  RangeReply out(ctx, r.withscores);
  out.Begin(found.size());
  for (const auto& [score, member] : found) out.Emit(member, score);
}

// Overwrites dst with `items` as one op (clear_key + ZsetAdd), or deletes it when empty.
// Redis converts a small result to a listpack, which stores a -0 score as 0.
void StoreZset(CommandContext& ctx, std::string_view dst,
               const std::vector<std::pair<double, std::string>>& items) {
  if (items.empty()) {
    if (ctx.Lookup(dst) != nullptr) {
      Op del = ctx.NewOp(dst);
      del.clear_key = true;
      ctx.Commit(del);
    }
    return;
  }
  bool listpack = items.size() <= ZsetValue::kListpackMaxEntries;
  for (const auto& item : items) listpack = listpack && item.second.size() <= ZsetValue::kListpackMaxValue;
  delta::ZsetAdd add;
  add.items.reserve(items.size());
  for (const auto& [score, member] : items)
    add.items.emplace_back(listpack && score == 0 ? 0.0 : score, member);
  Op op = ctx.NewOp(dst);
  op.clear_key = true;
  op.payload = std::move(add);
  ctx.Commit(op);
}

// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]: the range becomes the
// destination (replicated as the destination's clear + one ZsetAdd).
void ZrangestoreCommand(CommandContext& ctx) {
  ZrangeRequest r;
  if (!ParseZrange(ctx, RangeType::kAuto, Direction::kAuto, 2, true, &r)) return;
  bool wrong = false;
  ZsetValue* z = ctx.LookupAs<ZsetValue>(ctx.args[2], &wrong);
  if (wrong) return;
  std::vector<std::pair<double, std::string>> items;
  if (z != nullptr) {
    for (const auto& [score, member] : CollectRange(z->index(), r))
      items.emplace_back(score, std::string(member));
  }
  StoreZset(ctx, ctx.args[1], items);
  ctx.reply.Integer(static_cast<int64_t>(items.size()));
}

void ZrangeCommand(CommandContext& ctx) { ZrangeGeneric(ctx, RangeType::kAuto, Direction::kAuto); }
void ZrevrangeCommand(CommandContext& ctx) {
  ZrangeGeneric(ctx, RangeType::kRank, Direction::kReverse);
}
void ZrangebyscoreCommand(CommandContext& ctx) {
  ZrangeGeneric(ctx, RangeType::kScore, Direction::kForward);
}
void ZrevrangebyscoreCommand(CommandContext& ctx) {
  ZrangeGeneric(ctx, RangeType::kScore, Direction::kReverse);
}
void ZrangebylexCommand(CommandContext& ctx) {
  ZrangeGeneric(ctx, RangeType::kLex, Direction::kForward);
}
void ZrevrangebylexCommand(CommandContext& ctx) {
  ZrangeGeneric(ctx, RangeType::kLex, Direction::kReverse);
}

// ---- ZSCAN -------------------------------------------------------------------------------------

// Redis's parseScanCursorOrReply: strtoul, no leading space, whole string, no overflow.
std::optional<uint64_t> ParseCursor(std::string_view arg) {
  std::string buf(arg);
  if (buf.empty() || std::isspace(static_cast<unsigned char>(buf[0]))) {
    if (buf.empty()) return 0;  // strtoul("") is 0 with nothing left over
    return std::nullopt;
  }
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(buf.c_str(), &end, 10);
  if (end[0] != '\0' || errno == ERANGE) return std::nullopt;
  return v;
}

void ZscanCommand(CommandContext& ctx) {
  const auto& a = ctx.args;
  std::optional<uint64_t> cursor = ParseCursor(a[2]);
  if (!cursor) return ctx.reply.Error(err::kInvalidCursor);
  bool wrong = false;
  ZsetValue* z = ctx.LookupAs<ZsetValue>(a[1], &wrong);
  if (wrong) return;
  if (z == nullptr) {
    ctx.reply.Array(2);
    ctx.reply.Bulk("0");
    return ctx.reply.Array(0);
  }
  std::string_view pattern;
  bool use_pattern = false;
  int64_t count = 10;
  for (size_t i = 3; i < a.size(); i += 2) {
    bool has_value = i + 1 < a.size();
    if (EqualsIgnoreCase(a[i], "count") && has_value) {
      std::optional<int64_t> n = IntArg(ctx, a[i + 1]);
      if (!n) return;
      if (*n < 1) return ctx.reply.Error(err::kSyntax);
      count = *n;
    } else if (EqualsIgnoreCase(a[i], "match") && has_value) {
      pattern = a[i + 1];
      use_pattern = !(pattern.size() == 1 && pattern[0] == '*');
    } else {
      return ctx.reply.Error(err::kSyntax);
    }
  }
  std::vector<std::pair<std::string_view, double>> found;
  uint64_t next = 0;
  if (z->listpack()) {
    // Like Redis's listpack encoding: the whole set in order, and the scan is over.
    z->index().ForEachFromRank(0, false, [&](double s, std::string_view m) {
      found.emplace_back(m, s);
      return true;
    });
  } else {
    // Redis counts replied items (member and score) against COUNT.
    next = *cursor;
    int64_t max_steps = count * 10;
    do {
      next = z->ScanStep(next, [&](std::string_view m, double s) { found.emplace_back(m, s); });
    } while (next != 0 && --max_steps > 0 && static_cast<int64_t>(found.size() * 2) < count);
  }
  if (use_pattern) {
    std::erase_if(found, [&](const auto& p) { return !GlobMatch(pattern, p.first); });
  }
  ctx.reply.Array(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.Array(2 * found.size());
  for (const auto& [member, score] : found) {
    ctx.reply.Bulk(member);
    ctx.reply.Bulk(resp::ReplyBuilder::FormatDouble(score));
  }
}

}  // namespace

void RegisterZsetCommands(CommandTable& t) {
  using namespace cmd;
  CommandRegistrar r(t, "sorted-set");
  constexpr std::string_view kRangeCost =
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
      "elements being returned. If M is constant (e.g. always asking for the first 10 elements "
      "with LIMIT), you can consider it O(log(N)).";
  constexpr std::string_view kRemRangeCost =
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
      "elements removed by the operation.";
  constexpr std::string_view kPopCost =
      "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number "
      "of elements popped.";
  r.Key("zadd", -4, kWrite | kDenyOom | kFast, ZaddCommand,
        "Add one or more members to a sorted set, or update its score if it already exists",
        "1.2.0",
        "O(log(N)) for each item added, where N is the number of elements in the sorted set.");
  r.Key("zincrby", 4, kWrite | kDenyOom | kFast, ZincrbyCommand,
        "Increment the score of a member in a sorted set", "1.2.0",
        "O(log(N)) where N is the number of elements in the sorted set.");
  r.Key("zrem", -3, kWrite | kFast, ZremCommand, "Remove one or more members from a sorted set",
        "1.2.0",
        "O(M*log(N)) with N being the number of elements in the sorted set and M the number of "
        "elements to be removed.");
  r.Key("zremrangebyrank", 4, kWrite, ZremrangebyrankCommand,
        "Remove all members in a sorted set within the given indexes", "2.0.0", kRemRangeCost);
  r.Key("zremrangebyscore", 4, kWrite, ZremrangebyscoreCommand,
        "Remove all members in a sorted set within the given scores", "1.2.0", kRemRangeCost);
  r.Key("zremrangebylex", 4, kWrite, ZremrangebylexCommand,
        "Remove all members in a sorted set between the given lexicographical range", "2.8.9",
        kRemRangeCost);
  r.Key("zpopmin", -2, kWrite | kFast, ZpopminCommand,
        "Remove and return members with the lowest scores in a sorted set", "5.0.0", kPopCost);
  r.Key("zpopmax", -2, kWrite | kFast, ZpopmaxCommand,
        "Remove and return members with the highest scores in a sorted set", "5.0.0", kPopCost);
  r.Key("zscore", 3, kReadOnly | kFast, ZscoreCommand,
        "Get the score associated with the given member in a sorted set", "1.2.0", "O(1)");
  r.Key("zmscore", -3, kReadOnly | kFast, ZmscoreCommand,
        "Get the score associated with the given members in a sorted set", "6.2.0",
        "O(N) where N is the number of members being requested.");
  r.Key("zcard", 2, kReadOnly | kFast, ZcardCommand, "Get the number of members in a sorted set",
        "1.2.0", "O(1)");
  r.Key("zcount", 4, kReadOnly | kFast, ZcountCommand,
        "Count the members in a sorted set with scores within the given values", "2.0.0",
        "O(log(N)) with N being the number of elements in the sorted set.");
  r.Key("zlexcount", 4, kReadOnly | kFast, ZlexcountCommand,
        "Count the number of members in a sorted set between a given lexicographical range",
        "2.8.9", "O(log(N)) with N being the number of elements in the sorted set.");
  r.Key("zrank", 3, kReadOnly | kFast, ZrankCommand,
        "Determine the index of a member in a sorted set", "2.0.0", "O(log(N))");
  r.Key("zrevrank", 3, kReadOnly | kFast, ZrevrankCommand,
        "Determine the index of a member in a sorted set, with scores ordered from high to low",
        "2.0.0", "O(log(N))");
  r.Key("zrange", -4, kReadOnly, ZrangeCommand, "Return a range of members in a sorted set",
        "1.2.0",
        "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
        "elements returned.");
  r.Key("zrevrange", -4, kReadOnly, ZrevrangeCommand,
        "Return a range of members in a sorted set, by index, with scores ordered from high to low",
        "1.2.0",
        "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
        "elements returned.");
  r.Key("zrangebyscore", -4, kReadOnly, ZrangebyscoreCommand,
        "Return a range of members in a sorted set, by score", "1.0.5", kRangeCost);
  r.Key("zrevrangebyscore", -4, kReadOnly, ZrevrangebyscoreCommand,
        "Return a range of members in a sorted set, by score, with scores ordered from high to low",
        "2.2.0", kRangeCost);
  r.Key("zrangebylex", -4, kReadOnly, ZrangebylexCommand,
        "Return a range of members in a sorted set, by lexicographical range", "2.8.9", kRangeCost);
  r.Key("zrevrangebylex", -4, kReadOnly, ZrevrangebylexCommand,
        "Return a range of members in a sorted set, by lexicographical range, ordered from higher "
        "to lower strings.",
        "2.8.9", kRangeCost);
  r.Keys("zrangestore", -5, kWrite | kDenyOom, 1, 2, ZrangestoreCommand,
         "Stores a range of members from sorted set in a key.", "6.2.0",
         "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
         "elements stored into the destination key.");
  r.Keys("zmpop", -4, kWrite, 0, 0, ZmpopCommand,
         "Returns the highest- or lowest-scoring members from one or more sorted sets after "
         "removing them. Deletes the sorted set if the last member was popped.",
         "7.0.0",
         "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of "
         "elements in the sorted set, and M being the number of elements popped.");
  r.Key("zrandmember", -2, kReadOnly | kRandom, ZrandmemberCommand,
        "Returns one or more random members from a sorted set.", "6.2.0",
        "O(N) where N is the number of members returned");
  r.Key("zscan", -3, kReadOnly, ZscanCommand,
        "Incrementally iterate sorted sets elements and associated scores", "2.8.0",
        "O(1) for every call. O(N) for a complete iteration, including enough command calls for "
        "the cursor to return back to 0. N is the number of elements inside the collection..");
}

}  // namespace cordis
