#include "planner/planner.h"

namespace floe {

std::string PlanToString(const LogicalOperator& root) {
    std::string out;
    std::vector<std::pair<const LogicalOperator*, int>> stack{{&root, 0}};
    while (!stack.empty()) {
        auto [op, depth] = stack.back();
        stack.pop_back();
        out += std::string(depth * 2, ' ') + op->ToString() + "\n";
        for (auto it = op->children.rbegin(); it != op->children.rend(); ++it) stack.push_back({it->get(), depth + 1});
    }
    return out;
}

LogicalOperatorPtr Planner::PlanSelect(BoundSelect select) {
    auto values = std::make_unique<LogicalValues>();
    values->types = select.source.types;
    values->rows = std::move(select.source.rows);
    LogicalOperatorPtr plan = std::move(values);
    auto stack = [&](LogicalOperatorPtr op) {
        if (op->types.empty()) op->types = plan->types;
        op->children.push_back(std::move(plan));
        plan = std::move(op);
    };
    if (select.where) {
        auto filter = std::make_unique<LogicalFilter>();
        filter->condition = std::move(select.where);
        stack(std::move(filter));
    }
    if (!select.order_by.empty()) {
        auto order = std::make_unique<LogicalOrderBy>();
        order->orders = std::move(select.order_by);
        stack(std::move(order));
    }
    if (select.limit || select.offset > 0) {
        auto limit = std::make_unique<LogicalLimit>();
        limit->limit = select.limit;
        limit->offset = select.offset;
        stack(std::move(limit));
    }
    auto projection = std::make_unique<LogicalProjection>();
    for (auto& e : select.select_list) projection->types.push_back(e->type);
    projection->expressions = std::move(select.select_list);
    if (projection->types.empty()) projection->types = {};
    auto types = projection->types;
    projection->children.push_back(std::move(plan));
    plan = std::move(projection);
    plan->types = types;
    return plan;
}

}  // namespace floe
