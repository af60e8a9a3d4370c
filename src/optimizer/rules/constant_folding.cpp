#include "optimizer/rules/constant_folding.h"

#include "function/cast.h"

namespace floe {

namespace {

void Fold(BoundExprPtr& e) {
    switch (e->kind) {
        case BoundExprKind::FUNCTION:
            for (auto& a : static_cast<BoundFunction&>(*e).args) Fold(a);
            return;
        case BoundExprKind::CAST: {
            auto& c = static_cast<BoundCast&>(*e);
            Fold(c.child);
            if (c.child->kind != BoundExprKind::CONSTANT) return;
            try {
                Value v = CastValue(static_cast<BoundConstant&>(*c.child).value, c.type);
                if (!(v.type() == c.type)) return;
                bool nullable = c.nullable;
                e = std::make_unique<BoundConstant>(std::move(v));
                e->nullable = nullable || e->nullable;
            } catch (const std::exception&) {
                // Leave it for run time.
            }
            return;
        }
        default:
            return;
    }
}

void Visit(LogicalOperator& op) {
    switch (op.type) {
        case LogicalOperatorType::FILTER:
            Fold(static_cast<LogicalFilter&>(op).condition);
            break;
        case LogicalOperatorType::PROJECTION:
            for (auto& e : static_cast<LogicalProjection&>(op).expressions) Fold(e);
            break;
        case LogicalOperatorType::AGGREGATE: {
            auto& a = static_cast<LogicalAggregate&>(op);
            for (auto& g : a.groups) Fold(g);
            for (auto& agg : a.aggregates) {
                for (auto& arg : agg.args) Fold(arg);
            }
            break;
        }
        case LogicalOperatorType::ORDER_BY:
            for (auto& o : static_cast<LogicalOrderBy&>(op).orders) Fold(o.expr);
            break;
        case LogicalOperatorType::JOIN: {
            auto& j = static_cast<LogicalJoin&>(op);
            for (auto& k : j.left_keys) Fold(k);
            for (auto& k : j.right_keys) Fold(k);
            if (j.condition) Fold(j.condition);
            break;
        }
        case LogicalOperatorType::VALUES:
            for (auto& row : static_cast<LogicalValues&>(op).rows) {
                for (auto& e : row) Fold(e);
            }
            break;
        default:
            break;
    }
    for (auto& child : op.children) Visit(*child);
}

}  // namespace

LogicalOperatorPtr ConstantFolding::Apply(LogicalOperatorPtr plan) {
    Visit(*plan);
    return plan;
}

}  // namespace floe
