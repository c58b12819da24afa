#include "core/server/errors.h"

#include "core/base/strings.h"

namespace cordis::err {

std::string WrongArity(std::string_view command) {
  return StrCat("ERR wrong number of arguments for '", ToLower(command), "' command");
}

std::string UnknownCommand(std::string_view name, const std::string_view* args, size_t n) {
  std::string quoted;
  for (size_t i = 0; i < n && quoted.size() < 128; ++i) {
    size_t room = 128 - quoted.size();
    StrAppend(&quoted, "'", args[i].substr(0, room), "' ");
  }
  return StrCat("ERR unknown command '", name.substr(0, 128),
                "', with args beginning with: ", quoted);
}

std::string UnknownSubcommand(std::string_view sub, std::string_view command) {
  return StrCat("ERR unknown subcommand '", sub.substr(0, 128), "'. Try ", ToUpper(command),
                " HELP.");
}

std::string SubcommandError(std::string_view command, std::string_view sub,
                            std::initializer_list<std::string_view> known) {
  for (std::string_view k : known) {
    if (EqualsIgnoreCase(sub, k)) return WrongArity(StrCat(command, "|", k));
  }
  return UnknownSubcommand(sub, command);
}

}  // namespace cordis::err
