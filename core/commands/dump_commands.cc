// DUMP key and RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f], with Redis 7.0's
// replies and checks in its order (src/cluster.c restoreCommand). The payload is this server's
// own format (core/keyspace/dump_format.h); RESTORE writes the content as one op that clears the
// key first (like SET), with the deadline, so it replicates like any write. IDLETIME and FREQ are
// validated and accepted; this server keeps no access times or frequencies.
#include <string>

#include "core/commands/arg_parse.h"
#include "core/keyspace/dump_format.h"
#include "core/server/command_context.h"

namespace cordis {
namespace {

void DumpCommand(CommandContext& ctx) {
  KeyEntry* e = ctx.Lookup(ctx.args[1]);
  if (e == nullptr) return ctx.reply.NullBulk();
  ctx.reply.Bulk(EncodeDump(*e->value));
}

void RestoreCommand(CommandContext& ctx) {
  const auto& a = ctx.args;
  bool replace = false, absttl = false, idle = false, freq = false;
  for (size_t j = 4; j < a.size(); ++j) {
    const bool more = j + 1 < a.size();
    if (EqualsIgnoreCase(a[j], "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(a[j], "absttl")) {
      absttl = true;
    } else if (EqualsIgnoreCase(a[j], "idletime") && more && !freq) {
      std::optional<int64_t> v = ParseInt64(a[++j]);
      if (!v) return ctx.reply.Error(err::kNotInteger);
      if (*v < 0) return ctx.reply.Error("ERR Invalid IDLETIME value, must be >= 0");
      idle = true;
    } else if (EqualsIgnoreCase(a[j], "freq") && more && !idle) {
      std::optional<int64_t> v = ParseInt64(a[++j]);
      if (!v) return ctx.reply.Error(err::kNotInteger);
      if (*v < 0 || *v > 255) return ctx.reply.Error("ERR Invalid FREQ value, must be >= 0 and <= 255");
      freq = true;
    } else {
      return ctx.reply.Error(err::kSyntax);
    }
  }
  const std::string_view key = a[1];
  const bool exists = ctx.Lookup(key) != nullptr;
  if (!replace && exists) return ctx.reply.Error("BUSYKEY Target key name already exists.");
  std::optional<int64_t> ttl = ParseInt64(a[2]);
  if (!ttl) return ctx.reply.Error(err::kNotInteger);
  if (*ttl < 0) return ctx.reply.Error("ERR Invalid TTL value, must be >= 0");
  absl::StatusOr<ContentPayload> content = DecodeDump(a[3]);
  if (!content.ok()) {
    return ctx.reply.Error(content.status().code() == absl::StatusCode::kDataLoss
                               ? "ERR DUMP payload version or checksum are wrong"
                               : "ERR Bad data format");
  }
  int64_t at = *ttl;
  if (at != 0 && !absttl) at = *ttl > INT64_MAX - ctx.now_ms ? INT64_MAX - 1 : *ttl + ctx.now_ms;
  if (at != 0 && at <= ctx.now_ms) {
    // Already expired: the key ends up deleted (REPLACE removed the old one), as in Redis.
    if (exists) {
      Op del = ctx.NewOp(key);
      del.clear_key = true;
      ctx.Commit(del);
    }
    return ctx.reply.Ok();
  }
  Op op = ctx.NewOp(key);
  op.clear_key = true;
  op.payload = content->payload;
  if (at != 0) op.expire = at;
  ctx.Commit(op);
  ctx.reply.Ok();
}

}  // namespace

void RegisterDumpCommands(CommandTable& t) {
  using namespace cmd;
  CommandRegistrar r(t, "generic");
  r.Key("dump", 2, kReadOnly, DumpCommand,
        "Returns a serialized representation of the value stored at a key.", "2.6.0",
        "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of "
        "Redis objects composing the value and M their average size. For small string values the "
        "time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).");
  r.Key("restore", -4, kWrite | kDenyOom, RestoreCommand,
        "Creates a key from the serialized representation of a value.", "2.6.0",
        "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, "
        "where N is the number of Redis objects composing the value and M their average size. For "
        "small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply "
        "O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting "
        "values into sorted sets is O(log(N)).");
}

}  // namespace cordis
