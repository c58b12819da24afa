#include "core/op/op_codec.h"

#include <cstring>

#include "core/base/strings.h"

namespace cordis {
namespace {

constexpr size_t kMaxKeyBytes = 512u * 1024 * 1024;

std::string LongDoubleBytes(long double v) {
  char buf[sizeof(long double)];
  std::memset(buf, 0, sizeof(buf));
  std::memcpy(buf, &v, 10);  // x86-64 extended precision: 10 significant bytes, rest padding
  return std::string(buf, sizeof(buf));
}

bool ParseLongDoubleBytes(const std::string& s, long double* v) {
  if (s.size() != sizeof(long double)) return false;
  long double x = 0;
  std::memcpy(&x, s.data(), 10);
  *v = x;
  return true;
}

void EncodeElemId(const ElemId& id, pb::ElemId* out) {
  out->set_replica(id.dot.replica);
  out->set_seq(id.dot.seq);
  out->set_idx(id.idx);
}

ElemId DecodeElemId(const pb::ElemId& in) {
  return ElemId{Dot{in.replica(), in.seq()}, in.idx()};
}

struct PayloadEncoder {
  pb::Op* out;
  void operator()(const std::monostate&) {}
  void operator()(const delta::StrAssign& d) { out->set_str_assign(std::string(d.value)); }
  void operator()(const delta::CounterAdd& d) { out->set_counter_add(d.delta); }
  void operator()(const delta::FloatAdd& d) { out->set_float_add(LongDoubleBytes(d.delta)); }
  void operator()(const delta::ExpireOnly&) { out->set_expire_only(true); }
  void operator()(const delta::SetAdd& d) {
    for (auto m : d.members) out->mutable_set_add()->add_members(std::string(m));
  }
  void operator()(const delta::SetRemove& d) {
    for (auto m : d.members) out->mutable_set_remove()->add_members(std::string(m));
  }
  void operator()(const delta::HashSet& d) {
    auto* f = out->mutable_hash_set();
    for (auto [k, v] : d.fields) {
      f->add_fields(std::string(k));
      f->add_values(std::string(v));
    }
  }
  void operator()(const delta::HashRemove& d) {
    for (auto m : d.fields) out->mutable_hash_remove()->add_members(std::string(m));
  }
  void operator()(const delta::HashAdd& d) {
    out->mutable_hash_add()->set_field(std::string(d.field));
    out->mutable_hash_add()->set_delta(d.delta);
  }
  void operator()(const delta::HashAddFloat& d) {
    out->mutable_hash_add_float()->set_field(std::string(d.field));
    out->mutable_hash_add_float()->set_float_delta(LongDoubleBytes(d.delta));
  }
  void operator()(const delta::ZsetAdd& d) {
    auto* z = out->mutable_zset_add();
    for (auto [score, m] : d.items) {
      z->add_members(std::string(m));
      z->add_scores(score);
    }
  }
  void operator()(const delta::ZsetIncr& d) {
    out->mutable_zset_incr()->set_member(std::string(d.member));
    out->mutable_zset_incr()->set_delta(d.delta);
  }
  void operator()(const delta::ZsetRemove& d) {
    for (auto m : d.members) out->mutable_zset_remove()->add_members(std::string(m));
  }
  void operator()(const delta::ListInsert& d) {
    auto* l = out->mutable_list_insert();
    if (d.after) EncodeElemId(*d.after, l->mutable_after());
    for (auto v : d.values) l->add_values(std::string(v));
  }
  void operator()(const delta::ListRemove& d) {
    for (const ElemId& id : d.ids) EncodeElemId(id, out->mutable_list_remove()->add_ids());
  }
  void operator()(const delta::ListSet& d) {
    EncodeElemId(d.id, out->mutable_list_set()->mutable_id());
    out->mutable_list_set()->set_value(std::string(d.value));
  }
};

std::vector<std::string_view> Views(const google::protobuf::RepeatedPtrField<std::string>& r) {
  return std::vector<std::string_view>(r.begin(), r.end());
}

absl::Status DecodePayload(const pb::Op& r, Payload* p) {
  switch (r.payload_case()) {
    case pb::Op::PAYLOAD_NOT_SET: *p = std::monostate{}; break;
    case pb::Op::kStrAssign: *p = delta::StrAssign{r.str_assign()}; break;
    case pb::Op::kCounterAdd: *p = delta::CounterAdd{r.counter_add()}; break;
    case pb::Op::kFloatAdd: {
      long double v;
      if (!ParseLongDoubleBytes(r.float_add(), &v))
        return absl::DataLossError("float_add: bad long double");
      *p = delta::FloatAdd{v};
      break;
    }
    case pb::Op::kExpireOnly: *p = delta::ExpireOnly{}; break;
    case pb::Op::kSetAdd: *p = delta::SetAdd{Views(r.set_add().members())}; break;
    case pb::Op::kSetRemove: *p = delta::SetRemove{Views(r.set_remove().members())}; break;
    case pb::Op::kHashSet: {
      const auto& f = r.hash_set();
      if (f.fields_size() != f.values_size())
        return absl::DataLossError("hash_set: fields and values differ in count");
      delta::HashSet d;
      for (int i = 0; i < f.fields_size(); ++i) d.fields.emplace_back(f.fields(i), f.values(i));
      *p = std::move(d);
      break;
    }
    case pb::Op::kHashRemove: *p = delta::HashRemove{Views(r.hash_remove().members())}; break;
    case pb::Op::kHashAdd:
      *p = delta::HashAdd{r.hash_add().field(), r.hash_add().delta()};
      break;
    case pb::Op::kHashAddFloat: {
      long double v;
      if (!ParseLongDoubleBytes(r.hash_add_float().float_delta(), &v))
        return absl::DataLossError("hash_add_float: bad long double");
      *p = delta::HashAddFloat{r.hash_add_float().field(), v};
      break;
    }
    case pb::Op::kZsetAdd: {
      const auto& z = r.zset_add();
      if (z.members_size() != z.scores_size())
        return absl::DataLossError("zset_add: members and scores differ in count");
      delta::ZsetAdd d;
      for (int i = 0; i < z.members_size(); ++i) {
        if (z.scores(i) != z.scores(i)) return absl::DataLossError("zset_add: NaN score");
        d.items.emplace_back(z.scores(i), z.members(i));
      }
      *p = std::move(d);
      break;
    }
    case pb::Op::kZsetIncr:
      if (r.zset_incr().delta() != r.zset_incr().delta())
        return absl::DataLossError("zset_incr: NaN delta");
      *p = delta::ZsetIncr{r.zset_incr().member(), r.zset_incr().delta()};
      break;
    case pb::Op::kZsetRemove: *p = delta::ZsetRemove{Views(r.zset_remove().members())}; break;
    case pb::Op::kListInsert: {
      const auto& l = r.list_insert();
      delta::ListInsert d;
      if (l.has_after()) d.after = DecodeElemId(l.after());
      d.values = Views(l.values());
      if (d.values.empty()) return absl::DataLossError("list_insert: no values");
      *p = std::move(d);
      break;
    }
    case pb::Op::kListRemove: {
      delta::ListRemove d;
      for (const auto& id : r.list_remove().ids()) d.ids.push_back(DecodeElemId(id));
      *p = std::move(d);
      break;
    }
    case pb::Op::kListSet:
      *p = delta::ListSet{DecodeElemId(r.list_set().id()), r.list_set().value()};
      break;
  }
  return absl::OkStatus();
}

}  // namespace

void EncodeVersionVector(const VersionVector& vv, pb::VersionVector* out) {
  out->Clear();
  for (const auto& [r, s] : vv.entries()) {
    out->add_replica(r);
    out->add_seq(s);
  }
}

absl::Status DecodeVersionVector(const pb::VersionVector& in, VersionVector* out) {
  if (in.replica_size() != in.seq_size())
    return absl::DataLossError("version vector: replica and seq counts differ");
  out->Clear();
  for (int i = 0; i < in.replica_size(); ++i) {
    if (in.replica(i) == 0) return absl::DataLossError("version vector: replica id 0");
    out->Raise(in.replica(i), in.seq(i));
  }
  return absl::OkStatus();
}

void EncodeOp(const Op& op, pb::Op* out) {
  out->Clear();
  out->set_origin(op.dot.replica);
  out->set_seq(op.dot.seq);
  out->set_hlc(op.stamp.hlc);
  EncodeVersionVector(*op.ctx, out->mutable_ctx());
  out->set_db(op.db);
  out->set_key(std::string(op.key));
  out->set_clear_key(op.clear_key);
  out->set_keep_ttl(op.keep_ttl);
  if (op.expire) out->set_expire_ms(*op.expire);
  std::visit(PayloadEncoder{out}, op.payload);
}

absl::Status DecodeOp(pb::Op record, std::unique_ptr<DecodedOp>* out) {
  auto d = std::make_unique<DecodedOp>();
  d->record = std::move(record);
  const pb::Op& r = d->record;
  if (r.origin() == 0 || r.seq() == 0) return absl::DataLossError("op: missing origin or seq");
  if (r.db() >= 16) return absl::DataLossError(StrCat("op: db ", r.db(), " out of range"));
  if (r.key().size() > kMaxKeyBytes) return absl::DataLossError("op: key too long");
  absl::Status st = DecodeVersionVector(r.ctx(), &d->ctx);
  if (!st.ok()) return st;
  Dot dot{r.origin(), r.seq()};
  if (d->ctx.Covers(dot)) return absl::DataLossError("op: its context covers its own dot");
  st = DecodePayload(r, &d->op.payload);
  if (!st.ok()) return st;
  d->op.dot = dot;
  d->op.stamp = Stamp{r.hlc(), r.origin()};
  d->op.ctx = &d->ctx;
  d->op.db = r.db();
  d->op.key = r.key();
  d->op.clear_key = r.clear_key();
  d->op.keep_ttl = r.keep_ttl();
  if (r.has_expire_ms()) d->op.expire = r.expire_ms();
  *out = std::move(d);
  return absl::OkStatus();
}

}  // namespace cordis
