// The driver: feeds stdin lines to the adapter, writes its lines to stdout, and ticks it on a
// steady-clock period while waiting for input (poll with a timeout).
#pragma once

#include <cstdint>

#include "maelstrom/adapter.h"

namespace cordis::maelstrom {

// The node's clock: wall time in microseconds (the hybrid logical clock wants wall time).
int64_t WallNowUs();

// Writes one line and flushes it: Maelstrom reads the node's stdout line by line.
void WriteStdoutLine(const std::string& line);

// Runs until stdin closes. Returns the process exit code.
int RunStdioLoop(Adapter* adapter, int64_t tick_ms);

}  // namespace cordis::maelstrom
