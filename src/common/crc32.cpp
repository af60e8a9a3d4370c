#include "common/crc32.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

namespace floe {

// zlib's CRC-32 (the IEEE polynomial, as before), which processes several bytes per step.
uint32_t Crc32(const void* data, size_t size, uint32_t crc) {
    const auto* p = static_cast<const Bytef*>(data);
    uLong c = crc;
    while (size > 0) {
        auto n = static_cast<uInt>(std::min<size_t>(size, UINT_MAX));
        c = crc32(c, p, n);
        p += n;
        size -= n;
    }
    return static_cast<uint32_t>(c);
}

}  // namespace floe
