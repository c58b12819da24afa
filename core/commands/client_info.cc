#include "core/commands/client_info.h"

#include "core/base/strings.h"

namespace cordis {

std::string ClientInfoLine(const Session& s, int64_t now_ms) {
  std::string flags = s.in_multi ? "x" : "N";
  int64_t multi = s.in_multi ? static_cast<int64_t>(s.multi_queue.size()) : -1;
  size_t qbuf = s.input.size() - s.input_pos;
  return StrCat("id=", s.id, " addr=", s.addr, " laddr=", s.laddr, " fd=", s.fd, " name=", s.name,
                " age=", (now_ms - s.created_ms) / 1000,
                " idle=", (now_ms - s.last_interaction_ms) / 1000, " flags=", flags, " db=", s.db,
                " sub=0 psub=0 ssub=0 multi=", multi, " qbuf=", qbuf,
                " qbuf-free=", s.input.capacity() - s.input.size(),
                " argv-mem=0 multi-mem=0 rbs=", s.input.capacity(),
                " rbp=0 obl=0 oll=0 omem=", s.output.size(),
                " tot-mem=", s.input.capacity() + s.output.capacity(),
                " events=r cmd=", s.last_command, " user=default redir=-1 resp=", s.resp,
                " lib-name=", s.lib_name, " lib-ver=", s.lib_ver, "\n");
}

}  // namespace cordis
