#pragma once
/// Scalar functions. A function is registered once by name with a binder: given the argument
/// types it picks a kernel, the types each argument must be cast to, and the result type (or
/// throws BinderError naming the function and types). Kernels are vectorized: they fill a result
/// column for `rows` rows of flat argument columns. Adding a function touches its kernel file,
/// the list in builtin_functions.cpp, and a .test file.

#include <functional>
#include <string>
#include <vector>

#include "types/logical_type.h"
#include "vector/column.h"

namespace floe {

/// Evaluates one function over `rows` rows of `args` (each with at least `rows` rows) into
/// `result`, which the caller has sized to `rows`.
using ScalarKernel = std::function<void(const std::vector<const Column*>& args, size_t rows, Column& result)>;

/// A function resolved for concrete argument types.
struct BoundScalarFunction {
    std::string name;
    /// The type each argument must have when the kernel runs; the binder inserts casts.
    std::vector<LogicalType> arg_types;
    LogicalType return_type;
    ScalarKernel kernel;
    /// Equal arguments give equal results within a statement (every built-in so far): the
    /// executor may then compute the function once per constant or per dictionary entry.
    bool deterministic = true;
};

/// Resolves a function for the given argument types; throws BinderError when they do not fit.
using ScalarFunctionBinder = std::function<BoundScalarFunction(const std::vector<LogicalType>& arg_types)>;

}  // namespace floe
