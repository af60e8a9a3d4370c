#include "optimizer/rules/scan_planning.h"

#include <map>

#include "optimizer/rules/spj_block.h"

namespace floe {

namespace {

/// Whether the conjuncts `preds` cannot all hold on any row: some column's lower bound lies
/// above its upper bound (`c < 5 AND c >= 7`, `c = 3 AND c > 3`). A tiered table's cold branch
/// (`dt < boundary`) under a query over recent days is the case this is for: the Iceberg table
/// is then not planned at all.
bool Contradicts(const std::vector<ZonePredicate>& preds) {
    struct Bound {
        const Value* value = nullptr;
        bool inclusive = true;
    };
    std::map<size_t, std::pair<Bound, Bound>> bounds;  // column -> (lower, upper)
    auto tighter = [](Bound& b, const Value& v, bool inclusive, int direction) {
        if (!b.value) {
            b = Bound{&v, inclusive};
            return;
        }
        auto c = CompareValues(v, *b.value);
        if (!c) return;
        if (*c * direction > 0 || (*c == 0 && !inclusive)) b = Bound{&v, inclusive};
    };
    for (const auto& p : preds) {
        if (p.constant.is_null()) continue;
        auto& [lo, hi] = bounds[p.column];
        if (p.op == "equal" || p.op == "greater" || p.op == "greater_equal") {
            tighter(lo, p.constant, p.op != "greater", 1);
        }
        if (p.op == "equal" || p.op == "less" || p.op == "less_equal") {
            tighter(hi, p.constant, p.op != "less", -1);
        }
    }
    for (const auto& [column, b] : bounds) {
        const auto& [lo, hi] = b;
        if (!lo.value || !hi.value) continue;
        auto c = CompareValues(*lo.value, *hi.value);
        if (!c) continue;
        if (*c > 0 || (*c == 0 && !(lo.inclusive && hi.inclusive))) return true;
    }
    return false;
}

void Plan(LogicalOperatorPtr& op) {
    for (auto& child : op->children) Plan(child);
    if (op->type != LogicalOperatorType::TABLE_FUNCTION) return;
    auto& tf = static_cast<LogicalTableFunction&>(*op);
    if (!tf.source) return;
    if (Contradicts(tf.zone_predicates)) {
        auto empty = std::make_unique<LogicalValues>();
        empty->types = tf.types;
        empty->note = tf.source->name() + " not read: the filter excludes every row";
        op = std::move(empty);
        return;
    }
    std::vector<ScanFilter> filters;
    for (const auto& z : tf.zone_predicates) filters.push_back(ScanFilter{z.column, z.op, z.constant});
    tf.scan_plan = tf.source->PlanScan(tf.column_ids, filters);
}

}  // namespace

LogicalOperatorPtr ScanPlanning::Apply(LogicalOperatorPtr plan) {
    Plan(plan);
    return plan;
}

}  // namespace floe
