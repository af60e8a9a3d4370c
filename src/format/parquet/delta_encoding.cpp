#include "format/parquet/delta_encoding.h"

#include <algorithm>

namespace floe::parquet {

namespace {

void PutUleb(uint64_t v, std::string& out) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

void PutZigZag(int64_t v, std::string& out) {
    PutUleb((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63), out);
}

int Width(uint64_t v) {
    return v == 0 ? 0 : 64 - __builtin_clzll(v);
}

constexpr size_t kBlock = 128, kMiniblocks = 4, kMini = kBlock / kMiniblocks;

}  // namespace

void EncodeDeltaBinaryPacked(const std::vector<int64_t>& values, std::string& out) {
    PutUleb(kBlock, out);
    PutUleb(kMiniblocks, out);
    PutUleb(values.size(), out);
    PutZigZag(values.empty() ? 0 : values[0], out);
    std::vector<uint64_t> deltas;
    deltas.reserve(values.empty() ? 0 : values.size() - 1);
    for (size_t i = 1; i < values.size(); ++i) {
        deltas.push_back(static_cast<uint64_t>(values[i]) - static_cast<uint64_t>(values[i - 1]));
    }
    for (size_t start = 0; start < deltas.size(); start += kBlock) {
        size_t end = std::min(deltas.size(), start + kBlock);
        auto min_delta = static_cast<int64_t>(deltas[start]);
        for (size_t i = start; i < end; ++i) min_delta = std::min(min_delta, static_cast<int64_t>(deltas[i]));
        PutZigZag(min_delta, out);
        size_t widths_at = out.size();
        out.append(kMiniblocks, '\0');
        for (size_t m = 0; m < kMiniblocks; ++m) {
            size_t b = start + m * kMini;
            if (b >= end) break;  // unused miniblocks keep width 0 and no body
            size_t e = std::min(end, b + kMini);
            uint64_t max = 0;
            for (size_t i = b; i < e; ++i) max = std::max(max, deltas[i] - static_cast<uint64_t>(min_delta));
            int width = Width(max);
            out[widths_at + m] = static_cast<char>(width);
            // 32 values, LSB first; a short last miniblock is padded with zeros.
            size_t bytes = static_cast<size_t>(width) * kMini / 8;
            size_t at = out.size();
            out.append(bytes, '\0');
            if (width == 0) continue;
            // LSB-first packing through a 128-bit accumulator, a byte at a time out of it.
            char* dst = out.data() + at;
            unsigned __int128 acc = 0;
            int held = 0;
            for (size_t i = b; i < e; ++i) {
                uint64_t v = deltas[i] - static_cast<uint64_t>(min_delta);
                acc |= static_cast<unsigned __int128>(v) << held;
                held += width;
                while (held >= 8) {
                    *dst++ = static_cast<char>(static_cast<uint8_t>(acc));
                    acc >>= 8;
                    held -= 8;
                }
            }
            if (held > 0) *dst = static_cast<char>(static_cast<uint8_t>(acc));  // padding stays zero
        }
    }
}

void EncodeDeltaLengthByteArray(const std::vector<std::string_view>& values, std::string& out) {
    std::vector<int64_t> lengths;
    lengths.reserve(values.size());
    for (auto v : values) lengths.push_back(static_cast<int64_t>(v.size()));
    EncodeDeltaBinaryPacked(lengths, out);
    for (auto v : values) out.append(v);
}

}  // namespace floe::parquet
