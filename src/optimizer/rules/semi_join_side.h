#pragma once
/// A SEMI or ANTI hash join hashes its right input and streams its left one. When the left input
/// is estimated to be much smaller (TPC-H Q4: 57k orders against 3.8M late line items), the
/// inputs swap: the left one is hashed, the right one streams and marks the rows it matches, and
/// the marked (RIGHT_SEMI) or unmarked (RIGHT_ANTI) rows come out at the end. The last pass, so
/// that no other rule sees the swapped join types.

#include "optimizer/optimizer.h"

namespace floe {

class SemiJoinSide : public OptimizerPass {
  public:
    const char* name() const override { return "semi_join_side"; }
    LogicalOperatorPtr Apply(LogicalOperatorPtr plan) override;
};

}  // namespace floe
