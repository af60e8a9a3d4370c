#include "optimizer/rules/remove_true_filter.h"

namespace floe {

LogicalOperatorPtr RemoveTrueFilter::Apply(LogicalOperatorPtr plan) {
    for (auto& child : plan->children) child = Apply(std::move(child));
    if (plan->type != LogicalOperatorType::FILTER) return plan;
    auto& filter = static_cast<LogicalFilter&>(*plan);
    if (filter.condition->kind != BoundExprKind::CONSTANT) return plan;
    const Value& v = static_cast<const BoundConstant&>(*filter.condition).value;
    if (v.is_null() || v.type().id != TypeId::BOOLEAN || !v.GetBool()) return plan;
    return std::move(plan->children[0]);
}

}  // namespace floe
