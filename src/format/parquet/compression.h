#pragma once
/// Page compression codecs of Parquet: UNCOMPRESSED, SNAPPY, GZIP (concatenated members too),
/// BROTLI, ZSTD, LZ4 (Hadoop's framing, or a raw block as some writers put under that id) and
/// LZ4_RAW. Decompression must produce exactly the page's declared size; anything else is an
/// IOError naming `what` (file, column, page).

#include <cstdint>
#include <string>
#include <string_view>

namespace floe::parquet {

/// Codec ids as the footer stores them (CompressionCodec).
enum class Codec : int32_t {
    UNCOMPRESSED = 0,
    SNAPPY = 1,
    GZIP = 2,
    LZO = 3,
    BROTLI = 4,
    LZ4 = 5,
    ZSTD = 6,
    LZ4_RAW = 7
};

const char* CodecName(Codec codec);

/// Decompresses `in` into exactly `out_size` bytes at `out`.
void Decompress(Codec codec, std::string_view in, char* out, size_t out_size, const std::string& what);

/// Compresses `in` (appending to `out`); for the writer. SNAPPY, GZIP, ZSTD, LZ4_RAW, BROTLI.
void Compress(Codec codec, std::string_view in, std::string& out, int level = 0);

}  // namespace floe::parquet
