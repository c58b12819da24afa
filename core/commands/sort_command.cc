// SORT and SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA]
// [STORE destination], for lists, sets and sorted sets, following Redis 7.0's
// sortCommandGeneric (src/sort.c): numeric scores by strtod (an unparsable one fails the whole
// command), ties broken by the elements' bytes, BY without '*' keeps the native order (lists and
// sorted sets) and GET/BY patterns substitute the first '*' and may end in "->field" to read a
// hash field. ALPHA compares bytes (Redis's strcoll in the C locale). STORE writes the result as a
// list with one op (clear_key + a ListInsert of the whole result), or deletes the destination when
// the result is empty.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/commands/arg_parse.h"
#include "core/crdt/lww_string.h"
#include "core/crdt/or_map.h"
#include "core/crdt/or_set.h"
#include "core/crdt/rga_list.h"
#include "core/crdt/zset.h"
#include "core/server/command_context.h"

namespace cordis {
namespace {

struct SortRequest {
  bool desc = false, alpha = false, dontsort = false;
  int64_t limit_start = 0, limit_count = -1;
  std::optional<std::string_view> by, store;
  std::vector<std::string_view> gets;
};

bool ParseSort(CommandContext& ctx, bool readonly, SortRequest* r) {
  const auto& a = ctx.args;
  for (size_t j = 2; j < a.size(); ++j) {
    const size_t left = a.size() - j - 1;
    if (EqualsIgnoreCase(a[j], "asc")) {
      r->desc = false;
    } else if (EqualsIgnoreCase(a[j], "desc")) {
      r->desc = true;
    } else if (EqualsIgnoreCase(a[j], "alpha")) {
      r->alpha = true;
    } else if (EqualsIgnoreCase(a[j], "limit") && left >= 2) {
      std::optional<int64_t> start = ParseInt64(a[j + 1]);
      std::optional<int64_t> count = start ? ParseInt64(a[j + 2]) : std::nullopt;
      if (!start || !count) return ctx.reply.Error(err::kNotInteger), false;
      r->limit_start = *start;
      r->limit_count = *count;
      j += 2;
    } else if (!readonly && EqualsIgnoreCase(a[j], "store") && left >= 1) {
      r->store = a[++j];
    } else if (EqualsIgnoreCase(a[j], "by") && left >= 1) {
      r->by = a[++j];
      // A pattern without '*' names one fixed key for every element: nothing to sort by.
      r->dontsort = r->by->find('*') == std::string_view::npos;
    } else if (EqualsIgnoreCase(a[j], "get") && left >= 1) {
      r->gets.push_back(a[++j]);
    } else {
      return ctx.reply.Error(err::kSyntax), false;
    }
  }
  return true;
}

// Redis's lookupKeyByPattern: "#" is the element itself; otherwise the first '*' is replaced by
// the element and the key read as a string, or with "->field" as a hash field.
std::optional<std::string> LookupByPattern(CommandContext& ctx, std::string_view pattern,
                                           std::string_view elem) {
  if (pattern == "#") return std::string(elem);
  const size_t star = pattern.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  std::string_view field;
  size_t arrow = pattern.find("->", star + 1);
  if (arrow != std::string_view::npos && arrow + 2 < pattern.size()) {
    field = pattern.substr(arrow + 2);
  } else {
    arrow = pattern.size();
  }
  std::string key = StrCat(pattern.substr(0, star), elem, pattern.substr(star + 1, arrow - star - 1));
  KeyEntry* e = ctx.Lookup(key);
  if (e == nullptr) return std::nullopt;
  if (!field.empty()) {
    if (e->value->type() != ValueType::kHash) return std::nullopt;
    std::optional<std::string_view> v = static_cast<const HashValue*>(e->value)->Get(field);
    if (!v) return std::nullopt;
    return std::string(*v);
  }
  if (e->value->type() != ValueType::kString) return std::nullopt;
  std::string scratch;
  return std::string(static_cast<const StringValue*>(e->value)->Get(&scratch));
}

struct Item {
  std::string elem;
  double score = 0;
  std::optional<std::string> cmp;  // ALPHA with BY: the BY value (missing: sorts first)
};

// The elements to sort: all of them, or with dontsort on a list or sorted set only the LIMIT
// range, in native order (reversed by DESC). start/end are adjusted as Redis does.
std::vector<Item> Load(const Value* v, const SortRequest& r, int64_t* start, int64_t* end) {
  std::vector<Item> items;
  if (v == nullptr) return items;
  const bool ranged = r.dontsort && v->type() != ValueType::kSet;
  auto add = [&](std::string_view e) { items.push_back(Item{std::string(e), 0, std::nullopt}); };
  if (v->type() == ValueType::kSet) {
    static_cast<const SetValue*>(v)->ForEach(add);
    return items;
  }
  if (v->type() == ValueType::kList) {
    const ListValue& l = *static_cast<const ListValue*>(v);
    if (!ranged) {
      for (const std::string& e : l.Contents()) add(e);
      return items;
    }
    if (*end >= *start) {
      const int64_t n = static_cast<int64_t>(l.size());
      size_t from = static_cast<size_t>(r.desc ? n - *start - 1 : *start);
      const size_t want = static_cast<size_t>(*end - *start + 1);
      l.Scan(from, r.desc, [&](size_t, std::string_view e, const ElemId&) {
        add(e);
        return items.size() < want;
      });
      *end -= *start;
      *start = 0;
    }
    return items;
  }
  const ZSetIndex& index = static_cast<const ZsetValue*>(v)->index();
  if (!ranged) {
    if (!index.empty()) {
      index.ForEachFromRank(0, false, [&](double, std::string_view m) {
        add(m);
        return true;
      });
    }
    return items;
  }
  const int64_t n = static_cast<int64_t>(index.size());
  const size_t want = static_cast<size_t>(*end - *start + 1);
  if (want > 0 && *start < n) {
    index.ForEachFromRank(static_cast<size_t>(r.desc ? n - 1 - *start : *start), r.desc,
                          [&](double, std::string_view m) {
                            add(m);
                            return items.size() < want;
                          });
  }
  *end -= *start;
  *start = 0;
  return items;
}

// Loads the scores (or ALPHA keys) and sorts; false when a score is not a number.
bool SortItems(CommandContext& ctx, const SortRequest& r, std::vector<Item>* items) {
  bool conversion_error = false;
  for (Item& it : *items) {
    std::optional<std::string> by = r.by ? LookupByPattern(ctx, *r.by, it.elem)
                                         : std::optional<std::string>(it.elem);
    if (!by) continue;
    if (r.alpha) {
      if (r.by) it.cmp = std::move(by);
      continue;
    }
    errno = 0;
    char* eptr = nullptr;
    it.score = std::strtod(by->c_str(), &eptr);
    if (eptr[0] != '\0' || errno == ERANGE || std::isnan(it.score))
      conversion_error = true;
  }
  if (conversion_error) return false;
  auto compare = [&](const Item& x, const Item& y) -> int {
    if (!r.alpha) {
      if (x.score != y.score) return x.score > y.score ? 1 : -1;
      return x.elem.compare(y.elem);
    }
    if (!r.by) return x.elem.compare(y.elem);
    if (!x.cmp || !y.cmp) return x.cmp == y.cmp ? 0 : (!x.cmp ? -1 : 1);
    return x.cmp->compare(*y.cmp);
  };
  std::stable_sort(items->begin(), items->end(), [&](const Item& x, const Item& y) {
    int c = compare(x, y);
    return r.desc ? c > 0 : c < 0;
  });
  return true;
}

void SortGeneric(CommandContext& ctx, bool readonly) {
  SortRequest r;
  if (!ParseSort(ctx, readonly, &r)) return;
  KeyEntry* e = ctx.Lookup(ctx.args[1]);
  const Value* v = e != nullptr ? e->value : nullptr;
  if (v != nullptr && v->type() != ValueType::kSet && v->type() != ValueType::kList &&
      v->type() != ValueType::kZset) {
    return ctx.reply.Error(err::kWrongType);
  }
  // A set has no native order: stored results are sorted by the elements instead.
  if (r.dontsort && v != nullptr && v->type() == ValueType::kSet && r.store) {
    r.dontsort = false;
    r.alpha = true;
    r.by.reset();
  }
  int64_t len = 0;
  if (v != nullptr) {
    len = static_cast<int64_t>(v->type() == ValueType::kSet   ? static_cast<const SetValue*>(v)->size()
                               : v->type() == ValueType::kList ? static_cast<const ListValue*>(v)->size()
                                                               : static_cast<const ZsetValue*>(v)->size());
  }
  int64_t start = r.limit_start < 0 ? 0 : r.limit_start;
  int64_t end = r.limit_count < 0 ? len - 1 : start + r.limit_count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;
  std::vector<Item> items = Load(v, r, &start, &end);
  if (!r.dontsort && !SortItems(ctx, r, &items)) {
    return ctx.reply.Error("ERR One or more scores can't be converted into double");
  }
  // The output: per element, the element itself or one value per GET pattern.
  std::vector<std::optional<std::string>> out;
  for (int64_t j = start; j <= end; ++j) {
    const std::string& elem = items[static_cast<size_t>(j)].elem;
    if (r.gets.empty()) out.emplace_back(elem);
    for (std::string_view pattern : r.gets) out.push_back(LookupByPattern(ctx, pattern, elem));
  }
  if (!r.store) {
    ctx.reply.Array(out.size());
    for (const auto& o : out) o ? ctx.reply.Bulk(*o) : ctx.reply.NullBulk();
    return;
  }
  if (out.empty()) {
    if (ctx.Lookup(*r.store) != nullptr) {
      Op del = ctx.NewOp(*r.store);
      del.clear_key = true;
      ctx.Commit(del);
    }
    return ctx.reply.Integer(0);
  }
  delta::ListInsert ins;  // head inserts read back reversed: list the result tail first
  for (auto it = out.rbegin(); it != out.rend(); ++it) ins.values.push_back(*it ? std::string_view(**it) : std::string_view());
  Op op = ctx.NewOp(*r.store);
  op.clear_key = true;
  op.payload = std::move(ins);
  ctx.Commit(op);
  ctx.reply.Integer(static_cast<int64_t>(out.size()));
}

void SortCommand(CommandContext& ctx) { SortGeneric(ctx, false); }
void SortRoCommand(CommandContext& ctx) { SortGeneric(ctx, true); }

}  // namespace

void RegisterSortCommands(CommandTable& t) {
  using namespace cmd;
  CommandRegistrar r(t, "generic");
  constexpr std::string_view kCost =
      "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
      "number of returned elements. When the elements are not sorted, complexity is O(N).";
  r.Key("sort", -2, kWrite | kDenyOom, SortCommand,
        "Sorts the elements in a list, a set, or a sorted set, optionally storing the result.",
        "1.0.0", kCost);
  r.Key("sort_ro", -2, kReadOnly, SortRoCommand,
        "Returns the sorted elements of a list, a set, or a sorted set.", "7.0.0", kCost);
}

}  // namespace cordis
