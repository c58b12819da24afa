// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the longest common subsequence of
// two strings, by Redis 7.0's lcsCommand (src/t_string.c) step for step, including the way it
// walks the table back and emits match ranges (a match that does not extend the current range
// closes it and is not itself the start of the next one, exactly as Redis does).
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/commands/arg_parse.h"
#include "core/crdt/lww_string.h"
#include "core/server/command_context.h"

namespace cordis {
namespace {

struct LcsOptions {
  bool len = false, idx = false, withmatchlen = false;
  int64_t minmatchlen = 0;
};

bool ParseLcsOptions(CommandContext& ctx, LcsOptions* o) {
  const auto& a = ctx.args;
  for (size_t j = 3; j < a.size(); ++j) {
    const bool more = j + 1 < a.size();
    if (EqualsIgnoreCase(a[j], "idx")) {
      o->idx = true;
    } else if (EqualsIgnoreCase(a[j], "len")) {
      o->len = true;
    } else if (EqualsIgnoreCase(a[j], "withmatchlen")) {
      o->withmatchlen = true;
    } else if (EqualsIgnoreCase(a[j], "minmatchlen") && more) {
      std::optional<int64_t> v = ParseInt64(a[++j]);
      if (!v) return ctx.reply.Error(err::kNotInteger), false;
      o->minmatchlen = *v < 0 ? 0 : *v;
    } else {
      return ctx.reply.Error(err::kSyntax), false;
    }
  }
  if (o->idx && o->len) {
    ctx.reply.Error("ERR If you want both the length and indexes, please just use IDX.");
    return false;
  }
  return true;
}

struct Match {
  uint32_t a_start, a_end, b_start, b_end;
};

struct Lcs {
  std::string text;
  std::vector<Match> matches;  // from the ends of the strings backwards, as Redis emits them
};

// The DP table and Redis's backwards walk over it (see the top of the file).
Lcs ComputeLcs(const std::string& a, const std::string& b, int64_t minmatchlen) {
  const uint64_t alen = a.size(), blen = b.size();
  std::vector<uint32_t> table((alen + 1) * (blen + 1));
  auto at = [&](uint64_t i, uint64_t j) -> uint32_t& { return table[j + i * (blen + 1)]; };
  for (uint64_t i = 1; i <= alen; ++i) {
    for (uint64_t j = 1; j <= blen; ++j) {
      at(i, j) = a[i - 1] == b[j - 1] ? at(i - 1, j - 1) + 1 : std::max(at(i - 1, j), at(i, j - 1));
    }
  }
  Lcs out;
  uint32_t idx = at(alen, blen);
  out.text.assign(idx, '\0');
  const uint32_t unset = static_cast<uint32_t>(alen);
  uint32_t as = unset, ae = 0, bs = 0, be = 0;
  uint64_t i = alen, j = blen;
  while (i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      out.text[idx - 1] = a[i - 1];
      if (as == unset) {
        as = ae = static_cast<uint32_t>(i - 1);
        bs = be = static_cast<uint32_t>(j - 1);
      } else if (as == i && bs == j) {
        --as;
        --bs;
      } else {
        emit = true;
      }
      if (as == 0 || bs == 0) emit = true;
      --idx;
      --i;
      --j;
    } else {
      if (at(i - 1, j) > at(i, j - 1)) {
        --i;
      } else {
        --j;
      }
      if (as != unset) emit = true;
    }
    if (emit) {
      const uint64_t match_len = ae - as + 1;
      if (minmatchlen == 0 || match_len >= static_cast<uint64_t>(minmatchlen))
        out.matches.push_back({as, ae, bs, be});
      as = unset;
    }
  }
  return out;
}

void LcsCommand(CommandContext& ctx) {
  KeyEntry* ea = ctx.Lookup(ctx.args[1]);
  KeyEntry* eb = ctx.Lookup(ctx.args[2]);
  if ((ea != nullptr && ea->value->type() != ValueType::kString) ||
      (eb != nullptr && eb->value->type() != ValueType::kString)) {
    return ctx.reply.Error("ERR The specified keys must contain string values");
  }
  std::string scratch_a, scratch_b;
  std::string a(ea ? static_cast<const StringValue*>(ea->value)->Get(&scratch_a) : "");
  std::string b(eb ? static_cast<const StringValue*>(eb->value)->Get(&scratch_b) : "");
  LcsOptions o;
  if (!ParseLcsOptions(ctx, &o)) return;
  // Redis refuses a table larger than proto-max-bulk-len.
  int64_t max_bulk = 512 * 1024 * 1024;
  auto it = ctx.node.config().find("proto-max-bulk-len");
  if (it != ctx.node.config().end()) max_bulk = ParseInt64(it->second).value_or(max_bulk);
  const uint64_t cells = (uint64_t{a.size()} + 1) * (uint64_t{b.size()} + 1);
  if (cells * sizeof(uint32_t) > static_cast<uint64_t>(max_bulk)) {
    return ctx.reply.Error(
        "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
  }
  Lcs lcs = ComputeLcs(a, b, o.minmatchlen);
  if (o.len) return ctx.reply.Integer(static_cast<int64_t>(lcs.text.size()));
  if (!o.idx) return ctx.reply.Bulk(lcs.text);
  ctx.reply.Map(2);
  ctx.reply.Bulk("matches");
  ctx.reply.Array(lcs.matches.size());
  for (const Match& m : lcs.matches) {
    ctx.reply.Array(o.withmatchlen ? 3 : 2);
    ctx.reply.Array(2);
    ctx.reply.Integer(m.a_start);
    ctx.reply.Integer(m.a_end);
    ctx.reply.Array(2);
    ctx.reply.Integer(m.b_start);
    ctx.reply.Integer(m.b_end);
    if (o.withmatchlen) ctx.reply.Integer(m.a_end - m.a_start + 1);
  }
  ctx.reply.Bulk("len");
  ctx.reply.Integer(static_cast<int64_t>(lcs.text.size()));
}

}  // namespace

void RegisterLcsCommand(CommandTable& t) {
  CommandRegistrar r(t, "string");
  r.Keys("lcs", -3, cmd::kReadOnly, 1, 2, LcsCommand, "Finds the longest common substring.",
         "7.0.0", "O(N*M) where N and M are the lengths of s1 and s2, respectively");
}

}  // namespace cordis
