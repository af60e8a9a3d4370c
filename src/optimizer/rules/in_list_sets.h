#pragma once
/// Long IN lists as hash sets. The binder turns `x IN (c1, ..., cn)` into an OR of equalities,
/// which every earlier pass reads (pruning by partitions, zone maps and Iceberg manifests sees
/// each value). Evaluated as written, that is n comparisons and n-1 ORs per row; this last pass
/// replaces an OR tree of at least 16 equalities of one expression with non-NULL constants of a
/// string or integer type by `in_set(x)`, whose kernel probes a hash set built once per plan.

#include "optimizer/optimizer.h"

namespace floe {

class InListSets : public OptimizerPass {
  public:
    const char* name() const override { return "in_list_sets"; }
    LogicalOperatorPtr Apply(LogicalOperatorPtr plan) override;
};

}  // namespace floe
