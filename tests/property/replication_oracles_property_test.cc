// Per-type oracles over random multi-replica histories with removals (SEMANTICS.md): the test
// records, for every write, the dot of the op it made, and for every removal the context it had
// observed (the replica's version vector before it). After faults heal:
//  - counter: the sum of the increments no DEL observed (nil when none is left);
//  - OR-set: a member is present iff some SADD of it was observed by no SREM of it and no DEL;
//  - LWW register: the SET with the greatest stamp among those no DEL observed (nil if none);
//  - list: exactly the pushed values no DEL observed and no pop returned, in one order everywhere.
// Random snapshot transfers run throughout, so the state join is checked against the oracles too.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/base/prng.h"
#include "core/server/node.h"
#include "tests/property/test_cluster.h"

namespace cordis {
namespace {

using cluster_testing::Cluster;

struct Write {
  Dot dot;
  Stamp stamp;
  std::string value;  // SADD member, SET value, RPUSH value, INCRBY delta
};

struct Removal {
  VersionVector ctx;
  std::string member;  // SREM's member; empty for DEL
};

struct KeyHistory {
  std::vector<Write> writes;
  std::vector<Removal> removals;
  std::set<std::string> popped;  // list values returned by LPOP/RPOP

  bool Removed(const Write& w, bool by_member) const {
    for (const Removal& r : removals)
      if (r.ctx.Covers(w.dot) && (r.member.empty() || (by_member && r.member == w.value)))
        return true;
    return false;
  }
};

// Parses the values of a RESP2 array of bulk strings.
std::vector<std::string> Bulks(const std::string& reply) {
  std::vector<std::string> out;
  size_t pos = reply.find("\r\n") + 2;
  while (pos < reply.size()) {
    size_t len_end = reply.find("\r\n", pos);
    size_t len = std::stoul(reply.substr(pos + 1, len_end - pos - 1));
    out.push_back(reply.substr(len_end + 2, len));
    pos = len_end + 2 + len + 2;
  }
  return out;
}

std::string Bulk(const std::string& v) {
  return "$" + std::to_string(v.size()) + "\r\n" + v + "\r\n";
}

class Recorder {
 public:
  explicit Recorder(Cluster& c) : c_(c) {}

  // Runs cmd on node n; returns the reply. If it made an op, records it as a write of `value`.
  std::string RunWrite(int n, const std::string& key, const std::string& cmd,
                       const std::string& value) {
    Node& node = c_.node(n);
    uint64_t before = node.version_vector().Get(node.replica_id());
    std::string reply = c_.Run(n, cmd);
    uint64_t after = node.version_vector().Get(node.replica_id());
    if (after != before) {
      RC_ASSERT(after == before + 1);
      const pb::Op& rec = node.oplog().at(node.oplog().end() - 1);
      hist_[key].writes.push_back(
          Write{Dot{node.replica_id(), after}, Stamp{rec.hlc(), node.replica_id()}, value});
    }
    return reply;
  }

  std::string RunRemoval(int n, const std::string& key, const std::string& cmd,
                         const std::string& member) {
    VersionVector ctx = c_.node(n).version_vector();
    std::string reply = c_.Run(n, cmd);
    hist_[key].removals.push_back(Removal{std::move(ctx), member});
    return reply;
  }

  KeyHistory& history(const std::string& key) { return hist_[key]; }
  const std::map<std::string, KeyHistory>& all() const { return hist_; }

 private:
  Cluster& c_;
  std::map<std::string, KeyHistory> hist_;
};

void Step(Cluster& c, Recorder& rec, Prng& rng, int nodes, int i) {
  const int n = static_cast<int>(rng.Uniform(nodes));
  const std::string id = std::to_string(i);
  switch (rng.Uniform(10)) {
    case 0: {
      std::string k = "c" + std::to_string(rng.Uniform(2));
      std::string d = std::to_string(rng.Range(-50, 50));
      RC_ASSERT(rec.RunWrite(n, k, "INCRBY " + k + " " + d, d)[0] == ':');
      break;
    }
    case 1: {
      std::string k = "s" + std::to_string(rng.Uniform(2));
      std::string m = "m" + std::to_string(rng.Uniform(6));
      rec.RunWrite(n, k, "SADD " + k + " " + m, m);
      break;
    }
    case 2: {
      std::string k = "s" + std::to_string(rng.Uniform(2));
      std::string m = "m" + std::to_string(rng.Uniform(6));
      rec.RunRemoval(n, k, "SREM " + k + " " + m, m);
      break;
    }
    case 3: {
      std::string k = "r" + std::to_string(rng.Uniform(2));
      RC_ASSERT(rec.RunWrite(n, k, "SET " + k + " v" + id, "v" + id) == "+OK\r\n");
      break;
    }
    case 4:
    case 5: {
      std::string k = "l" + std::to_string(rng.Uniform(2));
      RC_ASSERT(rec.RunWrite(n, k, "RPUSH " + k + " e" + id, "e" + id)[0] == ':');
      break;
    }
    case 6: {
      std::string k = "l" + std::to_string(rng.Uniform(2));
      std::string reply = c.Run(n, (rng.Chance(0.5) ? "LPOP " : "RPOP ") + k);
      if (reply[0] == '$' && reply != "$-1\r\n") {
        std::string v = reply.substr(reply.find("\r\n") + 2);
        rec.history(k).popped.insert(v.substr(0, v.size() - 2));
      }
      break;
    }
    default: {  // DEL of any kind of key
      static const char* kKeys[] = {"c0", "c1", "s0", "s1", "r0", "r1", "l0", "l1"};
      std::string k = kKeys[rng.Uniform(8)];
      rec.RunRemoval(n, k, "DEL " + k, "");
      break;
    }
  }
}

void CheckOracles(Cluster& c, Recorder& rec, int nodes) {
  for (const auto& [key, h] : rec.all()) {
    std::optional<std::string> expected_get;  // for counters and registers
    std::set<std::string> members;
    std::multiset<std::string> elements;
    int64_t sum = 0;
    bool any = false;
    const Write* winner = nullptr;
    for (const Write& w : h.writes) {
      if (h.Removed(w, key[0] == 's')) continue;
      any = true;
      switch (key[0]) {
        case 'c':
          sum += std::stoll(w.value);
          break;
        case 's':
          members.insert(w.value);
          break;
        case 'r':
          if (winner == nullptr || w.stamp > winner->stamp) winner = &w;
          break;
        default:
          if (!h.popped.contains(w.value)) elements.insert(w.value);
      }
    }
    if (key[0] == 'c' && any) expected_get = std::to_string(sum);
    if (key[0] == 'r' && winner != nullptr) expected_get = winner->value;
    for (int n = 0; n < nodes; ++n) {
      if (key[0] == 'c' || key[0] == 'r') {
        std::string got = c.Run(n, "GET " + key);
        RC_ASSERT(got == (expected_get ? Bulk(*expected_get) : "$-1\r\n"));
      } else if (key[0] == 's') {
        std::vector<std::string> got = Bulks(c.Run(n, "SMEMBERS " + key));
        RC_ASSERT(std::set<std::string>(got.begin(), got.end()) == members);
      } else {
        std::string range = c.Run(n, "LRANGE " + key + " 0 -1");
        RC_ASSERT(range == c.Run(0, "LRANGE " + key + " 0 -1"));  // one order everywhere
        std::vector<std::string> got = Bulks(range);
        RC_ASSERT(std::multiset<std::string>(got.begin(), got.end()) == elements);
      }
    }
  }
}

RC_GTEST_PROP(ReplicationOracles, RemovalsRemoveExactlyWhatTheyObserved, ()) {
  const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  const int nodes = *rc::gen::inRange(2, 6);
  const bool snapshots = *rc::gen::arbitrary<bool>();
  Cluster c(nodes, seed, ReplicationOptions{});
  Recorder rec(c);
  Prng rng(seed ^ 0x0a0c1e);
  c.set_faults(0.2, 0.1, 200'000);
  for (int i = 0; i < 300; ++i) {
    Step(c, rec, rng, nodes, i);
    if (rng.Chance(0.3)) c.Advance(rng.Range(0, 50'000));
    if (snapshots && rng.Chance(0.03)) {
      int from = static_cast<int>(rng.Uniform(nodes));
      c.ForceSnapshot(from, static_cast<int>((from + 1 + rng.Uniform(nodes - 1)) % nodes));
    }
  }
  c.set_faults(0, 0, 0);
  c.Advance(5'000'000);
  CheckOracles(c, rec, nodes);
}

}  // namespace
}  // namespace cordis
