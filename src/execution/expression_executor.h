#pragma once
/// Evaluates bound expressions over a chunk, column at a time: each function node runs its kernel
/// once per chunk over its argument columns. Constants are broadcast to the chunk's row count.

#include <memory>
#include <unordered_map>
#include <vector>

#include "binder/bound_expression.h"
#include "vector/chunk.h"

namespace floe {

/// The subexpressions that occur more than once among a set of expressions (equal by their text,
/// SQL's common subexpressions: `price * (1 - discount)` in two aggregates, a cast an aggregate
/// and another repeat), numbered so that one evaluation over a chunk can serve them all.
class CommonSubexpressions {
  public:
    void Build(const std::vector<const BoundExpression*>& roots);
    /// The number of a repeated subexpression, or -1.
    int IdOf(const BoundExpression* e) const {
        auto it = ids_.find(e);
        return it == ids_.end() ? -1 : it->second;
    }
    size_t count() const { return count_; }
    bool empty() const { return count_ == 0; }

  private:
    std::unordered_map<const BoundExpression*, int> ids_;
    size_t count_ = 0;
};

class ExpressionExecutor {
  public:
    /// Evaluates `expr` over the first `rows` physical rows of `input`.
    static std::shared_ptr<Column> Evaluate(const BoundExpression& expr, const Chunk& input, size_t rows);
    /// The same, computing each of `common`'s subexpressions once per chunk: `memo` (sized to
    /// common.count(), empty at the chunk's start) keeps their results. Results are read-only.
    static std::shared_ptr<Column> Evaluate(const BoundExpression& expr, const Chunk& input, size_t rows,
                                            const CommonSubexpressions& common,
                                            std::vector<std::shared_ptr<Column>>& memo);
    /// Evaluates an expression that reads no columns (SET values, LIMIT); returns one value.
    static Value EvaluateConstant(const BoundExpression& expr);

    /// A dense chunk of rows `rows[0..n)` (physical indexes) of `input`, for evaluating
    /// expressions over few selected rows instead of every physical row: the columns flagged in
    /// `needed` are gathered (values and NULL flags; strings still point into, and keep alive,
    /// their source heaps), the others are left empty.
    static Chunk Gather(const Chunk& input, const uint32_t* rows, size_t n, const std::vector<bool>& needed);
    /// Which columns of its input `expr` reads (sized `columns`).
    static std::vector<bool> ColumnsRead(const BoundExpression& expr, size_t columns);
    /// Adds the columns `expr` reads to `needed` (sized to the input) and returns whether it
    /// computes anything (more than a column reference or a constant): what an operator needs to
    /// decide on, and make, a dense Gather before evaluating its expressions.
    static bool NoteInputs(const BoundExpression& expr, std::vector<bool>& needed);
};

}  // namespace floe
