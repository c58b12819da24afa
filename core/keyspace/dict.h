// An intrusive chained hash table with power-of-two buckets, used for the keyspace and for the
// members of sets and hashes. Chosen over absl::flat_hash_map because:
//  - SCAN needs Redis's reverse-binary cursor, which stays correct across resizes only with
//    power-of-two bucket arrays;
//  - iteration order reaches replies (KEYS, SMEMBERS), so the hash is seeded by the node (see
//    core/base/hash.h) and the order is reproducible for a given seed and history;
//  - nodes are the caller's own heap objects with the key bytes inline: one allocation per entry.
//
// A Node type provides: `Node* dict_next; uint64_t dict_hash; std::string_view DictKey() const;`.
// The table never owns nodes; the caller allocates and frees them.
#pragma once

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
  size_t bucket_count() const { return mask_ + 1; }
  uint64_t seed() const { return seed_; }

  Node* Find(std::string_view key) const { return Find(key, Hash(key)); }
  Node* Find(std::string_view key, uint64_t hash) const {
    if (size_ == 0) return nullptr;
    for (Node* n = buckets_[hash & mask_]; n != nullptr; n = n->dict_next) {
      if (n->dict_hash == hash && n->DictKey() == key) return n;
    }
    return nullptr;
  }

  // Prefetch hints for a batch of lookups (pipelined commands): the bucket slot, then the
  // chain's first node. Issuing them for every key of a batch before any lookup overlaps the
  // cache misses instead of paying them one after another. Never reads past the bucket array.
  void PrefetchBucket(uint64_t hash) const {
    if (buckets_) __builtin_prefetch(&buckets_[hash & mask_]);
  }
  // The first node of hash's chain (likely the match), or nullptr; reads only the bucket slot.
  Node* ChainHead(uint64_t hash) const { return buckets_ ? buckets_[hash & mask_] : nullptr; }
  // Both hints for one key, a stage at a time: 0 the bucket, 1 the chain's first node. Callers
  // run stage 0 for every key of a batch before stage 1.
  void Prefetch(std::string_view key, int stage) const {
    if (size_ == 0) return;
    uint64_t hash = Hash(key);
    if (stage == 0) return PrefetchBucket(hash);
    if (Node* head = ChainHead(hash)) __builtin_prefetch(head);
  }

  // Inserts a node whose key is not present; node->dict_hash must be Hash(key).
  void Insert(Node* node) {
    if (!buckets_) Resize(kMinBuckets);
    if (size_ + 1 > bucket_count()) Resize(bucket_count() * 2);
    Node*& head = buckets_[node->dict_hash & mask_];
    node->dict_next = head;
    head = node;
    ++size_;
  }

  // Unlinks a node that is in the table. Does not free it.
  void Remove(Node* node) {
    Node** link = &buckets_[node->dict_hash & mask_];
    while (*link != node) {
      CHECK(*link != nullptr);
      link = &(*link)->dict_next;
    }
    *link = node->dict_next;
    node->dict_next = nullptr;
    --size_;
    if (size_ * 8 < bucket_count() && bucket_count() > kMinBuckets) Resize(bucket_count() / 2);
  }

  // Replaces `old_node` with `new_node` (same key and hash) in place, e.g. after a reallocation.
  void Replace(Node* old_node, Node* new_node) {
    CHECK_EQ(old_node->dict_hash, new_node->dict_hash);
    Node** link = &buckets_[old_node->dict_hash & mask_];
    while (*link != old_node) {
      CHECK(*link != nullptr);
      link = &(*link)->dict_next;
    }
    new_node->dict_next = old_node->dict_next;
    *link = new_node;
  }

  // Calls f(node) for every node; f may not modify the table.
  template <typename F>
  void ForEach(F&& f) const {
    for (size_t b = 0; size_ != 0 && b < bucket_count(); ++b) {
      for (Node* n = buckets_[b]; n != nullptr;) {
        Node* next = n->dict_next;
        f(n);
        n = next;
      }
    }
  }

  // Removes every node, calling dispose(node) on each.
  template <typename F>
  void Clear(F&& dispose) {
    for (size_t b = 0; size_ != 0 && b < bucket_count(); ++b) {
      for (Node* n = buckets_[b]; n != nullptr;) {
        Node* next = n->dict_next;
        dispose(n);
        n = next;
      }
    }
    buckets_.reset();
    mask_ = kMinBuckets - 1;
    size_ = 0;
  }

  // One SCAN step (Redis's reverse-binary cursor): visits the bucket at `cursor` and returns the
  // next cursor, 0 when done. Every node present for the whole scan is visited at least once,
  // even if the table is resized between calls.
  template <typename F>
  uint64_t ScanStep(uint64_t cursor, F&& f) const {
    if (size_ == 0) return 0;
    for (Node* n = buckets_[cursor & mask_]; n != nullptr; n = n->dict_next) f(n);
    cursor |= ~mask_;
    cursor = ReverseBits(cursor);
    cursor++;
    cursor = ReverseBits(cursor);
    return cursor;
  }

  // A node chosen by the caller's random numbers (bucket, then position in its chain); nullptr if
  // empty. Like Redis's dictGetFairRandomKey: close enough to uniform for RANDOMKEY/SPOP.
  template <typename Rng>
  Node* Random(Rng& rng) const {
    if (size_ == 0) return nullptr;
    for (;;) {
      Node* head = buckets_[rng.Uniform(bucket_count())];
      if (head == nullptr) continue;
      size_t len = 0;
      for (Node* n = head; n != nullptr; n = n->dict_next) ++len;
      size_t pick = rng.Uniform(len);
      Node* n = head;
      while (pick-- > 0) n = n->dict_next;
      return n;
    }
  }

  size_t MemoryBytes() const { return buckets_ ? bucket_count() * sizeof(Node*) : 0; }

 private:
  static constexpr size_t kMinBuckets = 4;

  static uint64_t ReverseBits(uint64_t v) {
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
    return __builtin_bswap64(v);
  }

  void Resize(size_t buckets) {
    CHECK(std::has_single_bit(buckets));
    if (!buckets_) {
      buckets_ = std::make_unique<Node*[]>(buckets);
      mask_ = buckets - 1;
      return;
    }
    auto fresh = std::make_unique<Node*[]>(buckets);
    uint64_t mask = buckets - 1;
    for (size_t b = 0; b < bucket_count(); ++b) {
      for (Node* n = buckets_[b]; n != nullptr;) {
        Node* next = n->dict_next;
        Node*& head = fresh[n->dict_hash & mask];
        n->dict_next = head;
        head = n;
        n = next;
      }
    }
    buckets_ = std::move(fresh);
    mask_ = mask;
  }

  uint64_t seed_;
  std::unique_ptr<Node*[]> buckets_;
  uint64_t mask_ = kMinBuckets - 1;
  size_t size_ = 0;
};

}  // namespace cordis
