#include "optimizer/rules/scan_planning.h"

namespace floe {

namespace {

void Plan(LogicalOperator& op) {
    for (auto& child : op.children) Plan(*child);
    if (op.type != LogicalOperatorType::TABLE_FUNCTION) return;
    auto& tf = static_cast<LogicalTableFunction&>(op);
    if (!tf.source) return;
    std::vector<ScanFilter> filters;
    for (const auto& z : tf.zone_predicates) filters.push_back(ScanFilter{z.column, z.op, z.constant});
    tf.scan_plan = tf.source->PlanScan(tf.column_ids, filters);
}

}  // namespace

LogicalOperatorPtr ScanPlanning::Apply(LogicalOperatorPtr plan) {
    Plan(*plan);
    return plan;
}

}  // namespace floe
