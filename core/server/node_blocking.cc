// Blocking commands on a Node: parking clients, serving them when their keys are written (by
// local commands or peers' ops), and their timeouts. See core/server/blocked_clients.h.
#include <string>
#include <vector>

#include "core/resp/reply_builder.h"
#include "core/server/node.h"

namespace cordis {

void Node::Block(Session* s, const std::vector<std::string_view>& args,
                 const std::vector<std::string_view>& keys, int64_t deadline_us,
                 bool timeout_null_array) {
  if (s->blocked) {  // a re-run that found nothing again: keep the place in line
    reblocked_ = true;
    return;
  }
  CHECK(!s->in_exec);
  blocked_.Add(s->id, s->db, std::vector<std::string>(keys.begin(), keys.end()), deadline_us);
  s->blocked = true;
  s->block_timeout_null_array = timeout_null_array;
  s->blocked_args.assign(args.begin(), args.end());
}

namespace {
// WAIT's clients wait on a key no command can name: a database number past the last.
constexpr uint32_t kAcksDb = 0xffffffff;
}  // namespace

void Node::BlockForAcks(Session* s, const std::vector<std::string_view>& args,
                        int64_t deadline_us) {
  if (s->blocked) {
    reblocked_ = true;
    return;
  }
  CHECK(!s->in_exec);
  blocked_.Add(s->id, kAcksDb, {std::string()}, deadline_us);
  s->blocked = true;
  s->block_timeout_rerun = true;
  s->blocked_args.assign(args.begin(), args.end());
}

size_t Node::PeersAcknowledged(uint64_t seq) const {
  size_t n = 0;
  for (const auto& [r, peer] : peers_)
    if (peer.have.Get(opts_.replica_id) >= seq) ++n;
  return n;
}

void Node::PeerAcknowledged() { blocked_.Touch(kAcksDb, std::string_view()); }

void Node::Unblock(Session* s) {
  CHECK(s->blocked);
  blocked_.Remove(s->id);
  s->blocked = false;
  s->block_timeout_rerun = false;
  s->block_timed_out = false;
  s->blocked_args.clear();
}

// A client that got its reply goes on with the commands it pipelined after the blocking one.
void Node::Woken(Session* s, int64_t now_us) {
  woken_.push_back(s->id);
  if (s->input_pos < s->input.size()) ProcessInput(s, now_us);
}

void Node::ServeBlocked(int64_t now_us) {
  if (serving_blocked_) return;  // a served client's next commands: the loop below sees them
  serving_blocked_ = true;
  do {
    while (blocked_.has_ready()) {
      for (const std::vector<uint64_t>& waiters : blocked_.TakeReadyWaiters()) {
        for (uint64_t id : waiters) {
          auto it = sessions_.find(id);
          if (it == sessions_.end() || !it->second->blocked) continue;
          Session* s = it->second.get();
          const std::vector<std::string> args = s->blocked_args;
          const std::vector<std::string_view> views(args.begin(), args.end());
          reblocked_ = false;
          rerunning_ = true;
          Dispatch(s, views, now_us);
          rerunning_ = false;
          if (reblocked_) continue;
          Unblock(s);
          Woken(s, now_us);
        }
      }
    }
    for (uint64_t id : blocked_.DueBy(now_us)) {
      Session* s = sessions_.at(id).get();
      if (s->block_timeout_rerun) {
        const std::vector<std::string> args = s->blocked_args;
        s->block_timed_out = true;
        rerunning_ = true;
        Dispatch(s, std::vector<std::string_view>(args.begin(), args.end()), now_us);
        rerunning_ = false;
        Unblock(s);
        Woken(s, now_us);
        continue;
      }
      resp::ReplyBuilder reply(&s->output);
      reply.set_resp3(s->resp == 3);
      if (s->block_timeout_null_array) {
        reply.NullArray();
      } else {
        reply.NullBulk();
      }
      Unblock(s);
      Woken(s, now_us);
    }
  } while (blocked_.has_ready());
  serving_blocked_ = false;
}

std::vector<Session*> Node::TakeWokenSessions() {
  std::vector<Session*> out;
  for (uint64_t id : woken_) {
    auto it = sessions_.find(id);
    if (it != sessions_.end() &&
        std::find(out.begin(), out.end(), it->second.get()) == out.end())
      out.push_back(it->second.get());
  }
  woken_.clear();
  return out;
}

}  // namespace cordis
