#include "types/array.h"

#include <cstring>

#include "common/exception.h"

namespace floe {

namespace {

/// Whether elements of `t` are stored with their length (string-like) rather than in fixed slots.
bool StringLike(const LogicalType& t) {
    return t.HasStringHeap();
}

uint32_t ReadU32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

void WriteU32(std::string& out, uint32_t v) {
    out.append(reinterpret_cast<const char*>(&v), 4);
}

template <typename T>
T Load(const uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
}

Value FixedValue(const uint8_t* p, const LogicalType& t) {
    switch (t.id) {
        case TypeId::BOOLEAN:
            return Value::Boolean(*p != 0);
        case TypeId::TINYINT:
            return Value::Integer(Load<int8_t>(p), TypeId::TINYINT);
        case TypeId::SMALLINT:
            return Value::Integer(Load<int16_t>(p), TypeId::SMALLINT);
        case TypeId::INT:
            return Value::Integer(Load<int32_t>(p), TypeId::INT);
        case TypeId::BIGINT:
            return Value::Integer(Load<int64_t>(p), TypeId::BIGINT);
        case TypeId::LARGEINT:
            return Value::LargeInt(Load<int128_t>(p));
        case TypeId::FLOAT:
            return Value::Float(Load<float>(p));
        case TypeId::DOUBLE:
            return Value::Double(Load<double>(p));
        case TypeId::DECIMAL:
            return Value::Decimal(Load<int128_t>(p), t.precision, t.scale);
        case TypeId::DATE:
            return Value::Date(Load<int32_t>(p));
        case TypeId::DATETIME:
            return Value::Datetime(Load<int64_t>(p));
        default:
            return Value::Null(t);
    }
}

template <typename T>
void Store(std::string& out, T v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

void StoreFixed(std::string& out, const Value& v, const LogicalType& t) {
    switch (t.id) {
        case TypeId::BOOLEAN:
            out.push_back(v.GetBool() ? 1 : 0);
            break;
        case TypeId::TINYINT:
            Store(out, static_cast<int8_t>(v.GetInt()));
            break;
        case TypeId::SMALLINT:
            Store(out, static_cast<int16_t>(v.GetInt()));
            break;
        case TypeId::INT:
        case TypeId::DATE:
            Store(out, static_cast<int32_t>(v.GetInt()));
            break;
        case TypeId::BIGINT:
        case TypeId::DATETIME:
            Store(out, v.GetInt());
            break;
        case TypeId::LARGEINT:
        case TypeId::DECIMAL:
            Store(out, v.GetInt128());
            break;
        case TypeId::FLOAT:
            Store(out, static_cast<float>(v.GetDouble()));
            break;
        case TypeId::DOUBLE:
            Store(out, v.GetDouble());
            break;
        default:
            out.append(t.PhysicalSize(), '\0');
            break;
    }
}

template <typename T>
int Cmp(T a, T b) {
    return a < b ? -1 : (b < a ? 1 : 0);
}

int CompareFixed(const uint8_t* a, const uint8_t* b, const LogicalType& t) {
    switch (t.id) {
        case TypeId::BOOLEAN:
            return Cmp(*a, *b);
        case TypeId::TINYINT:
            return Cmp(Load<int8_t>(a), Load<int8_t>(b));
        case TypeId::SMALLINT:
            return Cmp(Load<int16_t>(a), Load<int16_t>(b));
        case TypeId::INT:
        case TypeId::DATE:
            return Cmp(Load<int32_t>(a), Load<int32_t>(b));
        case TypeId::BIGINT:
        case TypeId::DATETIME:
            return Cmp(Load<int64_t>(a), Load<int64_t>(b));
        case TypeId::LARGEINT:
        case TypeId::DECIMAL:
            return Cmp(Load<int128_t>(a), Load<int128_t>(b));
        case TypeId::FLOAT:
            return Cmp(Load<float>(a), Load<float>(b));
        case TypeId::DOUBLE:
            return Cmp(Load<double>(a), Load<double>(b));
        default:
            return 0;
    }
}

void AppendQuoted(std::string& out, std::string_view s) {
    out.push_back('"');
    for (char c : s) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
}

}  // namespace

ArrayReader::ArrayReader(std::string_view blob, const LogicalType& element) : element_(element) {
    auto bad = [] { return IOError("malformed ARRAY value"); };
    const auto* p = reinterpret_cast<const uint8_t*>(blob.data());
    const uint8_t* end = p + blob.size();
    if (blob.size() < 4) throw bad();
    count_ = ReadU32(p);
    p += 4;
    if (static_cast<size_t>(end - p) < count_) throw bad();
    nulls_ = p;
    p += count_;
    if (!StringLike(element_)) {
        width_ = element_.PhysicalSize();
        if (static_cast<size_t>(end - p) != static_cast<size_t>(count_) * width_) throw bad();
        fixed_ = p;
        return;
    }
    strings_.resize(count_);
    for (uint32_t i = 0; i < count_; ++i) {
        if (nulls_[i]) continue;
        if (end - p < 4) throw bad();
        uint32_t len = ReadU32(p);
        p += 4;
        if (static_cast<size_t>(end - p) < len) throw bad();
        strings_[i] = std::string_view(reinterpret_cast<const char*>(p), len);
        p += len;
    }
    if (p != end) throw bad();
}

Value ArrayReader::Get(size_t i) const {
    if (IsNull(i)) return Value::Null(element_);
    if (fixed_) return FixedValue(Slot(i), element_);
    std::string s(strings_[i]);
    switch (element_.id) {
        case TypeId::JSON:
            return Value::Json(std::move(s));
        case TypeId::BITMAP:
            return Value::Bitmap(std::move(s));
        case TypeId::HLL:
            return Value::Hll(std::move(s));
        case TypeId::ARRAY:
            return Value::Array(element_, std::move(s));
        default:
            return Value::Varchar(std::move(s));
    }
}

std::string_view ArrayReader::GetBytes(size_t i) const {
    return fixed_ ? std::string_view() : strings_[i];
}

ArrayBuilder::ArrayBuilder(const LogicalType& element)
    : element_(element), width_(element.PhysicalSize()), strings_(StringLike(element)) {}

void ArrayBuilder::Append(const Value& v) {
    if (v.is_null()) {
        AppendNull();
        return;
    }
    nulls_.push_back(0);
    if (strings_) {
        const std::string& s = v.GetString();
        WriteU32(values_, static_cast<uint32_t>(s.size()));
        values_ += s;
    } else {
        StoreFixed(values_, v, element_);
    }
}

void ArrayBuilder::AppendNull() {
    nulls_.push_back(1);
    if (!strings_) values_.append(width_, '\0');
}

void ArrayBuilder::AppendFrom(const ArrayReader& reader, size_t i) {
    if (reader.IsNull(i)) {
        AppendNull();
        return;
    }
    nulls_.push_back(0);
    if (strings_) {
        std::string_view s = reader.GetBytes(i);
        WriteU32(values_, static_cast<uint32_t>(s.size()));
        values_ += s;
    } else {
        values_.append(reinterpret_cast<const char*>(reader.Slot(i)), width_);
    }
}

std::string ArrayBuilder::Finish() {
    std::string out;
    out.reserve(4 + nulls_.size() + values_.size());
    WriteU32(out, static_cast<uint32_t>(nulls_.size()));
    out += nulls_;
    out += values_;
    nulls_.clear();
    values_.clear();
    return out;
}

std::string ArrayToText(std::string_view blob, const LogicalType& element) {
    ArrayReader r(blob, element);
    std::string out = "[";
    for (size_t i = 0; i < r.size(); ++i) {
        if (i) out.push_back(',');
        if (r.IsNull(i)) {
            out += "null";
            continue;
        }
        switch (element.id) {
            case TypeId::ARRAY:
                out += ArrayToText(r.GetBytes(i), element.Element());
                break;
            case TypeId::VARCHAR:
            case TypeId::JSON:
                if (element.id == TypeId::JSON) {
                    out += r.GetBytes(i);
                } else {
                    AppendQuoted(out, r.GetBytes(i));
                }
                break;
            case TypeId::DATE:
            case TypeId::DATETIME:
                AppendQuoted(out, r.Get(i).ToString());
                break;
            default:
                out += r.Get(i).ToString();
                break;
        }
    }
    out.push_back(']');
    return out;
}

int CompareArrays(std::string_view a, std::string_view b, const LogicalType& element) {
    ArrayReader ra(a, element), rb(b, element);
    size_t n = std::min(ra.size(), rb.size());
    for (size_t i = 0; i < n; ++i) {
        bool an = ra.IsNull(i), bn = rb.IsNull(i);
        if (an || bn) {
            if (an != bn) return an ? -1 : 1;
            continue;
        }
        int c;
        if (element.id == TypeId::ARRAY) {
            c = CompareArrays(ra.GetBytes(i), rb.GetBytes(i), element.Element());
        } else if (element.HasStringHeap()) {
            c = ra.GetBytes(i).compare(rb.GetBytes(i));
            c = c < 0 ? -1 : (c > 0 ? 1 : 0);
        } else {
            c = CompareFixed(ra.Slot(i), rb.Slot(i), element);
        }
        if (c != 0) return c;
    }
    return Cmp(ra.size(), rb.size());
}

}  // namespace floe
