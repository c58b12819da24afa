// Server commands: INFO, DBSIZE, FLUSHDB, FLUSHALL, TIME, COMMAND, CONFIG.
#include <string>
#include <vector>

#include "core/base/glob.h"
#include "core/base/strings.h"
#include "core/commands/arg_parse.h"
#include "core/commands/client_info.h"
#include "core/commands/config_params.h"
#include "core/server/command_context.h"

namespace cordis {
namespace {

void DbsizeCommand(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.db().size()));
}

// Removes every key of one database as observed-removes, so a concurrent write on another
// replica survives, as with DEL.
void FlushDb(CommandContext& ctx, uint32_t db) {
  std::vector<std::string> keys;
  ctx.node.db(db).dict().ForEach([&](KeyEntry* e) { keys.emplace_back(e->key()); });
  for (const std::string& k : keys) {
    Op op = ctx.node.NewOp(db, k, ctx.now_ms);
    op.clear_key = true;
    ctx.Commit(op);
  }
}

bool ParseFlushMode(CommandContext& ctx) {
  if (ctx.args.size() > 2) {
    ctx.reply.Error(err::kSyntax);
    return false;
  }
  if (ctx.args.size() == 2 && !EqualsIgnoreCase(ctx.args[1], "async") &&
      !EqualsIgnoreCase(ctx.args[1], "sync")) {
    ctx.reply.Error(err::kSyntax);
    return false;
  }
  return true;
}

void FlushdbCommand(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return;
  FlushDb(ctx, ctx.session.db);
  ctx.reply.Ok();
}

void FlushallCommand(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return;
  for (uint32_t i = 0; i < ctx.node.db_count(); ++i) FlushDb(ctx, i);
  ctx.reply.Ok();
}

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: like Redis, no reply on success; the driver
// closes the listener, finishes pending replies, fsyncs the log (prod/persistence) and exits.
// Every acknowledged write is already in the log, so SAVE and NOSAVE behave alike.
void ShutdownCommand(CommandContext& ctx) {
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    std::string_view a = ctx.args[i];
    if (EqualsIgnoreCase(a, "abort")) {
      if (ctx.args.size() != 2) return ctx.reply.Error(err::kSyntax);
      return ctx.reply.Error("ERR No shutdown in progress.");
    }
    if (!EqualsIgnoreCase(a, "nosave") && !EqualsIgnoreCase(a, "save") &&
        !EqualsIgnoreCase(a, "now") && !EqualsIgnoreCase(a, "force"))
      return ctx.reply.Error(err::kSyntax);
  }
  ctx.node.RequestShutdown();
  ctx.session.close_after_reply = true;
}

void TimeCommand(CommandContext& ctx) {
  ctx.reply.Array(2);
  ctx.reply.Bulk(std::to_string(ctx.now_us / 1000000));
  ctx.reply.Bulk(std::to_string(ctx.now_us % 1000000));
}

std::vector<std::string_view> FlagNames(uint32_t f) {
  std::vector<std::string_view> names;
  if (f & cmd::kWrite) names.push_back("write");
  if (f & cmd::kReadOnly) names.push_back("readonly");
  if (f & cmd::kDenyOom) names.push_back("denyoom");
  if (f & cmd::kAdmin) names.push_back("admin");
  if (f & cmd::kNoScript) names.push_back("noscript");
  if (f & cmd::kRandom) names.push_back("random");
  if (f & cmd::kLoading) names.push_back("loading");
  if (f & cmd::kStale) names.push_back("stale");
  if (f & cmd::kSkipSlowlog) names.push_back("skip_slowlog");
  if (f & cmd::kFast) names.push_back("fast");
  if (f & cmd::kNoMulti) names.push_back("no_multi");
  if (f & cmd::kBlocking) names.push_back("blocking");
  return names;
}

void CommandInfoEntry(resp::ReplyBuilder& r, const CommandSpec& s) {
  r.Array(10);
  r.Bulk(s.name);
  r.Integer(s.arity);
  auto flags = FlagNames(s.flags);
  r.Set(flags.size());
  for (auto f : flags) r.Simple(f);
  r.Integer(s.first_key);
  r.Integer(s.last_key);
  r.Integer(s.key_step);
  r.Set(1);
  r.Simple(StrCat("@", s.group == "sorted-set" ? "sortedset" : s.group));
  r.Array(0);  // tips
  r.Array(0);  // key specs
  r.Array(0);  // subcommands
}

void CommandDocsEntry(resp::ReplyBuilder& r, const CommandSpec& s) {
  r.Bulk(s.name);
  r.Map(4);
  r.Bulk("summary");
  r.Bulk(s.summary);
  r.Bulk("since");
  r.Bulk(s.since);
  r.Bulk("group");
  r.Bulk(s.group);
  r.Bulk("complexity");
  r.Bulk(s.complexity);
}

void CommandCommand(CommandContext& ctx) {
  const auto& a = ctx.args;
  const CommandTable& table = ctx.node.commands();
  if (a.size() == 1) {
    auto all = table.All();
    ctx.reply.Array(all.size());
    for (const CommandSpec* s : all) CommandInfoEntry(ctx.reply, *s);
    return;
  }
  std::string_view sub = a[1];
  if (EqualsIgnoreCase(sub, "count") && a.size() == 2)
    return ctx.reply.Integer(static_cast<int64_t>(table.size()));
  if (EqualsIgnoreCase(sub, "list")) {
    std::string_view pattern;
    if (a.size() == 5 && EqualsIgnoreCase(a[2], "filterby") && EqualsIgnoreCase(a[3], "pattern")) {
      pattern = a[4];
    } else if (a.size() != 2) {
      return ctx.reply.Error(err::kSyntax);
    }
    std::vector<std::string_view> names;
    for (const CommandSpec* s : table.All())
      if (pattern.empty() || GlobMatch(pattern, s->name, true)) names.push_back(s->name);
    ctx.reply.Array(names.size());
    for (auto n : names) ctx.reply.Bulk(n);
    return;
  }
  if (EqualsIgnoreCase(sub, "info")) {
    if (a.size() == 2) {
      auto all = table.All();
      ctx.reply.Array(all.size());
      for (const CommandSpec* s : all) CommandInfoEntry(ctx.reply, *s);
      return;
    }
    ctx.reply.Array(a.size() - 2);
    for (size_t i = 2; i < a.size(); ++i) {
      const CommandSpec* s = table.Find(a[i]);
      if (s == nullptr) {
        ctx.reply.NullBulk();
      } else {
        CommandInfoEntry(ctx.reply, *s);
      }
    }
    return;
  }
  if (EqualsIgnoreCase(sub, "docs")) {
    std::vector<const CommandSpec*> specs;
    if (a.size() == 2) {
      specs = table.All();
    } else {
      for (size_t i = 2; i < a.size(); ++i)
        if (const CommandSpec* s = table.Find(a[i])) specs.push_back(s);
    }
    ctx.reply.Map(specs.size());
    for (const CommandSpec* s : specs) CommandDocsEntry(ctx.reply, *s);
    return;
  }
  if (EqualsIgnoreCase(sub, "getkeys") && a.size() >= 3) {
    const CommandSpec* s = table.Find(a[2]);
    if (s == nullptr) return ctx.reply.Error("ERR Invalid command specified");
    int argc = static_cast<int>(a.size()) - 2;
    if ((s->arity > 0 && argc != s->arity) || (s->arity < 0 && argc < -s->arity))
      return ctx.reply.Error("ERR Invalid number of arguments specified for command");
    if (s->first_key == 0) return ctx.reply.Error("ERR The command has no key arguments");
    int last = s->last_key < 0 ? argc + s->last_key : s->last_key;
    std::vector<std::string_view> keys;
    for (int i = s->first_key; i <= last; i += s->key_step) keys.push_back(a[2 + i]);
    ctx.reply.Array(keys.size());
    for (auto k : keys) ctx.reply.Bulk(k);
    return;
  }
  ctx.reply.Error(err::SubcommandError("command", sub, {"count", "getkeys"}));
}

void ConfigCommand(CommandContext& ctx) {
  const auto& a = ctx.args;
  std::string_view sub = a[1];
  auto& config = ctx.node.config();
  if (EqualsIgnoreCase(sub, "get") && a.size() >= 3) {
    // Untyped settings as stored, then the typed ones under their name and alias (a value that
    // was never set reads as its default).
    std::vector<std::pair<std::string, std::string>> all;
    for (const auto& [k, v] : config) {
      if (FindConfigParam(k) == nullptr) all.emplace_back(k, v);
    }
    for (const ConfigParam& p : ConfigParams()) {
      auto it = config.find(std::string(p.name));
      std::string v(it != config.end() ? it->second : std::string(p.default_value));
      all.emplace_back(std::string(p.name), v);
      if (!p.alias.empty()) all.emplace_back(std::string(p.alias), v);
    }
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [k, v] : all) {
      for (size_t i = 2; i < a.size(); ++i) {
        if (GlobMatch(a[i], k, true)) {
          // Like Redis, a name without wildcards is echoed as it was asked for.
          const bool exact = a[i].find_first_of("*?[") == std::string_view::npos;
          out.emplace_back(exact ? std::string(a[i]) : k, v);
          break;
        }
      }
    }
    ctx.reply.Map(out.size());
    for (const auto& [k, v] : out) {
      ctx.reply.Bulk(k);
      ctx.reply.Bulk(v);
    }
    return;
  }
  if (EqualsIgnoreCase(sub, "set") && a.size() >= 4 && a.size() % 2 == 0) {
    // All or nothing: every pair is checked before any is stored. Persistence settings go to
    // the driver, validated (dry run) with the others before any is applied.
    PersistenceControl* persistence = ctx.node.persistence_control();
    std::vector<std::pair<std::string, std::string>> updates;
    for (size_t i = 2; i < a.size(); i += 2) {
      if (const ConfigParam* p = FindConfigParam(a[i])) {
        std::string reason;
        std::optional<std::string> v = ValidateConfigValue(*p, a[i + 1], &reason);
        if (!v) {
          return ctx.reply.Error(StrCat("ERR CONFIG SET failed (possibly related to argument '",
                                        ToLower(a[i]), "') - ", reason));
        }
        updates.emplace_back(std::string(p->name), *v);
        continue;
      }
      std::string name = ToLower(a[i]);
      if (IsPersistenceSetting(name) && persistence != nullptr) {
        absl::Status st = persistence->SetConfig(name, std::string(a[i + 1]), /*dry_run=*/true);
        if (!st.ok())
          return ctx.reply.Error(StrCat("ERR CONFIG SET failed (possibly related to argument '",
                                        a[i], "') - ", std::string(st.message())));
        updates.emplace_back(name, std::string(a[i + 1]));
        continue;
      }
      if (!config.contains(name) || name == "port" || name == "bind" || name == "databases" ||
          name == "enable-debug-command") {
        return ctx.reply.Error(
            StrCat("ERR Unknown option or number of arguments for CONFIG SET - '", a[i], "'"));
      }
      updates.emplace_back(name, std::string(a[i + 1]));
    }
    for (auto& [k, v] : updates) {
      if (IsPersistenceSetting(k) && persistence != nullptr) {
        CHECK(persistence->SetConfig(k, v, /*dry_run=*/false).ok());
      } else {
        config[k] = std::move(v);
      }
    }
    ctx.node.ConfigChanged();
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "rewrite") && a.size() == 2) {
    // Settings come from flags, never from a file, so there is nothing to rewrite (Redis says
    // the same when started without a config file).
    return ctx.reply.Error("ERR The server is running without a config file");
  }
  if (EqualsIgnoreCase(sub, "resetstat") && a.size() == 2) {
    auto& st = ctx.node.stats();
    st.keyspace_hits = st.keyspace_misses = st.expired_keys = 0;
    st.commands_processed = 0;
    st.rejected_protocol = 0;
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "help") && a.size() == 2) {
    static constexpr std::string_view kHelp[] = {
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        "HELP",
        "    Prints this help."};
    ctx.ReplyHelp(kHelp);
    return;
  }
  ctx.reply.Error(
      err::SubcommandError("config", sub, {"get", "set", "resetstat", "rewrite", "help"}));
}

}  // namespace

std::string InfoText(CommandContext& ctx, const std::vector<std::string_view>& sections);

namespace {
void InfoCommand(CommandContext& ctx) {
  std::vector<std::string_view> sections(ctx.args.begin() + 1, ctx.args.end());
  ctx.reply.Verbatim(InfoText(ctx, sections));
}
}  // namespace

void RegisterServerCommands(CommandTable& t) {
  using namespace cmd;
  CommandRegistrar r(t, "server");
  r.NoKeys("dbsize", 1, kReadOnly | kFast, DbsizeCommand,
           "Returns the number of keys in the database.", "1.0.0");
  r.NoKeys("flushdb", -1, kWrite, FlushdbCommand, "Remove all keys from the current database.",
           "1.0.0", "O(N)");
  r.NoKeys("flushall", -1, kWrite, FlushallCommand, "Removes all keys from all databases.", "1.0.0",
           "O(N)");
  r.NoKeys("time", 1, kLoading | kStale | kFast | kRandom, TimeCommand, "Returns the server time.",
           "2.6.0");
  r.NoKeys("command", -1, kLoading | kStale, CommandCommand,
           "Returns detailed information about all commands.", "2.8.13", "O(N)");
  r.NoKeys("config", -2, kAdmin | kNoScript | kLoading | kStale, ConfigCommand,
           "A container for server configuration commands.", "2.0.0");
  r.NoKeys("shutdown", -1, kAdmin | kNoScript | kLoading | kStale | kNoMulti, ShutdownCommand,
           "Synchronously saves the database(s) to disk and shuts down the Redis server.", "1.0.0",
           "O(N) with N being the number of keys in all databases");
  r.NoKeys("info", -1, kLoading | kStale, InfoCommand,
           "Returns information and statistics about the server.", "1.0.0");
}

}  // namespace cordis
