#include "storage/short_key.h"

#include <algorithm>
#include <cstring>

namespace floe {

namespace {

template <typename T>
void AppendBigEndian(T v, std::string& out) {
    for (int i = sizeof(T) - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (i * 8)) & 0xff));
}

}  // namespace

bool HasSortableEncoding(const LogicalType& type) {
    switch (type.id) {
        case TypeId::BOOLEAN:
        case TypeId::TINYINT:
        case TypeId::SMALLINT:
        case TypeId::INT:
        case TypeId::BIGINT:
        case TypeId::LARGEINT:
        case TypeId::DECIMAL:
        case TypeId::DATE:
        case TypeId::DATETIME:
        case TypeId::VARCHAR:
            return true;
        default:
            return false;
    }
}

void AppendSortable(const Column& column, uint32_t row, std::string& out) {
    if (column.IsNull(row)) {
        out.push_back('\0');
        return;
    }
    out.push_back('\1');
    const LogicalType& type = column.type();
    const uint8_t* data = column.Data<uint8_t>() + size_t{row} * type.PhysicalSize();
    if (type.id == TypeId::VARCHAR) {
        std::string_view v = column.Strings()[row].view();
        for (char c : v) {
            out.push_back(c);
            if (c == '\0') out.push_back('\xff');
        }
        out.append("\0\0", 2);
        return;
    }
    if (type.id == TypeId::FLOAT || type.id == TypeId::DOUBLE) {
        uint64_t bits = 0;
        if (type.id == TypeId::FLOAT) {
            uint32_t b;
            std::memcpy(&b, data, 4);
            b = (b & 0x80000000u) ? ~b : (b | 0x80000000u);
            AppendBigEndian(b, out);
            return;
        }
        std::memcpy(&bits, data, 8);
        bits = (bits & 0x8000000000000000ULL) ? ~bits : (bits | 0x8000000000000000ULL);
        AppendBigEndian(bits, out);
        return;
    }
    switch (type.PhysicalSize()) {
        case 1: {
            uint8_t v = data[0];
            if (type.id != TypeId::BOOLEAN) v ^= 0x80;
            out.push_back(static_cast<char>(v));
            return;
        }
        case 2: {
            uint16_t v;
            std::memcpy(&v, data, 2);
            AppendBigEndian(static_cast<uint16_t>(v ^ 0x8000u), out);
            return;
        }
        case 4: {
            uint32_t v;
            std::memcpy(&v, data, 4);
            AppendBigEndian(v ^ 0x80000000u, out);
            return;
        }
        case 8: {
            uint64_t v;
            std::memcpy(&v, data, 8);
            AppendBigEndian(v ^ 0x8000000000000000ULL, out);
            return;
        }
        case 16: {
            unsigned __int128 v;
            std::memcpy(&v, data, 16);
            v ^= static_cast<unsigned __int128>(1) << 127;
            AppendBigEndian(v, out);
            return;
        }
        default:
            return;
    }
}

bool AppendSortable(const Value& value, const LogicalType& type, std::string& out) {
    Value typed = value;
    if (!value.is_null() && !(value.type() == type) && !(value.type().IsString() && type.IsString())) {
        // An integer constant of another width (the binder compares INT columns with BIGINT
        // literals): used when the column's type holds it exactly.
        if (!value.type().IsInteger() || !type.IsInteger() || type.id == TypeId::LARGEINT ||
            value.type().id == TypeId::LARGEINT) {
            return false;
        }
        int64_t v = value.GetInt();
        int bits = static_cast<int>(type.PhysicalSize()) * 8;
        if (bits < 64 && (v < -(int64_t{1} << (bits - 1)) || v >= (int64_t{1} << (bits - 1)))) return false;
        typed = Value::Integer(v, type.id);
    }
    Column column(type, 1);
    column.Resize(1);
    column.SetValue(0, typed.is_null() ? Value::Null(type) : typed);
    AppendSortable(column, 0, out);
    return true;
}

std::optional<std::pair<size_t, size_t>> ShortKeyPageRange(const std::vector<size_t>& sort_columns,
                                                           const std::vector<LogicalType>& types,
                                                           const std::vector<std::string>& page_keys,
                                                           const std::vector<SortKeyFilter>& filters) {
    if (page_keys.empty()) return std::nullopt;
    // Equalities on the first sort columns, then a range on the next one.
    std::string lower, upper;
    bool bounded = false;
    for (size_t j = 0; j < sort_columns.size(); ++j) {
        size_t column = sort_columns[j];
        const Value* eq = nullptr;
        const Value* lo = nullptr;
        const Value* hi = nullptr;
        for (const auto& f : filters) {
            if (f.column != column || f.constant.is_null()) continue;
            if (f.op == ZoneOp::EQ) eq = &f.constant;
            if (f.op == ZoneOp::GT || f.op == ZoneOp::GE) lo = &f.constant;  // GT as GE: may keep a page more
            if (f.op == ZoneOp::LT || f.op == ZoneOp::LE) hi = &f.constant;
        }
        if (eq) {
            std::string key;
            if (!AppendSortable(*eq, types[column], key)) break;
            lower += key;
            upper += key;
            bounded = true;
            continue;
        }
        if (lo) {
            std::string key;
            if (AppendSortable(*lo, types[column], key)) {
                lower += key;
                bounded = true;
            }
        }
        if (hi) {
            std::string key;
            if (AppendSortable(*hi, types[column], key)) {
                upper += key;
                bounded = true;
            }
        }
        break;
    }
    if (!bounded) return std::nullopt;
    // Every key with the prefix `upper` sorts below upper + 0xff (a key goes on with a NULL
    // marker, 0x00 or 0x01).
    upper.push_back('\xff');
    // Page p holds keys in [page_keys[p], page_keys[p + 1]]: it can match unless
    // page_keys[p + 1] < lower or page_keys[p] > upper.
    size_t n = page_keys.size();
    // The first page whose successor's first key is >= lower.
    size_t first = 0;
    {
        size_t lo = 0, hi = n - 1;  // answer in [0, n - 1]
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (page_keys[mid + 1] < lower) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        first = lo;
    }
    // The last page whose first key is <= upper.
    auto it = std::upper_bound(page_keys.begin(), page_keys.end(), upper);
    if (it == page_keys.begin()) return std::make_pair(size_t{1}, size_t{0});  // none
    size_t last = static_cast<size_t>(it - page_keys.begin()) - 1;
    if (first > last) return std::make_pair(size_t{1}, size_t{0});
    return std::make_pair(first, last);
}

}  // namespace floe
