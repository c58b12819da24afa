#include "core/crdt/or_set.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <vector>

#include "core/base/check.h"
#include "core/base/mutation.h"
#include "core/base/strings.h"

namespace cordis {

SetValue::~SetValue() {
  dict_.Clear([](Node* n) {
    n->~Node();
    ::operator delete(n);
  });
}

SetValue::Node* SetValue::NewNode(std::string_view member, const Tag& tag) {
  void* mem = ::operator new(sizeof(Node) + member.size());
  Node* n = new (mem) Node();
  n->len = static_cast<uint32_t>(member.size());
  std::memcpy(n->bytes, member.data(), member.size());
  n->tags.push_back(tag);
  node_bytes_ += sizeof(Node) + member.size();
  return n;
}

void SetValue::FreeNode(Node* n) {
  node_bytes_ -= sizeof(Node) + n->len;
  n->~Node();
  ::operator delete(n);
}

bool SetValue::DropObserved(Node* n, const VersionVector& ctx) {
  for (const Tag& t : n->tags) {
    if (max_stamp_valid_ && t.stamp == max_stamp_ && ctx.Covers(t.dot)) max_stamp_valid_ = false;
  }
  EraseIf(n->tags, [&](const Tag& t) { return ctx.Covers(t.dot); });
  return n->tags.empty();
}

void SetValue::Apply(const delta::SetAdd& d, const Op& op) {
  const Tag tag{op.dot, op.stamp};
  for (std::string_view m : d.members) {
    uint64_t hash = dict_.Hash(m);
    Node* n = dict_.Find(m, hash);
    if (n == nullptr) {
      dict_.Insert(NewNode(m, tag), hash);
    } else {
      // The same member twice in one op (SADD s a a): one tag is enough.
      bool seen = std::any_of(n->tags.begin(), n->tags.end(),
                              [&](const Tag& t) { return t.dot == op.dot; });
      if (seen) continue;
      DropObserved(n, *op.ctx);
      n->tags.push_back(tag);
    }
    if (max_stamp_valid_ && op.stamp > max_stamp_) max_stamp_ = op.stamp;
  }
}

void SetValue::Apply(const delta::SetRemove& d, const Op& op) {
  for (std::string_view m : d.members) {
    Node* n = dict_.Find(m);
    if (n == nullptr) continue;
    // The injected bug removes the member whatever the remover had seen.
    if (!Mutated(Mutation::kOrSetRemoveIgnoresCtx) && !DropObserved(n, *op.ctx)) continue;
    dict_.Remove(n);
    FreeNode(n);
  }
}

void SetValue::RemoveObserved(const VersionVector& ctx) {
  std::vector<Node*> gone;
  dict_.ForEach([&](Node* n) {
    if (DropObserved(n, ctx)) gone.push_back(n);
  });
  if (gone.size() == dict_.size()) {
    dict_.Clear([this](Node* n) { FreeNode(n); });
    return;
  }
  for (Node* n : gone) {
    dict_.Remove(n);
    FreeNode(n);
  }
}

Stamp SetValue::MaxStamp() const {
  if (!max_stamp_valid_) {
    Stamp m;
    dict_.ForEach([&](const Node* n) {
      for (const Tag& t : n->tags) m = std::max(m, t.stamp);
    });
    max_stamp_ = m;
    max_stamp_valid_ = true;
  }
  return max_stamp_;
}

size_t SetValue::MemoryBytes() const {
  // Nodes with several tags (concurrent adds) spill to the heap; they are rare and not counted.
  return sizeof(*this) + node_bytes_ + dict_.MemoryBytes();
}

}  // namespace cordis
