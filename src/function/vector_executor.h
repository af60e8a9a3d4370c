#pragma once
/// Loops shared by every kernel: read typed values out of flat columns, apply an operation, write
/// the result, and handle NULLs (a NULL argument gives NULL unless the operation says otherwise).
/// Strings are read as std::string_view and written by copying into the result's heap.

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "types/decimal.h"
#include "vector/column.h"

namespace floe {

template <typename T>
inline T ReadValue(const Column& c, size_t i) {
    if constexpr (std::is_same_v<T, std::string_view>) {
        return c.Strings()[i].view();
    } else if constexpr (std::is_same_v<T, bool>) {
        return c.Data<uint8_t>()[i] != 0;
    } else {
        return c.Data<T>()[i];
    }
}

template <typename T>
inline void WriteValue(Column& c, size_t i, const T& v) {
    if constexpr (std::is_same_v<T, std::string_view> || std::is_same_v<T, std::string>) {
        c.SetString(i, v);
    } else if constexpr (std::is_same_v<T, bool>) {
        c.Data<uint8_t>()[i] = v ? 1 : 0;
    } else {
        c.Data<T>()[i] = v;
    }
}

/// result[i] = op(a[i]); NULL in, NULL out.
template <typename A, typename R, typename Op>
void UnaryExecute(const Column& a, size_t rows, Column& result, Op&& op) {
    const uint8_t* an = a.nulls();
    uint8_t* rn = result.nulls();
    for (size_t i = 0; i < rows; ++i) {
        rn[i] = an[i];
        if (!an[i]) WriteValue<R>(result, i, op(ReadValue<A>(a, i)));
    }
}

/// result[i] = op(a[i], is_null): the operation may produce NULL by setting is_null.
template <typename A, typename R, typename Op>
void UnaryExecuteNullable(const Column& a, size_t rows, Column& result, Op&& op) {
    const uint8_t* an = a.nulls();
    uint8_t* rn = result.nulls();
    for (size_t i = 0; i < rows; ++i) {
        if (an[i]) {
            rn[i] = 1;
            continue;
        }
        bool is_null = false;
        R v = op(ReadValue<A>(a, i), is_null);
        rn[i] = is_null ? 1 : 0;
        if (!is_null) WriteValue<R>(result, i, v);
    }
}

/// result[i] = op(a[i], b[i]); NULL in either, NULL out.
template <typename A, typename B, typename R, typename Op>
void BinaryExecute(const Column& a, const Column& b, size_t rows, Column& result, Op&& op) {
    const uint8_t* an = a.nulls();
    const uint8_t* bn = b.nulls();
    uint8_t* rn = result.nulls();
    if constexpr (std::is_arithmetic_v<A> && std::is_arithmetic_v<B> && std::is_arithmetic_v<R> &&
                  !std::is_same_v<R, bool>) {
        const A* ad = a.Data<A>();
        const B* bd = b.Data<B>();
        R* rd = result.Data<R>();
        for (size_t i = 0; i < rows; ++i) rd[i] = op(ad[i], bd[i]);
        for (size_t i = 0; i < rows; ++i) rn[i] = an[i] | bn[i];
    } else {
        for (size_t i = 0; i < rows; ++i) {
            rn[i] = an[i] | bn[i];
            if (!rn[i]) WriteValue<R>(result, i, op(ReadValue<A>(a, i), ReadValue<B>(b, i)));
        }
    }
}

/// result[i] = op(a[i], b[i], is_null): the operation may produce NULL (e.g. division by zero).
template <typename A, typename B, typename R, typename Op>
void BinaryExecuteNullable(const Column& a, const Column& b, size_t rows, Column& result, Op&& op) {
    const uint8_t* an = a.nulls();
    const uint8_t* bn = b.nulls();
    uint8_t* rn = result.nulls();
    for (size_t i = 0; i < rows; ++i) {
        if (an[i] | bn[i]) {
            rn[i] = 1;
            continue;
        }
        bool is_null = false;
        R v = op(ReadValue<A>(a, i), ReadValue<B>(b, i), is_null);
        rn[i] = is_null ? 1 : 0;
        if (!is_null) WriteValue<R>(result, i, v);
    }
}

/// Calls `fn` with a value of the C++ type that stores `id` (numbers, bool, string_view), so one
/// generic lambda serves every physical type. Unsupported ids do not call fn and return false.
template <typename Fn>
bool DispatchPhysicalType(TypeId id, Fn&& fn) {
    switch (id) {
        case TypeId::BOOLEAN:
            fn(bool{});
            return true;
        case TypeId::TINYINT:
            fn(int8_t{});
            return true;
        case TypeId::SMALLINT:
            fn(int16_t{});
            return true;
        case TypeId::INT:
        case TypeId::DATE:
            fn(int32_t{});
            return true;
        case TypeId::BIGINT:
        case TypeId::DATETIME:
            fn(int64_t{});
            return true;
        case TypeId::LARGEINT:
        case TypeId::DECIMAL:
            fn(int128_t{});
            return true;
        case TypeId::FLOAT:
            fn(float{});
            return true;
        case TypeId::DOUBLE:
            fn(double{});
            return true;
        case TypeId::VARCHAR:
        case TypeId::JSON:
        case TypeId::ARRAY:  // blobs (types/array.h): equal arrays have equal bytes
            fn(std::string_view{});
            return true;
        default:
            return false;
    }
}

}  // namespace floe
