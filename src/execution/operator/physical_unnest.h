#pragma once
/// UNNEST (planner/logical_operator.h: LogicalUnnest): each input row once per element of its
/// arrays, the elements as new columns. A chunk's output comes in pieces of about a chunk's
/// capacity (HAVE_MORE_OUTPUT), so long arrays do not build one huge chunk.

#include "binder/bound_expression.h"
#include "execution/physical_operator.h"

namespace floe {

class PhysicalUnnest : public PhysicalOperator {
  public:
    PhysicalUnnest(std::vector<LogicalType> types, std::vector<BoundExprPtr> arrays, bool outer)
        : PhysicalOperator(PhysicalOperatorType::UNNEST, std::move(types)), arrays_(std::move(arrays)), outer_(outer) {}
    std::string name() const override { return "UNNEST"; }
    OperatorResult Execute(ExecutionContext& ctx, Chunk& input, Chunk& output) override;
    bool ParallelExecute() const override { return true; }

  private:
    std::vector<BoundExprPtr> arrays_;
    bool outer_;
};

}  // namespace floe
