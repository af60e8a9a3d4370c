#include "execution/physical_planner.h"

#include "common/exception.h"
#include "execution/operator/physical_filter.h"
#include "execution/operator/physical_limit.h"
#include "execution/operator/physical_projection.h"
#include "execution/operator/physical_sort.h"
#include "execution/operator/physical_values.h"

namespace floe {

PhysicalOperatorPtr PhysicalPlanner::Plan(LogicalOperator& logical) {
    PhysicalOperatorPtr op;
    switch (logical.type) {
        case LogicalOperatorType::VALUES: {
            auto& v = static_cast<LogicalValues&>(logical);
            return std::make_unique<PhysicalValues>(v.types, std::move(v.rows));
        }
        case LogicalOperatorType::FILTER: {
            auto& f = static_cast<LogicalFilter&>(logical);
            op = std::make_unique<PhysicalFilter>(f.types, std::move(f.condition));
            break;
        }
        case LogicalOperatorType::PROJECTION: {
            auto& p = static_cast<LogicalProjection&>(logical);
            op = std::make_unique<PhysicalProjection>(p.types, std::move(p.expressions));
            break;
        }
        case LogicalOperatorType::ORDER_BY: {
            auto& o = static_cast<LogicalOrderBy&>(logical);
            op = std::make_unique<PhysicalSort>(o.types, std::move(o.orders));
            break;
        }
        case LogicalOperatorType::LIMIT: {
            auto& l = static_cast<LogicalLimit&>(logical);
            op = std::make_unique<PhysicalLimit>(l.types, l.limit, l.offset);
            break;
        }
    }
    if (!op) throw InternalError("no physical operator for " + logical.ToString());
    for (auto& child : logical.children) op->children().push_back(Plan(*child));
    return op;
}

}  // namespace floe
