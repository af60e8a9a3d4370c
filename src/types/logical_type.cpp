#include "types/logical_type.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <mutex>

namespace floe {

uint32_t LogicalType::PhysicalSize() const {
    switch (id) {
        case TypeId::NULL_TYPE:
        case TypeId::BOOLEAN:
        case TypeId::TINYINT:
            return 1;
        case TypeId::SMALLINT:
            return 2;
        case TypeId::INT:
        case TypeId::FLOAT:
        case TypeId::DATE:
            return 4;
        case TypeId::BIGINT:
        case TypeId::DOUBLE:
        case TypeId::DATETIME:
            return 8;
        case TypeId::LARGEINT:
        case TypeId::DECIMAL:
            return 16;
        default:
            return 16;  // StringView for VARCHAR/JSON/BITMAP/HLL and nested (serialized for now)
    }
}

std::string LogicalType::ToString() const {
    switch (id) {
        case TypeId::NULL_TYPE:
            return "NULL";
        case TypeId::BOOLEAN:
            return "BOOLEAN";
        case TypeId::TINYINT:
            return "TINYINT";
        case TypeId::SMALLINT:
            return "SMALLINT";
        case TypeId::INT:
            return "INT";
        case TypeId::BIGINT:
            return "BIGINT";
        case TypeId::LARGEINT:
            return "LARGEINT";
        case TypeId::FLOAT:
            return "FLOAT";
        case TypeId::DOUBLE:
            return "DOUBLE";
        case TypeId::DECIMAL:
            return fmt::format("DECIMAL({},{})", precision, scale);
        case TypeId::DATE:
            return "DATE";
        case TypeId::DATETIME:
            return "DATETIME";
        case TypeId::VARCHAR:
            return length ? fmt::format("VARCHAR({})", length) : "VARCHAR";
        case TypeId::JSON:
            return "JSON";
        case TypeId::BITMAP:
            return "BITMAP";
        case TypeId::HLL:
            return "HLL";
        case TypeId::ARRAY:
            return child ? "ARRAY<" + Element().ToString() + ">" : "ARRAY";
        case TypeId::MAP:
            return "MAP";
        case TypeId::STRUCT:
            return "STRUCT";
    }
    return "UNKNOWN";
}

namespace {
int NumericRank(TypeId id) {
    switch (id) {
        case TypeId::BOOLEAN:
            return 0;
        case TypeId::TINYINT:
            return 1;
        case TypeId::SMALLINT:
            return 2;
        case TypeId::INT:
            return 3;
        case TypeId::BIGINT:
            return 4;
        case TypeId::LARGEINT:
            return 5;
        case TypeId::DECIMAL:
            return 6;
        case TypeId::FLOAT:
            return 7;
        case TypeId::DOUBLE:
            return 8;
        default:
            return -1;
    }
}
}  // namespace

namespace {
std::mutex interned_mutex;
std::deque<LogicalType> interned;  // element types of ARRAY types; child = index + 1
}  // namespace

LogicalType LogicalType::Array(const LogicalType& element) {
    std::lock_guard<std::mutex> lock(interned_mutex);
    LogicalType t(TypeId::ARRAY);
    for (size_t i = 0; i < interned.size(); ++i) {
        if (interned[i] == element) {
            t.child = static_cast<uint32_t>(i + 1);
            return t;
        }
    }
    interned.push_back(element);
    t.child = static_cast<uint32_t>(interned.size());
    return t;
}

LogicalType LogicalType::Element() const {
    if (child == 0) return TypeId::NULL_TYPE;
    std::lock_guard<std::mutex> lock(interned_mutex);
    return interned[child - 1];
}

LogicalType CommonSuperType(const LogicalType& a, const LogicalType& b) {
    if (a.id == TypeId::NULL_TYPE) return b;
    if (b.id == TypeId::NULL_TYPE) return a;
    if (a == b) return a;
    if (a.id == TypeId::ARRAY && b.id == TypeId::ARRAY) {
        LogicalType e = CommonSuperType(a.Element(), b.Element());
        return LogicalType::Array(e.id == TypeId::NULL_TYPE ? LogicalType(TypeId::BIGINT) : e);
    }
    if (a.IsNumeric() && b.IsNumeric()) {
        if (a.id == TypeId::DECIMAL && b.id == TypeId::DECIMAL) {
            uint8_t scale = std::max(a.scale, b.scale);
            int int_digits = std::max(a.precision - a.scale, b.precision - b.scale);
            return LogicalType::Decimal(static_cast<uint8_t>(std::min(38, int_digits + scale)), scale);
        }
        if (a.IsFloating() || b.IsFloating()) return TypeId::DOUBLE;
        if (a.id == TypeId::DECIMAL || b.id == TypeId::DECIMAL) {
            const LogicalType& d = a.id == TypeId::DECIMAL ? a : b;
            const LogicalType& i = a.id == TypeId::DECIMAL ? b : a;
            int int_digits = i.id == TypeId::LARGEINT ? 38 : (i.id == TypeId::BIGINT ? 19 : 10);
            int_digits = std::max(int_digits, d.precision - d.scale);
            return LogicalType::Decimal(static_cast<uint8_t>(std::min(38, int_digits + d.scale)), d.scale);
        }
        return NumericRank(a.id) >= NumericRank(b.id) ? a : b;
    }
    if (a.IsTemporal() && b.IsTemporal()) return TypeId::DATETIME;
    if (a.IsString() && b.IsString()) return LogicalType::Varchar();
    // Mixed string/number comparisons compare as numbers in MySQL; temporal vs string as temporal.
    if (a.IsTemporal() && b.IsString()) return a;
    if (b.IsTemporal() && a.IsString()) return b;
    if ((a.IsNumeric() && b.IsString()) || (a.IsString() && b.IsNumeric())) return TypeId::DOUBLE;
    return LogicalType::Varchar();
}

}  // namespace floe
