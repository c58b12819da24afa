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

// Family registration, one per file in core/commands/.
void RegisterConnectionCommands(CommandTable& t);
void RegisterServerCommands(CommandTable& t);
void RegisterKeyCommands(CommandTable& t);
void RegisterStringCommands(CommandTable& t);
void RegisterListCommands(CommandTable& t);
void RegisterSetCommands(CommandTable& t);
void RegisterHashCommands(CommandTable& t);
void RegisterZsetCommands(CommandTable& t);
void RegisterTransactionCommands(CommandTable& t);
void RegisterDebugCommands(CommandTable& t);

}  // namespace cordis
