#pragma once
/// Zone-map filters: the conjuncts of a filter directly above a table scan that compare a column
/// with a constant of its type (=, <, <=, >, >=, and so BETWEEN) are handed to the scan, which
/// skips whole rowsets and pages whose min/max (or all-NULL) zone maps rule them out. The filter
/// stays and decides row by row. Runs after constant folding.

#include "optimizer/optimizer.h"

namespace floe {

class ZoneMapFilter : public OptimizerPass {
  public:
    const char* name() const override { return "zone_map_filter"; }
    LogicalOperatorPtr Apply(LogicalOperatorPtr plan) override;
};

}  // namespace floe
