// Comparison operators (= != < <= > >= <=>) and IS [NOT] NULL. Both sides are cast to their
// common super type (types/logical_type.h); strings compare byte-wise like StarRocks.
#include "common/exception.h"
#include "function/function_registry.h"
#include "function/vector_executor.h"

namespace floe {

namespace {

enum class CompareOp { EQ, NE, LT, LE, GT, GE };

template <typename T>
bool Compare(CompareOp op, const T& x, const T& y) {
    switch (op) {
        case CompareOp::EQ:
            return x == y;
        case CompareOp::NE:
            return x != y;
        case CompareOp::LT:
            return x < y;
        case CompareOp::LE:
            return x <= y;
        case CompareOp::GT:
            return x > y;
        case CompareOp::GE:
            return x >= y;
    }
    return false;
}

LogicalType CompareType(const std::vector<LogicalType>& types, const std::string& name) {
    if (types.size() != 2) throw BinderError(name + " takes two arguments", ErrorCode::WRONG_ARGUMENTS);
    LogicalType t = CommonSuperType(types[0], types[1]);
    if (t.id == TypeId::NULL_TYPE) t = TypeId::BOOLEAN;
    return t;
}

ScalarFunctionBinder MakeComparison(std::string name, CompareOp op) {
    return [name, op](const std::vector<LogicalType>& types) {
        LogicalType t = CompareType(types, name);
        BoundScalarFunction f;
        f.name = name;
        f.arg_types = {t, t};
        f.return_type = TypeId::BOOLEAN;
        f.kernel = [op, t](const std::vector<const Column*>& a, size_t rows, Column& out) {
            DispatchPhysicalType(t.id, [&](auto tag) {
                using T = decltype(tag);
                BinaryExecute<T, T, bool>(*a[0], *a[1], rows, out,
                                          [op](const T& x, const T& y) { return Compare(op, x, y); });
            });
        };
        return f;
    };
}

BoundScalarFunction BindNullSafeEqual(const std::vector<LogicalType>& types) {
    LogicalType t = CompareType(types, "null_safe_equal");
    BoundScalarFunction f;
    f.arg_types = {t, t};
    f.return_type = TypeId::BOOLEAN;
    f.kernel = [t](const std::vector<const Column*>& a, size_t rows, Column& out) {
        DispatchPhysicalType(t.id, [&](auto tag) {
            using T = decltype(tag);
            for (size_t i = 0; i < rows; ++i) {
                bool an = a[0]->IsNull(i), bn = a[1]->IsNull(i);
                bool eq = (an && bn) || (!an && !bn && ReadValue<T>(*a[0], i) == ReadValue<T>(*a[1], i));
                out.SetNull(i, false);
                WriteValue<bool>(out, i, eq);
            }
        });
    };
    return f;
}

ScalarFunctionBinder MakeIsNull(bool negated) {
    return [negated](const std::vector<LogicalType>& types) {
        if (types.size() != 1) throw BinderError("IS NULL takes one argument", ErrorCode::WRONG_ARGUMENTS);
        BoundScalarFunction f;
        f.arg_types = {types[0]};
        f.return_type = TypeId::BOOLEAN;
        f.kernel = [negated](const std::vector<const Column*>& a, size_t rows, Column& out) {
            for (size_t i = 0; i < rows; ++i) {
                out.SetNull(i, false);
                WriteValue<bool>(out, i, a[0]->IsNull(i) != negated);
            }
        };
        return f;
    };
}

}  // namespace

void RegisterComparisonFunctions(FunctionRegistry& registry) {
    registry.AddScalar("equal", MakeComparison("equal", CompareOp::EQ));
    registry.AddScalar("not_equal", MakeComparison("not_equal", CompareOp::NE));
    registry.AddScalar("less", MakeComparison("less", CompareOp::LT));
    registry.AddScalar("less_equal", MakeComparison("less_equal", CompareOp::LE));
    registry.AddScalar("greater", MakeComparison("greater", CompareOp::GT));
    registry.AddScalar("greater_equal", MakeComparison("greater_equal", CompareOp::GE));
    registry.AddScalar("null_safe_equal", BindNullSafeEqual);
    registry.AddScalar("is_null", MakeIsNull(false));
    registry.AddScalar("is_not_null", MakeIsNull(true));
}

}  // namespace floe
