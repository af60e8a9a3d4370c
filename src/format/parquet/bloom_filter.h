#pragma once
/// Parquet's split block bloom filter (SBBF): 32-byte blocks of eight 32-bit words. A value's
/// hash is xxHash64 (seed 0) of its plain encoding; the upper 32 bits pick a block, the lower 32
/// bits times eight salts set one bit in each word. Scans ask a row group's filter whether an
/// equality's constant can be in it; the writer builds one per column chunk on request.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "format/parquet/file_reader.h"

namespace floe::parquet {

class BloomFilter {
  public:
    /// A filter sized for `distinct` values at about 1% false positives (a power-of-two number
    /// of blocks, 32 bytes to 128 MiB).
    static BloomFilter ForValues(size_t distinct);
    explicit BloomFilter(std::string bitset) : bitset_(std::move(bitset)) {}
    static uint64_t Hash(std::string_view plain_bytes);
    void Insert(uint64_t hash);
    bool MayContain(uint64_t hash) const;
    const std::string& bitset() const { return bitset_; }

  private:
    const uint32_t* Block(uint64_t hash) const;
    std::string bitset_;
};

/// The filter of a flat column's chunk in a row group, or nullopt when it has none (or one Floe
/// cannot use). Throws IOError for a filter that lies outside the file or is corrupt.
std::optional<BloomFilter> ReadBloomFilter(const ParquetFileReader& file, size_t row_group, size_t column);

/// The plain encoding of `value` as the leaf stores it, for the representations Floe can
/// reproduce exactly (integers, dates, strings; not floats, where -0.0 = 0.0 hash apart); nullopt
/// for the others.
std::optional<std::string> PlainBytes(const SchemaNode& leaf, const Value& value);

}  // namespace floe::parquet
