// INFO: Redis's "# Section" / "field:value" text, CRLF-terminated lines.
#include <string>
#include <vector>

#include "core/base/strings.h"
#include "core/commands/arg_parse.h"
#include "core/commands/client_info.h"
#include "core/server/command_context.h"

namespace cordis {
namespace {

constexpr std::string_view kDefaultSections[] = {"server", "clients",     "memory", "persistence",
                                                 "stats",  "replication", "cpu",    "keyspace"};

void Line(std::string* out, std::string_view k, const auto& v) {
  StrAppend(out, k, ":", v, "\r\n");
}

void ServerSection(CommandContext& ctx, std::string* out) {
  HostInfo* h = ctx.node.host();
  int64_t uptime_s = (ctx.now_us - ctx.node.start_us()) / 1000000;
  Line(out, "redis_version", kCompatibleRedisVersion);
  Line(out, "cordis_version", kCordisVersion);
  Line(out, "redis_mode", "standalone");
  Line(out, "os", "Linux");
  Line(out, "arch_bits", 64);
  Line(out, "multiplexing_api", "epoll");
  Line(out, "process_id", h ? h->ProcessId() : 0);
  Line(out, "tcp_port", h ? h->Port() : 0);
  Line(out, "server_time_usec", ctx.now_us);
  Line(out, "uptime_in_seconds", uptime_s);
  Line(out, "uptime_in_days", uptime_s / 86400);
  Line(out, "hz", ctx.node.config()["hz"]);
  Line(out, "executable", h ? h->Executable() : "");
  Line(out, "config_file", h ? h->ConfigFile() : "");
  Line(out, "replica_id", ctx.node.replica_id());
}

void ClientsSection(CommandContext& ctx, std::string* out) {
  Line(out, "connected_clients", ctx.node.sessions().size());
  Line(out, "maxclients", ctx.node.config()["maxclients"]);
  Line(out, "blocked_clients", ctx.node.blocked_clients());
  Line(out, "tracking_clients", 0);
}

void MemorySection(CommandContext& ctx, std::string* out) {
  HostInfo* h = ctx.node.host();
  int64_t used = h ? h->UsedMemoryBytes() : 0;
  size_t dataset = 0;
  for (uint32_t i = 0; i < ctx.node.db_count(); ++i) dataset += ctx.node.db(i).MemoryBytes();
  Line(out, "used_memory", used);
  Line(out, "used_memory_human", StrCat(used / 1024, "K"));
  Line(out, "used_memory_rss", h ? h->RssBytes() : 0);
  Line(out, "used_memory_dataset", dataset);
  Line(out, "maxmemory", ctx.node.config()["maxmemory"]);
  Line(out, "maxmemory_policy", ctx.node.config()["maxmemory-policy"]);
}

void PersistenceSection(CommandContext& ctx, std::string* out) {
  if (PersistenceControl* p = ctx.node.persistence_control()) return p->AppendInfo(out);
  Line(out, "loading", 0);
  Line(out, "rdb_changes_since_last_save", 0);
  Line(out, "rdb_bgsave_in_progress", 0);
  Line(out, "aof_enabled", 0);
  Line(out, "aof_rewrite_in_progress", 0);
}

void StatsSection(CommandContext& ctx, std::string* out) {
  const NodeStats& st = ctx.node.stats();
  Line(out, "total_connections_received", st.connections_received);
  Line(out, "total_commands_processed", st.commands_processed);
  Line(out, "expired_keys", st.expired_keys);
  Line(out, "evicted_keys", 0);
  Line(out, "keyspace_hits", st.keyspace_hits);
  Line(out, "keyspace_misses", st.keyspace_misses);
  Line(out, "total_error_replies", 0);
  Line(out, "total_ops_applied", st.ops_applied);
  Line(out, "rejected_protocol_requests", st.rejected_protocol);
}

// Active-active: every node takes writes, so there are no masters or replicas. Without peer
// networking (simulator, tests) a node reports itself as Redis's lone master.
void ReplicationSection(CommandContext& ctx, std::string* out) {
  ReplicationControl* control = ctx.node.replication_control();
  const NodeStats& st = ctx.node.stats();
  Line(out, "role", control != nullptr ? "active-active" : "master");
  Line(out, "connected_slaves", 0);
  Line(out, "replica_id", ctx.node.replica_id());
  std::string vv;
  for (const auto& [r, seq] : ctx.node.version_vector().entries())
    StrAppend(&vv, vv.empty() ? "" : ",", r, "=", seq);
  Line(out, "version_vector", vv);
  std::string members;
  for (ReplicaId m : ctx.node.members()) StrAppend(&members, members.empty() ? "" : ",", m);
  Line(out, "members", members);
  Line(out, "oplog_entries", ctx.node.oplog().size());
  Line(out, "pending_remote_ops", ctx.node.pending_remote_ops());
  Line(out, "remote_ops_applied", st.remote_ops_applied);
  Line(out, "remote_ops_duplicate", st.remote_ops_duplicate);
  Line(out, "snapshots_sent", st.snapshots_sent);
  Line(out, "snapshots_installed", st.snapshots_installed);
  Line(out, "snapshots_refused", st.snapshots_refused);
  if (control != nullptr) return control->AppendInfo(out, ctx.now_us);
  Line(out, "peers", 0);
}

void CpuSection(CommandContext&, std::string* out) {
  Line(out, "used_cpu_sys", "0.000000");
  Line(out, "used_cpu_user", "0.000000");
}

void KeyspaceSection(CommandContext& ctx, std::string* out) {
  for (uint32_t i = 0; i < ctx.node.db_count(); ++i) {
    Keyspace& ks = ctx.node.db(i);
    if (ks.size() == 0) continue;
    StrAppend(out, "db", i, ":keys=", ks.size(), ",expires=", ks.expires_count(),
              ",avg_ttl=", ks.AverageTtlMs(ctx.now_ms), "\r\n");
  }
}

using SectionFn = void (*)(CommandContext&, std::string*);
struct Section {
  std::string_view name, title;
  SectionFn fn;
};
constexpr Section kSections[] = {
    {"server", "Server", ServerSection}, {"clients", "Clients", ClientsSection},
    {"memory", "Memory", MemorySection}, {"persistence", "Persistence", PersistenceSection},
    {"stats", "Stats", StatsSection},    {"replication", "Replication", ReplicationSection},
    {"cpu", "CPU", CpuSection},          {"keyspace", "Keyspace", KeyspaceSection},
};

}  // namespace

std::string InfoText(CommandContext& ctx, const std::vector<std::string_view>& requested) {
  std::vector<std::string_view> wanted;
  bool all = false;
  for (std::string_view r : requested) {
    if (EqualsIgnoreCase(r, "all") || EqualsIgnoreCase(r, "everything")) all = true;
    if (EqualsIgnoreCase(r, "default"))
      wanted.insert(wanted.end(), std::begin(kDefaultSections), std::end(kDefaultSections));
    wanted.push_back(r);
  }
  if (requested.empty() || all)
    wanted.assign(std::begin(kDefaultSections), std::end(kDefaultSections));
  std::string out;
  for (const Section& s : kSections) {
    bool include = false;
    for (std::string_view w : wanted) include |= EqualsIgnoreCase(w, s.name);
    if (!include) continue;
    if (!out.empty()) out += "\r\n";
    StrAppend(&out, "# ", s.title, "\r\n");
    s.fn(ctx, &out);
  }
  return out;
}

}  // namespace cordis
