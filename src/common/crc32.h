#pragma once
/// CRC-32 (IEEE 802.3 polynomial, as zlib computes it) for file checksums.

#include <cstddef>
#include <cstdint>

namespace floe {

uint32_t Crc32(const void* data, size_t size, uint32_t crc = 0);

}  // namespace floe
