#include "core/base/glob.h"

#include <cctype>
#include <utility>

namespace cordis {
namespace {

int Fold(unsigned char c, bool nocase) { return nocase ? std::tolower(c) : c; }

// Matches one pattern element (not '*') at p against the byte c. Sets *next to the pattern
// position after the element.
bool MatchOne(const char* p, const char* pend, unsigned char c, bool nocase, const char** next) {
  if (*p == '?') {
    *next = p + 1;
    return true;
  }
  if (*p == '[') {
    ++p;
    bool negate = p < pend && *p == '^';
    if (negate) ++p;
    bool match = false;
    while (p < pend && *p != ']') {
      if (*p == '\\' && p + 1 < pend) {
        ++p;
        if (Fold(*p, nocase) == Fold(c, nocase)) match = true;
        ++p;
      } else if (p + 2 < pend && p[1] == '-') {
        int lo = Fold(p[0], nocase), hi = Fold(p[2], nocase);
        if (lo > hi) std::swap(lo, hi);
        int x = Fold(c, nocase);
        if (x >= lo && x <= hi) match = true;
        p += 3;
      } else {
        if (Fold(*p, nocase) == Fold(c, nocase)) match = true;
        ++p;
      }
    }
    *next = p < pend ? p + 1 : p;  // an unterminated class ends the pattern, as in Redis
    return negate ? !match : match;
  }
  if (*p == '\\' && p + 1 < pend) ++p;
  *next = p + 1;
  return Fold(*p, nocase) == Fold(c, nocase);
}

}  // namespace

// Iterative matching that backtracks only to the most recent '*': O(len(pattern) * len(str)),
// so hostile patterns like "*a*a*a*a*b" cannot stall the server.
bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase) {
  const char* p = pattern.data();
  const char* pend = p + pattern.size();
  const char* s = str.data();
  const char* send = s + str.size();
  const char* star_p = nullptr;
  const char* star_s = nullptr;
  while (s < send) {
    if (p < pend && *p == '*') {
      while (p < pend && *p == '*') ++p;
      if (p == pend) return true;
      star_p = p;
      star_s = s;
      continue;
    }
    const char* next = nullptr;
    if (p < pend && MatchOne(p, pend, static_cast<unsigned char>(*s), nocase, &next)) {
      p = next;
      ++s;
      continue;
    }
    if (star_p == nullptr) return false;
    p = star_p;
    s = ++star_s;
  }
  while (p < pend && *p == '*') ++p;
  return p == pend;
}

}  // namespace cordis
