// MEMORY USAGE key [SAMPLES count] and MEMORY HELP. USAGE reports what this server really holds
// for the key: the entry and key bytes plus the value's own accounting (Value::MemoryBytes, which
// includes CRDT metadata such as tombstones and concurrent registers). The whole value is always
// counted, so SAMPLES is validated and otherwise ignored. The other Redis subcommands (DOCTOR,
// STATS, MALLOC-STATS, PURGE) are about Redis's allocator and are not supported.
#include <string>

#include "core/commands/arg_parse.h"
#include "core/server/command_context.h"

namespace cordis {
namespace {

void MemoryCommand(CommandContext& ctx) {
  const auto& a = ctx.args;
  const std::string_view sub = a[1];
  if (EqualsIgnoreCase(sub, "usage") && a.size() >= 3) {
    for (size_t j = 3; j < a.size(); j += 2) {
      if (!EqualsIgnoreCase(a[j], "samples") || j + 1 >= a.size()) {
        return ctx.reply.Error(err::kSyntax);
      }
      if (!ParseInt64(a[j + 1])) return ctx.reply.Error(err::kNotInteger);
    }
    KeyEntry* e = ctx.Lookup(a[2]);
    if (e == nullptr) return ctx.reply.NullBulk();
    const size_t bytes = sizeof(KeyEntry) + e->key().size() + e->value->MemoryBytes();
    return ctx.reply.Integer(static_cast<int64_t>(bytes));
  }
  if (EqualsIgnoreCase(sub, "help") && a.size() == 2) {
    static constexpr std::string_view kHelp[] = {
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        "HELP",
        "    Prints this help."};
    return ctx.ReplyHelp(kHelp);
  }
  ctx.reply.Error(err::SubcommandError("memory", sub, {"usage", "help"}));
}

}  // namespace

void RegisterMemoryCommand(CommandTable& t) {
  CommandRegistrar r(t, "server");
  r.NoKeys("memory", -2, cmd::kReadOnly, MemoryCommand,
           "A container for memory diagnostics commands.", "4.0.0", "Depends on subcommand.");
}

}  // namespace cordis
