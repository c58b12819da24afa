// Invariant assertions, on in every build. State that "cannot happen" crashes loudly with the
// values involved, so the simulator and the tests see it at once (TigerBeetle, FoundationDB).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

namespace cordis::internal {

[[noreturn]] inline void CheckFailed(const char* file, int line, const char* expr,
                                     const std::string& detail) {
  std::fprintf(stderr, "%s:%d: CHECK failed: %s %s\n", file, line, expr, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

template <typename A, typename B>
std::string CheckOpDetail(const A& a, const B& b) {
  std::ostringstream out;
  out << "(" << a << " vs " << b << ")";
  return out.str();
}

}  // namespace cordis::internal

#define CHECK(cond)                                                      \
  do {                                                                   \
    if (!(cond)) [[unlikely]]                                            \
      ::cordis::internal::CheckFailed(__FILE__, __LINE__, #cond, "");    \
  } while (0)

#define CORDIS_CHECK_OP(a, b, op)                                                          \
  do {                                                                                     \
    const auto& cordis_check_a = (a);                                                      \
    const auto& cordis_check_b = (b);                                                      \
    if (!(cordis_check_a op cordis_check_b)) [[unlikely]]                                  \
      ::cordis::internal::CheckFailed(                                                     \
          __FILE__, __LINE__, #a " " #op " " #b,                                           \
          ::cordis::internal::CheckOpDetail(cordis_check_a, cordis_check_b));              \
  } while (0)

#define CHECK_EQ(a, b) CORDIS_CHECK_OP(a, b, ==)
#define CHECK_NE(a, b) CORDIS_CHECK_OP(a, b, !=)
#define CHECK_LT(a, b) CORDIS_CHECK_OP(a, b, <)
#define CHECK_LE(a, b) CORDIS_CHECK_OP(a, b, <=)
#define CHECK_GT(a, b) CORDIS_CHECK_OP(a, b, >)
#define CHECK_GE(a, b) CORDIS_CHECK_OP(a, b, >=)
