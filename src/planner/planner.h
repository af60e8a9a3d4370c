#pragma once
/// The planner turns bound statements into logical operator trees.

#include "binder/bound_query.h"
#include "planner/logical_operator.h"

namespace floe {

class Planner {
  public:
    /// Values → Filter → OrderBy → Limit → Projection: ordering and limits run on the source
    /// columns so that ORDER BY may use columns that are not selected.
    static LogicalOperatorPtr PlanSelect(BoundSelect select);
};

}  // namespace floe
