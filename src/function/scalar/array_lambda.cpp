// The kernels behind the array functions that take a lambda: array_map, array_filter, all_match,
// any_match, none_match and array_sortby with a lambda (registered as __lambda_<name>; the binder
// binds the lambda's body and the executor evaluates it over every element). A kernel's arguments
// are the arrays, then the body's results for all elements of the rows whose arrays are all
// non-NULL, row after row; such a row takes as many results as its first array has elements.
// all_match, any_match and none_match also take an ARRAY<BOOLEAN> without a lambda, and
// array_filter an array and an ARRAY<BOOLEAN> of the same length.
#include <algorithm>
#include <numeric>

#include "common/exception.h"
#include "function/function_registry.h"
#include "function/simple_function.h"
#include "function/vector_executor.h"
#include "types/array.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;

/// Runs `fn(row, reader of the first array, offset of its results)` for every row whose arrays are
/// all non-NULL; NULL rows get NULL.
template <typename Fn>
void ForEachLambdaRow(Args a, size_t rows, Column& out, Fn fn) {
    size_t arrays = a.size() - 1, offset = 0;
    LogicalType element = a[0]->type().Element();
    for (size_t i = 0; i < rows; ++i) {
        bool null_row = false;
        for (size_t k = 0; k < arrays; ++k) null_row = null_row || a[k]->IsNull(i);
        out.SetNull(i, null_row);
        if (null_row) continue;
        ArrayReader r(a[0]->Strings()[i].view(), element);
        fn(i, r, offset);
        offset += r.size();
    }
}

/// The three-valued match over the booleans [from, from + n) of `flags`: any_match is true when
/// one is true, all_match false when one is false, none_match false when one is true; otherwise
/// NULL when one is NULL.
enum class Match { ANY, ALL, NONE };
void WriteMatch(Match m, const Column& flags, size_t from, size_t n, Column& out, size_t i) {
    bool any_true = false, any_false = false, any_null = false;
    for (size_t e = from; e < from + n; ++e) {
        if (flags.IsNull(e)) {
            any_null = true;
        } else if (flags.Data<uint8_t>()[e]) {
            any_true = true;
        } else {
            any_false = true;
        }
    }
    bool decided = m == Match::ALL ? any_false : any_true;
    if (!decided && any_null) {
        out.SetNull(i, true);
        return;
    }
    out.SetNull(i, false);
    bool v = m == Match::ANY ? any_true : m == Match::ALL ? !any_false : !any_true;
    out.Data<uint8_t>()[i] = v ? 1 : 0;
}

/// Checks the shape of a __lambda_ call: arrays, then the body's type.
void CheckLambdaTypes(const std::string& name, const std::vector<LogicalType>& types) {
    if (types.size() < 2) throw BinderError(name + "() needs a lambda and an array", ErrorCode::WRONG_ARGUMENTS);
    for (size_t k = 0; k + 1 < types.size(); ++k) {
        if (types[k].id != TypeId::ARRAY) {
            throw BinderError(name + "() needs ARRAY arguments, not " + types[k].ToString(), ErrorCode::TYPE_MISMATCH);
        }
    }
}

ScalarFunctionBinder MatchBinder(std::string name, Match m) {
    return [name, m](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        CheckLambdaTypes(name, types);
        BoundScalarFunction f;
        f.name = name;
        f.arg_types = types;
        f.arg_types.back() = TypeId::BOOLEAN;
        f.return_type = TypeId::BOOLEAN;
        f.kernel = [m](Args a, size_t rows, Column& out) {
            ForEachLambdaRow(a, rows, out, [&](size_t i, const ArrayReader& r, size_t offset) {
                WriteMatch(m, *a.back(), offset, r.size(), out, i);
            });
        };
        return f;
    };
}

/// all_match(bools) without a lambda.
ScalarFunctionBinder PlainMatchBinder(std::string name, Match m) {
    return [name, m](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (types.size() != 1) throw BinderError(name + "() takes one array or a lambda and arrays");
        BoundScalarFunction f;
        f.name = name;
        f.arg_types = {LogicalType::Array(TypeId::BOOLEAN)};
        f.return_type = TypeId::BOOLEAN;
        f.kernel = [m](Args a, size_t rows, Column& out) {
            Column flags(TypeId::BOOLEAN, 0);
            for (size_t i = 0; i < rows; ++i) {
                if (a[0]->IsNull(i)) {
                    out.SetNull(i, true);
                    continue;
                }
                ArrayReader r(a[0]->Strings()[i].view(), TypeId::BOOLEAN);
                flags = Column(TypeId::BOOLEAN, r.size());
                for (size_t e = 0; e < r.size(); ++e) flags.Append(r.Get(e));
                WriteMatch(m, flags, 0, r.size(), out, i);
            }
        };
        return f;
    };
}

}  // namespace

void RegisterArrayLambdaFunctions(FunctionRegistry& r) {
    r.AddScalar("__lambda_array_map", [](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        CheckLambdaTypes("array_map", types);
        BoundScalarFunction f;
        f.name = "array_map";
        f.arg_types = types;
        LogicalType element = types.back().id == TypeId::NULL_TYPE ? LogicalType(TypeId::BIGINT) : types.back();
        if (element.id == TypeId::BITMAP || element.id == TypeId::HLL) {
            throw BinderError("array_map(): an ARRAY cannot hold " + element.ToString(), ErrorCode::TYPE_MISMATCH);
        }
        f.arg_types.back() = element;
        f.return_type = LogicalType::Array(element);
        f.kernel = [element](Args a, size_t rows, Column& out) {
            ArrayBuilder b(element);
            ForEachLambdaRow(a, rows, out, [&](size_t i, const ArrayReader& r, size_t offset) {
                for (size_t e = 0; e < r.size(); ++e) b.Append(a.back()->GetValue(offset + e));
                out.SetString(i, b.Finish());
            });
        };
        return f;
    });
    r.AddScalar("__lambda_array_filter", [](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        CheckLambdaTypes("array_filter", types);
        BoundScalarFunction f;
        f.name = "array_filter";
        f.arg_types = types;
        f.arg_types.back() = TypeId::BOOLEAN;
        f.return_type = types[0];
        LogicalType element = types[0].Element();
        f.kernel = [element](Args a, size_t rows, Column& out) {
            ArrayBuilder b(element);
            ForEachLambdaRow(a, rows, out, [&](size_t i, const ArrayReader& r, size_t offset) {
                const Column& keep = *a.back();
                for (size_t e = 0; e < r.size(); ++e) {
                    if (!keep.IsNull(offset + e) && keep.Data<uint8_t>()[offset + e]) b.AppendFrom(r, e);
                }
                out.SetString(i, b.Finish());
            });
        };
        return f;
    });
    r.AddScalar("__lambda_array_sortby", [](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        CheckLambdaTypes("array_sortby", types);
        BoundScalarFunction f;
        f.name = "array_sortby";
        f.arg_types = types;
        if (types.back().id == TypeId::NULL_TYPE) f.arg_types.back() = TypeId::BIGINT;
        f.return_type = types[0];
        LogicalType element = types[0].Element();
        f.kernel = [element](Args a, size_t rows, Column& out) {
            ArrayBuilder b(element);
            ForEachLambdaRow(a, rows, out, [&](size_t i, const ArrayReader& r, size_t offset) {
                const Column& keys = *a.back();
                std::vector<uint32_t> order(r.size());
                std::iota(order.begin(), order.end(), 0);
                std::stable_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
                    bool xn = keys.IsNull(offset + x), yn = keys.IsNull(offset + y);
                    if (xn || yn) return xn && !yn;  // NULL keys first
                    return keys.CompareRows(offset + x, keys, offset + y) < 0;
                });
                for (uint32_t e : order) b.AppendFrom(r, e);
                out.SetString(i, b.Finish());
            });
        };
        return f;
    });
    // array_map is only called with a lambda (the binder goes to __lambda_array_map); this entry
    // names it in SHOW FUNCTIONS and explains a call without one.
    r.AddScalar("array_map", [](const std::vector<LogicalType>&) -> BoundScalarFunction {
        throw BinderError("array_map() takes a lambda and arrays: array_map(x -> x + 1, arr)",
                          ErrorCode::WRONG_ARGUMENTS);
    });
    r.AddScalar("__lambda_all_match", MatchBinder("all_match", Match::ALL));
    r.AddScalar("__lambda_any_match", MatchBinder("any_match", Match::ANY));
    r.AddScalar("__lambda_none_match", MatchBinder("none_match", Match::NONE));
    r.AddScalar("all_match", PlainMatchBinder("all_match", Match::ALL));
    r.AddScalar("any_match", PlainMatchBinder("any_match", Match::ANY));
    r.AddScalar("none_match", PlainMatchBinder("none_match", Match::NONE));
    // array_filter(arr, bools): the elements whose flag is true.
    r.AddScalar("array_filter", [](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (types.size() != 2 || types[0].id != TypeId::ARRAY) {
            throw BinderError("array_filter() takes a lambda and an array, or an array and an ARRAY<BOOLEAN>",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        BoundScalarFunction f;
        f.name = "array_filter";
        f.arg_types = {types[0], LogicalType::Array(TypeId::BOOLEAN)};
        f.return_type = types[0];
        LogicalType element = types[0].Element();
        f.kernel = [element](Args a, size_t rows, Column& out) {
            ArrayBuilder b(element);
            for (size_t i = 0; i < rows; ++i) {
                bool n = a[0]->IsNull(i);
                out.SetNull(i, n);
                if (n) continue;
                ArrayReader values(a[0]->Strings()[i].view(), element);
                if (a[1]->IsNull(i)) {  // no flags: nothing kept
                    out.SetString(i, b.Finish());
                    continue;
                }
                ArrayReader flags(a[1]->Strings()[i].view(), TypeId::BOOLEAN);
                if (flags.size() != values.size()) {
                    throw ExecutionError("array_filter(): the arrays must have the same length, not " +
                                             std::to_string(values.size()) + " and " + std::to_string(flags.size()),
                                         ErrorCode::WRONG_ARGUMENTS);
                }
                for (size_t e = 0; e < values.size(); ++e) {
                    if (!flags.IsNull(e) && flags.Get(e).GetBool()) b.AppendFrom(values, e);
                }
                out.SetString(i, b.Finish());
            }
        };
        return f;
    });
}

}  // namespace floe
