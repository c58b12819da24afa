// List family: LPUSH/RPUSH and their X forms, LPOP/RPOP, LRANGE, LLEN, LINDEX, LSET, LINSERT,
// LREM, LTRIM, LPOS, with Redis 7.0's replies. Handlers parse every argument first, read the local
// ListValue (core/crdt/rga_list.h) and make one op that names elements by id, so that it means the
// same on every replica:
//   LPUSH a b c       ListInsert{after = nullopt, [a, b, c]}      (head inserts: c b a ...)
//   RPUSH a b c       ListInsert{after = last live, [a, b, c]}    (a chain after the tail)
//                     ListInsert{after = nullopt, [c, b, a]}      (on an empty list)
//   LINSERT           ListInsert{after = pivot or its live predecessor (nullopt at the head), [v]}
//   LPOP/RPOP/LREM/LTRIM  ListRemove{ids the command saw}
//   LSET              ListSet{id, value}
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/commands/arg_parse.h"
#include "core/crdt/rga_list.h"
#include "core/server/command_context.h"

namespace cordis {
namespace {

constexpr std::string_view kRankZero =
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
    "negative to start from the end of the list";
constexpr std::string_view kCountNegative = "ERR COUNT can't be negative";
constexpr std::string_view kMaxlenNegative = "ERR MAXLEN can't be negative";

// The list's length after a local write, from the entry Commit returned (the write may have
// created or deleted the value).
size_t LengthNow(const KeyEntry* e) {
  if (e == nullptr || e->value == nullptr || e->value->type() != ValueType::kList) return 0;
  return static_cast<const ListValue*>(e->value)->size();
}

// Redis's range normalization (LRANGE, LTRIM): negative indexes count from the tail. Returns
// false when the range is empty, else clamps to [start, end] within the list.
bool NormalizeRange(int64_t len, int64_t* start, int64_t* end) {
  if (*start < 0) *start += len;
  if (*end < 0) *end += len;
  if (*start < 0) *start = 0;
  if (*start > *end || *start >= len) return false;
  if (*end >= len) *end = len - 1;
  return true;
}

// LPUSH, RPUSH, LPUSHX, RPUSHX (Redis's pushGenericCommand).
void PushGeneric(CommandContext& ctx, bool head, bool only_if_exists) {
  const std::string_view key = ctx.args[1];
  bool wrong = false;
  const ListValue* list = ctx.LookupAs<ListValue>(key, &wrong);
  if (wrong) return;
  if (list == nullptr && only_if_exists) return ctx.reply.Integer(0);
  delta::ListInsert ins;
  ins.values.assign(ctx.args.begin() + 2, ctx.args.end());
  if (!head) {
    if (list != nullptr && list->size() > 0) {
      ins.after = list->IdAt(list->size() - 1);
    } else {
      std::reverse(ins.values.begin(), ins.values.end());  // head inserts read back reversed
    }
  }
  Op op = ctx.NewOp(key);
  op.payload = std::move(ins);
  ctx.reply.Integer(static_cast<int64_t>(LengthNow(ctx.Commit(op))));
}

void LpushCommand(CommandContext& ctx) { PushGeneric(ctx, true, false); }
void RpushCommand(CommandContext& ctx) { PushGeneric(ctx, false, false); }
void LpushxCommand(CommandContext& ctx) { PushGeneric(ctx, true, true); }
void RpushxCommand(CommandContext& ctx) { PushGeneric(ctx, false, true); }

// LPOP, RPOP [count] (Redis's popGenericCommand). Popped elements are replied before the op
// removes them.
void PopGeneric(CommandContext& ctx, bool head) {
  if (ctx.args.size() > 3) return ctx.WrongArity();
  const bool has_count = ctx.args.size() == 3;
  int64_t count = 1;
  if (has_count) {
    std::optional<int64_t> c = ParseInt64(ctx.args[2]);
    if (!c || *c < 0) return ctx.reply.Error(err::kMustBePositive);
    count = *c;
  }
  const std::string_view key = ctx.args[1];
  bool wrong = false;
  const ListValue* list = ctx.LookupAs<ListValue>(key, &wrong);
  if (wrong) return;
  if (list == nullptr) return has_count ? ctx.reply.NullArray() : ctx.reply.NullBulk();
  if (count == 0) return ctx.reply.Array(0);
  const size_t n = std::min(static_cast<uint64_t>(count), static_cast<uint64_t>(list->size()));
  delta::ListRemove rm;
  rm.ids.reserve(n);
  if (has_count) ctx.reply.Array(n);
  list->Scan(head ? 0 : list->size() - 1, !head,
             [&](size_t, std::string_view value, const ElemId& id) {
               ctx.reply.Bulk(value);
               rm.ids.push_back(id);
               return rm.ids.size() < n;
             });
  Op op = ctx.NewOp(key);
  op.payload = std::move(rm);
  ctx.Commit(op);
}

void LpopCommand(CommandContext& ctx) { PopGeneric(ctx, true); }
void RpopCommand(CommandContext& ctx) { PopGeneric(ctx, false); }

void LrangeCommand(CommandContext& ctx) {
  std::optional<int64_t> start = ParseInt64(ctx.args[2]);
  std::optional<int64_t> end = ParseInt64(ctx.args[3]);
  if (!start || !end) return ctx.reply.Error(err::kNotInteger);
  bool wrong = false;
  const ListValue* list = ctx.LookupAs<ListValue>(ctx.args[1], &wrong);
  if (wrong) return;
  if (list == nullptr || !NormalizeRange(static_cast<int64_t>(list->size()), &*start, &*end)) {
    return ctx.reply.Array(0);
  }
  const size_t last = static_cast<size_t>(*end);
  ctx.reply.Array(last - static_cast<size_t>(*start) + 1);
  list->Scan(static_cast<size_t>(*start), false,
             [&](size_t i, std::string_view value, const ElemId&) {
               ctx.reply.Bulk(value);
               return i < last;
             });
}

void LlenCommand(CommandContext& ctx) {
  bool wrong = false;
  const ListValue* list = ctx.LookupAs<ListValue>(ctx.args[1], &wrong);
  if (wrong) return;
  ctx.reply.Integer(list == nullptr ? 0 : static_cast<int64_t>(list->size()));
}

// Resolves a possibly negative index against len; nullopt when out of range.
std::optional<size_t> ResolveIndex(int64_t index, size_t len) {
  const int64_t n = static_cast<int64_t>(len);
  if (index < 0) index += n;
  if (index < 0 || index >= n) return std::nullopt;
  return static_cast<size_t>(index);
}

void LindexCommand(CommandContext& ctx) {
  bool wrong = false;
  const ListValue* list = ctx.LookupAs<ListValue>(ctx.args[1], &wrong);
  if (wrong) return;
  if (list == nullptr) return ctx.reply.NullBulk();
  std::optional<int64_t> index = ParseInt64(ctx.args[2]);
  if (!index) return ctx.reply.Error(err::kNotInteger);
  std::optional<size_t> i = ResolveIndex(*index, list->size());
  if (!i) return ctx.reply.NullBulk();
  ctx.reply.Bulk(list->At(*i));
}

void LsetCommand(CommandContext& ctx) {
  const std::string_view key = ctx.args[1];
  bool wrong = false;
  const ListValue* list = ctx.LookupAs<ListValue>(key, &wrong);
  if (wrong) return;
  if (list == nullptr) return ctx.reply.Error(err::kNoSuchKey);
  std::optional<int64_t> index = ParseInt64(ctx.args[2]);
  if (!index) return ctx.reply.Error(err::kNotInteger);
  std::optional<size_t> i = ResolveIndex(*index, list->size());
  if (!i) return ctx.reply.Error(err::kIndexOutOfRange);
  Op op = ctx.NewOp(key);
  op.payload = delta::ListSet{list->IdAt(*i), ctx.args[3]};
  ctx.Commit(op);
  ctx.reply.Ok();
}

void LinsertCommand(CommandContext& ctx) {
  bool after;
  if (EqualsIgnoreCase(ctx.args[2], "after")) {
    after = true;
  } else if (EqualsIgnoreCase(ctx.args[2], "before")) {
    after = false;
  } else {
    return ctx.reply.Error(err::kSyntax);
  }
  const std::string_view key = ctx.args[1];
  bool wrong = false;
  const ListValue* list = ctx.LookupAs<ListValue>(key, &wrong);
  if (wrong) return;
  if (list == nullptr) return ctx.reply.Integer(0);
  // The first element equal to the pivot, and the live element before it.
  std::optional<ElemId> pivot, previous;
  list->Scan(0, false, [&](size_t, std::string_view value, const ElemId& id) {
    if (value == ctx.args[3]) {
      pivot = id;
      return false;
    }
    previous = id;
    return true;
  });
  if (!pivot) return ctx.reply.Integer(-1);
  delta::ListInsert ins;
  ins.after = after ? pivot : previous;
  ins.values = {ctx.args[4]};
  Op op = ctx.NewOp(key);
  op.payload = std::move(ins);
  ctx.reply.Integer(static_cast<int64_t>(LengthNow(ctx.Commit(op))));
}

void LremCommand(CommandContext& ctx) {
  std::optional<int64_t> count = ParseInt64(ctx.args[2]);
  if (!count) return ctx.reply.Error(err::kNotInteger);
  const std::string_view key = ctx.args[1];
  bool wrong = false;
  const ListValue* list = ctx.LookupAs<ListValue>(key, &wrong);
  if (wrong) return;
  if (list == nullptr) return ctx.reply.Integer(0);
  // count > 0: the first count matches from the head; < 0: from the tail; 0: all of them.
  const bool from_tail = *count < 0;
  const uint64_t limit =
      from_tail ? 0 - static_cast<uint64_t>(*count) : static_cast<uint64_t>(*count);
  delta::ListRemove rm;
  list->Scan(from_tail ? list->size() - 1 : 0, from_tail,
             [&](size_t, std::string_view value, const ElemId& id) {
               if (value == ctx.args[3]) rm.ids.push_back(id);
               return limit == 0 || rm.ids.size() < limit;
             });
  if (rm.ids.empty()) return ctx.reply.Integer(0);
  const int64_t removed = static_cast<int64_t>(rm.ids.size());
  Op op = ctx.NewOp(key);
  op.payload = std::move(rm);
  ctx.Commit(op);
  ctx.reply.Integer(removed);
}

void LtrimCommand(CommandContext& ctx) {
  std::optional<int64_t> start = ParseInt64(ctx.args[2]);
  std::optional<int64_t> end = ParseInt64(ctx.args[3]);
  if (!start || !end) return ctx.reply.Error(err::kNotInteger);
  const std::string_view key = ctx.args[1];
  bool wrong = false;
  const ListValue* list = ctx.LookupAs<ListValue>(key, &wrong);
  if (wrong) return;
  if (list == nullptr) return ctx.reply.Ok();
  const size_t len = list->size();
  size_t keep_from = len, keep_to = len;  // kept: [keep_from, keep_to); empty range: none
  if (NormalizeRange(static_cast<int64_t>(len), &*start, &*end)) {
    keep_from = static_cast<size_t>(*start);
    keep_to = static_cast<size_t>(*end) + 1;
  }
  delta::ListRemove rm;
  rm.ids.reserve(len - (keep_to - keep_from));
  // The head part from the head, then the tail part from the tail: each id is found at once.
  list->Scan(0, false, [&](size_t i, std::string_view, const ElemId& id) {
    if (i >= keep_from) return false;
    rm.ids.push_back(id);
    return true;
  });
  list->Scan(len - 1, true, [&](size_t i, std::string_view, const ElemId& id) {
    if (i < keep_to) return false;
    rm.ids.push_back(id);
    return true;
  });
  if (rm.ids.empty()) return ctx.reply.Ok();
  Op op = ctx.NewOp(key);
  op.payload = std::move(rm);
  ctx.Commit(op);
  ctx.reply.Ok();
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len], following Redis 7.0's
// lposCommand to the letter, including its wrap-around for RANK -9223372036854775808.
void LposCommand(CommandContext& ctx) {
  int64_t rank = 1, count = -1, maxlen = 0;  // count -1: no COUNT option
  const size_t argc = ctx.args.size();
  for (size_t j = 3; j < argc; ++j) {
    const std::string_view opt = ctx.args[j];
    const bool more = j + 1 < argc;
    if (EqualsIgnoreCase(opt, "rank") && more) {
      std::optional<int64_t> v = ParseInt64(ctx.args[++j]);
      if (!v) return ctx.reply.Error(err::kNotInteger);
      if (*v == 0) return ctx.reply.Error(kRankZero);
      rank = *v;
    } else if (EqualsIgnoreCase(opt, "count") && more) {
      std::optional<int64_t> v = ParseInt64(ctx.args[++j]);
      if (!v || *v < 0) return ctx.reply.Error(kCountNegative);
      count = *v;
    } else if (EqualsIgnoreCase(opt, "maxlen") && more) {
      std::optional<int64_t> v = ParseInt64(ctx.args[++j]);
      if (!v || *v < 0) return ctx.reply.Error(kMaxlenNegative);
      maxlen = *v;
    } else {
      return ctx.reply.Error(err::kSyntax);
    }
  }
  const bool from_tail = rank < 0;
  if (from_tail) rank = static_cast<int64_t>(0 - static_cast<uint64_t>(rank));  // wraps like C
  bool wrong = false;
  const ListValue* list = ctx.LookupAs<ListValue>(ctx.args[1], &wrong);
  if (wrong) return;
  if (list == nullptr) return count != -1 ? ctx.reply.Array(0) : ctx.reply.NullBulk();

  const std::string_view element = ctx.args[2];
  int64_t index = 0, matches = 0, match_index = -1;
  std::vector<int64_t> found;
  list->Scan(from_tail ? list->size() - 1 : 0, from_tail,
             [&](size_t i, std::string_view value, const ElemId&) {
               if (maxlen != 0 && index >= maxlen) return false;
               if (value == element) {
                 ++matches;
                 match_index = static_cast<int64_t>(i);
                 if (matches >= rank) {
                   if (count == -1) return false;
                   found.push_back(match_index);
                   const int64_t taken = static_cast<int64_t>(static_cast<uint64_t>(matches) -
                                                              static_cast<uint64_t>(rank) + 1);
                   if (count != 0 && taken >= count) return false;
                 }
               }
               ++index;
               match_index = -1;
               return true;
             });
  if (count != -1) {
    ctx.reply.Array(found.size());
    for (int64_t f : found) ctx.reply.Integer(f);
  } else if (match_index != -1) {
    ctx.reply.Integer(match_index);
  } else {
    ctx.reply.NullBulk();
  }
}

// ---- LMOVE / RPOPLPUSH / LMPOP -----------------------------------------------------------------

// Redis's getListPositionFromObjectOrReply: LEFT or RIGHT.
std::optional<bool> ParseEnd(std::string_view arg) {  // true: the head (LEFT)
  if (EqualsIgnoreCase(arg, "left")) return true;
  if (EqualsIgnoreCase(arg, "right")) return false;
  return std::nullopt;
}

// Pushes one value at an end of the list at key (created if missing) as one op.
void PushOne(CommandContext& ctx, std::string_view key, std::string_view value, bool head) {
  KeyEntry* e = ctx.Lookup(key);
  const ListValue* list = e != nullptr && e->value->type() == ValueType::kList
                              ? static_cast<const ListValue*>(e->value)
                              : nullptr;
  delta::ListInsert ins;
  if (!head && list != nullptr && list->size() > 0) ins.after = list->IdAt(list->size() - 1);
  ins.values = {value};
  Op op = ctx.NewOp(key);
  op.payload = std::move(ins);
  ctx.Commit(op);
}

// Redis's lmoveGenericCommand: a pop (ListRemove of the element seen) on the source, then a push
// (ListInsert) on the destination, two ordinary ops. The source may be the destination.
void LmoveGeneric(CommandContext& ctx, bool from_head, bool to_head) {
  const std::string_view src = ctx.args[1], dst = ctx.args[2];
  bool wrong = false;
  const ListValue* list = ctx.LookupAs<ListValue>(src, &wrong);
  if (wrong) return;
  if (list == nullptr) return ctx.reply.NullBulk();
  KeyEntry* de = ctx.Lookup(dst);
  if (de != nullptr && de->value->type() != ValueType::kList) {
    return ctx.reply.Error(err::kWrongType);
  }
  const size_t index = from_head ? 0 : list->size() - 1;
  std::string value(list->At(index));
  Op pop = ctx.NewOp(src);
  pop.payload = delta::ListRemove{{list->IdAt(index)}};
  ctx.Commit(pop);
  PushOne(ctx, dst, value, to_head);
  ctx.reply.Bulk(value);
}

void LmoveCommand(CommandContext& ctx) {
  std::optional<bool> from = ParseEnd(ctx.args[3]);
  std::optional<bool> to = ParseEnd(ctx.args[4]);
  if (!from || !to) return ctx.reply.Error(err::kSyntax);
  LmoveGeneric(ctx, *from, *to);
}

void RpoplpushCommand(CommandContext& ctx) { LmoveGeneric(ctx, false, true); }

// Redis's getRangeLongFromObjectOrReply with a message: one error for non-numbers and for values
// below 1.
std::optional<int64_t> PositiveArg(CommandContext& ctx, std::string_view arg,
                                   std::string_view error) {
  std::optional<int64_t> v = ParseInt64(arg);
  if (!v || *v < 1) {
    ctx.reply.Error(error);
    return std::nullopt;
  }
  return v;
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] (Redis's lmpopGenericCommand +
// mpopGenericCommand): pops from the first non-empty list; replies [key, [elements]] or a null
// array. Keys are type-checked in order up to the first list found.
void LmpopCommand(CommandContext& ctx) {
  const auto& a = ctx.args;
  std::optional<int64_t> numkeys = PositiveArg(ctx, a[1], "ERR numkeys should be greater than 0");
  if (!numkeys) return;
  if (static_cast<uint64_t>(*numkeys) >= a.size() - 2) return ctx.reply.Error(err::kSyntax);
  const size_t where_idx = 2 + static_cast<size_t>(*numkeys);
  std::optional<bool> head = ParseEnd(a[where_idx]);
  if (!head) return ctx.reply.Error(err::kSyntax);
  int64_t count = -1;
  for (size_t j = where_idx + 1; j < a.size(); ++j) {
    if (count == -1 && EqualsIgnoreCase(a[j], "count") && j + 1 < a.size()) {
      std::optional<int64_t> c = PositiveArg(ctx, a[++j], "ERR count should be greater than 0");
      if (!c) return;
      count = *c;
    } else {
      return ctx.reply.Error(err::kSyntax);
    }
  }
  if (count == -1) count = 1;
  for (size_t k = 2; k < where_idx; ++k) {
    bool wrong = false;
    const ListValue* list = ctx.LookupAs<ListValue>(a[k], &wrong);
    if (wrong) return;
    if (list == nullptr) continue;
    const size_t n = std::min(static_cast<uint64_t>(count), static_cast<uint64_t>(list->size()));
    delta::ListRemove rm;
    rm.ids.reserve(n);
    ctx.reply.Array(2);
    ctx.reply.Bulk(a[k]);
    ctx.reply.Array(n);
    list->Scan(*head ? 0 : list->size() - 1, !*head,
               [&](size_t, std::string_view value, const ElemId& id) {
                 ctx.reply.Bulk(value);
                 rm.ids.push_back(id);
                 return rm.ids.size() < n;
               });
    Op op = ctx.NewOp(a[k]);
    op.payload = std::move(rm);
    ctx.Commit(op);
    return;
  }
  ctx.reply.NullArray();
}

}  // namespace

void RegisterListCommands(CommandTable& t) {
  using namespace cmd;
  CommandRegistrar r(t, "list");
  constexpr std::string_view kPushComplexity =
      "O(1) for each element added, so O(N) to add N elements when the command is called with "
      "multiple arguments.";
  constexpr std::string_view kPopComplexity = "O(N) where N is the number of elements returned";
  r.Key("lpush", -3, kWrite | kDenyOom | kFast, LpushCommand,
        "Prepend one or multiple elements to a list", "1.0.0", kPushComplexity);
  r.Key("rpush", -3, kWrite | kDenyOom | kFast, RpushCommand,
        "Append one or multiple elements to a list", "1.0.0", kPushComplexity);
  r.Key("lpushx", -3, kWrite | kDenyOom | kFast, LpushxCommand,
        "Prepend an element to a list, only if the list exists", "2.2.0", kPushComplexity);
  r.Key("rpushx", -3, kWrite | kDenyOom | kFast, RpushxCommand,
        "Append an element to a list, only if the list exists", "2.2.0", kPushComplexity);
  r.Key("lpop", -2, kWrite | kFast, LpopCommand, "Remove and get the first elements in a list",
        "1.0.0", kPopComplexity);
  r.Key("rpop", -2, kWrite | kFast, RpopCommand, "Remove and get the last elements in a list",
        "1.0.0", kPopComplexity);
  r.Key(
      "lrange", 4, kReadOnly, LrangeCommand, "Get a range of elements from a list", "1.0.0",
      "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end "
      "(HEAD or TAIL) for large lists; and N is the number of elements in the specified range.");
  r.Key("llen", 2, kReadOnly | kFast, LlenCommand, "Get the length of a list", "1.0.0", "O(1)");
  r.Key("lindex", 3, kReadOnly, LindexCommand, "Get an element from a list by its index", "1.0.0",
        "O(N) where N is the number of elements to traverse to get to the element at index. This "
        "makes asking for the first or the last element of the list O(1).");
  r.Key("lset", 4, kWrite | kDenyOom, LsetCommand,
        "Set the value of an element in a list by its index", "1.0.0",
        "O(N) where N is the length of the list. Setting either the first or the last element of "
        "the list is O(1).");
  r.Key("linsert", 5, kWrite | kDenyOom, LinsertCommand,
        "Insert an element before or after another element in a list", "2.2.0",
        "O(N) where N is the number of elements to traverse before seeing the value pivot. This "
        "means that inserting somewhere on the left end on the list (head) can be considered O(1) "
        "and inserting somewhere on the right end (tail) is O(N).");
  r.Key("lrem", 4, kWrite, LremCommand, "Remove elements from a list", "1.0.0",
        "O(N+M) where N is the length of the list and M is the number of elements removed.");
  r.Key("ltrim", 4, kWrite, LtrimCommand, "Trim a list to the specified range", "1.0.0",
        "O(N) where N is the number of elements to be removed by the operation.");
  r.Key(
      "lpos", -3, kReadOnly, LposCommand, "Return the index of matching elements on a list",
      "6.0.6",
      "O(N) where N is the number of elements in the list, for the average case. When searching "
      "for elements near the head or the tail of the list, or when the MAXLEN option is provided, "
      "the command may run in constant time.");
  r.Keys("lmove", 5, kWrite | kDenyOom, 1, 2, LmoveCommand,
         "Returns an element after popping it from one list and pushing it to another. Deletes the "
         "list if the last element was moved.",
         "6.2.0", "O(1)");
  r.Keys("rpoplpush", 3, kWrite | kDenyOom, 1, 2, RpoplpushCommand,
         "Returns the last element of a list after removing and pushing it to another list. "
         "Deletes the list if the last element was popped.",
         "1.2.0", "O(1)");
  r.Keys("lmpop", -4, kWrite, 0, 0, LmpopCommand,
         "Returns multiple elements from a list after removing them. Deletes the list if the last "
         "element was popped.",
         "7.0.0",
         "O(N+M) where N is the number of provided keys and M is the number of elements returned.");
}

}  // namespace cordis
