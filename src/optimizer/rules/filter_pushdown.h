#pragma once
/// Pushes filter conjuncts as far down the plan as they can go: through projections (by
/// substituting the projected expressions), sorts and UNION ALL, below aggregations when they only
/// read group keys, and into the inputs of joins when they read only one side (for the join types
/// where that keeps the result). This is what makes a filter on a view stack reach the bottom.

#include "optimizer/optimizer.h"

namespace floe {

class FilterPushdown : public OptimizerPass {
  public:
    const char* name() const override { return "filter_pushdown"; }
    LogicalOperatorPtr Apply(LogicalOperatorPtr plan) override;
};

}  // namespace floe
