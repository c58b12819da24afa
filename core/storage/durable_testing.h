// Test support for durability: a replica on a MemStorage that can crash and recover, random
// commands, and whole-node digests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/base/prng.h"
#include "core/base/strings.h"
#include "core/keyspace/digest.h"
#include "core/server/node.h"
#include "core/storage/durable_log.h"
#include "core/storage/mem_storage.h"
#include "core/storage/recovery.h"

namespace cordis::testing {

// Every database's digest, combined.
inline uint64_t NodeDigest(Node& node) {
  uint64_t h = 0;
  for (uint32_t i = 0; i < node.db_count(); ++i) h = h * 1000003 ^ KeyspaceDigest(node.db(i));
  return h;
}

// Forwards to the real sink and keeps a copy of every record (the reference history).
class TeeSink : public PersistenceSink {
 public:
  TeeSink(PersistenceSink* inner, std::vector<pb::Op>* history) : inner_(inner), history_(history) {}
  void Append(const pb::Op& record) override {
    history_->push_back(record);
    inner_->Append(record);
  }
  void StateReplaced() override { inner_->StateReplaced(); }

 private:
  PersistenceSink* inner_;
  std::vector<pb::Op>* history_;
};

// One replica whose files live in a MemStorage that outlives it (crash, then Open again).
class DurableReplica {
 public:
  DurableReplica(MemStorage* storage, ReplicaId id, DurableLogOptions lopts = {})
      : storage_(storage), id_(id), lopts_(lopts) {}

  // `members`: the replica set, declared before recovery as a replicating driver must.
  absl::Status Open(int64_t now_us, uint64_t seed, RecoveryOptions ropts = {},
                    const std::vector<ReplicaId>& members = {}) {
    log_ = std::make_unique<DurableLog>(*storage_, id_, lopts_);
    tee_ = std::make_unique<TeeSink>(log_.get(), &history_);
    NodeOptions o;
    o.replica_id = id_;
    o.seed = seed;
    o.start_us = now_us;
    o.persistence = tee_.get();
    node_ = std::make_unique<Node>(o);
    for (ReplicaId m : members) node_->AddMember(m);
    absl::StatusOr<RecoveryReport> report = Recover(*storage_, ropts, node_.get());
    if (!report.ok()) return report.status();
    report_ = *report;
    if (absl::Status st = log_->Start(node_.get(), report_, now_us / 1000); !st.ok()) return st;
    session_ = node_->OpenSession("test", "node", now_us);
    return absl::OkStatus();
  }

  std::string Run(const std::string& cmd, int64_t now_us) {
    session_->input += cmd + "\r\n";
    node_->ProcessInput(session_, now_us);
    std::string out;
    out.swap(session_->output);
    return out;
  }

  Node& node() { return *node_; }
  DurableLog& log() { return *log_; }
  const RecoveryReport& report() const { return report_; }
  // Every record this replica's nodes applied, across restarts: after recovery, the caller cuts
  // it to what was recovered.
  std::vector<pb::Op>& history() { return history_; }

 private:
  MemStorage* storage_;
  ReplicaId id_;
  DurableLogOptions lopts_;
  std::vector<pb::Op> history_;
  std::unique_ptr<DurableLog> log_;
  std::unique_ptr<TeeSink> tee_;
  std::unique_ptr<Node> node_;
  Session* session_ = nullptr;
  RecoveryReport report_;
};

// A random write command over a small keyspace of every type.
inline std::string RandomWrite(Prng& rng) {
  std::string k = StrCat(rng.Uniform(6));
  std::string v = StrCat("v", rng.Uniform(100));
  switch (rng.Uniform(16)) {
    case 0: return StrCat("SET s", k, " ", v);
    case 1: return StrCat("DEL s", k, " h", k, " l", k);
    case 2: return StrCat("INCRBY c", k, " ", rng.Range(-5, 5));
    case 3: return StrCat("INCRBYFLOAT f", k, " 1.5");
    case 4: return StrCat("SADD t", k, " ", v, " m", rng.Uniform(4));
    case 5: return StrCat("SREM t", k, " m", rng.Uniform(4));
    case 6: return StrCat("HSET h", k, " f", rng.Uniform(4), " ", v);
    case 7: return StrCat("HINCRBY h", k, " n", rng.Uniform(2), " 3");
    case 8: return StrCat("RPUSH l", k, " ", v, " ", v);
    case 9: return StrCat("LPOP l", k);
    case 10: return StrCat("ZADD z", k, " ", rng.Uniform(50), " m", rng.Uniform(5));
    case 11: return StrCat("ZINCRBY z", k, " 2 m", rng.Uniform(5));
    case 12: return StrCat("PEXPIRE s", k, " ", 1 + rng.Uniform(400));
    case 13: return StrCat("MSET s", k, " ", v, " c", k, " 7");
    case 14: return StrCat("APPEND s", k, " x");
    default: return StrCat("SELECT ", rng.Uniform(2));
  }
}

}  // namespace cordis::testing
