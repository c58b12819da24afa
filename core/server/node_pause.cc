// CLIENT PAUSE / UNPAUSE / KILL, and the node's cached settings for SLOWLOG and LATENCY.
//
// A paused command is one Redis would postpone (processCommand's BLOCKED_POSTPONE): with PAUSE
// ALL every known command, with PAUSE WRITE the commands that write, and EXEC when its queue
// holds one. Unknown commands and arity errors are answered at once, as Redis does. The waiting
// command keeps its place: nothing the client pipelined after it runs before it.
#include <algorithm>

#include "core/base/strings.h"
#include "core/commands/arg_parse.h"
#include "core/commands/config_params.h"
#include "core/server/node.h"

namespace cordis {

void Node::PauseClients(int64_t end_us, bool all) {
  pause_end_us_ = std::max(pause_end_us_, end_us);
  pause_all_ = pause_all_ || all;
}

void Node::UnpauseClients(int64_t now_us) {
  pause_end_us_ = 0;
  pause_all_ = false;
  std::vector<uint64_t> waiting;
  waiting.swap(paused_);
  for (uint64_t id : waiting) {
    auto it = sessions_.find(id);
    if (it == sessions_.end()) continue;
    Session* s = it->second.get();
    if (!s->paused) continue;
    s->paused = false;
    std::vector<std::string> owned;
    owned.swap(s->paused_args);
    std::vector<std::string_view> args(owned.begin(), owned.end());
    RunRequest(s, args, now_us);
    Woken(s, now_us);  // its reply goes out, and what it pipelined after runs
  }
}

bool Node::MustWaitForPause(const Session& s, const std::vector<std::string_view>& args) const {
  (void)s;
  const CommandSpec* spec = commands_.Find(args[0]);
  if (spec == nullptr) return false;
  int argc = static_cast<int>(args.size());
  if ((spec->arity > 0 && argc != spec->arity) || (spec->arity < 0 && argc < -spec->arity))
    return false;
  if (pause_all_) return true;
  if (spec->flags & cmd::kWrite) return true;
  if (spec->name == "exec") {
    for (const auto& queued : s.multi_queue) {
      const CommandSpec* q = commands_.Find(queued[0]);
      if (q != nullptr && (q->flags & cmd::kWrite)) return true;
    }
  }
  return false;
}

int64_t Node::NextBlockDeadlineUs() const {
  int64_t d = blocked_.NextDeadlineUs();
  if (pause_end_us_ != 0 && (d == 0 || pause_end_us_ < d)) d = pause_end_us_;
  return d;
}

void Node::KillSession(Session* s) {
  s->close_after_reply = true;
  woken_.push_back(s->id);
}

void Node::ConfigChanged() {
  auto number = [&](std::string_view name) -> int64_t {
    auto it = config_.find(std::string(name));
    if (it != config_.end())
      if (std::optional<int64_t> v = ParseInt64(it->second)) return *v;
    const ConfigParam* p = FindConfigParam(name);
    CHECK(p != nullptr);
    return ParseInt64(p->default_value).value_or(0);
  };
  slowlog_threshold_us_ = number("slowlog-log-slower-than");
  slowlog_max_len_ = static_cast<size_t>(std::max<int64_t>(0, number("slowlog-max-len")));
  latency_threshold_ms_ = number("latency-monitor-threshold");
  slowlog_.Trim(slowlog_max_len_);
}

}  // namespace cordis
