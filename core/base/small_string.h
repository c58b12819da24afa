// A byte string in 24 bytes: up to 23 bytes inline, longer ones in one exact-size heap block.
// std::string keeps only 15 bytes inline in 32; string values are the most common values, so the
// difference is a heap block per key for values of 16 to 23 bytes and 8 bytes for every value.
//
// Layout: byte 23 is the tag. Inline: bytes [0, size) hold the data and the tag is the size
// (0..23). Heap: bytes 0-7 hold the pointer, 8-15 the size, and the tag is kHeapTag.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>

namespace cordis {

class SmallString {
 public:
  static constexpr size_t kInline = 23;

  SmallString() { rep_[kInline] = 0; }
  explicit SmallString(std::string_view s) { Assign(s); }
  SmallString(const SmallString& o) { Assign(o.view()); }
  SmallString(SmallString&& o) noexcept {
    std::memcpy(rep_, o.rep_, sizeof(rep_));
    o.rep_[kInline] = 0;
  }
  SmallString& operator=(const SmallString& o) {
    if (this != &o) {
      Free();
      Assign(o.view());
    }
    return *this;
  }
  SmallString& operator=(SmallString&& o) noexcept {
    if (this != &o) {
      Free();
      std::memcpy(rep_, o.rep_, sizeof(rep_));
      o.rep_[kInline] = 0;
    }
    return *this;
  }
  ~SmallString() { Free(); }

  std::string_view view() const {
    if (!heap()) return {rep_, static_cast<size_t>(rep_[kInline])};
    char* p;
    uint64_t n;
    std::memcpy(&p, rep_, sizeof(p));
    std::memcpy(&n, rep_ + 8, sizeof(n));
    return {p, n};
  }
  size_t size() const { return view().size(); }
  // Heap bytes held besides the object itself.
  size_t heap_bytes() const { return heap() ? view().size() : 0; }

 private:
  static constexpr char kHeapTag = static_cast<char>(0xff);
  bool heap() const { return rep_[kInline] == kHeapTag; }
  void Assign(std::string_view s) {
    if (s.size() <= kInline) {
      if (!s.empty()) std::memcpy(rep_, s.data(), s.size());
      rep_[kInline] = static_cast<char>(s.size());
      return;
    }
    char* p = new char[s.size()];
    std::memcpy(p, s.data(), s.size());
    uint64_t n = s.size();
    std::memcpy(rep_, &p, sizeof(p));
    std::memcpy(rep_ + 8, &n, sizeof(n));
    rep_[kInline] = kHeapTag;
  }
  void Free() {
    if (!heap()) return;
    char* p;
    std::memcpy(&p, rep_, sizeof(p));
    delete[] p;
    rep_[kInline] = 0;
  }

  char rep_[24];
};

static_assert(sizeof(SmallString) == 24);

}  // namespace cordis
