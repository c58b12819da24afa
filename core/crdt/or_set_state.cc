// SetValue's snapshot state (proto/cordis/state.proto, SetState): each member with its tags.
#include <utility>
#include <vector>

#include "core/crdt/or_set.h"
#include "core/crdt/state_codec.h"

namespace cordis {

void SetValue::EncodeState(pb::SetState* out) const {
  out->mutable_members()->Reserve(static_cast<int>(dict_.size()));
  dict_.ForEach([&](const Node* n) {
    pb::SetState::Member* m = out->add_members();
    m->set_member(std::string(n->member()));
    for (const Tag& t : n->tags) state::EncodeTag(t.dot, t.stamp, m->add_tags());
  });
}

absl::StatusOr<std::unique_ptr<SetValue>> SetValue::DecodeState(const pb::SetState& in,
                                                                uint64_t seed) {
  auto v = std::make_unique<SetValue>(seed);
  for (const pb::SetState::Member& m : in.members()) {
    if (m.tags_size() == 0) return state::Corrupt("set: member without tags");
    absl::InlinedVector<Tag, 1> tags;
    std::vector<Dot> dots;
    for (const pb::Tag& p : m.tags()) {
      Tag t;
      absl::Status st = state::DecodeTag(p, &t.dot, &t.stamp);
      if (!st.ok()) return st;
      tags.push_back(t);
      dots.push_back(t.dot);
    }
    if (!state::UniqueDots(std::move(dots))) return state::Corrupt("set: duplicate tag dot");
    uint64_t hash = v->dict_.Hash(m.member());
    if (v->dict_.Find(m.member(), hash) != nullptr) return state::Corrupt("set: duplicate member");
    Node* n = v->NewNode(m.member(), tags[0]);
    n->tags = std::move(tags);
    v->dict_.Insert(n, hash);
  }
  if (v->Empty()) return state::Corrupt("set: empty");
  v->max_stamp_valid_ = false;
  return v;
}

}  // namespace cordis
