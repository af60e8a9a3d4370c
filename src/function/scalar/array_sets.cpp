// ARRAY functions that compare elements of two arrays or an array and a value: arrays_overlap,
// array_intersect, array_contains_all, array_contains_seq, array_remove. Elements are compared by
// their bytes in the array blob (types/array.h: equal values have equal bytes), after both
// arrays are cast to their common type; NULL elements equal each other (as StarRocks does for
// these functions), a NULL array gives NULL.
#include <string>
#include <unordered_set>

#include "common/exception.h"
#include "function/function_registry.h"
#include "function/vector_executor.h"
#include "types/array.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;

/// The bytes that identify element k (not NULL) of `r`.
std::string_view ElementKey(const ArrayReader& r, size_t k) {
    if (r.element().HasStringHeap()) return r.GetBytes(k);
    return {reinterpret_cast<const char*>(r.Slot(k)), r.element().PhysicalSize()};
}

LogicalType CommonArrayType(const std::string& name, const std::vector<LogicalType>& types, size_t min, size_t max) {
    if (types.size() < min || types.size() > max) {
        throw BinderError(
            "wrong number of arguments (" + std::to_string(types.size()) + ") for function '" + name + "'",
            ErrorCode::WRONG_ARGUMENTS);
    }
    LogicalType t = TypeId::NULL_TYPE;
    for (const auto& x : types) {
        if (x.id == TypeId::NULL_TYPE) continue;
        if (x.id != TypeId::ARRAY) {
            throw BinderError(name + "() needs ARRAY arguments, not " + x.ToString(), ErrorCode::TYPE_MISMATCH);
        }
        t = CommonSuperType(t, x);
    }
    return t.id == TypeId::NULL_TYPE ? LogicalType::Array(TypeId::BIGINT) : t;
}

struct ElementSet {
    std::unordered_set<std::string_view> keys;
    bool has_null = false;
    void Add(const ArrayReader& r) {
        for (size_t k = 0; k < r.size(); ++k) {
            if (r.IsNull(k))
                has_null = true;
            else
                keys.insert(ElementKey(r, k));
        }
    }
    bool Contains(const ArrayReader& r, size_t k) const {
        return r.IsNull(k) ? has_null : keys.count(ElementKey(r, k)) > 0;
    }
};

bool AnyNull(Args a, size_t i) {
    for (const Column* c : a) {
        if (c->IsNull(i)) return true;
    }
    return false;
}

// A function of two arrays of the same type returning BOOLEAN.
template <typename Fn>
BoundScalarFunction TwoArrayPredicate(const std::string& name, const std::vector<LogicalType>& types, Fn fn) {
    LogicalType t = CommonArrayType(name, types, 2, 2);
    BoundScalarFunction f;
    f.name = name;
    f.arg_types = {t, t};
    f.return_type = TypeId::BOOLEAN;
    LogicalType element = t.Element();
    f.kernel = [element, fn](Args a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            bool n = AnyNull(a, i);
            out.SetNull(i, n);
            if (n) continue;
            ArrayReader x(a[0]->Strings()[i].view(), element);
            ArrayReader y(a[1]->Strings()[i].view(), element);
            out.Data<uint8_t>()[i] = fn(x, y) ? 1 : 0;
        }
    };
    return f;
}

BoundScalarFunction BindIntersect(const std::vector<LogicalType>& types) {
    LogicalType t = CommonArrayType("array_intersect", types, 1, 64);
    LogicalType element = t.Element();
    BoundScalarFunction f;
    f.name = "array_intersect";
    f.arg_types.assign(types.size(), t);
    f.return_type = t;
    f.kernel = [element](Args a, size_t rows, Column& out) {
        ArrayBuilder b(element);
        for (size_t i = 0; i < rows; ++i) {
            if (AnyNull(a, i)) {
                out.SetNull(i, true);
                continue;
            }
            std::vector<ArrayReader> readers;
            for (const Column* c : a) readers.emplace_back(c->Strings()[i].view(), element);
            std::vector<ElementSet> others(readers.size());
            for (size_t k = 1; k < readers.size(); ++k) others[k].Add(readers[k]);
            // The distinct elements of the first array found in every other one, in first-array order.
            ElementSet emitted;
            const ArrayReader& first = readers[0];
            for (size_t k = 0; k < first.size(); ++k) {
                if (emitted.Contains(first, k)) continue;
                bool everywhere = true;
                for (size_t o = 1; o < readers.size() && everywhere; ++o) everywhere = others[o].Contains(first, k);
                if (!everywhere) continue;
                if (first.IsNull(k))
                    emitted.has_null = true;
                else
                    emitted.keys.insert(ElementKey(first, k));
                b.AppendFrom(first, k);
            }
            out.SetNull(i, false);
            out.SetString(i, b.Finish());
        }
    };
    return f;
}

// array_remove(arr, x): arr without the elements equal to x (NULL removes the NULLs).
BoundScalarFunction BindRemove(const std::vector<LogicalType>& types) {
    if (types.size() != 2) {
        throw BinderError("array_remove() takes an array and a value", ErrorCode::WRONG_ARGUMENTS);
    }
    LogicalType t = CommonArrayType("array_remove", {types[0]}, 1, 1);
    LogicalType element = CommonSuperType(t.Element(), types[1]);
    LogicalType array = LogicalType::Array(element);
    BoundScalarFunction f;
    f.name = "array_remove";
    f.arg_types = {array, element};
    f.return_type = array;
    f.kernel = [element](Args a, size_t rows, Column& out) {
        ArrayBuilder b(element);
        ArrayBuilder one(element);
        for (size_t i = 0; i < rows; ++i) {
            if (a[0]->IsNull(i)) {
                out.SetNull(i, true);
                continue;
            }
            // The value as a one-element array, so that its bytes compare with the elements'.
            one.Append(a[1]->GetValue(i));
            std::string probe_blob = one.Finish();
            ArrayReader probe(probe_blob, element);
            ArrayReader r(a[0]->Strings()[i].view(), element);
            for (size_t k = 0; k < r.size(); ++k) {
                bool equal = probe.IsNull(0) ? r.IsNull(k) : !r.IsNull(k) && ElementKey(r, k) == ElementKey(probe, 0);
                if (!equal) b.AppendFrom(r, k);
            }
            out.SetNull(i, false);
            out.SetString(i, b.Finish());
        }
    };
    return f;
}

}  // namespace

void RegisterArraySetFunctions(FunctionRegistry& r) {
    r.AddScalar("arrays_overlap", [](const std::vector<LogicalType>& types) {
        return TwoArrayPredicate("arrays_overlap", types, [](const ArrayReader& x, const ArrayReader& y) {
            ElementSet s;
            s.Add(y);
            for (size_t k = 0; k < x.size(); ++k) {
                if (s.Contains(x, k)) return true;
            }
            return false;
        });
    });
    r.AddScalar("array_contains_all", [](const std::vector<LogicalType>& types) {
        return TwoArrayPredicate("array_contains_all", types, [](const ArrayReader& x, const ArrayReader& y) {
            ElementSet s;
            s.Add(x);
            for (size_t k = 0; k < y.size(); ++k) {
                if (!s.Contains(y, k)) return false;
            }
            return true;
        });
    });
    r.AddAlias("array_has_all", "array_contains_all");
    // array_contains_seq(a, b): b appears in a as a contiguous run, in order.
    r.AddScalar("array_contains_seq", [](const std::vector<LogicalType>& types) {
        return TwoArrayPredicate("array_contains_seq", types, [](const ArrayReader& x, const ArrayReader& y) {
            if (y.size() == 0) return true;
            for (size_t start = 0; start + y.size() <= x.size(); ++start) {
                bool match = true;
                for (size_t k = 0; k < y.size() && match; ++k) {
                    bool xn = x.IsNull(start + k), yn = y.IsNull(k);
                    match = xn == yn && (xn || ElementKey(x, start + k) == ElementKey(y, k));
                }
                if (match) return true;
            }
            return false;
        });
    });
    r.AddScalar("array_intersect", BindIntersect);
    r.AddScalar("array_remove", BindRemove);
}

}  // namespace floe
