// HostInfo read from the operating system (memory from the allocator, RSS from /proc).
#pragma once

#include <string>

#include "core/server/host_info.h"

namespace cordis::prod {

class OsHostInfo : public HostInfo {
 public:
  OsHostInfo(int port, std::string executable) : port_(port), executable_(std::move(executable)) {}
  int64_t UsedMemoryBytes() const override;
  int64_t RssBytes() const override;
  int64_t ProcessId() const override;
  int Port() const override { return port_; }
  std::string Executable() const override { return executable_; }
  int64_t MonotonicMicros() const override;

 private:
  int port_;
  std::string executable_;
};

}  // namespace cordis::prod
