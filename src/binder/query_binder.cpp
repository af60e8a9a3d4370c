// Binding of queries: SELECT blocks (FROM, WHERE, GROUP BY, HAVING, select list, DISTINCT), set
// operations, VALUES, CTEs, ORDER BY and LIMIT. FROM items: from_binder.cpp; aggregate calls:
// aggregate_binder.cpp.
#include <fmt/format.h>

#include <functional>

#include "binder/binder.h"
#include "binder/binder_internal.h"
#include "binder/expression_walker.h"
#include "binder/system_tables.h"
#include "binder/table_schema.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "function/cast.h"
#include "function/function_registry.h"
#include "parser/parser.h"

namespace floe {

namespace binder_internal {

std::optional<int64_t> PositionLiteral(const ast::Expr& e) {
    if (e.kind != ast::ExprKind::LITERAL) return std::nullopt;
    const Value& v = static_cast<const ast::LiteralExpr&>(e).value;
    if (v.is_null() || !v.type().IsInteger()) return std::nullopt;
    if (v.type().id == TypeId::LARGEINT) {
        if (v.GetInt128() < 0) return std::nullopt;
        return v.GetInt128() > INT64_MAX ? INT64_MAX : static_cast<int64_t>(v.GetInt128());
    }
    if (v.GetInt() < 0) return std::nullopt;
    return v.GetInt();
}

std::optional<int64_t> SmallIntegerValue(const Value& v) {
    if (v.is_null() || !v.type().IsInteger()) return std::nullopt;
    if (v.type().id != TypeId::LARGEINT) return v.GetInt();
    if (v.GetInt128() < INT64_MIN || v.GetInt128() > INT64_MAX) return std::nullopt;
    return static_cast<int64_t>(v.GetInt128());
}

int64_t ConstantInteger(const BoundExpression& e, const std::string& what, const ast::SourceLocation& loc) {
    Value v;
    if (e.kind == BoundExprKind::CONSTANT) {
        v = static_cast<const BoundConstant&>(e).value;
    } else if (e.kind == BoundExprKind::FUNCTION && static_cast<const BoundFunction&>(e).function.name == "negate" &&
               static_cast<const BoundFunction&>(e).args[0]->kind == BoundExprKind::CONSTANT) {
        Value inner = static_cast<const BoundConstant&>(*static_cast<const BoundFunction&>(e).args[0]).value;
        Value as_int = CastValue(inner, TypeId::BIGINT);
        if (!as_int.is_null()) v = Value::Integer(-as_int.GetInt());
    }
    Value as_int = v.is_null() ? v : CastValue(v, TypeId::BIGINT);
    if (as_int.is_null()) throw BinderError(At(loc) + what + " must be a constant integer", ErrorCode::WRONG_ARGUMENTS);
    return as_int.GetInt();
}

}  // namespace binder_internal

namespace {

using binder_internal::At;
using binder_internal::ConstantInteger;
using binder_internal::ContainsAggregate;
using binder_internal::PositionLiteral;

}  // namespace

std::unique_ptr<BoundQueryNode> Binder::BindQuery(const ast::QueryNode& query, const std::string& default_database) {
    scope_.clear();
    database_stack_.clear();
    if (!default_database.empty()) database_stack_.push_back(default_database);
    return BindQueryNode(query);
}

const std::string& Binder::DefaultDatabase() const {
    return database_stack_.empty() ? context_.CurrentDatabase() : database_stack_.back();
}

std::unique_ptr<BoundQueryNode> Binder::BindQueryNode(const ast::QueryNode& query) {
    /// Puts back what binding a query changes in the binder, also when binding fails: callers
    /// that catch a binding error and go on (decorrelation trying the enclosing WHERE's conjuncts
    /// on D, the aggregate binder's second try) must not find pointers into the failed query's
    /// frame (its SelectState, AggregateContext, window list) or its CTEs.
    struct StateGuard {
        Binder& binder;
        size_t ctes_before = binder.ctes_.size();
        std::vector<ScopeColumn> scope = binder.scope_;
        AggregateContext* aggregate_context = binder.aggregate_context_;
        SelectState* select_state = binder.select_state_;
        std::vector<BoundWindow>* windows = binder.windows_;
        ~StateGuard() {
            binder.ctes_.resize(ctes_before);
            binder.scope_ = std::move(scope);
            binder.aggregate_context_ = aggregate_context;
            binder.select_state_ = select_state;
            binder.windows_ = windows;
            --binder.cte_depth_;
        }
    } guard{*this};
    if (++cte_depth_ > 64) throw BinderError(At(query.location) + "queries are nested too deeply", ErrorCode::PARSE);
    for (const auto& cte : query.ctes) {
        auto bound = std::make_shared<BoundCte>();
        bound->name = cte.name;
        CteBinding binding;
        binding.name = cte.name;
        binding.cte = &cte;
        binding.bound = std::move(bound);
        ctes_.push_back(std::move(binding));
    }
    aggregate_context_ = nullptr;
    select_state_ = nullptr;
    // Window functions of the enclosing select list do not reach into this query's clauses.
    windows_ = nullptr;
    std::unique_ptr<BoundQueryNode> node;
    switch (query.kind) {
        case ast::QueryNodeKind::SELECT:
            node = BindSelectNode(static_cast<const ast::SelectNode&>(query));
            break;
        case ast::QueryNodeKind::SET_OPERATION:
            node = BindSetOperation(static_cast<const ast::SetOperationNode&>(query));
            break;
        case ast::QueryNodeKind::VALUES:
            node = BindValuesNode(static_cast<const ast::ValuesNode&>(query));
            break;
    }
    BindLimit(query, *node);
    return node;
}

void Binder::BindLimit(const ast::QueryNode& query, BoundQueryNode& node) {
    auto saved = scope_;
    scope_.clear();
    auto* saved_agg = aggregate_context_;
    aggregate_context_ = nullptr;
    if (query.limit) {
        int64_t v = ConstantInteger(*Bind(*query.limit), "LIMIT", query.limit->location);
        if (v < 0)
            throw BinderError(At(query.limit->location) + "LIMIT must not be negative", ErrorCode::WRONG_ARGUMENTS);
        node.limit = v;
    }
    if (query.offset) {
        int64_t v = ConstantInteger(*Bind(*query.offset), "OFFSET", query.offset->location);
        if (v < 0)
            throw BinderError(At(query.offset->location) + "OFFSET must not be negative", ErrorCode::WRONG_ARGUMENTS);
        node.offset = v;
    }
    scope_ = std::move(saved);
    aggregate_context_ = saved_agg;
}

void Binder::BindOutputOrderBy(const ast::QueryNode& query, BoundQueryNode& node,
                               const std::vector<std::string>& texts) {
    for (const auto& item : query.order_by) {
        const ast::Expr& e = *item.expr;
        std::optional<size_t> pos;
        if (auto n = PositionLiteral(e)) {
            if (*n < 1 || *n > static_cast<int64_t>(node.output.size())) {
                throw BinderError(At(e.location) + fmt::format("Unknown column '{}' in 'order clause'", e.ToString()));
            }
            pos = static_cast<size_t>(*n - 1);
        }
        std::string text = e.ToString();
        for (size_t i = 0; !pos && i < node.output.size(); ++i) {
            if (AsciiEqualsIgnoreCase(node.output[i].name, text) || (i < texts.size() && texts[i] == text)) pos = i;
        }
        if (e.kind == ast::ExprKind::COLUMN_REF && !pos) {
            const auto& parts = static_cast<const ast::ColumnRefExpr&>(e).parts;
            for (size_t i = 0; !pos && i < node.output.size(); ++i) {
                if (AsciiEqualsIgnoreCase(node.output[i].name, parts.back())) pos = i;
            }
        }
        if (!pos) {
            throw BinderError(At(e.location) + "ORDER BY term '" + text +
                                  "' must be one of the selected columns (DISTINCT and set operations)",
                              ErrorCode::UNKNOWN_COLUMN);
        }
        BoundOrderBy ob;
        ob.ascending = item.ascending;
        ob.nulls_first = item.nulls_first.value_or(item.ascending);
        ob.expr = std::make_unique<BoundColumnRef>(*pos, node.output[*pos].type, node.output[*pos].name);
        node.order_by.push_back(std::move(ob));
    }
}

std::unique_ptr<BoundQueryNode> Binder::BindValuesNode(const ast::ValuesNode& node) {
    auto values = std::make_unique<BoundValuesRef>();
    size_t width = node.rows.empty() ? 0 : node.rows[0].size();
    std::vector<LogicalType> types(width, TypeId::NULL_TYPE);
    scope_.clear();
    for (const auto& row : node.rows) {
        if (row.size() != width) {
            throw BinderError(At(node.location) + "all VALUES rows must have the same number of columns",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        std::vector<BoundExprPtr> bound;
        for (size_t i = 0; i < width; ++i) {
            bound.push_back(Bind(*row[i]));
            types[i] = CommonSuperType(types[i], bound.back()->type);
        }
        values->rows.push_back(std::move(bound));
    }
    for (auto& t : types) {
        if (t.id == TypeId::NULL_TYPE) t = LogicalType::Varchar();
    }
    for (auto& row : values->rows) {
        for (size_t i = 0; i < width; ++i) row[i] = AddCastIfNeeded(std::move(row[i]), types[i]);
    }
    values->types = types;
    auto select = std::make_unique<BoundSelect>();
    for (size_t i = 0; i < width; ++i) {
        std::string name = "column_" + std::to_string(i);
        select->select_list.push_back(std::make_unique<BoundColumnRef>(i, types[i], name));
        select->output.push_back({name, name, "", "", "", types[i], true});
    }
    select->from = std::move(values);
    BindOutputOrderBy(node, *select, {});
    select->distinct = !select->order_by.empty();  // forces ORDER BY over the output columns
    if (select->distinct) {
        // VALUES keeps duplicates: order over the output without DISTINCT semantics by wrapping.
        select->distinct = false;
        auto wrapper = std::make_unique<BoundSelect>();
        wrapper->output = select->output;
        wrapper->order_by = std::move(select->order_by);
        auto sub = std::make_unique<BoundSubqueryRef>();
        sub->types = types;
        sub->query = std::move(select);
        wrapper->from = std::move(sub);
        for (size_t i = 0; i < width; ++i) {
            wrapper->select_list.push_back(std::make_unique<BoundColumnRef>(i, types[i], wrapper->output[i].name));
        }
        return wrapper;
    }
    return select;
}

std::unique_ptr<BoundQueryNode> Binder::BindSetOperation(const ast::SetOperationNode& node) {
    auto op = std::make_unique<BoundSetOperation>();
    op->left = BindQueryNode(*node.left);
    op->right = BindQueryNode(*node.right);
    if (op->left->output.size() != op->right->output.size()) {
        throw BinderError(At(node.location) + fmt::format("the operands of a set operation have {} and {} columns",
                                                          op->left->output.size(), op->right->output.size()),
                          ErrorCode::WRONG_ARGUMENTS);
    }
    op->op = node.op == ast::SetOpType::UNION       ? BoundSetOpType::UNION
             : node.op == ast::SetOpType::INTERSECT ? BoundSetOpType::INTERSECT
                                                    : BoundSetOpType::EXCEPT;
    op->all = node.all;
    for (size_t i = 0; i < op->left->output.size(); ++i) {
        BoundOutputColumn c = op->left->output[i];
        c.type = CommonSuperType(op->left->output[i].type, op->right->output[i].type);
        if (c.type.id == TypeId::NULL_TYPE) c.type = LogicalType::Varchar();
        c.nullable = op->left->output[i].nullable || op->right->output[i].nullable;
        op->output.push_back(c);
    }
    BindOutputOrderBy(node, *op, {});
    return op;
}

std::unique_ptr<BoundQueryNode> Binder::BindSelectNode(const ast::SelectNode& node) {
    auto select = std::make_unique<BoundSelect>();
    scope_.clear();
    if (node.from) {
        select->from = BindTableRef(*node.from);
    } else {
        auto dual = std::make_unique<BoundValuesRef>();
        dual->rows.emplace_back();
        select->from = std::move(dual);
    }
    std::vector<ScopeColumn> from_scope = scope_;
    SelectState state;
    state.from_ast = node.from.get();
    state.where_ast = node.where.get();
    state.width = from_scope.size();
    SelectState* saved_state = select_state_;
    select_state_ = &state;
    if (node.where) {
        if (ContainsAggregate(*node.where)) {
            throw BinderError(At(node.where->location) + "aggregate functions are not allowed in WHERE",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        std::function<void(const ast::Expr&)> conjuncts = [&](const ast::Expr& e) {
            if (e.kind == ast::ExprKind::BINARY && static_cast<const ast::BinaryExpr&>(e).op == ast::BinaryOp::AND) {
                conjuncts(*static_cast<const ast::BinaryExpr&>(e).left);
                conjuncts(*static_cast<const ast::BinaryExpr&>(e).right);
            } else if (e.kind == ast::ExprKind::SUBQUERY &&
                       (static_cast<const ast::SubqueryExpr&>(e).subquery_kind == ast::SubqueryKind::EXISTS ||
                        (static_cast<const ast::SubqueryExpr&>(e).subquery_kind == ast::SubqueryKind::IN &&
                         !static_cast<const ast::SubqueryExpr&>(e).negated))) {
                state.semi_join_candidates.push_back(&e);
            }
        };
        conjuncts(*node.where);
        select->where = AddCastIfNeeded(Bind(*node.where), TypeId::BOOLEAN);
    }
    bool has_aggregates = node.having != nullptr;
    for (const auto& item : node.select_list) has_aggregates |= ContainsAggregate(*item.expr);
    for (const auto& item : node.order_by) has_aggregates |= ContainsAggregate(*item.expr);
    // ROLLUP, CUBE and GROUPING SETS: the distinct keys, and which of them each set rolls up.
    std::vector<const ast::Expr*> group_keys;
    std::vector<uint64_t> sets;
    if (node.grouping == ast::GroupingKind::GROUPING_SETS) {
        std::vector<std::string> texts;
        for (const auto& set : node.grouping_sets) {
            uint64_t present = 0;
            for (const auto& e : set) {
                std::string text = e->ToString();
                size_t j = std::find(texts.begin(), texts.end(), text) - texts.begin();
                if (j == texts.size()) {
                    texts.push_back(text);
                    group_keys.push_back(e.get());
                }
                present |= uint64_t{1} << j;
            }
            sets.push_back(present);
        }
    } else {
        for (const auto& g : node.group_by) group_keys.push_back(g.get());
        size_t n = group_keys.size();
        if (node.grouping == ast::GroupingKind::ROLLUP) {
            for (size_t k = n + 1; k-- > 0;) sets.push_back(k == 64 ? ~uint64_t{0} : (uint64_t{1} << k) - 1);
        } else if (node.grouping == ast::GroupingKind::CUBE) {
            if (n > 12)
                throw BinderError(At(node.location) + "CUBE takes at most 12 columns", ErrorCode::WRONG_ARGUMENTS);
            for (uint64_t m = (uint64_t{1} << n); m-- > 0;) sets.push_back(m);
        }
    }
    if (group_keys.size() > 60) {
        throw BinderError(At(node.location) + "too many GROUP BY keys for ROLLUP, CUBE or GROUPING SETS",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    AggregateContext agg;
    if (!group_keys.empty() || has_aggregates || !sets.empty()) {
        select->aggregated = true;
        agg.from_scope = from_scope;
        agg.aggregates = &select->aggregates;
        for (const ast::Expr* g : group_keys) {
            const ast::Expr* target = g;
            // GROUP BY 2 and GROUP BY alias refer to select items.
            if (auto pos = PositionLiteral(*g)) {
                if (*pos < 1 || *pos > static_cast<int64_t>(node.select_list.size())) {
                    throw BinderError(At(g->location) +
                                      fmt::format("Unknown column '{}' in 'group statement'", g->ToString()));
                }
                target = node.select_list[*pos - 1].expr.get();
            } else if (g->kind == ast::ExprKind::COLUMN_REF &&
                       static_cast<const ast::ColumnRefExpr&>(*g).parts.size() == 1) {
                const std::string& name = static_cast<const ast::ColumnRefExpr&>(*g).parts[0];
                bool is_column = false;
                for (const auto& c : from_scope) is_column |= AsciiEqualsIgnoreCase(c.name, name);
                if (!is_column) {
                    for (const auto& item : node.select_list) {
                        if (AsciiEqualsIgnoreCase(item.alias, name)) target = item.expr.get();
                    }
                }
            }
            if (ContainsAggregate(*target)) {
                throw BinderError(At(g->location) + "aggregate functions are not allowed in GROUP BY",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
            scope_ = from_scope;
            BoundExprPtr key = Bind(*target);
            if (key->kind == BoundExprKind::COLUMN_REF && static_cast<BoundColumnRef&>(*key).index < kCorrelatedBase) {
                agg.group_columns.push_back(static_cast<BoundColumnRef&>(*key).index);
            }
            // Compared with select items after their dead COALESCE arguments are dropped: so is the
            // key (GROUP BY coalesce(a, 1, 2) is coalesce(a, 1) on both sides).
            BoundExprPtr normalized = key->Copy();
            binder_internal::DropDeadCoalesceArguments(normalized);
            agg.group_texts.push_back(StructuralKey(*normalized));
            agg.group_types.push_back(key->type);
            select->group_by.push_back(std::move(key));
        }
        if (!sets.empty()) {
            size_t n = select->group_by.size();
            uint64_t all = n == 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
            for (uint64_t present : sets) select->grouping_sets.push_back(all & ~present);
            select->grouping_keys = n;
            agg.grouping_keys = n;
            // The grouping id keeps the sets' rows apart; the flags answer GROUPING().
            select->group_by.push_back(std::make_unique<BoundColumnRef>(kExpandBase, TypeId::BIGINT, "__grouping_id"));
            agg.group_texts.push_back("__grouping_id");
            agg.group_types.push_back(TypeId::BIGINT);
            for (size_t j = 0; j < n; ++j) {
                select->group_by.push_back(std::make_unique<BoundColumnRef>(kExpandBase + 1 + j, TypeId::BIGINT,
                                                                            "__grouping_" + std::to_string(j)));
                agg.group_texts.push_back("__grouping_" + std::to_string(j));
                agg.group_types.push_back(TypeId::BIGINT);
            }
        }
        aggregate_context_ = &agg;
    }
    // Select list (in aggregation context when aggregated); window calls may appear here and in
    // ORDER BY.
    auto saved_windows = windows_;
    windows_ = &select->windows;
    std::vector<std::string> item_texts;
    for (const auto& item : node.select_list) {
        if (item.expr->kind == ast::ExprKind::STAR) {
            const auto& star = static_cast<const ast::StarExpr&>(*item.expr);
            bool any = false;
            for (size_t i = 0; i < from_scope.size(); ++i) {
                if (!star.qualifier.empty() && !AsciiEqualsIgnoreCase(star.qualifier, from_scope[i].table)) continue;
                if ((star.qualifier.empty() && from_scope[i].qualified_only) || from_scope[i].hidden) continue;
                any = true;
                ast::ColumnRefExpr ref;
                ref.location = star.location;
                ref.parts = {from_scope[i].table, from_scope[i].name};
                if (from_scope[i].table.empty()) ref.parts = {from_scope[i].name};
                scope_ = from_scope;
                BoundExprPtr e = select->aggregated
                                     ? Bind(ref)
                                     : std::make_unique<BoundColumnRef>(i, from_scope[i].type, from_scope[i].name);
                if (!select->aggregated) e->nullable = from_scope[i].nullable;
                select->output.push_back({from_scope[i].name, from_scope[i].name, from_scope[i].table,
                                          from_scope[i].table, "", e->type, e->nullable});
                item_texts.push_back(from_scope[i].name);
                select->select_list.push_back(std::move(e));
            }
            if (!any) {
                throw BinderError(
                    At(item.expr->location) + (star.qualifier.empty() ? "SELECT * with no tables specified"
                                                                      : "unknown table '" + star.qualifier + "'"),
                    star.qualifier.empty() ? ErrorCode::NOT_SUPPORTED : ErrorCode::UNKNOWN_TABLE);
            }
            continue;
        }
        scope_ = from_scope;
        BoundExprPtr e = Bind(*item.expr);
        BoundOutputColumn col;
        col.name = !item.alias.empty() ? item.alias : (!item.text.empty() ? item.text : item.expr->ToString());
        if (item.alias.empty() && item.expr->kind == ast::ExprKind::COLUMN_REF) {
            // `t.c` is named `c`, as in MySQL (so a view or derived table over it has a column c).
            const auto& parts = static_cast<const ast::ColumnRefExpr&>(*item.expr).parts;
            if (!parts.empty()) col.name = parts.back();
        }
        if (e->kind == BoundExprKind::COLUMN_REF && !select->aggregated &&
            static_cast<const BoundColumnRef&>(*e).index < from_scope.size()) {
            const auto& ref = static_cast<const BoundColumnRef&>(*e);
            col.org_name = from_scope[ref.index].name;
            col.table = from_scope[ref.index].table;
            col.org_table = from_scope[ref.index].table;
        }
        col.type = e->type;
        col.nullable = e->nullable;
        select->output.push_back(col);
        item_texts.push_back(item.expr->ToString());
        select->select_list.push_back(std::move(e));
    }
    if (node.having) {
        if (!select->aggregated) throw InternalError("HAVING without aggregation");
        scope_ = from_scope;
        windows_ = nullptr;
        having_aliases_ = &node.select_list;
        try {
            select->having = AddCastIfNeeded(Bind(*node.having), TypeId::BOOLEAN);
        } catch (...) {
            having_aliases_ = nullptr;
            throw;
        }
        having_aliases_ = nullptr;
        windows_ = &select->windows;
    }
    select->distinct = node.distinct;
    if (node.distinct) {
        BindOutputOrderBy(node, *select, item_texts);
    } else {
        for (const auto& item : node.order_by) {
            BoundOrderBy ob;
            ob.ascending = item.ascending;
            ob.nulls_first = item.nulls_first.value_or(item.ascending);
            const ast::Expr& e = *item.expr;
            if (auto pos = PositionLiteral(e)) {
                if (*pos < 1 || *pos > static_cast<int64_t>(select->select_list.size())) {
                    throw BinderError(At(e.location) +
                                      fmt::format("Unknown column '{}' in 'order clause'", e.ToString()));
                }
                ob.expr = select->select_list[*pos - 1]->Copy();
                select->order_by.push_back(std::move(ob));
                continue;
            }
            if (e.kind == ast::ExprKind::COLUMN_REF && static_cast<const ast::ColumnRefExpr&>(e).parts.size() == 1) {
                const std::string& name = static_cast<const ast::ColumnRefExpr&>(e).parts[0];
                bool found = false;
                for (size_t i = 0; i < select->output.size() && !found; ++i) {
                    if (AsciiEqualsIgnoreCase(select->output[i].name, name)) {
                        bool shadowed_by_column = false;
                        // A FROM column of that name wins only when the item is not an alias of something else.
                        for (const auto& c : from_scope) shadowed_by_column |= AsciiEqualsIgnoreCase(c.name, name);
                        if (!shadowed_by_column || select->output[i].org_name == name || select->aggregated) {
                            ob.expr = select->select_list[i]->Copy();
                            found = true;
                        }
                    }
                }
                if (found) {
                    select->order_by.push_back(std::move(ob));
                    continue;
                }
            }
            scope_ = from_scope;
            ob.expr = Bind(e);
            select->order_by.push_back(std::move(ob));
        }
    }
    aggregate_context_ = nullptr;
    windows_ = saved_windows;
    scope_ = from_scope;
    select_state_ = saved_state;
    // Subqueries became joins of the FROM clause (their columns follow FROM's).
    for (auto& join : state.joins) {
        join->left = std::move(select->from);
        join->types = join->left->types;
        if (join->join_type != BoundJoinType::SEMI && join->join_type != BoundJoinType::ANTI) {
            join->types.insert(join->types.end(), join->right->types.begin(), join->right->types.end());
        }
        select->from = std::move(join);
    }
    return select;
}

}  // namespace floe
