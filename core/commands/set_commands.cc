// Set family: SADD, SREM, SPOP, SMOVE, algebra (SINTER/SUNION/SDIFF and their STORE forms),
// reads and SSCAN. Handlers parse arguments, decide from local state, commit SetAdd/SetRemove
// ops (the observed-remove set in core/crdt/or_set.h) and reply like Redis 7.0.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "core/base/glob.h"
#include "core/base/strings.h"
#include "core/commands/arg_parse.h"
#include "core/crdt/or_set.h"
#include "core/server/command_context.h"

namespace cordis {
namespace {

constexpr std::string_view kCountOutOfRange =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

// The live set at key. Missing: nullptr. Other type: replies WRONGTYPE and sets *wrong.
SetValue* LookupSet(CommandContext& ctx, std::string_view key, bool* wrong) {
  return ctx.LookupAs<SetValue>(key, wrong);
}

void ReplyMembers(CommandContext& ctx, const std::vector<std::string_view>& members) {
  ctx.reply.Set(members.size());
  for (std::string_view m : members) ctx.reply.Bulk(m);
}

std::vector<std::string_view> AllMembers(const SetValue& s) {
  std::vector<std::string_view> out;
  out.reserve(s.size());
  s.ForEach([&](std::string_view m) { out.push_back(m); });
  return out;
}

// `count` distinct random members (count < size). Like Redis's SRANDMEMBER: when the count is
// close to the size, start from every member and drop random ones; otherwise draw until enough.
std::vector<std::string_view> DistinctRandom(const SetValue& s, size_t count, Prng& rng) {
  if (count * 3 > s.size()) {
    std::vector<std::string_view> all = AllMembers(s);
    while (all.size() > count) {
      size_t i = rng.Uniform(all.size());
      std::swap(all[i], all.back());
      all.pop_back();
    }
    return all;
  }
  std::vector<std::string_view> out;
  absl::flat_hash_set<std::string_view> seen;  // lookups only; never iterated
  while (out.size() < count) {
    std::string_view m = s.RandomMember(rng);
    if (seen.insert(m).second) out.push_back(m);
  }
  return out;
}

// Commits an op that removes `members` (which must be copies, not views into the set).
void CommitRemove(CommandContext& ctx, std::string_view key,
                  const std::vector<std::string>& members) {
  Op op = ctx.NewOp(key);
  delta::SetRemove rm;
  rm.members.assign(members.begin(), members.end());
  op.payload = std::move(rm);
  ctx.Commit(op);
}

void SaddCommand(CommandContext& ctx) {
  bool wrong = false;
  std::string_view key = ctx.args[1];
  SetValue* s = LookupSet(ctx, key, &wrong);
  if (wrong) return;
  int64_t added = 0;
  if (ctx.args.size() == 3) {  // one member (the common case): no set of fresh members needed
    added = s == nullptr || !s->Contains(ctx.args[2]) ? 1 : 0;
  } else {
    absl::flat_hash_set<std::string_view> fresh;
    for (size_t i = 2; i < ctx.args.size(); ++i)
      if (s == nullptr || !s->Contains(ctx.args[i])) fresh.insert(ctx.args[i]);
    added = static_cast<int64_t>(fresh.size());
  }
  Op op = ctx.NewOp(key);
  op.payload = delta::SetAdd{{ctx.args.begin() + 2, ctx.args.end()}};
  ctx.Commit(op);
  ctx.reply.Integer(added);
}

void SremCommand(CommandContext& ctx) {
  bool wrong = false;
  std::string_view key = ctx.args[1];
  SetValue* s = LookupSet(ctx, key, &wrong);
  if (wrong) return;
  if (s == nullptr) return ctx.reply.Integer(0);
  delta::SetRemove rm;
  absl::flat_hash_set<std::string_view> seen;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    if (s->Contains(ctx.args[i]) && seen.insert(ctx.args[i]).second)
      rm.members.push_back(ctx.args[i]);
  }
  int64_t removed = static_cast<int64_t>(rm.members.size());
  if (removed > 0) {
    Op op = ctx.NewOp(key);
    op.payload = std::move(rm);
    ctx.Commit(op);
  }
  ctx.reply.Integer(removed);
}

void SmembersCommand(CommandContext& ctx) {
  bool wrong = false;
  SetValue* s = LookupSet(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  if (s == nullptr) return ctx.reply.Set(0);
  ReplyMembers(ctx, AllMembers(*s));
}

void SismemberCommand(CommandContext& ctx) {
  bool wrong = false;
  SetValue* s = LookupSet(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  ctx.reply.Integer(s != nullptr && s->Contains(ctx.args[2]) ? 1 : 0);
}

void SmismemberCommand(CommandContext& ctx) {
  bool wrong = false;
  SetValue* s = LookupSet(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  ctx.reply.Array(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i)
    ctx.reply.Integer(s != nullptr && s->Contains(ctx.args[i]) ? 1 : 0);
}

void ScardCommand(CommandContext& ctx) {
  bool wrong = false;
  SetValue* s = LookupSet(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  ctx.reply.Integer(s != nullptr ? static_cast<int64_t>(s->size()) : 0);
}

void SpopWithCount(CommandContext& ctx) {
  // Redis's getPositiveLongFromObjectOrReply: one message for "not a number" and "negative".
  std::optional<int64_t> n = ParseInt64(ctx.args[2]);
  if (!n || *n < 0) return ctx.reply.Error(err::kMustBePositive);
  std::string_view key = ctx.args[1];
  bool wrong = false;
  SetValue* s = LookupSet(ctx, key, &wrong);
  if (wrong) return;
  if (s == nullptr || *n == 0) return ctx.reply.Set(0);
  size_t count = static_cast<size_t>(*n);
  std::vector<std::string_view> picked =
      count >= s->size() ? AllMembers(*s) : DistinctRandom(*s, count, ctx.node.rng());
  std::vector<std::string> members(picked.begin(), picked.end());
  ReplyMembers(ctx, picked);
  CommitRemove(ctx, key, members);
}

void SpopCommand(CommandContext& ctx) {
  if (ctx.args.size() == 3) return SpopWithCount(ctx);
  if (ctx.args.size() > 3) return ctx.reply.Error(err::kSyntax);
  std::string_view key = ctx.args[1];
  bool wrong = false;
  SetValue* s = LookupSet(ctx, key, &wrong);
  if (wrong) return;
  if (s == nullptr) return ctx.reply.NullBulk();
  std::vector<std::string> member{std::string(s->RandomMember(ctx.node.rng()))};
  ctx.reply.Bulk(member[0]);
  CommitRemove(ctx, key, member);
}

void SrandmemberWithCount(CommandContext& ctx) {
  std::optional<int64_t> n = ParseInt64(ctx.args[2]);
  if (!n) return ctx.reply.Error(err::kNotInteger);
  if (*n == INT64_MIN) return ctx.reply.Error(kCountOutOfRange);
  bool unique = *n >= 0;
  size_t count = static_cast<size_t>(unique ? *n : -*n);
  bool wrong = false;
  SetValue* s = LookupSet(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  if (s == nullptr || count == 0) return ctx.reply.Array(0);
  Prng& rng = ctx.node.rng();
  if (!unique) {
    ctx.reply.Array(count);
    for (size_t i = 0; i < count; ++i) ctx.reply.Bulk(s->RandomMember(rng));
    return;
  }
  std::vector<std::string_view> picked =
      count >= s->size() ? AllMembers(*s) : DistinctRandom(*s, count, rng);
  ctx.reply.Array(picked.size());
  for (std::string_view m : picked) ctx.reply.Bulk(m);
}

void SrandmemberCommand(CommandContext& ctx) {
  if (ctx.args.size() == 3) return SrandmemberWithCount(ctx);
  if (ctx.args.size() > 3) return ctx.reply.Error(err::kSyntax);
  bool wrong = false;
  SetValue* s = LookupSet(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  if (s == nullptr) return ctx.reply.NullBulk();
  ctx.reply.Bulk(s->RandomMember(ctx.node.rng()));
}

// SMOVE is two ops: a remove from the source and an add to the destination. A replica that
// sees only the first has the member in neither set for a moment; causal delivery brings both.
void SmoveCommand(CommandContext& ctx) {
  std::string_view src = ctx.args[1], dst = ctx.args[2], member = ctx.args[3];
  KeyEntry* se = ctx.Lookup(src);
  KeyEntry* de = ctx.Lookup(dst);
  if (se == nullptr) return ctx.reply.Integer(0);
  if (se->value->type() != ValueType::kSet ||
      (de != nullptr && de->value->type() != ValueType::kSet)) {
    return ctx.reply.Error(err::kWrongType);
  }
  const SetValue* s = static_cast<const SetValue*>(se->value);
  if (src == dst) return ctx.reply.Integer(s->Contains(member) ? 1 : 0);
  if (!s->Contains(member)) return ctx.reply.Integer(0);
  Op rm = ctx.NewOp(src);
  rm.payload = delta::SetRemove{{member}};
  ctx.Commit(rm);
  Op add = ctx.NewOp(dst);
  add.payload = delta::SetAdd{{member}};
  ctx.Commit(add);
  ctx.reply.Integer(1);
}

enum class Algebra { kInter, kUnion, kDiff };

// Looks up args[first..] as sets (missing keys are nullptr). On a key of another type replies
// WRONGTYPE and returns false, as Redis 7.0 checks every key before computing.
bool LookupSets(CommandContext& ctx, size_t first, std::vector<const SetValue*>* sets) {
  for (size_t i = first; i < ctx.args.size(); ++i) {
    KeyEntry* e = ctx.Lookup(ctx.args[i]);
    if (e != nullptr && e->value->type() != ValueType::kSet) {
      ctx.reply.Error(err::kWrongType);
      return false;
    }
    sets->push_back(e != nullptr ? static_cast<const SetValue*>(e->value) : nullptr);
  }
  return true;
}

std::vector<std::string_view> Compute(Algebra op, std::vector<const SetValue*> sets) {
  std::vector<std::string_view> out;
  switch (op) {
    case Algebra::kInter: {
      if (std::find(sets.begin(), sets.end(), nullptr) != sets.end()) return out;
      std::stable_sort(sets.begin(), sets.end(),
                       [](const SetValue* a, const SetValue* b) { return a->size() < b->size(); });
      sets[0]->ForEach([&](std::string_view m) {
        for (size_t i = 1; i < sets.size(); ++i)
          if (sets[i] != sets[0] && !sets[i]->Contains(m)) return;
        out.push_back(m);
      });
      return out;
    }
    case Algebra::kUnion: {
      absl::flat_hash_set<std::string_view> seen;  // lookups only; order comes from the dicts
      for (const SetValue* s : sets) {
        if (s == nullptr) continue;
        s->ForEach([&](std::string_view m) {
          if (seen.insert(m).second) out.push_back(m);
        });
      }
      return out;
    }
    case Algebra::kDiff: {
      if (sets[0] == nullptr) return out;
      sets[0]->ForEach([&](std::string_view m) {
        for (size_t i = 1; i < sets.size(); ++i)
          if (sets[i] != nullptr && sets[i]->Contains(m)) return;
        out.push_back(m);
      });
      return out;
    }
  }
  return out;
}

void AlgebraCommand(CommandContext& ctx, Algebra op) {
  std::vector<const SetValue*> sets;
  if (!LookupSets(ctx, 1, &sets)) return;
  ReplyMembers(ctx, Compute(op, sets));
}

// The STORE forms overwrite the destination, whatever its type, with the result; an empty
// result deletes it. Reply: the result's cardinality.
void AlgebraStoreCommand(CommandContext& ctx, Algebra op) {
  std::vector<const SetValue*> sets;
  if (!LookupSets(ctx, 2, &sets)) return;
  std::vector<std::string_view> result = Compute(op, sets);
  std::string_view dst = ctx.args[1];
  if (result.empty()) {
    if (ctx.Lookup(dst) != nullptr) {
      Op del = ctx.NewOp(dst);
      del.clear_key = true;
      ctx.Commit(del);
    }
    return ctx.reply.Integer(0);
  }
  // The destination may be one of the sources: copy before the op replaces it.
  std::vector<std::string> copies(result.begin(), result.end());
  Op store = ctx.NewOp(dst);
  store.clear_key = true;
  store.payload = delta::SetAdd{{copies.begin(), copies.end()}};
  ctx.Commit(store);
  ctx.reply.Integer(static_cast<int64_t>(copies.size()));
}

// SINTERCARD numkeys key [key ...] [LIMIT limit] (Redis's sinterCardCommand): the size of the
// intersection, counting stops at limit (0: no limit). Every key is type-checked first.
void SintercardCommand(CommandContext& ctx) {
  const auto& a = ctx.args;
  std::optional<int64_t> numkeys = ParseInt64(a[1]);
  if (!numkeys || *numkeys < 1) return ctx.reply.Error("ERR numkeys should be greater than 0");
  if (static_cast<uint64_t>(*numkeys) > a.size() - 2) {
    return ctx.reply.Error("ERR Number of keys can't be greater than number of args");
  }
  const size_t end = 2 + static_cast<size_t>(*numkeys);
  int64_t limit = 0;
  for (size_t j = end; j < a.size(); ++j) {
    if (EqualsIgnoreCase(a[j], "limit") && j + 1 < a.size()) {
      std::optional<int64_t> l = ParseInt64(a[++j]);
      if (!l || *l < 0) return ctx.reply.Error("ERR LIMIT can't be negative");
      limit = *l;
    } else {
      return ctx.reply.Error(err::kSyntax);
    }
  }
  std::vector<const SetValue*> sets;
  for (size_t i = 2; i < end; ++i) {
    KeyEntry* e = ctx.Lookup(a[i]);
    if (e != nullptr && e->value->type() != ValueType::kSet)
      return ctx.reply.Error(err::kWrongType);
    sets.push_back(e != nullptr ? static_cast<const SetValue*>(e->value) : nullptr);
  }
  if (std::find(sets.begin(), sets.end(), nullptr) != sets.end()) return ctx.reply.Integer(0);
  std::stable_sort(sets.begin(), sets.end(),
                   [](const SetValue* x, const SetValue* y) { return x->size() < y->size(); });
  int64_t count = 0;
  sets[0]->ForEach([&](std::string_view m) {
    if (limit != 0 && count >= limit) return;
    for (size_t i = 1; i < sets.size(); ++i)
      if (sets[i] != sets[0] && !sets[i]->Contains(m)) return;
    ++count;
  });
  ctx.reply.Integer(count);
}

void SinterCommand(CommandContext& ctx) { AlgebraCommand(ctx, Algebra::kInter); }
void SunionCommand(CommandContext& ctx) { AlgebraCommand(ctx, Algebra::kUnion); }
void SdiffCommand(CommandContext& ctx) { AlgebraCommand(ctx, Algebra::kDiff); }
void SinterstoreCommand(CommandContext& ctx) { AlgebraStoreCommand(ctx, Algebra::kInter); }
void SunionstoreCommand(CommandContext& ctx) { AlgebraStoreCommand(ctx, Algebra::kUnion); }
void SdiffstoreCommand(CommandContext& ctx) { AlgebraStoreCommand(ctx, Algebra::kDiff); }

// Redis's parseScanCursorOrReply: strtoul over the whole argument (so "-1" wraps and "" is 0).
std::optional<uint64_t> ParseScanCursor(std::string_view s) {
  if (!s.empty() && std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  std::string buf(s);
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(buf.c_str(), &end, 10);
  if (end != buf.c_str() + buf.size() || errno == ERANGE) return std::nullopt;
  return v;
}

struct ScanOptions {
  std::string_view pattern;
  bool has_pattern = false;
  int64_t count = 10;
};

// Parses [MATCH pattern] [COUNT count] from args[first..]; replies and returns false on error.
bool ParseScanOptions(CommandContext& ctx, size_t first, ScanOptions* o) {
  const auto& a = ctx.args;
  for (size_t i = first; i < a.size(); i += 2) {
    bool has_value = i + 1 < a.size();
    if (has_value && EqualsIgnoreCase(a[i], "count")) {
      std::optional<int64_t> n = ParseInt64(a[i + 1]);
      if (!n || *n < 1) {
        ctx.reply.Error(!n ? err::kNotInteger : err::kSyntax);
        return false;
      }
      o->count = *n;
    } else if (has_value && EqualsIgnoreCase(a[i], "match")) {
      o->pattern = a[i + 1];
      o->has_pattern = a[i + 1] != "*";
    } else {
      ctx.reply.Error(err::kSyntax);
      return false;
    }
  }
  return true;
}

void SscanCommand(CommandContext& ctx) {
  std::optional<uint64_t> cursor = ParseScanCursor(ctx.args[2]);
  if (!cursor) return ctx.reply.Error(err::kInvalidCursor);
  bool wrong = false;
  SetValue* s = LookupSet(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  if (s == nullptr) {
    ctx.reply.Array(2);
    ctx.reply.Bulk("0");
    return ctx.reply.Array(0);
  }
  ScanOptions o;
  if (!ParseScanOptions(ctx, 3, &o)) return;
  std::vector<std::string_view> found;
  uint64_t c = *cursor;
  int64_t steps = o.count * 10;
  do {
    c = s->ScanStep(c, [&](std::string_view m) { found.push_back(m); });
  } while (c != 0 && --steps > 0 && static_cast<int64_t>(found.size()) < o.count);
  if (o.has_pattern) {
    std::erase_if(found, [&](std::string_view m) { return !GlobMatch(o.pattern, m); });
  }
  ctx.reply.Array(2);
  ctx.reply.Bulk(std::to_string(c));
  ctx.reply.Array(found.size());
  for (std::string_view m : found) ctx.reply.Bulk(m);
}

}  // namespace

void RegisterSetCommands(CommandTable& t) {
  using namespace cmd;
  CommandRegistrar r(t, "set");
  r.Keys("sadd", -3, kWrite | kDenyOom | kFast, 1, 1, SaddCommand,
         "Adds one or more members to a set. Creates the key if it doesn't exist.", "1.0.0",
         "O(1) for each element added, so O(N) to add N elements when the command is called with "
         "multiple arguments.");
  r.Keys("srem", -3, kWrite | kFast, 1, 1, SremCommand,
         "Removes one or more members from a set. Deletes the set if the last member was removed.",
         "1.0.0", "O(N) where N is the number of members to be removed.");
  r.Keys("smembers", 2, kReadOnly, 1, 1, SmembersCommand, "Returns all members of a set.", "1.0.0",
         "O(N) where N is the set cardinality.");
  r.Keys("sismember", 3, kReadOnly | kFast, 1, 1, SismemberCommand,
         "Determines whether a member belongs to a set.", "1.0.0", "O(1)");
  r.Keys("smismember", -3, kReadOnly | kFast, 1, 1, SmismemberCommand,
         "Determines whether multiple members belong to a set.", "6.2.0",
         "O(N) where N is the number of elements being checked for membership");
  r.Keys("scard", 2, kReadOnly | kFast, 1, 1, ScardCommand,
         "Returns the number of members in a set.", "1.0.0", "O(1)");
  r.Keys(
      "spop", -2, kWrite | kFast | kRandom, 1, 1, SpopCommand,
      "Returns one or more random members from a set after removing them. Deletes the set if the "
      "last member was popped.",
      "1.0.0",
      "Without the count argument O(1), otherwise O(N) where N is the value of the "
      "passed count.");
  r.Keys("srandmember", -2, kReadOnly | kRandom, 1, 1, SrandmemberCommand,
         "Get one or multiple random members from a set", "1.0.0",
         "Without the count argument O(1), otherwise O(N) where N is the absolute value of the "
         "passed count.");
  r.Keys("smove", 4, kWrite | kFast, 1, 2, SmoveCommand, "Moves a member from one set to another.",
         "1.0.0", "O(1)");
  r.Keys("sinter", -2, kReadOnly, 1, -1, SinterCommand, "Returns the intersect of multiple sets.",
         "1.0.0",
         "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of "
         "sets.");
  r.Keys("sinterstore", -3, kWrite | kDenyOom, 1, -1, SinterstoreCommand,
         "Stores the intersect of multiple sets in a key.", "1.0.0",
         "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of "
         "sets.");
  r.Keys("sintercard", -3, kReadOnly, 0, 0, SintercardCommand,
         "Returns the number of members of the intersect of multiple sets.", "7.0.0",
         "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of "
         "sets.");
  r.Keys("sunion", -2, kReadOnly, 1, -1, SunionCommand, "Returns the union of multiple sets.",
         "1.0.0", "O(N) where N is the total number of elements in all given sets.");
  r.Keys("sunionstore", -3, kWrite | kDenyOom, 1, -1, SunionstoreCommand,
         "Stores the union of multiple sets in a key.", "1.0.0",
         "O(N) where N is the total number of elements in all given sets.");
  r.Keys("sdiff", -2, kReadOnly, 1, -1, SdiffCommand, "Returns the difference of multiple sets.",
         "1.0.0", "O(N) where N is the total number of elements in all given sets.");
  r.Keys("sdiffstore", -3, kWrite | kDenyOom, 1, -1, SdiffstoreCommand,
         "Stores the difference of multiple sets in a key.", "1.0.0",
         "O(N) where N is the total number of elements in all given sets.");
  r.Keys(
      "sscan", -3, kReadOnly, 1, 1, SscanCommand, "Iterates over members of a set.", "2.8.0",
      "O(1) for every call. O(N) for a complete iteration, including enough command calls for the "
      "cursor to return back to 0. N is the number of elements inside the collection.");
}

}  // namespace cordis
