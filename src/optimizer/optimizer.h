#pragma once
/// The optimizer rewrites a logical plan with an ordered list of passes, one per file under
/// rules/. Each pass has a name that a session setting can switch off (for debugging and for
/// comparing plans).

#include <set>
#include <string>
#include <vector>

#include "planner/logical_operator.h"

namespace floe {

struct MvRewriteContext;

/// One rewrite over the whole plan.
class OptimizerPass {
  public:
    virtual ~OptimizerPass() = default;
    virtual const char* name() const = 0;
    virtual LogicalOperatorPtr Apply(LogicalOperatorPtr plan) = 0;
};

class Optimizer {
  public:
    /// Runs every pass in order except those named in `disabled`. `mv`: the materialized views
    /// the first pass (mv_rewrite) may answer parts of the query from; its report says which it
    /// used and why the others were not (nullptr: no rewrite).
    static LogicalOperatorPtr Optimize(LogicalOperatorPtr plan, const std::set<std::string>& disabled = {},
                                       MvRewriteContext* mv = nullptr);
    /// Names of the passes, in the order they run.
    static std::vector<std::string> PassNames();
};

}  // namespace floe
