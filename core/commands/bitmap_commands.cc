// Bitmap family: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO, argument for
// argument as Redis 7.0's src/bitops.c (the order of its checks decides which error a bad command
// gets). Bitmaps are strings: a write computes the new bytes here and replicates them as an
// assignment of the whole string (LWW, like APPEND and SETRANGE; docs/semantics.md). The bit
// arithmetic lives in bitmap_ops.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "core/commands/arg_parse.h"
#include "core/commands/bitmap_ops.h"
#include "core/crdt/lww_string.h"
#include "core/server/command_context.h"

namespace cordis {
namespace {

constexpr std::string_view kBadOffset = "ERR bit offset is not an integer or out of range";
constexpr std::string_view kBadBit = "ERR bit is not an integer or out of range";
constexpr std::string_view kBadType =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 "
    "is.";

// Redis reads these arguments as C strings: they end at the first NUL byte.
std::string_view CString(std::string_view arg) { return arg.substr(0, arg.find('\0')); }

int64_t MaxBulkLen(CommandContext& ctx) {
  int64_t max_bulk = 512LL * 1024 * 1024;
  auto it = ctx.node.config().find("proto-max-bulk-len");
  if (it != ctx.node.config().end()) max_bulk = ParseInt64(it->second).value_or(max_bulk);
  return max_bulk;
}

// Redis's getBitOffsetFromArgument: a bit offset, or with `hash` "#N" for N fields of `bits`
// bits; the byte it falls in must be below proto-max-bulk-len. Replies and returns false if not.
bool ParseBitOffset(CommandContext& ctx, std::string_view arg, bool hash, int bits,
                    uint64_t* offset) {
  std::string_view p = CString(arg);
  bool use_hash = hash && !p.empty() && p[0] == '#';
  std::optional<int64_t> v = ParseInt64(p.substr(use_hash ? 1 : 0));
  if (!v) return ctx.reply.Error(kBadOffset), false;
  int64_t off = *v;
  if (use_hash)
    off = static_cast<int64_t>(static_cast<uint64_t>(off) * static_cast<uint64_t>(bits));
  if (off < 0 || (off >> 3) >= MaxBulkLen(ctx)) return ctx.reply.Error(kBadOffset), false;
  *offset = static_cast<uint64_t>(off);
  return true;
}

// The string's bytes (a copy), or empty for a missing key. Replies WRONGTYPE and returns false
// for another type.
bool ReadString(CommandContext& ctx, std::string_view key, std::string* out, bool* found) {
  bool wrong = false;
  StringValue* v = ctx.LookupAs<StringValue>(key, &wrong);
  if (wrong) return false;
  *found = v != nullptr;
  std::string scratch;
  out->assign(v != nullptr ? v->Get(&scratch) : std::string_view());
  return true;
}

// Replaces the string's bytes, keeping its TTL (SETBIT, BITFIELD modify the string in place).
void AssignKeepTtl(CommandContext& ctx, std::string_view key, std::string_view value) {
  Op op = ctx.NewOp(key);
  op.payload = delta::StrAssign{value};
  ctx.Commit(op);
}

void SetbitCommand(CommandContext& ctx) {
  uint64_t offset;
  if (!ParseBitOffset(ctx, ctx.args[2], false, 0, &offset)) return;
  std::optional<int64_t> on = ParseInt64(ctx.args[3]);
  if (!on || (*on & ~int64_t{1}) != 0) return ctx.reply.Error(kBadBit);
  std::string_view key = ctx.args[1];
  std::string value;
  bool found;
  if (!ReadString(ctx, key, &value, &found)) return;
  const size_t need = static_cast<size_t>(offset >> 3) + 1;
  bool dirty = !found || value.size() < need;  // created or grown
  if (value.size() < need) value.resize(need, '\0');
  bool old = bitmap::GetBit(value, offset);
  // Like Redis, an unchanged bit of an unchanged string is not a write (no op, WATCH holds).
  if (dirty || old != (*on == 1)) {
    bitmap::SetBit(&value, offset, *on == 1);
    AssignKeepTtl(ctx, key, value);
  }
  ctx.reply.Integer(old ? 1 : 0);
}

void GetbitCommand(CommandContext& ctx) {
  uint64_t offset;
  if (!ParseBitOffset(ctx, ctx.args[2], false, 0, &offset)) return;
  bool wrong = false;
  StringValue* v = ctx.LookupAs<StringValue>(ctx.args[1], &wrong);
  if (wrong) return;
  if (v == nullptr) return ctx.reply.Integer(0);
  std::string scratch;
  ctx.reply.Integer(bitmap::GetBit(v->Get(&scratch), offset) ? 1 : 0);
}

// BIT or BYTE; replies a syntax error and returns false otherwise.
bool ParseUnit(CommandContext& ctx, std::string_view arg, bool* is_bit) {
  if (EqualsIgnoreCase(CString(arg), "bit")) {
    *is_bit = true;
  } else if (EqualsIgnoreCase(CString(arg), "byte")) {
    *is_bit = false;
  } else {
    return ctx.reply.Error(err::kSyntax), false;
  }
  return true;
}

// BITCOUNT key [start end [BYTE | BIT]]. As in Redis 7.0, a missing key answers 0 before the
// range is even parsed.
void BitcountCommand(CommandContext& ctx) {
  bool wrong = false;
  StringValue* v = ctx.LookupAs<StringValue>(ctx.args[1], &wrong);
  if (wrong) return;
  if (v == nullptr) return ctx.reply.Integer(0);
  std::string scratch;
  std::string_view s = v->Get(&scratch);
  const size_t argc = ctx.args.size();
  int64_t start = 0, end = static_cast<int64_t>(s.size()) - 1;
  int skip_head = 0, skip_tail = 0;
  if (argc == 4 || argc == 5) {
    std::optional<int64_t> a = ParseInt64(ctx.args[2]);
    if (!a) return ctx.reply.Error(err::kNotInteger);
    std::optional<int64_t> b = ParseInt64(ctx.args[3]);
    if (!b) return ctx.reply.Error(err::kNotInteger);
    bool is_bit = false;
    if (argc == 5 && !ParseUnit(ctx, ctx.args[4], &is_bit)) return;
    int64_t total = static_cast<int64_t>(s.size()) * (is_bit ? 8 : 1);
    if (*a < 0 && *b < 0 && *a > *b) return ctx.reply.Integer(0);
    bitmap::Range r = bitmap::NormalizeRange(*a, *b, total);
    start = r.start;
    end = r.end;
    if (is_bit && !r.empty()) {
      skip_head = static_cast<int>(start & 7);
      skip_tail = static_cast<int>(7 - (end & 7));
      start >>= 3;
      end >>= 3;
    }
  } else if (argc != 2) {
    return ctx.reply.Error(err::kSyntax);
  }
  if (start > end) return ctx.reply.Integer(0);
  ctx.reply.Integer(bitmap::CountBits(s, static_cast<uint64_t>(start), static_cast<uint64_t>(end),
                                      skip_head, skip_tail));
}

// BITPOS key bit [start [end [BYTE | BIT]]]. A missing key is an endless run of zeros.
void BitposCommand(CommandContext& ctx) {
  std::optional<int64_t> bit = ParseInt64(ctx.args[2]);
  if (!bit) return ctx.reply.Error(err::kNotInteger);
  if (*bit != 0 && *bit != 1) return ctx.reply.Error("ERR The bit argument must be 1 or 0.");
  bool wrong = false;
  StringValue* v = ctx.LookupAs<StringValue>(ctx.args[1], &wrong);
  if (wrong) return;
  if (v == nullptr) return ctx.reply.Integer(*bit ? -1 : 0);
  std::string scratch;
  std::string_view s = v->Get(&scratch);
  const size_t argc = ctx.args.size();
  const int64_t len = static_cast<int64_t>(s.size());
  bool is_bit = false, end_given = false;
  int64_t first_bit = 0, last_bit = len * 8 - 1;
  if (argc >= 4 && argc <= 6) {
    std::optional<int64_t> start = ParseInt64(ctx.args[3]);
    if (!start) return ctx.reply.Error(err::kNotInteger);
    if (argc == 6 && !ParseUnit(ctx, ctx.args[5], &is_bit)) return;
    int64_t total = is_bit ? len * 8 : len;
    int64_t end = total - 1;
    if (argc >= 5) {
      std::optional<int64_t> e = ParseInt64(ctx.args[4]);
      if (!e) return ctx.reply.Error(err::kNotInteger);
      end = *e;
      end_given = true;
    }
    bitmap::Range r = bitmap::NormalizeRange(*start, end, total);
    // An empty range holds neither a 0 nor a 1.
    if (r.empty()) return ctx.reply.Integer(-1);
    first_bit = is_bit ? r.start : r.start * 8;
    last_bit = is_bit ? r.end : r.end * 8 + 7;
  } else if (argc != 3) {
    return ctx.reply.Error(err::kSyntax);
  }
  if (first_bit > last_bit) return ctx.reply.Integer(-1);  // the empty string
  int64_t pos = bitmap::FindBit(s, static_cast<uint64_t>(first_bit),
                                static_cast<uint64_t>(last_bit), *bit == 1);
  // Looking for a 0 without an explicit end treats the string as padded with zeros on the right:
  // the answer is then the first bit past the range.
  if (pos == -1 && *bit == 0 && !end_given) pos = last_bit + 1;
  ctx.reply.Integer(pos);
}

// BITOP op destkey key [key ...]: missing sources are empty strings; an empty result deletes the
// destination. The destination is overwritten whatever its type, and loses its TTL (like SET).
void BitopCommand(CommandContext& ctx) {
  std::string_view name = CString(ctx.args[1]);
  bitmap::BitOp op;
  if (EqualsIgnoreCase(name, "and")) {
    op = bitmap::BitOp::kAnd;
  } else if (EqualsIgnoreCase(name, "or")) {
    op = bitmap::BitOp::kOr;
  } else if (EqualsIgnoreCase(name, "xor")) {
    op = bitmap::BitOp::kXor;
  } else if (EqualsIgnoreCase(name, "not")) {
    op = bitmap::BitOp::kNot;
  } else {
    return ctx.reply.Error(err::kSyntax);
  }
  if (op == bitmap::BitOp::kNot && ctx.args.size() != 4)
    return ctx.reply.Error("ERR BITOP NOT must be called with a single source key.");
  std::vector<std::string> values(ctx.args.size() - 3);
  for (size_t j = 3; j < ctx.args.size(); ++j) {
    bool found;
    if (!ReadString(ctx, ctx.args[j], &values[j - 3], &found)) return;
  }
  std::vector<std::string_view> sources(values.begin(), values.end());
  std::string result = bitmap::Apply(op, sources);
  std::string_view dest = ctx.args[2];
  if (!result.empty()) {
    Op w = ctx.NewOp(dest);
    w.clear_key = true;
    w.payload = delta::StrAssign{result};
    ctx.Commit(w);
  } else if (ctx.Lookup(dest) != nullptr) {
    Op del = ctx.NewOp(dest);
    del.clear_key = true;
    ctx.Commit(del);
  }
  ctx.reply.Integer(static_cast<int64_t>(result.size()));
}

// Redis's getBitfieldTypeFromArgument: i1..i64 or u1..u63, the letter in lower case.
bool ParseFieldType(CommandContext& ctx, std::string_view arg, bool* is_signed, int* bits) {
  std::string_view p = CString(arg);
  if (p.empty() || (p[0] != 'i' && p[0] != 'u')) return ctx.reply.Error(kBadType), false;
  *is_signed = p[0] == 'i';
  std::optional<int64_t> n = ParseInt64(p.substr(1));
  if (!n || *n < 1 || *n > (*is_signed ? 64 : 63)) return ctx.reply.Error(kBadType), false;
  *bits = static_cast<int>(*n);
  return true;
}

struct FieldOp {
  enum Code { kGet, kSet, kIncrby } code;
  uint64_t offset;
  int64_t value;  // SET's value or INCRBY's increment
  bitmap::Overflow overflow;
  int bits;
  bool is_signed;
};

// Runs one SET or INCRBY on *s (long enough) and replies: the old value for SET, the new one for
// INCRBY, or a null when the OVERFLOW FAIL policy refuses it (nothing is written then). Returns
// whether the field changed.
bool RunFieldWrite(CommandContext& ctx, const FieldOp& f, std::string* s) {
  const bool incr = f.code == FieldOp::kIncrby;
  int overflow;
  if (f.is_signed) {
    int64_t old = bitmap::GetSigned(*s, f.offset, f.bits), limit = 0, next, ret;
    if (incr) {
      overflow = bitmap::CheckSignedOverflow(old, f.value, f.bits, f.overflow, &limit);
      next =
          overflow
              ? limit
              : static_cast<int64_t>(static_cast<uint64_t>(old) + static_cast<uint64_t>(f.value));
      ret = next;
    } else {
      next = f.value;
      overflow = bitmap::CheckSignedOverflow(next, 0, f.bits, f.overflow, &limit);
      if (overflow) next = limit;
      ret = old;
    }
    if (overflow && f.overflow == bitmap::Overflow::kFail) return ctx.reply.NullBulk(), false;
    ctx.reply.Integer(ret);
    bitmap::SetSigned(s, f.offset, f.bits, next);
    return old != next;
  } else {
    uint64_t old = bitmap::GetUnsigned(*s, f.offset, f.bits), limit = 0, next, ret;
    if (incr) {
      next = old + static_cast<uint64_t>(f.value);
      overflow = bitmap::CheckUnsignedOverflow(old, f.value, f.bits, f.overflow, &limit);
      if (overflow) next = limit;
      ret = next;
    } else {
      next = static_cast<uint64_t>(f.value);
      overflow = bitmap::CheckUnsignedOverflow(next, 0, f.bits, f.overflow, &limit);
      if (overflow) next = limit;
      ret = old;
    }
    if (overflow && f.overflow == bitmap::Overflow::kFail) return ctx.reply.NullBulk(), false;
    ctx.reply.Integer(static_cast<int64_t>(ret));
    bitmap::SetUnsigned(s, f.offset, f.bits, next);
    return old != next;
  }
}

// BITFIELD key [GET type offset | [OVERFLOW WRAP|SAT|FAIL] SET type offset value | INCRBY type
// offset increment ...]: every subcommand is parsed before the key is looked at; the ops run in
// order on one copy of the string, and any SET/INCRBY first grows it to the farthest field
// written (even if OVERFLOW FAIL then refuses every write, as in Redis).
void BitfieldGeneric(CommandContext& ctx, bool read_only_command) {
  const auto& a = ctx.args;
  std::vector<FieldOp> ops;
  bitmap::Overflow overflow = bitmap::Overflow::kWrap;
  bool readonly = true;
  uint64_t highest_write = 0;
  for (size_t j = 2; j < a.size(); ++j) {
    const size_t remaining = a.size() - j - 1;
    std::string_view sub = CString(a[j]);
    FieldOp f{};
    if (EqualsIgnoreCase(sub, "get") && remaining >= 2) {
      f.code = FieldOp::kGet;
    } else if (EqualsIgnoreCase(sub, "set") && remaining >= 3) {
      f.code = FieldOp::kSet;
    } else if (EqualsIgnoreCase(sub, "incrby") && remaining >= 3) {
      f.code = FieldOp::kIncrby;
    } else if (EqualsIgnoreCase(sub, "overflow") && remaining >= 1) {
      std::string_view mode = CString(a[++j]);
      if (EqualsIgnoreCase(mode, "wrap")) {
        overflow = bitmap::Overflow::kWrap;
      } else if (EqualsIgnoreCase(mode, "sat")) {
        overflow = bitmap::Overflow::kSat;
      } else if (EqualsIgnoreCase(mode, "fail")) {
        overflow = bitmap::Overflow::kFail;
      } else {
        return ctx.reply.Error("ERR Invalid OVERFLOW type specified");
      }
      continue;
    } else {
      return ctx.reply.Error(err::kSyntax);
    }
    if (!ParseFieldType(ctx, a[j + 1], &f.is_signed, &f.bits)) return;
    if (!ParseBitOffset(ctx, a[j + 2], true, f.bits, &f.offset)) return;
    if (f.code != FieldOp::kGet) {
      readonly = false;
      highest_write = std::max(highest_write, f.offset + f.bits - 1);
      std::optional<int64_t> v = ParseInt64(a[j + 3]);
      if (!v) return ctx.reply.Error(err::kNotInteger);
      f.value = *v;
    }
    f.overflow = overflow;
    ops.push_back(f);
    j += f.code == FieldOp::kGet ? 2 : 3;
  }
  if (!readonly && read_only_command)
    return ctx.reply.Error("ERR BITFIELD_RO only supports the GET subcommand");
  std::string_view key = a[1];
  std::string value, scratch;
  std::string_view view;  // what GET reads: the stored bytes (reads only) or `value`
  bool changed = false;   // created, grown or a field changed: a write (as Redis signals it)
  if (readonly) {
    bool wrong = false;
    StringValue* v = ctx.LookupAs<StringValue>(key, &wrong);
    if (wrong) return;
    if (v != nullptr) view = v->Get(&scratch);
  } else {
    bool found;
    if (!ReadString(ctx, key, &value, &found)) return;
    const size_t need = static_cast<size_t>(highest_write >> 3) + 1;
    changed = !found || value.size() < need;
    if (value.size() < need) value.resize(need, '\0');
  }
  ctx.reply.Array(ops.size());
  for (const FieldOp& f : ops) {
    if (f.code != FieldOp::kGet) {
      changed |= RunFieldWrite(ctx, f, &value);
      continue;
    }
    std::string_view s = readonly ? view : std::string_view(value);
    if (f.is_signed) {
      ctx.reply.Integer(bitmap::GetSigned(s, f.offset, f.bits));
    } else {
      ctx.reply.Integer(static_cast<int64_t>(bitmap::GetUnsigned(s, f.offset, f.bits)));
    }
  }
  // Like Redis, writes that leave the string as it was (all refused by FAIL, or rewriting the same
  // values) are not a write: no op, and a WATCH on the key holds.
  if (changed) AssignKeepTtl(ctx, key, value);
}

void BitfieldCommand(CommandContext& ctx) { BitfieldGeneric(ctx, false); }
void BitfieldRoCommand(CommandContext& ctx) { BitfieldGeneric(ctx, true); }

}  // namespace

void RegisterBitmapCommands(CommandTable& t) {
  using namespace cmd;
  constexpr uint32_t kW = kWrite | kDenyOom;
  CommandRegistrar r(t, "bitmap");
  r.Key("setbit", 4, kW, SetbitCommand,
        "Sets or clears the bit at offset of the string value. Creates the key if it doesn't "
        "exist.",
        "2.2.0");
  r.Key("getbit", 3, kReadOnly | kFast, GetbitCommand, "Returns a bit value by offset.", "2.2.0");
  r.Key("bitcount", -2, kReadOnly, BitcountCommand,
        "Counts the number of set bits (population counting) in a string.", "2.6.0", "O(N)");
  r.Key("bitpos", -3, kReadOnly, BitposCommand,
        "Finds the first set (1) or clear (0) bit in a string.", "2.8.7", "O(N)");
  r.Keys("bitop", -4, kW, 2, -1, BitopCommand,
         "Performs bitwise operations on multiple strings, and stores the result.", "2.6.0",
         "O(N)");
  r.Key("bitfield", -2, kW, BitfieldCommand,
        "Performs arbitrary bitfield integer operations on strings.", "3.2.0",
        "O(1) for each subcommand specified");
  r.Key("bitfield_ro", -2, kReadOnly | kFast, BitfieldRoCommand,
        "Performs arbitrary read-only bitfield integer operations on strings.", "6.0.0",
        "O(1) for each subcommand specified");
}

}  // namespace cordis
