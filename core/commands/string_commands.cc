// String family: SET and friends (LWW register), INCR family (counter), INCRBYFLOAT (float
// counter), ranges. Handlers parse and reply; the StringValue CRDT holds the data.
#include <array>
#include <climits>
#include <cmath>
#include <span>
#include <string>

#include "core/commands/arg_parse.h"
#include "core/crdt/lww_string.h"
#include "core/server/command_context.h"

namespace cordis {
namespace {

constexpr int64_t kMaxStringBytes = 512LL * 1024 * 1024;

struct SetOptions {
  bool nx = false, xx = false, get = false, keep_ttl = false;
  std::optional<int64_t> expire_at_ms;
};

enum ExpireFlag { kNone = 0, kEx = 1, kPx = 2, kExat = 4, kPxat = 8, kKeepTtl = 16, kPersist = 32 };

int ExpireOptionFlag(std::string_view opt) {
  if (EqualsIgnoreCase(opt, "ex")) return kEx;
  if (EqualsIgnoreCase(opt, "px")) return kPx;
  if (EqualsIgnoreCase(opt, "exat")) return kExat;
  if (EqualsIgnoreCase(opt, "pxat")) return kPxat;
  return kNone;
}

// Parses SET/GETEX options from args[first..]. Replies and returns false on error.
bool ParseSetOptions(CommandContext& ctx, size_t first, bool getex, SetOptions* o) {
  int expire_flag = kNone;
  std::string_view expire_arg;
  const auto& a = ctx.args;
  for (size_t i = first; i < a.size(); ++i) {
    std::string_view opt = a[i];
    bool has_next = i + 1 < a.size();
    if (!getex && EqualsIgnoreCase(opt, "nx") && !o->xx) {
      o->nx = true;
    } else if (!getex && EqualsIgnoreCase(opt, "xx") && !o->nx) {
      o->xx = true;
    } else if (!getex && EqualsIgnoreCase(opt, "get")) {
      o->get = true;
    } else if (!getex && EqualsIgnoreCase(opt, "keepttl") &&
               (expire_flag == kNone || expire_flag == kKeepTtl)) {
      expire_flag = kKeepTtl;
    } else if (getex && EqualsIgnoreCase(opt, "persist") &&
               (expire_flag == kNone || expire_flag == kPersist)) {
      expire_flag = kPersist;
    } else if (int f = ExpireOptionFlag(opt);
               f != kNone && (expire_flag == kNone || expire_flag == f) && has_next) {
      // Like Redis, repeating the same option is allowed (the last value wins); mixing is not.
      expire_flag = f;
      expire_arg = a[++i];
    } else {
      ctx.reply.Error(err::kSyntax);
      return false;
    }
  }
  o->keep_ttl = expire_flag == kKeepTtl;
  if (expire_flag == kPersist) o->expire_at_ms = kPersistMs;
  if (expire_flag & (kEx | kPx | kExat | kPxat)) {
    std::optional<int64_t> when = ParseInt64(expire_arg);
    if (!when) {
      ctx.reply.Error(err::kNotInteger);
      return false;
    }
    std::string name = ToLower(ctx.args[0]);
    std::string invalid = "ERR invalid expire time in '" + name + "' command";
    if (*when <= 0) {
      ctx.reply.Error(invalid);
      return false;
    }
    bool seconds = expire_flag & (kEx | kExat);
    bool absolute = expire_flag & (kExat | kPxat);
    std::optional<int64_t> at = ExpireToAbsoluteMs(
        *when, seconds ? TimeUnit::kSeconds : TimeUnit::kMilliseconds, absolute, ctx.now_ms);
    if (!at) {
      ctx.reply.Error(invalid);
      return false;
    }
    o->expire_at_ms = *at;
  }
  return true;
}

// The shared core of SET, SETNX, SETEX, PSETEX, GETSET (Redis's setGenericCommand).
void SetGeneric(CommandContext& ctx, std::string_view key, std::string_view value,
                const SetOptions& o, bool reply_ok_as_int = false) {
  bool wrong = false;
  StringValue* old = nullptr;
  if (o.get) {
    old = ctx.LookupAs<StringValue>(key, &wrong);
    if (wrong) return;
    std::string scratch;
    if (old == nullptr) {
      ctx.reply.NullBulk();
    } else {
      ctx.reply.Bulk(old->Get(&scratch));
    }
  }
  bool found = ctx.Lookup(key) != nullptr;
  if ((o.nx && found) || (o.xx && !found)) {
    if (reply_ok_as_int) {
      ctx.reply.Integer(0);
    } else if (!o.get) {
      ctx.reply.NullBulk();
    }
    return;
  }
  Op op = ctx.NewOp(key);
  op.clear_key = true;
  // KEEPTTL keeps the TTL of a key that exists. A missing key has none, though this replica may
  // still hold expiry entries of it that outlived a concurrent DEL: whether it does depends on
  // when its garbage collection ran, so keeping them would let replicas disagree on the TTL.
  op.keep_ttl = o.keep_ttl && found;
  op.payload = delta::StrAssign{value};
  if (o.expire_at_ms) op.expire = o.expire_at_ms;
  ctx.Commit(op);
  if (reply_ok_as_int) {
    ctx.reply.Integer(1);
  } else if (!o.get) {
    ctx.reply.Ok();
  }
}

void SetCommand(CommandContext& ctx) {
  SetOptions o;
  if (!ParseSetOptions(ctx, 3, false, &o)) return;
  SetGeneric(ctx, ctx.args[1], ctx.args[2], o);
}

void SetnxCommand(CommandContext& ctx) {
  SetOptions o;
  o.nx = true;
  SetGeneric(ctx, ctx.args[1], ctx.args[2], o, /*reply_ok_as_int=*/true);
}

void SetexGeneric(CommandContext& ctx, TimeUnit unit) {
  std::optional<int64_t> when = ParseInt64(ctx.args[2]);
  if (!when) return ctx.reply.Error(err::kNotInteger);
  std::string invalid = "ERR invalid expire time in '" + std::string(ctx.spec.name) + "' command";
  if (*when <= 0) return ctx.reply.Error(invalid);
  std::optional<int64_t> at = ExpireToAbsoluteMs(*when, unit, false, ctx.now_ms);
  if (!at) return ctx.reply.Error(invalid);
  SetOptions o;
  o.expire_at_ms = *at;
  SetGeneric(ctx, ctx.args[1], ctx.args[3], o);
}

void SetexCommand(CommandContext& ctx) { SetexGeneric(ctx, TimeUnit::kSeconds); }
void PsetexCommand(CommandContext& ctx) { SetexGeneric(ctx, TimeUnit::kMilliseconds); }

void GetsetCommand(CommandContext& ctx) {
  SetOptions o;
  o.get = true;
  SetGeneric(ctx, ctx.args[1], ctx.args[2], o);
}

void GetCommand(CommandContext& ctx) {
  bool wrong = false;
  StringValue* v = ctx.LookupAs<StringValue>(ctx.args[1], &wrong);
  if (wrong) return;
  if (v == nullptr) {
    ++ctx.node.stats().keyspace_misses;
    return ctx.reply.NullBulk();
  }
  ++ctx.node.stats().keyspace_hits;
  std::string scratch;
  ctx.reply.Bulk(v->Get(&scratch));
}

void DeleteKey(CommandContext& ctx, std::string_view key) {
  Op op = ctx.NewOp(key);
  op.clear_key = true;
  ctx.Commit(op);
}

void GetdelCommand(CommandContext& ctx) {
  bool wrong = false;
  StringValue* v = ctx.LookupAs<StringValue>(ctx.args[1], &wrong);
  if (wrong) return;
  if (v == nullptr) return ctx.reply.NullBulk();
  std::string scratch;
  ctx.reply.Bulk(v->Get(&scratch));
  DeleteKey(ctx, ctx.args[1]);
}

void GetexCommand(CommandContext& ctx) {
  SetOptions o;
  if (!ParseSetOptions(ctx, 2, true, &o)) return;
  bool wrong = false;
  std::string_view key = ctx.args[1];
  StringValue* v = ctx.LookupAs<StringValue>(key, &wrong);
  if (wrong) return;
  if (v == nullptr) return ctx.reply.NullBulk();
  std::string scratch;
  ctx.reply.Bulk(v->Get(&scratch));
  if (!o.expire_at_ms) return;
  if (*o.expire_at_ms == kPersistMs) {
    if (!ctx.db().ExpireAtMs(ctx.Lookup(key))) return;
  } else if (*o.expire_at_ms <= ctx.now_ms) {
    return DeleteKey(ctx, key);
  }
  Op op = ctx.NewOp(key);
  op.payload = delta::ExpireOnly{};
  op.expire = o.expire_at_ms;
  ctx.Commit(op);
}

void MgetCommand(CommandContext& ctx) {
  ctx.reply.Array(ctx.args.size() - 1);
  std::string scratch;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    KeyEntry* e = ctx.Lookup(ctx.args[i]);
    if (e == nullptr || e->value->type() != ValueType::kString) {
      ctx.reply.NullBulk();
    } else {
      ctx.reply.Bulk(static_cast<StringValue*>(e->value)->Get(&scratch));
    }
  }
}

void MsetGeneric(CommandContext& ctx, bool nx) {
  if (ctx.args.size() % 2 == 0) return ctx.WrongArity();
  // Warm every key's lookup at once: their cache misses overlap instead of adding up.
  std::array<resp::PeekedArgs, 32> keys;
  size_t n = 0;
  for (size_t i = 1; i < ctx.args.size() && n < keys.size(); i += 2) keys[n++].key = ctx.args[i];
  ctx.db().Prefetch(std::span(keys).first(n));
  if (nx) {
    for (size_t i = 1; i < ctx.args.size(); i += 2) {
      if (ctx.Lookup(ctx.args[i]) != nullptr) return ctx.reply.Integer(0);
    }
  }
  // MSET's keys share one timestamp: they are one write.
  Stamp stamp = ctx.node.NowStamp(ctx.now_ms);
  for (size_t i = 1; i < ctx.args.size(); i += 2) {
    Op op = ctx.NewOp(ctx.args[i], stamp);
    op.clear_key = true;
    op.payload = delta::StrAssign{ctx.args[i + 1]};
    ctx.Commit(op);
  }
  if (nx) return ctx.reply.Integer(1);
  ctx.reply.Ok();
}

void MsetCommand(CommandContext& ctx) { MsetGeneric(ctx, false); }
void MsetnxCommand(CommandContext& ctx) { MsetGeneric(ctx, true); }

// Replaces the string's bytes, keeping its TTL (APPEND, SETRANGE).
void AssignKeepTtl(CommandContext& ctx, std::string_view key, std::string_view value) {
  Op op = ctx.NewOp(key);
  op.payload = delta::StrAssign{value};
  ctx.Commit(op);
}

void AppendCommand(CommandContext& ctx) {
  bool wrong = false;
  std::string_view key = ctx.args[1];
  StringValue* v = ctx.LookupAs<StringValue>(key, &wrong);
  if (wrong) return;
  std::string scratch;
  std::string value(v != nullptr ? v->Get(&scratch) : std::string_view());
  if (static_cast<int64_t>(value.size() + ctx.args[2].size()) > kMaxStringBytes)
    return ctx.reply.Error(err::kStringTooLong);
  value.append(ctx.args[2]);
  AssignKeepTtl(ctx, key, value);
  ctx.reply.Integer(static_cast<int64_t>(value.size()));
}

void StrlenCommand(CommandContext& ctx) {
  bool wrong = false;
  StringValue* v = ctx.LookupAs<StringValue>(ctx.args[1], &wrong);
  if (wrong) return;
  ctx.reply.Integer(v == nullptr ? 0 : static_cast<int64_t>(v->Length()));
}

void GetrangeCommand(CommandContext& ctx) {
  std::optional<int64_t> start = ParseInt64(ctx.args[2]);
  std::optional<int64_t> end = ParseInt64(ctx.args[3]);
  if (!start || !end) return ctx.reply.Error(err::kNotInteger);
  bool wrong = false;
  StringValue* v = ctx.LookupAs<StringValue>(ctx.args[1], &wrong);
  if (wrong) return;
  if (v == nullptr) return ctx.reply.Bulk("");
  std::string scratch;
  std::string_view s = v->Get(&scratch);
  int64_t len = static_cast<int64_t>(s.size());
  int64_t b = *start, e = *end;
  if (b < 0 && e < 0 && b > e) return ctx.reply.Bulk("");
  if (b < 0) b = len + b;
  if (e < 0) e = len + e;
  if (b < 0) b = 0;
  if (e < 0) e = 0;
  if (e >= len) e = len - 1;
  if (b > e || len == 0) return ctx.reply.Bulk("");
  ctx.reply.Bulk(s.substr(b, e - b + 1));
}

void SetrangeCommand(CommandContext& ctx) {
  std::optional<int64_t> offset = ParseInt64(ctx.args[2]);
  if (!offset) return ctx.reply.Error(err::kNotInteger);
  if (*offset < 0) return ctx.reply.Error("ERR offset is out of range");
  std::string_view key = ctx.args[1], patch = ctx.args[3];
  bool wrong = false;
  StringValue* v = ctx.LookupAs<StringValue>(key, &wrong);
  if (wrong) return;
  std::string scratch;
  std::string value(v != nullptr ? v->Get(&scratch) : std::string_view());
  if (patch.empty()) return ctx.reply.Integer(static_cast<int64_t>(value.size()));
  if (*offset + static_cast<int64_t>(patch.size()) > kMaxStringBytes)
    return ctx.reply.Error(err::kStringTooLong);
  size_t need = static_cast<size_t>(*offset) + patch.size();
  if (value.size() < need) value.resize(need, '\0');
  value.replace(static_cast<size_t>(*offset), patch.size(), patch);
  AssignKeepTtl(ctx, key, value);
  ctx.reply.Integer(static_cast<int64_t>(value.size()));
}

void IncrByGeneric(CommandContext& ctx, std::string_view key, int64_t delta) {
  bool wrong = false;
  StringValue* v = ctx.LookupAs<StringValue>(key, &wrong);
  if (wrong) return;
  int64_t current = 0;
  if (v != nullptr) {
    std::optional<int64_t> c = v->AsInteger();
    if (!c) return ctx.reply.Error(err::kNotInteger);
    current = *c;
  }
  int64_t result;
  if (__builtin_add_overflow(current, delta, &result)) return ctx.reply.Error(err::kOverflow);
  Op op = ctx.NewOp(key);
  op.payload = delta::CounterAdd{delta};
  ctx.Commit(op);
  ctx.reply.Integer(result);
}

void IncrCommand(CommandContext& ctx) { IncrByGeneric(ctx, ctx.args[1], 1); }
void DecrCommand(CommandContext& ctx) { IncrByGeneric(ctx, ctx.args[1], -1); }

void IncrbyCommand(CommandContext& ctx) {
  std::optional<int64_t> d = ParseInt64(ctx.args[2]);
  if (!d) return ctx.reply.Error(err::kNotInteger);
  IncrByGeneric(ctx, ctx.args[1], *d);
}

void DecrbyCommand(CommandContext& ctx) {
  std::optional<int64_t> d = ParseInt64(ctx.args[2]);
  if (!d) return ctx.reply.Error(err::kNotInteger);
  if (*d == LLONG_MIN) return ctx.reply.Error("ERR decrement would overflow");
  IncrByGeneric(ctx, ctx.args[1], -*d);
}

void IncrbyfloatCommand(CommandContext& ctx) {
  std::optional<long double> incr = StringValue::ParseLongDouble(ctx.args[2]);
  if (!incr) return ctx.reply.Error(err::kNotFloat);
  std::string_view key = ctx.args[1];
  bool wrong = false;
  StringValue* v = ctx.LookupAs<StringValue>(key, &wrong);
  if (wrong) return;
  long double current = 0;
  if (v != nullptr) {
    std::optional<long double> c = v->AsLongDouble();
    if (!c) return ctx.reply.Error(err::kNotFloat);
    current = *c;
  }
  long double result = current + *incr;
  if (std::isnan(result) || std::isinf(result)) return ctx.reply.Error(err::kIncrNanOrInf);
  Op op = ctx.NewOp(key);
  op.payload = delta::FloatAdd{*incr};
  ctx.Commit(op);
  // Reply with the value the key now holds, from local state.
  std::string scratch;
  StringValue* now = ctx.LookupAs<StringValue>(key, &wrong);
  CHECK(now != nullptr);
  ctx.reply.Bulk(now->Get(&scratch));
}

}  // namespace

void RegisterStringCommands(CommandTable& t) {
  using namespace cmd;
  constexpr uint32_t kW = kWrite | kDenyOom;
  CommandRegistrar r(t, "string");
  r.Keys("get", 2, kReadOnly | kFast, 1, 1, GetCommand, "Returns the string value of a key.",
         "1.0.0");
  r.Keys(
      "set", -3, kW, 1, 1, SetCommand,
      "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
      "1.0.0");
  r.Keys("setnx", 3, kW | kFast, 1, 1, SetnxCommand,
         "Set the string value of a key only when the key doesn't exist.", "1.0.0");
  r.Keys("setex", 4, kW, 1, 1, SetexCommand, "Sets the string value and expiration time of a key.",
         "2.0.0");
  r.Keys("psetex", 4, kW, 1, 1, PsetexCommand,
         "Sets both string value and expiration time in milliseconds of a key.", "2.6.0");
  r.Keys("getset", 3, kW | kFast, 1, 1, GetsetCommand,
         "Returns the previous string value of a key after setting it to a new value.", "1.0.0");
  r.Keys("getdel", 2, kWrite | kFast, 1, 1, GetdelCommand,
         "Returns the string value of a key after deleting the key.", "6.2.0");
  r.Keys("getex", -2, kWrite | kFast, 1, 1, GetexCommand,
         "Returns the string value of a key after setting its expiration time.", "6.2.0");
  r.Keys("mget", -2, kReadOnly | kFast, 1, -1, MgetCommand,
         "Atomically returns the string values of one or more keys.", "1.0.0", "O(N)");
  r.Keys("mset", -3, kW, 1, -1, 2, MsetCommand,
         "Atomically creates or modifies the string values of one or more keys.", "1.0.1", "O(N)");
  r.Keys(
      "msetnx", -3, kW, 1, -1, 2, MsetnxCommand,
      "Atomically modifies the string values of one or more keys only when all keys don't exist.",
      "1.0.1", "O(N)");
  r.Keys("append", 3, kW | kFast, 1, 1, AppendCommand,
         "Appends a string to the value of a key. Creates the key if it doesn't exist.", "2.0.0");
  r.Keys("strlen", 2, kReadOnly | kFast, 1, 1, StrlenCommand,
         "Returns the length of a string value.", "2.2.0");
  r.Keys("substr", 4, kReadOnly, 1, 1, GetrangeCommand, "Returns a substring from a string value.",
         "1.0.0", "O(N)");
  r.Keys("getrange", 4, kReadOnly, 1, 1, GetrangeCommand,
         "Returns a substring of the string stored at a key.", "2.4.0", "O(N)");
  r.Keys("setrange", 4, kW, 1, 1, SetrangeCommand,
         "Overwrites a part of a string value with another by an offset.", "2.2.0");
  r.Keys("incr", 2, kW | kFast, 1, 1, IncrCommand, "Increments the integer value of a key by one.",
         "1.0.0");
  r.Keys("decr", 2, kW | kFast, 1, 1, DecrCommand, "Decrements the integer value of a key by one.",
         "1.0.0");
  r.Keys("incrby", 3, kW | kFast, 1, 1, IncrbyCommand,
         "Increments the integer value of a key by a number.", "1.0.0");
  r.Keys("decrby", 3, kW | kFast, 1, 1, DecrbyCommand,
         "Decrements a number from the integer value of a key.", "1.0.0");
  r.Keys("incrbyfloat", 3, kW | kFast, 1, 1, IncrbyfloatCommand,
         "Increment the floating point value of a key by a number.", "2.6.0");
}

}  // namespace cordis
