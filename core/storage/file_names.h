// Names of the files in a data directory:
//
//   oplog-<N>.cdl      oplog segment N (N from 1, zero-padded to 12 digits)
//   snapshot-<N>.cds   snapshot covering every segment below N
//   <name>.tmp         a file being written (a snapshot before its atomic rename); never read,
//                      removed by recovery
#pragma once

#include <cstdint>
#include <string>

namespace cordis {

enum class FileKind { kSegment, kSnapshot, kTemp, kOther };

std::string SegmentFileName(uint64_t number);
std::string SnapshotFileName(uint64_t number);
inline std::string TempFileName(const std::string& name) { return name + ".tmp"; }
// Classifies a directory entry; *number is set for segments and snapshots.
FileKind ParseFileName(const std::string& name, uint64_t* number);

}  // namespace cordis
