// cordis-server: a Cordis replica speaking RESP on --port.
#include <asio.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "prod/peer_flags.h"
#include "prod/persistence_flags.h"
#include "prod/server.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(int, port, 6379, "TCP port for RESP clients (0 picks a free port)");
ABSL_FLAG(std::string, bind, "127.0.0.1", "Address to listen on");
ABSL_FLAG(std::string, dir, "./data", "Directory for data files");
ABSL_FLAG(uint32_t, replica_id, 1, "This replica's id, unique in the cluster (1..2^32-1)");
ABSL_FLAG(std::string, loglevel, "info",
          "trace, debug, info, warn, error or critical; Redis's verbose, notice and warning too");
ABSL_FLAG(std::string, enable_debug_command, "no",
          "Allow DEBUG: no, yes, or local (from loopback connections only), as in Redis");

// Accepts Redis-style dashed flag names (--replica-id) as well as Abseil's (--replica_id).
std::vector<char*> NormalizeFlagNames(int argc, char** argv, std::vector<std::string>* storage) {
  storage->reserve(argc);
  std::vector<char*> out;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (i > 0 && arg.rfind("--", 0) == 0) {
      size_t end = arg.find('=');
      if (end == std::string::npos) end = arg.size();
      for (size_t j = 2; j < end; ++j)
        if (arg[j] == '-') arg[j] = '_';
    }
    storage->push_back(arg);
  }
  for (auto& s : *storage) out.push_back(s.data());
  return out;
}

int main(int argc, char** argv) {
  std::vector<std::string> arg_storage;
  std::vector<char*> args = NormalizeFlagNames(argc, argv, &arg_storage);
  argv = args.data();
  // --help lists this server's own flags (Abseil's default matches files named after the binary).
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return file.find("prod/") != absl::string_view::npos;
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(
      "Cordis: an active-active replicated, Redis-compatible database.\n"
      "Usage: cordis-server [--port 6379] [--bind 127.0.0.1] [--dir ./data] [--replica-id 1]\n"
      "                     [--peer-port 16379] [--peers host:port,...] [--cluster-name cordis]");
  absl::ParseCommandLine(argc, argv);

  // Redis's level names map onto spdlog's, so a redis-server command line works unchanged.
  std::string level_name = absl::GetFlag(FLAGS_loglevel);
  if (level_name == "verbose") level_name = "debug";
  if (level_name == "notice") level_name = "info";
  if (level_name == "warning") level_name = "warn";
  auto level = spdlog::level::from_str(level_name);
  if (level == spdlog::level::off && level_name != "off") {
    spdlog::error("unknown --loglevel '{}'", absl::GetFlag(FLAGS_loglevel));
    return 2;
  }
  spdlog::set_level(level);
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");

  cordis::prod::ServerOptions opts;
  opts.port = absl::GetFlag(FLAGS_port);
  opts.bind = absl::GetFlag(FLAGS_bind);
  opts.dir = absl::GetFlag(FLAGS_dir);
  opts.replica_id = absl::GetFlag(FLAGS_replica_id);
  opts.executable = argv[0];
  opts.enable_debug_command = absl::GetFlag(FLAGS_enable_debug_command);
  if (opts.enable_debug_command != "no" && opts.enable_debug_command != "yes" &&
      opts.enable_debug_command != "local") {
    spdlog::error("--enable-debug-command must be no, yes or local");
    return 2;
  }
  if (opts.replica_id == 0) {
    spdlog::error("--replica_id must be at least 1");
    return 2;
  }
  if (opts.port < 0 || opts.port > 65535) {
    spdlog::error("--port must be in 0..65535");
    return 2;
  }
  absl::StatusOr<std::unique_ptr<cordis::prod::PersistenceOptions>> persistence =
      cordis::prod::PersistenceOptionsFromFlags(opts.dir);
  if (!persistence.ok()) {
    spdlog::error("{}", std::string(persistence.status().message()));
    return 2;
  }
  opts.persistence = std::move(*persistence);
  absl::StatusOr<cordis::prod::PeerOptions> peer =
      cordis::prod::PeerOptionsFromFlags(opts.bind, opts.dir);
  absl::StatusOr<cordis::ReplicationOptions> replication =
      cordis::prod::ReplicationOptionsFromFlags();
  if (!peer.ok() || !replication.ok()) {
    spdlog::error("{}", std::string((!peer.ok() ? peer.status() : replication.status()).message()));
    return 2;
  }
  opts.peer = std::move(*peer);
  opts.replication = *replication;
  std::error_code fs_ec;
  std::filesystem::create_directories(opts.dir, fs_ec);
  if (fs_ec) {
    spdlog::error("cannot create --dir '{}': {}", opts.dir, fs_ec.message());
    return 1;
  }

  asio::io_context io(1);
  cordis::prod::Server server(io, opts);
  absl::Status st = server.Start();
  if (!st.ok()) {
    spdlog::error("{}", st.ToString());
    return 1;
  }
  // The server handles SIGINT/SIGTERM and SHUTDOWN itself: connections finish their pending
  // writes, then the loop runs out of work and returns.
  server.Run();
  spdlog::info("Cordis is now ready to exit, bye bye...");
  spdlog::shutdown();
  return 0;
}
