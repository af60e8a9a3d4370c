#include "function/cast.h"

#include "types/array.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "common/exception.h"
#include "function/vector_executor.h"
#include "types/date_time.h"
#include "types/decimal.h"

namespace floe {

namespace {

std::string_view TrimSpaces(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

std::optional<double> ParseDoubleStrict(std::string_view text) {
    std::string_view s = TrimSpaces(text);
    if (s.empty()) return std::nullopt;
    // from_chars: no allocation, no locale; it takes no leading '+', which SQL allows.
    std::string_view digits = s.front() == '+' ? s.substr(1) : s;
    double d = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), d);
    if (end != digits.data() + digits.size()) return std::nullopt;
    if (ec == std::errc::result_out_of_range) {
        // Overflow and underflow: what strtod gives (±HUGE_VAL, or the tiny value).
        d = std::strtod(std::string(s).c_str(), nullptr);
    } else if (ec != std::errc()) {
        return std::nullopt;
    }
    if (std::isnan(d) || std::isinf(d)) {
        if (s.find_first_of("nNiI") != std::string_view::npos)
            return std::nullopt;  // "nan", "inf" are not numbers here
    }
    return d;
}

// Integer value of a DATE as MySQL shows it in numeric context: 20240131.
int64_t DateAsNumber(int32_t days) {
    CivilDate c = CivilFromDays(days);
    return c.year * 10000LL + c.month * 100 + c.day;
}

int64_t DatetimeAsNumber(int64_t micros) {
    int64_t days = micros / kMicrosPerDay;
    int64_t rem = micros % kMicrosPerDay;
    if (rem < 0) {
        rem += kMicrosPerDay;
        --days;
    }
    int64_t secs = rem / kMicrosPerSecond;
    return DateAsNumber(static_cast<int32_t>(days)) * 1000000LL + (secs / 3600) * 10000 + ((secs / 60) % 60) * 100 +
           secs % 60;
}

std::optional<int32_t> DateFromNumber(int64_t v) {
    if (v < 0) return std::nullopt;
    if (v > 99991231) v /= 1000000;  // yyyymmddhhmmss
    int32_t y = static_cast<int32_t>(v / 10000);
    uint32_t m = static_cast<uint32_t>((v / 100) % 100), d = static_cast<uint32_t>(v % 100);
    if (!IsValidCivil(y, m, d)) return std::nullopt;
    return DaysFromCivil(y, m, d);
}

std::optional<int64_t> DatetimeFromNumber(int64_t v) {
    if (v < 0) return std::nullopt;
    if (v <= 99991231) {
        auto d = DateFromNumber(v);
        if (!d) return std::nullopt;
        return static_cast<int64_t>(*d) * kMicrosPerDay;
    }
    auto d = DateFromNumber(v / 1000000);
    if (!d) return std::nullopt;
    int64_t t = v % 1000000;
    int64_t hh = t / 10000, mi = (t / 100) % 100, ss = t % 100;
    if (hh > 23 || mi > 59 || ss > 59) return std::nullopt;
    return static_cast<int64_t>(*d) * kMicrosPerDay + (hh * 3600 + mi * 60 + ss) * kMicrosPerSecond;
}

template <typename T>
bool FitsIn(int128_t v) {
    return v >= static_cast<int128_t>(std::numeric_limits<T>::min()) &&
           v <= static_cast<int128_t>(std::numeric_limits<T>::max());
}

// ---- conversions from a typed input to a target family, nullopt = NULL

template <typename In>
std::optional<int128_t> ToInteger(const In& v, const LogicalType& from) {
    if constexpr (std::is_same_v<In, std::string_view>) {
        std::string_view s = TrimSpaces(v);
        if (auto i = ParseInt64(s)) return *i;
        // Large integers (LARGEINT's 39 digits: more than DECIMAL(38) holds) and decimals in
        // text, whose fraction is truncated.
        std::string_view whole = s, fraction;
        if (size_t dot = s.find('.'); dot != std::string_view::npos) {
            whole = s.substr(0, dot);
            fraction = s.substr(dot + 1);
        }
        for (char c : fraction) {
            if (c < '0' || c > '9') return std::nullopt;
        }
        if (whole.empty() || whole == "+" || whole == "-") {
            if (fraction.empty()) return std::nullopt;
            return 0;  // ".5", "-.5"
        }
        return ParseInt128(whole);
    } else if constexpr (std::is_same_v<In, bool>) {
        return v ? 1 : 0;
    } else if constexpr (std::is_floating_point_v<In>) {
        if (std::isnan(v) || std::fabs(v) >= 1.7e38) return std::nullopt;
        return static_cast<int128_t>(std::trunc(v));
    } else {
        int128_t x = static_cast<int128_t>(v);
        if (from.id == TypeId::DECIMAL) return x / Pow10(from.scale);
        if (from.id == TypeId::DATE) return DateAsNumber(static_cast<int32_t>(v));
        if (from.id == TypeId::DATETIME) return DatetimeAsNumber(static_cast<int64_t>(v));
        return x;
    }
}

template <typename In>
std::optional<double> ToDouble(const In& v, const LogicalType& from) {
    if constexpr (std::is_same_v<In, std::string_view>) {
        return ParseDoubleStrict(v);
    } else if constexpr (std::is_same_v<In, bool>) {
        return v ? 1.0 : 0.0;
    } else if constexpr (std::is_floating_point_v<In>) {
        return static_cast<double>(v);
    } else {
        if (from.id == TypeId::DECIMAL)
            return static_cast<double>(static_cast<int128_t>(v)) / std::pow(10.0, from.scale);
        if (from.id == TypeId::DATE) return static_cast<double>(DateAsNumber(static_cast<int32_t>(v)));
        if (from.id == TypeId::DATETIME) return static_cast<double>(DatetimeAsNumber(static_cast<int64_t>(v)));
        return static_cast<double>(v);
    }
}

template <typename In>
std::optional<int128_t> ToDecimal(const In& v, const LogicalType& from, const LogicalType& to) {
    int128_t limit = Pow10(to.precision);
    auto check = [&](int128_t x) -> std::optional<int128_t> {
        if (x >= limit || x <= -limit) return std::nullopt;
        return x;
    };
    if constexpr (std::is_same_v<In, std::string_view>) {
        if (auto d = ParseDecimal(v, to.precision, to.scale)) return d;
        if (auto dbl = ParseDoubleStrict(v)) {
            double scaled = std::round(*dbl * std::pow(10.0, to.scale));
            if (std::fabs(scaled) >= 1e38) return std::nullopt;
            return check(static_cast<int128_t>(scaled));
        }
        return std::nullopt;
    } else if constexpr (std::is_same_v<In, bool>) {
        return check(static_cast<int128_t>(v ? 1 : 0) * Pow10(to.scale));
    } else if constexpr (std::is_floating_point_v<In>) {
        if (std::isnan(v)) return std::nullopt;
        double scaled = std::round(static_cast<double>(v) * std::pow(10.0, to.scale));
        if (std::fabs(scaled) >= 1e38) return std::nullopt;
        return check(static_cast<int128_t>(scaled));
    } else {
        int128_t x = static_cast<int128_t>(v);
        if (from.id == TypeId::DECIMAL) {
            if (to.scale >= from.scale) return check(x * Pow10(to.scale - from.scale));
            int128_t div = Pow10(from.scale - to.scale);
            int128_t q = x / div, r = x % div;
            if (r * 2 >= div)
                ++q;
            else if (r * 2 <= -div)
                --q;
            return check(q);
        }
        if (from.id == TypeId::DATE) x = DateAsNumber(static_cast<int32_t>(v));
        if (from.id == TypeId::DATETIME) x = DatetimeAsNumber(static_cast<int64_t>(v));
        return check(x * Pow10(to.scale));
    }
}

template <typename In>
std::optional<int32_t> ToDate(const In& v, const LogicalType& from) {
    if constexpr (std::is_same_v<In, std::string_view>) {
        if (auto d = ParseDate(v)) return d;
        if (auto dt = ParseDatetime(v)) {
            int64_t days = *dt / kMicrosPerDay;
            return static_cast<int32_t>(days);
        }
        return std::nullopt;
    } else if constexpr (std::is_same_v<In, bool> || std::is_floating_point_v<In>) {
        return DateFromNumber(static_cast<int64_t>(v));
    } else {
        if (from.id == TypeId::DATE) return static_cast<int32_t>(v);
        if (from.id == TypeId::DATETIME) {
            int64_t m = static_cast<int64_t>(v);
            int64_t days = m / kMicrosPerDay - (m % kMicrosPerDay < 0 ? 1 : 0);
            return static_cast<int32_t>(days);
        }
        if (from.id == TypeId::DECIMAL)
            return DateFromNumber(static_cast<int64_t>(static_cast<int128_t>(v) / Pow10(from.scale)));
        return DateFromNumber(static_cast<int64_t>(v));
    }
}

template <typename In>
std::optional<int64_t> ToDatetime(const In& v, const LogicalType& from) {
    if constexpr (std::is_same_v<In, std::string_view>) {
        return ParseDatetime(v);
    } else if constexpr (std::is_same_v<In, bool> || std::is_floating_point_v<In>) {
        return DatetimeFromNumber(static_cast<int64_t>(v));
    } else {
        if (from.id == TypeId::DATE) return static_cast<int64_t>(v) * kMicrosPerDay;
        if (from.id == TypeId::DATETIME) return static_cast<int64_t>(v);
        if (from.id == TypeId::DECIMAL)
            return DatetimeFromNumber(static_cast<int64_t>(static_cast<int128_t>(v) / Pow10(from.scale)));
        return DatetimeFromNumber(static_cast<int64_t>(v));
    }
}

template <typename In>
std::string ToText(const In& v, const LogicalType& from) {
    if constexpr (std::is_same_v<In, std::string_view>) {
        return std::string(v);
    } else if constexpr (std::is_same_v<In, bool>) {
        return v ? "1" : "0";
    } else if constexpr (std::is_floating_point_v<In>) {
        return FormatDouble(static_cast<double>(v));
    } else {
        switch (from.id) {
            case TypeId::DECIMAL:
                return FormatDecimal(static_cast<int128_t>(v), from.scale);
            case TypeId::LARGEINT:
                return FormatInt128(static_cast<int128_t>(v));
            case TypeId::DATE:
                return FormatDate(static_cast<int32_t>(v));
            case TypeId::DATETIME:
                return FormatDatetime(static_cast<int64_t>(v), from.scale);
            default:
                return std::to_string(static_cast<int64_t>(v));
        }
    }
}

template <typename In>
std::optional<bool> ToBool(const In& v, const LogicalType& from) {
    if constexpr (std::is_same_v<In, std::string_view>) {
        std::string_view s = TrimSpaces(v);
        if (s == "true" || s == "TRUE" || s == "True") return true;
        if (s == "false" || s == "FALSE" || s == "False") return false;
        if (auto d = ParseDoubleStrict(s)) return *d != 0;
        return std::nullopt;
    } else if constexpr (std::is_same_v<In, bool>) {
        return v;
    } else {
        return v != 0;
    }
}

template <typename In>
void CastFrom(const Column& input, size_t rows, Column& result) {
    const LogicalType& from = input.type();
    const LogicalType& to = result.type();
    const uint8_t* in_nulls = input.nulls();
    uint8_t* out_nulls = result.nulls();
    auto loop = [&](auto&& convert_and_write) {
        for (size_t i = 0; i < rows; ++i) {
            if (in_nulls[i]) {
                out_nulls[i] = 1;
                continue;
            }
            out_nulls[i] = convert_and_write(ReadValue<In>(input, i), i) ? 0 : 1;
        }
    };
    switch (to.id) {
        case TypeId::BOOLEAN:
            loop([&](const In& v, size_t i) {
                auto b = ToBool(v, from);
                if (b) result.Data<uint8_t>()[i] = *b ? 1 : 0;
                return b.has_value();
            });
            break;
        case TypeId::TINYINT:
        case TypeId::SMALLINT:
        case TypeId::INT:
        case TypeId::BIGINT:
        case TypeId::LARGEINT:
            loop([&](const In& v, size_t i) {
                auto x = ToInteger(v, from);
                if (!x) return false;
                switch (to.id) {
                    case TypeId::TINYINT:
                        if (!FitsIn<int8_t>(*x)) return false;
                        result.Data<int8_t>()[i] = static_cast<int8_t>(*x);
                        return true;
                    case TypeId::SMALLINT:
                        if (!FitsIn<int16_t>(*x)) return false;
                        result.Data<int16_t>()[i] = static_cast<int16_t>(*x);
                        return true;
                    case TypeId::INT:
                        if (!FitsIn<int32_t>(*x)) return false;
                        result.Data<int32_t>()[i] = static_cast<int32_t>(*x);
                        return true;
                    case TypeId::BIGINT:
                        if (!FitsIn<int64_t>(*x)) return false;
                        result.Data<int64_t>()[i] = static_cast<int64_t>(*x);
                        return true;
                    default:
                        result.Data<int128_t>()[i] = *x;
                        return true;
                }
            });
            break;
        case TypeId::FLOAT:
        case TypeId::DOUBLE:
            loop([&](const In& v, size_t i) {
                auto d = ToDouble(v, from);
                if (!d) return false;
                if (to.id == TypeId::FLOAT)
                    result.Data<float>()[i] = static_cast<float>(*d);
                else
                    result.Data<double>()[i] = *d;
                return true;
            });
            break;
        case TypeId::DECIMAL:
            loop([&](const In& v, size_t i) {
                auto d = ToDecimal(v, from, to);
                if (d) result.Data<int128_t>()[i] = *d;
                return d.has_value();
            });
            break;
        case TypeId::DATE:
            loop([&](const In& v, size_t i) {
                auto d = ToDate(v, from);
                if (d) result.Data<int32_t>()[i] = *d;
                return d.has_value();
            });
            break;
        case TypeId::DATETIME:
            loop([&](const In& v, size_t i) {
                auto d = ToDatetime(v, from);
                if (d) result.Data<int64_t>()[i] = *d;
                return d.has_value();
            });
            break;
        case TypeId::VARCHAR:
        case TypeId::JSON:
            loop([&](const In& v, size_t i) {
                if constexpr (std::is_same_v<In, std::string_view>) {
                    result.SetString(i, v);
                } else {
                    result.SetString(i, ToText(v, from));
                }
                return true;
            });
            break;
        default:
            throw NotSupportedError("cast from " + from.ToString() + " to " + to.ToString() + " is not supported");
    }
}

}  // namespace

std::optional<double> ParseDoublePrefix(std::string_view text) {
    std::string_view s = TrimSpaces(text);
    size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t digits_start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    }
    if (i == digits_start || (i == digits_start + 1 && s[digits_start] == '.')) return std::nullopt;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
        if (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) {
            while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
            i = j;
        }
    }
    return std::strtod(std::string(s.substr(0, i)).c_str(), nullptr);
}

std::optional<int64_t> ParseInt64(std::string_view text) {
    // The common case first: up to 18 plain digits, optionally signed (cannot overflow).
    if (!text.empty() && text.size() <= 19) {
        size_t i = text[0] == '-' ? 1 : 0;
        if (i < text.size() && text.size() - i <= 18) {
            uint64_t v = 0;
            size_t j = i;
            for (; j < text.size(); ++j) {
                unsigned d = static_cast<unsigned char>(text[j]) - '0';
                if (d > 9) break;
                v = v * 10 + d;
            }
            if (j == text.size()) return i ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
        }
    }
    std::string_view s = TrimSpaces(text);
    if (s.empty()) return std::nullopt;
    bool neg = false;
    size_t i = 0;
    if (s[0] == '+' || s[0] == '-') {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == s.size()) return std::nullopt;
    unsigned __int128 v = 0;
    for (; i < s.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
        v = v * 10 + (s[i] - '0');
        if (v > static_cast<unsigned __int128>(std::numeric_limits<int64_t>::max()) + 1) return std::nullopt;
    }
    if (!neg && v > static_cast<unsigned __int128>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return neg ? static_cast<int64_t>(-static_cast<int128_t>(v)) : static_cast<int64_t>(v);
}

bool CanCast(const LogicalType& from, const LogicalType& to) {
    if (from.id == TypeId::ARRAY || to.id == TypeId::ARRAY) {
        // Arrays to and from text, and to arrays of other (castable) elements.
        if (from.id == TypeId::NULL_TYPE || (from.id == TypeId::ARRAY && to.IsString()) ||
            (from.IsString() && to.id == TypeId::ARRAY)) {
            return true;
        }
        return from.id == TypeId::ARRAY && to.id == TypeId::ARRAY && CanCast(from.Element(), to.Element());
    }
    auto castable = [](const LogicalType& t) {
        return t.IsNumeric() || t.IsString() || t.IsTemporal() || t.id == TypeId::NULL_TYPE;
    };
    return castable(from) && castable(to);
}

namespace {

std::string_view SkipSpaces(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
        s.remove_prefix(1);
    }
    return s;
}

/// Arrays to, from and between element types, row by row.
void CastArrayColumn(const Column& input, size_t rows, Column& result) {
    const LogicalType& from = input.type();
    const LogicalType& to = result.type();
    // Arrays convert only to and from text and other arrays: anything else has no string heap to
    // read, so it is refused here whatever path the column came by.
    if (!CanCast(from, to)) {
        throw ConversionError("cannot cast " + from.ToString() + " to " + to.ToString(), ErrorCode::TYPE_MISMATCH);
    }
    for (size_t i = 0; i < rows; ++i) {
        if (input.IsNull(i)) {
            result.SetNull(i, true);
            continue;
        }
        std::string_view in = input.Strings()[i].view();
        std::optional<std::string> out;
        if (from.id == TypeId::ARRAY && to.id == TypeId::ARRAY) {
            ArrayReader r(in, from.Element());
            ArrayBuilder b(to.Element());
            for (size_t k = 0; k < r.size(); ++k) b.Append(CastValue(r.Get(k), to.Element()));
            out = b.Finish();
        } else if (from.id == TypeId::ARRAY) {
            out = ArrayToText(in, from.Element());
        } else if (to.id == TypeId::ARRAY) {
            out = ParseArrayText(in, to.Element());
        } else {
            throw NotSupportedError("cast from " + from.ToString() + " to " + to.ToString() + " is not supported");
        }
        result.SetNull(i, !out);
        if (out) result.SetString(i, *out);
    }
}

}  // namespace

std::optional<std::string> ParseArrayText(std::string_view text, const LogicalType& element) {
    std::string_view s = SkipSpaces(text);
    if (s.empty() || s.front() != '[') return std::nullopt;
    s.remove_prefix(1);
    ArrayBuilder b(element);
    s = SkipSpaces(s);
    if (!s.empty() && s.front() == ']') {
        s.remove_prefix(1);
        return SkipSpaces(s).empty() ? std::optional<std::string>(b.Finish()) : std::nullopt;
    }
    while (true) {
        s = SkipSpaces(s);
        if (s.empty()) return std::nullopt;
        std::optional<Value> v;
        if (s.front() == '[') {
            // A nested array: up to its matching bracket (brackets inside quotes do not count).
            if (element.id != TypeId::ARRAY) return std::nullopt;
            size_t depth = 0, end = 0;
            char quote = 0;
            for (; end < s.size(); ++end) {
                char c = s[end];
                if (quote) {
                    if (c == '\\')
                        ++end;
                    else if (c == quote)
                        quote = 0;
                } else if (c == '"' || c == '\'') {
                    quote = c;
                } else if (c == '[') {
                    ++depth;
                } else if (c == ']' && --depth == 0) {
                    break;
                }
            }
            if (end >= s.size()) return std::nullopt;
            auto nested = ParseArrayText(s.substr(0, end + 1), element.Element());
            if (!nested) return std::nullopt;
            v = Value::Array(element, std::move(*nested));
            s.remove_prefix(end + 1);
        } else if (s.front() == '"' || s.front() == '\'') {
            char quote = s.front();
            std::string str;
            size_t k = 1;
            for (; k < s.size() && s[k] != quote; ++k) {
                if (s[k] == '\\' && k + 1 < s.size()) ++k;
                str.push_back(s[k]);
            }
            if (k >= s.size()) return std::nullopt;
            s.remove_prefix(k + 1);
            v = Value::Varchar(std::move(str));
        } else {
            size_t k = 0;
            while (k < s.size() && s[k] != ',' && s[k] != ']') ++k;
            std::string_view token = s.substr(0, k);
            while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
            s.remove_prefix(k);
            if (token.empty()) return std::nullopt;
            if (token.size() == 4 && (token == "null" || token == "NULL" || token == "Null")) {
                v = Value::Null(element);
            } else {
                v = Value::Varchar(std::string(token));
            }
        }
        if (!v->is_null() && v->type() != element) {
            Value cast = CastValue(*v, element);
            if (cast.is_null()) return std::nullopt;  // an element that does not convert
            v = std::move(cast);
        }
        b.Append(*v);
        s = SkipSpaces(s);
        if (s.empty()) return std::nullopt;
        if (s.front() == ',') {
            s.remove_prefix(1);
            continue;
        }
        if (s.front() != ']') return std::nullopt;
        s.remove_prefix(1);
        return SkipSpaces(s).empty() ? std::optional<std::string>(b.Finish()) : std::nullopt;
    }
}

void CastColumn(const Column& input, size_t rows, Column& result) {
    if (input.type().id == TypeId::NULL_TYPE) {
        for (size_t i = 0; i < rows; ++i) result.SetNull(i, true);
        return;
    }
    const LogicalType& from = input.type();
    const LogicalType& to = result.type();
    if (from.id == TypeId::ARRAY || to.id == TypeId::ARRAY) {
        CastArrayColumn(input, rows, result);
        return;
    }
    if (from.id == TypeId::DECIMAL && to.id == TypeId::DECIMAL && from.scale == to.scale &&
        from.precision <= to.precision) {
        // Widening a decimal keeps its unscaled value: a copy.
        std::memcpy(result.Data<int128_t>(), input.Data<int128_t>(), rows * sizeof(int128_t));
        std::memcpy(result.nulls(), input.nulls(), rows);
        return;
    }
    bool dispatched = DispatchPhysicalType(input.type().id, [&](auto tag) {
        using In = decltype(tag);
        CastFrom<In>(input, rows, result);
    });
    if (!dispatched) {
        throw NotSupportedError("cast from " + input.type().ToString() + " to " + result.type().ToString() +
                                " is not supported");
    }
}

Value CastValue(const Value& value, const LogicalType& to) {
    if (value.is_null()) return Value::Null(to);
    if (value.type() == to) return value;
    Column in(value.type(), 1);
    in.Append(value);
    Column out(to, 1);
    out.Resize(1);
    CastColumn(in, 1, out);
    return out.GetValue(0);
}

}  // namespace floe
