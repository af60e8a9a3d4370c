#pragma once
/// BITMAP values: sets of unsigned 64-bit integers (CRoaring's Roaring64Map), stored in columns
/// as their portable serialized bytes. BITMAP_UNION columns and the bitmap functions build on
/// them to count distinct values exactly.

#include <roaring/roaring64map.hh>

#include <string>
#include <string_view>

namespace floe {

std::string BitmapSerialize(const Roaring64Map& bitmap);
/// Throws ConversionError when the bytes are not a serialized bitmap.
Roaring64Map BitmapDeserialize(std::string_view bytes);
/// "1,2,3" (ascending), as bitmap_to_string prints it.
std::string BitmapToString(std::string_view bytes);

/// MurmurHash3 (x86, 32-bit) with StarRocks' seed, as bitmap_hash uses it.
uint32_t Murmur3_32(std::string_view bytes, uint32_t seed = 104729);
/// MurmurHash64A, the hash HLL values are built from.
uint64_t Murmur64(std::string_view bytes, uint64_t seed = 0xadc83b19ULL);

}  // namespace floe
