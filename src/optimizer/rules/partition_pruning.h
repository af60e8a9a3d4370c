#pragma once
/// Partition pruning: a filter directly above a scan of a partitioned table keeps only the
/// partitions that can hold a matching row. Comparisons (=, <, <=, >, >=, BETWEEN, IN) of the
/// partition column with constants decide it, through AND and OR; anything else keeps every
/// partition. The scan then reads only the kept partitions' rowsets, and EXPLAIN shows
/// "partitions kept/total". Runs after constant folding, so `ts >= '2024-05-01'` compares with a
/// typed constant.

#include "optimizer/optimizer.h"

namespace floe {

class PartitionPruning : public OptimizerPass {
  public:
    const char* name() const override { return "partition_pruning"; }
    LogicalOperatorPtr Apply(LogicalOperatorPtr plan) override;
};

}  // namespace floe
