// What only the driver knows, asked for by INFO and CONFIG: memory, process, listening port.
// prod reads the OS; the simulator answers with fixed numbers.
#pragma once

#include <cstdint>
#include <string>

namespace cordis {

class HostInfo {
 public:
  virtual ~HostInfo() = default;
  virtual int64_t UsedMemoryBytes() const = 0;  // heap in use by the process
  virtual int64_t RssBytes() const = 0;
  virtual int64_t ProcessId() const = 0;
  virtual int Port() const = 0;
  virtual std::string Executable() const = 0;
  virtual std::string ConfigFile() const { return ""; }
  // A monotonic clock in microseconds, for timing commands (SLOWLOG, LATENCY); a driver without
  // one (the simulator) leaves every command at 0 us.
  virtual int64_t MonotonicMicros() const { return 0; }
};

}  // namespace cordis
