#include "lake/iceberg/single_value.h"

#include <simdjson.h>

#include <cctype>
#include <charconv>
#include <cstring>

#include "common/exception.h"
#include "common/json_text.h"
#include "types/date_time.h"
#include "types/decimal.h"

namespace floe::iceberg {

namespace {

template <typename T>
T LoadLittleEndian(std::string_view bytes) {
    T v;
    std::memcpy(&v, bytes.data(), sizeof(T));  // the build targets little-endian machines only
    return v;
}

template <typename T>
std::string StoreLittleEndian(T v) {
    std::string out(sizeof(T), '\0');
    std::memcpy(out.data(), &v, sizeof(T));
    return out;
}

int64_t FloorDiv(int64_t a, int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

/// Big-endian two's complement of at most 16 bytes as an int128.
std::optional<int128_t> BigEndianToInt128(std::string_view b) {
    if (b.size() > 16) return std::nullopt;
    if (b.empty()) return 0;
    unsigned __int128 v = (static_cast<unsigned char>(b[0]) & 0x80) ? ~static_cast<unsigned __int128>(0) : 0;
    for (char c : b) v = (v << 8) | static_cast<unsigned char>(c);
    return static_cast<int128_t>(v);
}

int HexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> HexToBytes(std::string_view hex) {
    if (hex.size() % 2) return std::nullopt;
    std::string out;
    out.reserve(hex.size() / 2);
    for (size_t i = 0; i < hex.size(); i += 2) {
        int hi = HexDigit(hex[i]), lo = HexDigit(hex[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>(hi * 16 + lo));
    }
    return out;
}

/// Parses 'YYYY-MM-DDTHH:MM:SS[.f{1,9}][offset]' into microseconds (floor of nanoseconds).
/// `with_zone`: an offset ('+00:00', '-05:30', 'Z') is required and applied.
std::optional<int64_t> ParseTimestampText(std::string_view text, bool with_zone) {
    auto t = text.find_first_of("T ");
    if (t == std::string_view::npos) return std::nullopt;
    auto days = ParseDate(text.substr(0, t));
    if (!days) return std::nullopt;
    std::string_view rest = text.substr(t + 1);
    int64_t offset_micros = 0;
    if (with_zone) {
        if (!rest.empty() && (rest.back() == 'Z' || rest.back() == 'z')) {
            rest.remove_suffix(1);
        } else {
            if (rest.size() < 6) return std::nullopt;
            std::string_view off = rest.substr(rest.size() - 6);
            if ((off[0] != '+' && off[0] != '-') || off[3] != ':') return std::nullopt;
            auto hm = ParseTimeOfDay(off.substr(1));
            if (!hm) return std::nullopt;
            offset_micros = off[0] == '-' ? -*hm : *hm;
            rest.remove_suffix(6);
        }
    }
    auto micros = ParseTimeOfDay(rest);
    if (!micros) return std::nullopt;
    return static_cast<int64_t>(*days) * kMicrosPerDay + *micros - offset_micros;
}

/// Decimal text, with an optional exponent ("2E+20"), at the type's scale.
std::optional<int128_t> ParseDecimalText(std::string_view text, int precision, int scale) {
    auto e = text.find_first_of("eE");
    if (e == std::string_view::npos) return ParseDecimal(text, precision, scale);
    int exponent = 0;
    std::string_view exp_text = text.substr(e + 1);
    if (!exp_text.empty() && exp_text[0] == '+') exp_text.remove_prefix(1);
    auto [ptr, ec] = std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
    if (ec != std::errc() || ptr != exp_text.data() + exp_text.size() || exponent > 76 || exponent < -76) {
        return std::nullopt;
    }
    // Move the decimal point of the mantissa by the exponent, then parse plain text.
    std::string mantissa(text.substr(0, e));
    bool negative = !mantissa.empty() && mantissa[0] == '-';
    if (!mantissa.empty() && (mantissa[0] == '-' || mantissa[0] == '+')) mantissa.erase(0, 1);
    auto dot = mantissa.find('.');
    std::string digits = mantissa;
    int point = static_cast<int>(mantissa.size());
    if (dot != std::string::npos) {
        digits = mantissa.substr(0, dot) + mantissa.substr(dot + 1);
        point = static_cast<int>(dot);
    }
    point += exponent;
    if (point <= 0) {
        digits = "0." + std::string(-point, '0') + digits;
    } else if (point >= static_cast<int>(digits.size())) {
        digits += std::string(point - digits.size(), '0');
    } else {
        digits.insert(point, ".");
    }
    return ParseDecimal((negative ? "-" : "") + digits, precision, scale);
}

Value ParseElement(const Type& type, simdjson::dom::element json, const std::string& what, int depth);

/// A nested default rendered as Floe's nested JSON text (structs by field name, maps as objects).
void RenderNested(const Type& type, simdjson::dom::element json, const std::string& what, int depth, std::string& out) {
    auto bad = [&]() {
        return IOError("'" + what + "': the default value " + std::string(simdjson::minify(json)) +
                       " is not a value of type " + type.ToString());
    };
    if (depth > kMaxTypeDepth) throw bad();
    if (json.is_null()) {
        out += "null";
        return;
    }
    if (type.kind == TypeKind::STRUCT) {
        simdjson::dom::object obj;
        if (json.get_object().get(obj) != simdjson::SUCCESS) throw bad();
        out.push_back('{');
        bool first = true;
        for (const NestedField& f : type.fields) {
            simdjson::dom::element child;
            std::string key = std::to_string(f.id);
            bool present = obj.at_key(key).get(child) == simdjson::SUCCESS;
            if (!first) out.push_back(',');
            first = false;
            AppendJsonString(out, f.name);
            out.push_back(':');
            if (present) {
                RenderNested(f.type, child, what, depth + 1, out);
            } else if (f.initial_default_json) {
                // "{}" builds the struct from each child's own default (spec "Default values").
                simdjson::dom::parser parser;
                simdjson::dom::element d;
                if (parser.parse(*f.initial_default_json).get(d) != simdjson::SUCCESS) throw bad();
                RenderNested(f.type, d, what, depth + 1, out);
            } else {
                out += "null";
            }
        }
        out.push_back('}');
        return;
    }
    if (type.kind == TypeKind::LIST) {
        simdjson::dom::array arr;
        if (json.get_array().get(arr) != simdjson::SUCCESS) throw bad();
        out.push_back('[');
        bool first = true;
        for (simdjson::dom::element e : arr) {
            if (!first) out.push_back(',');
            first = false;
            RenderNested(type.element().type, e, what, depth + 1, out);
        }
        out.push_back(']');
        return;
    }
    if (type.kind == TypeKind::MAP) {
        simdjson::dom::object obj;
        simdjson::dom::array keys, values;
        if (json.get_object().get(obj) != simdjson::SUCCESS || obj["keys"].get_array().get(keys) != simdjson::SUCCESS ||
            obj["values"].get_array().get(values) != simdjson::SUCCESS || keys.size() != values.size()) {
            throw bad();
        }
        out.push_back('{');
        for (size_t i = 0; i < keys.size(); ++i) {
            if (i) out.push_back(',');
            std::string key;
            RenderNested(type.key().type, keys.at(i).value_unsafe(), what, depth + 1, key);
            if (key.empty() || key[0] != '"') {
                std::string quoted;
                AppendJsonString(quoted, key);
                key = quoted;
            }
            out += key;
            out.push_back(':');
            RenderNested(type.value().type, values.at(i).value_unsafe(), what, depth + 1, out);
        }
        out.push_back('}');
        return;
    }
    Value v = ParseElement(type, json, what, depth);
    if (v.is_null()) {
        out += "null";
    } else if (v.type().IsNumeric() && v.type().id != TypeId::BOOLEAN) {
        out += v.ToString();
    } else if (v.type().id == TypeId::BOOLEAN) {
        out += v.GetBool() ? "true" : "false";
    } else {
        AppendJsonString(out, v.ToString());
    }
}

Value ParseElement(const Type& type, simdjson::dom::element json, const std::string& what, int depth) {
    auto bad = [&]() {
        return IOError("'" + what + "': the default value " + std::string(simdjson::minify(json)) +
                       " is not a value of type " + type.ToString());
    };
    LogicalType floe_type = ToFloeType(type);
    if (json.is_null()) return Value::Null(floe_type);
    std::string_view text;
    bool is_text = json.get_string().get(text) == simdjson::SUCCESS;
    switch (type.kind) {
        case TypeKind::BOOLEAN: {
            bool b;
            if (json.get_bool().get(b) != simdjson::SUCCESS) throw bad();
            return Value::Boolean(b);
        }
        case TypeKind::INT:
        case TypeKind::LONG: {
            int64_t v;
            if (json.get_int64().get(v) != simdjson::SUCCESS) throw bad();
            if (type.kind == TypeKind::INT && (v < INT32_MIN || v > INT32_MAX)) throw bad();
            return Value::Integer(v, floe_type.id);
        }
        case TypeKind::FLOAT:
        case TypeKind::DOUBLE: {
            double d;
            if (json.get_double().get(d) != simdjson::SUCCESS) throw bad();
            return type.kind == TypeKind::FLOAT ? Value::Float(static_cast<float>(d)) : Value::Double(d);
        }
        case TypeKind::DECIMAL: {
            if (!is_text) throw bad();
            auto unscaled = ParseDecimalText(text, type.precision, type.scale);
            if (!unscaled) throw bad();
            return Value::Decimal(*unscaled, static_cast<uint8_t>(type.precision), static_cast<uint8_t>(type.scale));
        }
        case TypeKind::DATE: {
            auto days = is_text ? ParseDate(text) : std::nullopt;
            if (!days) throw bad();
            return Value::Date(*days);
        }
        case TypeKind::TIME: {
            auto micros = is_text ? ParseTimeOfDay(text) : std::nullopt;
            if (!micros) throw bad();
            return Value::Varchar(FormatTimeOfDay(*micros));
        }
        case TypeKind::TIMESTAMP:
        case TypeKind::TIMESTAMP_NS:
        case TypeKind::TIMESTAMPTZ:
        case TypeKind::TIMESTAMPTZ_NS: {
            bool zone = type.kind == TypeKind::TIMESTAMPTZ || type.kind == TypeKind::TIMESTAMPTZ_NS;
            auto micros = is_text ? ParseTimestampText(text, zone) : std::nullopt;
            if (!micros) throw bad();
            return Value::Datetime(*micros);
        }
        case TypeKind::STRING:
            if (!is_text) throw bad();
            return Value::Varchar(std::string(text));
        case TypeKind::UUID: {
            auto bytes = is_text ? UuidFromText(text) : std::nullopt;
            if (!bytes) throw bad();
            return Value::Varchar(UuidToText(*bytes));
        }
        case TypeKind::FIXED:
        case TypeKind::BINARY: {
            auto bytes = is_text ? HexToBytes(text) : std::nullopt;
            if (!bytes || (type.kind == TypeKind::FIXED && static_cast<int64_t>(bytes->size()) != type.length)) {
                throw bad();
            }
            return Value::Varchar(std::move(*bytes));
        }
        case TypeKind::STRUCT:
        case TypeKind::LIST:
        case TypeKind::MAP: {
            std::string out;
            RenderNested(type, json, what, depth, out);
            return Value::Json(std::move(out));
        }
        case TypeKind::UNKNOWN:
        case TypeKind::VARIANT:
        case TypeKind::GEOMETRY:
        case TypeKind::GEOGRAPHY:
            throw bad();  // these types default to null only
    }
    throw bad();
}

}  // namespace

std::string FormatTimeOfDay(int64_t micros) {
    int64_t secs = micros / kMicrosPerSecond, frac = micros % kMicrosPerSecond;
    char buf[32];
    int n = std::snprintf(buf, sizeof(buf), "%02lld:%02lld:%02lld", static_cast<long long>(secs / 3600),
                          static_cast<long long>((secs / 60) % 60), static_cast<long long>(secs % 60));
    std::string s(buf, static_cast<size_t>(n));
    if (frac) {
        n = std::snprintf(buf, sizeof(buf), ".%06lld", static_cast<long long>(frac));
        s.append(buf, static_cast<size_t>(n));
    }
    return s;
}

std::optional<int64_t> ParseTimeOfDay(std::string_view text) {
    auto two = [&](size_t at) -> int {
        if (at + 2 > text.size() || !std::isdigit(static_cast<unsigned char>(text[at])) ||
            !std::isdigit(static_cast<unsigned char>(text[at + 1]))) {
            return -1;
        }
        return (text[at] - '0') * 10 + (text[at + 1] - '0');
    };
    int h = two(0);
    if (h < 0 || h > 23 || text.size() < 5 || text[2] != ':') return std::nullopt;
    int m = two(3);
    if (m < 0 || m > 59) return std::nullopt;
    int s = 0;
    size_t at = 5;
    if (text.size() > 5) {
        if (text[5] != ':') return std::nullopt;
        s = two(6);
        if (s < 0 || s > 59) return std::nullopt;
        at = 8;
    }
    int64_t micros = (static_cast<int64_t>(h) * 3600 + static_cast<int64_t>(m) * 60 + s) * kMicrosPerSecond;
    if (at < text.size()) {
        if (text[at] != '.' || at + 1 == text.size()) return std::nullopt;
        int64_t frac = 0;
        int digits = 0;
        for (size_t i = at + 1; i < text.size(); ++i) {
            if (!std::isdigit(static_cast<unsigned char>(text[i])) || ++digits > 9) return std::nullopt;
            if (digits <= 6) frac = frac * 10 + (text[i] - '0');
        }
        for (int d = digits; d < 6; ++d) frac *= 10;
        micros += frac;
    }
    return micros;
}

std::string UuidToText(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    for (size_t k = 0; k < bytes.size() && k < 16; ++k) {
        if (k == 4 || k == 6 || k == 8 || k == 10) s.push_back('-');
        auto b = static_cast<unsigned char>(bytes[k]);
        s.push_back(kHex[b >> 4]);
        s.push_back(kHex[b & 15]);
    }
    return s;
}

std::optional<std::string> UuidFromText(std::string_view text) {
    std::string hex;
    for (char c : text) {
        if (c != '-') hex.push_back(c);
    }
    if (hex.size() != 32) return std::nullopt;
    return HexToBytes(hex);
}

std::string DecimalToMinimalBytes(int128_t unscaled) {
    std::string out;
    auto v = static_cast<unsigned __int128>(unscaled);
    for (int i = 15; i >= 0; --i) out.push_back(static_cast<char>(static_cast<uint8_t>(v >> (i * 8))));
    // Drop leading bytes that only repeat the sign of the next one.
    size_t start = 0;
    while (start + 1 < out.size()) {
        auto b = static_cast<unsigned char>(out[start]);
        auto next = static_cast<unsigned char>(out[start + 1]);
        if ((b == 0x00 && !(next & 0x80)) || (b == 0xFF && (next & 0x80))) {
            ++start;
        } else {
            break;
        }
    }
    return out.substr(start);
}

std::optional<Value> DecodeBound(const Type& type, std::string_view bytes) {
    switch (type.kind) {
        case TypeKind::BOOLEAN:
            if (bytes.size() != 1) return std::nullopt;
            return Value::Boolean(bytes[0] != 0);
        case TypeKind::INT:
            if (bytes.size() != 4) return std::nullopt;
            return Value::Integer(LoadLittleEndian<int32_t>(bytes), TypeId::INT);
        case TypeKind::LONG:
            if (bytes.size() == 4) return Value::Integer(LoadLittleEndian<int32_t>(bytes), TypeId::BIGINT);
            if (bytes.size() != 8) return std::nullopt;
            return Value::Integer(LoadLittleEndian<int64_t>(bytes), TypeId::BIGINT);
        case TypeKind::FLOAT:
            if (bytes.size() != 4) return std::nullopt;
            return Value::Float(LoadLittleEndian<float>(bytes));
        case TypeKind::DOUBLE:
            if (bytes.size() == 4) return Value::Double(LoadLittleEndian<float>(bytes));
            if (bytes.size() != 8) return std::nullopt;
            return Value::Double(LoadLittleEndian<double>(bytes));
        case TypeKind::DECIMAL: {
            if (bytes.empty()) return std::nullopt;
            auto unscaled = BigEndianToInt128(bytes);
            if (!unscaled) return std::nullopt;
            return Value::Decimal(*unscaled, static_cast<uint8_t>(type.precision), static_cast<uint8_t>(type.scale));
        }
        case TypeKind::DATE:
            if (bytes.size() != 4) return std::nullopt;
            return Value::Date(LoadLittleEndian<int32_t>(bytes));
        case TypeKind::TIME: {
            if (bytes.size() != 8) return std::nullopt;
            int64_t micros = LoadLittleEndian<int64_t>(bytes);
            if (micros < 0 || micros >= kMicrosPerDay) return std::nullopt;
            return Value::Varchar(FormatTimeOfDay(micros));
        }
        case TypeKind::TIMESTAMP:
        case TypeKind::TIMESTAMPTZ:
        case TypeKind::TIMESTAMP_NS:
        case TypeKind::TIMESTAMPTZ_NS: {
            bool nanos = type.kind == TypeKind::TIMESTAMP_NS || type.kind == TypeKind::TIMESTAMPTZ_NS;
            if (bytes.size() == 4) {  // written while the column was a date
                int64_t micros;
                if (__builtin_mul_overflow(static_cast<int64_t>(LoadLittleEndian<int32_t>(bytes)), kMicrosPerDay,
                                           &micros)) {
                    return std::nullopt;
                }
                return Value::Datetime(micros);
            }
            if (bytes.size() != 8) return std::nullopt;
            int64_t v = LoadLittleEndian<int64_t>(bytes);
            return Value::Datetime(nanos ? FloorDiv(v, 1000) : v);
        }
        case TypeKind::STRING:
            return Value::Varchar(std::string(bytes));
        case TypeKind::UUID:
            if (bytes.size() != 16) return std::nullopt;
            return Value::Varchar(UuidToText(bytes));
        case TypeKind::FIXED:
            if (static_cast<int64_t>(bytes.size()) != type.length) return std::nullopt;
            return Value::Varchar(std::string(bytes));
        case TypeKind::BINARY:
            return Value::Varchar(std::string(bytes));
        default:
            return std::nullopt;
    }
}

std::optional<std::string> EncodeBound(const Type& type, const Value& value) {
    if (value.is_null()) return std::nullopt;
    switch (type.kind) {
        case TypeKind::BOOLEAN:
            return std::string(1, value.GetBool() ? '\x01' : '\x00');
        case TypeKind::INT:
        case TypeKind::DATE:
            return StoreLittleEndian(static_cast<int32_t>(value.GetInt()));
        case TypeKind::LONG:
        case TypeKind::TIMESTAMP:
        case TypeKind::TIMESTAMPTZ:
            return StoreLittleEndian(static_cast<int64_t>(value.GetInt()));
        case TypeKind::TIMESTAMP_NS:
        case TypeKind::TIMESTAMPTZ_NS: {
            int64_t nanos;  // nanoseconds reach only the years 1677 to 2262
            if (__builtin_mul_overflow(value.GetInt(), int64_t{1000}, &nanos)) return std::nullopt;
            return StoreLittleEndian(nanos);
        }
        case TypeKind::FLOAT:
            return StoreLittleEndian(static_cast<float>(value.GetDouble()));
        case TypeKind::DOUBLE:
            return StoreLittleEndian(value.GetDouble());
        case TypeKind::DECIMAL:
            return DecimalToMinimalBytes(value.GetInt128());
        case TypeKind::TIME: {
            auto micros = ParseTimeOfDay(value.GetString());
            if (!micros) return std::nullopt;
            return StoreLittleEndian(*micros);
        }
        case TypeKind::UUID:
            return UuidFromText(value.GetString());
        case TypeKind::STRING:
        case TypeKind::FIXED:
        case TypeKind::BINARY:
            return value.GetString();
        default:
            return std::nullopt;
    }
}

Value ParseJsonSingleValue(const Type& type, std::string_view json, const std::string& what) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (auto err = parser.parse(json.data(), json.size()).get(doc); err) {
        throw IOError("'" + what + "': the default value is not valid JSON (" + simdjson::error_message(err) + ")");
    }
    return ParseElement(type, doc, what, 0);
}

}  // namespace floe::iceberg
