// compress(s[, method]) and uncompress(b[, method]): ZLIB (the default; a zlib stream), SNAPPY
// (raw snappy), ZSTD (a zstd frame) or LZ4 (an LZ4 block), methods case-insensitive. Binary values
// are VARCHAR bytes in Floe. Data that does not decompress gives NULL; an unknown method is an error.
#include <lz4.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <optional>
#include <string>

#include "common/ascii.h"
#include "common/exception.h"
#include "function/function_registry.h"
#include "function/simple_function.h"
#include "function/vector_executor.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;
const LogicalType kStr = LogicalType::Varchar();

enum class Method { ZLIB, SNAPPY, ZSTD, LZ4 };

/// Results beyond this are refused (a small input may claim a huge output).
constexpr size_t kMaxUncompressed = size_t{1} << 30;

Method MethodOf(std::string_view name) {
    if (AsciiEqualsIgnoreCase(name, "zlib")) return Method::ZLIB;
    if (AsciiEqualsIgnoreCase(name, "snappy")) return Method::SNAPPY;
    if (AsciiEqualsIgnoreCase(name, "zstd")) return Method::ZSTD;
    if (AsciiEqualsIgnoreCase(name, "lz4")) return Method::LZ4;
    throw ExecutionError("unknown compression method '" + std::string(name) + "' (SNAPPY, ZLIB, ZSTD, LZ4)",
                         ErrorCode::WRONG_ARGUMENTS);
}

std::string Compress(Method m, std::string_view in) {
    std::string out;
    switch (m) {
        case Method::ZLIB: {
            uLongf n = compressBound(static_cast<uLong>(in.size()));
            out.resize(n);
            if (compress(reinterpret_cast<Bytef*>(out.data()), &n, reinterpret_cast<const Bytef*>(in.data()),
                         static_cast<uLong>(in.size())) != Z_OK)
                throw ExecutionError("compress(): zlib failed");
            out.resize(n);
            return out;
        }
        case Method::SNAPPY:
            snappy::Compress(in.data(), in.size(), &out);
            return out;
        case Method::ZSTD: {
            out.resize(ZSTD_compressBound(in.size()));
            size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), ZSTD_CLEVEL_DEFAULT);
            if (ZSTD_isError(n)) throw ExecutionError(std::string("compress(): ") + ZSTD_getErrorName(n));
            out.resize(n);
            return out;
        }
        case Method::LZ4: {
            if (in.size() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE))
                throw ExecutionError("compress(): input too large");
            out.resize(static_cast<size_t>(LZ4_compressBound(static_cast<int>(in.size()))));
            int n =
                LZ4_compress_default(in.data(), out.data(), static_cast<int>(in.size()), static_cast<int>(out.size()));
            if (n <= 0) throw ExecutionError("compress(): lz4 failed");
            out.resize(static_cast<size_t>(n));
            return out;
        }
    }
    return out;
}

std::optional<std::string> Uncompress(Method m, std::string_view in) {
    std::string out;
    switch (m) {
        case Method::ZLIB: {
            z_stream z{};
            if (inflateInit(&z) != Z_OK) return std::nullopt;
            z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
            z.avail_in = static_cast<uInt>(in.size());
            int rc = Z_OK;
            char buf[16384];
            while (rc == Z_OK) {
                z.next_out = reinterpret_cast<Bytef*>(buf);
                z.avail_out = sizeof(buf);
                rc = inflate(&z, Z_NO_FLUSH);
                out.append(buf, sizeof(buf) - z.avail_out);
                if (out.size() > kMaxUncompressed || (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0)) break;
            }
            inflateEnd(&z);
            if (rc != Z_STREAM_END) return std::nullopt;
            return out;
        }
        case Method::SNAPPY: {
            size_t n = 0;
            if (!snappy::GetUncompressedLength(in.data(), in.size(), &n) || n > kMaxUncompressed) return std::nullopt;
            out.resize(n);
            if (!snappy::RawUncompress(in.data(), in.size(), out.data())) return std::nullopt;
            return out;
        }
        case Method::ZSTD: {
            unsigned long long n = ZSTD_getFrameContentSize(in.data(), in.size());
            if (n == ZSTD_CONTENTSIZE_ERROR || n == ZSTD_CONTENTSIZE_UNKNOWN || n > kMaxUncompressed)
                return std::nullopt;
            out.resize(static_cast<size_t>(n));
            size_t got = ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
            if (ZSTD_isError(got) || got != n) return std::nullopt;
            return out;
        }
        case Method::LZ4: {
            // An LZ4 block does not record its size: grow the buffer until it fits.
            if (in.size() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) return std::nullopt;
            for (size_t cap = std::max<size_t>(64, in.size() * 4); cap <= kMaxUncompressed; cap *= 4) {
                out.resize(cap);
                int n = LZ4_decompress_safe(in.data(), out.data(), static_cast<int>(in.size()), static_cast<int>(cap));
                if (n >= 0) {
                    out.resize(static_cast<size_t>(n));
                    return out;
                }
                if (cap >= in.size() * 255 + 64) break;  // LZ4's largest ratio: the data is corrupt
            }
            return std::nullopt;
        }
    }
    return std::nullopt;
}

ScalarKernel CompressionKernel(bool compress) {
    return [compress](Args a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            bool n = a[0]->IsNull(i) || (a.size() > 1 && a[1]->IsNull(i));
            std::optional<std::string> v;
            if (!n) {
                Method m = a.size() > 1 ? MethodOf(a[1]->Strings()[i].view()) : Method::ZLIB;
                std::string_view s = a[0]->Strings()[i].view();
                if (compress)
                    v = Compress(m, s);
                else
                    v = Uncompress(m, s);
            }
            out.SetNull(i, !v);
            if (v) out.SetString(i, *v);
        }
    };
}

}  // namespace

void RegisterStringCompressFunctions(FunctionRegistry& r) {
    for (bool compress : {true, false}) {
        const char* name = compress ? "compress" : "uncompress";
        r.AddScalar(name, Overloads(name, {{{kStr}, kStr, CompressionKernel(compress)},
                                           {{kStr, kStr}, kStr, CompressionKernel(compress)}}));
    }
}

}  // namespace floe
