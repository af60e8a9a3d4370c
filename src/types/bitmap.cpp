#include "types/bitmap.h"

#include <cstring>

#include "common/exception.h"

namespace floe {

std::string BitmapSerialize(const Roaring64Map& bitmap) {
    std::string out(bitmap.getSizeInBytes(true), '\0');
    bitmap.write(out.data(), true);
    return out;
}

Roaring64Map BitmapDeserialize(std::string_view bytes) {
    try {
        // CRoaring reads 64-bit words in place: values in a column heap may sit at any address.
        if (reinterpret_cast<uintptr_t>(bytes.data()) % alignof(uint64_t) != 0) {
            std::string aligned(bytes);  // std::string's buffer is suitably aligned
            return Roaring64Map::readSafe(aligned.data(), aligned.size());
        }
        return Roaring64Map::readSafe(bytes.data(), bytes.size());
    } catch (const std::exception&) {
        throw ConversionError("value is not a valid BITMAP", ErrorCode::BAD_FIELD_VALUE);
    }
}

std::string BitmapToString(std::string_view bytes) {
    Roaring64Map bitmap = BitmapDeserialize(bytes);
    std::string out;
    for (uint64_t v : bitmap) {
        if (!out.empty()) out.push_back(',');
        out += std::to_string(v);
    }
    return out;
}

uint32_t Murmur3_32(std::string_view bytes, uint32_t seed) {
    const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
    size_t len = bytes.size();
    uint32_t h = seed;
    const uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
    size_t blocks = len / 4;
    for (size_t i = 0; i < blocks; ++i) {
        uint32_t k;
        std::memcpy(&k, data + i * 4, 4);
        k *= c1;
        k = (k << 15) | (k >> 17);
        k *= c2;
        h ^= k;
        h = (h << 13) | (h >> 19);
        h = h * 5 + 0xe6546b64;
    }
    const uint8_t* tail = data + blocks * 4;
    uint32_t k = 0;
    switch (len & 3) {
        case 3:
            k ^= static_cast<uint32_t>(tail[2]) << 16;
            [[fallthrough]];
        case 2:
            k ^= static_cast<uint32_t>(tail[1]) << 8;
            [[fallthrough]];
        case 1:
            k ^= tail[0];
            k *= c1;
            k = (k << 15) | (k >> 17);
            k *= c2;
            h ^= k;
    }
    h ^= static_cast<uint32_t>(len);
    h ^= h >> 16;
    h *= 0x85ebca6b;
    h ^= h >> 13;
    h *= 0xc2b2ae35;
    h ^= h >> 16;
    return h;
}

uint64_t Murmur64(std::string_view bytes, uint64_t seed) {
    const uint64_t m = 0xc6a4a7935bd1e995ULL;
    const int r = 47;
    uint64_t h = seed ^ (bytes.size() * m);
    const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
    size_t blocks = bytes.size() / 8;
    for (size_t i = 0; i < blocks; ++i) {
        uint64_t k;
        std::memcpy(&k, data + i * 8, 8);
        k *= m;
        k ^= k >> r;
        k *= m;
        h ^= k;
        h *= m;
    }
    const uint8_t* tail = data + blocks * 8;
    switch (bytes.size() & 7) {
        case 7:
            h ^= static_cast<uint64_t>(tail[6]) << 48;
            [[fallthrough]];
        case 6:
            h ^= static_cast<uint64_t>(tail[5]) << 40;
            [[fallthrough]];
        case 5:
            h ^= static_cast<uint64_t>(tail[4]) << 32;
            [[fallthrough]];
        case 4:
            h ^= static_cast<uint64_t>(tail[3]) << 24;
            [[fallthrough]];
        case 3:
            h ^= static_cast<uint64_t>(tail[2]) << 16;
            [[fallthrough]];
        case 2:
            h ^= static_cast<uint64_t>(tail[1]) << 8;
            [[fallthrough]];
        case 1:
            h ^= tail[0];
            h *= m;
    }
    h ^= h >> r;
    h *= m;
    h ^= h >> r;
    return h;
}

}  // namespace floe
