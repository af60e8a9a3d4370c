#include "optimizer/rules/metadata_count.h"

namespace floe {

namespace {

LogicalOperatorPtr Rewrite(LogicalOperatorPtr op) {
    for (auto& child : op->children) child = Rewrite(std::move(child));
    if (op->type != LogicalOperatorType::AGGREGATE || op->children.size() != 1) return op;
    const auto& agg = static_cast<const LogicalAggregate&>(*op);
    if (!agg.groups.empty() || agg.aggregates.empty()) return op;
    const LogicalOperator& child = *op->children[0];
    if (child.type != LogicalOperatorType::TABLE_FUNCTION) return op;
    const auto& scan = static_cast<const LogicalTableFunction&>(child);
    if (!scan.source || !scan.scan_plan || !scan.scan_plan->exact_row_count) return op;
    const ScanPlan& plan = *scan.scan_plan;
    std::vector<BoundExprPtr> row;
    for (const auto& a : agg.aggregates) {
        if (a.function.distinct && a.function.name == "count") return op;
        if (a.function.name == "count" && a.args.empty()) {
            row.push_back(std::make_unique<BoundConstant>(Value::Integer(*plan.exact_row_count)));
            continue;
        }
        // min(c) / max(c) of a column whose exact bounds the metadata knows.
        if ((a.function.name != "min" && a.function.name != "max") || a.args.size() != 1 ||
            a.args[0]->kind != BoundExprKind::COLUMN_REF) {
            return op;
        }
        size_t output = static_cast<const BoundColumnRef&>(*a.args[0]).index;
        if (output >= scan.column_ids.size()) return op;
        auto bounds = plan.exact_bounds.find(scan.column_ids[output]);
        if (bounds == plan.exact_bounds.end()) return op;
        Value v = a.function.name == "min" ? bounds->second.first : bounds->second.second;
        const LogicalType& type = a.function.return_type;
        if (v.is_null()) {
            v = Value::Null(type);
        } else if (!(v.type() == type) && !(v.type().id == TypeId::DATETIME && type.id == TypeId::DATETIME)) {
            return op;  // (a DATETIME bound carries no fraction digits, and is the same value)
        }
        row.push_back(std::make_unique<BoundConstant>(std::move(v)));
    }
    auto values = std::make_unique<LogicalValues>();
    values->types = op->types;
    values->rows.push_back(std::move(row));
    return values;
}

}  // namespace

LogicalOperatorPtr MetadataCount::Apply(LogicalOperatorPtr plan) {
    return Rewrite(std::move(plan));
}

}  // namespace floe
