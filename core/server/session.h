// A client connection as the core sees it: input and output buffers, protocol state, MULTI queue
// and CLIENT metadata. The driver owns the socket and only moves bytes in and out of the buffers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/resp/request_parser.h"

namespace cordis {

struct Session {
  uint64_t id = 0;
  std::string addr;   // "127.0.0.1:50312"
  std::string laddr;  // "127.0.0.1:6379"
  int64_t fd = -1;    // the driver's socket number, shown by CLIENT LIST
  std::string name;
  std::string lib_name, lib_ver;
  int64_t created_ms = 0;
  int64_t last_interaction_ms = 0;
  int resp = 2;
  uint32_t db = 0;
  std::string_view last_command = "NULL";  // a command table name (static storage)

  // Driver -> core: bytes read from the socket, appended at the end; the core consumes from
  // input_pos and compacts.
  std::string input;
  size_t input_pos = 0;
  resp::RequestParser parser;
  // Core -> driver: reply bytes to write; the driver erases what it wrote.
  std::string output;
  // Set by QUIT, protocol errors and CLIENT KILL: the driver writes `output` and closes.
  bool close_after_reply = false;

  // MULTI state: queued commands are copied (the input buffer moves on).
  bool in_multi = false;
  bool multi_error = false;
  std::vector<std::vector<std::string>> multi_queue;
  // WATCH: each watched key with what it looked like then (core/commands/transaction_commands.cc).
  struct WatchedKey {
    uint32_t db = 0;
    std::string key;
    bool present = false;
    uint64_t digest = 0;       // logical content and deadline (keyspace/digest.h)
    uint64_t max_hlc = 0;      // the greatest stamp in the value: moves on every write, even
    uint32_t max_replica = 0;  // one that rewrites the same content
  };
  std::vector<WatchedKey> watched;
  uint64_t commands_processed = 0;
  // CLIENT REPLY: OFF drops every reply; SKIP drops the next command's reply (reply_skip_next
  // becomes reply_skip once the SKIP command itself is done).
  bool reply_off = false;
  bool reply_skip = false;
  bool reply_skip_next = false;

  // EXEC is running this session's queue: blocking commands answer at once instead of blocking.
  bool in_exec = false;

  // Blocking commands (core/server/blocked_clients.h): while blocked, the session executes
  // nothing more; the node re-runs `blocked_args` when one of its keys is written, or answers
  // with a null at the deadline.
  bool blocked = false;
  bool block_timeout_null_array = true;  // BLPOP-style (null array) or BLMOVE-style (null bulk)
  bool block_timeout_rerun = false;      // at the deadline, re-run with block_timed_out (WAIT)
  bool block_timed_out = false;
  // The sequence number of this session's latest write (WAIT counts the peers that have it).
  uint64_t last_write_seq = 0;
  std::vector<std::string> blocked_args;

  // CLIENT PAUSE: this command (copied out of the input) waits for the pause to end; nothing
  // after it runs before it.
  bool paused = false;
  std::vector<std::string> paused_args;

  // MONITOR: every command the server runs is streamed to this session.
  bool monitor = false;

  // The driver's own object for this session (prod: its connection), for waking it.
  void* driver = nullptr;
};

}  // namespace cordis
