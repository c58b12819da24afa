// Commands that copy whole keys, within a database or across the 16 databases: COPY, MOVE and
// SWAPDB. None of them needs an op of its own; each is a composition of ordinary ops, so it
// replicates like any other write:
//   COPY src dst        dst := clear_key + the source's content (one op, with its deadline)
//   MOVE key db         key in db := clear_key + content; then key in the source db := DEL
//   SWAPDB a b          for every key k live in a or b: a.k := b's content (or DEL), and
//                       b.k := a's content (or DEL)
// The content is the value's logical content (core/keyspace/value_content.h); its CRDT metadata
// (dots, tombstones, concurrent registers) is not copied: the copy is a fresh write.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/commands/arg_parse.h"
#include "core/keyspace/value_content.h"
#include "core/server/command_context.h"

namespace cordis {
namespace {

constexpr std::string_view kSameObject = "ERR source and destination objects are the same";

// Redis's getIntFromObjectOrReply + selectDb: the database index, or replies and nullopt.
std::optional<uint32_t> DbArg(CommandContext& ctx, std::string_view arg,
                              std::string_view not_int = err::kNotInteger) {
  std::optional<int64_t> v = ParseInt64(arg);
  if (!v) {
    ctx.reply.Error(not_int);
    return std::nullopt;
  }
  if (*v < INT32_MIN || *v > INT32_MAX) {
    // Redis's getIntFromObjectOrReply: a caller's message replaces both errors.
    ctx.reply.Error(not_int != err::kNotInteger
                        ? not_int
                        : "ERR value is out of range, value must between -2147483648 and "
                          "2147483647");
    return std::nullopt;
  }
  if (*v < 0 || *v >= static_cast<int64_t>(ctx.node.db_count())) {
    ctx.reply.Error(err::kDbIndexOutOfRange);
    return std::nullopt;
  }
  return static_cast<uint32_t>(*v);
}

// A key's content and deadline, owned (independent of the source value).
struct Snapshot {
  ContentPayload content;
  std::optional<int64_t> expire;
};

Snapshot Take(CommandContext& ctx, uint32_t db, const KeyEntry* e) {
  return Snapshot{ContentOf(*e->value), ctx.node.db(db).ExpireAtMs(e)};
}

// db.key := the snapshot (one op that clears what the key held here first).
void Write(CommandContext& ctx, uint32_t db, std::string_view key, const Snapshot& s) {
  Op op = ctx.NewOpIn(db, key);
  op.clear_key = true;
  op.payload = s.content.payload;
  op.expire = s.expire;
  ctx.Commit(op);
}

void Delete(CommandContext& ctx, uint32_t db, std::string_view key) {
  Op op = ctx.NewOpIn(db, key);
  op.clear_key = true;
  ctx.Commit(op);
}

// COPY source destination [DB destination-db] [REPLACE] (Redis's copyCommand).
void CopyCommand(CommandContext& ctx) {
  const auto& a = ctx.args;
  const uint32_t src_db = ctx.session.db;
  uint32_t dst_db = src_db;
  bool replace = false;
  for (size_t j = 3; j < a.size(); ++j) {
    if (EqualsIgnoreCase(a[j], "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(a[j], "db") && j + 1 < a.size()) {
      std::optional<uint32_t> db = DbArg(ctx, a[++j]);
      if (!db) return;
      dst_db = *db;
    } else {
      return ctx.reply.Error(err::kSyntax);
    }
  }
  if (src_db == dst_db && a[1] == a[2]) return ctx.reply.Error(kSameObject);
  KeyEntry* e = ctx.Lookup(a[1]);
  if (e == nullptr) return ctx.reply.Integer(0);
  Snapshot s = Take(ctx, src_db, e);
  if (ctx.LookupIn(dst_db, a[2]) != nullptr && !replace) return ctx.reply.Integer(0);
  Write(ctx, dst_db, a[2], s);
  ctx.reply.Integer(1);
}

// MOVE key db (Redis's moveCommand): a write to the target database, then an observed-remove
// DEL on the source.
void MoveCommand(CommandContext& ctx) {
  std::optional<uint32_t> dst_db = DbArg(ctx, ctx.args[2]);
  if (!dst_db) return;
  const uint32_t src_db = ctx.session.db;
  if (*dst_db == src_db) return ctx.reply.Error(kSameObject);
  const std::string key(ctx.args[1]);
  KeyEntry* e = ctx.Lookup(key);
  if (e == nullptr) return ctx.reply.Integer(0);
  Snapshot s = Take(ctx, src_db, e);
  if (ctx.LookupIn(*dst_db, key) != nullptr) return ctx.reply.Integer(0);
  Write(ctx, *dst_db, key, s);
  Delete(ctx, src_db, key);
  ctx.reply.Integer(1);
}

// Every live key of a database with its content.
std::map<std::string, Snapshot> TakeAll(CommandContext& ctx, uint32_t db) {
  std::vector<std::string> keys;
  ctx.node.db(db).dict().ForEach([&](KeyEntry* e) {
    if (e->value != nullptr) keys.emplace_back(e->key());
  });
  std::map<std::string, Snapshot> out;
  for (const std::string& k : keys) {
    if (KeyEntry* e = ctx.LookupIn(db, k)) out.emplace(k, Take(ctx, db, e));
  }
  return out;
}

// SWAPDB index1 index2: each database takes the other's content, key by key (see the top of
// the file). Keys are visited in sorted order so that replicas log the same ops whatever their
// hash seeds.
void SwapdbCommand(CommandContext& ctx) {
  std::optional<uint32_t> a = DbArg(ctx, ctx.args[1], "ERR invalid first DB index");
  if (!a) return;
  std::optional<uint32_t> b = DbArg(ctx, ctx.args[2], "ERR invalid second DB index");
  if (!b) return;
  if (*a != *b) {
    std::map<std::string, Snapshot> in_a = TakeAll(ctx, *a), in_b = TakeAll(ctx, *b);
    auto swap_into = [&](uint32_t db, const std::map<std::string, Snapshot>& mine,
                         const std::map<std::string, Snapshot>& theirs) {
      for (const auto& [key, snap] : theirs) Write(ctx, db, key, snap);
      for (const auto& [key, snap] : mine)
        if (!theirs.contains(key)) Delete(ctx, db, key);
    };
    swap_into(*a, in_a, in_b);
    swap_into(*b, in_b, in_a);
  }
  ctx.reply.Ok();
}

}  // namespace

void RegisterKeyCopyCommands(CommandTable& t) {
  using namespace cmd;
  CommandRegistrar r(t, "generic");
  r.Keys("copy", -3, kWrite | kDenyOom, 1, 2, CopyCommand, "Copies the value of a key to a new key.",
         "6.2.0",
         "O(N) worst case for collections, where N is the number of nested items. O(1) for string "
         "values.");
  r.Key("move", 3, kWrite | kFast, MoveCommand, "Moves a key to another database.", "1.0.0");
  CommandRegistrar server(t, "server");
  server.NoKeys("swapdb", 3, kWrite | kFast, SwapdbCommand, "Swaps two Redis databases.", "4.0.0",
                "O(N) where N is the number of keys in both databases (each is rewritten as a "
                "replicated op).");
}

}  // namespace cordis
