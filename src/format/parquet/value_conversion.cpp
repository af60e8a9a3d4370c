// Physical Parquet values -> Floe values (one conversion per schema leaf, see schema.h).
#include "format/parquet/value_conversion.h"

#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "common/check.h"
#include "common/exception.h"
#include "types/date_time.h"

namespace floe::parquet {

namespace {

float HalfToFloat(uint16_t h) {
    uint32_t sign = static_cast<uint32_t>(h >> 15) << 31;
    uint32_t exponent = (h >> 10) & 0x1f;
    uint32_t mantissa = h & 0x3ff;
    uint32_t bits;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else {  // subnormal: normalize
            int e = -1;
            do {
                ++e;
                mantissa <<= 1;
            } while (!(mantissa & 0x400));
            bits = sign | (static_cast<uint32_t>(127 - 15 - e) << 23) | ((mantissa & 0x3ff) << 13);
        }
    } else if (exponent == 31) {
        bits = sign | 0x7f800000u | (mantissa << 13);
    } else {
        bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

std::string TimeText(int64_t micros) {
    int64_t secs = micros / 1000000, frac = micros % 1000000;
    std::string s = fmt::format("{:02}:{:02}:{:02}", secs / 3600, (secs / 60) % 60, secs % 60);
    if (frac) s += fmt::format(".{:06}", frac);
    return s;
}

int64_t FloorDiv(int64_t a, int64_t b) {
    return a / b - (a % b != 0 && (a < 0) != (b < 0) ? 1 : 0);
}

/// Big-endian two's complement bytes as an int128; false when they do not fit.
bool BigEndianToInt128(std::string_view b, int128_t& out) {
    if (b.empty()) {
        out = 0;
        return true;
    }
    bool negative = static_cast<unsigned char>(b[0]) & 0x80;
    // Leading sign-extension bytes beyond 16 must all be 0x00 / 0xff.
    while (b.size() > 16) {
        if (static_cast<unsigned char>(b[0]) != (negative ? 0xff : 0x00)) return false;
        b.remove_prefix(1);
    }
    unsigned __int128 v = negative ? ~static_cast<unsigned __int128>(0) : 0;
    for (char c : b) v = (v << 8) | static_cast<unsigned char>(c);
    out = static_cast<int128_t>(v);
    return true;
}

double BigEndianToDouble(std::string_view b) {
    if (b.empty()) return 0;
    bool negative = static_cast<unsigned char>(b[0]) & 0x80;
    long double v = 0;
    for (char c : b) v = v * 256 + static_cast<unsigned char>(negative ? ~c : c);
    return static_cast<double>(negative ? -(v + 1) : v);
}

/// DATETIME holds years 0000 to 9999: an instant outside (Spark writes year 290000) is NULL.
void SetDatetime(Column& out, size_t i, int128_t micros) {
    static const int64_t kMin = static_cast<int64_t>(DaysFromCivil(0, 1, 1)) * kMicrosPerDay;
    static const int64_t kMax = static_cast<int64_t>(DaysFromCivil(10000, 1, 1)) * kMicrosPerDay - 1;
    if (micros < kMin || micros > kMax) {
        out.Data<int64_t>()[i] = 0;
        out.SetNull(i, true);
        return;
    }
    out.Data<int64_t>()[i] = static_cast<int64_t>(micros);
}

}  // namespace

/// Whether the leaf's values convert one fixed-width value to one Floe value with no other
/// input (no strings, no NULLs made): such pages are converted straight into the output rows
/// instead of into a page column first.
bool IsFixedConversion(const SchemaNode& leaf) {
    switch (leaf.conversion) {
        case Conversion::NONE:
            return leaf.physical != PhysicalType::BYTE_ARRAY && leaf.physical != PhysicalType::FIXED_LEN_BYTE_ARRAY &&
                   !leaf.type.HasStringHeap();
        case Conversion::INT8:
        case Conversion::INT16:
        case Conversion::UINT8:
        case Conversion::UINT16:
        case Conversion::UINT32:
        case Conversion::UINT64:
        case Conversion::DECIMAL_INT:
        case Conversion::DATE:
            return true;
        default:
            return false;
    }
}

/// Value i of an array of little-endian T at `fixed` (unaligned).
template <typename T>
T LoadLittle(const uint8_t* fixed, size_t i) {
    T v;
    std::memcpy(&v, fixed + i * sizeof(T), sizeof(T));
    return v;
}

/// Converts `n` physical values at `fixed` (a fixed conversion) into `dst`, values of the leaf's
/// Floe type.
void ConvertFixed(const SchemaNode& leaf, const uint8_t* fixed, size_t n, uint8_t* dst) {
    auto i32 = [&](size_t i) { return LoadLittle<int32_t>(fixed, i); };
    auto i64 = [&](size_t i) { return LoadLittle<int64_t>(fixed, i); };
    auto put = [&]<typename T>(size_t i, T v) { std::memcpy(dst + i * sizeof(T), &v, sizeof(T)); };
    if (n == 0) return;  // an empty page may have no buffer at all (memcpy takes no null pointer)
    switch (leaf.conversion) {
        case Conversion::NONE:
            std::memcpy(dst, fixed, n * leaf.type.PhysicalSize());
            return;
        case Conversion::DATE:
            std::memcpy(dst, fixed, n * 4);
            return;
        case Conversion::INT8:
            for (size_t i = 0; i < n; ++i) put(i, static_cast<int8_t>(i32(i)));
            return;
        case Conversion::INT16:
            for (size_t i = 0; i < n; ++i) put(i, static_cast<int16_t>(i32(i)));
            return;
        case Conversion::UINT8:
            for (size_t i = 0; i < n; ++i) put(i, static_cast<int16_t>(static_cast<uint8_t>(i32(i))));
            return;
        case Conversion::UINT16:
            for (size_t i = 0; i < n; ++i) put(i, static_cast<int32_t>(static_cast<uint16_t>(i32(i))));
            return;
        case Conversion::UINT32:
            for (size_t i = 0; i < n; ++i) {
                put(i, static_cast<int64_t>(leaf.physical == PhysicalType::INT64 ? static_cast<uint32_t>(i64(i))
                                                                                 : static_cast<uint32_t>(i32(i))));
            }
            return;
        case Conversion::UINT64:
            for (size_t i = 0; i < n; ++i) put(i, static_cast<int128_t>(static_cast<uint64_t>(i64(i))));
            return;
        case Conversion::DECIMAL_INT:
            if (leaf.physical == PhysicalType::INT32) {
                for (size_t i = 0; i < n; ++i) put(i, static_cast<int128_t>(i32(i)));
            } else {
                for (size_t i = 0; i < n; ++i) put(i, static_cast<int128_t>(i64(i)));
            }
            return;
        default:
            FLOE_CHECK(false);
    }
}

/// Converts `raw` (one page's or dictionary's decoded values) into `out`, a dense column of the
/// leaf's Floe type with raw.count rows.
void ConvertValues(const SchemaNode& leaf, const Values& raw, Column& out, const std::string& what) {
    size_t n = raw.count;
    out.Resize(n);
    if (n == 0) return;
    std::memset(out.nulls(), 0, n);
    const uint8_t* fixed = raw.fixed_data();
    auto i32 = [&](size_t i) { return LoadLittle<int32_t>(fixed, i); };
    auto i64 = [&](size_t i) { return LoadLittle<int64_t>(fixed, i); };
    if (IsFixedConversion(leaf)) {
        ConvertFixed(leaf, fixed, n, out.Data<uint8_t>());
        return;
    }
    switch (leaf.conversion) {
        case Conversion::DECIMAL_BYTES:
            for (size_t i = 0; i < n; ++i) {
                int128_t v;
                if (!BigEndianToInt128(raw.views[i], v))
                    throw IOError(what + ": a DECIMAL value does not fit 38 digits");
                out.Data<int128_t>()[i] = v;
            }
            return;
        case Conversion::DECIMAL_WIDE:
            for (size_t i = 0; i < n; ++i) {
                double v;
                if (leaf.physical == PhysicalType::INT32) {
                    v = i32(i);
                } else if (leaf.physical == PhysicalType::INT64) {
                    v = static_cast<double>(i64(i));
                } else {
                    v = BigEndianToDouble(raw.views[i]);
                }
                out.Data<double>()[i] = v / std::pow(10.0, leaf.decimal_scale);
            }
            return;
        case Conversion::DATE:
            std::memcpy(out.Data<uint8_t>(), fixed, n * 4);
            return;
        case Conversion::MILLIS:
            for (size_t i = 0; i < n; ++i) SetDatetime(out, i, static_cast<int128_t>(i64(i)) * 1000);
            return;
        case Conversion::MICROS:
            for (size_t i = 0; i < n; ++i) SetDatetime(out, i, i64(i));
            return;
        case Conversion::NANOS:
            for (size_t i = 0; i < n; ++i) SetDatetime(out, i, FloorDiv(i64(i), 1000));
            return;
        case Conversion::INT96:
            for (size_t i = 0; i < n; ++i) {
                int64_t nanos;
                int32_t julian;
                std::memcpy(&nanos, fixed + i * 12, 8);
                std::memcpy(&julian, fixed + i * 12 + 8, 4);
                SetDatetime(out, i, (static_cast<int128_t>(julian) - 2440588) * kMicrosPerDay + FloorDiv(nanos, 1000));
            }
            return;
        case Conversion::TIME_MILLIS:
            for (size_t i = 0; i < n; ++i) out.SetString(i, TimeText(static_cast<int64_t>(i32(i)) * 1000));
            return;
        case Conversion::TIME_MICROS:
            for (size_t i = 0; i < n; ++i) out.SetString(i, TimeText(i64(i)));
            return;
        case Conversion::TIME_NANOS:
            for (size_t i = 0; i < n; ++i) out.SetString(i, TimeText(i64(i) / 1000));
            return;
        case Conversion::FLOAT16:
            for (size_t i = 0; i < n; ++i) {
                uint16_t h;
                std::memcpy(&h, raw.views[i].data(), 2);
                out.Data<float>()[i] = HalfToFloat(h);
            }
            return;
        case Conversion::UUID:
            for (size_t i = 0; i < n; ++i) {
                const auto* b = reinterpret_cast<const unsigned char*>(raw.views[i].data());
                std::string s;
                for (int k = 0; k < 16; ++k) {
                    if (k == 4 || k == 6 || k == 8 || k == 10) s.push_back('-');
                    s += fmt::format("{:02x}", b[k]);
                }
                out.SetString(i, s);
            }
            return;
        case Conversion::BYTES:
            for (size_t i = 0; i < n; ++i) out.SetString(i, raw.views[i]);
            return;
        default:  // the fixed conversions went above
            throw IOError(what + ": no conversion of these values to " + leaf.type.ToString());
    }
}

}  // namespace floe::parquet
