// Command-line flags of persistence (Redis's names): --appendonly, --appendfsync, --save,
// --auto-aof-rewrite-percentage, --auto-aof-rewrite-min-size, --repair.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "prod/persistence.h"

namespace cordis::prod {

// The options the flags ask for, or null with --appendonly no (everything stays in memory).
absl::StatusOr<std::unique_ptr<PersistenceOptions>> PersistenceOptionsFromFlags(
    const std::string& dir);

}  // namespace cordis::prod
