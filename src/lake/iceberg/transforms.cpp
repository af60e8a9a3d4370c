#include "lake/iceberg/transforms.h"

#include <charconv>
#include <cstring>

#include "common/exception.h"
#include "lake/iceberg/single_value.h"
#include "types/date_time.h"
#include "types/decimal.h"

namespace floe::iceberg {

namespace {

constexpr int64_t kMicrosPerHour = 3600LL * kMicrosPerSecond;

int64_t FloorDiv(int64_t a, int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

uint32_t RotateLeft(uint32_t x, int r) {
    return (x << r) | (x >> (32 - r));
}

/// MurmurHash3 x86 32-bit, seed 0, as the spec's Appendix B defines bucket hashes.
uint32_t Murmur3X86(std::string_view data) {
    constexpr uint32_t kC1 = 0xcc9e2d51, kC2 = 0x1b873593;
    const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
    size_t blocks = data.size() / 4;
    uint32_t h = 0;
    for (size_t i = 0; i < blocks; ++i) {
        uint32_t k = static_cast<uint32_t>(bytes[i * 4]) | static_cast<uint32_t>(bytes[i * 4 + 1]) << 8 |
                     static_cast<uint32_t>(bytes[i * 4 + 2]) << 16 | static_cast<uint32_t>(bytes[i * 4 + 3]) << 24;
        k *= kC1;
        k = RotateLeft(k, 15);
        k *= kC2;
        h ^= k;
        h = RotateLeft(h, 13);
        h = h * 5 + 0xe6546b64;
    }
    const unsigned char* tail = bytes + blocks * 4;
    uint32_t k = 0;
    switch (data.size() & 3) {
        case 3:
            k ^= static_cast<uint32_t>(tail[2]) << 16;
            [[fallthrough]];
        case 2:
            k ^= static_cast<uint32_t>(tail[1]) << 8;
            [[fallthrough]];
        case 1:
            k ^= tail[0];
            k *= kC1;
            k = RotateLeft(k, 15);
            k *= kC2;
            h ^= k;
    }
    h ^= static_cast<uint32_t>(data.size());
    h ^= h >> 16;
    h *= 0x85ebca6b;
    h ^= h >> 13;
    h *= 0xc2b2ae35;
    h ^= h >> 16;
    return h;
}

ConversionError Mismatch(const Type& source, const Value& value) {
    return ConversionError("the value " + value.ToString() + " (" + value.type().ToString() +
                           ") is not a value of the Iceberg type " + source.ToString());
}

/// The integer behind a value of an integer-like source type (int, long, date days, timestamp
/// micros, time micros).
int64_t IntegerOf(const Type& source, const Value& value) {
    if (source.kind == TypeKind::TIME) {
        if (value.type().id == TypeId::VARCHAR) {
            if (auto micros = ParseTimeOfDay(value.GetString())) return *micros;
        }
        throw Mismatch(source, value);
    }
    TypeId id = value.type().id;
    bool ok = false;
    switch (source.kind) {
        case TypeKind::INT:
        case TypeKind::LONG:
            ok = value.type().IsInteger() && id != TypeId::LARGEINT;
            break;
        case TypeKind::DATE:
            ok = id == TypeId::DATE;
            break;
        case TypeKind::TIMESTAMP:
        case TypeKind::TIMESTAMPTZ:
        case TypeKind::TIMESTAMP_NS:
        case TypeKind::TIMESTAMPTZ_NS:
            ok = id == TypeId::DATETIME;
            break;
        default:
            break;
    }
    if (!ok) throw Mismatch(source, value);
    return value.GetInt();
}

const std::string& BytesOf(const Type& source, const Value& value) {
    if (value.type().id != TypeId::VARCHAR) throw Mismatch(source, value);
    return value.GetString();
}

int128_t UnscaledOf(const Type& source, const Value& value) {
    if (value.type().id != TypeId::DECIMAL) throw Mismatch(source, value);
    if (value.type().scale != source.scale) throw Mismatch(source, value);
    return value.GetInt128();
}

/// A value of the source type's Floe type holding `v` (integer-like sources).
Value IntegerValue(const Type& source, int64_t v) {
    switch (source.kind) {
        case TypeKind::INT:
            return Value::Integer(v, TypeId::INT);
        case TypeKind::DATE:
            return Value::Date(static_cast<int32_t>(v));
        case TypeKind::TIMESTAMP:
        case TypeKind::TIMESTAMPTZ:
        case TypeKind::TIMESTAMP_NS:
        case TypeKind::TIMESTAMPTZ_NS:
            return Value::Datetime(v);
        default:
            return Value::Integer(v, TypeId::BIGINT);
    }
}

int64_t FloorMod(int64_t v, int64_t w) {
    int64_t m = v % w;
    return m < 0 ? m + w : m;
}

/// The first `width` code points of UTF-8 text.
std::string TruncateUtf8(const std::string& s, int32_t width) {
    size_t at = 0;
    int32_t points = 0;
    while (at < s.size()) {
        if ((static_cast<unsigned char>(s[at]) & 0xC0) != 0x80) {
            if (points == width) break;
            ++points;
        }
        ++at;
    }
    return s.substr(0, at);
}

bool IsTemporal(TransformKind kind) {
    return kind == TransformKind::YEAR || kind == TransformKind::MONTH || kind == TransformKind::DAY ||
           kind == TransformKind::HOUR;
}

/// Year, month, day or hour ordinal of a date (days) or timestamp (micros).
int64_t TemporalOrdinal(TransformKind kind, const Type& source, int64_t v) {
    bool is_date = source.kind == TypeKind::DATE;
    if (kind == TransformKind::HOUR) return FloorDiv(v, kMicrosPerHour);
    int64_t days = is_date ? v : FloorDiv(v, kMicrosPerDay);
    if (kind == TransformKind::DAY) return days;
    CivilDate civil = CivilFromDays(static_cast<int32_t>(days));
    if (kind == TransformKind::YEAR) return civil.year - 1970;
    return (static_cast<int64_t>(civil.year) - 1970) * 12 + (civil.month - 1);
}

std::optional<ProjectedPredicate> Single(PredicateOp op, Value v) {
    ProjectedPredicate p;
    p.op = op;
    p.value = std::move(v);
    return p;
}

void AddUnique(std::vector<Value>& values, Value v) {
    for (const Value& existing : values) {
        if (existing == v) return;
    }
    values.push_back(std::move(v));
}

/// The source value one unit (1, one day, one microsecond, one unscaled decimal step) away.
std::optional<Value> Step(const Type& source, const Value& v, int delta) {
    if (source.kind == TypeKind::DECIMAL) {
        int128_t u = UnscaledOf(source, v);
        // Beyond 38 digits there is no neighbour to step to (and no int128 overflow).
        if ((delta < 0 && u <= -Pow10(38)) || (delta > 0 && u >= Pow10(38))) return std::nullopt;
        return Value::Decimal(u + delta, static_cast<uint8_t>(source.precision), static_cast<uint8_t>(source.scale));
    }
    int64_t i = IntegerOf(source, v);
    if ((delta < 0 && i == INT64_MIN) || (delta > 0 && i == INT64_MAX)) return std::nullopt;
    if ((source.kind == TypeKind::INT || source.kind == TypeKind::DATE) &&
        ((delta < 0 && i <= INT32_MIN) || (delta > 0 && i >= INT32_MAX))) {
        return std::nullopt;
    }
    return IntegerValue(source, i + delta);
}

/// Java's fixInclusiveTimeProjection: pre-1970 ordinals written one too high by old writers.
ProjectedPredicate WidenForLegacyTime(ProjectedPredicate p, const Type& result) {
    auto plus_one = [&](const Value& v) {
        return result.kind == TypeKind::DATE ? Value::Date(static_cast<int32_t>(v.GetInt() + 1))
                                             : Value::Integer(v.GetInt() + 1, TypeId::INT);
    };
    switch (p.op) {
        case PredicateOp::LT_EQ:
        case PredicateOp::LT:
            if (p.value.GetInt() < 0) p.value = plus_one(p.value);
            return p;
        case PredicateOp::EQ:
            if (p.value.GetInt() < 0) {
                ProjectedPredicate in;
                in.op = PredicateOp::IN;
                in.values = {p.value, plus_one(p.value)};
                return in;
            }
            return p;
        case PredicateOp::IN: {
            std::vector<Value> values = p.values;
            for (const Value& v : p.values) {
                if (v.GetInt() < 0) AddUnique(values, plus_one(v));
            }
            p.values = std::move(values);
            return p;
        }
        default:
            return p;
    }
}

std::optional<ProjectedPredicate> Project(const Transform& transform, const Type& source, PredicateOp op,
                                          const std::vector<Value>& constants) {
    if (transform.kind == TransformKind::VOID || transform.kind == TransformKind::UNKNOWN ||
        !CanTransform(transform, source)) {
        return std::nullopt;
    }
    if (op == PredicateOp::IS_NULL || op == PredicateOp::NOT_NULL) {
        ProjectedPredicate p;
        p.op = op;
        return p;
    }
    if (op == PredicateOp::IN) {
        ProjectedPredicate p;
        p.op = PredicateOp::IN;
        for (const Value& c : constants) {
            if (c.is_null()) continue;
            AddUnique(p.values, ApplyTransform(transform, source, c));
        }
        if (p.values.empty()) return std::nullopt;
        if (IsTemporal(transform.kind)) return WidenForLegacyTime(std::move(p), TransformResultType(transform, source));
        return p;
    }
    if (constants.size() != 1 || constants[0].is_null()) return std::nullopt;
    const Value& c = constants[0];
    if (transform.kind == TransformKind::IDENTITY) {
        ApplyTransform(transform, source, c);  // checks the value's type
        return Single(op, c);
    }
    if (op == PredicateOp::NOT_EQ) return std::nullopt;
    if (transform.kind == TransformKind::BUCKET) {
        if (op != PredicateOp::EQ) return std::nullopt;
        return Single(op, ApplyTransform(transform, source, c));
    }
    bool ordered_bytes = transform.kind == TransformKind::TRUNCATE &&
                         (source.kind == TypeKind::STRING || source.kind == TypeKind::BINARY);
    std::optional<ProjectedPredicate> p;
    if (ordered_bytes) {
        // Truncation keeps the order of prefixes but not strictness: s < 'abcdef' allows 'abc'.
        switch (op) {
            case PredicateOp::LT:
            case PredicateOp::LT_EQ:
                p = Single(PredicateOp::LT_EQ, ApplyTransform(transform, source, c));
                break;
            case PredicateOp::GT:
            case PredicateOp::GT_EQ:
                p = Single(PredicateOp::GT_EQ, ApplyTransform(transform, source, c));
                break;
            case PredicateOp::EQ:
                p = Single(PredicateOp::EQ, ApplyTransform(transform, source, c));
                break;
            default:
                return std::nullopt;
        }
        return p;
    }
    // Integer-like sources: make the bound inclusive first (x < v is x <= v - 1), then transform.
    switch (op) {
        case PredicateOp::LT: {
            auto below = Step(source, c, -1);
            if (!below) return std::nullopt;
            p = Single(PredicateOp::LT_EQ, ApplyTransform(transform, source, *below));
            break;
        }
        case PredicateOp::LT_EQ:
            p = Single(PredicateOp::LT_EQ, ApplyTransform(transform, source, c));
            break;
        case PredicateOp::GT: {
            auto above = Step(source, c, 1);
            if (!above) return std::nullopt;
            p = Single(PredicateOp::GT_EQ, ApplyTransform(transform, source, *above));
            break;
        }
        case PredicateOp::GT_EQ:
            p = Single(PredicateOp::GT_EQ, ApplyTransform(transform, source, c));
            break;
        case PredicateOp::EQ:
            p = Single(PredicateOp::EQ, ApplyTransform(transform, source, c));
            break;
        default:
            return std::nullopt;
    }
    if (IsTemporal(transform.kind)) return WidenForLegacyTime(std::move(*p), TransformResultType(transform, source));
    return p;
}

}  // namespace

std::string Transform::ToString() const {
    switch (kind) {
        case TransformKind::IDENTITY:
            return "identity";
        case TransformKind::BUCKET:
            return "bucket[" + std::to_string(param) + "]";
        case TransformKind::TRUNCATE:
            return "truncate[" + std::to_string(param) + "]";
        case TransformKind::YEAR:
            return "year";
        case TransformKind::MONTH:
            return "month";
        case TransformKind::DAY:
            return "day";
        case TransformKind::HOUR:
            return "hour";
        case TransformKind::VOID:
            return "void";
        case TransformKind::UNKNOWN:
            return text;
    }
    return text;
}

Transform ParseTransform(std::string_view text) {
    Transform t;
    t.text = std::string(text);
    auto with_param = [&](std::string_view prefix, TransformKind kind) {
        if (text.size() <= prefix.size() + 1 || text.substr(0, prefix.size()) != prefix || text.back() != ']') {
            return false;
        }
        std::string_view digits = text.substr(prefix.size(), text.size() - prefix.size() - 1);
        int32_t n = 0;
        auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
        if (ec != std::errc() || ptr != digits.data() + digits.size() || n <= 0) {
            t.kind = TransformKind::UNKNOWN;
            return true;
        }
        t.kind = kind;
        t.param = n;
        return true;
    };
    if (text == "identity") {
        t.kind = TransformKind::IDENTITY;
    } else if (text == "year") {
        t.kind = TransformKind::YEAR;
    } else if (text == "month") {
        t.kind = TransformKind::MONTH;
    } else if (text == "day") {
        t.kind = TransformKind::DAY;
    } else if (text == "hour") {
        t.kind = TransformKind::HOUR;
    } else if (text == "void") {
        t.kind = TransformKind::VOID;
    } else if (!with_param("bucket[", TransformKind::BUCKET) && !with_param("truncate[", TransformKind::TRUNCATE)) {
        t.kind = TransformKind::UNKNOWN;
    }
    return t;
}

bool CanTransform(const Transform& transform, const Type& source) {
    TypeKind k = source.kind;
    switch (transform.kind) {
        case TransformKind::IDENTITY:
            return source.IsPrimitive() && k != TypeKind::VARIANT && k != TypeKind::GEOMETRY &&
                   k != TypeKind::GEOGRAPHY;
        case TransformKind::BUCKET:
            return k == TypeKind::INT || k == TypeKind::LONG || k == TypeKind::DECIMAL || k == TypeKind::DATE ||
                   k == TypeKind::TIME || source.IsTimestamp() || k == TypeKind::STRING || k == TypeKind::UUID ||
                   k == TypeKind::FIXED || k == TypeKind::BINARY;
        case TransformKind::TRUNCATE:
            return k == TypeKind::INT || k == TypeKind::LONG || k == TypeKind::DECIMAL || k == TypeKind::STRING ||
                   k == TypeKind::BINARY;
        case TransformKind::YEAR:
        case TransformKind::MONTH:
        case TransformKind::DAY:
            return k == TypeKind::DATE || source.IsTimestamp();
        case TransformKind::HOUR:
            return source.IsTimestamp();
        case TransformKind::VOID:
            return true;
        case TransformKind::UNKNOWN:
            return false;
    }
    return false;
}

Type TransformResultType(const Transform& transform, const Type& source) {
    switch (transform.kind) {
        case TransformKind::BUCKET:
        case TransformKind::YEAR:
        case TransformKind::MONTH:
        case TransformKind::HOUR:
            return Type::Primitive(TypeKind::INT);
        case TransformKind::DAY:
            return Type::Primitive(TypeKind::DATE);
        default:
            return source;
    }
}

int32_t BucketHash(const Type& source, const Value& value) {
    switch (source.kind) {
        case TypeKind::INT:
        case TypeKind::LONG:
        case TypeKind::DATE:
        case TypeKind::TIME:
        case TypeKind::TIMESTAMP:
        case TypeKind::TIMESTAMPTZ:
        case TypeKind::TIMESTAMP_NS:
        case TypeKind::TIMESTAMPTZ_NS: {
            // Every integer-like value hashes as an 8-byte little-endian long (the spec's hashInt
            // is hashLong of the widened value), so promoting int to long keeps buckets.
            int64_t v = IntegerOf(source, value);
            char bytes[8];
            std::memcpy(bytes, &v, 8);
            return static_cast<int32_t>(Murmur3X86(std::string_view(bytes, 8)));
        }
        case TypeKind::DECIMAL:
            return static_cast<int32_t>(Murmur3X86(DecimalToMinimalBytes(UnscaledOf(source, value))));
        case TypeKind::STRING:
        case TypeKind::FIXED:
        case TypeKind::BINARY:
            return static_cast<int32_t>(Murmur3X86(BytesOf(source, value)));
        case TypeKind::UUID: {
            auto bytes = UuidFromText(BytesOf(source, value));
            if (!bytes) throw Mismatch(source, value);
            return static_cast<int32_t>(Murmur3X86(*bytes));
        }
        default:
            throw ConversionError("Iceberg type " + source.ToString() + " cannot be bucketed");
    }
}

Value ApplyTransform(const Transform& transform, const Type& source, const Value& value) {
    Type result = TransformResultType(transform, source);
    if (value.is_null() || transform.kind == TransformKind::VOID) return Value::Null(ToFloeType(result));
    if (!CanTransform(transform, source)) {
        throw ConversionError("the partition transform " + transform.ToString() + " does not apply to type " +
                              source.ToString());
    }
    switch (transform.kind) {
        case TransformKind::IDENTITY:
            return value;
        case TransformKind::BUCKET: {
            int32_t hash = BucketHash(source, value);
            return Value::Integer((hash & INT32_MAX) % transform.param, TypeId::INT);
        }
        case TransformKind::TRUNCATE: {
            int64_t w = transform.param;
            switch (source.kind) {
                case TypeKind::INT:
                case TypeKind::LONG: {
                    int64_t v = IntegerOf(source, value);
                    // Wraps like Java's arithmetic at the very bottom of the range.
                    auto r = static_cast<int64_t>(static_cast<uint64_t>(v) - static_cast<uint64_t>(FloorMod(v, w)));
                    return IntegerValue(source, r);
                }
                case TypeKind::DECIMAL: {
                    int128_t u = UnscaledOf(source, value);
                    int128_t m = u % w;
                    if (m < 0) m += w;
                    // Wraps rather than overflowing for a (corrupt) value near the int128 minimum.
                    auto r =
                        static_cast<int128_t>(static_cast<unsigned __int128>(u) - static_cast<unsigned __int128>(m));
                    return Value::Decimal(r, static_cast<uint8_t>(source.precision),
                                          static_cast<uint8_t>(source.scale));
                }
                case TypeKind::STRING:
                    return Value::Varchar(TruncateUtf8(BytesOf(source, value), transform.param));
                case TypeKind::BINARY: {
                    const std::string& b = BytesOf(source, value);
                    return Value::Varchar(b.substr(0, std::min<size_t>(b.size(), static_cast<size_t>(w))));
                }
                default:
                    break;
            }
            break;
        }
        case TransformKind::YEAR:
        case TransformKind::MONTH:
        case TransformKind::DAY:
        case TransformKind::HOUR: {
            int64_t ordinal = TemporalOrdinal(transform.kind, source, IntegerOf(source, value));
            if (transform.kind == TransformKind::DAY) return Value::Date(static_cast<int32_t>(ordinal));
            return Value::Integer(ordinal, TypeId::INT);
        }
        default:
            break;
    }
    throw ConversionError("the partition transform " + transform.ToString() + " does not apply to type " +
                          source.ToString());
}

bool PartitionSpec::IsUnpartitioned() const {
    for (const PartitionField& f : fields) {
        if (f.transform.kind != TransformKind::VOID) return false;
    }
    return true;
}

const PartitionField* PartitionSpec::FindField(int32_t field_id) const {
    for (const PartitionField& f : fields) {
        if (f.field_id == field_id) return &f;
    }
    return nullptr;
}

std::optional<ProjectedPredicate> ProjectInclusive(const Transform& transform, const Type& source, PredicateOp op,
                                                   const Value& constant) {
    return ProjectInclusive(transform, source, op, std::vector<Value>{constant});
}

std::optional<ProjectedPredicate> ProjectInclusive(const Transform& transform, const Type& source, PredicateOp op,
                                                   const std::vector<Value>& constants) {
    try {
        return Project(transform, source, op, constants);
    } catch (const ConversionError&) {
        return std::nullopt;  // a constant of another type: no pruning rather than a wrong one
    }
}

}  // namespace floe::iceberg
