// Arithmetic operators: + - * / DIV % and unary minus. Result types follow StarRocks: integer
// operands give BIGINT (LARGEINT when one is LARGEINT), any floating or string operand gives
// DOUBLE, DECIMAL operands give DECIMAL with the usual precision/scale growth; `/` gives DOUBLE.
// Integer overflow is an error naming the operation; division by zero gives NULL.
#include <cmath>

#include "common/exception.h"
#include "function/function_registry.h"
#include "function/vector_executor.h"

namespace floe {

namespace {

enum class ArithKind { INTEGER, LARGE, DOUBLE, DECIMAL };

struct ArithPlan {
    ArithKind kind;
    LogicalType operand;  // both sides are cast to this
    LogicalType result;
};

int IntegerDigits(const LogicalType& t) {
    switch (t.id) {
        case TypeId::BOOLEAN:
            return 1;
        case TypeId::TINYINT:
            return 3;
        case TypeId::SMALLINT:
            return 5;
        case TypeId::INT:
            return 10;
        case TypeId::BIGINT:
            return 19;
        case TypeId::LARGEINT:
            return 38;
        case TypeId::DECIMAL:
            return t.precision - t.scale;
        default:
            return 38;
    }
}

bool IsIntegral(const LogicalType& t) {
    return t.IsInteger() || t.id == TypeId::BOOLEAN || t.id == TypeId::NULL_TYPE;
}

ArithPlan PlanArithmetic(const std::string& op, const LogicalType& a, const LogicalType& b) {
    bool a_dec = a.id == TypeId::DECIMAL, b_dec = b.id == TypeId::DECIMAL;
    if (IsIntegral(a) && IsIntegral(b)) {
        if (a.id == TypeId::LARGEINT || b.id == TypeId::LARGEINT)
            return {ArithKind::LARGE, TypeId::LARGEINT, TypeId::LARGEINT};
        return {ArithKind::INTEGER, TypeId::BIGINT, TypeId::BIGINT};
    }
    if ((a_dec || IsIntegral(a)) && (b_dec || IsIntegral(b))) {
        int sa = a_dec ? a.scale : 0, sb = b_dec ? b.scale : 0;
        int ia = IntegerDigits(a), ib = IntegerDigits(b);
        int scale, precision;
        if (op == "multiply") {
            scale = sa + sb;
            precision = ia + ib + scale;
        } else {
            scale = std::max(sa, sb);
            precision = std::max(ia, ib) + scale + 1;
        }
        if (scale > 38) return {ArithKind::DOUBLE, TypeId::DOUBLE, TypeId::DOUBLE};
        precision = std::min(38, std::max(precision, scale));
        // Operands keep their own scale for multiply, are aligned for add/sub/mod.
        LogicalType operand = LogicalType::Decimal(38, static_cast<uint8_t>(op == "multiply" ? 0 : scale));
        return {ArithKind::DECIMAL, operand,
                LogicalType::Decimal(static_cast<uint8_t>(precision), static_cast<uint8_t>(scale))};
    }
    return {ArithKind::DOUBLE, TypeId::DOUBLE, TypeId::DOUBLE};
}

[[noreturn]] void Overflow(const std::string& op, const LogicalType& t) {
    throw ExecutionError(t.ToString() + " value is out of range in '" + op + "'", ErrorCode::OUT_OF_RANGE);
}

template <typename Fn>
ScalarKernel IntegerKernel(std::string op, Fn fn) {
    return [op, fn](const std::vector<const Column*>& args, size_t rows, Column& out) {
        bool overflow = false;
        BinaryExecute<int64_t, int64_t, int64_t>(*args[0], *args[1], rows, out, [&](int64_t x, int64_t y) {
            int64_t r;
            overflow |= fn(x, y, &r);
            return r;
        });
        if (overflow) {
            // Rows that are NULL may hold garbage; recheck only live rows.
            const uint8_t* n = out.nulls();
            for (size_t i = 0; i < rows; ++i) {
                int64_t r;
                if (!n[i] && fn(args[0]->Data<int64_t>()[i], args[1]->Data<int64_t>()[i], &r))
                    Overflow(op, TypeId::BIGINT);
            }
        }
    };
}

ScalarFunctionBinder MakeBinary(const std::string& name) {
    return [name](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (types.size() != 2) throw BinderError(name + " takes two arguments", ErrorCode::WRONG_ARGUMENTS);
        ArithPlan plan = PlanArithmetic(name, types[0], types[1]);
        BoundScalarFunction f;
        f.name = name;
        if (name == "divide") {
            f.arg_types = {TypeId::DOUBLE, TypeId::DOUBLE};
            f.return_type = TypeId::DOUBLE;
            f.kernel = [](const std::vector<const Column*>& a, size_t rows, Column& out) {
                BinaryExecuteNullable<double, double, double>(*a[0], *a[1], rows, out, [](double x, double y, bool& n) {
                    if (y == 0) {
                        n = true;
                        return 0.0;
                    }
                    return x / y;
                });
            };
            return f;
        }
        if (name == "int_divide") {
            bool integral = plan.kind == ArithKind::INTEGER;
            f.arg_types = {integral ? LogicalType(TypeId::BIGINT) : LogicalType(TypeId::DOUBLE),
                           integral ? LogicalType(TypeId::BIGINT) : LogicalType(TypeId::DOUBLE)};
            f.return_type = TypeId::BIGINT;
            if (integral) {
                f.kernel = [](const std::vector<const Column*>& a, size_t rows, Column& out) {
                    BinaryExecuteNullable<int64_t, int64_t, int64_t>(*a[0], *a[1], rows, out,
                                                                     [](int64_t x, int64_t y, bool& n) -> int64_t {
                                                                         if (y == 0) {
                                                                             n = true;
                                                                             return 0;
                                                                         }
                                                                         if (y == -1) return -x;
                                                                         return x / y;
                                                                     });
                };
            } else {
                f.kernel = [](const std::vector<const Column*>& a, size_t rows, Column& out) {
                    BinaryExecuteNullable<double, double, int64_t>(*a[0], *a[1], rows, out,
                                                                   [](double x, double y, bool& n) -> int64_t {
                                                                       double q = y == 0 ? 0 : std::trunc(x / y);
                                                                       if (y == 0 || std::fabs(q) >= 9.2e18) {
                                                                           n = true;
                                                                           return 0;
                                                                       }
                                                                       return static_cast<int64_t>(q);
                                                                   });
                };
            }
            return f;
        }
        f.return_type = plan.result;
        switch (plan.kind) {
            case ArithKind::INTEGER: {
                f.arg_types = {TypeId::BIGINT, TypeId::BIGINT};
                if (name == "add") {
                    f.kernel = IntegerKernel(
                        "+", [](int64_t x, int64_t y, int64_t* r) { return __builtin_add_overflow(x, y, r); });
                } else if (name == "subtract") {
                    f.kernel = IntegerKernel(
                        "-", [](int64_t x, int64_t y, int64_t* r) { return __builtin_sub_overflow(x, y, r); });
                } else if (name == "multiply") {
                    f.kernel = IntegerKernel(
                        "*", [](int64_t x, int64_t y, int64_t* r) { return __builtin_mul_overflow(x, y, r); });
                } else {  // modulo
                    f.kernel = [](const std::vector<const Column*>& a, size_t rows, Column& out) {
                        BinaryExecuteNullable<int64_t, int64_t, int64_t>(*a[0], *a[1], rows, out,
                                                                         [](int64_t x, int64_t y, bool& n) -> int64_t {
                                                                             if (y == 0) {
                                                                                 n = true;
                                                                                 return 0;
                                                                             }
                                                                             if (y == -1) return 0;
                                                                             return x % y;
                                                                         });
                    };
                }
                return f;
            }
            case ArithKind::LARGE:
            case ArithKind::DECIMAL: {
                f.arg_types = {plan.kind == ArithKind::LARGE ? LogicalType(TypeId::LARGEINT) : plan.operand,
                               plan.kind == ArithKind::LARGE ? LogicalType(TypeId::LARGEINT) : plan.operand};
                if (plan.kind == ArithKind::DECIMAL && name == "multiply") {
                    // Keep each operand's own scale: cast to DECIMAL(38, own scale).
                    f.arg_types[0] = LogicalType::Decimal(38, types[0].id == TypeId::DECIMAL ? types[0].scale : 0);
                    f.arg_types[1] = LogicalType::Decimal(38, types[1].id == TypeId::DECIMAL ? types[1].scale : 0);
                }
                // One loop per operator (the choice is made once, not per row); values stay within
                // the result's precision or the statement fails.
                LogicalType result = plan.result;
                auto kernel = [result](auto compute) {
                    return [result, compute](const std::vector<const Column*>& a, size_t rows, Column& out) {
                        int128_t limit = result.id == TypeId::DECIMAL ? Pow10(result.precision) : 0;
                        BinaryExecuteNullable<int128_t, int128_t, int128_t>(
                            *a[0], *a[1], rows, out, [&](int128_t x, int128_t y, bool& n) -> int128_t {
                                int128_t r = 0;
                                bool of = compute(x, y, r, n);
                                if (of || (limit != 0 && (r >= limit || r <= -limit))) Overflow(compute.name, result);
                                return r;
                            });
                    };
                };
                struct Add {
                    const char* name = "add";
                    bool operator()(int128_t x, int128_t y, int128_t& r, bool&) const {
                        return __builtin_add_overflow(x, y, &r);
                    }
                };
                struct Subtract {
                    const char* name = "subtract";
                    bool operator()(int128_t x, int128_t y, int128_t& r, bool&) const {
                        return __builtin_sub_overflow(x, y, &r);
                    }
                };
                struct Multiply {
                    const char* name = "multiply";
                    bool operator()(int128_t x, int128_t y, int128_t& r, bool&) const {
                        // Operands of up to 18 digits (the usual DECIMALs) multiply in one
                        // 64x64->128 instruction that cannot overflow; others check.
                        auto x64 = static_cast<int64_t>(x), y64 = static_cast<int64_t>(y);
                        if (x64 == x && y64 == y) {
                            r = static_cast<int128_t>(x64) * y64;
                            return false;
                        }
                        return __builtin_mul_overflow(x, y, &r);
                    }
                };
                struct Modulo {
                    const char* name = "modulo";
                    bool operator()(int128_t x, int128_t y, int128_t& r, bool& n) const {
                        if (y == 0) {
                            n = true;
                            return false;
                        }
                        r = x % y;
                        return false;
                    }
                };
                if (name == "add") {
                    f.kernel = kernel(Add{});
                } else if (name == "subtract") {
                    f.kernel = kernel(Subtract{});
                } else if (name == "multiply") {
                    f.kernel = kernel(Multiply{});
                } else {
                    f.kernel = kernel(Modulo{});
                }
                return f;
            }
            case ArithKind::DOUBLE: {
                f.arg_types = {TypeId::DOUBLE, TypeId::DOUBLE};
                std::string op = name;
                if (op == "add") {
                    f.kernel = [](const std::vector<const Column*>& a, size_t rows, Column& out) {
                        BinaryExecute<double, double, double>(*a[0], *a[1], rows, out,
                                                              [](double x, double y) { return x + y; });
                    };
                } else if (op == "subtract") {
                    f.kernel = [](const std::vector<const Column*>& a, size_t rows, Column& out) {
                        BinaryExecute<double, double, double>(*a[0], *a[1], rows, out,
                                                              [](double x, double y) { return x - y; });
                    };
                } else if (op == "multiply") {
                    f.kernel = [](const std::vector<const Column*>& a, size_t rows, Column& out) {
                        BinaryExecute<double, double, double>(*a[0], *a[1], rows, out,
                                                              [](double x, double y) { return x * y; });
                    };
                } else {
                    f.kernel = [](const std::vector<const Column*>& a, size_t rows, Column& out) {
                        BinaryExecuteNullable<double, double, double>(*a[0], *a[1], rows, out,
                                                                      [](double x, double y, bool& n) {
                                                                          if (y == 0) {
                                                                              n = true;
                                                                              return 0.0;
                                                                          }
                                                                          return std::fmod(x, y);
                                                                      });
                    };
                }
                return f;
            }
        }
        return f;
    };
}

BoundScalarFunction BindNegate(const std::vector<LogicalType>& types) {
    if (types.size() != 1) throw BinderError("negate takes one argument", ErrorCode::WRONG_ARGUMENTS);
    const LogicalType& t = types[0];
    BoundScalarFunction f;
    f.name = "negate";
    if (IsIntegral(t) && t.id != TypeId::LARGEINT) {
        f.arg_types = {TypeId::BIGINT};
        f.return_type = TypeId::BIGINT;
        f.kernel = [](const std::vector<const Column*>& a, size_t rows, Column& out) {
            UnaryExecute<int64_t, int64_t>(*a[0], rows, out, [](int64_t x) {
                if (x == INT64_MIN) Overflow("-", TypeId::BIGINT);
                return -x;
            });
        };
    } else if (t.id == TypeId::LARGEINT || t.id == TypeId::DECIMAL) {
        f.arg_types = {t};
        f.return_type = t;
        f.kernel = [](const std::vector<const Column*>& a, size_t rows, Column& out) {
            UnaryExecute<int128_t, int128_t>(*a[0], rows, out, [](int128_t x) { return -x; });
        };
    } else {
        f.arg_types = {TypeId::DOUBLE};
        f.return_type = TypeId::DOUBLE;
        f.kernel = [](const std::vector<const Column*>& a, size_t rows, Column& out) {
            UnaryExecute<double, double>(*a[0], rows, out, [](double x) { return -x; });
        };
    }
    return f;
}

}  // namespace

void RegisterArithmeticFunctions(FunctionRegistry& registry) {
    for (const char* name : {"add", "subtract", "multiply", "divide", "int_divide", "modulo"}) {
        registry.AddScalar(name, MakeBinary(name));
    }
    registry.AddAlias("mod", "modulo");
    registry.AddScalar("negate", BindNegate);
}

}  // namespace floe
