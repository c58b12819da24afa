// Hash family: HSET & co. (per-field LWW registers), HINCRBY/HINCRBYFLOAT (per-field counters),
// HDEL, reads, HRANDFIELD and HSCAN. Handlers parse arguments, decide from local state, commit
// HashSet/HashRemove/HashAdd/HashAddFloat ops (core/crdt/or_map.h) and reply like Redis 7.0.
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "core/base/glob.h"
#include "core/base/strings.h"
#include "core/commands/arg_parse.h"
#include "core/crdt/lww_string.h"
#include "core/crdt/or_map.h"
#include "core/server/command_context.h"

namespace cordis {
namespace {

constexpr std::string_view kIncrNanOrInfinity = "ERR value is NaN or Infinity";
constexpr std::string_view kCountOutOfRange =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
constexpr std::string_view kValueOutOfRange = "ERR value is out of range";

HashValue* LookupHash(CommandContext& ctx, std::string_view key, bool* wrong) {
  return ctx.LookupAs<HashValue>(key, wrong);
}

// The value of key's field after a local write to it (no WRONGTYPE reply: the write made the
// hash the visible value, its stamp being the newest).
std::optional<std::string_view> FieldAfterWrite(CommandContext& ctx, std::string_view key,
                                                std::string_view field) {
  KeyEntry* e = ctx.Lookup(key);
  if (e == nullptr || e->value->type() != ValueType::kHash) return std::nullopt;
  return static_cast<const HashValue*>(e->value)->Get(field);
}

// HSET/HMSET/HSETNX: commits one HashSet op with the pairs args[2..]. Returns the number of
// fields that were not present before.
int64_t CommitSet(CommandContext& ctx, std::string_view key, const HashValue* h) {
  delta::HashSet set;
  absl::flat_hash_set<std::string_view> fresh;
  for (size_t i = 2; i + 1 < ctx.args.size(); i += 2) {
    set.fields.emplace_back(ctx.args[i], ctx.args[i + 1]);
    if (h == nullptr || h->Find(ctx.args[i]) == nullptr) fresh.insert(ctx.args[i]);
  }
  Op op = ctx.NewOp(key);
  op.payload = std::move(set);
  ctx.Commit(op);
  return static_cast<int64_t>(fresh.size());
}

void HsetGeneric(CommandContext& ctx, bool reply_ok) {
  if (ctx.args.size() % 2 != 0) return ctx.WrongArity();
  bool wrong = false;
  HashValue* h = LookupHash(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  int64_t created = CommitSet(ctx, ctx.args[1], h);
  if (reply_ok) return ctx.reply.Ok();
  ctx.reply.Integer(created);
}

void HsetCommand(CommandContext& ctx) { HsetGeneric(ctx, false); }
void HmsetCommand(CommandContext& ctx) { HsetGeneric(ctx, true); }

void HsetnxCommand(CommandContext& ctx) {
  bool wrong = false;
  HashValue* h = LookupHash(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  if (h != nullptr && h->Find(ctx.args[2]) != nullptr) return ctx.reply.Integer(0);
  ctx.reply.Integer(CommitSet(ctx, ctx.args[1], h));
}

void HgetCommand(CommandContext& ctx) {
  bool wrong = false;
  HashValue* h = LookupHash(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  std::optional<std::string_view> v = h != nullptr ? h->Get(ctx.args[2]) : std::nullopt;
  if (!v) return ctx.reply.NullBulk();
  ctx.reply.Bulk(*v);
}

void HmgetCommand(CommandContext& ctx) {
  bool wrong = false;
  HashValue* h = LookupHash(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  ctx.reply.Array(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    std::optional<std::string_view> v = h != nullptr ? h->Get(ctx.args[i]) : std::nullopt;
    if (v) {
      ctx.reply.Bulk(*v);
    } else {
      ctx.reply.NullBulk();
    }
  }
}

void HdelCommand(CommandContext& ctx) {
  bool wrong = false;
  std::string_view key = ctx.args[1];
  HashValue* h = LookupHash(ctx, key, &wrong);
  if (wrong) return;
  if (h == nullptr) return ctx.reply.Integer(0);
  delta::HashRemove rm;
  absl::flat_hash_set<std::string_view> seen;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    if (h->Find(ctx.args[i]) != nullptr && seen.insert(ctx.args[i]).second)
      rm.fields.push_back(ctx.args[i]);
  }
  int64_t removed = static_cast<int64_t>(rm.fields.size());
  if (removed > 0) {
    Op op = ctx.NewOp(key);
    op.payload = std::move(rm);
    ctx.Commit(op);
  }
  ctx.reply.Integer(removed);
}

void HlenCommand(CommandContext& ctx) {
  bool wrong = false;
  HashValue* h = LookupHash(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  ctx.reply.Integer(h != nullptr ? static_cast<int64_t>(h->size()) : 0);
}

enum class Part { kKeys, kValues, kBoth };

void HgetallGeneric(CommandContext& ctx, Part part) {
  bool wrong = false;
  HashValue* h = LookupHash(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  size_t n = h != nullptr ? h->size() : 0;
  if (part == Part::kBoth) {
    ctx.reply.Map(n);
  } else {
    ctx.reply.Array(n);
  }
  if (h == nullptr) return;
  h->ForEach([&](std::string_view field, std::string_view value) {
    if (part != Part::kValues) ctx.reply.Bulk(field);
    if (part != Part::kKeys) ctx.reply.Bulk(value);
  });
}

void HgetallCommand(CommandContext& ctx) { HgetallGeneric(ctx, Part::kBoth); }
void HkeysCommand(CommandContext& ctx) { HgetallGeneric(ctx, Part::kKeys); }
void HvalsCommand(CommandContext& ctx) { HgetallGeneric(ctx, Part::kValues); }

void HexistsCommand(CommandContext& ctx) {
  bool wrong = false;
  HashValue* h = LookupHash(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  ctx.reply.Integer(h != nullptr && h->Find(ctx.args[2]) != nullptr ? 1 : 0);
}

void HstrlenCommand(CommandContext& ctx) {
  bool wrong = false;
  HashValue* h = LookupHash(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  std::optional<std::string_view> v = h != nullptr ? h->Get(ctx.args[2]) : std::nullopt;
  ctx.reply.Integer(v ? static_cast<int64_t>(v->size()) : 0);
}

void HincrbyCommand(CommandContext& ctx) {
  std::optional<int64_t> incr = ParseInt64(ctx.args[3]);
  if (!incr) return ctx.reply.Error(err::kNotInteger);
  std::string_view key = ctx.args[1], field = ctx.args[2];
  bool wrong = false;
  HashValue* h = LookupHash(ctx, key, &wrong);
  if (wrong) return;
  int64_t current = 0;
  if (std::optional<std::string_view> v = h != nullptr ? h->Get(field) : std::nullopt) {
    std::optional<int64_t> c = ParseInt64(*v);
    if (!c) return ctx.reply.Error(err::kHashNotInteger);
    current = *c;
  }
  int64_t result = 0;
  if (__builtin_add_overflow(current, *incr, &result)) return ctx.reply.Error(err::kOverflow);
  Op op = ctx.NewOp(key);
  op.payload = delta::HashAdd{field, *incr};
  ctx.Commit(op);
  // Reply with what the field now holds, from local state. (It is an integer unless float
  // increments left a fraction below the 17 printed decimals; then the local sum is the answer.)
  std::optional<std::string_view> v = FieldAfterWrite(ctx, key, field);
  std::optional<int64_t> now = v ? ParseInt64(*v) : std::nullopt;
  ctx.reply.Integer(now.value_or(result));
}

void HincrbyfloatCommand(CommandContext& ctx) {
  std::optional<long double> incr = StringValue::ParseLongDouble(ctx.args[3]);
  if (!incr) return ctx.reply.Error(err::kNotFloat);
  if (std::isinf(*incr)) return ctx.reply.Error(kIncrNanOrInfinity);
  std::string_view key = ctx.args[1], field = ctx.args[2];
  bool wrong = false;
  HashValue* h = LookupHash(ctx, key, &wrong);
  if (wrong) return;
  long double current = 0;
  if (std::optional<std::string_view> v = h != nullptr ? h->Get(field) : std::nullopt) {
    std::optional<long double> c = StringValue::ParseLongDouble(*v);
    if (!c) return ctx.reply.Error(err::kHashNotFloat);
    current = *c;
  }
  long double result = current + *incr;
  if (std::isnan(result) || std::isinf(result)) return ctx.reply.Error(err::kIncrNanOrInf);
  Op op = ctx.NewOp(key);
  op.payload = delta::HashAddFloat{field, *incr};
  ctx.Commit(op);
  std::optional<std::string_view> v = FieldAfterWrite(ctx, key, field);
  CHECK(v.has_value());
  ctx.reply.Bulk(*v);
}

// One HRANDFIELD pick: the field, its value when asked, nested as a pair in RESP3.
void ReplyPick(CommandContext& ctx, const HashValue::Field* f, bool with_values) {
  if (with_values && ctx.reply.resp3()) ctx.reply.Array(2);
  ctx.reply.Bulk(f->name());
  if (with_values) ctx.reply.Bulk(HashValue::ValueOf(f));
}

void ReplyPicksHeader(CommandContext& ctx, size_t n, bool with_values) {
  ctx.reply.Array(with_values && !ctx.reply.resp3() ? 2 * n : n);
}

// `count` distinct random fields (count < size), as Redis's HRANDFIELD cases 3 and 4.
std::vector<const HashValue::Field*> DistinctRandom(const HashValue& h, size_t count, Prng& rng) {
  std::vector<const HashValue::Field*> out;
  if (count * 3 > h.size()) {
    out.reserve(h.size());
    h.ForEach([&](std::string_view field, std::string_view) { out.push_back(h.Find(field)); });
    while (out.size() > count) {
      size_t i = rng.Uniform(out.size());
      std::swap(out[i], out.back());
      out.pop_back();
    }
    return out;
  }
  absl::flat_hash_set<const HashValue::Field*> seen;  // lookups only; never iterated
  while (out.size() < count) {
    const HashValue::Field* f = h.RandomField(rng);
    if (seen.insert(f).second) out.push_back(f);
  }
  return out;
}

void HrandfieldWithCount(CommandContext& ctx, int64_t n, bool with_values) {
  bool unique = n >= 0;
  size_t count = static_cast<size_t>(unique ? n : -n);
  bool wrong = false;
  HashValue* h = LookupHash(ctx, ctx.args[1], &wrong);
  if (wrong) return;
  if (h == nullptr || count == 0) return ctx.reply.Array(0);
  Prng& rng = ctx.node.rng();
  if (!unique || count == 1) {
    ReplyPicksHeader(ctx, count, with_values);
    for (size_t i = 0; i < count; ++i) ReplyPick(ctx, h->RandomField(rng), with_values);
    return;
  }
  std::vector<const HashValue::Field*> picked;
  if (count >= h->size()) {
    h->ForEach([&](std::string_view field, std::string_view) { picked.push_back(h->Find(field)); });
  } else {
    picked = DistinctRandom(*h, count, rng);
  }
  ReplyPicksHeader(ctx, picked.size(), with_values);
  for (const HashValue::Field* f : picked) ReplyPick(ctx, f, with_values);
}

void HrandfieldCommand(CommandContext& ctx) {
  const auto& a = ctx.args;
  if (a.size() >= 3) {
    std::optional<int64_t> n = ParseInt64(a[2]);
    if (!n) return ctx.reply.Error(err::kNotInteger);
    if (*n == INT64_MIN) return ctx.reply.Error(kCountOutOfRange);
    if (a.size() > 4 || (a.size() == 4 && !EqualsIgnoreCase(a[3], "withvalues")))
      return ctx.reply.Error(err::kSyntax);
    bool with_values = a.size() == 4;
    if (with_values && (*n < -INT64_MAX / 2 || *n > INT64_MAX / 2))
      return ctx.reply.Error(kValueOutOfRange);
    return HrandfieldWithCount(ctx, *n, with_values);
  }
  bool wrong = false;
  HashValue* h = LookupHash(ctx, a[1], &wrong);
  if (wrong) return;
  if (h == nullptr) return ctx.reply.NullBulk();
  ctx.reply.Bulk(h->RandomField(ctx.node.rng())->name());
}

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

void HscanCommand(CommandContext& ctx) {
  const auto& a = ctx.args;
  std::optional<uint64_t> cursor = ParseScanCursor(a[2]);
  if (!cursor) return ctx.reply.Error(err::kInvalidCursor);
  bool wrong = false;
  HashValue* h = LookupHash(ctx, a[1], &wrong);
  if (wrong) return;
  if (h == nullptr) {
    ctx.reply.Array(2);
    ctx.reply.Bulk("0");
    return ctx.reply.Array(0);
  }
  std::string_view pattern;
  bool has_pattern = false;
  int64_t count = 10;
  for (size_t i = 3; i < a.size(); i += 2) {
    bool has_value = i + 1 < a.size();
    if (has_value && EqualsIgnoreCase(a[i], "count")) {
      std::optional<int64_t> n = ParseInt64(a[i + 1]);
      if (!n) return ctx.reply.Error(err::kNotInteger);
      if (*n < 1) return ctx.reply.Error(err::kSyntax);
      count = *n;
    } else if (has_value && EqualsIgnoreCase(a[i], "match")) {
      pattern = a[i + 1];
      has_pattern = pattern != "*";
    } else {
      return ctx.reply.Error(err::kSyntax);
    }
  }
  std::vector<std::pair<std::string_view, std::string_view>> found;
  uint64_t c = *cursor;
  int64_t steps = count * 10;
  do {
    c = h->ScanStep(c, [&](std::string_view f, std::string_view v) { found.emplace_back(f, v); });
  } while (c != 0 && --steps > 0 && static_cast<int64_t>(found.size()) < count);
  if (has_pattern) {
    std::erase_if(found, [&](const auto& fv) { return !GlobMatch(pattern, fv.first); });
  }
  ctx.reply.Array(2);
  ctx.reply.Bulk(std::to_string(c));
  ctx.reply.Array(2 * found.size());
  for (const auto& [f, v] : found) {
    ctx.reply.Bulk(f);
    ctx.reply.Bulk(v);
  }
}

}  // namespace

void RegisterHashCommands(CommandTable& t) {
  using namespace cmd;
  CommandRegistrar r(t, "hash");
  r.Key("hset", -4, kWrite | kDenyOom | kFast, HsetCommand,
        "Creates or modifies the value of a field in a hash.", "2.0.0",
        "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command "
        "is called with multiple field/value pairs.");
  r.Key("hsetnx", 4, kWrite | kDenyOom | kFast, HsetnxCommand,
        "Sets the value of a field in a hash only when the field doesn't exist.", "2.0.0", "O(1)");
  r.Key("hmset", -4, kWrite | kDenyOom | kFast, HmsetCommand, "Sets the values of multiple fields.",
        "2.0.0", "O(N) where N is the number of fields being set.");
  r.Key("hget", 3, kReadOnly | kFast, HgetCommand, "Returns the value of a field in a hash.",
        "2.0.0", "O(1)");
  r.Key("hmget", -3, kReadOnly | kFast, HmgetCommand, "Returns the values of all fields in a hash.",
        "2.0.0", "O(N) where N is the number of fields being requested.");
  r.Key("hdel", -3, kWrite | kFast, HdelCommand,
        "Deletes one or more fields and their values from a hash. Deletes the hash if no fields "
        "remain.",
        "2.0.0", "O(N) where N is the number of fields to be removed.");
  r.Key("hgetall", 2, kReadOnly, HgetallCommand, "Returns all fields and values in a hash.",
        "2.0.0", "O(N) where N is the size of the hash.");
  r.Key("hlen", 2, kReadOnly | kFast, HlenCommand, "Returns the number of fields in a hash.",
        "2.0.0", "O(1)");
  r.Key("hkeys", 2, kReadOnly, HkeysCommand, "Returns all fields in a hash.", "2.0.0",
        "O(N) where N is the size of the hash.");
  r.Key("hvals", 2, kReadOnly, HvalsCommand, "Returns all values in a hash.", "2.0.0",
        "O(N) where N is the size of the hash.");
  r.Key("hexists", 3, kReadOnly | kFast, HexistsCommand,
        "Determines whether a field exists in a hash.", "2.0.0", "O(1)");
  r.Key("hincrby", 4, kWrite | kDenyOom | kFast, HincrbyCommand,
        "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if "
        "the field doesn't exist.",
        "2.0.0", "O(1)");
  r.Key("hincrbyfloat", 4, kWrite | kDenyOom | kFast, HincrbyfloatCommand,
        "Increments the floating point value of a field by a number. Uses 0 as initial value if "
        "the field doesn't exist.",
        "2.6.0", "O(1)");
  r.Key("hstrlen", 3, kReadOnly | kFast, HstrlenCommand,
        "Returns the length of the value of a field.", "3.2.0", "O(1)");
  r.Key("hrandfield", -2, kReadOnly | kRandom, HrandfieldCommand,
        "Returns one or more random fields from a hash.", "6.2.0",
        "O(N) where N is the number of fields returned");
  r.Key(
      "hscan", -3, kReadOnly, HscanCommand, "Iterates over fields and values of a hash.", "2.8.0",
      "O(1) for every call. O(N) for a complete iteration, including enough command calls for the "
      "cursor to return back to 0. N is the number of elements inside the collection.");
}

}  // namespace cordis
