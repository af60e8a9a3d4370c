#include "format/parquet/bloom_filter.h"

#include <xxhash.h>

#include <cstring>

#include "common/exception.h"
#include "format/parquet/parquet_types.h"

namespace floe::parquet {

namespace pf = floe::parquet_format;

namespace {

constexpr uint32_t kSalt[8] = {0x47b6137bU, 0x44974d91U, 0x8824ad5bU, 0xa2b7289dU,
                               0x705495c7U, 0x2df1424bU, 0x9efc4947U, 0x5c6bfb31U};
constexpr size_t kBlockBytes = 32;
constexpr size_t kMaxBytes = size_t{128} << 20;

}  // namespace

BloomFilter BloomFilter::ForValues(size_t distinct) {
    // About 8 bits per value with 8 bits set per value gives near 1% false positives.
    size_t bytes = kBlockBytes;
    while (bytes < distinct && bytes < kMaxBytes) bytes *= 2;
    return BloomFilter(std::string(bytes, '\0'));
}

uint64_t BloomFilter::Hash(std::string_view plain_bytes) {
    return XXH64(plain_bytes.data(), plain_bytes.size(), 0);
}

const uint32_t* BloomFilter::Block(uint64_t hash) const {
    uint64_t blocks = bitset_.size() / kBlockBytes;
    uint64_t index = ((hash >> 32) * blocks) >> 32;
    return reinterpret_cast<const uint32_t*>(bitset_.data() + index * kBlockBytes);
}

void BloomFilter::Insert(uint64_t hash) {
    auto* block = const_cast<uint32_t*>(Block(hash));
    auto key = static_cast<uint32_t>(hash);
    for (int i = 0; i < 8; ++i) block[i] |= uint32_t{1} << ((key * kSalt[i]) >> 27);
}

bool BloomFilter::MayContain(uint64_t hash) const {
    const uint32_t* block = Block(hash);
    auto key = static_cast<uint32_t>(hash);
    for (int i = 0; i < 8; ++i) {
        if (!(block[i] & (uint32_t{1} << ((key * kSalt[i]) >> 27)))) return false;
    }
    return true;
}

std::optional<BloomFilter> ReadBloomFilter(const ParquetFileReader& file, size_t row_group, size_t column) {
    const FileColumn& c = file.columns().at(column);
    if (c.nested || !c.unsupported.empty()) return std::nullopt;
    const auto& md = file.metadata().row_groups[row_group].columns[c.node->leaf_index].meta_data;
    if (!md.__isset.bloom_filter_offset || md.bloom_filter_offset < 4) return std::nullopt;
    uint64_t size = file.file().size();
    auto offset = static_cast<uint64_t>(md.bloom_filter_offset);
    std::string what = "'" + file.path() + "' column '" + c.name + "' row group " + std::to_string(row_group);
    if (offset >= size) throw IOError(what + ": the bloom filter lies outside the file");
    // The header is a few bytes of thrift; read generously, then the bitset after it.
    size_t head_len = static_cast<size_t>(std::min<uint64_t>(size - offset, 256));
    if (md.__isset.bloom_filter_length && md.bloom_filter_length > 0) {
        head_len = std::min<size_t>(head_len, static_cast<size_t>(md.bloom_filter_length));
    }
    std::string head = file.file().ReadAt(offset, head_len);
    pf::BloomFilterHeader header;
    size_t used = ReadThrift(head.data(), head.size(), header, what + ": corrupt bloom filter header");
    if (!header.algorithm.__isset.BLOCK || !header.hash.__isset.XXHASH || !header.compression.__isset.UNCOMPRESSED) {
        return std::nullopt;  // a kind of filter Floe does not know: not used
    }
    if (header.numBytes <= 0 || static_cast<size_t>(header.numBytes) % kBlockBytes != 0 ||
        static_cast<size_t>(header.numBytes) > kMaxBytes || offset + used + header.numBytes > size) {
        throw IOError(what + ": corrupt bloom filter (" + std::to_string(header.numBytes) + " bytes)");
    }
    return BloomFilter(file.file().ReadAt(offset + used, static_cast<size_t>(header.numBytes)));
}

std::optional<std::string> PlainBytes(const SchemaNode& leaf, const Value& value) {
    if (value.is_null()) return std::nullopt;
    std::string out;
    auto put = [&](auto v) { out.append(reinterpret_cast<const char*>(&v), sizeof(v)); };
    switch (leaf.physical) {
        case PhysicalType::INT32:
            if (leaf.conversion != Conversion::NONE && leaf.conversion != Conversion::INT8 &&
                leaf.conversion != Conversion::INT16 && leaf.conversion != Conversion::DATE) {
                return std::nullopt;
            }
            if (!value.type().IsInteger() && value.type().id != TypeId::DATE) return std::nullopt;
            put(static_cast<int32_t>(value.GetInt()));
            return out;
        case PhysicalType::INT64:
            if (leaf.conversion != Conversion::NONE || !value.type().IsInteger() ||
                value.type().id == TypeId::LARGEINT) {
                return std::nullopt;
            }
            put(static_cast<int64_t>(value.GetInt()));
            return out;
        case PhysicalType::BYTE_ARRAY:
            if (leaf.conversion != Conversion::BYTES || !value.type().IsString()) return std::nullopt;
            return value.GetString();
        default:
            return std::nullopt;
    }
}

}  // namespace floe::parquet
