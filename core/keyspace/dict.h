// An intrusive open-addressing hash table (linear probing, tagged slots) with a power-of-two slot
// array, used for the keyspace and for the members of sets, hashes and sorted sets. Chosen over
// absl::flat_hash_map because:
//  - SCAN needs Redis's reverse-binary cursor, which stays correct across resizes only when a
//    node's home slot under a power-of-two mask is the low bits of its hash (see ScanStep);
//  - iteration order reaches replies (KEYS, SMEMBERS), so the hash is seeded by the node (see
//    core/base/hash.h) and the order is reproducible for a given seed and history;
//  - nodes are the caller's own heap objects with the key bytes inline: one allocation per entry.
//
// A slot is one uint64_t: the node's address (low 48 bits; user-space pointers on x86-64 and
// aarch64 fit, CHECKed on insert) and a 16-bit tag, the hash's top 16 bits; 0 is empty. A node
// lives at its home slot (hash & mask) or after it, with no empty slot in between. A lookup
// compares tags in the slot array (eight per cache line) and reads a node only on a tag match, so
// it usually touches the slot line and the matching node and nothing else. Deletion shifts the
// following nodes back (no tombstones), so probe runs never degrade. The table grows at 3/4 load
// and shrinks below 1/8.
//
// A Node type provides: `uint32_t dict_hash; std::string_view DictKey() const;`. Insert sets
// dict_hash to the low 32 bits of the hash (enough for the home slot: capacity is CHECKed to stay
// within 2^32); the top 16 bits are in the slot's tag, so a lookup verifies 48 hash bits before it
// compares keys. The table never owns nodes; the caller allocates and frees them.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/base/check.h"
#include "core/base/hash.h"

namespace cordis {

template <typename Node>
class Dict {
 public:
  explicit Dict(uint64_t seed) : seed_(seed) {}
  Dict(const Dict&) = delete;
  Dict& operator=(const Dict&) = delete;

  uint64_t Hash(std::string_view key) const { return HashBytes(key, seed_); }
  size_t size() const { return size_; }
  size_t capacity() const { return slots_ ? mask_ + 1 : 0; }
  uint64_t seed() const { return seed_; }

  Node* Find(std::string_view key) const { return Find(key, Hash(key)); }
  Node* Find(std::string_view key, uint64_t hash) const {
    if (size_ == 0) return nullptr;
    const uint64_t tag = hash >> kPtrBits;
    for (uint64_t i = hash & mask_;; i = (i + 1) & mask_) {
      const uint64_t s = slots_[i];
      if (s == 0) return nullptr;
      if ((s >> kPtrBits) == tag) {
        Node* n = NodeOf(s);
        if (HashMatches(n, hash) && n->DictKey() == key) return n;
      }
    }
  }
  // Whether node n (in a table) has the hash `hash`, as far as the node records it.
  static bool HashMatches(const Node* n, uint64_t hash) {
    return n->dict_hash == static_cast<uint32_t>(hash);
  }

  // Prefetch hints for a batch of lookups (pipelined commands): the home slot's cache line, then
  // the node its tag points to. Issuing them for every key of a batch before any lookup overlaps
  // the cache misses instead of paying them one after another. Never reads past the slot array.
  void PrefetchBucket(uint64_t hash) const {
    if (slots_) __builtin_prefetch(&slots_[hash & mask_]);
  }
  // The first node of hash's probe run whose tag matches (likely the match), or nullptr; reads
  // only slots, not nodes.
  Node* Probe(uint64_t hash) const {
    if (size_ == 0) return nullptr;
    const uint64_t tag = hash >> kPtrBits;
    for (uint64_t i = hash & mask_;; i = (i + 1) & mask_) {
      const uint64_t s = slots_[i];
      if (s == 0) return nullptr;
      if ((s >> kPtrBits) == tag) return NodeOf(s);
    }
  }
  // Both hints for one key, a stage at a time: 0 the home slot, 1 the probed node and its key
  // bytes (often on the node's next cache line). Callers run stage 0 for every key of a batch
  // before stage 1.
  void Prefetch(std::string_view key, int stage) const {
    if (size_ == 0) return;
    uint64_t hash = Hash(key);
    if (stage == 0) return PrefetchBucket(hash);
    if (Node* n = Probe(hash)) PrefetchNode(n);
  }
  // Loads node and the start of its key (the lookup's compare); computes addresses only.
  static void PrefetchNode(const Node* n) {
    __builtin_prefetch(n);
    __builtin_prefetch(n->DictKey().data());
  }

  // Inserts a node whose key is not present; `hash` must be Hash(key). Sets node->dict_hash.
  void Insert(Node* node, uint64_t hash) {
    const uint64_t p = reinterpret_cast<uintptr_t>(node);
    CHECK(p != 0 && (p >> kPtrBits) == 0);
    if (!slots_) Resize(kMinCapacity);
    if ((size_ + 1) * 4 > capacity() * 3) Resize(capacity() * 2);
    node->dict_hash = static_cast<uint32_t>(hash);
    const uint64_t slot = (hash & ~kPtrMask) | p;
    uint64_t displacement = Place(slots_.get(), mask_, hash, slot);
    ++size_;
    // A run this long does not happen at 3/4 load with a good hash (the chance per insert is
    // below 1e-15), but it does when nodes arrive in the slot order of a larger table with the
    // same seed (SUNIONSTORE, COPY, reloading a snapshot): their homes crowd the front of this
    // smaller table. Growing spreads them out again.
    if (displacement > kMaxDisplacement && size_ * 8 >= capacity() * 3) Resize(capacity() * 2);
  }

  // Unlinks a node that is in the table. Does not free it.
  void Remove(Node* node) {
    uint64_t i = SlotOf(node);
    // Backward shift: pull each following node of the run into the hole unless that would put it
    // before its home slot, so every node stays reachable from its home without tombstones.
    for (uint64_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      const uint64_t s = slots_[j];
      if (s == 0) break;
      const uint64_t home = NodeOf(s)->dict_hash & mask_;
      // Movable if the hole lies in [home, j) cyclically: j is at least as far from home as i is.
      if (((j - home) & mask_) >= ((j - i) & mask_)) {
        slots_[i] = s;
        i = j;
      }
    }
    slots_[i] = 0;
    --size_;
    if (size_ * 8 < capacity() && capacity() > kMinCapacity) Resize(capacity() / 2);
  }

  // Replaces `old_node` with `new_node` (same key and hash) in place, e.g. after a reallocation.
  void Replace(Node* old_node, Node* new_node) {
    CHECK_EQ(old_node->dict_hash, new_node->dict_hash);
    const uint64_t p = reinterpret_cast<uintptr_t>(new_node);
    CHECK(p != 0 && (p >> kPtrBits) == 0);
    uint64_t& s = slots_[SlotOf(old_node)];
    s = (s & ~kPtrMask) | p;
  }

  // Calls f(node) for every node, in slot order; f may not modify the table.
  template <typename F>
  void ForEach(F&& f) const {
    for (uint64_t i = 0; size_ != 0 && i <= mask_; ++i) {
      if (slots_[i] != 0) f(NodeOf(slots_[i]));
    }
  }

  // Removes every node, calling dispose(node) on each.
  template <typename F>
  void Clear(F&& dispose) {
    for (uint64_t i = 0; size_ != 0 && i <= mask_; ++i) {
      if (slots_[i] != 0) dispose(NodeOf(slots_[i]));
    }
    slots_.reset();
    mask_ = kMinCapacity - 1;
    size_ = 0;
  }

  // One SCAN step (Redis's reverse-binary cursor): visits the nodes whose home slot is `cursor`
  // (masked) and returns the next cursor, 0 when done. Every node present for the whole scan is
  // visited at least once, even if the table grows or shrinks between calls: home slots under a
  // power-of-two mask split and merge exactly like the buckets of Redis's chained table. The
  // nodes of home c lie in the run from slot c to the next empty slot (never before their home,
  // never past an empty slot), so the step walks that run and keeps the nodes whose home is c.
  template <typename F>
  uint64_t ScanStep(uint64_t cursor, F&& f) const {
    if (size_ == 0) return 0;
    const uint64_t home = cursor & mask_;
    for (uint64_t i = home;; i = (i + 1) & mask_) {
      const uint64_t s = slots_[i];
      if (s == 0) break;
      Node* n = NodeOf(s);
      if ((n->dict_hash & mask_) == home) f(n);
    }
    cursor |= ~mask_;
    cursor = ReverseBits(cursor);
    cursor++;
    cursor = ReverseBits(cursor);
    return cursor;
  }

  // A node chosen by the caller's random numbers: random slots until an occupied one, so every
  // node is equally likely (load is at least 1/8, so few draws); nullptr if empty.
  template <typename Rng>
  Node* Random(Rng& rng) const {
    if (size_ == 0) return nullptr;
    for (;;) {
      const uint64_t s = slots_[rng.Uniform(capacity())];
      if (s != 0) return NodeOf(s);
    }
  }

  size_t MemoryBytes() const { return capacity() * sizeof(uint64_t); }

  // The longest run of occupied slots (tests: probe lengths stay short).
  size_t LongestRun() const {
    size_t longest = 0, run = 0;
    // Two passes over the array so a run that wraps past the end is counted whole.
    for (uint64_t i = 0; size_ != 0 && i < 2 * capacity(); ++i) {
      run = slots_[i & mask_] != 0 ? run + 1 : 0;
      longest = std::max(longest, run);
    }
    return longest;
  }

 private:
  static constexpr int kPtrBits = 48;
  static constexpr uint64_t kPtrMask = (uint64_t{1} << kPtrBits) - 1;
  static constexpr size_t kMinCapacity = 4;
  static constexpr uint64_t kMaxDisplacement = 1024;

  static Node* NodeOf(uint64_t slot) { return reinterpret_cast<Node*>(slot & kPtrMask); }

  static uint64_t ReverseBits(uint64_t v) {
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
    return __builtin_bswap64(v);
  }

  // Puts `slot` (a node with hash `hash`, or its low 32 bits) in the first empty slot from its
  // home; returns how far past the home that is.
  static uint64_t Place(uint64_t* slots, uint64_t mask, uint64_t hash, uint64_t slot) {
    uint64_t i = hash & mask;
    uint64_t displacement = 0;
    while (slots[i] != 0) {
      i = (i + 1) & mask;
      ++displacement;
    }
    slots[i] = slot;
    return displacement;
  }

  // The slot holding node, which is in the table.
  uint64_t SlotOf(const Node* node) const {
    const uint64_t p = reinterpret_cast<uintptr_t>(node);
    for (uint64_t i = node->dict_hash & mask_;; i = (i + 1) & mask_) {
      CHECK(slots_[i] != 0);
      if ((slots_[i] & kPtrMask) == p) return i;
    }
  }

  void Resize(size_t capacity) {
    CHECK(std::has_single_bit(capacity));
    CHECK_LE(capacity, uint64_t{1} << 32);                // dict_hash holds 32 bits of home
    auto fresh = std::make_unique<uint64_t[]>(capacity);  // zeroed: all empty
    const uint64_t mask = capacity - 1;
    for (uint64_t i = 0; slots_ && i <= mask_; ++i) {
      const uint64_t s = slots_[i];
      if (s != 0) Place(fresh.get(), mask, NodeOf(s)->dict_hash, s);
    }
    slots_ = std::move(fresh);
    mask_ = mask;
  }

  uint64_t seed_;
  std::unique_ptr<uint64_t[]> slots_;
  uint64_t mask_ = kMinCapacity - 1;
  size_t size_ = 0;
};

}  // namespace cordis
