#include "format/parquet/decoding.h"

#include <cstring>

#include "common/exception.h"

namespace floe::parquet {

const char* EncodingName(Encoding e) {
    switch (e) {
        case Encoding::PLAIN:
            return "PLAIN";
        case Encoding::PLAIN_DICTIONARY:
            return "PLAIN_DICTIONARY";
        case Encoding::RLE:
            return "RLE";
        case Encoding::BIT_PACKED:
            return "BIT_PACKED";
        case Encoding::DELTA_BINARY_PACKED:
            return "DELTA_BINARY_PACKED";
        case Encoding::DELTA_LENGTH_BYTE_ARRAY:
            return "DELTA_LENGTH_BYTE_ARRAY";
        case Encoding::DELTA_BYTE_ARRAY:
            return "DELTA_BYTE_ARRAY";
        case Encoding::RLE_DICTIONARY:
            return "RLE_DICTIONARY";
        case Encoding::BYTE_STREAM_SPLIT:
            return "BYTE_STREAM_SPLIT";
    }
    return "unknown";
}

size_t FixedWidth(PhysicalType type, int32_t type_length) {
    switch (type) {
        case PhysicalType::BOOLEAN:
            return 1;
        case PhysicalType::INT32:
        case PhysicalType::FLOAT:
            return 4;
        case PhysicalType::INT64:
        case PhysicalType::DOUBLE:
            return 8;
        case PhysicalType::INT96:
            return 12;
        case PhysicalType::FIXED_LEN_BYTE_ARRAY:
            return type_length > 0 ? static_cast<size_t>(type_length) : 0;
        case PhysicalType::BYTE_ARRAY:
            return 0;
    }
    return 0;
}

int BitWidth(uint64_t max_value) {
    int bits = 0;
    while (bits < 64 && (max_value >> bits) != 0) ++bits;
    return bits;
}

namespace {

[[noreturn]] void Corrupt(const std::string& what, const std::string& detail) {
    throw IOError(what + ": " + detail);
}

/// ULEB128 (at most 10 bytes).
uint64_t ReadUleb(const uint8_t*& p, const uint8_t* end, const std::string& what) {
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (p >= end) Corrupt(what, "a varint runs past the end of the page");
        uint8_t b = *p++;
        v |= static_cast<uint64_t>(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
    Corrupt(what, "a varint is longer than 10 bytes");
}

int64_t ZigZag(uint64_t v) {
    return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
}

/// `width` (0..64) bits at bit `bit` of `base`, which has `bytes` bytes; the caller checked
/// that the bits lie inside.
uint64_t ReadBits(const uint8_t* base, size_t bytes, uint64_t bit, int width) {
    if (width == 0) return 0;
    size_t at = bit / 8;
    unsigned shift = bit % 8;
    unsigned __int128 word = 0;
    size_t take = std::min<size_t>(16, bytes - at);
    std::memcpy(&word, base + at, take);
    word >>= shift;
    uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
    return static_cast<uint64_t>(word) & mask;
}

/// DELTA_BINARY_PACKED: decodes `n` values (as wrapping 64-bit integers); returns bytes used.
size_t DecodeDeltaBinaryPacked(std::string_view data, size_t n, std::vector<uint64_t>& out, const std::string& what) {
    const auto* begin = reinterpret_cast<const uint8_t*>(data.data());
    const uint8_t* p = begin;
    const uint8_t* end = begin + data.size();
    uint64_t block_size = ReadUleb(p, end, what);
    uint64_t miniblocks = ReadUleb(p, end, what);
    uint64_t total = ReadUleb(p, end, what);
    uint64_t value = static_cast<uint64_t>(ZigZag(ReadUleb(p, end, what)));
    if (block_size == 0 || block_size % 128 != 0 || miniblocks == 0 || block_size % miniblocks != 0 ||
        (block_size / miniblocks) % 32 != 0) {
        Corrupt(what, "DELTA_BINARY_PACKED block of " + std::to_string(block_size) + " values in " +
                          std::to_string(miniblocks) + " miniblocks is not valid");
    }
    if (total < n) {
        Corrupt(what,
                "DELTA_BINARY_PACKED holds " + std::to_string(total) + " values, the page needs " + std::to_string(n));
    }
    uint64_t per_mini = block_size / miniblocks;
    out.clear();
    if (total == 0) return static_cast<size_t>(p - begin);
    out.resize(std::max<size_t>(n, 1));
    out[0] = value;
    uint64_t produced = 1;
    std::vector<uint8_t> widths(miniblocks);
    while (produced < total) {
        uint64_t min_delta = static_cast<uint64_t>(ZigZag(ReadUleb(p, end, what)));
        if (static_cast<uint64_t>(end - p) < miniblocks) Corrupt(what, "DELTA_BINARY_PACKED bit widths are cut off");
        std::memcpy(widths.data(), p, miniblocks);
        p += miniblocks;
        for (uint64_t m = 0; m < miniblocks && produced < total; ++m) {
            int width = widths[m];
            if (width > 64) Corrupt(what, "DELTA_BINARY_PACKED bit width " + std::to_string(width) + " is over 64");
            uint64_t bytes = per_mini * static_cast<uint64_t>(width) / 8;
            uint64_t available = std::min<uint64_t>(bytes, static_cast<uint64_t>(end - p));
            uint64_t take = std::min<uint64_t>(per_mini, total - produced);
            if (take * static_cast<uint64_t>(width) > available * 8) {
                Corrupt(what, "DELTA_BINARY_PACKED miniblock is cut off");
            }
            // Values past `n` are only stepped over; the rest are unpacked with one unaligned
            // 64-bit load each while 8 bytes remain (widths up to 56 bits fit after the shift).
            uint64_t keep = produced < n ? std::min<uint64_t>(take, n - produced) : 0;
            uint64_t* dst = out.data() + produced;
            uint64_t i = 0;
            if (width == 0) {
                for (; i < keep; ++i) dst[i] = value += min_delta;
            } else if (width <= 56) {
                // The load may reach past the miniblock into the page's next bytes: the mask
                // drops them. Only the page's end bounds it.
                const uint64_t mask = (uint64_t{1} << width) - 1;
                const auto page_left = static_cast<uint64_t>(end - p);
                for (; i < keep; ++i) {
                    uint64_t bit = i * static_cast<uint64_t>(width);
                    if (bit / 8 + 8 > page_left) break;
                    uint64_t word;
                    std::memcpy(&word, p + bit / 8, 8);
                    dst[i] = value += min_delta + ((word >> (bit % 8)) & mask);
                }
            }
            for (; i < keep; ++i) {
                dst[i] = value += min_delta + ReadBits(p, available, i * static_cast<uint64_t>(width), width);
            }
            produced += take;
            p += available;
        }
    }
    return static_cast<size_t>(p - begin);
}

/// DELTA_LENGTH_BYTE_ARRAY: `n` values as views into `data`; returns bytes used.
size_t DecodeDeltaLength(std::string_view data, size_t n, std::vector<std::string_view>& out, const std::string& what) {
    std::vector<uint64_t> lengths;
    size_t at = DecodeDeltaBinaryPacked(data, n, lengths, what);
    for (size_t i = 0; i < n; ++i) {
        auto len = static_cast<int64_t>(static_cast<int32_t>(lengths[i]));
        if (len < 0 || static_cast<uint64_t>(len) > data.size() - at) {
            Corrupt(what, "DELTA_LENGTH_BYTE_ARRAY value " + std::to_string(i) + " runs past the page");
        }
        out.push_back(data.substr(at, static_cast<size_t>(len)));
        at += static_cast<size_t>(len);
    }
    return at;
}

}  // namespace

RleDecoder::RleDecoder(std::string_view data, int bit_width, const std::string* what)
    : begin_(reinterpret_cast<const uint8_t*>(data.data())),
      pos_(begin_),
      end_(begin_ + data.size()),
      bit_width_(bit_width),
      what_(what) {
    if (bit_width < 0 || bit_width > 32) Corrupt(*what_, "RLE bit width " + std::to_string(bit_width) + " is over 32");
}

void RleDecoder::NextRun() {
    if (pos_ >= end_) Corrupt(*what_, "RLE data ends before all values were read");
    uint64_t header = ReadUleb(pos_, end_, *what_);
    if (header & 1) {
        uint64_t groups = header >> 1;
        if (groups == 0 || groups > (uint64_t{1} << 28)) Corrupt(*what_, "bad bit-packed run length");
        uint64_t bytes = groups * static_cast<uint64_t>(bit_width_);
        // The last run may be cut short by the writer: only the bytes that exist are read.
        uint64_t available = std::min<uint64_t>(bytes, static_cast<uint64_t>(end_ - pos_));
        packed_ = pos_;
        packed_bit_ = 0;
        packed_bits_available_ = available * 8;
        packed_left_ = static_cast<uint32_t>(groups * 8);
        if (bit_width_ > 0) {
            packed_left_ = static_cast<uint32_t>(
                std::min<uint64_t>(packed_left_, packed_bits_available_ / static_cast<uint64_t>(bit_width_)));
        }
        pos_ += available;
        if (packed_left_ == 0) Corrupt(*what_, "bit-packed run has no data");
    } else {
        uint64_t count = header >> 1;
        if (count == 0 || count > UINT32_MAX) Corrupt(*what_, "bad RLE run length");
        size_t bytes = static_cast<size_t>((bit_width_ + 7) / 8);
        if (static_cast<size_t>(end_ - pos_) < bytes) Corrupt(*what_, "RLE run value is cut off");
        uint32_t v = 0;
        std::memcpy(&v, pos_, bytes);
        pos_ += bytes;
        repeat_value_ = v;
        repeat_left_ = static_cast<uint32_t>(count);
    }
}

bool RleDecoder::TakeRepeated(size_t n, uint32_t& value) {
    if (repeat_left_ == 0 && packed_left_ == 0 && pos_ < end_) NextRun();
    if (repeat_left_ < n) return false;
    value = repeat_value_;
    repeat_left_ -= static_cast<uint32_t>(n);
    return true;
}

template <bool kMax>
uint32_t RleDecoder::Decode(uint32_t* out, size_t n) {
    uint32_t most = 0;
    while (n > 0) {
        if (repeat_left_ > 0) {
            size_t k = std::min<size_t>(n, repeat_left_);
            std::fill(out, out + k, repeat_value_);
            if constexpr (kMax) most = std::max(most, repeat_value_);
            out += k;
            n -= k;
            repeat_left_ -= static_cast<uint32_t>(k);
        } else if (packed_left_ > 0) {
            size_t k = std::min<size_t>(n, packed_left_);
            size_t bytes = static_cast<size_t>(packed_bits_available_ / 8);
            // Widths are at most 32: one unaligned 64-bit load holds each value (bit offset <= 7),
            // as long as 8 bytes remain before the end of the data (a load may reach past the run:
            // the mask drops those bits); the data's last bytes take the careful path.
            const auto load_limit = static_cast<size_t>(end_ - packed_);
            const uint64_t mask = bit_width_ == 32 ? 0xffffffffULL : (uint64_t{1} << bit_width_) - 1;
            size_t i = 0;
            if (bit_width_ <= 8 && packed_bit_ % 8 == 0) {
                // Groups of eight values fill bit_width_ whole bytes: one load per group.
                const auto w = static_cast<unsigned>(bit_width_);
                for (; i + 8 <= k && packed_bit_ / 8 + 8 <= load_limit; i += 8) {
                    uint64_t word;
                    std::memcpy(&word, packed_ + packed_bit_ / 8, 8);
                    for (unsigned j = 0; j < 8; ++j) {
                        out[i + j] = static_cast<uint32_t>((word >> (j * w)) & mask);
                        if constexpr (kMax) most = std::max(most, out[i + j]);
                    }
                    packed_bit_ += 8 * w;
                }
            }
            for (; i < k && packed_bit_ / 8 + 8 <= load_limit; ++i) {
                uint64_t word;
                std::memcpy(&word, packed_ + packed_bit_ / 8, 8);
                out[i] = static_cast<uint32_t>((word >> (packed_bit_ % 8)) & mask);
                if constexpr (kMax) most = std::max(most, out[i]);
                packed_bit_ += static_cast<uint64_t>(bit_width_);
            }
            for (; i < k; ++i) {
                out[i] = static_cast<uint32_t>(ReadBits(packed_, bytes, packed_bit_, bit_width_));
                if constexpr (kMax) most = std::max(most, out[i]);
                packed_bit_ += static_cast<uint64_t>(bit_width_);
            }
            out += k;
            n -= k;
            packed_left_ -= static_cast<uint32_t>(k);
        } else {
            NextRun();
        }
    }
    return most;
}

void RleDecoder::Get(uint32_t* out, size_t n) {
    Decode<false>(out, n);
}

uint32_t RleDecoder::GetWithMax(uint32_t* out, size_t n) {
    return Decode<true>(out, n);
}

void DecodeValues(Encoding encoding, PhysicalType type, int32_t type_length, std::string_view data, size_t n,
                  Values& out, const std::string& what) {
    size_t width = FixedWidth(type, type_length);
    if (type == PhysicalType::FIXED_LEN_BYTE_ARRAY && width == 0)
        Corrupt(what, "FIXED_LEN_BYTE_ARRAY without a length");
    bool bytes_type = type == PhysicalType::BYTE_ARRAY || type == PhysicalType::FIXED_LEN_BYTE_ARRAY;
    size_t base = out.count;
    out.count += n;
    if (out.fixed_in_place && !(encoding == Encoding::PLAIN && base == 0)) {
        out.fixed.assign(out.fixed_in_place, out.fixed_in_place + base * width);
        out.fixed_in_place = nullptr;
    }
    switch (encoding) {
        case Encoding::PLAIN: {
            if (type == PhysicalType::BOOLEAN) {
                if (data.size() * 8 < n) Corrupt(what, "PLAIN booleans are cut off");
                out.fixed.resize(base + n);
                const auto* bits = reinterpret_cast<const uint8_t*>(data.data());
                for (size_t i = 0; i < n; ++i) out.fixed[base + i] = (bits[i / 8] >> (i % 8)) & 1;
                return;
            }
            if (type == PhysicalType::BYTE_ARRAY) {
                size_t at = 0;
                for (size_t i = 0; i < n; ++i) {
                    if (data.size() - at < 4)
                        Corrupt(what, "PLAIN BYTE_ARRAY value " + std::to_string(i) + " is cut off");
                    uint32_t len;
                    std::memcpy(&len, data.data() + at, 4);
                    at += 4;
                    if (len > data.size() - at) {
                        Corrupt(what, "PLAIN BYTE_ARRAY value " + std::to_string(i) + " of " + std::to_string(len) +
                                          " bytes runs past the page");
                    }
                    out.views.push_back(data.substr(at, len));
                    at += len;
                }
                return;
            }
            if (data.size() / width < n) {
                Corrupt(what, "PLAIN page holds " + std::to_string(data.size() / width) + " values, needs " +
                                  std::to_string(n));
            }
            if (type == PhysicalType::FIXED_LEN_BYTE_ARRAY) {
                for (size_t i = 0; i < n; ++i) out.views.push_back(data.substr(i * width, width));
                return;
            }
            if (base == 0 && out.fixed.empty()) {
                out.fixed_in_place = reinterpret_cast<const uint8_t*>(data.data());
                return;
            }
            if (out.fixed_in_place) {  // a second page: copy the first one's values after all
                out.fixed.assign(out.fixed_in_place, out.fixed_in_place + base * width);
                out.fixed_in_place = nullptr;
            }
            out.fixed.resize((base + n) * width);
            std::memcpy(out.fixed.data() + base * width, data.data(), n * width);
            return;
        }
        case Encoding::RLE: {
            if (type != PhysicalType::BOOLEAN) Corrupt(what, "RLE values are only defined for BOOLEAN");
            if (data.size() < 4) Corrupt(what, "RLE booleans lack their length");
            uint32_t len;
            std::memcpy(&len, data.data(), 4);
            if (len > data.size() - 4) Corrupt(what, "RLE booleans run past the page");
            RleDecoder rle(data.substr(4, len), 1, &what);
            std::vector<uint32_t> v(n);
            rle.Get(v.data(), n);
            out.fixed.resize(base + n);
            for (size_t i = 0; i < n; ++i) out.fixed[base + i] = static_cast<uint8_t>(v[i] & 1);
            return;
        }
        case Encoding::DELTA_BINARY_PACKED: {
            if (type != PhysicalType::INT32 && type != PhysicalType::INT64) {
                Corrupt(what, "DELTA_BINARY_PACKED is only defined for INT32 and INT64");
            }
            thread_local std::vector<uint64_t> v;  // reused: pages decode one after another
            DecodeDeltaBinaryPacked(data, n, v, what);
            out.fixed.resize((base + n) * width);
            for (size_t i = 0; i < n; ++i) {
                if (width == 4) {
                    auto x = static_cast<uint32_t>(v[i]);
                    std::memcpy(out.fixed.data() + (base + i) * 4, &x, 4);
                } else {
                    std::memcpy(out.fixed.data() + (base + i) * 8, &v[i], 8);
                }
            }
            return;
        }
        case Encoding::DELTA_LENGTH_BYTE_ARRAY:
            if (type != PhysicalType::BYTE_ARRAY)
                Corrupt(what, "DELTA_LENGTH_BYTE_ARRAY is only defined for BYTE_ARRAY");
            DecodeDeltaLength(data, n, out.views, what);
            return;
        case Encoding::DELTA_BYTE_ARRAY: {
            if (!bytes_type) Corrupt(what, "DELTA_BYTE_ARRAY is only defined for byte arrays");
            std::vector<uint64_t> prefixes;
            size_t at = DecodeDeltaBinaryPacked(data, n, prefixes, what);
            std::vector<std::string_view> suffixes;
            DecodeDeltaLength(data.substr(at), n, suffixes, what);
            // Rebuild each value from the previous one's prefix: in `owned`, then viewed.
            std::vector<size_t> starts(n + 1);
            size_t prev_start = 0, prev_len = 0;
            std::string& owned = out.owned;
            size_t owned_base = owned.size();
            for (size_t i = 0; i < n; ++i) {
                auto prefix = static_cast<int64_t>(static_cast<int32_t>(prefixes[i]));
                if (prefix < 0 || static_cast<size_t>(prefix) > prev_len) {
                    Corrupt(what, "DELTA_BYTE_ARRAY prefix of value " + std::to_string(i) +
                                      " is longer than the previous value");
                }
                size_t start = owned.size();
                owned.append(owned, prev_start, static_cast<size_t>(prefix));
                owned.append(suffixes[i]);
                starts[i] = start;
                prev_start = start;
                prev_len = owned.size() - start;
                if (type == PhysicalType::FIXED_LEN_BYTE_ARRAY && prev_len != width) {
                    Corrupt(what, "DELTA_BYTE_ARRAY value " + std::to_string(i) + " is not " + std::to_string(width) +
                                      " bytes long");
                }
            }
            starts[n] = owned.size();
            (void)owned_base;
            // Views are made last: `owned` may have moved while it grew. Earlier pages' views into
            // it are rebuilt by the caller, which decodes one page at a time.
            for (size_t i = 0; i < n; ++i) {
                out.views.push_back(std::string_view(owned).substr(starts[i], starts[i + 1] - starts[i]));
            }
            return;
        }
        case Encoding::BYTE_STREAM_SPLIT: {
            if (type == PhysicalType::BOOLEAN || type == PhysicalType::BYTE_ARRAY || type == PhysicalType::INT96) {
                Corrupt(what, "BYTE_STREAM_SPLIT is not defined for this type");
            }
            if (data.size() / width < n) Corrupt(what, "BYTE_STREAM_SPLIT streams are cut off");
            // The page's streams are as long as its value count (data.size() / width).
            size_t stride = data.size() / width;
            if (type == PhysicalType::FIXED_LEN_BYTE_ARRAY) {
                size_t start = out.owned.size();
                out.owned.resize(start + n * width);
                for (size_t i = 0; i < n; ++i) {
                    for (size_t k = 0; k < width; ++k) out.owned[start + i * width + k] = data[k * stride + i];
                }
                for (size_t i = 0; i < n; ++i) {
                    out.views.push_back(std::string_view(out.owned).substr(start + i * width, width));
                }
                return;
            }
            out.fixed.resize((base + n) * width);
            uint8_t* dst = out.fixed.data() + base * width;
            for (size_t k = 0; k < width; ++k) {
                const char* src = data.data() + k * stride;
                for (size_t i = 0; i < n; ++i) dst[i * width + k] = static_cast<uint8_t>(src[i]);
            }
            return;
        }
        case Encoding::PLAIN_DICTIONARY:
        case Encoding::RLE_DICTIONARY:
        case Encoding::BIT_PACKED:
            break;
    }
    Corrupt(what, std::string("values in ") + EncodingName(encoding) + " encoding are not supported here");
}

void DecodeIndices(std::string_view data, size_t n, std::vector<uint32_t>& out, uint32_t dictionary_size,
                   const std::string& what) {
    out.resize(n);
    if (n == 0) return;
    if (data.empty()) Corrupt(what, "dictionary indices lack their bit width");
    int width = static_cast<uint8_t>(data[0]);
    if (width > 32) Corrupt(what, "dictionary index bit width " + std::to_string(width) + " is over 32");
    RleDecoder rle(data.substr(1), width, &what);
    uint32_t most = rle.GetWithMax(out.data(), n);
    if (most >= dictionary_size) {
        Corrupt(what, "dictionary index " + std::to_string(most) + " is past the dictionary (" +
                          std::to_string(dictionary_size) + " entries)");
    }
}

namespace {

/// `n` levels from an RLE / bit-packed hybrid stream into `out`, each checked against the
/// maximum; a stream that is one run (a page without NULLs) costs one fill.
void DecodeRleLevels(RleDecoder& rle, size_t n, int max_level, std::vector<uint16_t>& out, const std::string& what,
                     size_t* at_max, bool skip_all_max) {
    uint32_t value;
    if (rle.TakeRepeated(n, value)) {
        if (value > static_cast<uint32_t>(max_level)) {
            Corrupt(what,
                    "level " + std::to_string(value) + " is over the column's maximum " + std::to_string(max_level));
        }
        if (skip_all_max && value == static_cast<uint32_t>(max_level) && at_max) {
            *at_max = n;
            return;
        }
        out.assign(n, static_cast<uint16_t>(value));
        if (at_max) *at_max = value == static_cast<uint32_t>(max_level) ? n : 0;
        return;
    }
    thread_local std::vector<uint32_t> v;
    v.resize(n);
    uint32_t most = rle.GetWithMax(v.data(), n);
    if (most > static_cast<uint32_t>(max_level)) {
        Corrupt(what, "level " + std::to_string(most) + " is over the column's maximum " + std::to_string(max_level));
    }
    out.resize(n);
    size_t count = 0;
    for (size_t i = 0; i < n; ++i) {
        out[i] = static_cast<uint16_t>(v[i]);
        count += v[i] == static_cast<uint32_t>(max_level) ? 1 : 0;
    }
    if (at_max) *at_max = count;
}

}  // namespace

size_t DecodeLevelsV1(Encoding encoding, std::string_view data, size_t n, int max_level, std::vector<uint16_t>& out,
                      const std::string& what, size_t* at_max, bool skip_all_max) {
    if (max_level == 0) {
        out.assign(n, 0);
        if (at_max) *at_max = n;
        return 0;
    }
    int width = BitWidth(static_cast<uint64_t>(max_level));
    size_t used;
    if (encoding == Encoding::RLE) {
        if (data.size() < 4) Corrupt(what, "levels lack their length");
        uint32_t len;
        std::memcpy(&len, data.data(), 4);
        if (len > data.size() - 4) Corrupt(what, "levels run past the page");
        RleDecoder rle(data.substr(4, len), width, &what);
        DecodeRleLevels(rle, n, max_level, out, what, at_max, skip_all_max);
        return 4 + len;
    }
    std::vector<uint32_t> v(n);
    if (encoding == Encoding::BIT_PACKED) {
        // Legacy: most significant bit first.
        size_t bytes = (n * static_cast<size_t>(width) + 7) / 8;
        if (bytes > data.size()) Corrupt(what, "BIT_PACKED levels run past the page");
        const auto* p = reinterpret_cast<const uint8_t*>(data.data());
        size_t bit = 0;
        for (size_t i = 0; i < n; ++i) {
            uint32_t x = 0;
            for (int b = 0; b < width; ++b, ++bit) x = (x << 1) | ((p[bit / 8] >> (7 - bit % 8)) & 1);
            v[i] = x;
        }
        used = bytes;
    } else {
        Corrupt(what, std::string("levels in ") + EncodingName(encoding) + " encoding are not supported");
    }
    out.resize(n);
    size_t count = 0;
    for (size_t i = 0; i < n; ++i) {
        if (v[i] > static_cast<uint32_t>(max_level)) {
            Corrupt(what,
                    "level " + std::to_string(v[i]) + " is over the column's maximum " + std::to_string(max_level));
        }
        out[i] = static_cast<uint16_t>(v[i]);
        count += v[i] == static_cast<uint32_t>(max_level) ? 1 : 0;
    }
    if (at_max) *at_max = count;
    return used;
}

void DecodeLevelsV2(std::string_view data, size_t n, int max_level, std::vector<uint16_t>& out, const std::string& what,
                    size_t* at_max, bool skip_all_max) {
    if (max_level == 0) {
        out.assign(n, 0);
        if (at_max) *at_max = n;
        return;
    }
    RleDecoder rle(data, BitWidth(static_cast<uint64_t>(max_level)), &what);
    DecodeRleLevels(rle, n, max_level, out, what, at_max, skip_all_max);
}

}  // namespace floe::parquet
