#pragma once
/// The `mv_rewrite` pass (first in the list): answers parts of a query from materialized views.
///
/// For each candidate in the MvRewriteContext (optimizer/mv_rewrite.h) the definition is cut
/// into its SPJG normal form (SpjBlock, plus the grouping and aggregates above it) once per
/// query. The pass then walks the query plan from the top and, at every aggregate over a block
/// and at every block, tries each candidate: tables (same table ids; self-joins through every
/// mapping), equivalence classes (the MV's within the query's), ranges (the query's within the
/// MV's), residuals (the MV's among the query's), then the compensation (the query's extra
/// predicates, its outputs, and for aggregates its groups and aggregates) computed from the
/// MV's output columns. The cheapest match (fewest MV rows) replaces the subtree with the MV's
/// scan, a compensating filter, and a projection or a roll-up aggregate that gives exactly the
/// replaced subtree's columns. A rewritten plan is tried again (MVs over MVs), up to 3 levels.

#include "optimizer/mv_rewrite.h"
#include "optimizer/optimizer.h"

namespace floe {

class MvRewrite : public OptimizerPass {
  public:
    explicit MvRewrite(MvRewriteContext* context) : context_(context) {}
    const char* name() const override { return "mv_rewrite"; }
    LogicalOperatorPtr Apply(LogicalOperatorPtr plan) override;

  private:
    MvRewriteContext* context_;
};

}  // namespace floe
