#pragma once
/// Removes columns nothing above reads: scans output only the table columns the query uses (so
/// storage loads only those), and projections drop expressions no parent reads. Every operator's
/// expressions are renumbered to the narrower inputs.

#include "optimizer/optimizer.h"

namespace floe {

class ColumnPruning : public OptimizerPass {
  public:
    const char* name() const override { return "column_pruning"; }
    LogicalOperatorPtr Apply(LogicalOperatorPtr plan) override;
};

}  // namespace floe
