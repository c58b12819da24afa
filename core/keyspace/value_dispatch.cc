#include "core/keyspace/value_dispatch.h"

#include <type_traits>
#include <variant>

#include "core/base/check.h"
#include "core/crdt/lww_string.h"
#include "core/crdt/or_map.h"
#include "core/crdt/or_set.h"
#include "core/crdt/rga_list.h"
#include "core/crdt/zset.h"

namespace cordis {
namespace {

template <typename D>
struct Route;
template <typename V, bool kCreates>
struct RouteTo {
  using ValueClass = V;
  static constexpr bool creates = kCreates;
};
template <> struct Route<delta::StrAssign> : RouteTo<StringValue, true> {};
template <> struct Route<delta::CounterAdd> : RouteTo<StringValue, true> {};
template <> struct Route<delta::FloatAdd> : RouteTo<StringValue, true> {};
template <> struct Route<delta::SetAdd> : RouteTo<SetValue, true> {};
template <> struct Route<delta::SetRemove> : RouteTo<SetValue, false> {};
template <> struct Route<delta::HashSet> : RouteTo<HashValue, true> {};
template <> struct Route<delta::HashRemove> : RouteTo<HashValue, false> {};
template <> struct Route<delta::HashAdd> : RouteTo<HashValue, true> {};
template <> struct Route<delta::HashAddFloat> : RouteTo<HashValue, true> {};
template <> struct Route<delta::ZsetAdd> : RouteTo<ZsetValue, true> {};
template <> struct Route<delta::ZsetIncr> : RouteTo<ZsetValue, true> {};
template <> struct Route<delta::ZsetRemove> : RouteTo<ZsetValue, false> {};
template <> struct Route<delta::ListInsert> : RouteTo<ListValue, true> {};
template <> struct Route<delta::ListRemove> : RouteTo<ListValue, false> {};
template <> struct Route<delta::ListSet> : RouteTo<ListValue, false> {};

template <typename D>
constexpr bool kNoValue =
    std::is_same_v<D, std::monostate> || std::is_same_v<D, delta::ExpireOnly>;

}  // namespace

std::optional<PayloadTarget> TargetOf(const Payload& p) {
  return std::visit(
      [](const auto& d) -> std::optional<PayloadTarget> {
        using D = std::decay_t<decltype(d)>;
        if constexpr (kNoValue<D>) {
          return std::nullopt;
        } else {
          return PayloadTarget{Route<D>::ValueClass::kType, Route<D>::creates};
        }
      },
      p);
}

Value* NewValue(ValueType type, uint64_t seed) {
  switch (type) {
    case ValueType::kString: return new StringValue(seed);
    case ValueType::kList: return new ListValue(seed);
    case ValueType::kSet: return new SetValue(seed);
    case ValueType::kZset: return new ZsetValue(seed);
    case ValueType::kHash: return new HashValue(seed);
  }
  CHECK(false);
  return nullptr;
}

void ApplyPayload(Value* v, const Op& op) {
  std::visit(
      [&](const auto& d) {
        using D = std::decay_t<decltype(d)>;
        if constexpr (!kNoValue<D>) {
          using V = typename Route<D>::ValueClass;
          CHECK(v->type() == V::kType);
          static_cast<V*>(v)->Apply(d, op);
        }
      },
      op.payload);
}

}  // namespace cordis
