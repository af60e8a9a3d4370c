#pragma once
/// count(*) from metadata: an aggregate of only count(*) with no GROUP BY, directly over a table
/// source whose planned scan knows the exact row count from metadata alone (an Iceberg snapshot
/// with no delete files and no filter), becomes that constant: no data file is opened. Runs
/// after scan_planning. With deletes or a filter the files are read as usual.

#include "optimizer/optimizer.h"

namespace floe {

class MetadataCount : public OptimizerPass {
  public:
    const char* name() const override { return "metadata_count"; }
    LogicalOperatorPtr Apply(LogicalOperatorPtr plan) override;
};

}  // namespace floe
