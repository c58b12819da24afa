#include <algorithm>

#include "core/base/strings.h"
#include "core/base/check.h"
#include "core/server/command.h"

namespace cordis {

CommandTable::CommandTable() {
  RegisterConnectionCommands(*this);
  RegisterServerCommands(*this);
  RegisterKeyCommands(*this);
  RegisterKeyCopyCommands(*this);
  RegisterSortCommands(*this);
  RegisterDumpCommands(*this);
  RegisterMemoryCommand(*this);
  RegisterObjectCommand(*this);
  RegisterStringCommands(*this);
  RegisterLcsCommand(*this);
  RegisterBitmapCommands(*this);
  RegisterListCommands(*this);
  RegisterSetCommands(*this);
  RegisterHashCommands(*this);
  RegisterZsetCommands(*this);
  RegisterZsetAlgebraCommands(*this);
  RegisterTransactionCommands(*this);
  RegisterDebugCommands(*this);
  RegisterBlockingCommands(*this);
  RegisterMonitorCommand(*this);
  RegisterSlowlogCommand(*this);
  RegisterLatencyCommand(*this);
  RegisterPersistenceCommands(*this);
  RegisterReplicationCommands(*this);
}

void CommandTable::Add(const CommandSpec& spec) {
  CHECK(spec.handler != nullptr);
  CHECK(spec.arity != 0);
  CHECK(ToLower(spec.name) == spec.name);
  bool inserted = specs_.emplace(std::string(spec.name), spec).second;
  CHECK(inserted);
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  char buf[32];
  if (name.size() > sizeof(buf)) return nullptr;
  for (size_t i = 0; i < name.size(); ++i) buf[i] = AsciiLower(name[i]);
  auto it = specs_.find(std::string(buf, name.size()));
  return it == specs_.end() ? nullptr : &it->second;
}

std::vector<const CommandSpec*> CommandTable::All() const {
  std::vector<const CommandSpec*> all;
  all.reserve(specs_.size());
  for (const auto& [name, spec] : specs_) all.push_back(&spec);
  std::sort(all.begin(), all.end(),
            [](const CommandSpec* a, const CommandSpec* b) { return a->name < b->name; });
  return all;
}

}  // namespace cordis
