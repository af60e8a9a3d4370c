// More math over DOUBLE: inverse and hyperbolic trigonometry, degrees/radians, cbrt, square,
// fmod/pmod, positive/negative, is_nan, width_bucket, e(), rand()/random() (not deterministic),
// and the base conversions conv() and bin(). A result that is NaN or infinite is NULL, as in
// math.cpp.
#include <cmath>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "common/exception.h"
#include "function/function_registry.h"
#include "function/simple_function.h"
#include "function/vector_executor.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;
const LogicalType kStr = LogicalType::Varchar();

template <typename Op>
ScalarFunctionBinder DoubleFunction(std::string name, Op op) {
    return Overloads(name, {{{TypeId::DOUBLE}, TypeId::DOUBLE, [op](Args a, size_t rows, Column& out) {
                                 UnaryExecuteNullable<double, double>(*a[0], rows, out, [op](double x, bool& n) {
                                     double r = op(x);
                                     n = std::isnan(r) || std::isinf(r);
                                     return r;
                                 });
                             }}});
}

template <typename Op>
ScalarKernel DoubleBinaryKernel(Op op) {
    return [op](Args a, size_t rows, Column& out) {
        BinaryExecuteNullable<double, double, double>(*a[0], *a[1], rows, out, [op](double x, double y, bool& n) {
            double r = op(x, y);
            n = std::isnan(r) || std::isinf(r);
            return r;
        });
    };
}

// positive(x) is x and negative(x) is -x in x's own type (integers stay integers).
ScalarFunctionBinder SignPreserving(std::string name, bool negate) {
    return [name, negate](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (types.size() != 1) throw BinderError(name + "() takes one argument", ErrorCode::WRONG_ARGUMENTS);
        BoundScalarFunction f;
        f.name = name;
        const LogicalType& t = types[0];
        LogicalType use = t.IsInteger() || t.id == TypeId::DECIMAL || t.IsFloating() ? t : LogicalType(TypeId::DOUBLE);
        if (use.id == TypeId::FLOAT) use = TypeId::DOUBLE;
        f.arg_types = {use};
        f.return_type = use;
        f.kernel = [negate](Args a, size_t rows, Column& out) {
            DispatchPhysicalType(a[0]->type().id, [&](auto tag) {
                using T = decltype(tag);
                if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
                    UnaryExecute<T, T>(*a[0], rows, out, [negate](T v) { return negate ? static_cast<T>(-v) : v; });
                } else if constexpr (std::is_same_v<T, int128_t>) {
                    UnaryExecute<T, T>(*a[0], rows, out, [negate](T v) { return negate ? -v : v; });
                }
            });
        };
        return f;
    };
}

// conv(x, from_base, to_base): MySQL's rules. x is read as an unsigned 64-bit number in from_base
// (a leading '-' negates it; reading stops at the first invalid digit); a negative to_base prints
// the value as signed. Bases outside 2..36 give NULL.
std::optional<std::string> Conv(std::string_view x, int64_t from, int64_t to) {
    int64_t abs_from = std::llabs(from), abs_to = std::llabs(to);
    if (abs_from < 2 || abs_from > 36 || abs_to < 2 || abs_to > 36) return std::nullopt;
    while (!x.empty() && x.front() == ' ') x.remove_prefix(1);
    bool negative = !x.empty() && x.front() == '-';
    if (negative) x.remove_prefix(1);
    uint64_t value = 0;
    for (char c : x) {
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'z')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'Z')
            d = c - 'A' + 10;
        else
            break;
        if (d >= abs_from) break;
        if (__builtin_mul_overflow(value, static_cast<uint64_t>(abs_from), &value) ||
            __builtin_add_overflow(value, static_cast<uint64_t>(d), &value)) {
            value = UINT64_MAX;  // MySQL saturates
            break;
        }
    }
    if (negative) value = static_cast<uint64_t>(-static_cast<int64_t>(value));
    bool print_negative = false;
    if (to < 0 && static_cast<int64_t>(value) < 0) {
        print_negative = true;
        value = static_cast<uint64_t>(-static_cast<int64_t>(value));
    }
    std::string o;
    do {
        o.insert(o.begin(), "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[value % static_cast<uint64_t>(abs_to)]);
        value /= static_cast<uint64_t>(abs_to);
    } while (value != 0);
    if (print_negative) o.insert(o.begin(), '-');
    return o;
}

}  // namespace

void RegisterNumericFunctions(FunctionRegistry& r) {
    r.AddScalar("acos", DoubleFunction("acos", [](double x) { return std::acos(x); }));
    r.AddScalar("asin", DoubleFunction("asin", [](double x) { return std::asin(x); }));
    r.AddScalar("atan", Overloads("atan", {{{TypeId::DOUBLE},
                                            TypeId::DOUBLE,
                                            [](Args a, size_t rows, Column& out) {
                                                UnaryExecute<double, double>(*a[0], rows, out,
                                                                             [](double x) { return std::atan(x); });
                                            }},
                                           {{TypeId::DOUBLE, TypeId::DOUBLE},
                                            TypeId::DOUBLE,
                                            DoubleBinaryKernel([](double y, double x) { return std::atan2(y, x); })}}));
    r.AddScalar("atan2",
                Overloads("atan2", {{{TypeId::DOUBLE, TypeId::DOUBLE},
                                     TypeId::DOUBLE,
                                     DoubleBinaryKernel([](double y, double x) { return std::atan2(y, x); })}}));
    r.AddScalar("sinh", DoubleFunction("sinh", [](double x) { return std::sinh(x); }));
    r.AddScalar("cosh", DoubleFunction("cosh", [](double x) { return std::cosh(x); }));
    r.AddScalar("tanh", DoubleFunction("tanh", [](double x) { return std::tanh(x); }));
    r.AddScalar("cot", DoubleFunction("cot", [](double x) { return std::cos(x) / std::sin(x); }));
    r.AddScalar("degrees", DoubleFunction("degrees", [](double x) { return x * 180.0 / M_PI; }));
    r.AddScalar("radians", DoubleFunction("radians", [](double x) { return x * M_PI / 180.0; }));
    r.AddScalar("cbrt", DoubleFunction("cbrt", [](double x) {
                    // glibc's cbrt is off by an ulp for some perfect cubes (27 -> 3.0000000000000004);
                    // one Newton step lands on the exact root.
                    double y = std::cbrt(x);
                    return y == 0 || !std::isfinite(y) ? y : y - (y * y * y - x) / (3 * y * y);
                }));
    r.AddScalar("square", DoubleFunction("square", [](double x) { return x * x; }));
    r.AddScalar("e", Overloads("e", {{{}, TypeId::DOUBLE, [](Args, size_t rows, Column& out) {
                                          for (size_t i = 0; i < rows; ++i) {
                                              out.SetNull(i, false);
                                              out.Data<double>()[i] = M_E;
                                          }
                                      }}}));
    // fmod(x, y): remainder with x's sign; NULL when y is 0 (as StarRocks).
    r.AddScalar("fmod", Overloads("fmod", {{{TypeId::DOUBLE, TypeId::DOUBLE},
                                            TypeId::DOUBLE,
                                            DoubleBinaryKernel([](double x, double y) { return std::fmod(x, y); })}}));
    // pmod(x, y): the positive modulus ((x % y) + y) % y; NULL when y is 0.
    r.AddScalar("pmod", [](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (types.size() != 2) throw BinderError("pmod() takes two arguments", ErrorCode::WRONG_ARGUMENTS);
        BoundScalarFunction f;
        f.name = "pmod";
        if ((types[0].IsInteger() || types[0].id == TypeId::NULL_TYPE) &&
            (types[1].IsInteger() || types[1].id == TypeId::NULL_TYPE)) {
            f.arg_types = {TypeId::BIGINT, TypeId::BIGINT};
            f.return_type = TypeId::BIGINT;
            f.kernel = [](Args a, size_t rows, Column& out) {
                BinaryExecuteNullable<int64_t, int64_t, int64_t>(*a[0], *a[1], rows, out,
                                                                 [](int64_t x, int64_t y, bool& n) -> int64_t {
                                                                     if (y == 0) {
                                                                         n = true;
                                                                         return 0;
                                                                     }
                                                                     if (y == -1) return 0;
                                                                     int64_t m = x % y;
                                                                     if (m != 0 && ((m < 0) != (y < 0))) m += y;
                                                                     return m;
                                                                 });
            };
        } else {
            f.arg_types = {TypeId::DOUBLE, TypeId::DOUBLE};
            f.return_type = TypeId::DOUBLE;
            f.kernel = DoubleBinaryKernel([](double x, double y) {
                double m = std::fmod(x, y);
                if (m != 0 && ((m < 0) != (y < 0))) m += y;
                return m;
            });
        }
        return f;
    });
    r.AddScalar("positive", SignPreserving("positive", false));
    r.AddScalar("negative", SignPreserving("negative", true));
    r.AddScalar("is_nan",
                Overloads("is_nan", {{{TypeId::DOUBLE}, TypeId::BOOLEAN, [](Args a, size_t rows, Column& out) {
                                          UnaryExecute<double, bool>(*a[0], rows, out,
                                                                     [](double x) { return std::isnan(x); });
                                      }}}));
    // width_bucket(x, lo, hi, n): 0 below lo, n + 1 at or above hi, else 1 + the bucket of x.
    r.AddScalar("width_bucket",
                Overloads("width_bucket",
                          {{{TypeId::DOUBLE, TypeId::DOUBLE, TypeId::DOUBLE, TypeId::BIGINT},
                            TypeId::BIGINT,
                            [](Args a, size_t rows, Column& out) {
                                for (size_t i = 0; i < rows; ++i) {
                                    bool n = a[0]->IsNull(i) || a[1]->IsNull(i) || a[2]->IsNull(i) || a[3]->IsNull(i);
                                    out.SetNull(i, n);
                                    if (n) continue;
                                    double x = a[0]->Data<double>()[i], lo = a[1]->Data<double>()[i],
                                           hi = a[2]->Data<double>()[i];
                                    int64_t buckets = a[3]->Data<int64_t>()[i];
                                    if (buckets <= 0)
                                        throw ExecutionError("width_bucket(): the number of buckets must be positive",
                                                             ErrorCode::WRONG_ARGUMENTS);
                                    if (lo == hi)
                                        throw ExecutionError("width_bucket(): the bounds must differ",
                                                             ErrorCode::WRONG_ARGUMENTS);
                                    int64_t b;
                                    if (lo < hi) {
                                        b = x < lo    ? 0
                                            : x >= hi ? buckets + 1
                                                      : static_cast<int64_t>((x - lo) / (hi - lo) * buckets) + 1;
                                    } else {
                                        b = x > lo    ? 0
                                            : x <= hi ? buckets + 1
                                                      : static_cast<int64_t>((lo - x) / (lo - hi) * buckets) + 1;
                                    }
                                    out.Data<int64_t>()[i] = b;
                                }
                            }}}));
    // rand() and rand(seed): uniform in [0, 1). With a seed the sequence of a statement repeats.
    r.AddScalar("rand", [](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (types.size() > 1) throw BinderError("rand() takes at most one argument", ErrorCode::WRONG_ARGUMENTS);
        BoundScalarFunction f;
        f.name = "rand";
        f.return_type = TypeId::DOUBLE;
        f.deterministic = false;
        if (types.empty()) {
            f.kernel = [](Args, size_t rows, Column& out) {
                thread_local std::mt19937_64 engine{std::random_device{}()};
                std::uniform_real_distribution<double> dist(0.0, 1.0);
                for (size_t i = 0; i < rows; ++i) {
                    out.SetNull(i, false);
                    out.Data<double>()[i] = dist(engine);
                }
            };
        } else {
            f.arg_types = {TypeId::BIGINT};
            struct Seeded {
                std::mutex mutex;
                std::mt19937_64 engine;
                bool seeded = false;
            };
            auto state = std::make_shared<Seeded>();
            f.kernel = [state](Args a, size_t rows, Column& out) {
                std::uniform_real_distribution<double> dist(0.0, 1.0);
                std::lock_guard lock(state->mutex);
                auto* engine = &state->engine;
                auto* seeded = &state->seeded;
                for (size_t i = 0; i < rows; ++i) {
                    if (!*seeded) {
                        engine->seed(a[0]->IsNull(i) ? 0 : static_cast<uint64_t>(a[0]->Data<int64_t>()[i]));
                        *seeded = true;
                    }
                    out.SetNull(i, false);
                    out.Data<double>()[i] = dist(*engine);
                }
            };
        }
        return f;
    });
    r.AddAlias("random", "rand");
    r.AddScalar("conv",
                Overloads("conv", {{{kStr, TypeId::BIGINT, TypeId::BIGINT}, kStr, [](Args a, size_t rows, Column& out) {
                                        for (size_t i = 0; i < rows; ++i) {
                                            bool n = a[0]->IsNull(i) || a[1]->IsNull(i) || a[2]->IsNull(i);
                                            std::optional<std::string> v;
                                            if (!n)
                                                v = Conv(a[0]->Strings()[i].view(), a[1]->Data<int64_t>()[i],
                                                         a[2]->Data<int64_t>()[i]);
                                            out.SetNull(i, !v);
                                            if (v) out.SetString(i, *v);
                                        }
                                    }}}));
    r.AddScalar("bin", Overloads("bin", {{{TypeId::BIGINT}, kStr, [](Args a, size_t rows, Column& out) {
                                              UnaryExecute<int64_t, std::string>(*a[0], rows, out, [](int64_t v) {
                                                  auto u = static_cast<uint64_t>(v);
                                                  std::string o;
                                                  do {
                                                      o.insert(o.begin(), static_cast<char>('0' + (u & 1)));
                                                      u >>= 1;
                                                  } while (u != 0);
                                                  return o;
                                              });
                                          }}}));
}

}  // namespace floe
