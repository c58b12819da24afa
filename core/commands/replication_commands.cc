// Replication commands: ROLE, CORDIS.MEET and its alias CLUSTER MEET. The driver owns the peer
// links (ReplicationControl); these parse arguments and shape the replies.
//
// ROLE on an active-active node mirrors Redis's master reply with the role renamed:
//   1) "active-active"
//   2) (integer) ops this node has applied, from every origin (its "offset")
//   3) one entry per peer: host, peer port, ops the peer last said it has (string, as Redis's
//      replica offset), its state (connected/handshaking/down) and its replica id (string).
// Without peer networking ROLE answers as a lone Redis master: "master", 0, [].
#include <string>

#include "core/base/strings.h"
#include "core/commands/arg_parse.h"
#include "core/server/command_context.h"
#include "core/server/errors.h"

namespace cordis {
namespace {

void RoleCommand(CommandContext& ctx) {
  ReplicationControl* control = ctx.node.replication_control();
  uint64_t applied = 0;
  for (const auto& [r, seq] : ctx.node.version_vector().entries()) applied += seq;
  ctx.reply.Array(3);
  ctx.reply.Bulk(control != nullptr ? "active-active" : "master");
  ctx.reply.Integer(static_cast<int64_t>(control != nullptr ? applied : 0));
  if (control == nullptr) return ctx.reply.Array(0);
  std::vector<ReplicationControl::PeerRole> peers = control->Peers();
  ctx.reply.Array(peers.size());
  for (const auto& p : peers) {
    ctx.reply.Array(5);
    ctx.reply.Bulk(p.host);
    ctx.reply.Bulk(std::to_string(p.port));
    ctx.reply.Bulk(std::to_string(p.acked_ops));
    ctx.reply.Bulk(p.state);
    ctx.reply.Bulk(std::to_string(p.replica));
  }
}

void Meet(CommandContext& ctx, std::string_view host, std::string_view port_arg) {
  ReplicationControl* control = ctx.node.replication_control();
  if (control == nullptr) return ctx.reply.Error("ERR peer networking is not enabled on this server");
  std::optional<int64_t> port = ParseInt64(port_arg);
  if (!port || *port < 1 || *port > 65535)
    return ctx.reply.Error(StrCat("ERR Invalid node address specified: ", host, ":", port_arg));
  absl::Status st = control->Meet(std::string(host), static_cast<int>(*port));
  if (!st.ok()) return ctx.reply.Error(StrCat("ERR ", std::string(st.message())));
  ctx.reply.Ok();
}

// CORDIS.MEET host peer-port
void CordisMeetCommand(CommandContext& ctx) { Meet(ctx, ctx.args[1], ctx.args[2]); }

// CLUSTER MEET host peer-port; Redis Cluster's other subcommands do not apply (no slots).
void ClusterCommand(CommandContext& ctx) {
  if (EqualsIgnoreCase(ctx.args[1], "meet")) {
    if (ctx.args.size() != 4 && ctx.args.size() != 5)
      return ctx.reply.Error("ERR wrong number of arguments for 'cluster|meet' command");
    return Meet(ctx, ctx.args[2], ctx.args[3]);
  }
  ctx.reply.Error("ERR This instance has cluster support disabled");
}

}  // namespace

void RegisterReplicationCommands(CommandTable& t) {
  using namespace cmd;
  CommandRegistrar r(t, "server");
  r.NoKeys("role", 1, kNoScript | kLoading | kStale | kFast, RoleCommand,
           "Returns the replication role.", "2.8.12");
  r.NoKeys("cordis.meet", 3, kAdmin | kNoScript | kStale, CordisMeetCommand,
           "Joins this node and the node at host:peer-port into one replica set.", "1.0.0");
  r.NoKeys("cluster", -2, kAdmin | kNoScript | kStale, ClusterCommand,
           "CLUSTER MEET host peer-port: an alias of CORDIS.MEET.", "3.0.0");
}

}  // namespace cordis
