#pragma once
/// Folds casts of constants into constants (CAST(2 AS DOUBLE) becomes 2.0) in every expression of
/// the plan, so kernels compare against a ready value instead of casting a column of copies per
/// chunk. A cast that fails (e.g. a string that is not a number) is left in place to fail, or
/// warn, at run time as before. Functions of constants are not folded yet: the registry does
/// not mark which functions are deterministic.

#include "optimizer/optimizer.h"

namespace floe {

/// Folds one expression in place (the pass applies it to every expression of a plan).
void FoldConstants(BoundExprPtr& e);

class ConstantFolding : public OptimizerPass {
  public:
    const char* name() const override { return "constant_folding"; }
    LogicalOperatorPtr Apply(LogicalOperatorPtr plan) override;
};

}  // namespace floe
