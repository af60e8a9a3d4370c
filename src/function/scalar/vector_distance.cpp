// Vector similarity over ARRAY<FLOAT> (any numeric element type is cast): cosine_similarity,
// cosine_similarity_norm (the dot product, for vectors already of length 1) and l2_distance
// (the squared Euclidean distance, as faiss and StarRocks define it). Sums run in DOUBLE, the
// result is FLOAT as in StarRocks. Arrays of different lengths or with NULL elements are an
// error; a NULL array gives NULL.
#include <cmath>
#include <cstring>
#include <string>

#include "common/exception.h"
#include "function/function_registry.h"
#include "function/vector_executor.h"
#include "types/array.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;

enum class Measure { COSINE, COSINE_NORM, L2 };

ScalarFunctionBinder BindMeasure(std::string name, Measure m) {
    return [name, m](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (types.size() != 2) throw BinderError(name + "() takes two arrays", ErrorCode::WRONG_ARGUMENTS);
        for (const auto& t : types) {
            bool ok = t.id == TypeId::NULL_TYPE || (t.id == TypeId::ARRAY && t.Element().IsNumeric());
            if (!ok)
                throw BinderError(name + "() needs ARRAY<FLOAT> arguments, not " + t.ToString(),
                                  ErrorCode::TYPE_MISMATCH);
        }
        const LogicalType floats = LogicalType::Array(TypeId::FLOAT);
        BoundScalarFunction f;
        f.name = name;
        f.arg_types = {floats, floats};
        f.return_type = TypeId::FLOAT;
        f.kernel = [name, m](Args a, size_t rows, Column& out) {
            for (size_t i = 0; i < rows; ++i) {
                bool n = a[0]->IsNull(i) || a[1]->IsNull(i);
                out.SetNull(i, n);
                if (n) continue;
                ArrayReader x(a[0]->Strings()[i].view(), TypeId::FLOAT);
                ArrayReader y(a[1]->Strings()[i].view(), TypeId::FLOAT);
                if (x.size() != y.size()) {
                    throw ExecutionError(name + "(): the arrays have different lengths (" + std::to_string(x.size()) +
                                             " and " + std::to_string(y.size()) + ")",
                                         ErrorCode::WRONG_ARGUMENTS);
                }
                double dot = 0, xx = 0, yy = 0, l2 = 0;
                for (size_t k = 0; k < x.size(); ++k) {
                    if (x.IsNull(k) || y.IsNull(k))
                        throw ExecutionError(name + "(): the arrays must not hold NULL", ErrorCode::WRONG_ARGUMENTS);
                    float fx, fy;
                    std::memcpy(&fx, x.Slot(k), sizeof(float));
                    std::memcpy(&fy, y.Slot(k), sizeof(float));
                    double dx = fx, dy = fy;
                    dot += dx * dy;
                    xx += dx * dx;
                    yy += dy * dy;
                    l2 += (dx - dy) * (dx - dy);
                }
                double r = m == Measure::L2 ? l2 : m == Measure::COSINE_NORM ? dot : dot / std::sqrt(xx * yy);
                if (!std::isfinite(r)) {
                    out.SetNull(i, true);  // a zero vector has no direction
                    continue;
                }
                out.Data<float>()[i] = static_cast<float>(r);
            }
        };
        return f;
    };
}

}  // namespace

void RegisterVectorDistanceFunctions(FunctionRegistry& r) {
    r.AddScalar("cosine_similarity", BindMeasure("cosine_similarity", Measure::COSINE));
    r.AddAlias("cos_similarity", "cosine_similarity");
    r.AddScalar("cosine_similarity_norm", BindMeasure("cosine_similarity_norm", Measure::COSINE_NORM));
    r.AddAlias("cos_similarity_norm", "cosine_similarity_norm");
    r.AddScalar("l2_distance", BindMeasure("l2_distance", Measure::L2));
}

}  // namespace floe
