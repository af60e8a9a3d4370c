// Math functions over DOUBLE (and exact integer/decimal forms where MySQL keeps them exact).
#include <cmath>

#include "common/exception.h"
#include "function/function_registry.h"
#include "function/simple_function.h"
#include "function/vector_executor.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;

template <typename Op>
FunctionSignature DoubleUnary(Op op) {
    return {{TypeId::DOUBLE}, TypeId::DOUBLE, [op](Args a, size_t rows, Column& out) {
                UnaryExecuteNullable<double, double>(*a[0], rows, out, [op](double x, bool& n) {
                    double r = op(x);
                    if (std::isnan(r) || std::isinf(r)) n = true;
                    return r;
                });
            }};
}

template <typename Op>
FunctionSignature DoubleBinary(Op op) {
    return {{TypeId::DOUBLE, TypeId::DOUBLE}, TypeId::DOUBLE, [op](Args a, size_t rows, Column& out) {
                BinaryExecuteNullable<double, double, double>(*a[0], *a[1], rows, out,
                                                              [op](double x, double y, bool& n) {
                                                                  double r = op(x, y);
                                                                  if (std::isnan(r) || std::isinf(r)) n = true;
                                                                  return r;
                                                              });
            }};
}

double RoundHalfAway(double x, int64_t digits) {
    double scale = std::pow(10.0, static_cast<double>(digits));
    return std::round(x * scale) / scale;
}

/// An unscaled decimal `x` with `drop` fraction digits removed: rounded half away from zero
/// (round) or towards zero (truncate), still at its scale. Exact, unlike the DOUBLE road
/// (round(1.005, 2) is 1.01; 16 digits and more keep their value).
int128_t DropDecimalDigits(int128_t x, int64_t drop, bool round) {
    if (drop <= 0) return x;
    if (drop > 38) return 0;  // every digit of a DECIMAL(38) goes (and 10^39 does not fit)
    int128_t div = Pow10(static_cast<int>(drop));
    int128_t q = x / div, r = x % div;
    if (round && r >= div - r) ++q;  // r * 2 >= div, without overflowing near 10^38
    if (round && -r >= div + r) --q;
    return q * div;
}

/// floor (or ceil) of an unscaled decimal at `scale`, as an unscaled integer.
int128_t FloorDecimal(int128_t x, int scale, bool ceil) {
    if (scale == 0) return x;
    int128_t div = Pow10(scale);
    int128_t q = x / div, r = x % div;  // truncated towards zero
    if (!ceil && r < 0) --q;
    if (ceil && r > 0) ++q;
    return q;
}

// abs/ceil/floor/round keep integers as BIGINT and decimals exact (MySQL: ceil/floor of a DECIMAL
// with at most 18 integer digits are BIGINT, else DECIMAL; of anything else DOUBLE).
ScalarFunctionBinder IntegerPreserving(std::string name, double (*fn)(double)) {
    return [name, fn](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (types.size() != 1) throw BinderError(name + "() takes one argument", ErrorCode::WRONG_ARGUMENTS);
        BoundScalarFunction f;
        f.name = name;
        const LogicalType& t = types[0];
        if (t.IsInteger() || t.id == TypeId::BOOLEAN) {
            f.arg_types = {TypeId::BIGINT};
            f.return_type = TypeId::BIGINT;
            bool is_abs = name == "abs";
            f.kernel = [is_abs](Args a, size_t rows, Column& out) {
                UnaryExecute<int64_t, int64_t>(*a[0], rows, out,
                                               [is_abs](int64_t x) { return is_abs && x < 0 ? -x : x; });
            };
            return f;
        }
        if (t.id == TypeId::DECIMAL && name == "abs") {
            f.arg_types = {t};
            f.return_type = t;
            f.kernel = [](Args a, size_t rows, Column& out) {
                UnaryExecute<int128_t, int128_t>(*a[0], rows, out, [](int128_t x) { return x < 0 ? -x : x; });
            };
            return f;
        }
        if (t.id == TypeId::DECIMAL) {  // ceil, floor
            const bool ceil = name == "ceil";
            const int scale = t.scale;
            f.arg_types = {t};
            if (t.precision - t.scale <= 18) {
                f.return_type = TypeId::BIGINT;
                f.kernel = [ceil, scale](Args a, size_t rows, Column& out) {
                    UnaryExecute<int128_t, int64_t>(*a[0], rows, out, [ceil, scale](int128_t x) {
                        return static_cast<int64_t>(FloorDecimal(x, scale, ceil));
                    });
                };
            } else {
                f.return_type = LogicalType::Decimal(static_cast<uint8_t>(std::min(38, t.precision - t.scale + 1)), 0);
                f.kernel = [ceil, scale](Args a, size_t rows, Column& out) {
                    UnaryExecute<int128_t, int128_t>(
                        *a[0], rows, out, [ceil, scale](int128_t x) { return FloorDecimal(x, scale, ceil); });
                };
            }
            return f;
        }
        // DOUBLE (and text read as DOUBLE) stays DOUBLE: a BIGINT result was NULL beyond 9.2e18.
        f.arg_types = {TypeId::DOUBLE};
        f.return_type = TypeId::DOUBLE;
        f.kernel = [fn](Args a, size_t rows, Column& out) {
            UnaryExecuteNullable<double, double>(*a[0], rows, out, [fn](double x, bool& n) {
                double r = fn(x);
                if (!std::isfinite(r)) n = true;
                return r;
            });
        };
        return f;
    };
}

/// round(d, n) / truncate(d, n) of a DECIMAL: exact, at the argument's scale (one more integer
/// digit for round's carry). The binder narrows the scale to n when n is a constant, as MySQL
/// does (round(1.005, 2) is 1.01); the registry sees types, not values.
BoundScalarFunction BindDecimalDigits(const LogicalType& in, bool round) {
    BoundScalarFunction f;
    f.name = round ? "round" : "truncate";
    f.arg_types = {in, TypeId::BIGINT};
    f.return_type = LogicalType::Decimal(std::min<uint8_t>(38, in.precision + (round ? 1 : 0)), in.scale);
    const int scale = in.scale;
    f.kernel = [scale, round](Args a, size_t rows, Column& out) {
        BinaryExecute<int128_t, int64_t, int128_t>(*a[0], *a[1], rows, out, [scale, round](int128_t x, int64_t d) {
            // d digits kept: scale - d dropped (d negative: integer digits too); d near the int64
            // limits must not overflow the subtraction.
            int64_t drop = d >= scale ? 0 : (d < -40 ? 80 : scale - d);
            return DropDecimalDigits(x, drop, round);
        });
    };
    return f;
}

BoundScalarFunction BindTruncate(const std::vector<LogicalType>& types) {
    if (types.size() != 2) throw BinderError("truncate() takes two arguments", ErrorCode::WRONG_ARGUMENTS);
    if (types[0].id == TypeId::DECIMAL) return BindDecimalDigits(types[0], false);
    BoundScalarFunction f;
    f.name = "truncate";
    f.arg_types = {TypeId::DOUBLE, TypeId::DOUBLE};
    f.return_type = TypeId::DOUBLE;
    f.kernel = [](Args a, size_t rows, Column& out) {
        BinaryExecuteNullable<double, double, double>(*a[0], *a[1], rows, out, [](double x, double d, bool& n) {
            double s = std::pow(10.0, d);
            double r = std::trunc(x * s) / s;
            if (std::isnan(r) || std::isinf(r)) n = true;
            return r;
        });
    };
    return f;
}

BoundScalarFunction BindRound(const std::vector<LogicalType>& types) {
    if (types.empty() || types.size() > 2)
        throw BinderError("round() takes one or two arguments", ErrorCode::WRONG_ARGUMENTS);
    BoundScalarFunction f;
    f.name = "round";
    if (types.size() == 1 && (types[0].IsInteger() || types[0].id == TypeId::BOOLEAN)) {
        f.arg_types = {TypeId::BIGINT};
        f.return_type = TypeId::BIGINT;
        f.kernel = [](Args a, size_t rows, Column& out) {
            UnaryExecute<int64_t, int64_t>(*a[0], rows, out, [](int64_t x) { return x; });
        };
        return f;
    }
    if (types[0].id == TypeId::DECIMAL && types.size() == 1) {
        LogicalType in = types[0];
        f.arg_types = {in};
        f.return_type = LogicalType::Decimal(std::min<uint8_t>(38, in.precision - in.scale + 1), 0);
        int scale = in.scale;
        f.kernel = [scale](Args a, size_t rows, Column& out) {
            int128_t div = Pow10(scale);
            UnaryExecute<int128_t, int128_t>(*a[0], rows, out, [div](int128_t x) {
                int128_t q = x / div, r = x % div;
                if (r * 2 >= div)
                    ++q;
                else if (r * 2 <= -div)
                    --q;
                return q;
            });
        };
        return f;
    }
    if (types.size() == 1) {
        f.arg_types = {TypeId::DOUBLE};
        f.return_type = TypeId::DOUBLE;
        f.kernel = [](Args a, size_t rows, Column& out) {
            UnaryExecute<double, double>(*a[0], rows, out, [](double x) { return std::round(x); });
        };
        return f;
    }
    if (types[0].id == TypeId::DECIMAL) return BindDecimalDigits(types[0], true);
    f.arg_types = {TypeId::DOUBLE, TypeId::BIGINT};
    f.return_type = TypeId::DOUBLE;
    f.kernel = [](Args a, size_t rows, Column& out) {
        BinaryExecute<double, int64_t, double>(*a[0], *a[1], rows, out,
                                               [](double x, int64_t d) { return RoundHalfAway(x, d); });
    };
    return f;
}

ScalarFunctionBinder Extremum(bool greatest) {
    return [greatest](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (types.empty()) throw BinderError("greatest()/least() need arguments", ErrorCode::WRONG_ARGUMENTS);
        LogicalType t = TypeId::NULL_TYPE;
        for (const auto& x : types) t = CommonSuperType(t, x);
        BoundScalarFunction f;
        f.arg_types.assign(types.size(), t);
        f.return_type = t;
        f.kernel = [greatest, t](Args a, size_t rows, Column& out) {
            DispatchPhysicalType(t.id, [&](auto tag) {
                using T = decltype(tag);
                for (size_t i = 0; i < rows; ++i) {
                    bool n = false;
                    for (const Column* c : a) n |= c->IsNull(i);
                    out.SetNull(i, n);
                    if (n) continue;
                    T best = ReadValue<T>(*a[0], i);
                    for (size_t k = 1; k < a.size(); ++k) {
                        T v = ReadValue<T>(*a[k], i);
                        if (greatest ? v > best : v < best) best = v;
                    }
                    WriteValue<T>(out, i, best);
                }
            });
        };
        return f;
    };
}

}  // namespace

void RegisterMathFunctions(FunctionRegistry& r) {
    r.AddScalar("abs", IntegerPreserving("abs", [](double x) { return std::fabs(x); }));
    r.AddScalar("ceil", IntegerPreserving("ceil", [](double x) { return std::ceil(x); }));
    r.AddAlias("ceiling", "ceil");
    r.AddScalar("floor", IntegerPreserving("floor", [](double x) { return std::floor(x); }));
    r.AddScalar("round", BindRound);
    r.AddScalar("truncate", BindTruncate);
    r.AddScalar("sqrt", Overloads("sqrt", {DoubleUnary([](double x) { return std::sqrt(x); })}));
    r.AddScalar("exp", Overloads("exp", {DoubleUnary([](double x) { return std::exp(x); })}));
    r.AddScalar("ln", Overloads("ln", {DoubleUnary([](double x) { return x > 0 ? std::log(x) : NAN; })}));
    r.AddScalar("log10", Overloads("log10", {DoubleUnary([](double x) { return x > 0 ? std::log10(x) : NAN; })}));
    r.AddScalar("log2", Overloads("log2", {DoubleUnary([](double x) { return x > 0 ? std::log2(x) : NAN; })}));
    r.AddScalar("log", Overloads("log", {DoubleUnary([](double x) { return x > 0 ? std::log(x) : NAN; }),
                                         DoubleBinary([](double b, double x) {
                                             return (b > 0 && b != 1 && x > 0) ? std::log(x) / std::log(b) : NAN;
                                         })}));
    r.AddScalar("pow", Overloads("pow", {DoubleBinary([](double x, double y) { return std::pow(x, y); })}));
    r.AddAlias("power", "pow");
    r.AddScalar("sin", Overloads("sin", {DoubleUnary([](double x) { return std::sin(x); })}));
    r.AddScalar("cos", Overloads("cos", {DoubleUnary([](double x) { return std::cos(x); })}));
    r.AddScalar("tan", Overloads("tan", {DoubleUnary([](double x) { return std::tan(x); })}));
    r.AddScalar("sign", Overloads("sign", {{{TypeId::DOUBLE}, TypeId::INT, [](Args a, size_t rows, Column& out) {
                                                UnaryExecute<double, int32_t>(*a[0], rows, out, [](double x) {
                                                    return x > 0 ? 1 : (x < 0 ? -1 : 0);
                                                });
                                            }}}));
    r.AddScalar("pi", Overloads("pi", {{{}, TypeId::DOUBLE, [](Args, size_t rows, Column& out) {
                                            for (size_t i = 0; i < rows; ++i) out.Data<double>()[i] = M_PI;
                                        }}}));
    r.AddScalar("greatest", Extremum(true));
    r.AddScalar("least", Extremum(false));
}

}  // namespace floe
