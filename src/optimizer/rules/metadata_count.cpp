#include "optimizer/rules/metadata_count.h"

namespace floe {

namespace {

LogicalOperatorPtr Rewrite(LogicalOperatorPtr op) {
    for (auto& child : op->children) child = Rewrite(std::move(child));
    if (op->type != LogicalOperatorType::AGGREGATE || op->children.size() != 1) return op;
    const auto& agg = static_cast<const LogicalAggregate&>(*op);
    if (!agg.groups.empty() || agg.aggregates.empty()) return op;
    for (const auto& a : agg.aggregates) {
        if (a.function.name != "count" || !a.args.empty() || a.function.distinct) return op;
    }
    const LogicalOperator& child = *op->children[0];
    if (child.type != LogicalOperatorType::TABLE_FUNCTION) return op;
    const auto& scan = static_cast<const LogicalTableFunction&>(child);
    if (!scan.source || !scan.scan_plan || !scan.scan_plan->exact_row_count) return op;
    auto values = std::make_unique<LogicalValues>();
    values->types = op->types;
    std::vector<BoundExprPtr> row;
    for (size_t i = 0; i < agg.aggregates.size(); ++i) {
        row.push_back(std::make_unique<BoundConstant>(Value::Integer(*scan.scan_plan->exact_row_count)));
    }
    values->rows.push_back(std::move(row));
    return values;
}

}  // namespace

LogicalOperatorPtr MetadataCount::Apply(LogicalOperatorPtr plan) {
    return Rewrite(std::move(plan));
}

}  // namespace floe
