#include "storage/encoding.h"

#include <lz4.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "common/ascii.h"
#include "common/exception.h"

namespace floe {

namespace {

template <typename T>
void Put(std::string& out, T v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

template <typename T>
T Take(std::string_view in, size_t& pos, const std::string& what) {
    if (pos + sizeof(T) > in.size()) throw IOError(what + ": page or footer is truncated");
    T v;
    std::memcpy(&v, in.data() + pos, sizeof(T));
    pos += sizeof(T);
    return v;
}

bool IsStringLike(const LogicalType& t) {
    return t.PhysicalSize() == 16 && (t.IsString() || t.id >= TypeId::BITMAP);
}

/// Integer-like types stored in at most 8 bytes (frame-of-reference candidates).
bool IsIntLike(const LogicalType& t) {
    switch (t.id) {
        case TypeId::BOOLEAN:
        case TypeId::TINYINT:
        case TypeId::SMALLINT:
        case TypeId::INT:
        case TypeId::BIGINT:
        case TypeId::DATE:
        case TypeId::DATETIME:
            return true;
        case TypeId::DECIMAL:
            return t.PhysicalSize() <= 8;
        default:
            return false;
    }
}

int64_t ReadInt(const uint8_t* data, uint32_t width, size_t row) {
    switch (width) {
        case 1:
            return reinterpret_cast<const int8_t*>(data)[row];
        case 2:
            return reinterpret_cast<const int16_t*>(data)[row];
        case 4:
            return reinterpret_cast<const int32_t*>(data)[row];
        default:
            return reinterpret_cast<const int64_t*>(data)[row];
    }
}

void WriteInt(uint8_t* data, uint32_t width, size_t row, int64_t v) {
    switch (width) {
        case 1:
            reinterpret_cast<int8_t*>(data)[row] = static_cast<int8_t>(v);
            break;
        case 2:
            reinterpret_cast<int16_t*>(data)[row] = static_cast<int16_t>(v);
            break;
        case 4:
            reinterpret_cast<int32_t*>(data)[row] = static_cast<int32_t>(v);
            break;
        default:
            reinterpret_cast<int64_t*>(data)[row] = v;
    }
}

uint8_t BitsFor(uint64_t range) {
    uint8_t bits = 0;
    while (bits < 64 && (range >> bits) != 0) ++bits;
    return bits;
}

/// Appends `n` values of `bits` bits each (little-endian bit order).
void Pack(const uint64_t* values, size_t n, uint8_t bits, std::string& out) {
    if (bits == 0) return;
    size_t bytes = (n * bits + 7) / 8;
    size_t at = out.size();
    out.resize(at + bytes + 8, '\0');  // slack for the last 8-byte store
    auto* dst = reinterpret_cast<uint8_t*>(out.data() + at);
    // A 64-bit accumulator: values go in at the low end, whole words go out.
    uint64_t acc = 0;
    unsigned filled = 0;
    for (size_t i = 0; i < n; ++i) {
        uint64_t v = values[i];
        acc |= v << filled;
        filled += bits;
        if (filled >= 64) {
            std::memcpy(dst, &acc, 8);
            dst += 8;
            filled -= 64;
            acc = filled ? v >> (bits - filled) : 0;
        }
    }
    if (filled) std::memcpy(dst, &acc, 8);
    out.resize(at + bytes);
}

/// Reused between pages: the dictionary's hash slots and the per-row scratch arrays.
struct EncodeScratch {
    std::vector<uint32_t> slots;  // entry index + 1, 0 = empty
    std::vector<std::string_view> entries;
    std::vector<uint64_t> values;
};

EncodeScratch& Scratch() {
    thread_local EncodeScratch scratch;
    return scratch;
}

/// A fast hash for the page dictionary (never persisted).
inline uint64_t DictHash(std::string_view s) {
    uint64_t h = s.size() * 0x9E3779B97F4A7C15ULL;
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 29;
    }
    if (i < s.size()) {
        uint64_t w = 0;
        std::memcpy(&w, s.data() + i, s.size() - i);
        h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
    }
    h ^= h >> 32;
    return h * 0x9E3779B97F4A7C15ULL;
}

void Unpack(std::string_view in, size_t& pos, size_t n, uint8_t bits, uint64_t* values, const std::string& what) {
    if (bits == 0) {
        std::fill(values, values + n, 0);
        return;
    }
    if (bits > 64) throw IOError(what + ": bad bit width " + std::to_string(bits));
    size_t bytes = (n * bits + 7) / 8;
    if (pos + bytes > in.size()) throw IOError(what + ": packed values are truncated");
    const auto* src = reinterpret_cast<const uint8_t*>(in.data() + pos);
    uint64_t mask = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
    size_t bit = 0;
    for (size_t i = 0; i < n; ++i, bit += bits) {
        size_t byte = bit / 8;
        size_t span = (bit % 8 + bits + 7) / 8;
        unsigned __int128 v = 0;
        for (size_t k = 0; k < span; ++k) v |= static_cast<unsigned __int128>(src[byte + k]) << (8 * k);
        values[i] = static_cast<uint64_t>(v >> (bit % 8)) & mask;
    }
    pos += bytes;
}

}  // namespace

std::optional<PageCodec> ParseCodec(std::string_view name) {
    std::string n = AsciiLower(name);
    if (n == "lz4" || n == "lz4_frame" || n.empty()) return PageCodec::LZ4;
    if (n == "zstd" || n.rfind("zstd(", 0) == 0) return PageCodec::ZSTD;
    if (n == "none" || n == "no_compression" || n == "uncompressed") return PageCodec::NONE;
    return std::nullopt;
}

void ZoneMap::Merge(const ZoneMap& o) {
    null_count += o.null_count;
    rows += o.rows;
    if (o.kind == NONE) return;
    if (kind == NONE) {
        uint32_t n = null_count, r = rows;
        *this = o;
        null_count = n;
        rows = r;
        return;
    }
    if (kind == INT) {
        imin = std::min(imin, o.imin);
        imax = std::max(imax, o.imax);
    } else if (kind == DOUBLE) {
        dmin = std::min(dmin, o.dmin);
        dmax = std::max(dmax, o.dmax);
    } else {
        if (o.smin < smin) smin = o.smin;
        has_smax = has_smax && o.has_smax;
        if (has_smax && o.smax > smax) smax = o.smax;
    }
}

void ZoneMap::Serialize(std::string& out) const {
    Put<uint8_t>(out, kind);
    Put<uint32_t>(out, rows);
    Put<uint32_t>(out, null_count);
    if (kind == INT) {
        Put<int64_t>(out, imin);
        Put<int64_t>(out, imax);
    } else if (kind == DOUBLE) {
        Put<double>(out, dmin);
        Put<double>(out, dmax);
    } else if (kind == STRING) {
        Put<uint8_t>(out, static_cast<uint8_t>(smin.size()));
        out += smin;
        Put<uint8_t>(out, has_smax ? static_cast<uint8_t>(smax.size()) : 0xff);
        if (has_smax) out += smax;
    }
}

ZoneMap ZoneMap::Deserialize(std::string_view in, size_t& pos, const std::string& what) {
    ZoneMap z;
    z.kind = static_cast<Kind>(Take<uint8_t>(in, pos, what));
    z.rows = Take<uint32_t>(in, pos, what);
    z.null_count = Take<uint32_t>(in, pos, what);
    if (z.kind == INT) {
        z.imin = Take<int64_t>(in, pos, what);
        z.imax = Take<int64_t>(in, pos, what);
    } else if (z.kind == DOUBLE) {
        z.dmin = Take<double>(in, pos, what);
        z.dmax = Take<double>(in, pos, what);
    } else if (z.kind == STRING) {
        uint8_t n = Take<uint8_t>(in, pos, what);
        if (pos + n > in.size() || n > kZonePrefix) throw IOError(what + ": bad zone map");
        z.smin.assign(in.data() + pos, n);
        pos += n;
        uint8_t m = Take<uint8_t>(in, pos, what);
        if (m != 0xff) {
            if (pos + m > in.size() || m > kZonePrefix) throw IOError(what + ": bad zone map");
            z.smax.assign(in.data() + pos, m);
            z.has_smax = true;
            pos += m;
        }
    } else if (z.kind != NONE) {
        throw IOError(what + ": unknown zone map kind " + std::to_string(z.kind));
    }
    return z;
}

std::optional<ZoneOp> ParseZoneOp(std::string_view name) {
    if (name == "equal") return ZoneOp::EQ;
    if (name == "less") return ZoneOp::LT;
    if (name == "less_equal") return ZoneOp::LE;
    if (name == "greater") return ZoneOp::GT;
    if (name == "greater_equal") return ZoneOp::GE;
    return std::nullopt;
}

namespace {
template <typename T>
bool RangeMayMatch(T lo, T hi, bool has_hi, ZoneOp op, T c) {
    switch (op) {
        case ZoneOp::EQ:
            return lo <= c && (!has_hi || c <= hi);
        case ZoneOp::LT:
            return lo < c;
        case ZoneOp::LE:
            return lo <= c;
        case ZoneOp::GT:
            return !has_hi || hi > c;
        case ZoneOp::GE:
            return !has_hi || hi >= c;
    }
    return true;
}
}  // namespace

bool ZoneMayMatch(const ZoneMap& zone, ZoneOp op, const Value& constant) {
    if (constant.is_null()) return false;
    if (zone.kind == ZoneMap::NONE) return zone.null_count < zone.rows;  // all NULL: nothing matches
    const LogicalType& t = constant.type();
    switch (zone.kind) {
        case ZoneMap::INT:
            if (t.id == TypeId::DECIMAL || t.IsFloating() || t.IsString() || t.id == TypeId::LARGEINT) return true;
            return RangeMayMatch<int64_t>(zone.imin, zone.imax, true, op, constant.GetInt());
        case ZoneMap::DOUBLE:
            if (!t.IsFloating()) return true;
            return RangeMayMatch<double>(zone.dmin, zone.dmax, true, op, constant.GetDouble());
        case ZoneMap::STRING:
            if (!t.IsString()) return true;
            return RangeMayMatch<std::string_view>(zone.smin, zone.smax, zone.has_smax, op, constant.GetString());
        default:
            return true;
    }
}

namespace {

uint64_t MixHash(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

uint64_t HashBytes(std::string_view s) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
    return MixHash(h);
}

constexpr int kBloomProbes = 7;

void BloomAdd(std::string& bits, uint64_t h) {
    uint64_t nbits = bits.size() * 8;
    uint64_t h1 = h, h2 = (h >> 32) | 1;
    for (int i = 0; i < kBloomProbes; ++i) {
        uint64_t bit = (h1 + static_cast<uint64_t>(i) * h2) % nbits;
        bits[bit / 8] = static_cast<char>(bits[bit / 8] | (1 << (bit % 8)));
    }
}

bool BloomTest(std::string_view bits, uint64_t h) {
    uint64_t nbits = bits.size() * 8;
    if (nbits == 0) return true;
    uint64_t h1 = h, h2 = (h >> 32) | 1;
    for (int i = 0; i < kBloomProbes; ++i) {
        uint64_t bit = (h1 + static_cast<uint64_t>(i) * h2) % nbits;
        if (!(static_cast<unsigned char>(bits[bit / 8]) & (1 << (bit % 8)))) return false;
    }
    return true;
}

}  // namespace

std::string BuildBloomFilter(const Column& column, size_t start, size_t n) {
    std::string bits(std::max<size_t>(8, (n * 10 + 7) / 8), '\0');
    const LogicalType& type = column.type();
    for (size_t r = start; r < start + n; ++r) {
        if (column.IsNull(r)) continue;
        uint64_t h;
        if (IsStringLike(type)) {
            h = HashBytes(column.Strings()[r].view());
        } else if (IsIntLike(type)) {
            h = MixHash(static_cast<uint64_t>(ReadInt(column.Data<uint8_t>(), type.PhysicalSize(), r)));
        } else if (type.id == TypeId::DOUBLE || type.id == TypeId::FLOAT) {
            double d = type.id == TypeId::DOUBLE ? column.Data<double>()[r] : column.Data<float>()[r];
            if (d == 0) d = 0;  // -0.0 equals 0.0
            uint64_t bits64;
            std::memcpy(&bits64, &d, 8);
            h = MixHash(bits64);
        } else {
            return std::string();  // no bloom filter for this type
        }
        BloomAdd(bits, h);
    }
    return bits;
}

bool BloomMayContain(std::string_view bloom, const Value& constant) {
    if (bloom.empty() || constant.is_null()) return true;
    const LogicalType& t = constant.type();
    uint64_t h;
    if (t.IsString()) {
        h = HashBytes(constant.GetString());
    } else if (t.IsInteger() && t.id != TypeId::LARGEINT) {
        h = MixHash(static_cast<uint64_t>(constant.GetInt()));
    } else if (t.id == TypeId::DATE || t.id == TypeId::DATETIME || t.id == TypeId::BOOLEAN) {
        h = MixHash(static_cast<uint64_t>(constant.GetInt()));
    } else if (t.IsFloating()) {
        double d = constant.GetDouble();
        if (d == 0) d = 0;
        uint64_t bits64;
        std::memcpy(&bits64, &d, 8);
        h = MixHash(bits64);
    } else {
        return true;
    }
    return BloomTest(bloom, h);
}

std::string EncodePage(const Column& column, size_t start, size_t n, PageEncoding& encoding, ZoneMap& zone) {
    const LogicalType& type = column.type();
    const uint8_t* nulls = column.nulls() + start;
    std::string out;
    zone = ZoneMap{};
    zone.rows = static_cast<uint32_t>(n);
    for (size_t r = 0; r < n; ++r) zone.null_count += nulls[r] ? 1 : 0;
    Put<uint8_t>(out, zone.null_count ? 1 : 0);
    if (zone.null_count) out.append(reinterpret_cast<const char*>(nulls), n);
    bool any = zone.null_count < n;
    if (IsStringLike(type)) {
        const StringView* views = column.Strings() + start;
        // Dictionary when the page repeats itself enough.
        EncodeScratch& scratch = Scratch();
        size_t capacity = 16;
        while (capacity < 2 * n) capacity *= 2;
        scratch.slots.assign(capacity, 0);
        scratch.entries.clear();
        scratch.values.assign(n, 0);
        std::vector<std::string_view>& entries = scratch.entries;
        uint64_t* codes = scratch.values.data();
        const size_t max_entries = std::min<size_t>(n / 2, 65535);
        bool use_dict = true;
        for (size_t r = 0; r < n; ++r) {
            if (nulls[r]) continue;
            std::string_view v = views[r].view();
            size_t slot = DictHash(v) & (capacity - 1);
            while (true) {
                uint32_t e = scratch.slots[slot];
                if (e == 0) {
                    if (entries.size() >= max_entries) {
                        use_dict = false;
                        break;
                    }
                    entries.push_back(v);
                    scratch.slots[slot] = static_cast<uint32_t>(entries.size());
                    codes[r] = entries.size() - 1;
                    break;
                }
                if (entries[e - 1] == v) {
                    codes[r] = e - 1;
                    break;
                }
                slot = (slot + 1) & (capacity - 1);
            }
            if (!use_dict) break;
        }
        if (any && type.IsString()) {  // no zone maps for BITMAP, HLL
            std::string_view lo, hi;
            bool first = true;
            for (size_t r = 0; r < n; ++r) {
                if (nulls[r]) continue;
                std::string_view v = views[r].view();
                if (first) {
                    lo = hi = v;
                    first = false;
                } else if (v < lo) {
                    lo = v;
                } else if (v > hi) {
                    hi = v;
                }
            }
            zone.kind = ZoneMap::STRING;
            zone.smin = std::string(lo.substr(0, std::min<size_t>(lo.size(), ZoneMap::kZonePrefix)));
            zone.has_smax = hi.size() <= ZoneMap::kZonePrefix;
            if (zone.has_smax) zone.smax = std::string(hi);
        }
        if (use_dict && any) {
            encoding = PageEncoding::DICT;
            Put<uint32_t>(out, static_cast<uint32_t>(entries.size()));
            for (auto e : entries) Put<uint32_t>(out, static_cast<uint32_t>(e.size()));
            for (auto e : entries) out.append(e);
            uint8_t bits = BitsFor(entries.empty() ? 0 : entries.size() - 1);
            Put<uint8_t>(out, bits);
            Pack(codes, n, bits, out);
        } else {
            encoding = PageEncoding::PLAIN;
            for (size_t r = 0; r < n; ++r) Put<uint32_t>(out, nulls[r] ? 0 : static_cast<uint32_t>(views[r].size()));
            for (size_t r = 0; r < n; ++r) {
                if (!nulls[r]) out.append(views[r].view());
            }
        }
        return out;
    }
    uint32_t width = type.PhysicalSize();
    const uint8_t* data = column.Data<uint8_t>() + start * width;
    if (IsIntLike(type)) {
        int64_t lo = INT64_MAX, hi = INT64_MIN;
        for (size_t r = 0; r < n; ++r) {
            if (nulls[r]) continue;
            int64_t v = ReadInt(data, width, r);
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
        if (any) {
            zone.kind = ZoneMap::INT;
            zone.imin = lo;
            zone.imax = hi;
        } else {
            lo = hi = 0;
        }
        uint8_t bits = BitsFor(static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo));
        if (bits < width * 8) {
            encoding = PageEncoding::FOR_BITPACK;
            Put<int64_t>(out, lo);
            Put<uint8_t>(out, bits);
            std::vector<uint64_t>& offsets = Scratch().values;
            offsets.resize(n);
            for (size_t r = 0; r < n; ++r) {
                offsets[r] = nulls[r] ? 0 : static_cast<uint64_t>(ReadInt(data, width, r)) - static_cast<uint64_t>(lo);
            }
            Pack(offsets.data(), n, bits, out);
            return out;
        }
    } else if (type.id == TypeId::DOUBLE || type.id == TypeId::FLOAT) {
        for (size_t r = 0; r < n; ++r) {
            if (nulls[r]) continue;
            double v = type.id == TypeId::DOUBLE ? reinterpret_cast<const double*>(data)[r]
                                                 : reinterpret_cast<const float*>(data)[r];
            if (v != v) {  // NaN: no usable bounds
                zone.kind = ZoneMap::NONE;
                break;
            }
            if (zone.kind == ZoneMap::NONE) {
                zone.kind = ZoneMap::DOUBLE;
                zone.dmin = zone.dmax = v;
            } else {
                zone.dmin = std::min(zone.dmin, v);
                zone.dmax = std::max(zone.dmax, v);
            }
        }
    }
    encoding = PageEncoding::PLAIN;
    out.append(reinterpret_cast<const char*>(data), n * width);
    return out;
}

void DecodePage(std::string_view raw, PageEncoding encoding, size_t n, Column& out, size_t start,
                const std::string& what, PageDictionary* dictionary) {
    const LogicalType& type = out.type();
    size_t pos = 0;
    uint8_t has_nulls = Take<uint8_t>(raw, pos, what);
    uint8_t* nulls = out.nulls() + start;
    if (has_nulls) {
        if (pos + n > raw.size()) throw IOError(what + ": null map is truncated");
        std::memcpy(nulls, raw.data() + pos, n);
        pos += n;
    } else {
        std::memset(nulls, 0, n);
    }
    if (IsStringLike(type)) {
        StringView* views = out.Strings() + start;
        if (encoding == PageEncoding::DICT) {
            uint32_t count = Take<uint32_t>(raw, pos, what);
            if (count > n) throw IOError(what + ": dictionary larger than its page");
            std::vector<uint32_t> lens(count);
            size_t total = 0;
            for (auto& l : lens) {
                l = Take<uint32_t>(raw, pos, what);
                total += l;
            }
            if (pos + total > raw.size()) throw IOError(what + ": dictionary is truncated");
            char* heap = out.heap().Allocate(std::max<size_t>(total, 1));
            std::memcpy(heap, raw.data() + pos, total);
            pos += total;
            std::vector<StringView> entries(count);
            size_t at = 0;
            for (uint32_t i = 0; i < count; ++i) {
                entries[i] = StringView(heap + at, lens[i]);
                at += lens[i];
            }
            uint8_t bits = Take<uint8_t>(raw, pos, what);
            std::vector<uint64_t> codes(n);
            Unpack(raw, pos, n, bits, codes.data(), what);
            for (size_t r = 0; r < n; ++r) {
                if (nulls[r]) {
                    views[r] = StringView();
                    codes[r] = 0;
                    continue;
                }
                if (codes[r] >= count) throw IOError(what + ": dictionary code out of range");
                views[r] = entries[codes[r]];
            }
            if (dictionary && count <= kMaxKeptDictionary) {
                dictionary->entries = std::make_shared<Column>(type, count);
                dictionary->entries->Resize(count);
                std::copy(entries.begin(), entries.end(), dictionary->entries->Strings());
                dictionary->codes.assign(codes.begin(), codes.end());
            }
            return;
        }
        if (encoding != PageEncoding::PLAIN) throw IOError(what + ": bad string encoding");
        if (pos + n * 4 > raw.size()) throw IOError(what + ": string lengths are truncated");
        const char* lengths = raw.data() + pos;
        pos += n * 4;
        size_t total = raw.size() - pos;
        char* heap = out.heap().Allocate(std::max<size_t>(total, 1));
        std::memcpy(heap, raw.data() + pos, total);
        size_t at = 0;
        for (size_t r = 0; r < n; ++r) {
            uint32_t len;
            std::memcpy(&len, lengths + r * 4, 4);
            if (at + len > total) throw IOError(what + ": string data lies outside its page");
            views[r] = StringView(heap + at, len);
            at += len;
        }
        return;
    }
    uint32_t width = type.PhysicalSize();
    uint8_t* data = out.Data<uint8_t>() + start * width;
    if (encoding == PageEncoding::FOR_BITPACK) {
        if (!IsIntLike(type)) throw IOError(what + ": frame-of-reference page of a non-integer column");
        int64_t base = Take<int64_t>(raw, pos, what);
        uint8_t bits = Take<uint8_t>(raw, pos, what);
        std::vector<uint64_t> offsets(n);
        Unpack(raw, pos, n, bits, offsets.data(), what);
        for (size_t r = 0; r < n; ++r) {
            WriteInt(data, width, r, static_cast<int64_t>(static_cast<uint64_t>(base) + offsets[r]));
        }
        return;
    }
    if (encoding != PageEncoding::PLAIN) throw IOError(what + ": unknown encoding");
    if (pos + n * width > raw.size()) throw IOError(what + ": values are truncated");
    std::memcpy(data, raw.data() + pos, n * width);
}

std::string CompressPage(PageCodec codec, std::string_view raw) {
    std::string out;
    if (codec == PageCodec::LZ4) {
        out.resize(LZ4_compressBound(static_cast<int>(raw.size())));
        int n =
            LZ4_compress_default(raw.data(), out.data(), static_cast<int>(raw.size()), static_cast<int>(out.size()));
        if (n <= 0) throw IOError("LZ4 compression failed");
        out.resize(static_cast<size_t>(n));
    } else if (codec == PageCodec::ZSTD) {
        out.resize(ZSTD_compressBound(raw.size()));
        size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), 3);
        if (ZSTD_isError(n)) throw IOError(std::string("ZSTD compression failed: ") + ZSTD_getErrorName(n));
        out.resize(n);
    } else {
        out.assign(raw);
    }
    return out;
}

std::string DecompressPage(PageCodec codec, std::string_view stored, size_t raw_len, const std::string& what) {
    if (codec == PageCodec::NONE) {
        if (stored.size() != raw_len) throw IOError(what + ": page length mismatch");
        return std::string(stored);
    }
    if (raw_len > (size_t{1} << 31)) throw IOError(what + ": page too large");
    std::string out(raw_len, '\0');
    if (codec == PageCodec::LZ4) {
        int n =
            LZ4_decompress_safe(stored.data(), out.data(), static_cast<int>(stored.size()), static_cast<int>(raw_len));
        if (n < 0 || static_cast<size_t>(n) != raw_len) throw IOError(what + ": LZ4 data is corrupt");
    } else if (codec == PageCodec::ZSTD) {
        size_t n = ZSTD_decompress(out.data(), raw_len, stored.data(), stored.size());
        if (ZSTD_isError(n) || n != raw_len) throw IOError(what + ": ZSTD data is corrupt");
    } else {
        throw IOError(what + ": unknown codec " + std::to_string(static_cast<int>(codec)));
    }
    return out;
}

}  // namespace floe
