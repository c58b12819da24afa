// Generic key commands: existence, type, enumeration, renaming and expiry.
#include <climits>
#include <string>
#include <vector>

#include "core/base/glob.h"
#include "core/commands/arg_parse.h"
#include "core/keyspace/value_content.h"
#include "core/server/command_context.h"

namespace cordis {
namespace {

void DeleteKey(CommandContext& ctx, std::string_view key) {
  Op op = ctx.NewOp(key);
  op.clear_key = true;
  ctx.Commit(op);
}

void DelCommand(CommandContext& ctx) {
  int64_t removed = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    if (ctx.Lookup(ctx.args[i]) == nullptr) continue;
    DeleteKey(ctx, ctx.args[i]);
    ++removed;
  }
  ctx.reply.Integer(removed);
}

void ExistsCommand(CommandContext& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) n += ctx.Lookup(ctx.args[i]) != nullptr;
  ctx.reply.Integer(n);
}

// TOUCH key [key ...]: how many exist. This server keeps no access times, so touching only
// counts (and, like every read, deletes keys found expired).
void TouchCommand(CommandContext& ctx) { ExistsCommand(ctx); }

void TypeCommand(CommandContext& ctx) {
  KeyEntry* e = ctx.Lookup(ctx.args[1]);
  ctx.reply.Simple(e == nullptr ? "none" : ValueTypeName(e->value->type()));
}

bool Live(CommandContext& ctx, const KeyEntry* e) {
  return e->value != nullptr && !ctx.db().IsExpired(e, ctx.now_ms);
}

void KeysCommand(CommandContext& ctx) {
  std::string_view pattern = ctx.args[1];
  bool all = pattern == "*";
  std::vector<std::string_view> keys;
  ctx.db().dict().ForEach([&](KeyEntry* e) {
    if (Live(ctx, e) && (all || GlobMatch(pattern, e->key()))) keys.push_back(e->key());
  });
  ctx.reply.Array(keys.size());
  for (std::string_view k : keys) ctx.reply.Bulk(k);
}

std::optional<ValueType> ParseTypeName(std::string_view name) {
  for (ValueType t : {ValueType::kString, ValueType::kList, ValueType::kSet, ValueType::kZset,
                      ValueType::kHash}) {
    if (EqualsIgnoreCase(name, ValueTypeName(t))) return t;
  }
  return std::nullopt;
}

void ScanCommand(CommandContext& ctx) {
  const auto& a = ctx.args;
  std::optional<uint64_t> cursor;
  {
    uint64_t c = 0;
    auto r = std::from_chars(a[1].data(), a[1].data() + a[1].size(), c);
    if (r.ec == std::errc() && r.ptr == a[1].data() + a[1].size()) cursor = c;
  }
  if (!cursor) return ctx.reply.Error(err::kInvalidCursor);
  std::string_view pattern;
  bool has_pattern = false;
  int64_t count = 10;
  std::optional<std::string_view> type_filter;
  for (size_t i = 2; i < a.size(); i += 2) {
    if (i + 1 >= a.size()) return ctx.reply.Error(err::kSyntax);
    if (EqualsIgnoreCase(a[i], "count")) {
      std::optional<int64_t> n = ParseInt64(a[i + 1]);
      if (!n) return ctx.reply.Error(err::kNotInteger);
      if (*n < 1) return ctx.reply.Error(err::kSyntax);
      count = *n;
    } else if (EqualsIgnoreCase(a[i], "match")) {
      pattern = a[i + 1];
      has_pattern = !(pattern.size() == 1 && pattern[0] == '*');
    } else if (EqualsIgnoreCase(a[i], "type")) {
      type_filter = a[i + 1];
    } else {
      return ctx.reply.Error(err::kSyntax);
    }
  }
  std::optional<ValueType> type;
  if (type_filter) type = ParseTypeName(*type_filter);
  std::vector<std::string_view> keys;
  uint64_t c = *cursor;
  int64_t max_steps = count * 10;
  do {
    c = ctx.db().dict().ScanStep(c, [&](KeyEntry* e) { keys.push_back(e->key()); });
  } while (c != 0 && --max_steps > 0 && static_cast<int64_t>(keys.size()) < count);
  std::vector<std::string_view> out;
  for (std::string_view k : keys) {
    KeyEntry* e = ctx.db().FindEntry(k);
    if (e == nullptr || !Live(ctx, e)) continue;
    if (has_pattern && !GlobMatch(pattern, k)) continue;
    if (type_filter && (!type || e->value->type() != *type)) continue;
    out.push_back(k);
  }
  ctx.reply.Array(2);
  ctx.reply.Bulk(std::to_string(c));
  ctx.reply.Array(out.size());
  for (std::string_view k : out) ctx.reply.Bulk(k);
}

void RenameGeneric(CommandContext& ctx, bool nx) {
  std::string src(ctx.args[1]), dst(ctx.args[2]);
  KeyEntry* e = ctx.Lookup(src);
  if (e == nullptr) return ctx.reply.Error(err::kNoSuchKey);
  if (src == dst) return nx ? ctx.reply.Integer(0) : ctx.reply.Ok();
  if (nx && ctx.Lookup(dst) != nullptr) return ctx.reply.Integer(0);
  // The destination gets the source's content as a fresh write; the source is removed.
  ContentPayload content = ContentOf(*e->value);
  std::optional<int64_t> expire = ctx.db().ExpireAtMs(e);
  Op write = ctx.NewOp(dst);
  write.clear_key = true;
  write.payload = content.payload;
  write.expire = expire;
  ctx.Commit(write);
  DeleteKey(ctx, src);
  if (nx) return ctx.reply.Integer(1);
  ctx.reply.Ok();
}

void RenameCommand(CommandContext& ctx) { RenameGeneric(ctx, false); }
void RenamenxCommand(CommandContext& ctx) { RenameGeneric(ctx, true); }

void RandomkeyCommand(CommandContext& ctx) {
  const auto& dict = ctx.db().dict();
  for (int tries = 0; tries < 100 && dict.size() > 0; ++tries) {
    KeyEntry* e = dict.Random(ctx.node.rng());
    if (e != nullptr && Live(ctx, e)) return ctx.reply.Bulk(e->key());
  }
  ctx.reply.NullBulk();
}

// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (Redis's expireGenericCommand).
void ExpireGeneric(CommandContext& ctx, TimeUnit unit, bool absolute) {
  bool nx = false, xx = false, gt = false, lt = false;
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    std::string_view o = ctx.args[i];
    if (EqualsIgnoreCase(o, "nx"))
      nx = true;
    else if (EqualsIgnoreCase(o, "xx"))
      xx = true;
    else if (EqualsIgnoreCase(o, "gt"))
      gt = true;
    else if (EqualsIgnoreCase(o, "lt"))
      lt = true;
    else
      return ctx.reply.Error("ERR Unsupported option " + std::string(o));
  }
  if (nx && (xx || gt || lt))
    return ctx.reply.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
  if (gt && lt) return ctx.reply.Error("ERR GT and LT options at the same time are not compatible");
  std::optional<int64_t> when = ParseInt64(ctx.args[2]);
  if (!when) return ctx.reply.Error(err::kNotInteger);
  std::optional<int64_t> at = ExpireToAbsoluteMs(*when, unit, absolute, ctx.now_ms);
  if (!at) {
    return ctx.reply.Error("ERR invalid expire time in '" + std::string(ctx.spec.name) +
                           "' command");
  }
  std::string_view key = ctx.args[1];
  KeyEntry* e = ctx.Lookup(key);
  if (e == nullptr) return ctx.reply.Integer(0);
  std::optional<int64_t> current = ctx.db().ExpireAtMs(e);
  if (nx && current) return ctx.reply.Integer(0);
  if (xx && !current) return ctx.reply.Integer(0);
  if (gt && (!current || *at <= *current)) return ctx.reply.Integer(0);
  if (lt && current && *at >= *current) return ctx.reply.Integer(0);
  if (*at <= ctx.now_ms) {
    DeleteKey(ctx, key);
    return ctx.reply.Integer(1);
  }
  Op op = ctx.NewOp(key);
  op.payload = delta::ExpireOnly{};
  op.expire = *at;
  ctx.Commit(op);
  ctx.reply.Integer(1);
}

void ExpireCommand(CommandContext& ctx) { ExpireGeneric(ctx, TimeUnit::kSeconds, false); }
void PexpireCommand(CommandContext& ctx) { ExpireGeneric(ctx, TimeUnit::kMilliseconds, false); }
void ExpireatCommand(CommandContext& ctx) { ExpireGeneric(ctx, TimeUnit::kSeconds, true); }
void PexpireatCommand(CommandContext& ctx) { ExpireGeneric(ctx, TimeUnit::kMilliseconds, true); }

// TTL, PTTL, EXPIRETIME, PEXPIRETIME (Redis's ttlGenericCommand).
void TtlGeneric(CommandContext& ctx, bool output_ms, bool output_abs) {
  KeyEntry* e = ctx.Lookup(ctx.args[1]);
  if (e == nullptr) return ctx.reply.Integer(-2);
  std::optional<int64_t> at = ctx.db().ExpireAtMs(e);
  if (!at) return ctx.reply.Integer(-1);
  int64_t ttl = output_abs ? *at : *at - ctx.now_ms;
  if (ttl < 0) ttl = 0;
  ctx.reply.Integer(output_ms ? ttl : (ttl + 500) / 1000);
}

void TtlCommand(CommandContext& ctx) { TtlGeneric(ctx, false, false); }
void PttlCommand(CommandContext& ctx) { TtlGeneric(ctx, true, false); }
void ExpiretimeCommand(CommandContext& ctx) { TtlGeneric(ctx, false, true); }
void PexpiretimeCommand(CommandContext& ctx) { TtlGeneric(ctx, true, true); }

void PersistCommand(CommandContext& ctx) {
  KeyEntry* e = ctx.Lookup(ctx.args[1]);
  if (e == nullptr || !ctx.db().ExpireAtMs(e)) return ctx.reply.Integer(0);
  Op op = ctx.NewOp(ctx.args[1]);
  op.payload = delta::ExpireOnly{};
  op.expire = kPersistMs;
  ctx.Commit(op);
  ctx.reply.Integer(1);
}

}  // namespace

void RegisterKeyCommands(CommandTable& t) {
  using namespace cmd;
  CommandRegistrar r(t, "generic");
  r.Keys("del", -2, kWrite, 1, -1, 1, DelCommand, "Deletes one or more keys.", "1.0.0", "O(N)");
  r.Keys("unlink", -2, kWrite | kFast, 1, -1, 1, DelCommand,
         "Asynchronously deletes one or more keys.", "4.0.0", "O(1)");
  r.Keys("exists", -2, kReadOnly | kFast, 1, -1, 1, ExistsCommand,
         "Determines whether one or more keys exist.", "1.0.0", "O(N)");
  r.Keys("touch", -2, kReadOnly | kFast, 1, -1, 1, TouchCommand,
         "Returns the number of existing keys out of those specified after updating the time they "
         "were last accessed.",
         "3.2.1", "O(N) where N is the number of keys that will be touched.");
  r.Keys("type", 2, kReadOnly | kFast, 1, 1, 1, TypeCommand,
         "Determines the type of value stored at a key.", "1.0.0");
  r.Keys("keys", 2, kReadOnly, 0, 0, 0, KeysCommand, "Returns all key names that match a pattern.",
         "1.0.0", "O(N)");
  r.Keys("scan", -2, kReadOnly, 0, 0, 0, ScanCommand,
         "Iterates over the key names in the database.", "2.8.0", "O(1) per call");
  r.Keys("rename", 3, kWrite, 1, 2, 1, RenameCommand,
         "Renames a key and overwrites the destination.", "1.0.0");
  r.Keys("renamenx", 3, kWrite | kFast, 1, 2, 1, RenamenxCommand,
         "Renames a key only when the target key name doesn't exist.", "1.0.0");
  r.Keys("randomkey", 1, kReadOnly | kRandom, 0, 0, 0, RandomkeyCommand,
         "Returns a random key name from the database.", "1.0.0");
  r.Keys("expire", -3, kWrite | kFast, 1, 1, 1, ExpireCommand,
         "Sets the expiration time of a key in seconds.", "1.0.0");
  r.Keys("pexpire", -3, kWrite | kFast, 1, 1, 1, PexpireCommand,
         "Sets the expiration time of a key in milliseconds.", "2.6.0");
  r.Keys("expireat", -3, kWrite | kFast, 1, 1, 1, ExpireatCommand,
         "Sets the expiration time of a key to a Unix timestamp.", "1.2.0");
  r.Keys("pexpireat", -3, kWrite | kFast, 1, 1, 1, PexpireatCommand,
         "Sets the expiration time of a key to a Unix milliseconds timestamp.", "2.6.0");
  r.Keys("ttl", 2, kReadOnly | kFast, 1, 1, 1, TtlCommand,
         "Returns the expiration time in seconds of a key.", "1.0.0");
  r.Keys("pttl", 2, kReadOnly | kFast, 1, 1, 1, PttlCommand,
         "Returns the expiration time in milliseconds of a key.", "2.6.0");
  r.Keys("expiretime", 2, kReadOnly | kFast, 1, 1, 1, ExpiretimeCommand,
         "Returns the expiration time of a key as a Unix timestamp.", "7.0.0");
  r.Keys("pexpiretime", 2, kReadOnly | kFast, 1, 1, 1, PexpiretimeCommand,
         "Returns the expiration time of a key as a Unix milliseconds timestamp.", "7.0.0");
  r.Keys("persist", 2, kWrite | kFast, 1, 1, 1, PersistCommand,
         "Removes the expiration time of a key.", "2.2.0");
}

}  // namespace cordis
