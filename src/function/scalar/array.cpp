// ARRAY functions (StarRocks names; DuckDB's where they differ as aliases): the constructor
// array(...) behind [a, b] literals, element_at behind arr[i] (1-based; negative counts from the
// end; out of range is NULL), array_length/cardinality, array_contains, array_position,
// array_join, array_append, array_concat, array_slice, array_distinct, array_sort, array_sum,
// array_min, array_max, array_avg, array_sortby (array_sortby_multi). Arrays are blobs (types/array.h);
// NULL arrays give NULL.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/exception.h"
#include "function/cast.h"
#include "function/function_registry.h"
#include "function/vector_executor.h"
#include "types/array.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;

LogicalType RequireArray(const std::string& name, const LogicalType& t) {
    if (t.id == TypeId::NULL_TYPE) return LogicalType::Array(TypeId::BIGINT);
    if (t.id != TypeId::ARRAY) {
        throw BinderError(name + "() needs an ARRAY argument, not " + t.ToString(), ErrorCode::TYPE_MISMATCH);
    }
    return t;
}

void CheckCount(const std::string& name, const std::vector<LogicalType>& types, size_t min, size_t max) {
    if (types.size() < min || types.size() > max) {
        throw BinderError(
            "wrong number of arguments (" + std::to_string(types.size()) + ") for function '" + name + "'",
            ErrorCode::WRONG_ARGUMENTS);
    }
}

/// The start of binding a function of an array: arity checked, the array's type (the first
/// argument's) in `array`, the name set.
BoundScalarFunction ArrayFunction(const std::string& name, const std::vector<LogicalType>& types, size_t min,
                                  size_t max, LogicalType& array) {
    CheckCount(name, types, min, max);
    array = RequireArray(name, types[0]);
    BoundScalarFunction f;
    f.name = name;
    return f;
}

/// Whether any argument is NULL at row i (then the result is NULL).
bool AnyNull(Args a, size_t i) {
    for (const Column* c : a) {
        if (c->IsNull(i)) return true;
    }
    return false;
}

/// The element of `r` at i equals `v` (a value of the element type, not NULL).
bool ElementEquals(const ArrayReader& r, size_t i, const Value& v) {
    if (r.IsNull(i)) return false;
    return r.Get(i) == v;
}

void SetArray(Column& out, size_t i, const std::string& blob) {
    out.SetNull(i, false);
    out.SetString(i, blob);
}

// array(e1, e2, ...): the elements cast to their common type.
BoundScalarFunction BindArray(const std::vector<LogicalType>& types) {
    LogicalType element = TypeId::NULL_TYPE;
    for (const auto& t : types) element = CommonSuperType(element, t);
    if (element.id == TypeId::NULL_TYPE) element = TypeId::BIGINT;
    if (element.id == TypeId::BITMAP || element.id == TypeId::HLL) {
        throw BinderError("an ARRAY cannot hold " + element.ToString(), ErrorCode::TYPE_MISMATCH);
    }
    BoundScalarFunction f;
    f.name = "array";
    f.arg_types.assign(types.size(), element);
    f.return_type = LogicalType::Array(element);
    f.kernel = [element](Args a, size_t rows, Column& out) {
        ArrayBuilder b(element);
        for (size_t i = 0; i < rows; ++i) {
            for (const Column* c : a) b.Append(c->GetValue(i));
            SetArray(out, i, b.Finish());
        }
    };
    return f;
}

// A function of one array (and maybe more arguments) whose result is computed row by row.
template <typename Fn>
ScalarKernel PerRow(LogicalType element, Fn fn) {
    return [element, fn](Args a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            if (AnyNull(a, i)) {
                out.SetNull(i, true);
                continue;
            }
            ArrayReader r(a[0]->Strings()[i].view(), element);
            fn(r, a, i, out);
        }
    };
}

BoundScalarFunction BindLength(const std::vector<LogicalType>& types) {
    LogicalType t;
    BoundScalarFunction f = ArrayFunction("array_length", types, 1, 1, t);
    f.arg_types = {t};
    f.return_type = TypeId::BIGINT;
    f.kernel = PerRow(t.Element(), [](const ArrayReader& r, Args, size_t i, Column& out) {
        out.SetNull(i, false);
        out.Data<int64_t>()[i] = static_cast<int64_t>(r.size());
    });
    return f;
}

BoundScalarFunction BindElementAt(const std::vector<LogicalType>& types) {
    LogicalType t;
    BoundScalarFunction f = ArrayFunction("element_at", types, 2, 2, t);
    LogicalType element = t.Element();
    f.arg_types = {t, TypeId::BIGINT};
    f.return_type = element;
    f.kernel = PerRow(element, [](const ArrayReader& r, Args a, size_t i, Column& out) {
        int64_t k = a[1]->Data<int64_t>()[i];
        auto n = static_cast<int64_t>(r.size());
        int64_t index = k > 0 ? k - 1 : (k < -n ? -1 : n + k);  // 1-based; -1 is the last
        if (k == 0 || index < 0 || index >= n || r.IsNull(static_cast<size_t>(index))) {
            out.SetNull(i, true);
            return;
        }
        out.SetNull(i, false);
        out.SetValue(i, r.Get(static_cast<size_t>(index)));
    });
    return f;
}

// array_contains(arr, x) / array_position(arr, x): x cast to the element type.
BoundScalarFunction BindFind(const std::vector<LogicalType>& types, bool position) {
    std::string name = position ? "array_position" : "array_contains";
    LogicalType t;
    BoundScalarFunction f = ArrayFunction(name, types, 2, 2, t);
    LogicalType element = t.Element();
    f.arg_types = {t, element};
    f.return_type = position ? TypeId::BIGINT : TypeId::BOOLEAN;
    f.kernel = [element, position](Args a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            if (a[0]->IsNull(i)) {
                out.SetNull(i, true);
                continue;
            }
            ArrayReader r(a[0]->Strings()[i].view(), element);
            Value v = a[1]->GetValue(i);
            int64_t found = 0;
            for (size_t k = 0; k < r.size() && !found; ++k) {
                if (v.is_null() ? r.IsNull(k) : ElementEquals(r, k, v)) found = static_cast<int64_t>(k) + 1;
            }
            out.SetNull(i, false);
            if (position) {
                out.Data<int64_t>()[i] = found;
            } else {
                out.Data<uint8_t>()[i] = found ? 1 : 0;
            }
        }
    };
    return f;
}

// array_join(arr, sep[, null_text]): the elements as text joined by sep; NULLs skipped unless
// null_text is given.
BoundScalarFunction BindJoin(const std::vector<LogicalType>& types) {
    LogicalType t;
    BoundScalarFunction f = ArrayFunction("array_join", types, 2, 3, t);
    LogicalType element = t.Element();
    f.arg_types = {t, LogicalType::Varchar()};
    if (types.size() == 3) f.arg_types.push_back(LogicalType::Varchar());
    f.return_type = LogicalType::Varchar();
    f.kernel = PerRow(element, [](const ArrayReader& r, Args a, size_t i, Column& out) {
        std::string_view sep = a[1]->Strings()[i].view();
        bool replace = a.size() > 2;
        std::string s;
        bool first = true;
        for (size_t k = 0; k < r.size(); ++k) {
            if (r.IsNull(k) && !replace) continue;
            if (!first) s += sep;
            first = false;
            s += r.IsNull(k) ? std::string(a[2]->Strings()[i].view()) : r.Get(k).ToString();
        }
        out.SetNull(i, false);
        out.SetString(i, s);
    });
    return f;
}

// array_append(arr, x); array_concat(a, b, ...).
BoundScalarFunction BindAppend(const std::vector<LogicalType>& types) {
    LogicalType t;
    BoundScalarFunction f = ArrayFunction("array_append", types, 2, 2, t);
    LogicalType element = CommonSuperType(t.Element(), types[1]);
    LogicalType result = LogicalType::Array(element);
    f.arg_types = {result, element};
    f.return_type = result;
    f.kernel = [element](Args a, size_t rows, Column& out) {
        ArrayBuilder b(element);
        for (size_t i = 0; i < rows; ++i) {
            if (a[0]->IsNull(i)) {
                out.SetNull(i, true);
                continue;
            }
            ArrayReader r(a[0]->Strings()[i].view(), element);
            for (size_t k = 0; k < r.size(); ++k) b.AppendFrom(r, k);
            b.Append(a[1]->GetValue(i));
            SetArray(out, i, b.Finish());
        }
    };
    return f;
}

BoundScalarFunction BindConcat(const std::vector<LogicalType>& types) {
    if (types.empty()) CheckCount("array_concat", types, 1, 1);
    LogicalType t = TypeId::NULL_TYPE;
    for (const auto& x : types) t = CommonSuperType(t, RequireArray("array_concat", x));
    LogicalType element = t.Element();
    BoundScalarFunction f;
    f.name = "array_concat";
    f.arg_types.assign(types.size(), t);
    f.return_type = t;
    f.kernel = [element](Args a, size_t rows, Column& out) {
        ArrayBuilder b(element);
        for (size_t i = 0; i < rows; ++i) {
            if (AnyNull(a, i)) {
                out.SetNull(i, true);
                continue;
            }
            for (const Column* c : a) {
                ArrayReader r(c->Strings()[i].view(), element);
                for (size_t k = 0; k < r.size(); ++k) b.AppendFrom(r, k);
            }
            SetArray(out, i, b.Finish());
        }
    };
    return f;
}

// array_slice(arr, offset[, length]): offset 1-based (negative from the end).
BoundScalarFunction BindSlice(const std::vector<LogicalType>& types) {
    LogicalType t;
    BoundScalarFunction f = ArrayFunction("array_slice", types, 2, 3, t);
    LogicalType element = t.Element();
    f.arg_types = {t, TypeId::BIGINT};
    if (types.size() == 3) f.arg_types.push_back(TypeId::BIGINT);
    f.return_type = t;
    f.kernel = PerRow(element, [element](const ArrayReader& r, Args a, size_t i, Column& out) {
        auto n = static_cast<int64_t>(r.size());
        int64_t offset = a[1]->Data<int64_t>()[i];
        // Offsets and lengths near the int64 limits must not overflow: clamp before adding.
        int64_t start =
            offset > 0 ? std::min(offset - 1, n) : (offset < 0 ? std::max<int64_t>(0, n + std::max(offset, -n)) : 0);
        int64_t end = n;
        if (a.size() > 2) end = start + std::min(std::max<int64_t>(0, a[2]->Data<int64_t>()[i]), n - start);
        ArrayBuilder b(element);
        for (int64_t k = start; k < end; ++k) b.AppendFrom(r, static_cast<size_t>(k));
        SetArray(out, i, b.Finish());
    });
    return f;
}

// array_distinct (first occurrences, in order) and array_sort (ascending, NULLs first).
BoundScalarFunction BindReorder(const std::vector<LogicalType>& types, bool sort) {
    std::string name = sort ? "array_sort" : "array_distinct";
    LogicalType t;
    BoundScalarFunction f = ArrayFunction(name, types, 1, 1, t);
    LogicalType element = t.Element();
    f.arg_types = {t};
    f.return_type = t;
    f.kernel = PerRow(element, [element, sort](const ArrayReader& r, Args, size_t i, Column& out) {
        // The elements as a one-column Column, so that comparisons are the column's.
        Column values(element, r.size());
        for (size_t k = 0; k < r.size(); ++k) values.Append(r.Get(k));
        std::vector<uint32_t> order(r.size());
        std::iota(order.begin(), order.end(), 0);
        if (sort) {
            std::stable_sort(order.begin(), order.end(),
                             [&](uint32_t x, uint32_t y) { return values.CompareRows(x, values, y) < 0; });
        }
        ArrayBuilder b(element);
        std::vector<uint32_t> kept;
        for (uint32_t k : order) {
            if (!sort) {
                bool seen = false;
                for (uint32_t j : kept) seen |= values.CompareRows(j, values, k) == 0;
                if (seen) continue;
                kept.push_back(k);
            }
            b.AppendFrom(r, k);
        }
        SetArray(out, i, b.Finish());
    });
    return f;
}

// array_sum / array_avg (DOUBLE, or BIGINT sums of integers) and array_min / array_max (the
// element type); NULL elements are skipped, no element gives NULL.
BoundScalarFunction BindFold(const std::vector<LogicalType>& types, const std::string& name) {
    LogicalType t;
    BoundScalarFunction f = ArrayFunction(name, types, 1, 1, t);
    LogicalType element = t.Element();
    bool extremum = name == "array_min" || name == "array_max";
    if (!extremum && !element.IsNumeric()) {
        throw BinderError(name + "() needs an ARRAY of numbers, not " + t.ToString(), ErrorCode::TYPE_MISMATCH);
    }
    f.arg_types = {t};
    bool integer_sum = name == "array_sum" && (element.IsInteger() || element.id == TypeId::BOOLEAN);
    f.return_type = extremum ? element : (integer_sum ? LogicalType(TypeId::BIGINT) : LogicalType(TypeId::DOUBLE));
    f.kernel = PerRow(element, [element, name, integer_sum](const ArrayReader& r, Args, size_t i, Column& out) {
        Column values(element, r.size());
        size_t present = 0;
        for (size_t k = 0; k < r.size(); ++k) {
            if (r.IsNull(k)) continue;
            values.Append(r.Get(k));
            ++present;
        }
        if (present == 0) {
            out.SetNull(i, true);
            return;
        }
        out.SetNull(i, false);
        if (name == "array_min" || name == "array_max") {
            size_t best = 0;
            for (size_t k = 1; k < present; ++k) {
                int c = values.CompareRows(k, values, best);
                if (name == "array_min" ? c < 0 : c > 0) best = k;
            }
            out.SetValue(i, values.GetValue(best));
            return;
        }
        if (integer_sum) {
            int64_t s = 0;
            for (size_t k = 0; k < present; ++k) s += CastValue(values.GetValue(k), TypeId::BIGINT).GetInt();
            out.Data<int64_t>()[i] = s;
            return;
        }
        double s = 0;
        for (size_t k = 0; k < present; ++k) s += CastValue(values.GetValue(k), TypeId::DOUBLE).GetDouble();
        out.Data<double>()[i] = name == "array_avg" ? s / static_cast<double>(present) : s;
    });
    return f;
}

// array_sortby(a, k1[, k2 ...]): a's elements in the ascending order of the key arrays' elements
// at the same positions (k1 first, then k2 on ties; NULL keys first; stable). A NULL key array is
// left out; key arrays of another length than a are an error; a NULL a gives NULL.
BoundScalarFunction BindSortBy(const std::vector<LogicalType>& types, const std::string& name) {
    if (types.size() < 2) {
        throw BinderError(name + "() takes an array and one or more arrays of sort keys", ErrorCode::WRONG_ARGUMENTS);
    }
    BoundScalarFunction f;
    f.name = name;
    for (const auto& t : types) f.arg_types.push_back(RequireArray(name, t));
    f.return_type = f.arg_types[0];
    std::vector<LogicalType> elements;
    for (const auto& t : f.arg_types) elements.push_back(t.Element());
    f.kernel = [elements, name](Args a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            if (a[0]->IsNull(i)) {
                out.SetNull(i, true);
                continue;
            }
            ArrayReader r(a[0]->Strings()[i].view(), elements[0]);
            std::vector<Column> keys;
            for (size_t k = 1; k < a.size(); ++k) {
                if (a[k]->IsNull(i)) continue;
                ArrayReader key(a[k]->Strings()[i].view(), elements[k]);
                if (key.size() != r.size()) {
                    throw ExecutionError(name + "(): the key arrays must have as many elements as the array (" +
                                             std::to_string(key.size()) + " and " + std::to_string(r.size()) + ")",
                                         ErrorCode::WRONG_ARGUMENTS);
                }
                keys.emplace_back(elements[k], key.size());
                for (size_t e = 0; e < key.size(); ++e) keys.back().Append(key.Get(e));
            }
            std::vector<uint32_t> order(r.size());
            std::iota(order.begin(), order.end(), 0);
            std::stable_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
                for (const Column& key : keys) {
                    bool xn = key.IsNull(x), yn = key.IsNull(y);
                    if (xn || yn) {
                        if (xn == yn) continue;
                        return xn;
                    }
                    int c = key.CompareRows(x, key, y);
                    if (c != 0) return c < 0;
                }
                return false;
            });
            ArrayBuilder b(elements[0]);
            for (uint32_t k : order) b.AppendFrom(r, k);
            SetArray(out, i, b.Finish());
        }
    };
    return f;
}

}  // namespace

void RegisterArrayFunctions(FunctionRegistry& r) {
    r.AddScalar("array", BindArray);
    r.AddAlias("array_value", "array");  // DuckDB's name of the constructor
    r.AddScalar("array_length", BindLength);
    r.AddAlias("cardinality", "array_length");
    r.AddScalar("element_at", BindElementAt);
    r.AddAlias("array_extract", "element_at");
    r.AddScalar("array_contains", [](const std::vector<LogicalType>& t) { return BindFind(t, false); });
    r.AddAlias("list_contains", "array_contains");
    r.AddScalar("array_position", [](const std::vector<LogicalType>& t) { return BindFind(t, true); });
    r.AddScalar("unnest", [](const std::vector<LogicalType>&) -> BoundScalarFunction {
        throw BinderError("unnest() is a table function: write FROM t, unnest(t.arr) AS u(x)",
                          ErrorCode::WRONG_ARGUMENTS);
    });
    r.AddScalar("array_join", BindJoin);
    r.AddAlias("array_to_string", "array_join");
    r.AddScalar("array_append", BindAppend);
    r.AddScalar("array_concat", BindConcat);
    r.AddAlias("array_cat", "array_concat");
    r.AddScalar("array_slice", BindSlice);
    r.AddScalar("array_distinct", [](const std::vector<LogicalType>& t) { return BindReorder(t, false); });
    r.AddScalar("array_sort", [](const std::vector<LogicalType>& t) { return BindReorder(t, true); });
    for (const char* name : {"array_sortby", "array_sortby_multi"}) {
        std::string n = name;
        r.AddScalar(n, [n](const std::vector<LogicalType>& t) { return BindSortBy(t, n); });
    }
    for (const char* name : {"array_sum", "array_avg", "array_min", "array_max"}) {
        std::string n = name;
        r.AddScalar(n, [n](const std::vector<LogicalType>& t) { return BindFold(t, n); });
    }
}

}  // namespace floe
