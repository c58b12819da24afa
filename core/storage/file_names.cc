#include "core/storage/file_names.h"

#include <cstdio>

namespace cordis {
namespace {

constexpr char kSegmentPrefix[] = "oplog-";
constexpr char kSegmentSuffix[] = ".cdl";
constexpr char kSnapshotPrefix[] = "snapshot-";
constexpr char kSnapshotSuffix[] = ".cds";

std::string Numbered(const char* prefix, uint64_t number, const char* suffix) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s%012llu%s", prefix, static_cast<unsigned long long>(number),
                suffix);
  return buf;
}

bool ParseNumbered(const std::string& name, const std::string& prefix, const std::string& suffix,
                   uint64_t* number) {
  if (name.size() <= prefix.size() + suffix.size()) return false;
  if (name.compare(0, prefix.size(), prefix) != 0) return false;
  if (name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) return false;
  std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.size() > 19) return false;
  uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  *number = n;
  return true;
}

}  // namespace

std::string SegmentFileName(uint64_t number) {
  return Numbered(kSegmentPrefix, number, kSegmentSuffix);
}

std::string SnapshotFileName(uint64_t number) {
  return Numbered(kSnapshotPrefix, number, kSnapshotSuffix);
}

FileKind ParseFileName(const std::string& name, uint64_t* number) {
  if (name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0) {
    // Only our own temporaries: other files in the directory are left alone.
    return ParseFileName(name.substr(0, name.size() - 4), number) == FileKind::kOther
               ? FileKind::kOther
               : FileKind::kTemp;
  }
  if (ParseNumbered(name, kSegmentPrefix, kSegmentSuffix, number)) return FileKind::kSegment;
  if (ParseNumbered(name, kSnapshotPrefix, kSnapshotSuffix, number)) return FileKind::kSnapshot;
  return FileKind::kOther;
}

}  // namespace cordis
