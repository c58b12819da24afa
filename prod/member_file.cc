#include "prod/member_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/base/strings.h"

namespace cordis::prod {

absl::StatusOr<std::map<ReplicaId, MemberAddr>> ReadMemberFile(const std::string& path) {
  std::map<ReplicaId, MemberAddr> out;
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return out;
    return absl::UnavailableError(StrCat("cannot read ", path, ": ", std::strerror(errno)));
  }
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string word, host, extra;
    int64_t replica = 0, port = -1;
    fields >> word >> replica >> host >> port;
    if (word != "member" || fields.fail() || replica < 1 || replica > 0xffffffffLL || port < 0 ||
        port > 65535 || (fields >> extra)) {
      return absl::DataLossError(
          StrCat(path, ":", number, ": expected 'member <replica id> <host> <port>', got '", line,
                 "'"));
    }
    if (host == "-") host.clear();
    out[static_cast<ReplicaId>(replica)] = MemberAddr{host, static_cast<int>(port)};
  }
  return out;
}

absl::Status WriteMemberFile(const std::string& path, const std::map<ReplicaId, MemberAddr>& m) {
  std::string text =
      "# Cordis replica set, written by the server (edit only while it is stopped).\n";
  for (const auto& [r, a] : m)
    StrAppend(&text, "member ", r, " ", a.host.empty() ? "-" : a.host, " ", a.port, "\n");
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::UnavailableError(StrCat("cannot write ", tmp, ": ", std::strerror(errno)));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fdatasync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) err = errno;
    return absl::UnavailableError(StrCat("cannot write ", path, ": ", std::strerror(err)));
  }
  return absl::OkStatus();
}

}  // namespace cordis::prod
