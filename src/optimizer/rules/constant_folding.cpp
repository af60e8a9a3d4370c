#include "optimizer/rules/constant_folding.h"

#include "function/cast.h"

namespace floe {

namespace {

/// Functions whose value changes from call to call: never folded.
bool Volatile(const std::string& name) {
    return name == "rand" || name == "random" || name == "uuid" || name == "sleep";
}

}  // namespace

void FoldConstants(BoundExprPtr& e) {
    switch (e->kind) {
        case BoundExprKind::FUNCTION: {
            auto& f = static_cast<BoundFunction&>(*e);
            bool constant = true;
            for (auto& a : f.args) {
                FoldConstants(a);
                constant &= a->kind == BoundExprKind::CONSTANT;
            }
            // (A lambda's kernel needs the executor to evaluate the lambda first.)
            if (!constant || f.lambda || !f.function.kernel || Volatile(f.function.name)) return;
            // Run the kernel once over one-row columns of the constants.
            try {
                std::vector<std::unique_ptr<Column>> columns;
                std::vector<const Column*> args;
                for (const auto& a : f.args) {
                    const Value& v = static_cast<const BoundConstant&>(*a).value;
                    auto col = std::make_unique<Column>(a->type, 1);
                    col->Resize(1);
                    if (v.is_null()) {
                        col->SetNull(0, true);
                    } else {
                        col->SetValue(0, v);
                    }
                    args.push_back(col.get());
                    columns.push_back(std::move(col));
                }
                Column out(f.type, 1);
                out.Resize(1);
                out.SetNull(0, false);
                f.function.kernel(args, 1, out);
                Value v = out.IsNull(0) ? Value::Null(f.type) : out.GetValue(0);
                if (!(v.type() == f.type)) return;
                bool nullable = f.nullable;
                e = std::make_unique<BoundConstant>(std::move(v));
                e->nullable = nullable || e->nullable;
            } catch (const std::exception&) {
                // An error (division by zero, a bad value): leave it for run time, row by row.
            }
            return;
        }
        case BoundExprKind::CAST: {
            auto& c = static_cast<BoundCast&>(*e);
            FoldConstants(c.child);
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

namespace {

void Fold(BoundExprPtr& e) {
    FoldConstants(e);
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
