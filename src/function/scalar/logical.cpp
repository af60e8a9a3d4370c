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
            // Branch-free, one loop per operator, so that the compiler vectorizes them.
            switch (op) {
                case LogicOp::AND:
                    for (size_t i = 0; i < rows; ++i) {
                        uint8_t is_false = static_cast<uint8_t>((!xn[i] & !x[i]) | (!yn[i] & !y[i]));
                        r[i] = static_cast<uint8_t>(!is_false);
                        rn[i] = static_cast<uint8_t>(!is_false & (xn[i] | yn[i]));
                    }
                    break;
                case LogicOp::OR:
                    for (size_t i = 0; i < rows; ++i) {
                        uint8_t is_true = static_cast<uint8_t>((!xn[i] & (x[i] != 0)) | (!yn[i] & (y[i] != 0)));
                        r[i] = is_true;
                        rn[i] = static_cast<uint8_t>(!is_true & (xn[i] | yn[i]));
                    }
                    break;
                case LogicOp::XOR:
                    for (size_t i = 0; i < rows; ++i) {
                        rn[i] = static_cast<uint8_t>(xn[i] | yn[i]);
                        r[i] = static_cast<uint8_t>((x[i] != 0) != (y[i] != 0));
                    }
                    break;
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
