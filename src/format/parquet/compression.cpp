#include "format/parquet/compression.h"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <lz4.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>

#include "common/exception.h"

namespace floe::parquet {

const char* CodecName(Codec codec) {
    switch (codec) {
        case Codec::UNCOMPRESSED:
            return "UNCOMPRESSED";
        case Codec::SNAPPY:
            return "SNAPPY";
        case Codec::GZIP:
            return "GZIP";
        case Codec::LZO:
            return "LZO";
        case Codec::BROTLI:
            return "BROTLI";
        case Codec::LZ4:
            return "LZ4";
        case Codec::ZSTD:
            return "ZSTD";
        case Codec::LZ4_RAW:
            return "LZ4_RAW";
    }
    return "unknown";
}

namespace {

uint32_t BigEndian32(const char* p) {
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
}

/// Hadoop's LZ4 framing: blocks of [uncompressed size BE32][compressed size BE32][LZ4 block].
bool HadoopLz4(std::string_view in, char* out_data, size_t out_size) {
    std::string_view out(out_data, out_size);
    size_t at = 0, written = 0;
    while (at < in.size()) {
        if (in.size() - at < 8) return false;
        uint32_t raw = BigEndian32(in.data() + at), packed = BigEndian32(in.data() + at + 4);
        at += 8;
        if (packed > in.size() - at || raw > out.size() - written) return false;
        // A frame may hold several LZ4 blocks up to its uncompressed size.
        size_t frame_end = at + packed, frame_written = 0;
        while (frame_written < raw) {
            int got = LZ4_decompress_safe(in.data() + at, out_data + written + frame_written,
                                          static_cast<int>(frame_end - at), static_cast<int>(raw - frame_written));
            if (got < 0) return false;
            frame_written += static_cast<size_t>(got);
            at = frame_end;  // one block per frame in practice
            break;
        }
        if (frame_written != raw) return false;
        written += raw;
    }
    return written == out.size();
}

void Inflate(std::string_view in, char* out_data, size_t out_size, const std::string& what) {
    std::string_view out(out_data, out_size);
    z_stream z{};
    if (inflateInit2(&z, 15 + 32) != Z_OK) throw IOError(what + ": cannot start GZIP decompression");
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out_data);
    z.avail_out = static_cast<uInt>(out.size());
    while (true) {
        int rc = inflate(&z, Z_FINISH);
        if (rc == Z_STREAM_END) {
            // Concatenated members: go on while input remains.
            if (z.avail_in == 0 || z.avail_out == 0) break;
            inflateReset(&z);
            continue;
        }
        if (rc == Z_OK && z.avail_out > 0 && z.avail_in > 0) continue;
        inflateEnd(&z);
        throw IOError(what + ": GZIP data is corrupt or shorter than the page (" + (z.msg ? z.msg : "truncated") + ")");
    }
    size_t produced = out.size() - z.avail_out;
    inflateEnd(&z);
    if (produced != out.size()) {
        throw IOError(what + ": GZIP gave " + std::to_string(produced) + " bytes, the page declares " +
                      std::to_string(out.size()));
    }
}

}  // namespace

void Decompress(Codec codec, std::string_view in, char* out, size_t uncompressed_size, const std::string& what) {
    auto size_mismatch = [&](size_t got) {
        throw IOError(what + ": " + CodecName(codec) + " gave " + std::to_string(got) + " bytes, the page declares " +
                      std::to_string(uncompressed_size));
    };
    switch (codec) {
        case Codec::UNCOMPRESSED:
            if (in.size() != uncompressed_size) size_mismatch(in.size());
            if (!in.empty()) std::memcpy(out, in.data(), in.size());
            return;
        case Codec::SNAPPY: {
            size_t n = 0;
            if (!snappy::GetUncompressedLength(in.data(), in.size(), &n)) {
                throw IOError(what + ": SNAPPY data is corrupt");
            }
            if (n != uncompressed_size) size_mismatch(n);
            if (!snappy::RawUncompress(in.data(), in.size(), out)) {
                throw IOError(what + ": SNAPPY data is corrupt");
            }
            return;
        }
        case Codec::GZIP:
            Inflate(in, out, uncompressed_size, what);
            return;
        case Codec::BROTLI: {
            size_t n = uncompressed_size;
            if (BrotliDecoderDecompress(in.size(), reinterpret_cast<const uint8_t*>(in.data()), &n,
                                        reinterpret_cast<uint8_t*>(out)) != BROTLI_DECODER_RESULT_SUCCESS) {
                throw IOError(what + ": BROTLI data is corrupt or larger than the page declares");
            }
            if (n != uncompressed_size) size_mismatch(n);
            return;
        }
        case Codec::ZSTD: {
            size_t n = ZSTD_decompress(out, uncompressed_size, in.data(), in.size());
            if (ZSTD_isError(n)) throw IOError(what + ": ZSTD data is corrupt (" + ZSTD_getErrorName(n) + ")");
            if (n != uncompressed_size) size_mismatch(n);
            return;
        }
        case Codec::LZ4:
            if (HadoopLz4(in, out, uncompressed_size)) return;
            [[fallthrough]];  // some writers put a raw LZ4 block under this id
        case Codec::LZ4_RAW: {
            int n =
                LZ4_decompress_safe(in.data(), out, static_cast<int>(in.size()), static_cast<int>(uncompressed_size));
            if (n < 0) throw IOError(what + ": " + CodecName(codec) + " data is corrupt");
            if (static_cast<size_t>(n) != uncompressed_size) size_mismatch(static_cast<size_t>(n));
            return;
        }
        case Codec::LZO:
            throw NotSupportedError(what + ": the LZO codec is not supported");
    }
    throw IOError(what + ": unknown compression codec " + std::to_string(static_cast<int>(codec)));
}

void Compress(Codec codec, std::string_view in, std::string& out, int level) {
    size_t at = out.size();
    switch (codec) {
        case Codec::UNCOMPRESSED:
            out.append(in);
            return;
        case Codec::SNAPPY: {
            out.resize(at + snappy::MaxCompressedLength(in.size()));
            size_t n = 0;
            snappy::RawCompress(in.data(), in.size(), out.data() + at, &n);
            out.resize(at + n);
            return;
        }
        case Codec::ZSTD: {
            out.resize(at + ZSTD_compressBound(in.size()));
            size_t n = ZSTD_compress(out.data() + at, out.size() - at, in.data(), in.size(), level ? level : 3);
            if (ZSTD_isError(n)) throw IOError(std::string("ZSTD compression failed: ") + ZSTD_getErrorName(n));
            out.resize(at + n);
            return;
        }
        case Codec::LZ4_RAW: {
            out.resize(at + static_cast<size_t>(LZ4_compressBound(static_cast<int>(in.size()))));
            int n = LZ4_compress_default(in.data(), out.data() + at, static_cast<int>(in.size()),
                                         static_cast<int>(out.size() - at));
            if (n <= 0) throw IOError("LZ4 compression failed");
            out.resize(at + static_cast<size_t>(n));
            return;
        }
        case Codec::GZIP: {
            z_stream z{};
            if (deflateInit2(&z, level ? level : 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
                throw IOError("GZIP compression failed to start");
            }
            out.resize(at + deflateBound(&z, in.size()));
            z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
            z.avail_in = static_cast<uInt>(in.size());
            z.next_out = reinterpret_cast<Bytef*>(out.data() + at);
            z.avail_out = static_cast<uInt>(out.size() - at);
            int rc = deflate(&z, Z_FINISH);
            size_t n = out.size() - at - z.avail_out;
            deflateEnd(&z);
            if (rc != Z_STREAM_END) throw IOError("GZIP compression failed");
            out.resize(at + n);
            return;
        }
        case Codec::BROTLI: {
            size_t n = BrotliEncoderMaxCompressedSize(in.size());
            out.resize(at + n);
            if (!BrotliEncoderCompress(level ? level : BROTLI_DEFAULT_QUALITY, BROTLI_DEFAULT_WINDOW,
                                       BROTLI_DEFAULT_MODE, in.size(), reinterpret_cast<const uint8_t*>(in.data()), &n,
                                       reinterpret_cast<uint8_t*>(out.data() + at))) {
                throw IOError("BROTLI compression failed");
            }
            out.resize(at + n);
            return;
        }
        default:
            throw NotSupportedError(std::string("writing ") + CodecName(codec) + " pages is not supported");
    }
}

}  // namespace floe::parquet
