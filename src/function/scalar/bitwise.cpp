// Bit functions: bitand, bitor, bitxor, bitnot and the shifts bit_shift_left, bit_shift_right
// (arithmetic) and bit_shift_right_logical. The result has the integer type of the value (the
// wider of two operands); other numbers and strings are cast to BIGINT first (StarRocks: 2.2 is
// 2, '2' is 2). A negative shift gives 0, a shift past the width 0 (or -1 for an arithmetic
// right shift of a negative value).
#include <type_traits>

#include "common/exception.h"
#include "function/function_registry.h"
#include "function/vector_executor.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;

LogicalType IntegerOperand(const std::string& name, const LogicalType& t) {
    if (t.IsInteger()) return t;
    if (t.IsNumeric() || t.IsString() || t.id == TypeId::NULL_TYPE) return TypeId::BIGINT;
    throw BinderError(name + "() needs an integer, not " + t.ToString(), ErrorCode::TYPE_MISMATCH);
}

LogicalType Wider(const LogicalType& a, const LogicalType& b) {
    return a.PhysicalSize() >= b.PhysicalSize() ? a : b;
}

/// Calls fn with a zero of the C++ integer type of `id`.
template <typename Fn>
void DispatchInteger(TypeId id, Fn&& fn) {
    switch (id) {
        case TypeId::TINYINT:
            return fn(int8_t{});
        case TypeId::SMALLINT:
            return fn(int16_t{});
        case TypeId::INT:
            return fn(int32_t{});
        case TypeId::LARGEINT:
            return fn(int128_t{});
        default:
            return fn(int64_t{});
    }
}

enum class BitOp { AND, OR, XOR };

ScalarFunctionBinder BindBinaryBitOp(std::string name, BitOp op) {
    return [name, op](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (types.size() != 2) throw BinderError(name + "() takes two arguments", ErrorCode::WRONG_ARGUMENTS);
        LogicalType t = Wider(IntegerOperand(name, types[0]), IntegerOperand(name, types[1]));
        BoundScalarFunction f;
        f.name = name;
        f.arg_types = {t, t};
        f.return_type = t;
        f.kernel = [op, id = t.id](Args a, size_t rows, Column& out) {
            DispatchInteger(id, [&](auto tag) {
                using T = decltype(tag);
                BinaryExecute<T, T, T>(*a[0], *a[1], rows, out, [op](T x, T y) -> T {
                    switch (op) {
                        case BitOp::AND:
                            return static_cast<T>(x & y);
                        case BitOp::OR:
                            return static_cast<T>(x | y);
                        default:
                            return static_cast<T>(x ^ y);
                    }
                });
            });
        };
        return f;
    };
}

BoundScalarFunction BindBitNot(const std::vector<LogicalType>& types) {
    if (types.size() != 1) throw BinderError("bitnot() takes one argument", ErrorCode::WRONG_ARGUMENTS);
    LogicalType t = IntegerOperand("bitnot", types[0]);
    BoundScalarFunction f;
    f.name = "bitnot";
    f.arg_types = {t};
    f.return_type = t;
    f.kernel = [id = t.id](Args a, size_t rows, Column& out) {
        DispatchInteger(id, [&](auto tag) {
            using T = decltype(tag);
            UnaryExecute<T, T>(*a[0], rows, out, [](T x) { return static_cast<T>(~x); });
        });
    };
    return f;
}

enum class Shift { LEFT, RIGHT, RIGHT_LOGICAL };

/// The unsigned type of the same width (std::make_unsigned does not know __int128 in strict mode).
template <typename T>
struct UnsignedOf {
    using type = std::make_unsigned_t<T>;
};
template <>
struct UnsignedOf<int128_t> {
    using type = unsigned __int128;
};

ScalarFunctionBinder BindShift(std::string name, Shift shift) {
    return [name, shift](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (types.size() != 2) throw BinderError(name + "() takes two arguments", ErrorCode::WRONG_ARGUMENTS);
        LogicalType t = IntegerOperand(name, types[0]);
        if (!types[1].IsNumeric() && !types[1].IsString() && types[1].id != TypeId::NULL_TYPE) {
            throw BinderError(name + "() needs an integer shift, not " + types[1].ToString(), ErrorCode::TYPE_MISMATCH);
        }
        BoundScalarFunction f;
        f.name = name;
        f.arg_types = {t, TypeId::BIGINT};
        f.return_type = t;
        f.kernel = [shift, id = t.id](Args a, size_t rows, Column& out) {
            DispatchInteger(id, [&](auto tag) {
                using T = decltype(tag);
                using U = typename UnsignedOf<T>::type;
                constexpr int64_t kBits = sizeof(T) * 8;
                BinaryExecute<T, int64_t, T>(*a[0], *a[1], rows, out, [shift](T x, int64_t s) -> T {
                    if (s < 0) return 0;
                    switch (shift) {
                        case Shift::LEFT:
                            return s >= kBits ? T{0} : static_cast<T>(static_cast<U>(x) << s);
                        case Shift::RIGHT:
                            return s >= kBits ? static_cast<T>(x < 0 ? -1 : 0) : static_cast<T>(x >> s);
                        default:
                            return s >= kBits ? T{0} : static_cast<T>(static_cast<U>(x) >> s);
                    }
                });
            });
        };
        return f;
    };
}

}  // namespace

void RegisterBitwiseFunctions(FunctionRegistry& r) {
    r.AddScalar("bitand", BindBinaryBitOp("bitand", BitOp::AND));
    r.AddScalar("bitor", BindBinaryBitOp("bitor", BitOp::OR));
    r.AddScalar("bitxor", BindBinaryBitOp("bitxor", BitOp::XOR));
    r.AddScalar("bitnot", BindBitNot);
    r.AddScalar("bit_shift_left", BindShift("bit_shift_left", Shift::LEFT));
    r.AddScalar("bit_shift_right", BindShift("bit_shift_right", Shift::RIGHT));
    r.AddScalar("bit_shift_right_logical", BindShift("bit_shift_right_logical", Shift::RIGHT_LOGICAL));
}

}  // namespace floe
