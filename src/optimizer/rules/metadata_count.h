#pragma once
/// Aggregates from metadata: an aggregate with no GROUP BY of only count(*), min(c) and max(c),
/// directly over a table source whose planned scan knows the answers from metadata alone (an
/// Iceberg snapshot with no delete files and no filter: the row count, and each column's exact
/// bounds where every file has them) becomes those constants: no data file is opened. Runs after
/// scan_planning. Otherwise (deletes, a filter, truncated string bounds, NaNs, files without
/// bounds) the files are read as usual.

#include "optimizer/optimizer.h"

namespace floe {

class MetadataCount : public OptimizerPass {
  public:
    const char* name() const override { return "metadata_count"; }
    LogicalOperatorPtr Apply(LogicalOperatorPtr plan) override;
};

}  // namespace floe
