// Commands as data (Redis's src/commands/*.json; Dragonfly's family Register functions): each
// family registers specs with name, arity, flags, key positions, docs and a handler. Handlers parse
// arguments and build the reply; operations on data live with the CRDTs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/types/span.h"

namespace cordis {

class CommandContext;
using CommandHandler = void (*)(CommandContext&);

namespace cmd {
enum Flag : uint32_t {
  kWrite = 1 << 0,
  kReadOnly = 1 << 1,
  kFast = 1 << 2,
  kDenyOom = 1 << 3,
  kAdmin = 1 << 4,
  kNoScript = 1 << 5,
  kLoading = 1 << 6,
  kStale = 1 << 7,
  kNoMulti = 1 << 8,  // may not be queued inside MULTI (WATCH, MULTI itself)
  kSkipSlowlog = 1 << 9,
  kRandom = 1 << 10,  // reply is nondeterministic (RANDOMKEY, SPOP, TIME)
  kBlocking = 1 << 11,
  kConnection = 1 << 12,  // connection commands: never "write", never replicated
};
}  // namespace cmd

struct CommandSpec {
  std::string_view name;  // lower case
  int arity;              // Redis convention: N exact, -N at least N (name counts)
  uint32_t flags;
  int first_key = 0, last_key = 0, key_step = 0;
  CommandHandler handler = nullptr;
  std::string_view group;    // "string", "list", "set", "hash", "sorted-set", "generic", ...
  std::string_view summary;  // one line, for COMMAND DOCS
  std::string_view since = "1.0.0";
  std::string_view complexity = "O(1)";
};

class CommandTable {
 public:
  CommandTable();  // registers every family
  void Add(const CommandSpec& spec);
  // Case-insensitive lookup; nullptr if unknown.
  const CommandSpec* Find(std::string_view name) const;
  // All specs in name order (deterministic COMMAND output).
  std::vector<const CommandSpec*> All() const;
  size_t size() const { return specs_.size(); }

 private:
  absl::flat_hash_map<std::string, CommandSpec> specs_;
};

// Registers one family's commands: the group, and Redis's key-position conventions, in one place.
class CommandRegistrar {
 public:
  // extra_flags are added to every command of the family (e.g. cmd::kConnection).
  CommandRegistrar(CommandTable& t, std::string_view group, uint32_t extra_flags = 0)
      : t_(t), group_(group), extra_flags_(extra_flags) {}

  // A command whose only key is argv[1].
  void Key(std::string_view name, int arity, uint32_t flags, CommandHandler h,
           std::string_view summary, std::string_view since, std::string_view complexity = "O(1)") {
    Keys(name, arity, flags, 1, 1, 1, h, summary, since, complexity);
  }
  // Keys at argv[first], argv[first + step], ... up to argv[last] (negative: from the end).
  void Keys(std::string_view name, int arity, uint32_t flags, int first, int last, int step,
            CommandHandler h, std::string_view summary, std::string_view since,
            std::string_view complexity = "O(1)") {
    t_.Add({.name = name,
            .arity = arity,
            .flags = flags | extra_flags_,
            .first_key = first,
            .last_key = last,
            .key_step = first == 0 ? 0 : step,
            .handler = h,
            .group = group_,
            .summary = summary,
            .since = since,
            .complexity = complexity});
  }
  // One key per step from argv[first] to argv[last].
  void Keys(std::string_view name, int arity, uint32_t flags, int first, int last, CommandHandler h,
            std::string_view summary, std::string_view since,
            std::string_view complexity = "O(1)") {
    Keys(name, arity, flags, first, last, 1, h, summary, since, complexity);
  }
  void NoKeys(std::string_view name, int arity, uint32_t flags, CommandHandler h,
              std::string_view summary, std::string_view since,
              std::string_view complexity = "O(1)") {
    Keys(name, arity, flags, 0, 0, 0, h, summary, since, complexity);
  }

 private:
  CommandTable& t_;
  std::string_view group_;
  uint32_t extra_flags_;
};

// Family registration, one per file in core/commands/.
void RegisterConnectionCommands(CommandTable& t);
void RegisterServerCommands(CommandTable& t);
void RegisterKeyCommands(CommandTable& t);
void RegisterKeyCopyCommands(CommandTable& t);
void RegisterSortCommands(CommandTable& t);
void RegisterDumpCommands(CommandTable& t);
void RegisterMemoryCommand(CommandTable& t);
void RegisterObjectCommand(CommandTable& t);
void RegisterStringCommands(CommandTable& t);
void RegisterLcsCommand(CommandTable& t);
void RegisterBitmapCommands(CommandTable& t);
void RegisterListCommands(CommandTable& t);
void RegisterSetCommands(CommandTable& t);
void RegisterHashCommands(CommandTable& t);
void RegisterZsetCommands(CommandTable& t);
void RegisterZsetAlgebraCommands(CommandTable& t);
void RegisterTransactionCommands(CommandTable& t);
void RegisterDebugCommands(CommandTable& t);
void RegisterBlockingCommands(CommandTable& t);
void RegisterMonitorCommand(CommandTable& t);
void RegisterSlowlogCommand(CommandTable& t);
void RegisterLatencyCommand(CommandTable& t);
void RegisterPersistenceCommands(CommandTable& t);
void RegisterReplicationCommands(CommandTable& t);

}  // namespace cordis
