// Adapters wired to each other in memory: the same lines Maelstrom would carry, delivered in
// order, with optional dropping, so the tests are deterministic.
#include "maelstrom/adapter.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <vector>

namespace cordis::maelstrom {
namespace {

class MiniMaelstrom {
 public:
  MiniMaelstrom(int n, Bug bug) {
    for (int i = 0; i < n; ++i) names_.push_back("n" + std::to_string(i));
    for (const std::string& name : names_) {
      AdapterOptions o;
      o.bug = bug;
      o.seed = 7;
      nodes_[name] = std::make_unique<Adapter>(o, [this](const std::string& l) { wire_.push_back(l); });
    }
    for (const std::string& name : names_) {
      Json ids = names_;
      Request(name, Json{{"type", "init"}, {"node_id", name}, {"node_ids", ids}});
    }
  }

  // Sends a client request to `node`, delivers everything, and returns the reply body.
  Json Request(const std::string& node, Json body) {
    body["msg_id"] = ++msg_id_;
    Json msg = {{"src", "c1"}, {"dest", node}, {"body", body}};
    nodes_.at(node)->OnLine(msg.dump(), now_us_);
    Deliver();
    return replies_.at(msg_id_);
  }

  // Ticks every node `rounds` times, delivering after each round.
  void Settle(int rounds) {
    for (int r = 0; r < rounds; ++r) {
      now_us_ += 100'000;
      for (auto& [name, a] : nodes_) a->OnTick(now_us_);
      Deliver();
    }
  }

  void set_cut(bool cut) { cut_ = cut; }

 private:
  void Deliver() {
    while (!wire_.empty()) {
      Json m = Json::parse(wire_.front());
      wire_.pop_front();
      std::string dest = m["dest"];
      if (!nodes_.contains(dest)) {
        replies_[m["body"]["in_reply_to"].get<int64_t>()] = m["body"];
        continue;
      }
      if (cut_) continue;  // node-to-node traffic lost
      nodes_[dest]->OnLine(m.dump(), now_us_);
    }
  }

  std::vector<std::string> names_;
  std::map<std::string, std::unique_ptr<Adapter>> nodes_;
  std::deque<std::string> wire_;
  std::map<int64_t, Json> replies_;
  int64_t msg_id_ = 0;
  int64_t now_us_ = 1'700'000'000'000'000;
  bool cut_ = false;
};

TEST(AdapterTest, CountersConvergeAfterACutHeals) {
  MiniMaelstrom m(3, Bug::kNone);
  m.Settle(2);
  m.set_cut(true);
  EXPECT_EQ(m.Request("n0", {{"type", "add"}, {"delta", 5}})["type"], "add_ok");
  EXPECT_EQ(m.Request("n1", {{"type", "add"}, {"delta", -2}})["type"], "add_ok");
  EXPECT_EQ(m.Request("n2", {{"type", "read"}})["code"], 11);  // nothing seen: workload unknown
  m.set_cut(false);
  m.Settle(5);
  for (const char* n : {"n0", "n1", "n2"}) {
    Json r = m.Request(n, {{"type", "read"}});
    EXPECT_EQ(r["type"], "read_ok") << n;
    EXPECT_EQ(r["value"], 3) << n;
  }
}

TEST(AdapterTest, SetsConvergeAndKeepTheJsonOfEachElement) {
  MiniMaelstrom m(2, Bug::kNone);
  m.Request("n0", {{"type", "add"}, {"element", 1}});
  m.Request("n1", {{"type", "add"}, {"element", "two"}});
  m.Settle(3);
  Json r = m.Request("n0", {{"type", "read"}});
  ASSERT_EQ(r["type"], "read_ok");
  std::multiset<std::string> got;
  for (const Json& e : r["value"]) got.insert(e.dump());
  EXPECT_EQ(got, (std::multiset<std::string>{"1", "\"two\""}));
}

TEST(AdapterTest, DroppingRemoteDeltasIsVisible) {
  MiniMaelstrom m(2, Bug::kDropRemoteDeltas);
  m.Request("n0", {{"type", "add"}, {"delta", 4}});
  m.Request("n1", {{"type", "add"}, {"delta", 1}});
  m.Settle(5);
  EXPECT_EQ(m.Request("n0", {{"type", "read"}})["value"], 4);
  EXPECT_EQ(m.Request("n1", {{"type", "read"}})["value"], 1);
}

TEST(AdapterTest, OnlyTheLowestNodeServesLinKv) {
  MiniMaelstrom m(3, Bug::kNone);
  EXPECT_EQ(m.Request("n0", {{"type", "write"}, {"key", 1}, {"value", 9}})["type"], "write_ok");
  m.Settle(3);
  EXPECT_EQ(m.Request("n1", {{"type", "read"}, {"key", 1}})["code"], 11);
  EXPECT_EQ(m.Request("n2", {{"type", "cas"}, {"key", 1}, {"from", 9}, {"to", 1}})["code"], 11);
  EXPECT_EQ(m.Request("n0", {{"type", "cas"}, {"key", 1}, {"from", 8}, {"to", 1}})["code"], 22);
  EXPECT_EQ(m.Request("n0", {{"type", "cas"}, {"key", 2}, {"from", 8}, {"to", 1}})["code"], 20);
  EXPECT_EQ(m.Request("n0", {{"type", "cas"}, {"key", 1}, {"from", 9}, {"to", 1}})["type"], "cas_ok");
  EXPECT_EQ(m.Request("n0", {{"type", "read"}, {"key", 1}})["value"], 1);
}

}  // namespace
}  // namespace cordis::maelstrom
