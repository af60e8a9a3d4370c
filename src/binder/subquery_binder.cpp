// Subqueries in expressions, decorrelated into joins rather than run per row.
//
// A subquery that reads columns of the enclosing SELECT is rewritten over D, the distinct values of
// those columns (the enclosing FROM bound a second time): D is cross-joined into the subquery's
// FROM, its columns are added to the subquery's GROUP BY (when it aggregates) and output first, and
// the enclosing FROM is LEFT-joined to the result on D's columns (NULL-safe). Then:
//   scalar:  the value column (SINGLE join: more than one row per outer row is an error);
//            a bare COUNT is coalesced to 0 for outer rows without matches;
//   EXISTS:  SELECT DISTINCT D, TRUE FROM sub: a match marker;
//   IN:      a marker for (D, value) matches plus per-D counts of rows and non-NULL values, which
//            give SQL's three-valued result when nothing matches.
// Uncorrelated subqueries take the same road with no D.
#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "binder/binder.h"
#include "binder/binder_internal.h"
#include "binder/expression_walker.h"
#include "common/ascii.h"
#include "common/check.h"
#include "common/exception.h"
#include "function/function_registry.h"

namespace floe {

namespace {

using binder_internal::At;

/// Renumbers a subquery expression after D's k columns were put in front of its input:
/// correlated references become D columns, the others move right by k.
void Renumber(BoundExpression& e, size_t k) {
    switch (e.kind) {
        case BoundExprKind::COLUMN_REF: {
            auto& ref = static_cast<BoundColumnRef&>(e);
            ref.index = ref.index >= kCorrelatedBase ? ref.index - kCorrelatedBase : ref.index + k;
            break;
        }
        case BoundExprKind::CAST:
            Renumber(*static_cast<BoundCast&>(e).child, k);
            break;
        case BoundExprKind::FUNCTION:
            for (auto& a : static_cast<BoundFunction&>(e).args) Renumber(*a, k);
            break;
        default:
            break;
    }
}

BoundExprPtr Call(const std::string& name, std::vector<BoundExprPtr> args) {
    std::vector<LogicalType> types;
    for (const auto& a : args) types.push_back(a->type);
    BoundScalarFunction fn = FunctionRegistry::Instance().BindScalar(name, types);
    for (size_t i = 0; i < args.size(); ++i) args[i] = AddCastIfNeeded(std::move(args[i]), fn.arg_types[i]);
    auto f = std::make_unique<BoundFunction>(std::move(fn));
    f->args = std::move(args);
    return f;
}

template <typename... Args>
std::vector<BoundExprPtr> List(Args... args) {
    std::vector<BoundExprPtr> v;
    (v.push_back(std::move(args)), ...);
    return v;
}

BoundExprPtr Ref(size_t index, const LogicalType& type, std::string name = "") {
    return std::make_unique<BoundColumnRef>(index, type, std::move(name));
}

BoundExprPtr Constant(Value v) {
    return std::make_unique<BoundConstant>(std::move(v));
}

/// SELECT [DISTINCT] <first k columns of inner>, <extra...> FROM (inner) [GROUP BY first k].
std::unique_ptr<BoundSelect> Wrap(std::unique_ptr<BoundQueryNode> inner, size_t k) {
    auto outer = std::make_unique<BoundSelect>();
    auto sub = std::make_unique<BoundSubqueryRef>();
    for (const auto& c : inner->output) sub->types.push_back(c.type);
    sub->query = std::move(inner);
    for (size_t i = 0; i < k; ++i) {
        outer->output.push_back(static_cast<BoundSubqueryRef&>(*sub).query->output[i]);
    }
    outer->from = std::move(sub);
    return outer;
}

}  // namespace

std::pair<size_t, size_t> Binder::CorrelatedSource(size_t frame, size_t slot) const {
    while (true) {
        size_t entry = subquery_frames_[frame].correlated[slot];
        if (entry < kCorrelatedBase) return {frame, entry};
        FLOE_CHECK(frame > 0);
        --frame;
        slot = entry - kCorrelatedBase;
    }
}

const ScopeColumn& Binder::OuterColumn(size_t c) const {
    if (c < kCorrelatedBase) return scope_[c];
    auto [frame, index] = CorrelatedSource(subquery_frames_.size() - 1, c - kCorrelatedBase);
    return subquery_frames_[frame].outer_scope[index];
}

std::unique_ptr<BoundQueryNode> Binder::BindInSubqueryFrame(const ast::QueryNode& query, SubqueryFrame& frame) {
    SubqueryFrame entered;
    entered.outer_scope = scope_;
    entered.outer_from = select_state_ ? select_state_->from_ast : nullptr;
    subquery_frames_.push_back(std::move(entered));
    auto saved_scope = scope_;
    std::unique_ptr<BoundQueryNode> inner;
    try {
        inner = BindQueryNode(query);
    } catch (...) {
        subquery_frames_.pop_back();
        scope_ = std::move(saved_scope);
        throw;
    }
    frame = std::move(subquery_frames_.back());
    subquery_frames_.pop_back();
    scope_ = std::move(saved_scope);
    return inner;
}

std::unique_ptr<BoundQueryNode> Binder::BindSubqueryQuery(const ast::SubqueryExpr& expr,
                                                          std::vector<size_t>* outer_columns) {
    SubqueryFrame frame;
    std::unique_ptr<BoundQueryNode> inner = BindInSubqueryFrame(*expr.query, frame);
    *outer_columns = frame.correlated;
    size_t k = frame.correlated.size();
    if (k == 0) return inner;
    if (inner->kind != BoundQueryKind::SELECT || inner->limit || inner->offset > 0) {
        throw NotSupportedError(At(expr.location) +
                                "correlated subqueries with set operations, LIMIT or OFFSET are not supported yet");
    }
    auto& select = static_cast<BoundSelect&>(*inner);
    // D: the distinct correlated values of the enclosing FROM. When they all come from one item of
    // a FROM without outer joins, that item alone gives them: a superset of the values the
    // enclosing rows hold (extra values find no row to join), without the cross product of the
    // other items, whose join conditions are still in WHERE. The values of a column of a query
    // further out (which the enclosing query reads as a correlated column) come from that query's
    // FROM, crossed in: a superset too.
    std::vector<size_t> real;  // correlated columns of the enclosing FROM
    for (size_t c : frame.correlated) {
        if (c < kCorrelatedBase) real.push_back(c);
    }
    auto d = std::make_unique<BoundSelect>();
    const ast::TableRef* source = nullptr;
    if (!real.empty()) {
        std::string table = scope_[real[0]].table;
        bool one_table = !table.empty();
        for (size_t c : real) one_table = one_table && scope_[c].table == table;
        bool outer_join = false;
        std::function<void(const ast::TableRef&)> find = [&](const ast::TableRef& ref) {
            if (ref.kind == ast::TableRefKind::JOIN) {
                const auto& j = static_cast<const ast::JoinTableRef&>(ref);
                if (j.join_type == ast::JoinType::LEFT || j.join_type == ast::JoinType::RIGHT ||
                    j.join_type == ast::JoinType::FULL) {
                    outer_join = true;
                }
                find(*j.left);
                find(*j.right);
                return;
            }
            std::string name = ref.alias;
            if (name.empty() && ref.kind == ast::TableRefKind::BASE)
                name = static_cast<const ast::BaseTableRef&>(ref).table;
            if (one_table && AsciiEqualsIgnoreCase(name, table)) source = source ? nullptr : &ref;
        };
        find(*select_state_->from_ast);
        if (outer_join) source = nullptr;
    }
    std::vector<size_t> real_at;  // per real column: its column in D's FROM
    if (!real.empty()) {
        auto saved = scope_;
        scope_.clear();
        d->from = BindTableRef(source ? *source : *select_state_->from_ast);
        std::vector<ScopeColumn> d_scope = scope_;
        scope_ = std::move(saved);
        for (size_t c : real) {
            const ScopeColumn& col = scope_[c];
            size_t at = c;
            if (source) {
                at = SIZE_MAX;
                for (size_t i = 0; i < d_scope.size(); ++i) {
                    if (d_scope[i].table == col.table && d_scope[i].name == col.name) at = i;
                }
                if (at == SIZE_MAX) throw InternalError("correlated column " + col.name + " not found in its table");
            }
            real_at.push_back(at);
        }
        if (source && select_state_->where_ast) {
            // The enclosing WHERE's conjuncts on that item alone hold for every enclosing row, so
            // they filter D too (TPC-H Q17: the 200 parts of one brand and container instead of all
            // 200,000). A conjunct that reads other columns, or holds this subquery, does not bind
            // here and is left out.
            std::vector<const ast::Expr*> parts;
            std::function<void(const ast::Expr&)> split = [&](const ast::Expr& e) {
                if (e.kind == ast::ExprKind::BINARY &&
                    static_cast<const ast::BinaryExpr&>(e).op == ast::BinaryOp::AND) {
                    split(*static_cast<const ast::BinaryExpr&>(e).left);
                    split(*static_cast<const ast::BinaryExpr&>(e).right);
                } else {
                    parts.push_back(&e);
                }
            };
            split(*select_state_->where_ast);
            auto outer_scope = scope_;
            auto saved_frames = std::move(subquery_frames_);
            subquery_frames_.clear();
            SelectState* saved_state = select_state_;
            const ast::SubqueryExpr* saved_decorrelating = decorrelating_;
            // Subqueries in the conjuncts (an uncorrelated IN, TPC-H Q20) join D's FROM.
            SelectState d_state;
            d_state.from_ast = source;
            d_state.width = d_scope.size();
            select_state_ = &d_state;
            decorrelating_ = &expr;
            std::vector<BoundExprPtr> filters;
            for (const ast::Expr* part : parts) {
                // x IN (uncorrelated subquery) as a conjunct: a semi join, as in any WHERE.
                if (part->kind == ast::ExprKind::SUBQUERY &&
                    static_cast<const ast::SubqueryExpr&>(*part).subquery_kind == ast::SubqueryKind::IN &&
                    !static_cast<const ast::SubqueryExpr&>(*part).negated) {
                    d_state.semi_join_candidates.push_back(part);
                }
            }
            for (const ast::Expr* part : parts) {
                scope_ = d_scope;
                size_t joins = d_state.joins.size(), width = d_state.width;
                try {
                    filters.push_back(AddCastIfNeeded(Bind(*part), TypeId::BOOLEAN));
                } catch (const Exception&) {
                    d_state.joins.resize(joins);
                    d_state.width = width;
                }
            }
            decorrelating_ = saved_decorrelating;
            select_state_ = saved_state;
            subquery_frames_ = std::move(saved_frames);
            scope_ = std::move(outer_scope);
            for (auto& join : d_state.joins) {
                join->left = std::move(d->from);
                join->types = join->left->types;
                if (join->join_type != BoundJoinType::SEMI && join->join_type != BoundJoinType::ANTI) {
                    join->types.insert(join->types.end(), join->right->types.begin(), join->right->types.end());
                }
                d->from = std::move(join);
            }
            if (!filters.empty()) d->where = CombineConjunction(std::move(filters));
        }
    }
    // D's columns in slot order; columns of queries further out as derived tables
    // SELECT DISTINCT column FROM <that query's FROM>, crossed into D's FROM.
    for (size_t slot = 0, next_real = 0; slot < k; ++slot) {
        size_t c = frame.correlated[slot];
        const ScopeColumn& col = OuterColumn(c);
        size_t at;
        if (c < kCorrelatedBase) {
            at = real_at[next_real++];
        } else {
            auto [source_frame, index] = CorrelatedSource(subquery_frames_.size() - 1, c - kCorrelatedBase);
            const ast::TableRef* from = subquery_frames_[source_frame].outer_from;
            if (!from) throw InternalError("correlated column " + col.name + " has no FROM clause");
            auto values = std::make_unique<BoundSelect>();
            auto saved = scope_;
            scope_.clear();
            values->from = BindTableRef(*from);
            scope_ = std::move(saved);
            values->select_list.push_back(Ref(index, col.type, col.name));
            values->output.push_back({col.name, col.name, col.table, col.table, "", col.type, true});
            values->distinct = true;
            auto values_ref = std::make_unique<BoundSubqueryRef>();
            values_ref->types = {col.type};
            values_ref->query = std::move(values);
            if (!d->from) {
                at = 0;
                d->from = std::move(values_ref);
            } else {
                at = d->from->types.size();
                auto cross = std::make_unique<BoundJoinRef>();
                cross->join_type = BoundJoinType::CROSS;
                cross->types = d->from->types;
                cross->types.push_back(col.type);
                cross->left = std::move(d->from);
                cross->right = std::move(values_ref);
                d->from = std::move(cross);
            }
        }
        d->select_list.push_back(Ref(at, col.type, col.name));
        d->output.push_back({col.name, col.name, col.table, col.table, "", col.type, true});
    }
    d->distinct = true;
    auto d_ref = std::make_unique<BoundSubqueryRef>();
    for (const auto& c : d->output) d_ref->types.push_back(c.type);
    std::vector<LogicalType> d_types = d_ref->types;
    std::vector<BoundOutputColumn> d_output = d->output;
    d_ref->query = std::move(d);
    // FROM D × inner FROM, and renumber every expression of the subquery. D's columns come
    // first either way; D joins at the top, or, when a join on the left spine of the FROM reads
    // correlated columns in its keys or condition (the join for an IN whose operand is an
    // enclosing column, an ON condition naming one), below the lowest such join, so that they
    // are among that join's input. Joins on the way must keep every left row (with its D values).
    auto renumber = [&](BoundExprPtr& e) {
        if (e) Renumber(*e, k);
    };
    auto reads_correlated = [](const BoundExpression& e) {
        bool found = false;
        ForEachColumn(e, [&](size_t c) { found |= c >= kCorrelatedBase; });
        return found;
    };
    BoundTableRefPtr* bottom = &select.from;
    std::vector<BoundJoinRef*> spine;  // the joins D goes below, top first
    {
        std::vector<BoundJoinRef*> path;
        for (BoundTableRefPtr* at = &select.from; (*at)->kind == BoundTableRefKind::JOIN;) {
            auto& join = static_cast<BoundJoinRef&>(**at);
            bool keeps_left = join.join_type == BoundJoinType::INNER || join.join_type == BoundJoinType::CROSS ||
                              join.join_type == BoundJoinType::LEFT || join.join_type == BoundJoinType::SINGLE ||
                              join.join_type == BoundJoinType::SEMI || join.join_type == BoundJoinType::ANTI;
            if (!keeps_left) break;
            path.push_back(&join);
            at = &join.left;
            bool reads = join.condition && reads_correlated(*join.condition);
            for (const auto& key : join.left_keys) reads = reads || reads_correlated(*key);
            if (reads) {
                spine = path;
                bottom = at;
            }
        }
    }
    auto cross = std::make_unique<BoundJoinRef>();
    cross->join_type = BoundJoinType::CROSS;
    cross->types = d_types;
    cross->types.insert(cross->types.end(), (*bottom)->types.begin(), (*bottom)->types.end());
    cross->left = std::move(d_ref);
    cross->right = std::move(*bottom);
    *bottom = std::move(cross);
    for (BoundJoinRef* join : spine) {
        join->types.insert(join->types.begin(), d_types.begin(), d_types.end());
        for (auto& key : join->left_keys) renumber(key);
        renumber(join->condition);
    }
    renumber(select.where);
    for (auto& g : select.group_by) renumber(g);
    for (auto& a : select.aggregates) {
        for (auto& arg : a.args) renumber(arg);
    }
    for (auto& e : select.select_list) renumber(e);
    renumber(select.having);
    for (auto& o : select.order_by) renumber(o.expr);
    if (select.aggregated) {
        for (size_t i = k; i-- > 0;) select.group_by.insert(select.group_by.begin(), Ref(i, d_types[i]));
    }
    for (size_t i = k; i-- > 0;) {
        select.select_list.insert(select.select_list.begin(), Ref(i, d_types[i], d_output[i].name));
        select.output.insert(select.output.begin(), d_output[i]);
    }
    return inner;
}

size_t Binder::AddSubqueryJoin(std::unique_ptr<BoundQueryNode> right, BoundJoinType type,
                               std::vector<BoundExprPtr> left_keys, std::vector<BoundExprPtr> right_keys,
                               std::vector<bool> null_safe) {
    auto join = std::make_unique<BoundJoinRef>();
    join->join_type = left_keys.empty() && type == BoundJoinType::LEFT ? BoundJoinType::LEFT : type;
    auto sub = std::make_unique<BoundSubqueryRef>();
    for (const auto& c : right->output) sub->types.push_back(c.type);
    sub->query = std::move(right);
    join->right = std::move(sub);
    join->left_keys = std::move(left_keys);
    join->right_keys = std::move(right_keys);
    join->null_safe = std::move(null_safe);
    size_t start = select_state_->width;
    select_state_->width += join->right->types.size();
    select_state_->joins.push_back(std::move(join));
    return start;
}

BoundExprPtr Binder::BindSubquery(const ast::SubqueryExpr& expr) {
    if (&expr == decorrelating_) throw BinderError("a subquery cannot filter its own correlation values");
    if (!select_state_) {
        throw NotSupportedError(At(expr.location) + "subqueries are only supported in SELECT, WHERE and ORDER BY");
    }
    if (aggregate_context_) {
        // In an aggregated select list or HAVING: an uncorrelated scalar subquery is one value for
        // the whole query, joined before the aggregation and carried through it as any_value().
        if (expr.subquery_kind != ast::SubqueryKind::SCALAR) {
            throw NotSupportedError(At(expr.location) +
                                    "only scalar subqueries are supported in aggregated select lists and HAVING");
        }
        last_subquery_outer_.clear();
        AggregateContext& agg = *aggregate_context_;
        auto* saved = aggregate_context_;
        auto saved_scope = scope_;
        aggregate_context_ = nullptr;
        scope_ = agg.from_scope;
        BoundExprPtr value;
        try {
            value = BindSubquery(expr);
        } catch (...) {
            aggregate_context_ = saved;
            scope_ = std::move(saved_scope);
            throw;
        }
        aggregate_context_ = saved;
        scope_ = std::move(saved_scope);
        if (last_subquery_correlated_) {
            // Correlated on GROUP BY keys only, the subquery has one value per group: computed per
            // input row (decorrelated as in WHERE) and carried through the aggregation.
            bool on_keys = agg.grouping_keys == 0 && !last_subquery_outer_.empty();
            for (size_t c : last_subquery_outer_) {
                on_keys &= std::find(agg.group_columns.begin(), agg.group_columns.end(), c) != agg.group_columns.end();
            }
            if (!on_keys) {
                throw NotSupportedError(At(expr.location) +
                                        "a correlated subquery in an aggregated select list or HAVING may only read "
                                        "GROUP BY columns of the enclosing query");
            }
        }
        BoundAggregate a;
        a.function = FunctionRegistry::Instance().BindAggregate("any_value", {value->type}, false);
        LogicalType type = a.function.return_type;
        std::string text = "subquery#" + std::to_string(agg.aggregate_texts.size());
        a.args.push_back(AddCastIfNeeded(std::move(value), a.function.arg_types[0]));
        size_t index = agg.aggregate_texts.size();
        agg.aggregate_texts.push_back(text);
        agg.aggregates->push_back(std::move(a));
        return std::make_unique<BoundColumnRef>(agg.group_texts.size() + index, type, "subquery");
    }
    bool any = expr.subquery_kind == ast::SubqueryKind::ANY, all = expr.subquery_kind == ast::SubqueryKind::ALL;
    // = ANY is IN, <> ALL is NOT IN: bound as IN from the expression itself. (Moving its operand
    // and query into a temporary IN expression left this one empty while decorrelation re-bound
    // the enclosing WHERE, which holds it: a null dereference.)
    const bool in = expr.subquery_kind == ast::SubqueryKind::IN || (any && expr.compare == ast::BinaryOp::EQUAL) ||
                    (all && expr.compare == ast::BinaryOp::NOT_EQUAL);
    const bool negated = all || (in && expr.negated);
    if ((any || all) && !in) return BindQuantified(expr);
    BoundExprPtr lhs;
    if (in) {
        lhs = Bind(*expr.lhs);
        // IN becomes a join of the FROM clause on lhs = value, which runs before window functions
        // are computed: their results cannot be its key (the plan read a column that did not exist).
        bool window = false;
        ForEachColumn(*lhs, [&](size_t c) { window |= c >= kWindowBase && c < kCorrelatedBase; });
        if (window) {
            throw NotSupportedError(At(expr.lhs->location) +
                                    "a window function as the operand of IN (subquery) is not supported yet; compute "
                                    "it in a derived table");
        }
    }
    if (expr.subquery_kind == ast::SubqueryKind::EXISTS) {
        if (IsSemiJoinCandidate(expr) && BindExistsAsJoin(expr)) {
            last_subquery_correlated_ = true;
            return Constant(Value::Boolean(true));
        }
    }
    std::vector<size_t> outer;
    std::unique_ptr<BoundQueryNode> inner = BindSubqueryQuery(expr, &outer);
    size_t k = outer.size();
    last_subquery_correlated_ = k > 0;
    last_subquery_outer_ = outer;
    size_t value_columns = inner->output.size() - k;
    auto outer_keys = [&]() {
        std::vector<BoundExprPtr> keys;
        for (size_t c : outer) keys.push_back(Ref(c, OuterColumn(c).type, OuterColumn(c).name));
        return keys;
    };
    auto inner_keys = [&](const std::vector<LogicalType>& types) {
        std::vector<BoundExprPtr> keys;
        for (size_t i = 0; i < k; ++i) keys.push_back(Ref(i, types[i]));
        return keys;
    };
    std::vector<LogicalType> inner_types;
    for (const auto& c : inner->output) inner_types.push_back(c.type);

    if (expr.subquery_kind == ast::SubqueryKind::SCALAR) {
        if (value_columns != 1) {
            throw BinderError(At(expr.location) + "Operand should contain 1 column(s)", ErrorCode::WRONG_ARGUMENTS);
        }
        bool bare_count = false;
        if (k > 0 && inner->kind == BoundQueryKind::SELECT) {
            auto& s = static_cast<BoundSelect&>(*inner);
            if (s.aggregated && s.select_list.back()->kind == BoundExprKind::COLUMN_REF) {
                size_t idx = static_cast<BoundColumnRef&>(*s.select_list.back()).index;
                if (idx >= s.group_by.size() && idx - s.group_by.size() < s.aggregates.size()) {
                    bare_count = s.aggregates[idx - s.group_by.size()].function.name == "count";
                }
            }
        }
        LogicalType type = inner_types[k];
        size_t start = AddSubqueryJoin(std::move(inner), BoundJoinType::SINGLE, outer_keys(), inner_keys(inner_types),
                                       std::vector<bool>(k, true));
        BoundExprPtr value = Ref(start + k, type, "subquery");
        if (bare_count) value = Call("coalesce", List(std::move(value), Constant(Value::Integer(0))));
        return value;
    }
    if (expr.subquery_kind == ast::SubqueryKind::EXISTS) {
        // SELECT DISTINCT D, TRUE FROM (inner)
        inner->order_by.clear();
        auto mark = Wrap(std::move(inner), k);
        for (size_t i = 0; i < k; ++i) mark->select_list.push_back(Ref(i, inner_types[i]));
        mark->select_list.push_back(Constant(Value::Boolean(true)));
        mark->output.push_back({"mark", "", "", "", "", TypeId::BOOLEAN, false});
        mark->distinct = true;
        size_t start = AddSubqueryJoin(std::move(mark), BoundJoinType::LEFT, outer_keys(), inner_keys(inner_types),
                                       std::vector<bool>(k, true));
        BoundExprPtr found = Call(expr.negated ? "is_null" : "is_not_null", List(Ref(start + k, TypeId::BOOLEAN)));
        found->nullable = false;
        return found;
    }
    // IN (= ANY, <> ALL)
    if (value_columns != 1) {
        throw BinderError(At(expr.location) + "Operand should contain 1 column(s)", ErrorCode::WRONG_ARGUMENTS);
    }
    LogicalType common = CommonSuperType(lhs->type, inner_types[k]);
    if (common.id == TypeId::NULL_TYPE) common = TypeId::BIGINT;
    inner->order_by.clear();
    if (k == 0 && !negated && IsSemiJoinCandidate(expr)) {
        // x IN (uncorrelated subquery) as a WHERE conjunct: FALSE and NULL both drop the row, so a
        // semi join on x = value is exact (TPC-H Q18, Q20), and the subquery runs once.
        auto join = std::make_unique<BoundJoinRef>();
        join->join_type = BoundJoinType::SEMI;
        join->left_keys.push_back(AddCastIfNeeded(lhs->Copy(), common));
        join->right_keys.push_back(AddCastIfNeeded(Ref(0, inner_types[0], inner->output[0].name), common));
        join->null_safe.push_back(false);
        auto right = std::make_unique<BoundSubqueryRef>();
        right->types = inner_types;
        right->query = std::move(inner);
        join->right = std::move(right);
        select_state_->joins.push_back(std::move(join));
        return Constant(Value::Boolean(true));
    }
    // Matches: SELECT DISTINCT D, value FROM (inner), joined on D and lhs = value.
    auto matches = Wrap(std::move(inner), k);
    for (size_t i = 0; i <= k; ++i) matches->select_list.push_back(Ref(i, inner_types[i]));
    matches->output.push_back({"value", "", "", "", "", inner_types[k], true});
    matches->distinct = true;
    std::vector<BoundExprPtr> left = outer_keys();
    left.push_back(AddCastIfNeeded(lhs->Copy(), common));
    std::vector<BoundExprPtr> right = inner_keys(inner_types);
    right.push_back(AddCastIfNeeded(Ref(k, inner_types[k]), common));
    std::vector<bool> null_safe(k, true);
    null_safe.push_back(false);
    size_t match_start =
        AddSubqueryJoin(std::move(matches), BoundJoinType::LEFT, std::move(left), std::move(right), null_safe);
    // Counts: SELECT D, count(*), count(value) FROM (inner) GROUP BY D (the subquery bound again).
    std::vector<size_t> outer2;
    std::unique_ptr<BoundQueryNode> inner2 = BindSubqueryQuery(expr, &outer2);
    inner2->order_by.clear();
    auto counts = Wrap(std::move(inner2), k);
    counts->aggregated = true;
    for (size_t i = 0; i < k; ++i) counts->group_by.push_back(Ref(i, inner_types[i]));
    BoundAggregate all_rows;
    all_rows.function = FunctionRegistry::Instance().BindAggregate("count", {}, false);
    counts->aggregates.push_back(std::move(all_rows));
    BoundAggregate non_null;
    non_null.function = FunctionRegistry::Instance().BindAggregate("count", {inner_types[k]}, false);
    non_null.args.push_back(Ref(k, inner_types[k]));
    counts->aggregates.push_back(std::move(non_null));
    for (size_t i = 0; i < k; ++i) counts->select_list.push_back(Ref(i, inner_types[i]));
    counts->select_list.push_back(Ref(k, TypeId::BIGINT));
    counts->select_list.push_back(Ref(k + 1, TypeId::BIGINT));
    counts->output.push_back({"rows", "", "", "", "", TypeId::BIGINT, false});
    counts->output.push_back({"values", "", "", "", "", TypeId::BIGINT, false});
    size_t count_start = AddSubqueryJoin(std::move(counts), BoundJoinType::LEFT, outer_keys(), inner_keys(inner_types),
                                         std::vector<bool>(k, true));
    auto rows = [&] {
        return Call("coalesce", List(Ref(count_start + k, TypeId::BIGINT), Constant(Value::Integer(0))));
    };
    auto values = [&] {
        return Call("coalesce", List(Ref(count_start + k + 1, TypeId::BIGINT), Constant(Value::Integer(0))));
    };
    // IF(match, TRUE, IF(rows = 0, FALSE, IF(lhs IS NULL OR rows > values, NULL, FALSE)))
    BoundExprPtr unknown =
        Call("or", List(Call("is_null", List(lhs->Copy())), Call("greater", List(rows(), values()))));
    BoundExprPtr no_match =
        Call("if", List(std::move(unknown), Constant(Value::Null(TypeId::BOOLEAN)), Constant(Value::Boolean(false))));
    BoundExprPtr empty = Call("equal", List(rows(), Constant(Value::Integer(0))));
    BoundExprPtr after = Call("if", List(std::move(empty), Constant(Value::Boolean(false)), std::move(no_match)));
    BoundExprPtr matched = Call("is_not_null", List(Ref(match_start + k, inner_types[k])));
    BoundExprPtr result = Call("if", List(std::move(matched), Constant(Value::Boolean(true)), std::move(after)));
    if (negated) result = Call("not", List(std::move(result)));
    return result;
}

bool Binder::IsSemiJoinCandidate(const ast::SubqueryExpr& expr) const {
    const auto& candidates = select_state_->semi_join_candidates;
    return std::find(candidates.begin(), candidates.end(), &expr) != candidates.end();
}

bool Binder::BindExistsAsJoin(const ast::SubqueryExpr& expr) {
    SubqueryFrame frame;
    std::unique_ptr<BoundQueryNode> inner = BindInSubqueryFrame(*expr.query, frame);
    if (frame.correlated.empty() || inner->kind != BoundQueryKind::SELECT || inner->limit || inner->offset > 0) {
        return false;
    }
    // A column of a query further out is no column of the enclosing FROM to join on.
    for (size_t c : frame.correlated) {
        if (c >= kCorrelatedBase) return false;
    }
    auto& select = static_cast<BoundSelect&>(*inner);
    if (select.aggregated || !select.group_by.empty() || select.having || !select.windows.empty() || !select.where) {
        return false;
    }
    // Every correlated reference must be in WHERE (or the select list and ORDER BY, which EXISTS
    // ignores): one inside the FROM (a derived table's filter) needs the general road.
    size_t seen = 0;
    auto count = [&](const BoundExpression& e) { ForEachColumn(e, [&](size_t i) { seen += i >= kCorrelatedBase; }); };
    count(*select.where);
    for (const auto& e : select.select_list) count(*e);
    for (const auto& o : select.order_by) count(*o.expr);
    if (seen != frame.uses) return false;
    // Nor may the FROM's joins read them (the join for an IN whose operand is an enclosing column).
    std::function<bool(const BoundTableRef&)> from_reads = [&](const BoundTableRef& ref) {
        if (ref.kind != BoundTableRefKind::JOIN) return false;
        const auto& join = static_cast<const BoundJoinRef&>(ref);
        size_t before = seen;
        if (join.condition) count(*join.condition);
        for (const auto& key : join.left_keys) count(*key);
        for (const auto& key : join.right_keys) count(*key);
        return seen != before || from_reads(*join.left) || from_reads(*join.right);
    };
    if (from_reads(*select.from)) return false;
    // The WHERE over (enclosing FROM ++ subquery FROM): correlated references become the enclosing
    // columns, the subquery's own move right past them.
    const size_t width = select_state_->width;
    const size_t inner_width = select.from->types.size();
    std::vector<BoundExprPtr> conjuncts;
    SplitConjunction(std::move(select.where), conjuncts);
    auto join = std::make_unique<BoundJoinRef>();
    join->join_type = expr.negated ? BoundJoinType::ANTI : BoundJoinType::SEMI;
    std::vector<BoundExprPtr> right_filter, rest;
    for (auto& c : conjuncts) {
        RemapColumns(
            *c, [&](size_t i) { return i >= kCorrelatedBase ? frame.correlated[i - kCorrelatedBase] : i + width; });
        auto side = [&](const BoundExpression& e) {
            bool left = false, right = false;
            ForEachColumn(e, [&](size_t i) { (i < width ? left : right) = true; });
            return left && !right ? 0 : (right && !left ? 1 : (left ? -1 : 2));
        };
        int s = side(*c);
        if (s == 1 || s == 2) {  // the subquery's own filter (or a constant one)
            ShiftColumns(*c, width);
            right_filter.push_back(std::move(c));
            continue;
        }
        if (c->kind == BoundExprKind::FUNCTION && static_cast<BoundFunction&>(*c).function.name == "equal") {
            auto& eq = static_cast<BoundFunction&>(*c);
            int a = side(*eq.args[0]), b = side(*eq.args[1]);
            if ((a == 0 && b == 1) || (a == 1 && b == 0)) {
                BoundExprPtr l = std::move(eq.args[a == 0 ? 0 : 1]);
                BoundExprPtr r = std::move(eq.args[a == 0 ? 1 : 0]);
                ShiftColumns(*r, width);
                join->left_keys.push_back(std::move(l));
                join->right_keys.push_back(std::move(r));
                join->null_safe.push_back(false);
                continue;
            }
        }
        rest.push_back(std::move(c));
    }
    if (!rest.empty()) join->condition = CombineConjunction(std::move(rest));
    // The right side: the subquery's FROM filtered by its own conjuncts, every column out.
    select.where = right_filter.empty() ? nullptr : CombineConjunction(std::move(right_filter));
    select.select_list.clear();
    select.output.clear();
    select.order_by.clear();
    select.distinct = false;
    for (size_t i = 0; i < inner_width; ++i) {
        select.select_list.push_back(Ref(i, select.from->types[i]));
        select.output.push_back({"c" + std::to_string(i), "", "", "", "", select.from->types[i], true});
    }
    auto right = std::make_unique<BoundSubqueryRef>();
    right->types = select.from->types;
    right->query = std::move(inner);
    join->right = std::move(right);
    select_state_->joins.push_back(std::move(join));
    return true;
}

BoundExprPtr Binder::BindQuantified(const ast::SubqueryExpr& expr) {
    // x op ANY|ALL (S) for <, <=, >, >=, =, <>: one grouped subquery gives min(v), max(v), count(*)
    // and count(v) per correlation key; SQL's three-valued rules follow from them.
    bool all = expr.subquery_kind == ast::SubqueryKind::ALL;
    BoundExprPtr lhs = Bind(*expr.lhs);
    std::vector<size_t> outer;
    std::unique_ptr<BoundQueryNode> inner = BindSubqueryQuery(expr, &outer);
    size_t k = outer.size();
    if (inner->output.size() - k != 1) {
        throw BinderError(At(expr.location) + "Operand should contain 1 column(s)", ErrorCode::WRONG_ARGUMENTS);
    }
    std::vector<LogicalType> inner_types;
    for (const auto& c : inner->output) inner_types.push_back(c.type);
    LogicalType common = CommonSuperType(lhs->type, inner_types[k]);
    if (common.id == TypeId::NULL_TYPE) common = TypeId::BIGINT;
    inner->order_by.clear();
    auto stats = Wrap(std::move(inner), k);
    stats->aggregated = true;
    for (size_t i = 0; i < k; ++i) stats->group_by.push_back(Ref(i, inner_types[i]));
    auto add_aggregate = [&](const std::string& name, bool with_arg) {
        BoundAggregate a;
        std::vector<LogicalType> types;
        if (with_arg) types.push_back(common);
        a.function = FunctionRegistry::Instance().BindAggregate(name, types, false);
        if (with_arg) a.args.push_back(AddCastIfNeeded(Ref(k, inner_types[k]), a.function.arg_types[0]));
        stats->aggregates.push_back(std::move(a));
    };
    add_aggregate("min", true);
    add_aggregate("max", true);
    add_aggregate("count", false);
    add_aggregate("count", true);
    for (size_t i = 0; i < k; ++i) stats->select_list.push_back(Ref(i, inner_types[i]));
    LogicalType ext_type = stats->aggregates[0].function.return_type;
    stats->select_list.push_back(Ref(k, ext_type));
    stats->select_list.push_back(Ref(k + 1, ext_type));
    stats->select_list.push_back(Ref(k + 2, TypeId::BIGINT));
    stats->select_list.push_back(Ref(k + 3, TypeId::BIGINT));
    stats->output.push_back({"min", "", "", "", "", ext_type, true});
    stats->output.push_back({"max", "", "", "", "", ext_type, true});
    stats->output.push_back({"rows", "", "", "", "", TypeId::BIGINT, false});
    stats->output.push_back({"values", "", "", "", "", TypeId::BIGINT, false});
    std::vector<BoundExprPtr> outer_keys, inner_keys;
    for (size_t c : outer) outer_keys.push_back(Ref(c, OuterColumn(c).type, OuterColumn(c).name));
    for (size_t i = 0; i < k; ++i) inner_keys.push_back(Ref(i, inner_types[i]));
    size_t start = AddSubqueryJoin(std::move(stats), BoundJoinType::LEFT, std::move(outer_keys), std::move(inner_keys),
                                   std::vector<bool>(k, true));
    auto x = [&] { return AddCastIfNeeded(lhs->Copy(), common); };
    auto min = [&] { return AddCastIfNeeded(Ref(start + k, ext_type), common); };
    auto max = [&] { return AddCastIfNeeded(Ref(start + k + 1, ext_type), common); };
    auto rows = [&] { return Call("coalesce", List(Ref(start + k + 2, TypeId::BIGINT), Constant(Value::Integer(0)))); };
    auto values = [&] {
        return Call("coalesce", List(Ref(start + k + 3, TypeId::BIGINT), Constant(Value::Integer(0))));
    };
    auto compare = [&](ast::BinaryOp op, BoundExprPtr a, BoundExprPtr b) {
        switch (op) {
            case ast::BinaryOp::LESS:
                return Call("less", List(std::move(a), std::move(b)));
            case ast::BinaryOp::LESS_EQUAL:
                return Call("less_equal", List(std::move(a), std::move(b)));
            case ast::BinaryOp::GREATER:
                return Call("greater", List(std::move(a), std::move(b)));
            case ast::BinaryOp::GREATER_EQUAL:
                return Call("greater_equal", List(std::move(a), std::move(b)));
            default:
                return Call("equal", List(std::move(a), std::move(b)));
        }
    };
    ast::BinaryOp op = expr.compare;
    bool above = op == ast::BinaryOp::GREATER || op == ast::BinaryOp::GREATER_EQUAL;
    bool below = op == ast::BinaryOp::LESS || op == ast::BinaryOp::LESS_EQUAL;
    if (!above && !below && op != ast::BinaryOp::EQUAL && op != ast::BinaryOp::NOT_EQUAL) {
        throw NotSupportedError(At(expr.location) + "ANY/ALL needs =, <>, <, <=, > or >=");
    }
    // decisive: true when the comparison holds for some value (ANY) / every value (ALL) present.
    BoundExprPtr decisive;
    if (op == ast::BinaryOp::EQUAL || op == ast::BinaryOp::NOT_EQUAL) {
        // = ALL: x equals both ends; <> ANY: not that.
        BoundExprPtr same =
            Call("and", List(compare(ast::BinaryOp::EQUAL, x(), min()), compare(ast::BinaryOp::EQUAL, x(), max())));
        decisive = op == ast::BinaryOp::EQUAL ? std::move(same) : Call("not", List(std::move(same)));
    } else {
        // ANY: against the easiest end (min for >, max for <); ALL: against the hardest.
        bool use_min = above != all;
        decisive = compare(op, x(), use_min ? min() : max());
    }
    BoundExprPtr unknown =
        Call("or", List(Call("is_null", List(lhs->Copy())), Call("greater", List(rows(), values()))));
    BoundExprPtr empty = Call("equal", List(rows(), Constant(Value::Integer(0))));
    BoundExprPtr result;
    if (!all) {
        // IF(rows = 0, FALSE, IF(decisive, TRUE, IF(unknown, NULL, FALSE)))
        BoundExprPtr rest = Call(
            "if", List(std::move(unknown), Constant(Value::Null(TypeId::BOOLEAN)), Constant(Value::Boolean(false))));
        rest = Call("if", List(std::move(decisive), Constant(Value::Boolean(true)), std::move(rest)));
        result = Call("if", List(std::move(empty), Constant(Value::Boolean(false)), std::move(rest)));
    } else {
        // IF(rows = 0, TRUE, IF(NOT decisive, FALSE, IF(unknown, NULL, TRUE)))
        BoundExprPtr rest = Call(
            "if", List(std::move(unknown), Constant(Value::Null(TypeId::BOOLEAN)), Constant(Value::Boolean(true))));
        rest =
            Call("if", List(Call("not", List(std::move(decisive))), Constant(Value::Boolean(false)), std::move(rest)));
        result = Call("if", List(std::move(empty), Constant(Value::Boolean(true)), std::move(rest)));
    }
    return result;
}

}  // namespace floe
