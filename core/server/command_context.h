// What a handler sees: the arguments, the session, the node, the reply builder and the time.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/keyspace/keyspace.h"
#include "core/resp/reply_builder.h"
#include "core/server/command.h"
#include "core/server/errors.h"
#include "core/server/node.h"
#include "core/server/session.h"

namespace cordis {

class CommandContext {
 public:
  CommandContext(Node& node, Session& session, resp::ReplyBuilder& reply,
                 const std::vector<std::string_view>& args, const CommandSpec& spec, int64_t now_us)
      : node(node),
        session(session),
        reply(reply),
        args(args),
        spec(spec),
        now_us(now_us),
        now_ms(now_us / 1000) {}

  Node& node;
  Session& session;
  resp::ReplyBuilder& reply;
  const std::vector<std::string_view>& args;  // args[0] is the command name as sent
  const CommandSpec& spec;
  const int64_t now_us;
  const int64_t now_ms;

  Keyspace& db() { return node.db(session.db); }

  // The live entry for key, or nullptr (an expired key is deleted first, as Redis does).
  KeyEntry* Lookup(std::string_view key) {
    KeyEntry* e = db().FindEntry(key);
    if (e == nullptr || e->value == nullptr) return nullptr;
    if (node.ExpireIfNeeded(session.db, e, now_ms)) return nullptr;
    return e;
  }

  // Lookup in another database (COPY ... DB, MOVE, SWAPDB).
  KeyEntry* LookupIn(uint32_t db_index, std::string_view key) {
    KeyEntry* e = node.db(db_index).FindEntry(key);
    if (e == nullptr || e->value == nullptr) return nullptr;
    if (node.ExpireIfNeeded(db_index, e, now_ms)) return nullptr;
    return e;
  }

  // The live value of key if it has `type`. Missing: nullptr. Other type: replies WRONGTYPE,
  // sets *wrong_type and returns nullptr.
  template <typename T>
  T* LookupAs(std::string_view key, bool* wrong_type) {
    *wrong_type = false;
    KeyEntry* e = Lookup(key);
    if (e == nullptr) return nullptr;
    if (e->value->type() != T::kType) {
      *wrong_type = true;
      reply.Error(err::kWrongType);
      return nullptr;
    }
    return static_cast<T*>(e->value);
  }

  // A write to a key that does not exist here starts it afresh: the op also removes what this
  // replica still holds of the key unseen by readers (expiry entries that outlived a concurrent
  // DEL, list tombstones). Replicas that already dropped those agree with ones that did not.
  Op NewOp(std::string_view key) { return Fresh(node.NewOp(session.db, key, now_ms)); }
  Op NewOp(std::string_view key, Stamp stamp) { return Fresh(node.NewOp(session.db, key, stamp)); }
  // A write to a key of another database (COPY ... DB, MOVE, SWAPDB).
  Op NewOpIn(uint32_t db_index, std::string_view key) {
    return Fresh(node.NewOp(db_index, key, now_ms));
  }
  KeyEntry* Commit(const Op& op) { return node.Commit(op); }

  void WrongArity() { reply.Error(err::WrongArity(spec.name)); }

  // A HELP reply: one simple string per line, as Redis's addReplyHelp.
  void ReplyHelp(std::span<const std::string_view> lines) {
    reply.Array(lines.size());
    for (std::string_view line : lines) reply.Simple(line);
  }

 private:
  Op Fresh(Op op) {
    KeyEntry* e = node.db(op.db).FindEntry(op.key);
    if (e == nullptr || e->value == nullptr) op.clear_key = true;
    return op;
  }
};

}  // namespace cordis
