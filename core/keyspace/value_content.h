// A value's whole logical content as an op payload, for commands that copy a value to another
// key (RENAME, and later COPY/RESTORE/MOVE). The payload's views point into `storage`.
#pragma once

#include <deque>
#include <string>

#include "core/keyspace/value.h"
#include "core/op/op.h"

namespace cordis {

struct ContentPayload {
  Payload payload;
  std::deque<std::string> storage;  // deque: growing it never moves earlier strings
};

ContentPayload ContentOf(const Value& v);

}  // namespace cordis
