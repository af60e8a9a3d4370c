#include "optimizer/rules/zone_map_filter.h"

#include <set>

#include "binder/expression_walker.h"

namespace floe {

namespace {

/// The scan a filter sits on: which stored columns its outputs are.
struct ScanColumns {
    const std::vector<size_t>& column_ids;
    const std::vector<LogicalType>& table_types;
};

void Collect(const BoundExpression& expr, const ScanColumns& get, std::vector<ZonePredicate>& out) {
    if (expr.kind != BoundExprKind::FUNCTION) return;
    const auto& f = static_cast<const BoundFunction&>(expr);
    if (f.function.name == "and" && f.args.size() == 2) {
        Collect(*f.args[0], get, out);
        Collect(*f.args[1], get, out);
        return;
    }
    static const std::set<std::string> kCompare = {"equal", "less", "less_equal", "greater", "greater_equal"};
    if (!kCompare.count(f.function.name) || f.args.size() != 2) return;
    std::string op = f.function.name;
    const BoundExpression* col = f.args[0].get();
    const BoundExpression* constant = f.args[1].get();
    if (col->kind == BoundExprKind::CONSTANT) {
        std::swap(col, constant);
        if (op == "less")
            op = "greater";
        else if (op == "greater")
            op = "less";
        else if (op == "less_equal")
            op = "greater_equal";
        else if (op == "greater_equal")
            op = "less_equal";
    }
    if (constant->kind != BoundExprKind::CONSTANT) return;
    if (col->kind == BoundExprKind::CAST) {
        // An integer column widened for the comparison compares the same (zone maps hold int64).
        const auto& cast = static_cast<const BoundCast&>(*col);
        const LogicalType& from = cast.child->type;
        if (cast.child->kind == BoundExprKind::COLUMN_REF && from.IsInteger() && cast.type.IsInteger() &&
            from.id != TypeId::LARGEINT && cast.type.id != TypeId::LARGEINT) {
            col = cast.child.get();
            const Value& v = static_cast<const BoundConstant&>(*constant).value;
            if (v.is_null() || !v.type().IsInteger() || v.type().id == TypeId::LARGEINT) return;
            size_t output = static_cast<const BoundColumnRef&>(*col).index;
            if (output >= get.column_ids.size() || get.column_ids[output] >= get.table_types.size()) return;
            out.push_back(ZonePredicate{get.column_ids[output], op, v});
            return;
        }
    }
    if (col->kind != BoundExprKind::COLUMN_REF) return;
    const Value& value = static_cast<const BoundConstant&>(*constant).value;
    bool same_type = value.type() == col->type || (value.type().IsString() && col->type.IsString());
    if (!same_type || value.is_null()) return;
    size_t output = static_cast<const BoundColumnRef&>(*col).index;
    if (output >= get.column_ids.size() || get.column_ids[output] >= get.table_types.size()) return;
    out.push_back(ZonePredicate{get.column_ids[output], op, value});
}

void Apply(LogicalOperator& op) {
    for (auto& child : op.children) Apply(*child);
    if (op.type != LogicalOperatorType::FILTER || op.children.empty()) return;
    const BoundExpression& condition = *static_cast<LogicalFilter&>(op).condition;
    if (op.children[0]->type == LogicalOperatorType::GET) {
        auto& get = static_cast<LogicalGet&>(*op.children[0]);
        get.zone_predicates.clear();
        Collect(condition, ScanColumns{get.column_ids, get.table_types}, get.zone_predicates);
    } else if (op.children[0]->type == LogicalOperatorType::TABLE_FUNCTION) {
        // FILES(): row groups whose statistics rule a conjunct out are skipped.
        auto& tf = static_cast<LogicalTableFunction&>(*op.children[0]);
        if (!tf.ReadsColumns()) return;
        tf.zone_predicates.clear();
        Collect(condition, ScanColumns{tf.column_ids, tf.file_types}, tf.zone_predicates);
    }
}

}  // namespace

LogicalOperatorPtr ZoneMapFilter::Apply(LogicalOperatorPtr plan) {
    floe::Apply(*plan);
    return plan;
}

}  // namespace floe
