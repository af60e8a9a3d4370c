#include "types/value.h"

#include "types/array.h"
#include "types/bitmap.h"
#include "types/hll.h"

#include <fmt/format.h>

#include <cmath>

#include "types/date_time.h"

namespace floe {

std::string FormatDouble(double d) {
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
    if (d == 0) return "0";
    // fmt's default is the shortest text that round-trips, like MySQL's %g-style output.
    std::string s = fmt::format("{}", d);
    if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
    return s;
}

std::string Value::ToString() const {
    if (is_null()) return "NULL";
    switch (type_.id) {
        case TypeId::BOOLEAN:
            return GetBool() ? "1" : "0";
        case TypeId::TINYINT:
        case TypeId::SMALLINT:
        case TypeId::INT:
        case TypeId::BIGINT:
            return std::to_string(GetInt());
        case TypeId::LARGEINT:
            return FormatInt128(GetInt128());
        case TypeId::FLOAT:
        case TypeId::DOUBLE:
            return FormatDouble(GetDouble());
        case TypeId::DECIMAL:
            return FormatDecimal(GetInt128(), type_.scale);
        case TypeId::DATE:
            return FormatDate(static_cast<int32_t>(GetInt()));
        case TypeId::DATETIME:
            return FormatDatetime(GetInt(), type_.scale);
        case TypeId::BITMAP:  // shown as bitmap_to_string shows it
            return BitmapToString(GetString());
        case TypeId::HLL:  // shown as its estimated cardinality
            return std::to_string(Hll::Deserialize(GetString()).Estimate());
        case TypeId::ARRAY:
            return ArrayToText(GetString(), type_.Element());
        default:
            return GetString();
    }
}

std::string Value::ToSqlLiteral() const {
    if (is_null()) return "NULL";
    switch (type_.id) {
        case TypeId::VARCHAR:
        case TypeId::JSON: {
            std::string out = "'";
            for (char c : GetString()) {
                if (c == '\'' || c == '\\') out.push_back('\\');
                out.push_back(c);
            }
            out.push_back('\'');
            return out;
        }
        case TypeId::ARRAY: {
            // ARRAY<T>[e1, e2, ...]: each element as a literal of its own.
            ArrayReader r(GetString(), type_.Element());
            std::string out = type_.ToString() + "[";
            for (size_t i = 0; i < r.size(); ++i) out += (i ? ", " : "") + r.Get(i).ToSqlLiteral();
            return out + "]";
        }
        case TypeId::DATE:
            return "DATE '" + ToString() + "'";
        case TypeId::DATETIME:
            return "TIMESTAMP '" + ToString() + "'";
        default:
            return ToString();
    }
}

}  // namespace floe
