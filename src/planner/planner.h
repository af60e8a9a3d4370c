#pragma once
/// The planner turns bound queries into logical operator trees.

#include "binder/bound_query.h"
#include "planner/logical_operator.h"

namespace floe {

class Planner {
  public:
    /// SELECT: from → filter → [aggregate → filter(having)] → order → limit → projection; with
    /// DISTINCT: ... → projection → aggregate(distinct) → order → limit. Set operations plan each
    /// side, cast it to the output types, and combine.
    static LogicalOperatorPtr PlanQuery(BoundQueryNode& query);

  private:
    static LogicalOperatorPtr PlanSelect(BoundSelect& select);
    static LogicalOperatorPtr PlanSetOperation(BoundSetOperation& op);
    static LogicalOperatorPtr PlanTableRef(BoundTableRef& ref);
};

}  // namespace floe
