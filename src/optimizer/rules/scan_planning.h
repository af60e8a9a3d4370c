#pragma once
/// Scan planning: each scan of a table source (an Iceberg table) is planned here from the
/// conjuncts the zone-map pass handed it, so pruning (partitions, manifests, files) happens once
/// per query, is shown by EXPLAIN, and gives join ordering and the executor the files to read.
/// Runs after zone_map_filter.

#include "optimizer/optimizer.h"

namespace floe {

class ScanPlanning : public OptimizerPass {
  public:
    const char* name() const override { return "scan_planning"; }
    LogicalOperatorPtr Apply(LogicalOperatorPtr plan) override;
};

}  // namespace floe
