#pragma once
/// A single typed SQL value: literals, prepared-statement parameters, session variables and the
/// results of constant folding. Columns hold values in bulk (vector/column.h); Value is for the
/// one-at-a-time places, never a hot loop.

#include <cstdint>
#include <string>
#include <variant>

#include "types/decimal.h"
#include "types/logical_type.h"

namespace floe {

class Value {
  public:
    Value() : type_(TypeId::NULL_TYPE) {}
    static Value Null(LogicalType type = TypeId::NULL_TYPE) {
        Value v;
        v.type_ = type;
        return v;
    }
    static Value Boolean(bool b) { return Value(TypeId::BOOLEAN, Storage(static_cast<int64_t>(b))); }
    static Value Integer(int64_t i, TypeId id = TypeId::BIGINT) { return Value(id, Storage(i)); }
    static Value LargeInt(int128_t i) { return Value(TypeId::LARGEINT, Storage(i)); }
    static Value Double(double d) { return Value(TypeId::DOUBLE, Storage(d)); }
    static Value Float(float f) { return Value(TypeId::FLOAT, Storage(static_cast<double>(f))); }
    static Value Decimal(int128_t unscaled, uint8_t precision, uint8_t scale) {
        return Value(LogicalType::Decimal(precision, scale), Storage(unscaled));
    }
    static Value Varchar(std::string s) { return Value(LogicalType::Varchar(), Storage(std::move(s))); }
    static Value Json(std::string s) { return Value(TypeId::JSON, Storage(std::move(s))); }
    /// Serialized BITMAP (types/bitmap.h) and HLL (types/hll.h) values.
    static Value Bitmap(std::string bytes) { return Value(TypeId::BITMAP, Storage(std::move(bytes))); }
    static Value Hll(std::string bytes) { return Value(TypeId::HLL, Storage(std::move(bytes))); }
    /// An ARRAY value of `type` (ARRAY<T>): its blob (types/array.h).
    static Value Array(const LogicalType& type, std::string blob) { return Value(type, Storage(std::move(blob))); }
    static Value Date(int32_t days) { return Value(TypeId::DATE, Storage(static_cast<int64_t>(days))); }
    static Value Datetime(int64_t micros) { return Value(TypeId::DATETIME, Storage(micros)); }

    const LogicalType& type() const { return type_; }
    bool is_null() const { return std::holds_alternative<std::monostate>(data_); }

    bool GetBool() const { return std::get<int64_t>(data_) != 0; }
    /// Integers of every width, BOOLEAN, DATE (days) and DATETIME (micros).
    int64_t GetInt() const { return std::get<int64_t>(data_); }
    /// LARGEINT and DECIMAL (unscaled).
    int128_t GetInt128() const { return std::get<int128_t>(data_); }
    double GetDouble() const { return std::get<double>(data_); }
    const std::string& GetString() const { return std::get<std::string>(data_); }

    /// The value as MySQL's text protocol shows it; "NULL" for null.
    std::string ToString() const;
    /// The value as a SQL literal that parses back to an equal value (strings quoted).
    std::string ToSqlLiteral() const;

    bool operator==(const Value& o) const { return type_ == o.type_ && data_ == o.data_; }

  private:
    using Storage = std::variant<std::monostate, int64_t, int128_t, double, std::string>;
    Value(LogicalType t, Storage s) : type_(t), data_(std::move(s)) {}

    LogicalType type_;
    Storage data_;
};

/// Formats a double the way MySQL's text protocol does (shortest round-trip, no trailing ".0").
std::string FormatDouble(double d);

}  // namespace floe
