// ElemDeque (core/crdt/elem_deque.h) against a std::deque model: inserts at the front, the back and
// the middle, pops at both ends and filtering, through the small single block, its growth to a
// full block, many blocks and back.
#include "core/crdt/elem_deque.h"

#include <cstdint>
#include <deque>
#include <map>
#include <vector>

#include "core/base/prng.h"
#include "gtest/gtest.h"

namespace cordis::list_internal {
namespace {

Elem Make(uint64_t n) {
  Elem e{};
  e.seq = n;
  return e;
}

void ExpectSame(const ElemDeque& d, const std::deque<uint64_t>& model) {
  ASSERT_EQ(d.size(), model.size());
  for (size_t i = 0; i < model.size(); ++i) ASSERT_EQ(d[i].seq, model[i]) << "at " << i;
}

void PushFront(ElemDeque& d, std::deque<uint64_t>& model, uint64_t v) {
  Elem e = Make(v);
  d.Insert(0, &e, 1);
  model.push_front(v);
}

void PushBack(ElemDeque& d, std::deque<uint64_t>& model, uint64_t v) {
  Elem e = Make(v);
  d.Insert(d.size(), &e, 1);
  model.push_back(v);
}

TEST(ElemDeque, MatchesADequeThroughGrowthAndShrinking) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Prng rng(seed);
    ElemDeque d;
    std::deque<uint64_t> model;
    uint64_t next = 0;
    // Seeds differ in how far the deque grows: some stay within one block, others span many.
    const int steps = seed % 4 == 0 ? 300 : 4000;
    for (int step = 0; step < steps; ++step) {
      uint64_t r = rng.Uniform(100);
      // Phases that grow, then mixed, then draining.
      const bool grow = step < steps * 3 / 4;
      if (grow && r < 40) {
        PushFront(d, model, next++);
      } else if (grow && r < 75) {
        PushBack(d, model, next++);
      } else if (grow && r < 85) {
        const size_t n = 1 + rng.Uniform(70);  // sometimes more than a block at once
        std::vector<Elem> batch;
        std::vector<uint64_t> values;
        for (size_t i = 0; i < n; ++i) {
          batch.push_back(Make(next));
          values.push_back(next++);
        }
        size_t pos = rng.Uniform(d.size() + 1);
        d.Insert(pos, batch.data(), n);
        model.insert(model.begin() + static_cast<std::ptrdiff_t>(pos), values.begin(),
                     values.end());
      } else if (!model.empty() && r % 2 == 0) {
        d.PopFront();
        model.pop_front();
      } else if (!model.empty()) {
        d.PopBack();
        model.pop_back();
      }
      ExpectSame(d, model);
    }
    while (!model.empty()) {
      d.PopBack();
      model.pop_back();
    }
    EXPECT_EQ(d.AllocatedBytes(), 0u);
  }
}

TEST(ElemDeque, FilterKeepsOrderAndSeesTheNextKeptElement) {
  for (size_t n : {0, 1, 5, 64, 65, 200, 1000}) {
    for (uint64_t modulus : {2, 3, 7, 1000}) {
      ElemDeque d;
      std::deque<uint64_t> model;
      // Build from both ends so the elements straddle block boundaries.
      for (size_t i = 0; i < n; ++i) {
        if (i % 3 == 0) {
          PushFront(d, model, i);
        } else {
          PushBack(d, model, i);
        }
      }
      std::deque<uint64_t> kept;
      std::map<uint64_t, int64_t> next_of;  // element -> the nearest kept one after it, or -1
      int64_t next = -1;
      for (size_t i = model.size(); i-- > 0;) {
        next_of[model[i]] = next;
        if (model[i] % modulus != 0) {
          kept.push_front(model[i]);
          next = static_cast<int64_t>(model[i]);
        }
      }
      size_t calls = 0;
      d.FilterFromBack([&](const Elem& e, const Elem* next_kept) {
        ++calls;
        EXPECT_EQ(next_kept == nullptr ? -1 : static_cast<int64_t>(next_kept->seq), next_of[e.seq]);
        return e.seq % modulus != 0;
      });
      EXPECT_EQ(calls, n);
      ExpectSame(d, kept);
      // Still usable at both ends after filtering.
      PushFront(d, kept, 100000);
      PushBack(d, kept, 100001);
      ExpectSame(d, kept);
    }
  }
}

TEST(ElemDeque, LongListsHoldFullBlocksAndShortOnesASmallOne) {
  ElemDeque d;
  std::deque<uint64_t> model;
  PushFront(d, model, 0);
  EXPECT_EQ(d.AllocatedBytes(), sizeof(Elem));  // one slot for one element
  for (uint64_t i = 1; i < 10000; ++i) PushFront(d, model, i);
  ExpectSame(d, model);
  // 10,000 elements in 157 full blocks, plus at most one spare block and the block map.
  const size_t blocks = (10000 + ElemDeque::kBlockSize - 1) / ElemDeque::kBlockSize;
  EXPECT_GE(d.AllocatedBytes(), blocks * ElemDeque::kBlockSize * sizeof(Elem));
  EXPECT_LE(d.AllocatedBytes(), (blocks + 2) * ElemDeque::kBlockSize * sizeof(Elem) + 4096);
  while (model.size() > 3) {
    d.PopBack();
    model.pop_back();
  }
  ExpectSame(d, model);
  EXPECT_LE(d.AllocatedBytes(), 8 * sizeof(Elem));  // back to one small block
}

}  // namespace
}  // namespace cordis::list_internal
