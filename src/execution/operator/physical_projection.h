#pragma once
/// Computes the output columns from expressions over the input; the selection carries over.

#include <mutex>
#include "binder/bound_expression.h"

#include "execution/physical_operator.h"

namespace floe {

class PhysicalProjection : public PhysicalOperator {
  public:
    PhysicalProjection(std::vector<LogicalType> types, std::vector<BoundExprPtr> expressions)
        : PhysicalOperator(PhysicalOperatorType::PROJECTION, std::move(types)), expressions_(std::move(expressions)) {}
    std::string name() const override { return "PROJECTION"; }
    OperatorResult Execute(ExecutionContext& ctx, Chunk& input, Chunk& output) override;
    bool ParallelExecute() const override { return true; }
    const std::vector<BoundExprPtr>& expressions() const { return expressions_; }

  private:
    std::vector<BoundExprPtr> expressions_;
    std::once_flag noted_;      // computes_ and needed_ are set (by the first chunk)
    bool computes_ = false;     // whether an expression computes (more than column refs)
    std::vector<bool> needed_;  // the input columns the expressions read
};

}  // namespace floe
