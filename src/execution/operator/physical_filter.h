#pragma once
/// Keeps the rows whose condition is TRUE by narrowing the chunk's selection vector; no copying.

#include <mutex>

#include "binder/bound_expression.h"
#include "execution/expression_executor.h"
#include "execution/physical_operator.h"

namespace floe {

class PhysicalFilter : public PhysicalOperator {
  public:
    PhysicalFilter(std::vector<LogicalType> types, BoundExprPtr condition);
    std::string name() const override { return "FILTER"; }
    OperatorResult Execute(ExecutionContext& ctx, Chunk& input, Chunk& output) override;
    bool ParallelExecute() const override { return true; }

  private:
    std::once_flag noted_;                   // needed_ is set (by the first chunk)
    std::vector<BoundExprPtr> conjuncts_;    // the condition's AND-ed parts, evaluated in order
    std::vector<std::vector<bool>> needed_;  // per conjunct, the input columns it reads
    /// Per conjunct, its repeated subexpressions (computed once per evaluation: the
    /// substr(c_phone, 1, 2) of each branch of an IN list bound as ORs).
    std::vector<CommonSubexpressions> common_;
};

}  // namespace floe
