// ARRAY functions that build series: array_generate([start,] end[, step]), array_repeat(x, n),
// array_cum_sum, array_difference (BIGINT for integer and boolean elements, DOUBLE otherwise) and
// array_flatten (one level of nesting), and array_top_n. A NULL argument gives NULL.
#include <algorithm>
#include <string>

#include "common/exception.h"
#include "function/cast.h"
#include "function/function_registry.h"
#include "function/vector_executor.h"
#include "types/array.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;
constexpr size_t kMaxElements = 10'000'000;  // bigger arrays are an error, not an OOM

bool AnyNull(Args a, size_t i) {
    for (const Column* c : a) {
        if (c->IsNull(i)) return true;
    }
    return false;
}

void CheckLength(const char* fn, uint64_t n) {
    if (n > kMaxElements) {
        throw ExecutionError(std::string(fn) + "() would make an array of more than 10,000,000 elements",
                             ErrorCode::OUT_OF_RANGE);
    }
}

BoundScalarFunction BindGenerate(const std::vector<LogicalType>& types) {
    if (types.empty() || types.size() > 3) {
        throw BinderError("array_generate() takes [start,] end [, step]", ErrorCode::WRONG_ARGUMENTS);
    }
    for (const auto& t : types) {
        if (!t.IsInteger() && t.id != TypeId::NULL_TYPE)
            throw BinderError("array_generate() needs integers, not " + t.ToString(), ErrorCode::TYPE_MISMATCH);
    }
    BoundScalarFunction f;
    f.name = "array_generate";
    f.arg_types.assign(types.size(), TypeId::BIGINT);
    f.return_type = LogicalType::Array(TypeId::BIGINT);
    f.kernel = [](Args a, size_t rows, Column& out) {
        ArrayBuilder b(TypeId::BIGINT);
        for (size_t i = 0; i < rows; ++i) {
            if (AnyNull(a, i)) {
                out.SetNull(i, true);
                continue;
            }
            int64_t start = a.size() == 1 ? 1 : a[0]->Data<int64_t>()[i];
            int64_t end = a.size() == 1 ? a[0]->Data<int64_t>()[i] : a[1]->Data<int64_t>()[i];
            int64_t step = a.size() == 3 ? a[2]->Data<int64_t>()[i] : (start <= end ? 1 : -1);
            if (step != 0 && (step > 0 ? start <= end : start >= end)) {
                auto span = static_cast<unsigned __int128>(step > 0 ? static_cast<__int128>(end) - start
                                                                    : static_cast<__int128>(start) - end);
                auto abs_step = static_cast<unsigned __int128>(step > 0 ? static_cast<__int128>(step)
                                                                        : -static_cast<__int128>(step));
                unsigned __int128 count = span / abs_step + 1;
                CheckLength("array_generate", count > kMaxElements ? kMaxElements + 1 : static_cast<uint64_t>(count));
                __int128 v = start;
                for (unsigned __int128 k = 0; k < count; ++k, v += step) {
                    b.Append(Value::Integer(static_cast<int64_t>(v)));
                }
            }
            out.SetNull(i, false);
            out.SetString(i, b.Finish());
        }
    };
    return f;
}

BoundScalarFunction BindRepeat(const std::vector<LogicalType>& types) {
    if (types.size() != 2) throw BinderError("array_repeat() takes a value and a count", ErrorCode::WRONG_ARGUMENTS);
    LogicalType element = types[0].id == TypeId::NULL_TYPE ? LogicalType(TypeId::BIGINT) : types[0];
    if (element.id == TypeId::BITMAP || element.id == TypeId::HLL) {
        throw BinderError("an ARRAY cannot hold " + element.ToString(), ErrorCode::TYPE_MISMATCH);
    }
    BoundScalarFunction f;
    f.name = "array_repeat";
    f.arg_types = {element, TypeId::BIGINT};
    f.return_type = LogicalType::Array(element);
    f.kernel = [element](Args a, size_t rows, Column& out) {
        ArrayBuilder b(element);
        for (size_t i = 0; i < rows; ++i) {
            // A NULL element repeats; a NULL count gives NULL.
            if (a[1]->IsNull(i)) {
                out.SetNull(i, true);
                continue;
            }
            int64_t n = a[1]->Data<int64_t>()[i];
            if (n > 0) CheckLength("array_repeat", static_cast<uint64_t>(n));
            Value v = a[0]->GetValue(i);
            for (int64_t k = 0; k < n; ++k) b.Append(v);
            out.SetNull(i, false);
            out.SetString(i, b.Finish());
        }
    };
    return f;
}

// array_cum_sum / array_difference over BIGINT (integer and boolean elements) or DOUBLE.
BoundScalarFunction BindRunning(const std::string& name, const std::vector<LogicalType>& types) {
    if (types.size() != 1) throw BinderError(name + "() takes one argument", ErrorCode::WRONG_ARGUMENTS);
    const LogicalType& t = types[0];
    if (t.id != TypeId::ARRAY && t.id != TypeId::NULL_TYPE)
        throw BinderError(name + "() needs an ARRAY argument, not " + t.ToString(), ErrorCode::TYPE_MISMATCH);
    LogicalType in_element = t.id == TypeId::ARRAY ? t.Element() : LogicalType(TypeId::BIGINT);
    if (!in_element.IsNumeric() && in_element.id != TypeId::NULL_TYPE)
        throw BinderError(name + "() needs an ARRAY of numbers, not " + t.ToString(), ErrorCode::TYPE_MISMATCH);
    bool integral = in_element.IsInteger() || in_element.id == TypeId::BOOLEAN || in_element.id == TypeId::NULL_TYPE;
    LogicalType element = integral ? LogicalType(TypeId::BIGINT) : LogicalType(TypeId::DOUBLE);
    LogicalType array = LogicalType::Array(element);
    bool difference = name == "array_difference";
    BoundScalarFunction f;
    f.name = name;
    f.arg_types = {array};
    f.return_type = array;
    f.kernel = [element, integral, difference](Args a, size_t rows, Column& out) {
        ArrayBuilder b(element);
        for (size_t i = 0; i < rows; ++i) {
            if (a[0]->IsNull(i)) {
                out.SetNull(i, true);
                continue;
            }
            ArrayReader r(a[0]->Strings()[i].view(), element);
            int64_t isum = 0;
            double dsum = 0;
            bool previous_null = false;
            for (size_t k = 0; k < r.size(); ++k) {
                if (r.IsNull(k)) {
                    b.AppendNull();
                    previous_null = true;
                    continue;
                }
                Value v = r.Get(k);
                if (difference) {
                    // Each element minus the one before it; the first is 0, and a NULL neighbour gives NULL.
                    if (k > 0 && previous_null) {
                        b.AppendNull();
                    } else if (integral) {
                        int64_t x = v.GetInt();
                        b.Append(Value::Integer(k == 0 ? 0 : x - isum));
                    } else {
                        double x = v.GetDouble();
                        b.Append(Value::Double(k == 0 ? 0 : x - dsum));
                    }
                    isum = integral ? v.GetInt() : 0;
                    dsum = integral ? 0 : v.GetDouble();
                } else if (integral) {
                    isum += v.GetInt();
                    b.Append(Value::Integer(isum));
                } else {
                    dsum += v.GetDouble();
                    b.Append(Value::Double(dsum));
                }
                previous_null = false;
            }
            out.SetNull(i, false);
            out.SetString(i, b.Finish());
        }
    };
    return f;
}

BoundScalarFunction BindFlatten(const std::vector<LogicalType>& types) {
    if (types.size() != 1) throw BinderError("array_flatten() takes one argument", ErrorCode::WRONG_ARGUMENTS);
    const LogicalType& t = types[0];
    if (t.id != TypeId::ARRAY || t.Element().id != TypeId::ARRAY)
        throw BinderError("array_flatten() needs an ARRAY of ARRAYs, not " + t.ToString(), ErrorCode::TYPE_MISMATCH);
    LogicalType inner = t.Element();
    LogicalType element = inner.Element();
    BoundScalarFunction f;
    f.name = "array_flatten";
    f.arg_types = {t};
    f.return_type = inner;
    f.kernel = [inner, element](Args a, size_t rows, Column& out) {
        ArrayBuilder b(element);
        for (size_t i = 0; i < rows; ++i) {
            if (a[0]->IsNull(i)) {
                out.SetNull(i, true);
                continue;
            }
            ArrayReader outer(a[0]->Strings()[i].view(), inner);
            for (size_t k = 0; k < outer.size(); ++k) {
                if (outer.IsNull(k)) continue;  // a NULL inner array adds nothing
                ArrayReader r(outer.GetBytes(k), element);
                for (size_t j = 0; j < r.size(); ++j) b.AppendFrom(r, j);
            }
            out.SetNull(i, false);
            out.SetString(i, b.Finish());
        }
    };
    return f;
}

// array_top_n(arr, n): the n largest elements, largest first (NULL elements count as smallest).
BoundScalarFunction BindTopN(const std::vector<LogicalType>& types) {
    if (types.size() != 2) throw BinderError("array_top_n() takes an array and a count", ErrorCode::WRONG_ARGUMENTS);
    if (types[0].id != TypeId::ARRAY && types[0].id != TypeId::NULL_TYPE)
        throw BinderError("array_top_n() needs an ARRAY argument, not " + types[0].ToString(),
                          ErrorCode::TYPE_MISMATCH);
    LogicalType t = types[0].id == TypeId::ARRAY ? types[0] : LogicalType::Array(TypeId::BIGINT);
    LogicalType element = t.Element();
    BoundScalarFunction f;
    f.name = "array_top_n";
    f.arg_types = {t, TypeId::BIGINT};
    f.return_type = t;
    f.kernel = [element](Args a, size_t rows, Column& out) {
        ArrayBuilder b(element);
        for (size_t i = 0; i < rows; ++i) {
            if (AnyNull(a, i)) {
                out.SetNull(i, true);
                continue;
            }
            ArrayReader r(a[0]->Strings()[i].view(), element);
            int64_t n = a[1]->Data<int64_t>()[i];
            // The elements as a one-column Column, so that comparisons are the column's.
            Column values(element, r.size());
            for (size_t k = 0; k < r.size(); ++k) values.Append(r.Get(k));
            std::vector<uint32_t> order(r.size());
            for (uint32_t k = 0; k < order.size(); ++k) order[k] = k;
            std::stable_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
                bool xn = r.IsNull(x), yn = r.IsNull(y);
                if (xn || yn) return !xn && yn;  // NULLs last
                return values.CompareRows(x, values, y) > 0;
            });
            size_t keep = n <= 0 ? 0 : std::min(order.size(), static_cast<size_t>(n));
            for (size_t k = 0; k < keep; ++k) b.AppendFrom(r, order[k]);
            out.SetNull(i, false);
            out.SetString(i, b.Finish());
        }
    };
    return f;
}

}  // namespace

void RegisterArraySeriesFunctions(FunctionRegistry& r) {
    r.AddScalar("array_generate", BindGenerate);
    r.AddScalar("array_repeat", BindRepeat);
    r.AddScalar("array_cum_sum", [](const std::vector<LogicalType>& t) { return BindRunning("array_cum_sum", t); });
    r.AddScalar("array_difference",
                [](const std::vector<LogicalType>& t) { return BindRunning("array_difference", t); });
    r.AddScalar("array_flatten", BindFlatten);
    r.AddScalar("array_top_n", BindTopN);
}

}  // namespace floe
