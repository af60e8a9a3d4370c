#pragma once
/// Floe's SQL types. A LogicalType is a TypeId plus the parameters some types carry (DECIMAL
/// precision/scale, VARCHAR length). The physical representation of each id in a Column is fixed
/// by PhysicalSize(); see vector/column.h.

#include <cstdint>
#include <string>

namespace floe {

enum class TypeId : uint8_t {
    NULL_TYPE,  // the type of a bare NULL literal before it is cast
    BOOLEAN,
    TINYINT,
    SMALLINT,
    INT,
    BIGINT,
    LARGEINT,
    FLOAT,
    DOUBLE,
    DECIMAL,
    DATE,      // int32 days since 1970-01-01
    DATETIME,  // int64 microseconds since 1970-01-01 00:00:00
    VARCHAR,   // also CHAR and STRING
    JSON,
    BITMAP,
    HLL,
    ARRAY,
    MAP,
    STRUCT,
};

struct LogicalType {
    TypeId id = TypeId::NULL_TYPE;
    uint8_t precision = 0;  // DECIMAL only
    uint8_t scale = 0;      // DECIMAL, and DATETIME's fractional digits shown
    uint32_t length = 0;    // VARCHAR/CHAR declared length; 0 = unbounded
    /// ARRAY: the element type, interned (1 + its index in a process-wide table; see Element()),
    /// so that LogicalType stays a small value type.
    uint32_t child = 0;

    LogicalType() = default;
    constexpr LogicalType(TypeId t) : id(t) {}  // NOLINT: implicit on purpose
    static LogicalType Decimal(uint8_t p, uint8_t s) {
        LogicalType t(TypeId::DECIMAL);
        t.precision = p;
        t.scale = s;
        return t;
    }
    static LogicalType Varchar(uint32_t len = 0) {
        LogicalType t(TypeId::VARCHAR);
        t.length = len;
        return t;
    }
    /// ARRAY<element>.
    static LogicalType Array(const LogicalType& element);
    /// An ARRAY's element type.
    LogicalType Element() const;

    bool operator==(const LogicalType& o) const {
        return id == o.id && precision == o.precision && scale == o.scale && length == o.length && child == o.child;
    }
    bool operator!=(const LogicalType& o) const { return !(*this == o); }

    bool IsInteger() const {
        return id == TypeId::TINYINT || id == TypeId::SMALLINT || id == TypeId::INT || id == TypeId::BIGINT ||
               id == TypeId::LARGEINT;
    }
    bool IsFloating() const { return id == TypeId::FLOAT || id == TypeId::DOUBLE; }
    bool IsNumeric() const { return IsInteger() || IsFloating() || id == TypeId::DECIMAL || id == TypeId::BOOLEAN; }
    bool IsString() const { return id == TypeId::VARCHAR || id == TypeId::JSON; }
    /// Values are StringViews over a column's heap (strings, JSON, BITMAP, HLL, ...).
    bool HasStringHeap() const { return PhysicalSize() == 16 && (IsString() || id >= TypeId::BITMAP); }
    bool IsTemporal() const { return id == TypeId::DATE || id == TypeId::DATETIME; }

    /// Bytes per value in a column's fixed-width buffer (strings: a 16-byte StringView).
    uint32_t PhysicalSize() const;
    /// SQL spelling, e.g. "DECIMAL(10,2)", "VARCHAR(20)", "BIGINT".
    std::string ToString() const;
};

/// The type both sides of a comparison or arithmetic are cast to; NULL_TYPE pairs with anything.
LogicalType CommonSuperType(const LogicalType& a, const LogicalType& b);

}  // namespace floe
