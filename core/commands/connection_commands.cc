// Connection commands: PING, ECHO, QUIT, HELLO, SELECT, RESET, CLIENT.
#include <cstdint>
#include <string>

#include "core/base/strings.h"
#include "core/commands/arg_parse.h"
#include "core/commands/client_info.h"
#include "core/server/command_context.h"

namespace cordis {
namespace {

void PingCommand(CommandContext& ctx) {
  if (ctx.args.size() > 2) return ctx.WrongArity();
  if (ctx.args.size() == 2) return ctx.reply.Bulk(ctx.args[1]);
  ctx.reply.Simple("PONG");
}

void EchoCommand(CommandContext& ctx) { ctx.reply.Bulk(ctx.args[1]); }

void QuitCommand(CommandContext& ctx) {
  ctx.reply.Ok();
  ctx.session.close_after_reply = true;
}

bool ValidClientName(std::string_view name) {
  for (char c : name)
    if (c < '!' || c > '~') return false;
  return true;
}

void HelloReply(CommandContext& ctx) {
  auto& r = ctx.reply;
  r.Map(7);
  r.Bulk("server");
  r.Bulk("redis");
  r.Bulk("version");
  r.Bulk(kCompatibleRedisVersion);
  r.Bulk("proto");
  r.Integer(ctx.session.resp);
  r.Bulk("id");
  r.Integer(static_cast<int64_t>(ctx.session.id));
  r.Bulk("mode");
  r.Bulk("standalone");
  r.Bulk("role");
  r.Bulk("master");
  r.Bulk("modules");
  r.Array(0);
}

void HelloCommand(CommandContext& ctx) {
  const auto& a = ctx.args;
  int ver = 0;
  size_t next = 1;
  if (a.size() >= 2) {
    std::optional<int64_t> v = ParseInt64(a[1]);
    if (!v) return ctx.reply.Error("ERR Protocol version is not an integer or out of range");
    if (*v < 2 || *v > 3) return ctx.reply.Error("NOPROTO unsupported protocol version");
    ver = static_cast<int>(*v);
    next = 2;
  }
  std::optional<std::string_view> name;
  for (size_t i = next; i < a.size(); ++i) {
    bool more = a.size() - i - 1;
    if (EqualsIgnoreCase(a[i], "auth") && a.size() - i - 1 >= 2) {
      i += 2;  // no users or passwords yet: the default user accepts any password
    } else if (EqualsIgnoreCase(a[i], "setname") && more) {
      name = a[++i];
      if (!ValidClientName(*name))
        return ctx.reply.Error(
            "ERR Client names cannot contain spaces, newlines or special characters.");
    } else {
      return ctx.reply.Error(StrCat("ERR Syntax error in HELLO option '", a[i], "'"));
    }
  }
  if (name) ctx.session.name = std::string(*name);
  if (ver != 0) {
    ctx.session.resp = ver;
    ctx.reply.set_resp3(ver == 3);
  }
  HelloReply(ctx);
}

void SelectCommand(CommandContext& ctx) {
  std::optional<int64_t> idx = ParseInt64(ctx.args[1]);
  if (!idx) return ctx.reply.Error(err::kNotInteger);
  if (*idx < 0 || *idx >= static_cast<int64_t>(ctx.node.db_count()))
    return ctx.reply.Error(err::kDbIndexOutOfRange);
  ctx.session.db = static_cast<uint32_t>(*idx);
  ctx.reply.Ok();
}

void ResetCommand(CommandContext& ctx) {
  Session& s = ctx.session;
  s.in_multi = false;
  s.multi_error = false;
  s.multi_queue.clear();
  s.watched.clear();
  s.reply_off = s.reply_skip_next = false;
  s.db = 0;
  s.resp = 2;
  s.name.clear();
  ctx.reply.set_resp3(false);
  ctx.reply.Simple("RESET");
}

// CLIENT KILL addr (the old form: OK or an error) or CLIENT KILL with filters (the number
// killed), as Redis 7.0. Every session here is a normal client of the default user.
void ClientKill(CommandContext& ctx) {
  const auto& a = ctx.args;
  Session& me = ctx.session;
  std::optional<uint64_t> id;
  std::optional<std::string_view> addr, laddr;
  bool skipme = true, no_match = false;
  if (a.size() == 3) {
    addr = a[2];
    skipme = false;
  } else {
    for (size_t i = 2; i < a.size(); i += 2) {
      if (i + 1 == a.size()) return ctx.reply.Error(err::kSyntax);  // an option without a value
      std::string_view opt = a[i], val = a[i + 1];
      if (EqualsIgnoreCase(opt, "id")) {
        std::optional<int64_t> n = ParseInt64(val);
        if (!n || *n < 1) return ctx.reply.Error("ERR client-id should be greater than 0");
        id = static_cast<uint64_t>(*n);
      } else if (EqualsIgnoreCase(opt, "type")) {
        if (EqualsIgnoreCase(val, "master") || EqualsIgnoreCase(val, "replica") ||
            EqualsIgnoreCase(val, "slave") || EqualsIgnoreCase(val, "pubsub")) {
          no_match = true;
        } else if (!EqualsIgnoreCase(val, "normal")) {
          return ctx.reply.Error(StrCat("ERR Unknown client type '", val, "'"));
        }
      } else if (EqualsIgnoreCase(opt, "addr")) {
        addr = val;
      } else if (EqualsIgnoreCase(opt, "laddr")) {
        laddr = val;
      } else if (EqualsIgnoreCase(opt, "user")) {
        if (val != "default") return ctx.reply.Error(StrCat("ERR No such user '", val, "'"));
      } else if (EqualsIgnoreCase(opt, "skipme")) {
        if (EqualsIgnoreCase(val, "yes")) {
          skipme = true;
        } else if (EqualsIgnoreCase(val, "no")) {
          skipme = false;
        } else {
          return ctx.reply.Error(err::kSyntax);
        }
      } else {
        return ctx.reply.Error(err::kSyntax);
      }
    }
  }
  std::vector<Session*> victims;
  for (const auto& [sid, other] : ctx.node.sessions()) {
    Session* o = other.get();
    if (no_match || (id && o->id != *id) || (addr && o->addr != *addr) ||
        (laddr && o->laddr != *laddr) || (o == &me && skipme))
      continue;
    victims.push_back(o);
  }
  if (a.size() == 3) {
    if (victims.empty()) return ctx.reply.Error("ERR No such client");
    ctx.reply.Ok();
  } else {
    ctx.reply.Integer(static_cast<int64_t>(victims.size()));
  }
  for (Session* o : victims) {
    if (o == &me) {
      me.close_after_reply = true;  // after this reply, as Redis
    } else {
      o->output.clear();  // Redis frees the client without sending what it had pending
      ctx.node.KillSession(o);
    }
  }
}

void ClientCommand(CommandContext& ctx) {
  const auto& a = ctx.args;
  std::string_view sub = a[1];
  Session& s = ctx.session;
  if (EqualsIgnoreCase(sub, "id") && a.size() == 2) return ctx.reply.Integer(s.id);
  if (EqualsIgnoreCase(sub, "getname") && a.size() == 2) {
    if (s.name.empty()) return ctx.reply.NullBulk();
    return ctx.reply.Bulk(s.name);
  }
  if (EqualsIgnoreCase(sub, "setname") && a.size() == 3) {
    if (!ValidClientName(a[2]))
      return ctx.reply.Error(
          "ERR Client names cannot contain spaces, newlines or special characters.");
    s.name = std::string(a[2]);
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "setinfo") && a.size() == 4) {
    if (EqualsIgnoreCase(a[2], "lib-name")) {
      if (!ValidClientName(a[3]))
        return ctx.reply.Error(
            "ERR lib-name cannot contain spaces, newlines or special characters.");
      s.lib_name = std::string(a[3]);
    } else if (EqualsIgnoreCase(a[2], "lib-ver")) {
      if (!ValidClientName(a[3]))
        return ctx.reply.Error(
            "ERR lib-ver cannot contain spaces, newlines or special characters.");
      s.lib_ver = std::string(a[3]);
    } else {
      return ctx.reply.Error(StrCat("ERR Unrecognized option '", a[2], "'"));
    }
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "no-evict") && a.size() == 3) {
    // Nothing is ever evicted here, so the flag has no effect beyond being accepted.
    if (!EqualsIgnoreCase(a[2], "on") && !EqualsIgnoreCase(a[2], "off"))
      return ctx.reply.Error(err::kSyntax);
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "reply") && a.size() == 3) {
    // Node::ProcessInput drops the replies of a session whose replies are off or skipped.
    if (EqualsIgnoreCase(a[2], "on")) {
      s.reply_off = s.reply_skip = s.reply_skip_next = false;
      return ctx.reply.Ok();
    }
    if (EqualsIgnoreCase(a[2], "off")) {
      s.reply_off = true;
      return;
    }
    if (EqualsIgnoreCase(a[2], "skip")) {
      if (!s.reply_off) s.reply_skip_next = true;
      return;
    }
    return ctx.reply.Error(err::kSyntax);
  }
  if (EqualsIgnoreCase(sub, "info") && a.size() == 2) {
    return ctx.reply.Verbatim(ClientInfoLine(s, ctx.now_ms));
  }
  if (EqualsIgnoreCase(sub, "list")) {
    std::string out;
    if (a.size() == 2) {
      for (const auto& [id, other] : ctx.node.sessions()) out += ClientInfoLine(*other, ctx.now_ms);
    } else if (a.size() >= 4 && EqualsIgnoreCase(a[2], "type") && a.size() == 4) {
      if (EqualsIgnoreCase(a[3], "normal")) {
        for (const auto& [id, other] : ctx.node.sessions())
          out += ClientInfoLine(*other, ctx.now_ms);
      } else if (!EqualsIgnoreCase(a[3], "master") && !EqualsIgnoreCase(a[3], "replica") &&
                 !EqualsIgnoreCase(a[3], "pubsub")) {
        return ctx.reply.Error(StrCat("ERR Unknown client type '", a[3], "'"));
      }
    } else if (a.size() >= 4 && EqualsIgnoreCase(a[2], "id")) {
      for (size_t i = 3; i < a.size(); ++i) {
        std::optional<int64_t> id = ParseInt64(a[i]);
        if (!id || *id <= 0) return ctx.reply.Error("ERR Invalid client ID");
        auto it = ctx.node.sessions().find(static_cast<uint64_t>(*id));
        if (it != ctx.node.sessions().end()) out += ClientInfoLine(*it->second, ctx.now_ms);
      }
    } else {
      return ctx.reply.Error(err::kSyntax);
    }
    return ctx.reply.Verbatim(out);
  }
  if (EqualsIgnoreCase(sub, "kill") && a.size() >= 3) return ClientKill(ctx);
  if (EqualsIgnoreCase(sub, "pause") && (a.size() == 3 || a.size() == 4)) {
    std::optional<int64_t> ms = ParseInt64(a[2]);
    if (!ms) return ctx.reply.Error("ERR timeout is not an integer or out of range");
    if (*ms < 0) return ctx.reply.Error("ERR timeout is negative");
    bool all = true;
    if (a.size() == 4) {
      if (EqualsIgnoreCase(a[3], "write")) {
        all = false;
      } else if (!EqualsIgnoreCase(a[3], "all")) {
        return ctx.reply.Error("ERR CLIENT PAUSE mode must be WRITE or ALL");
      }
    }
    // A timeout too large for the clock saturates (Redis adds it to its clock the same way).
    int64_t end_us = *ms > (INT64_MAX - ctx.now_us) / 1000 ? INT64_MAX : ctx.now_us + *ms * 1000;
    ctx.node.PauseClients(end_us, all);
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "unpause") && a.size() == 2) {
    ctx.reply.Ok();
    ctx.node.UnpauseClients(ctx.now_us);
    return;
  }
  if (EqualsIgnoreCase(sub, "help") && a.size() == 2) {
    static constexpr std::string_view kHelp[] = {
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "LIST [TYPE <normal|master|replica|pubsub>] [ID <id> [<id> ...]]",
        "    Return information about client connections.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "SETINFO <LIB-NAME|LIB-VER> <value>",
        "    Set client meta attributes.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        "HELP",
        "    Print this help."};
    ctx.ReplyHelp(kHelp);
    return;
  }
  ctx.reply.Error(err::SubcommandError("client", sub,
                                       {"id", "getname", "setname", "setinfo", "info", "list",
                                        "help", "no-evict", "reply", "kill", "pause", "unpause"}));
}

}  // namespace

void RegisterConnectionCommands(CommandTable& t) {
  using namespace cmd;
  CommandRegistrar r(t, "connection", cmd::kConnection);
  r.NoKeys("ping", -1, kFast, PingCommand, "Returns the server's liveliness response.", "1.0.0");
  r.NoKeys("echo", 2, kFast, EchoCommand, "Returns the given string.", "1.0.0");
  r.NoKeys("quit", -1, kFast | kNoScript | kLoading | kStale, QuitCommand, "Closes the connection.",
           "1.0.0");
  r.NoKeys("hello", -1, kFast | kNoScript | kLoading | kStale, HelloCommand,
           "Handshakes with the server.", "6.0.0");
  r.NoKeys("select", 2, kFast | kLoading | kStale, SelectCommand, "Changes the selected database.",
           "1.0.0");
  r.NoKeys("reset", 1, kFast | kNoScript | kLoading | kStale, ResetCommand,
           "Resets the connection.", "6.2.0");
  r.NoKeys("client", -2, kNoScript | kLoading | kStale, ClientCommand,
           "A container for client connection commands.", "2.4.0");
}

}  // namespace cordis
