#pragma once
/// Keeps the rows whose condition is TRUE by narrowing the chunk's selection vector; no copying.

#include "binder/bound_expression.h"
#include "execution/physical_operator.h"

namespace floe {

class PhysicalFilter : public PhysicalOperator {
  public:
    PhysicalFilter(std::vector<LogicalType> types, BoundExprPtr condition)
        : PhysicalOperator(PhysicalOperatorType::FILTER, std::move(types)), condition_(std::move(condition)) {}
    std::string name() const override { return "FILTER"; }
    OperatorResult Execute(ExecutionContext& ctx, Chunk& input, Chunk& output) override;

  private:
    BoundExprPtr condition_;
};

}  // namespace floe
