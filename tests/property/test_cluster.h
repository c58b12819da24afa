// Test support: N full nodes (the real Node) connected by an in-memory network that can lose,
// duplicate, delay and reorder messages and split into two sides. Used by the replication
// properties (tests/property/replication_*_test.cc).
#pragma once

#include <rapidcheck.h>

#include <algorithm>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "core/base/prng.h"
#include "core/keyspace/digest.h"
#include "core/server/node.h"

namespace cordis::cluster_testing {

struct InFlight {
  int64_t deliver_at_us;
  uint64_t order;
  ReplicaId to;
  std::string bytes;  // serialized PeerMessage: the wire form
};

class Cluster {
 public:
  Cluster(int n, uint64_t seed, ReplicationOptions ropts) : rng_(seed) {
    for (int i = 1; i <= n; ++i) {
      NodeOptions o;
      o.replica_id = i;
      o.seed = seed * 31 + i;
      o.start_us = now_us_;
      o.replication = ropts;
      nodes_.push_back(std::make_unique<Node>(o));
    }
    for (auto& a : nodes_)
      for (auto& b : nodes_) a->AddMember(b->replica_id());
    for (auto& node : nodes_) sessions_.push_back(node->OpenSession("c", "s", now_us_));
    Heal();
  }

  Node& node(int i) { return *nodes_[i]; }

  void ForceSnapshot(int from, int to) {
    nodes_[from]->ForceSnapshot(nodes_[to]->replica_id(), now_us_);
    Collect(from);
  }
  int size() const { return static_cast<int>(nodes_.size()); }

  std::string Run(int i, const std::string& cmd) {
    Session* s = sessions_[i];
    s->input += cmd + "\r\n";
    nodes_[i]->ProcessInput(s, now_us_);
    nodes_[i]->FlushReplication();
    Collect(i);
    std::string out;
    out.swap(s->output);
    return out;
  }

  // Moves time forward, ticking nodes and delivering due messages.
  void Advance(int64_t us) {
    int64_t until = now_us_ + us;
    while (now_us_ < until) {
      now_us_ += 10'000;
      for (int i = 0; i < size(); ++i) {
        if (now_us_ / 10000 % 10 == i % 10) {
          nodes_[i]->ReplicationTick(now_us_);
          nodes_[i]->Tick(now_us_);
          Collect(i);
        }
      }
      Deliver();
    }
  }

  // Cuts node i off: every message to or from it is lost until Heal().
  void Isolate(int i) {
    Heal();
    side_[i] = 1;
  }
  // Splits the cluster: nodes [0, first_of_b) on one side, the rest on the other.
  void Split(int first_of_b) {
    Heal();
    for (int i = first_of_b; i < size(); ++i) side_[i] = 1;
  }
  void Heal() { side_.assign(nodes_.size(), 0); }

  void set_faults(double loss, double dup, int64_t max_delay_us) {
    loss_ = loss;
    dup_ = dup;
    max_delay_us_ = max_delay_us;
  }

  // The keys whose digests differ between nodes a and b, with what each holds.
  std::string Explain(int a, int b) {
    std::string out =
        "nodes " + std::to_string(a + 1) + " and " + std::to_string(b + 1) + " differ:\n";
    for (uint32_t db = 0; db < nodes_[a]->db_count(); ++db) {
      std::vector<std::string> keys;
      for (int n : {a, b})
        nodes_[n]->db(db).dict().ForEach([&](KeyEntry* e) { keys.emplace_back(e->key()); });
      std::sort(keys.begin(), keys.end());
      keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
      for (const std::string& k : keys) {
        uint64_t da = KeyDigest(nodes_[a]->db(db), nodes_[a]->db(db).FindEntry(k));
        uint64_t dbb = KeyDigest(nodes_[b]->db(db), nodes_[b]->db(db).FindEntry(k));
        if (da == dbb) continue;
        out += "  db" + std::to_string(db) + " " + k + ": " + Show(a, db, k) + " vs " +
               Show(b, db, k) + "\n";
        for (int n : {a, b}) {
          out += "   log of node " + std::to_string(n + 1) + ":\n";
          const Oplog& log = nodes_[n]->oplog();
          for (uint64_t p = log.begin(); p < log.end(); ++p) {
            const pb::Op& r = log.at(p);
            if (r.key() != k) continue;
            out += "    " + r.ShortDebugString() + "\n";
          }
        }
      }
    }
    out += "  vv: " + Vv(a) + " vs " + Vv(b);
    for (int n : {a, b}) {
      const NodeStats& st = nodes_[n]->stats();
      out += "\n  node " + std::to_string(n + 1) + ": snapshots sent " +
             std::to_string(st.snapshots_sent) + " installed " +
             std::to_string(st.snapshots_installed) + " refused " +
             std::to_string(st.snapshots_refused) + " expired " + std::to_string(st.expired_keys);
    }
    return out;
  }

  std::string Vv(int i) {
    std::ostringstream os;
    os << nodes_[i]->version_vector();
    return os.str();
  }

  std::string Show(int i, uint32_t db, const std::string& k) {
    Session* s = nodes_[i]->OpenSession("x", "y", now_us_);
    s->input = "SELECT " + std::to_string(db) + "\r\nTYPE " + k + "\r\nPTTL " + k + "\r\nGET " + k +
               "\r\nSMEMBERS " + k + "\r\nHGETALL " + k + "\r\nZRANGE " + k +
               " 0 -1 WITHSCORES\r\nLRANGE " + k + " 0 -1\r\n";
    nodes_[i]->ProcessInput(s, now_us_);
    std::string out = s->output;
    nodes_[i]->CloseSession(s);
    for (char& ch : out)
      if (ch == '\r' || ch == '\n') ch = ' ';
    return "[" + out + "]";
  }

  std::vector<uint64_t> Digests() {
    std::vector<uint64_t> d;
    for (auto& n : nodes_) {
      uint64_t sum = 0;
      for (uint32_t db = 0; db < n->db_count(); ++db) sum += KeyspaceDigest(n->db(db)) * (db + 1);
      d.push_back(sum);
    }
    return d;
  }

 private:
  void Collect(int i) {
    for (Outgoing& o : nodes_[i]->TakeOutbox()) {
      if (rng_.Chance(loss_)) continue;
      if (side_[o.to - 1] != side_[i]) continue;
      int copies = rng_.Chance(dup_) ? 2 : 1;
      std::string bytes = o.msg.SerializeAsString();
      for (int c = 0; c < copies; ++c) {
        int64_t delay = max_delay_us_ > 0 ? rng_.Range(0, max_delay_us_) : 0;
        flight_.push_back(InFlight{now_us_ + delay, order_++, o.to, bytes});
      }
    }
  }

  void Deliver() {
    std::vector<InFlight> due, later;
    for (auto& m : flight_) (m.deliver_at_us <= now_us_ ? due : later).push_back(std::move(m));
    flight_ = std::move(later);
    std::sort(due.begin(), due.end(), [](const InFlight& a, const InFlight& b) {
      return std::tie(a.deliver_at_us, a.order) < std::tie(b.deliver_at_us, b.order);
    });
    for (auto& m : due) {
      pb::PeerMessage msg;
      RC_ASSERT(msg.ParseFromString(m.bytes));
      Node& n = *nodes_[m.to - 1];
      absl::Status st = n.OnPeerMessage(msg, now_us_);
      if (!st.ok()) RC_FAIL(std::string(st.message()));
      Collect(static_cast<int>(m.to - 1));
    }
  }

  Prng rng_;
  int64_t now_us_ = 1'700'000'000'000'000;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<Session*> sessions_;
  std::vector<InFlight> flight_;
  uint64_t order_ = 0;
  double loss_ = 0, dup_ = 0;
  std::vector<int> side_;
  int64_t max_delay_us_ = 0;
};

}  // namespace cordis::cluster_testing
