#include "optimizer/rules/filter_pushdown.h"

#include "binder/expression_walker.h"

namespace floe {

namespace {

using Predicates = std::vector<BoundExprPtr>;

LogicalOperatorPtr Wrap(LogicalOperatorPtr op, Predicates preds) {
    if (preds.empty()) return op;
    auto filter = std::make_unique<LogicalFilter>();
    filter->types = op->types;
    filter->condition = CombineConjunction(std::move(preds));
    filter->children.push_back(std::move(op));
    return filter;
}

LogicalOperatorPtr Push(LogicalOperatorPtr op, Predicates preds);

bool IsCall(const BoundExpression& e, const char* name) {
    return e.kind == BoundExprKind::FUNCTION && static_cast<const BoundFunction&>(e).function.name == name;
}

void SplitDisjunction(const BoundExpression& e, std::vector<const BoundExpression*>& out) {
    if (IsCall(e, "or")) {
        for (const auto& a : static_cast<const BoundFunction&>(e).args) SplitDisjunction(*a, out);
    } else {
        out.push_back(&e);
    }
}

/// An OR that reads both sides of a join implies, for one side, the OR over its branches of what
/// each branch says about that side alone: (n1 = 'FRANCE' AND n2 = 'GERMANY') OR (n1 = 'GERMANY'
/// AND n2 = 'FRANCE') implies n1 IN (FRANCE, GERMANY) and n2 IN (...) (TPC-H Q7). Null when some
/// branch says nothing about that side. The OR itself still has to be applied.
BoundExprPtr ImpliedSideFilter(const BoundExpression& e, size_t left_width, bool left_side) {
    if (!IsCall(e, "or")) return nullptr;
    std::vector<const BoundExpression*> branches;
    SplitDisjunction(e, branches);
    std::vector<BoundExprPtr> implied;
    for (const BoundExpression* branch : branches) {
        Predicates parts, mine;
        SplitConjunction(branch->Copy(), parts);
        for (auto& part : parts) {
            bool reads_left = false, reads_right = false;
            ForEachColumn(*part, [&](size_t i) { (i < left_width ? reads_left : reads_right) = true; });
            if (left_side ? (reads_left && !reads_right) : (reads_right && !reads_left))
                mine.push_back(std::move(part));
        }
        if (mine.empty()) return nullptr;
        implied.push_back(CombineConjunction(std::move(mine)));
    }
    BoundExprPtr out = std::move(implied[0]);
    for (size_t i = 1; i < implied.size(); ++i) {
        auto f = std::make_unique<BoundFunction>(static_cast<const BoundFunction&>(e).function);
        f->type = e.type;
        f->args.push_back(std::move(out));
        f->args.push_back(std::move(implied[i]));
        out = std::move(f);
    }
    if (!left_side) ShiftColumns(*out, left_width);
    return out;
}

LogicalOperatorPtr PushJoin(LogicalOperatorPtr op, Predicates preds) {
    auto& join = static_cast<LogicalJoin&>(*op);
    size_t left_width = join.children[0]->types.size();
    Predicates left, right, keep;
    BoundJoinType t = join.join_type;
    bool inner = t == BoundJoinType::INNER || t == BoundJoinType::CROSS;
    // The join's own ON conjuncts that read one side can filter that side first (inner joins).
    if (inner && join.condition) {
        Predicates on, rest;
        SplitConjunction(std::move(join.condition), on);
        for (auto& p : on) {
            bool reads_left = false, reads_right = false;
            ForEachColumn(*p, [&](size_t i) { (i < left_width ? reads_left : reads_right) = true; });
            if (!reads_right)
                left.push_back(std::move(p));
            else if (!reads_left) {
                ShiftColumns(*p, left_width);
                right.push_back(std::move(p));
            } else {
                for (bool side : {true, false}) {
                    if (auto implied = ImpliedSideFilter(*p, left_width, side)) {
                        (side ? left : right).push_back(std::move(implied));
                    }
                }
                rest.push_back(std::move(p));
            }
        }
        join.condition = rest.empty() ? nullptr : CombineConjunction(std::move(rest));
    }
    for (auto& p : preds) {
        bool reads_left = false, reads_right = false;
        ForEachColumn(*p, [&](size_t i) { (i < left_width ? reads_left : reads_right) = true; });
        bool left_ok = inner || t == BoundJoinType::LEFT || t == BoundJoinType::SINGLE || t == BoundJoinType::SEMI ||
                       t == BoundJoinType::ANTI;
        bool right_ok = inner || t == BoundJoinType::RIGHT;
        if (!reads_right && left_ok) {
            left.push_back(std::move(p));
        } else if (!reads_left && reads_right && right_ok) {
            ShiftColumns(*p, left_width);
            right.push_back(std::move(p));
        } else if (inner) {
            for (bool side : {true, false}) {
                if (auto implied = ImpliedSideFilter(*p, left_width, side)) {
                    (side ? left : right).push_back(std::move(implied));
                }
            }
            Predicates parts;
            if (join.condition) parts.push_back(std::move(join.condition));
            parts.push_back(std::move(p));
            join.condition = CombineConjunction(std::move(parts));
            if (join.join_type == BoundJoinType::CROSS) join.join_type = BoundJoinType::INNER;
        } else {
            keep.push_back(std::move(p));
        }
    }
    join.children[0] = Push(std::move(join.children[0]), std::move(left));
    join.children[1] = Push(std::move(join.children[1]), std::move(right));
    return Wrap(std::move(op), std::move(keep));
}

LogicalOperatorPtr Push(LogicalOperatorPtr op, Predicates preds) {
    switch (op->type) {
        case LogicalOperatorType::FILTER: {
            auto& f = static_cast<LogicalFilter&>(*op);
            SplitConjunction(std::move(f.condition), preds);
            return Push(std::move(op->children[0]), std::move(preds));
        }
        case LogicalOperatorType::PROJECTION: {
            auto& p = static_cast<LogicalProjection&>(*op);
            Predicates below;
            for (auto& pred : preds) {
                below.push_back(SubstituteColumns(*pred, [&](size_t i) { return p.expressions[i]->Copy(); }));
            }
            op->children[0] = Push(std::move(op->children[0]), std::move(below));
            return op;
        }
        case LogicalOperatorType::AGGREGATE: {
            auto& a = static_cast<LogicalAggregate&>(*op);
            Predicates below, keep;
            for (auto& pred : preds) {
                bool keys_only = true;
                ForEachColumn(*pred, [&](size_t i) { keys_only &= i < a.groups.size(); });
                if (keys_only && !a.groups.empty()) {
                    below.push_back(SubstituteColumns(*pred, [&](size_t i) { return a.groups[i]->Copy(); }));
                } else {
                    keep.push_back(std::move(pred));
                }
            }
            op->children[0] = Push(std::move(op->children[0]), std::move(below));
            return Wrap(std::move(op), std::move(keep));
        }
        case LogicalOperatorType::ORDER_BY:
            op->children[0] = Push(std::move(op->children[0]), std::move(preds));
            return op;
        case LogicalOperatorType::UNION_ALL: {
            for (auto& child : op->children) {
                Predicates copy;
                for (const auto& p : preds) copy.push_back(p->Copy());
                child = Push(std::move(child), std::move(copy));
            }
            return op;
        }
        case LogicalOperatorType::JOIN:
            return PushJoin(std::move(op), std::move(preds));
        default: {
            for (auto& child : op->children) child = Push(std::move(child), {});
            return Wrap(std::move(op), std::move(preds));
        }
    }
}

}  // namespace

LogicalOperatorPtr FilterPushdown::Apply(LogicalOperatorPtr plan) {
    return Push(std::move(plan), {});
}

}  // namespace floe
