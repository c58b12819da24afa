// Test hook: known bugs that the simulator (and tests) can switch on to prove their checkers catch
// them (`cordis-sim --mutate NAME`). Production never sets it; the default is kNone and each bug
// site costs one predictable load and compare of a process-wide byte.
//
// Sites (grep for Mutated(Mutation::...)):
//   kLwwTieIgnoresReplica  lww_string.cc Winner: equal HLC times do not break by replica id, so the
//                          winner depends on arrival order.
//   kCounterDropsRemote    increment_log.cc Add: an increment concurrent with one already held is
//                          dropped (a lost update), as a max-instead-of-sum merge would lose it.
//   kOrSetRemoveIgnoresCtx or_set.cc SREM: removes every tag of the member, including adds the
//                          remover had not seen (remove wins instead of add wins).
//   kCausalDeliversEarly   node_replication.cc: a remote op is delivered as soon as it is its
//                          origin's next op, without waiting for its causal context.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace cordis {

enum class Mutation : uint8_t {
  kNone = 0,
  kLwwTieIgnoresReplica,
  kCounterDropsRemote,
  kOrSetRemoveIgnoresCtx,
  kCausalDeliversEarly,
};

namespace internal {
inline Mutation g_mutation = Mutation::kNone;
}  // namespace internal

inline bool Mutated(Mutation m) { return internal::g_mutation == m; }

// Only the simulator and tests call this, before any Node exists.
inline void SetMutationForTesting(Mutation m) { internal::g_mutation = m; }

// The command-line names, for --mutate: lww_tie, counter_drop, orset_remove, causal_early.
inline constexpr std::pair<std::string_view, Mutation> kMutationNames[] = {
    {"lww_tie", Mutation::kLwwTieIgnoresReplica},
    {"counter_drop", Mutation::kCounterDropsRemote},
    {"orset_remove", Mutation::kOrSetRemoveIgnoresCtx},
    {"causal_early", Mutation::kCausalDeliversEarly},
};

inline std::optional<Mutation> ParseMutation(std::string_view name) {
  for (const auto& [n, m] : kMutationNames)
    if (n == name) return m;
  return std::nullopt;
}

}  // namespace cordis
