// Boolean connectives with SQL three-valued logic: FALSE AND NULL is FALSE, TRUE OR NULL is TRUE.
// Arguments are cast to BOOLEAN (numbers: non-zero is true).
#include "common/exception.h"
#include "function/function_registry.h"
#include "function/vector_executor.h"

namespace floe {

namespace {

enum class LogicOp { AND, OR, XOR };

ScalarFunctionBinder MakeConnective(LogicOp op) {
    return [op](const std::vector<LogicalType>& types) {
        if (types.size() != 2) throw BinderError("logical operator takes two arguments", ErrorCode::WRONG_ARGUMENTS);
        BoundScalarFunction f;
        f.arg_types = {TypeId::BOOLEAN, TypeId::BOOLEAN};
        f.return_type = TypeId::BOOLEAN;
        f.kernel = [op](const std::vector<const Column*>& a, size_t rows, Column& out) {
            const uint8_t* x = a[0]->Data<uint8_t>();
            const uint8_t* y = a[1]->Data<uint8_t>();
            const uint8_t* xn = a[0]->nulls();
            const uint8_t* yn = a[1]->nulls();
            uint8_t* r = out.Data<uint8_t>();
            uint8_t* rn = out.nulls();
            for (size_t i = 0; i < rows; ++i) {
                switch (op) {
                    case LogicOp::AND:
                        if ((!xn[i] && !x[i]) || (!yn[i] && !y[i])) {
                            r[i] = 0;
                            rn[i] = 0;
                        } else {
                            rn[i] = xn[i] | yn[i];
                            r[i] = 1;
                        }
                        break;
                    case LogicOp::OR:
                        if ((!xn[i] && x[i]) || (!yn[i] && y[i])) {
                            r[i] = 1;
                            rn[i] = 0;
                        } else {
                            rn[i] = xn[i] | yn[i];
                            r[i] = 0;
                        }
                        break;
                    case LogicOp::XOR:
                        rn[i] = xn[i] | yn[i];
                        r[i] = (x[i] != 0) != (y[i] != 0);
                        break;
                }
            }
        };
        return f;
    };
}

BoundScalarFunction BindNot(const std::vector<LogicalType>& types) {
    if (types.size() != 1) throw BinderError("NOT takes one argument", ErrorCode::WRONG_ARGUMENTS);
    BoundScalarFunction f;
    f.arg_types = {TypeId::BOOLEAN};
    f.return_type = TypeId::BOOLEAN;
    f.kernel = [](const std::vector<const Column*>& a, size_t rows, Column& out) {
        UnaryExecute<bool, bool>(*a[0], rows, out, [](bool x) { return !x; });
    };
    return f;
}

}  // namespace

void RegisterLogicalFunctions(FunctionRegistry& registry) {
    registry.AddScalar("and", MakeConnective(LogicOp::AND));
    registry.AddScalar("or", MakeConnective(LogicOp::OR));
    registry.AddScalar("xor", MakeConnective(LogicOp::XOR));
    registry.AddScalar("not", BindNot);
}

}  // namespace floe
