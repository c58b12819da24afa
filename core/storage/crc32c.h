// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), as iSCSI, ext4 and LevelDB use it.
// Written by hand (Debian's Abseil ships no absl/crc): SSE 4.2's crc32 instruction where the CPU
// has it, a byte table otherwise.
#pragma once

#include <cstdint>
#include <string_view>

namespace cordis {

// Extends `crc` (the CRC32C of earlier bytes, 0 for none) over `data`.
uint32_t Crc32cExtend(uint32_t crc, std::string_view data);
inline uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, data); }
// The table-driven version Crc32cExtend falls back to without SSE 4.2 (tests compare the two).
uint32_t Crc32cExtendPortable(uint32_t crc, std::string_view data);

}  // namespace cordis
