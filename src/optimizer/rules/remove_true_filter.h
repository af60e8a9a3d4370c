#pragma once
/// Drops filters whose condition is the constant TRUE (e.g. `WHERE 1 = 1` after folding, or
/// `WHERE TRUE`), so the executor does not evaluate them per chunk.

#include "optimizer/optimizer.h"

namespace floe {

class RemoveTrueFilter : public OptimizerPass {
  public:
    const char* name() const override { return "remove_true_filter"; }
    LogicalOperatorPtr Apply(LogicalOperatorPtr plan) override;
};

}  // namespace floe
