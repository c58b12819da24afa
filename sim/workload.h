// Simulated clients' commands. Keys come in classes so the checkers can judge the outcome:
//
//   cnt:N   integer counters: INCR/INCRBY/DECR/DECRBY, SET to an integer, DEL      (exact model)
//   flt:N   float counters: INCRBYFLOAT by multiples of 1/4 (exact in binary), DEL   (exact model)
//   str:N   strings: SET/MSET/GETSET/APPEND/SETNX, DEL                               (LWW model)
//   set:N   sets: SADD/SREM/SPOP, DEL                                                (OR-set model)
//   hash:N  hashes with integer fields: HSET/HINCRBY/HDEL, DEL                       (OR-map model)
//   list:N  lists of unique values: LPUSH/RPUSH/LPOP/RPOP/LREM, DEL                  (RGA model)
//   ttl:N   strings with deadlines: SET PX/EX, EXPIRE/PEXPIRE/PERSIST                 (expiry oracle)
//   zset:N, mix:N (db 0 and 1) anything of any type, LSET, LINSERT, ZADD/ZINCRBY, type
//           conflicts, FLUSHDB                                                        (convergence)
// plus MULTI/EXEC around a few of the above and a rare FLUSHALL. Every class is DEL'd and flushed
// now and then, so the models must account for observed removes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/prng.h"

namespace cordis::sim {

// How the simulator checks a request's replies against the node's state at that moment.
enum class ReplyCheck {
  kAnyReply,   // any reply but a protocol or arity error (mixed-type keys)
  kNoError,    // no error reply at all (oracle keys)
  kIncrBy,     // replies: GET before, INCRBY -> the second is the first plus `delta`
  kAddCard,    // replies: SCARD before, SADD, SCARD after -> added = after - before
  kPushLen,    // replies: RPUSH/LPUSH, LLEN -> equal
  kExec,       // MULTI, QUEUED..., EXEC -> an array with one reply per queued command
};

struct Request {
  std::string text;     // for traces: the commands, space-separated, ';' between commands
  std::string input;    // RESP bytes for the session (several pipelined commands)
  size_t replies = 0;   // how many replies `input` produces
  std::vector<std::string> keys;  // every key it touches ("*" for FLUSHALL)
  ReplyCheck check = ReplyCheck::kAnyReply;
  int64_t delta = 0;    // kIncrBy: the increment
  bool twin = false;    // also run Workload::Twin(this) on another replica at the same instant
};

class Workload {
 public:
  // lists=false leaves list commands out (a workaround switch while list state joins are broken).
  Workload(Prng* rng, bool lists) : rng_(rng), lists_(lists) {}
  Request Next();
  // A concurrent twin of a string write: the same key, another value.
  Request Twin(const Request& r);
  // Which command families a run has issued (for the summary): bit per Family.
  uint32_t families() const { return families_; }
  static std::string FamilyNames(uint32_t bits);

 private:
  struct Cmd {
    std::vector<std::string> args;
    std::string key;
  };
  Cmd Counter();
  Cmd Float();
  Cmd String();
  Cmd Set();
  Cmd Hash();
  Cmd List();
  Cmd Ttl();
  Cmd Zset(const std::string& key);
  Cmd Mixed();
  Request Single(Cmd c, ReplyCheck check);
  Request Multi();
  void Add(Request* r, const std::vector<std::string>& args);
  std::string Key(const char* cls, int n);
  std::string Value() { return "v" + std::to_string(next_value_++); }
  std::string Int(int64_t lo, int64_t hi) { return std::to_string(rng_->Range(lo, hi)); }
  std::string Member(int pool) { return "m" + std::to_string(rng_->Uniform(pool)); }

  Prng* rng_;
  bool lists_;
  uint64_t next_value_ = 0;
  uint32_t families_ = 0;
};

}  // namespace cordis::sim
