// Conditional functions: if, ifs, ifnull/nvl, nullif, coalesce. CASE is bound as nested if().
// Branches are cast to their common super type.
#include "common/exception.h"
#include "function/function_registry.h"
#include "function/vector_executor.h"

namespace floe {

namespace {

LogicalType Common(const std::vector<LogicalType>& types, size_t from) {
    LogicalType t = TypeId::NULL_TYPE;
    for (size_t i = from; i < types.size(); ++i) t = CommonSuperType(t, types[i]);
    return t;
}

// Copies row i of `src` into row i of `dst` (same type).
void CopyRow(const Column& src, size_t i, Column& dst) {
    if (src.IsNull(i)) {
        dst.SetNull(i, true);
        return;
    }
    dst.SetNull(i, false);
    DispatchPhysicalType(dst.type().id, [&](auto tag) {
        using T = decltype(tag);
        WriteValue<T>(dst, i, ReadValue<T>(src, i));
    });
}

BoundScalarFunction BindIf(const std::vector<LogicalType>& types) {
    if (types.size() != 3) throw BinderError("if() takes three arguments", ErrorCode::WRONG_ARGUMENTS);
    LogicalType t = Common(types, 1);
    BoundScalarFunction f;
    f.arg_types = {TypeId::BOOLEAN, t, t};
    f.return_type = t;
    f.kernel = [](const std::vector<const Column*>& a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            bool cond = !a[0]->IsNull(i) && a[0]->Data<uint8_t>()[i] != 0;
            if (out.type().id == TypeId::NULL_TYPE) {
                out.SetNull(i, true);
                continue;
            }
            CopyRow(cond ? *a[1] : *a[2], i, out);
        }
    };
    return f;
}

BoundScalarFunction BindCoalesce(const std::vector<LogicalType>& types) {
    if (types.empty()) throw BinderError("coalesce() needs at least one argument", ErrorCode::WRONG_ARGUMENTS);
    LogicalType t = Common(types, 0);
    BoundScalarFunction f;
    f.arg_types.assign(types.size(), t);
    f.return_type = t;
    f.kernel = [](const std::vector<const Column*>& a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            out.SetNull(i, true);
            if (out.type().id == TypeId::NULL_TYPE) continue;
            for (const Column* c : a) {
                if (!c->IsNull(i)) {
                    CopyRow(*c, i, out);
                    break;
                }
            }
        }
    };
    return f;
}

BoundScalarFunction BindIfNull(const std::vector<LogicalType>& types) {
    if (types.size() != 2) throw BinderError("ifnull() takes two arguments", ErrorCode::WRONG_ARGUMENTS);
    return BindCoalesce(types);
}

BoundScalarFunction BindNullIf(const std::vector<LogicalType>& types) {
    if (types.size() != 2) throw BinderError("nullif() takes two arguments", ErrorCode::WRONG_ARGUMENTS);
    LogicalType t = CommonSuperType(types[0], types[1]);
    BoundScalarFunction f;
    f.arg_types = {t, t};
    f.return_type = t;
    f.kernel = [](const std::vector<const Column*>& a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            if (out.type().id == TypeId::NULL_TYPE) {
                out.SetNull(i, true);
                continue;
            }
            bool equal = false;
            if (!a[0]->IsNull(i) && !a[1]->IsNull(i)) {
                DispatchPhysicalType(out.type().id, [&](auto tag) {
                    using T = decltype(tag);
                    equal = ReadValue<T>(*a[0], i) == ReadValue<T>(*a[1], i);
                });
            }
            if (equal)
                out.SetNull(i, true);
            else
                CopyRow(*a[0], i, out);
        }
    };
    return f;
}

// ifs(c1, v1, c2, v2, ..., [default]): the value of the first true condition, else the default
// (NULL without one).
BoundScalarFunction BindIfs(const std::vector<LogicalType>& types) {
    if (types.size() < 2) throw BinderError("ifs() needs a condition and a value", ErrorCode::WRONG_ARGUMENTS);
    bool has_default = types.size() % 2 == 1;
    LogicalType t = TypeId::NULL_TYPE;
    for (size_t i = 1; i < types.size(); i += 2) t = CommonSuperType(t, types[i]);
    if (has_default) t = CommonSuperType(t, types.back());
    BoundScalarFunction f;
    for (size_t i = 0; i < types.size(); ++i) {
        bool is_condition = i % 2 == 0 && !(has_default && i + 1 == types.size());
        f.arg_types.push_back(is_condition ? LogicalType(TypeId::BOOLEAN) : t);
    }
    f.return_type = t;
    f.kernel = [has_default](const std::vector<const Column*>& a, size_t rows, Column& out) {
        size_t pairs = a.size() / 2;
        for (size_t i = 0; i < rows; ++i) {
            if (out.type().id == TypeId::NULL_TYPE) {
                out.SetNull(i, true);
                continue;
            }
            const Column* chosen = has_default ? a.back() : nullptr;
            for (size_t k = 0; k < pairs; ++k) {
                if (!a[2 * k]->IsNull(i) && a[2 * k]->Data<uint8_t>()[i] != 0) {
                    chosen = a[2 * k + 1];
                    break;
                }
            }
            if (chosen)
                CopyRow(*chosen, i, out);
            else
                out.SetNull(i, true);
        }
    };
    return f;
}

}  // namespace

void RegisterConditionalFunctions(FunctionRegistry& registry) {
    registry.AddScalar("if", BindIf);
    registry.AddScalar("coalesce", BindCoalesce);
    registry.AddScalar("ifnull", BindIfNull);
    registry.AddAlias("nvl", "ifnull");
    registry.AddScalar("nullif", BindNullIf);
    registry.AddScalar("ifs", BindIfs);
}

}  // namespace floe
