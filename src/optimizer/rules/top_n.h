#pragma once
/// ORDER BY under a LIMIT (directly, or through a projection) only needs the first
/// limit + offset rows: the sort is told so and keeps a bounded buffer (a top-N) instead of
/// sorting its whole input. The LIMIT stays above and applies the offset.

#include "optimizer/optimizer.h"

namespace floe {

class TopN : public OptimizerPass {
  public:
    const char* name() const override { return "top_n"; }
    LogicalOperatorPtr Apply(LogicalOperatorPtr plan) override;
};

}  // namespace floe
