#pragma once
/// Chooses the order of inner joins. A region of INNER/CROSS joins (as the binder builds it from
/// `FROM a, b, c WHERE ...` or from JOIN ... ON chains, after filter pushdown has moved the WHERE
/// conjuncts into the joins) is flattened into its inputs and its predicates, then rebuilt as a
/// left-deep tree greedily: start from the input with the smallest estimated cardinality, and at
/// each step add the input that joins to what is already built through an equality and gives the
/// smallest estimated result (a cross product only when nothing connects). Each predicate is placed
/// at the first join where every column it reads is available; equalities between the two sides
/// become hash keys, the rest stay as the residual condition. A projection on top restores the
/// column order the rest of the plan expects.
///
/// Cardinalities are estimated without statistics: base-table row counts from the rowsets, a
/// fixed selectivity per filter conjunct, and |L|*|R|/max(|L|,|R|) for an equi-join.

#include "optimizer/optimizer.h"

namespace floe {

class JoinOrder : public OptimizerPass {
  public:
    const char* name() const override { return "join_order"; }
    LogicalOperatorPtr Apply(LogicalOperatorPtr plan) override;
};

/// Estimated output rows of a plan (used by the join order and by EXPLAIN).
double EstimateCardinality(const LogicalOperator& op);

}  // namespace floe
