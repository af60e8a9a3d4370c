#pragma once
/// Evaluates bound expressions over a chunk, column at a time: each function node runs its kernel
/// once per chunk over its argument columns. Constants are broadcast to the chunk's row count.

#include <memory>

#include "binder/bound_expression.h"
#include "vector/chunk.h"

namespace floe {

class ExpressionExecutor {
  public:
    /// Evaluates `expr` over the first `rows` physical rows of `input`.
    static std::shared_ptr<Column> Evaluate(const BoundExpression& expr, const Chunk& input, size_t rows);
    /// Evaluates an expression that reads no columns (SET values, LIMIT); returns one value.
    static Value EvaluateConstant(const BoundExpression& expr);
};

}  // namespace floe
