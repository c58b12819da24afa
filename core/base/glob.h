// Glob-style matching as Redis's stringmatchlen (KEYS, SCAN MATCH, SSCAN/HSCAN/ZSCAN MATCH,
// CONFIG GET): '*', '?', '[abc]', '[^a]', '[a-z]', and '\' escapes.
#pragma once

#include <string_view>

namespace cordis {

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase = false);

}  // namespace cordis
