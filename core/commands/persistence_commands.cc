// Persistence commands: SAVE, BGSAVE, BGREWRITEAOF, LASTSAVE. The driver owns the files and does
// the work (PersistenceControl); these parse arguments and shape Redis's replies.
#include <string>

#include "core/base/strings.h"
#include "core/server/command_context.h"
#include "core/server/errors.h"

namespace cordis {
namespace {

constexpr std::string_view kOff = "ERR persistence is not enabled on this server";

PersistenceControl* Control(CommandContext& ctx) {
  PersistenceControl* p = ctx.node.persistence_control();
  if (p == nullptr) ctx.reply.Error(kOff);
  return p;
}

void ReplyError(CommandContext& ctx, const absl::Status& st) {
  ctx.reply.Error(StrCat("ERR ", std::string(st.message())));
}

void SaveCommand(CommandContext& ctx) {
  PersistenceControl* p = Control(ctx);
  if (p == nullptr) return;
  absl::Status st = p->Save();
  if (!st.ok()) return ReplyError(ctx, st);
  ctx.reply.Ok();
}

void BgsaveCommand(CommandContext& ctx) {
  if (ctx.args.size() > 2 || (ctx.args.size() == 2 && !EqualsIgnoreCase(ctx.args[1], "schedule")))
    return ctx.reply.Error(err::kSyntax);
  PersistenceControl* p = Control(ctx);
  if (p == nullptr) return;
  absl::Status st = p->BackgroundSave(/*rewrite=*/false);
  if (st.code() == absl::StatusCode::kAlreadyExists && ctx.args.size() == 2)
    return ctx.reply.Simple("Background saving scheduled");
  if (!st.ok()) return ReplyError(ctx, st);
  ctx.reply.Simple("Background saving started");
}

void BgrewriteaofCommand(CommandContext& ctx) {
  PersistenceControl* p = Control(ctx);
  if (p == nullptr) return;
  absl::Status st = p->BackgroundSave(/*rewrite=*/true);
  if (!st.ok()) return ReplyError(ctx, st);
  ctx.reply.Simple("Background append only file rewriting started");
}

void LastsaveCommand(CommandContext& ctx) {
  PersistenceControl* p = Control(ctx);
  if (p == nullptr) return;
  ctx.reply.Integer(p->LastSaveUnixSeconds());
}

}  // namespace

void RegisterPersistenceCommands(CommandTable& t) {
  using namespace cmd;
  CommandRegistrar r(t, "server");
  r.NoKeys("save", 1, kAdmin | kNoScript | kNoMulti, SaveCommand,
           "Synchronously saves the database(s) to disk.", "1.0.0",
           "O(N) where N is the total number of keys in all databases");
  r.NoKeys("bgsave", -1, kAdmin | kNoScript, BgsaveCommand,
           "Asynchronously saves the database(s) to disk.", "1.0.0",
           "O(1)");
  r.NoKeys("bgrewriteaof", 1, kAdmin | kNoScript, BgrewriteaofCommand,
           "Asynchronously rewrites the append-only file to disk.", "1.0.0", "O(1)");
  r.NoKeys("lastsave", 1, kLoading | kStale | kFast | kRandom, LastsaveCommand,
           "Returns the Unix timestamp of the last successful save to disk.", "1.0.0");
}

}  // namespace cordis
