// ElemRing (core/crdt/rga_list.h) against a std::deque model: inserts at the front, the back and
// the middle, pops at both ends, through many growths (in-place realloc with either run moved)
// and shrinks.
#include <cstdint>
#include <deque>

#include "core/base/prng.h"
#include "core/crdt/rga_list.h"
#include "gtest/gtest.h"

namespace cordis::list_internal {
namespace {

Elem Make(uint64_t n) {
  Elem e{};
  e.seq = n;
  return e;
}

void ExpectSame(const ElemRing& ring, const std::deque<uint64_t>& model) {
  ASSERT_EQ(ring.size(), model.size());
  for (size_t i = 0; i < model.size(); ++i) ASSERT_EQ(ring[i].seq, model[i]) << "at " << i;
}

TEST(ElemRing, MatchesADequeThroughGrowthAndShrinking) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Prng rng(seed);
    ElemRing ring;
    std::deque<uint64_t> model;
    uint64_t next = 0;
    for (int step = 0; step < 4000; ++step) {
      uint64_t r = rng.Uniform(100);
      // Phases that grow from one end only, then mixed, then draining.
      const bool grow = step < 3000;
      if (grow && r < 40) {
        Elem e = Make(next);
        ring.Insert(0, &e, 1);
        model.push_front(next++);
      } else if (grow && r < 75) {
        Elem e = Make(next);
        ring.Insert(ring.size(), &e, 1);
        model.push_back(next++);
      } else if (grow && r < 85) {
        Elem batch[3] = {Make(next), Make(next + 1), Make(next + 2)};
        size_t pos = rng.Uniform(ring.size() + 1);
        ring.Insert(pos, batch, 3);
        model.insert(model.begin() + static_cast<std::ptrdiff_t>(pos), {next, next + 1, next + 2});
        next += 3;
      } else if (!model.empty() && r % 2 == 0) {
        ring.PopFront();
        model.pop_front();
      } else if (!model.empty()) {
        ring.PopBack();
        model.pop_back();
      }
      ExpectSame(ring, model);
    }
  }
}

TEST(ElemRing, GrowsWhenWrappedEitherWay) {
  // Wrapped with the front run shorter (pushes at the front after many at the back), and longer.
  for (int front : {3, 13}) {
    ElemRing ring;
    std::deque<uint64_t> model;
    uint64_t next = 0;
    for (int i = 0; i < 16 - front; ++i) {
      Elem e = Make(next);
      ring.Insert(ring.size(), &e, 1);
      model.push_back(next++);
    }
    for (int i = 0; i < front; ++i) {
      Elem e = Make(next);
      ring.Insert(0, &e, 1);
      model.push_front(next++);
    }
    ASSERT_EQ(ring.capacity(), 16u);
    Elem e = Make(next);
    ring.Insert(0, &e, 1);  // the 17th element: grows a wrapped ring
    model.push_front(next++);
    EXPECT_EQ(ring.capacity(), 32u);
    ExpectSame(ring, model);
  }
}

}  // namespace
}  // namespace cordis::list_internal
