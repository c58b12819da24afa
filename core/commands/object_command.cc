// OBJECT ENCODING | REFCOUNT | IDLETIME | FREQ | HELP.
//
// ENCODING reports how this server holds the value, with Redis's names where they fit
// (docs/commands.md, "OBJECT ENCODING"):
//   string  "int" (an integer that fits in 64 bits, at most 20 bytes, no leading zero or "+"),
//           "embstr" (up to 44 bytes), else "raw" — Redis's rules on the value's bytes; this
//           server keeps every string as one LWW register, so the name is chosen from the
//           content alone (Redis says "raw" for short strings built by APPEND/SETRANGE and the
//           bitmap writes).
//   list    "quicklist": an RGA held in a ring of elements, the only list encoding Redis 7.0
//           reports as well.
//   set     "hashtable": an observed-remove set in a hash table, at any size (there is no intset).
//   hash    "hashtable": an observed-remove map in a hash table, at any size (no listpack).
//   zset    "listpack" or "skiplist": the members are always in a hash table plus an
//           order-statistic B+tree, but the set tracks Redis's encoding (a listpack until a
//           129th member or a member over 64 bytes) because a few replies depend on it.
// REFCOUNT: 1, except integers 0..9999, which Redis shares (2147483647).
// IDLETIME: 0 (no access times are kept); FREQ: Redis's error unless an LFU policy is configured,
// then 5, the counter Redis gives a fresh key (accesses are not counted). Both check the policy
// first, like Redis.
#include <string>
#include <string_view>

#include "core/commands/arg_parse.h"
#include "core/crdt/lww_string.h"
#include "core/crdt/zset.h"
#include "core/server/command_context.h"

namespace cordis {
namespace {

constexpr std::string_view kNoLfu =
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that "
    "when switching between policies at runtime LRU and LFU data will take some time to adjust.";
constexpr std::string_view kLfuSelected =
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust.";

// Redis's LFU_INIT_VAL: the counter of a key that was never accessed again. Accesses are not
// counted here, so every key reports it.
constexpr int64_t kLfuInitVal = 5;

std::string_view StringEncoding(std::string_view v) {
  if (v.size() <= 20 && ParseInt64(v)) return "int";
  return v.size() <= 44 ? "embstr" : "raw";
}

std::string_view Encoding(const Value& v) {
  switch (v.type()) {
    case ValueType::kString: {
      std::string scratch;
      return StringEncoding(static_cast<const StringValue&>(v).Get(&scratch));
    }
    case ValueType::kList:
      return "quicklist";
    case ValueType::kSet:
    case ValueType::kHash:
      return "hashtable";
    case ValueType::kZset:
      return static_cast<const ZsetValue&>(v).listpack() ? "listpack" : "skiplist";
  }
  return "raw";
}

int64_t RefCount(const Value& v) {
  if (v.type() != ValueType::kString) return 1;
  std::string scratch;
  std::string_view s = static_cast<const StringValue&>(v).Get(&scratch);
  std::optional<int64_t> n = s.size() <= 20 ? ParseInt64(s) : std::nullopt;
  return n && *n >= 0 && *n < 10000 ? 2147483647 : 1;
}

bool LfuPolicy(CommandContext& ctx) {
  auto it = ctx.node.config().find("maxmemory-policy");
  return it != ctx.node.config().end() && it->second.find("lfu") != std::string::npos;
}

void ObjectCommand(CommandContext& ctx) {
  const std::string_view sub = ctx.args[1];
  if (ctx.args.size() == 2 && EqualsIgnoreCase(sub, "help")) {
    static constexpr std::string_view kHelp[] = {
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help."};
    return ctx.ReplyHelp(kHelp);
  }
  for (std::string_view known : {"encoding", "refcount", "idletime", "freq", "help"}) {
    if (!EqualsIgnoreCase(sub, known)) continue;
    if (ctx.args.size() != (known == "help" ? 2u : 3u))
      return ctx.reply.Error(err::WrongArity(StrCat("object|", known)));
    KeyEntry* e = ctx.Lookup(ctx.args[2]);
    if (e == nullptr) return ctx.reply.NullBulk();
    if (known == "encoding") return ctx.reply.Bulk(Encoding(*e->value));
    if (known == "refcount") return ctx.reply.Integer(RefCount(*e->value));
    if (known == "idletime") {
      if (LfuPolicy(ctx)) return ctx.reply.Error(kLfuSelected);
      return ctx.reply.Integer(0);
    }
    if (!LfuPolicy(ctx)) return ctx.reply.Error(kNoLfu);
    return ctx.reply.Integer(kLfuInitVal);
  }
  ctx.reply.Error(err::UnknownSubcommand(sub, "object"));
}

}  // namespace

void RegisterObjectCommand(CommandTable& t) {
  CommandRegistrar r(t, "generic");
  r.NoKeys("object", -2, cmd::kReadOnly, ObjectCommand,
           "A container for object introspection commands.", "2.2.3",
           "Depends on subcommand.");
}

}  // namespace cordis
