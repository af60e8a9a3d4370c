#include "optimizer/rules/column_pruning.h"

#include <numeric>

#include "binder/expression_walker.h"

namespace floe {

namespace {

constexpr size_t kDropped = SIZE_MAX;
using ColumnMap = std::vector<size_t>;  // old output column -> new one, or kDropped

/// Marks the columns `e` reads, numbered from `offset`, in `needed` (columns outside it are skipped).
void Mark(const BoundExpression& e, std::vector<bool>& needed, size_t offset = 0) {
    ForEachColumn(e, [&](size_t c) {
        if (c >= offset && c - offset < needed.size()) needed[c - offset] = true;
    });
}

void Remap(BoundExpression& e, const ColumnMap& map) {
    RemapColumns(e, [&](size_t c) { return map[c]; });
}

ColumnMap Identity(size_t n) {
    ColumnMap m(n);
    std::iota(m.begin(), m.end(), size_t{0});
    return m;
}

ColumnMap Prune(LogicalOperator& op, const std::vector<bool>& needed);

/// Prunes a child that passes its columns through unchanged (filter, sort, limit).
ColumnMap PassThrough(LogicalOperator& op, const std::vector<bool>& needed) {
    ColumnMap m = Prune(*op.children[0], needed);
    op.types = op.children[0]->types;
    return m;
}

ColumnMap Prune(LogicalOperator& op, const std::vector<bool>& needed) {
    switch (op.type) {
        case LogicalOperatorType::GET: {
            auto& get = static_cast<LogicalGet&>(op);
            std::vector<size_t> ids;
            std::vector<LogicalType> types;
            ColumnMap m(op.types.size(), kDropped);
            for (size_t i = 0; i < op.types.size(); ++i) {
                if (!needed[i]) continue;
                m[i] = ids.size();
                ids.push_back(get.column_ids[i]);
                types.push_back(op.types[i]);
            }
            if (ids.empty() && !op.types.empty()) {
                // Nothing is read (count(*)): keep the narrowest column for the row count.
                size_t best = 0;
                for (size_t i = 1; i < op.types.size(); ++i) {
                    if (op.types[i].PhysicalSize() < op.types[best].PhysicalSize()) best = i;
                }
                m[best] = 0;
                ids.push_back(get.column_ids[best]);
                types.push_back(op.types[best]);
            }
            get.column_ids = std::move(ids);
            op.types = std::move(types);
            return m;
        }
        case LogicalOperatorType::FILTER: {
            auto& f = static_cast<LogicalFilter&>(op);
            std::vector<bool> need = needed;
            Mark(*f.condition, need);
            ColumnMap m = PassThrough(op, need);
            Remap(*f.condition, m);
            return m;
        }
        case LogicalOperatorType::ORDER_BY: {
            auto& o = static_cast<LogicalOrderBy&>(op);
            std::vector<bool> need = needed;
            for (const auto& ob : o.orders) Mark(*ob.expr, need);
            ColumnMap m = PassThrough(op, need);
            for (auto& ob : o.orders) Remap(*ob.expr, m);
            return m;
        }
        case LogicalOperatorType::LIMIT:
            return PassThrough(op, needed);
        case LogicalOperatorType::PROJECTION: {
            auto& p = static_cast<LogicalProjection&>(op);
            ColumnMap m(p.expressions.size(), kDropped);
            std::vector<BoundExprPtr> kept;
            std::vector<LogicalType> types;
            for (size_t i = 0; i < p.expressions.size(); ++i) {
                // Keep at least one column so chunks still carry their row count.
                if (!needed[i] && !(i + 1 == p.expressions.size() && kept.empty())) continue;
                m[i] = kept.size();
                kept.push_back(std::move(p.expressions[i]));
                types.push_back(op.types[i]);
            }
            std::vector<bool> need(op.children[0]->types.size(), false);
            for (const auto& e : kept) Mark(*e, need);
            ColumnMap cm = Prune(*op.children[0], need);
            for (auto& e : kept) Remap(*e, cm);
            p.expressions = std::move(kept);
            op.types = std::move(types);
            return m;
        }
        case LogicalOperatorType::UNNEST: {
            // The input's columns that are needed or that the arrays read; the elements stay.
            auto& u = static_cast<LogicalUnnest&>(op);
            size_t width = op.children[0]->types.size();
            std::vector<bool> need(width, false);
            for (size_t i = 0; i < width; ++i) need[i] = needed[i];
            for (const auto& a : u.arrays) Mark(*a, need);
            ColumnMap cm = Prune(*op.children[0], need);
            for (auto& a : u.arrays) Remap(*a, cm);
            size_t new_width = op.children[0]->types.size();
            ColumnMap m(op.types.size(), kDropped);
            for (size_t i = 0; i < width; ++i) m[i] = cm[i];
            for (size_t k = 0; k < u.arrays.size(); ++k) m[width + k] = new_width + k;
            std::vector<LogicalType> types = op.children[0]->types;
            types.insert(types.end(), op.types.begin() + static_cast<std::ptrdiff_t>(width), op.types.end());
            op.types = std::move(types);
            return m;
        }
        case LogicalOperatorType::AGGREGATE: {
            auto& a = static_cast<LogicalAggregate&>(op);
            // Aggregates nobody reads are not computed (groups stay: they define the rows).
            size_t groups = a.groups.size();
            ColumnMap out(op.types.size(), kDropped);
            for (size_t i = 0; i < groups; ++i) out[i] = i;
            std::vector<BoundAggregate> kept;
            std::vector<LogicalType> types(op.types.begin(), op.types.begin() + static_cast<std::ptrdiff_t>(groups));
            for (size_t i = 0; i < a.aggregates.size(); ++i) {
                if (!needed[groups + i]) continue;
                out[groups + i] = types.size();
                types.push_back(op.types[groups + i]);
                kept.push_back(std::move(a.aggregates[i]));
            }
            a.aggregates = std::move(kept);
            op.types = std::move(types);
            std::vector<bool> need(op.children[0]->types.size(), false);
            for (const auto& g : a.groups) Mark(*g, need);
            for (const auto& agg : a.aggregates) {
                for (const auto& arg : agg.args) Mark(*arg, need);
            }
            ColumnMap cm = Prune(*op.children[0], need);
            for (auto& g : a.groups) Remap(*g, cm);
            for (auto& agg : a.aggregates) {
                for (auto& arg : agg.args) Remap(*arg, cm);
            }
            return out;
        }
        case LogicalOperatorType::JOIN: {
            auto& j = static_cast<LogicalJoin&>(op);
            size_t lw = op.children[0]->types.size(), rw = op.children[1]->types.size();
            bool right_out = op.types.size() == lw + rw;
            std::vector<bool> ln(lw, false), rn(rw, false);
            for (size_t i = 0; i < lw; ++i) ln[i] = needed[i];
            for (size_t i = 0; right_out && i < rw; ++i) rn[i] = needed[lw + i];
            for (const auto& k : j.left_keys) Mark(*k, ln);
            for (const auto& k : j.right_keys) Mark(*k, rn);
            if (j.condition) {
                Mark(*j.condition, ln);
                Mark(*j.condition, rn, lw);
            }
            ColumnMap lm = Prune(*op.children[0], ln);
            ColumnMap rm = Prune(*op.children[1], rn);
            size_t new_lw = op.children[0]->types.size();
            ColumnMap m(lw + rw, kDropped);
            for (size_t i = 0; i < lw; ++i) m[i] = lm[i];
            for (size_t i = 0; i < rw; ++i) m[lw + i] = rm[i] == kDropped ? kDropped : new_lw + rm[i];
            for (auto& k : j.left_keys) Remap(*k, lm);
            for (auto& k : j.right_keys) Remap(*k, rm);
            if (j.condition) Remap(*j.condition, m);
            op.types = op.children[0]->types;
            if (right_out) {
                op.types.insert(op.types.end(), op.children[1]->types.begin(), op.children[1]->types.end());
            } else {
                m.resize(lw);
            }
            return m;
        }
        case LogicalOperatorType::TABLE_FUNCTION: {
            auto& tf = static_cast<LogicalTableFunction&>(op);
            if (!tf.ReadsColumns()) return Identity(op.types.size());
            // FILES(): read only the columns needed (at least one, for the row count).
            std::vector<size_t> ids;
            std::vector<LogicalType> types;
            ColumnMap m(op.types.size(), kDropped);
            for (size_t i = 0; i < op.types.size(); ++i) {
                if (!needed[i]) continue;
                m[i] = ids.size();
                ids.push_back(tf.column_ids[i]);
                types.push_back(op.types[i]);
            }
            if (ids.empty() && !op.types.empty()) {
                m[0] = 0;
                ids.push_back(tf.column_ids[0]);
                types.push_back(op.types[0]);
            }
            tf.column_ids = std::move(ids);
            op.types = std::move(types);
            return m;
        }
        case LogicalOperatorType::UNION_ALL: {
            // UNION ALL does not compare rows: every branch drops the columns nobody reads (a
            // tiered table's hot and cold branches, views over UNION ALL). Branches are projections
            // (each SELECT's list), which then output exactly the kept columns.
            bool projections = true;
            for (const auto& child : op.children) projections &= child->type == LogicalOperatorType::PROJECTION;
            if (!projections) break;
            std::vector<bool> need = needed;
            bool any = false;
            for (bool n : need) any |= n;
            if (!any && !need.empty()) need[0] = true;  // one column carries the row count
            ColumnMap m(op.types.size(), kDropped);
            std::vector<LogicalType> types;
            for (size_t i = 0; i < need.size(); ++i) {
                if (!need[i]) continue;
                m[i] = types.size();
                types.push_back(op.types[i]);
            }
            for (auto& child : op.children) Prune(*child, need);
            op.types = std::move(types);
            return m;
        }
        default:
            break;
    }
    switch (op.type) {
        default:
            // VALUES, table functions and set operations keep their columns (set operations compare
            // whole rows); their inputs are pruned on their own.
            for (auto& child : op.children) Prune(*child, std::vector<bool>(child->types.size(), true));
            return Identity(op.types.size());
    }
}

}  // namespace

LogicalOperatorPtr ColumnPruning::Apply(LogicalOperatorPtr plan) {
    Prune(*plan, std::vector<bool>(plan->types.size(), true));
    return plan;
}

}  // namespace floe
