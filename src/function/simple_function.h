#pragma once
/// A binder for functions with fixed signatures: arguments are cast to the listed types and the
/// result type is fixed. Most string, math and date functions are declared this way.

#include <string>
#include <vector>

#include "common/exception.h"
#include "function/scalar_function.h"

namespace floe {

/// One overload: arguments, result and kernel. `variadic` repeats the last argument type.
struct FunctionSignature {
    std::vector<LogicalType> args;
    LogicalType result;
    ScalarKernel kernel;
    bool variadic = false;
};

/// Picks the overload whose argument count fits (first match in order); arguments are then cast.
inline ScalarFunctionBinder Overloads(std::string name, std::vector<FunctionSignature> signatures) {
    return [name, signatures](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        for (const auto& s : signatures) {
            bool fits = s.variadic ? types.size() >= s.args.size() : types.size() == s.args.size();
            if (!fits) continue;
            BoundScalarFunction f;
            f.name = name;
            for (size_t i = 0; i < types.size(); ++i)
                f.arg_types.push_back(i < s.args.size() ? s.args[i] : s.args.back());
            f.return_type = s.result;
            f.kernel = s.kernel;
            return f;
        }
        throw BinderError(
            "wrong number of arguments (" + std::to_string(types.size()) + ") for function '" + name + "'",
            ErrorCode::WRONG_ARGUMENTS);
    };
}

}  // namespace floe
