// A small RESP2 reply reader for the simulator's clients and checkers.
//
// reply := '+' line | '-' line | ':' integer | '$' len CRLF bytes CRLF | '$-1' | '*' n reply{n} | '*-1'
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cordis::sim {

struct Reply {
  char type = 0;       // '+', '-', ':', '$', '*'
  bool nil = false;    // $-1 or *-1
  std::string str;     // status, error, or bulk bytes
  int64_t integer = 0;
  std::vector<Reply> elems;

  bool is_error() const { return type == '-'; }
  // For traces: "5", "\"v3\"", "(nil)", "ERR ...", "[a b]".
  std::string Show() const;
};

// Parses every complete reply in `bytes`; false if the bytes are not well-formed RESP or end
// mid-reply.
bool ParseReplies(std::string_view bytes, std::vector<Reply>* out);

}  // namespace cordis::sim
