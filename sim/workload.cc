#include "sim/workload.h"

#include "core/base/strings.h"

namespace cordis::sim {
namespace {

enum Family : uint32_t {
  kStrings = 1 << 0,
  kCounters = 1 << 1,
  kLists = 1 << 2,
  kSets = 1 << 3,
  kHashes = 1 << 4,
  kZsets = 1 << 5,
  kTtl = 1 << 6,
  kDel = 1 << 7,
  kFlush = 1 << 8,
  kMulti = 1 << 9,
};
constexpr const char* kFamilyNames[] = {"strings", "counters", "lists", "sets", "hashes",
                                        "zsets",   "ttl",      "del",   "flush", "multi"};

void AppendResp(std::string* out, const std::vector<std::string>& args) {
  StrAppend(out, "*", args.size(), "\r\n");
  for (const std::string& a : args) StrAppend(out, "$", a.size(), "\r\n", a, "\r\n");
}

}  // namespace

std::string Workload::FamilyNames(uint32_t bits) {
  std::string out;
  for (size_t i = 0; i < std::size(kFamilyNames); ++i) {
    if ((bits & (1u << i)) == 0) continue;
    if (!out.empty()) out += ',';
    out += kFamilyNames[i];
  }
  return out;
}

std::string Workload::Key(const char* cls, int n) {
  return StrCat(cls, ":", rng_->Uniform(static_cast<uint64_t>(n)));
}

void Workload::Add(Request* r, const std::vector<std::string>& args) {
  AppendResp(&r->input, args);
  ++r->replies;
  if (!r->text.empty()) r->text += "; ";
  for (size_t i = 0; i < args.size(); ++i) StrAppend(&r->text, i ? " " : "", args[i]);
}

Workload::Cmd Workload::Counter() {
  families_ |= kCounters;
  std::string k = Key("cnt", 4);
  uint64_t roll = rng_->Uniform(100);
  if (roll < 4) return {{"DEL", k}, k};
  if (roll < 7) return {{"SET", k, Int(-1000, 1000)}, k};
  if (roll < 15) return {{"GET", k}, k};
  if (roll < 30) return {{"INCR", k}, k};
  if (roll < 40) return {{"DECR", k}, k};
  if (roll < 55) return {{"DECRBY", k, Int(-50, 50)}, k};
  return {{"INCRBY", k, Int(-100, 100)}, k};
}

Workload::Cmd Workload::Float() {
  families_ |= kCounters;
  std::string k = Key("flt", 2);
  if (rng_->Chance(0.05)) return {{"DEL", k}, k};
  // Quarters add exactly in binary floating point, so the sum does not depend on the order.
  int64_t q = rng_->Range(-40, 40);
  static const char* kFrac[] = {"0", "25", "5", "75"};
  std::string d = StrCat(q < 0 ? "-" : "", (q < 0 ? -q : q) / 4, ".", kFrac[(q < 0 ? -q : q) % 4]);
  return {{"INCRBYFLOAT", k, d}, k};
}

Workload::Cmd Workload::String() {
  families_ |= kStrings;
  std::string k = Key("str", 4);
  switch (rng_->Uniform(10)) {
    case 0:
      return {{"DEL", k}, k};
    case 1:
      return {{"GETSET", k, Value()}, k};
    case 2:
      return {{"APPEND", k, Value()}, k};
    case 3:
      return {{"SETNX", k, Value()}, k};
    case 4:
      return {{"MSET", k, Value(), Key("str", 4), Value()}, k};
    case 5:
      return {{"GET", k}, k};
    default:
      return {{"SET", k, Value()}, k};
  }
}

Workload::Cmd Workload::Set() {
  families_ |= kSets;
  std::string k = Key("set", 4);
  uint64_t roll = rng_->Uniform(100);
  if (roll < 4) return {{"DEL", k}, k};
  if (roll < 12) return {{"SPOP", k}, k};
  if (roll < 17) return {{"SMEMBERS", k}, k};
  if (roll < 40) return {{"SREM", k, Member(12), Member(12)}, k};
  std::vector<std::string> args = {"SADD", k, Member(12)};
  while (args.size() < 5 && rng_->Chance(0.4)) args.push_back(Member(12));
  return {args, k};
}

Workload::Cmd Workload::Hash() {
  families_ |= kHashes;
  std::string k = Key("hash", 3);
  uint64_t roll = rng_->Uniform(100);
  if (roll < 4) return {{"DEL", k}, k};
  if (roll < 10) return {{"HGETALL", k}, k};
  if (roll < 30) return {{"HDEL", k, Member(6)}, k};
  if (roll < 60) return {{"HINCRBY", k, Member(6), Int(-20, 20)}, k};
  std::vector<std::string> args = {"HSET", k, Member(6), Int(-100, 100)};
  if (rng_->Chance(0.3)) {
    args.push_back(Member(6));
    args.push_back(Int(-100, 100));
  }
  return {args, k};
}

Workload::Cmd Workload::List() {
  if (!lists_) return Set();
  families_ |= kLists;
  std::string k = Key("list", 3);
  uint64_t roll = rng_->Uniform(100);
  if (roll < 3) return {{"DEL", k}, k};
  if (roll < 13) return {{"LPOP", k}, k};
  if (roll < 23) return {{"RPOP", k}, k};
  if (roll < 28) return {{"LRANGE", k, "0", "-1"}, k};
  if (roll < 33) return {{"LREM", k, "0", "v" + std::to_string(rng_->Uniform(next_value_ + 1))}, k};
  std::vector<std::string> args = {roll < 65 ? "RPUSH" : "LPUSH", k, Value()};
  while (args.size() < 5 && rng_->Chance(0.4)) args.push_back(Value());
  return {args, k};
}

Workload::Cmd Workload::Ttl() {
  families_ |= kTtl;
  std::string k = Key("ttl", 4);
  switch (rng_->Uniform(10)) {
    case 0:
      return {{"SET", k, Value(), "EX", "1"}, k};
    case 1:
      return {{"EXPIRE", k, Int(1, 3)}, k};
    case 2:
      return {{"PEXPIRE", k, Int(10, 3000)}, k};
    case 3:
      return {{"PERSIST", k}, k};
    case 4:
      return {{"PTTL", k}, k};
    case 5:
      return {{"SET", k, Value()}, k};
    case 6:
      return {{"GET", k}, k};
    default:
      return {{"SET", k, Value(), "PX", Int(10, 2000)}, k};
  }
}

Workload::Cmd Workload::Zset(const std::string& k) {
  families_ |= kZsets;
  switch (rng_->Uniform(6)) {
    case 0:
      return {{"ZREM", k, Member(8)}, k};
    case 1:
      return {{"ZINCRBY", k, Int(-5, 5), Member(8)}, k};
    case 2:
      return {{"ZRANGE", k, "0", "-1", "WITHSCORES"}, k};
    default:
      return {{"ZADD", k, Int(-50, 50), Member(8)}, k};
  }
}

// Any family on a few shared keys: type conflicts, LSET/LINSERT, SETRANGE, float fields, EXPIRE.
Workload::Cmd Workload::Mixed() {
  std::string k = Key("mix", 5);
  switch (rng_->Uniform(16)) {
    case 0:
      families_ |= kStrings;
      return {{"SET", k, Value()}, k};
    case 1:
      families_ |= kStrings;
      return {{"SETRANGE", k, Int(0, 8), Value()}, k};
    case 2:
      families_ |= kCounters;
      return {{"INCRBYFLOAT", k, "1.5"}, k};
    case 3:
      families_ |= kSets;
      return {{"SADD", k, Member(4)}, k};
    case 4:
      families_ |= kSets;
      return {{"SREM", k, Member(4)}, k};
    case 5:
      families_ |= kHashes;
      return {{"HINCRBYFLOAT", k, Member(4), "0.5"}, k};
    case 6:
      families_ |= kHashes;
      return {{"HSET", k, Member(4), Value()}, k};
    case 7:
      if (!lists_) return {{"SADD", k, Member(4)}, k};
      families_ |= kLists;
      return {{"RPUSH", k, Value(), Value()}, k};
    case 8:
      if (!lists_) return {{"SREM", k, Member(4)}, k};
      families_ |= kLists;
      return {{"LSET", k, Int(-2, 2), Value()}, k};
    case 9:
      if (!lists_) return {{"SREM", k, Member(4)}, k};
      families_ |= kLists;
      return {{"LINSERT", k, rng_->Chance(0.5) ? "BEFORE" : "AFTER", "v" + Int(0, 50), Value()},
              k};
    case 10:
      if (!lists_) return {{"SREM", k, Member(4)}, k};
      families_ |= kLists;
      return {{"LTRIM", k, Int(0, 2), Int(-3, 5)}, k};
    case 11:
      return Zset(k);
    case 12:
      families_ |= kTtl;
      return {{"PEXPIRE", k, Int(50, 3000)}, k};
    case 13:
      families_ |= kDel;
      return {{"DEL", k}, k};
    case 14:
      families_ |= kSets;
      return {{"SPOP", k}, k};
    default:
      families_ |= kCounters;
      return {{"INCRBY", k, Int(-3, 3)}, k};
  }
}

Request Workload::Single(Cmd c, ReplyCheck check) {
  Request r;
  r.keys.push_back(c.key);
  if (c.args[0] == "MSET") r.keys.push_back(c.args[3]);
  if (c.args[0] == "DEL") families_ |= kDel;
  const std::string& name = c.args[0];
  if (check == ReplyCheck::kNoError && (name == "INCRBY" || name == "DECRBY" || name == "INCR" ||
                                        name == "DECR")) {
    r.check = ReplyCheck::kIncrBy;
    r.delta = name == "INCR" ? 1 : name == "DECR" ? -1 : std::stoll(c.args[2]);
    if (name == "DECRBY") r.delta = -r.delta;
    Add(&r, {"GET", c.key});
    Add(&r, c.args);
  } else if (check == ReplyCheck::kNoError && name == "SADD") {
    r.check = ReplyCheck::kAddCard;
    Add(&r, {"SCARD", c.key});
    Add(&r, c.args);
    Add(&r, {"SCARD", c.key});
  } else if (check == ReplyCheck::kNoError && (name == "RPUSH" || name == "LPUSH")) {
    r.check = ReplyCheck::kPushLen;
    Add(&r, c.args);
    Add(&r, {"LLEN", c.key});
  } else {
    r.check = check;
    Add(&r, c.args);
  }
  return r;
}

// MULTI with 2-4 commands on oracle keys; EXEC runs them back to back.
Request Workload::Multi() {
  families_ |= kMulti;
  Request r;
  r.check = ReplyCheck::kExec;
  Add(&r, {"MULTI"});
  int n = static_cast<int>(rng_->Range(2, 4));
  for (int i = 0; i < n; ++i) {
    Cmd c;
    switch (rng_->Uniform(4)) {
      case 0:
        c = Counter();
        break;
      case 1:
        c = Set();
        break;
      case 2:
        c = List();
        break;
      default:
        c = Hash();
        break;
    }
    if (c.args[0] == "DEL") families_ |= kDel;
    r.keys.push_back(c.key);
    Add(&r, c.args);
  }
  Add(&r, {"EXEC"});
  return r;
}

Request Workload::Twin(const Request& r) {
  return Single(Cmd{{"SET", r.keys[0], Value()}, r.keys[0]}, ReplyCheck::kNoError);
}

Request Workload::Next() {
  uint64_t roll = rng_->Uniform(1000);
  if (roll < 2) {
    families_ |= kFlush;
    Request r;
    r.check = ReplyCheck::kNoError;
    r.keys.push_back("*");
    Add(&r, {"FLUSHALL"});
    return r;
  }
  if (roll < 150) return Single(Counter(), ReplyCheck::kNoError);
  if (roll < 190) return Single(Float(), ReplyCheck::kNoError);
  if (roll < 290) {
    Request r = Single(String(), ReplyCheck::kNoError);
    r.twin = rng_->Chance(0.2);
    return r;
  }
  if (roll < 420) return Single(Set(), ReplyCheck::kNoError);
  if (roll < 520) return Single(Hash(), ReplyCheck::kNoError);
  if (roll < 630) return Single(List(), ReplyCheck::kNoError);
  if (roll < 720) return Single(Ttl(), ReplyCheck::kNoError);
  if (roll < 780) return Single(Zset(Key("zset", 3)), ReplyCheck::kNoError);
  if (roll < 950) {
    // The mixed keys live in db 0 and db 1; db 1 is sometimes flushed on its own.
    bool db1 = rng_->Chance(0.5);
    Request r;
    if (db1) Add(&r, {"SELECT", "1"});
    if (db1 && rng_->Chance(0.01)) {
      families_ |= kFlush;
      Add(&r, {"FLUSHDB"});
      r.keys.push_back("*1");
    } else {
      Cmd c = Mixed();
      r.keys.push_back(db1 ? "1/" + c.key : c.key);
      Add(&r, c.args);
    }
    if (db1) Add(&r, {"SELECT", "0"});
    r.check = ReplyCheck::kAnyReply;
    return r;
  }
  return Multi();
}

}  // namespace cordis::sim
