#pragma once
/// Turns an optimized logical plan into physical operators (one per logical operator for now).

#include "execution/physical_operator.h"
#include "planner/logical_operator.h"

namespace floe {

class PhysicalPlanner {
  public:
    static PhysicalOperatorPtr Plan(LogicalOperator& logical);
};

}  // namespace floe
