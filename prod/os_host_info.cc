#include "prod/os_host_info.h"

#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace cordis::prod {

int64_t OsHostInfo::UsedMemoryBytes() const {
  struct mallinfo2 mi = mallinfo2();
  int64_t used = static_cast<int64_t>(mi.uordblks + mi.hblkhd);
  // Sanitizer builds replace malloc and glibc then reports nothing: fall back to RSS.
  return used > 0 ? used : RssBytes();
}

int64_t OsHostInfo::RssBytes() const {
  long pages = 0, resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  std::fclose(f);
  return static_cast<int64_t>(resident) * sysconf(_SC_PAGESIZE);
}

int64_t OsHostInfo::ProcessId() const { return getpid(); }

int64_t OsHostInfo::MonotonicMicros() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace cordis::prod
