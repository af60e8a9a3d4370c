// Binding of queries: SELECT blocks (FROM, WHERE, GROUP BY, HAVING, select list, DISTINCT), set
// operations, VALUES, CTEs, ORDER BY and LIMIT, and FROM items (information_schema, derived
// tables, table functions, joins). Aggregate calls: aggregate_binder.cpp.
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

BoundSubqueryRef::BoundSubqueryRef() : BoundTableRef(BoundTableRefKind::SUBQUERY) {}
BoundSubqueryRef::~BoundSubqueryRef() = default;
BoundRecursiveCteRef::BoundRecursiveCteRef() : BoundTableRef(BoundTableRefKind::RECURSIVE_CTE) {}
BoundRecursiveCteRef::~BoundRecursiveCteRef() = default;

namespace {

using binder_internal::At;
using binder_internal::ContainsAggregate;

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

BoundTableRefPtr Binder::BindView(const ast::BaseTableRef& base, const TableInfo& view) {
    return BindDefinedQuery(base, view.name, view.database, view.definition, view.column_names, "view");
}

BoundTableRefPtr Binder::BindDefinedQuery(const ast::BaseTableRef& base, const std::string& name,
                                          const std::string& database, const std::string& definition,
                                          const std::vector<std::string>& column_names, const char* what) {
    ast::StatementPtr parsed;
    try {
        parsed = Parser::ParseStatement(definition);
    } catch (const Exception& e) {
        throw BinderError(
            At(base.location) + what + " '" + database + "." + name + "' has an invalid definition: " + e.what(),
            ErrorCode::INTERNAL);
    }
    if (parsed->kind != ast::StatementKind::SELECT) throw InternalError("view definition is not a query");
    // A view sees only its own CTEs and its own database.
    std::vector<CteBinding> saved_ctes;
    saved_ctes.swap(ctes_);
    database_stack_.push_back(database);
    auto saved = scope_;
    std::unique_ptr<BoundQueryNode> bound;
    try {
        bound = BindQueryNode(*static_cast<const ast::SelectStatement&>(*parsed).query);
    } catch (...) {
        database_stack_.pop_back();
        ctes_.swap(saved_ctes);
        throw;
    }
    database_stack_.pop_back();
    ctes_.swap(saved_ctes);
    scope_ = std::move(saved);
    auto sub = std::make_unique<BoundSubqueryRef>();
    std::string alias = base.alias.empty() ? name : base.alias;
    for (size_t i = 0; i < bound->output.size(); ++i) {
        const auto& c = bound->output[i];
        std::string column = i < column_names.size() ? column_names[i] : c.name;
        scope_.push_back({alias, column, c.type, c.nullable});
        sub->types.push_back(c.type);
    }
    sub->query = std::move(bound);
    return sub;
}

namespace {
std::string QuoteName(const std::string& name) {
    std::string out = "`";
    for (char c : name) {
        if (c == '`') out.push_back('`');
        out.push_back(c);
    }
    return out + "`";
}

/// The query that merges an Aggregate (or Unique) Key table's rows on read: rows with equal keys
/// become one, each value column combined by its function (REPLACE: the last row loaded wins).
std::string MergeOnReadQuery(const std::string& table, const TableSchema& schema) {
    std::string select, group;
    for (const auto& c : schema.columns) {
        bool key = false;
        for (const auto& k : schema.key_columns) key |= AsciiEqualsIgnoreCase(k, c.name);
        std::string col = QuoteName(c.name);
        if (!select.empty()) select += ", ";
        if (key) {
            select += col + " AS " + col;
            group += (group.empty() ? "" : ", ") + col;
            continue;
        }
        std::string agg = schema.keys_type == ast::KeysType::UNIQUE ? "REPLACE" : c.aggregation;
        if (agg == "SUM") {
            select += "CAST(SUM(" + col + ") AS " + c.type.ToString() + ") AS " + col;
        } else if (agg == "MAX" || agg == "MIN") {
            select += agg + "(" + col + ") AS " + col;
        } else if (agg == "REPLACE_IF_NOT_NULL") {
            select += "__replace_if_not_null(" + col + ") AS " + col;
        } else if (agg == "BITMAP_UNION") {
            select += "bitmap_union(" + col + ") AS " + col;
        } else if (agg == "HLL_UNION") {
            select += "hll_union(" + col + ") AS " + col;
        } else {
            select += "__replace(" + col + ") AS " + col;
        }
    }
    return "SELECT " + select + " FROM " + QuoteName(table) + (group.empty() ? "" : " GROUP BY " + group);
}
}  // namespace

void Binder::ExposeRowId(const std::string& database, const std::string& table) {
    row_id_table_ = database + "." + table;
}

std::unique_ptr<BoundQueryNode> Binder::BindQueryNode(const ast::QueryNode& query) {
    if (++cte_depth_ > 64) throw BinderError(At(query.location) + "queries are nested too deeply", ErrorCode::PARSE);
    size_t ctes_before = ctes_.size();
    for (const auto& cte : query.ctes) {
        auto bound = std::make_shared<BoundCte>();
        bound->name = cte.name;
        CteBinding binding;
        binding.name = cte.name;
        binding.cte = &cte;
        binding.bound = std::move(bound);
        ctes_.push_back(std::move(binding));
    }
    auto saved_scope = scope_;
    auto* saved_agg = aggregate_context_;
    aggregate_context_ = nullptr;
    auto* saved_select = select_state_;
    select_state_ = nullptr;
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
    ctes_.resize(ctes_before);
    scope_ = std::move(saved_scope);
    aggregate_context_ = saved_agg;
    select_state_ = saved_select;
    --cte_depth_;
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
        if (e.kind == ast::ExprKind::LITERAL) {
            const Value& v = static_cast<const ast::LiteralExpr&>(e).value;
            if (v.type().IsInteger()) {
                if (v.GetInt() < 1 || v.GetInt() > static_cast<int64_t>(node.output.size())) {
                    throw BinderError(At(e.location) +
                                      fmt::format("Unknown column '{}' in 'order clause'", v.GetInt()));
                }
                pos = static_cast<size_t>(v.GetInt() - 1);
            }
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
            if (g->kind == ast::ExprKind::LITERAL &&
                static_cast<const ast::LiteralExpr&>(*g).value.type().IsInteger()) {
                int64_t pos = static_cast<const ast::LiteralExpr&>(*g).value.GetInt();
                if (pos < 1 || pos > static_cast<int64_t>(node.select_list.size())) {
                    throw BinderError(At(g->location) + fmt::format("Unknown column '{}' in 'group statement'", pos));
                }
                target = node.select_list[pos - 1].expr.get();
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
            agg.group_texts.push_back(key->ToString());
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
            if (e.kind == ast::ExprKind::LITERAL && static_cast<const ast::LiteralExpr&>(e).value.type().IsInteger()) {
                int64_t pos = static_cast<const ast::LiteralExpr&>(e).value.GetInt();
                if (pos < 1 || pos > static_cast<int64_t>(select->select_list.size())) {
                    throw BinderError(At(e.location) + fmt::format("Unknown column '{}' in 'order clause'", pos));
                }
                ob.expr = select->select_list[pos - 1]->Copy();
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

// ---------------------------------------------------------------- FROM

size_t Binder::CorrelatedUses() const {
    size_t uses = 0;
    for (const auto& f : subquery_frames_) uses += f.uses;
    return uses;
}

BoundTableRefPtr Binder::BindTableRef(const ast::TableRef& ref) {
    size_t first = scope_.size();
    BoundTableRefPtr bound = BindTableRefColumns(ref);
    if (!ref.column_aliases.empty()) {
        // AS t(a, b): the reference's first columns take these names.
        size_t width = scope_.size() - first;
        if (ref.column_aliases.size() > width) {
            throw BinderError(At(ref.location) + "table '" + ref.alias + "' has " + std::to_string(width) +
                                  " columns but " + std::to_string(ref.column_aliases.size()) + " column names",
                              ErrorCode::WRONG_VALUE_COUNT);
        }
        for (size_t i = 0; i < ref.column_aliases.size(); ++i) scope_[first + i].name = ref.column_aliases[i];
    }
    return bound;
}

BoundTableRefPtr Binder::BindTableRefColumns(const ast::TableRef& ref) {
    switch (ref.kind) {
        case ast::TableRefKind::BASE:
            return BindBaseTable(static_cast<const ast::BaseTableRef&>(ref));
        case ast::TableRefKind::JOIN:
            return BindJoin(static_cast<const ast::JoinTableRef&>(ref));
        case ast::TableRefKind::TABLE_FUNCTION:
            return BindTableFunction(static_cast<const ast::TableFunctionRef&>(ref));
        case ast::TableRefKind::SUBQUERY: {
            const auto& sq = static_cast<const ast::SubqueryTableRef&>(ref);
            auto saved = scope_;
            size_t uses = CorrelatedUses();
            auto bound = BindQueryNode(*sq.query);
            scope_ = std::move(saved);
            if (CorrelatedUses() != uses) {
                throw NotSupportedError(At(ref.location) +
                                        "a derived table inside a subquery cannot read the enclosing query's "
                                        "columns yet; move the condition to the subquery's WHERE");
            }
            auto sub = std::make_unique<BoundSubqueryRef>();
            for (const auto& c : bound->output) {
                scope_.push_back({ref.alias, c.name, c.type, c.nullable});
                sub->types.push_back(c.type);
            }
            sub->query = std::move(bound);
            return sub;
        }
    }
    throw InternalError("unknown table reference");
}

BoundTableRefPtr Binder::BindRecursiveCte(const ast::BaseTableRef& base, size_t index) {
    const ast::CommonTableExpr& cte = *ctes_[index].cte;
    const auto& setop = static_cast<const ast::SetOperationNode&>(*cte.query);
    std::vector<CteBinding> saved_ctes = ctes_;
    ctes_.resize(index);  // the CTEs declared before this one
    auto saved_scope = scope_;
    size_t uses = CorrelatedUses();
    auto restore = [&] {
        scope_ = saved_scope;
        ctes_ = saved_ctes;
    };
    std::unique_ptr<BoundQueryNode> anchor, recursive;
    CteBinding self;
    self.name = cte.name;
    self.cte = &cte;
    try {
        anchor = BindQueryNode(*setop.left);
        if (!cte.column_names.empty() && cte.column_names.size() != anchor->output.size()) {
            throw BinderError(At(base.location) + "CTE '" + cte.name + "' names " +
                                  std::to_string(cte.column_names.size()) + " columns but returns " +
                                  std::to_string(anchor->output.size()),
                              ErrorCode::WRONG_ARGUMENTS);
        }
        self.working = std::make_shared<WorkingTable>();
        self.working->name = cte.name;
        self.working_reads = std::make_shared<size_t>(0);
        for (size_t i = 0; i < anchor->output.size(); ++i) {
            LogicalType t = anchor->output[i].type;
            if (t.id == TypeId::NULL_TYPE) t = LogicalType::Varchar();
            self.working_types.push_back(t);
            self.working_names.push_back(cte.column_names.empty() ? anchor->output[i].name : cte.column_names[i]);
        }
        ctes_.push_back(self);
        recursive = BindQueryNode(*setop.right);
    } catch (...) {
        restore();
        throw;
    }
    restore();
    if (*self.working_reads == 0) return nullptr;
    if (CorrelatedUses() != uses) {
        throw NotSupportedError(At(base.location) + "CTE '" + cte.name + "' cannot read the enclosing query's columns",
                                ErrorCode::NOT_SUPPORTED);
    }
    if (!setop.order_by.empty() || setop.limit || setop.offset) {
        throw NotSupportedError(At(base.location) + "recursive CTE '" + cte.name +
                                "' cannot have ORDER BY, LIMIT or OFFSET on its UNION; order and limit the query "
                                "that reads it");
    }
    if (recursive->output.size() != anchor->output.size()) {
        throw BinderError(At(base.location) + fmt::format("the operands of recursive CTE '{}' have {} and {} columns",
                                                          cte.name, anchor->output.size(), recursive->output.size()),
                          ErrorCode::WRONG_ARGUMENTS);
    }
    auto ref = std::make_unique<BoundRecursiveCteRef>();
    ref->types = self.working_types;
    ref->all = setop.all;
    ref->working = self.working;
    Value depth = context_.GetVariable(ast::VariableScope::DEFAULT, "cte_max_recursion_depth");
    if (!depth.is_null()) ref->max_depth = CastValue(depth, TypeId::BIGINT).GetInt();
    ref->anchor = std::move(anchor);
    ref->recursive = std::move(recursive);
    std::string alias = base.alias.empty() ? cte.name : base.alias;
    for (size_t i = 0; i < ref->types.size(); ++i)
        scope_.push_back({alias, self.working_names[i], ref->types[i], true});
    return ref;
}

BoundTableRefPtr Binder::BindBaseTable(const ast::BaseTableRef& base) {
    if (base.database.empty()) {
        for (auto it = ctes_.rbegin(); it != ctes_.rend(); ++it) {
            if (!AsciiEqualsIgnoreCase(it->name, base.table)) continue;
            if (it->working) {
                // A recursive part reading its own CTE: the previous step's rows.
                auto ref = std::make_unique<BoundWorkingTableRef>();
                ref->working = it->working;
                ref->types = it->working_types;
                ++*it->working_reads;
                std::string alias = base.alias.empty() ? it->name : base.alias;
                for (size_t i = 0; i < ref->types.size(); ++i) {
                    scope_.push_back({alias, it->working_names[i], ref->types[i], true});
                }
                return ref;
            }
            const ast::CommonTableExpr& cte = *it->cte;
            if (cte.recursive && cte.query->kind == ast::QueryNodeKind::SET_OPERATION &&
                static_cast<const ast::SetOperationNode&>(*cte.query).op == ast::SetOpType::UNION) {
                size_t index = static_cast<size_t>(std::distance(ctes_.begin(), it.base())) - 1;
                if (auto ref = BindRecursiveCte(base, index)) return ref;
                it = std::make_reverse_iterator(ctes_.begin() + static_cast<std::ptrdiff_t>(index) +
                                                1);  // ctes_ was copied back
            }
            std::shared_ptr<BoundCte> cte_info = it->bound;
            // Bind the CTE where it was defined: hide CTEs declared after it (no recursion).
            std::vector<CteBinding> saved_ctes = ctes_;
            ctes_.resize(static_cast<size_t>(std::distance(ctes_.begin(), it.base())) - 1);
            auto saved = scope_;
            size_t uses = CorrelatedUses();
            auto bound = BindQueryNode(*cte.query);
            scope_ = std::move(saved);
            ctes_ = std::move(saved_ctes);
            if (CorrelatedUses() != uses) {
                throw NotSupportedError(At(base.location) + "CTE '" + cte.name +
                                        "' cannot read the enclosing query's columns yet; move the condition to "
                                        "the subquery's WHERE");
            }
            ++cte_info->references;
            if (!cte.column_names.empty() && cte.column_names.size() != bound->output.size()) {
                throw BinderError(At(base.location) + "CTE '" + cte.name + "' names " +
                                      std::to_string(cte.column_names.size()) + " columns but returns " +
                                      std::to_string(bound->output.size()),
                                  ErrorCode::WRONG_ARGUMENTS);
            }
            auto sub = std::make_unique<BoundSubqueryRef>();
            std::string alias = base.alias.empty() ? cte.name : base.alias;
            for (size_t i = 0; i < bound->output.size(); ++i) {
                const auto& c = bound->output[i];
                scope_.push_back({alias, cte.column_names.empty() ? c.name : cte.column_names[i], c.type, c.nullable});
                sub->types.push_back(c.type);
            }
            sub->query = std::move(bound);
            sub->cte = std::move(cte_info);
            return sub;
        }
    }
    if (!base.catalog.empty() && !AsciiEqualsIgnoreCase(base.catalog, "default_catalog")) {
        throw CatalogError(At(base.location) + "unknown catalog '" + base.catalog + "'", ErrorCode::UNKNOWN_DATABASE);
    }
    if (base.database.empty() && AsciiEqualsIgnoreCase(base.table, "dual")) {
        auto dual = std::make_unique<BoundValuesRef>();
        dual->rows.emplace_back();
        return dual;
    }
    std::string db = base.database.empty() ? DefaultDatabase() : base.database;
    if (db.empty()) throw CatalogError(At(base.location) + "No database selected", ErrorCode::NO_DATABASE_SELECTED);
    if (!AsciiEqualsIgnoreCase(db, kInformationSchema)) {
        if (auto table = context_.catalog().GetTable(db, base.table)) {
            if (table->kind == "VIEW") return BindView(base, *table);
            // The schema comes with the version, so a scan's columns always match its rowsets.
            std::shared_ptr<const TableVersion> version = pinned_version_ && pinned_version_->table_id == table->id
                                                              ? pinned_version_
                                                              : context_.catalog().GetTableVersion(table->id);
            TableSchema schema = ParseTableDefinition(version->definition);
            bool merged = schema.keys_type == ast::KeysType::AGGREGATE || schema.keys_type == ast::KeysType::UNIQUE;
            bool expose_row_id = !row_id_table_.empty() && AsciiEqualsIgnoreCase(row_id_table_, db + "." + table->name);
            if (merged && raw_table_id_ != table->id && !expose_row_id) {
                int64_t saved_raw = raw_table_id_;
                raw_table_id_ = table->id;
                try {
                    auto ref =
                        BindDefinedQuery(base, table->name, db, MergeOnReadQuery(table->name, schema), {}, "table");
                    raw_table_id_ = saved_raw;
                    return ref;
                } catch (...) {
                    raw_table_id_ = saved_raw;
                    throw;
                }
            }
            auto scan = std::make_unique<BoundTableScanRef>();
            scan->table = db + "." + table->name;
            scan->types = schema.Types();
            scan->version = version;
            scan->data_dir = context_.DataDirectory();
            scan->schema = std::make_shared<const TableSchema>(schema);
            std::string alias = base.alias.empty() ? table->name : base.alias;
            for (const auto& c : schema.columns) scope_.push_back({alias, c.name, c.type, c.nullable});
            // rowid (DuckDB, SQLite): the row's position in the table, unless a column has the name.
            if (schema.Find("rowid") < 0) {
                scan->row_ordinal = true;
                scan->types.push_back(TypeId::BIGINT);
                ScopeColumn rowid{alias, "rowid", TypeId::BIGINT, false};
                rowid.hidden = true;
                scope_.push_back(rowid);
            }
            if (expose_row_id) {
                row_id_table_.clear();
                scan->row_id = true;
                scan->types.push_back(TypeId::BIGINT);
                scope_.push_back({alias, "__row_id", TypeId::BIGINT, false});
            }
            return scan;
        }
        if (!context_.catalog().DatabaseExists(db)) {
            throw CatalogError(At(base.location) + "Unknown database '" + db + "'", ErrorCode::UNKNOWN_DATABASE);
        }
        throw CatalogError(At(base.location) + "Table '" + db + "." + base.table + "' doesn't exist",
                           ErrorCode::UNKNOWN_TABLE);
    }
    auto table = InformationSchemaTable(context_.catalog(), base.table);
    if (!table) {
        throw CatalogError(At(base.location) + "Table 'information_schema." + base.table + "' doesn't exist",
                           ErrorCode::UNKNOWN_TABLE);
    }
    auto values = std::make_unique<BoundValuesRef>();
    values->types = table->types;
    for (auto& row : table->rows) {
        std::vector<BoundExprPtr> bound;
        for (size_t i = 0; i < row.size(); ++i) {
            Value v =
                row[i].is_null() || row[i].type() == table->types[i] ? row[i] : CastValue(row[i], table->types[i]);
            if (v.is_null()) v = Value::Null(table->types[i]);
            bound.push_back(std::make_unique<BoundConstant>(std::move(v)));
        }
        values->rows.push_back(std::move(bound));
    }
    std::string alias = base.alias.empty() ? table->table : base.alias;
    for (size_t i = 0; i < table->names.size(); ++i) scope_.push_back({alias, table->names[i], table->types[i], true});
    return values;
}

BoundTableRefPtr Binder::BindUnnest(const ast::TableFunctionRef& fn, BoundTableRefPtr input,
                                    std::vector<ScopeColumn> input_scope, bool outer) {
    if (fn.args.empty()) {
        throw BinderError(At(fn.location) + "unnest() takes one or more arrays", ErrorCode::WRONG_ARGUMENTS);
    }
    auto ref = std::make_unique<BoundUnnestRef>();
    ref->outer = outer;
    ref->types = input->types;
    scope_ = input_scope;
    std::vector<ScopeColumn> added;
    std::string alias = fn.alias.empty() ? "unnest" : fn.alias;
    for (size_t k = 0; k < fn.args.size(); ++k) {
        BoundExprPtr e = Bind(*fn.args[k]);
        if (e->type.id == TypeId::NULL_TYPE) e = AddCastIfNeeded(std::move(e), LogicalType::Array(TypeId::BIGINT));
        if (e->type.id != TypeId::ARRAY) {
            throw BinderError(At(fn.args[k]->location) + "unnest() needs ARRAY arguments, not " + e->type.ToString(),
                              ErrorCode::TYPE_MISMATCH);
        }
        LogicalType element = e->type.Element();
        std::string name = k < fn.column_aliases.size() ? fn.column_aliases[k]
                           : fn.args.size() == 1        ? "unnest"
                                                        : "unnest_" + std::to_string(k + 1);
        added.push_back({alias, name, element, true});
        ref->types.push_back(element);
        ref->arrays.push_back(std::move(e));
    }
    if (fn.column_aliases.size() > fn.args.size()) {
        throw BinderError(At(fn.location) + "unnest() of " + std::to_string(fn.args.size()) + " arrays has " +
                              std::to_string(fn.args.size()) + " columns, not " +
                              std::to_string(fn.column_aliases.size()),
                          ErrorCode::WRONG_VALUE_COUNT);
    }
    ref->input = std::move(input);
    scope_ = std::move(input_scope);
    scope_.insert(scope_.end(), added.begin(), added.end());
    return ref;
}

BoundTableRefPtr Binder::BindTableFunction(const ast::TableFunctionRef& ref) {
    if (ref.name == "unnest") {
        // unnest([1, 2]) alone in FROM: over one empty row.
        auto dual = std::make_unique<BoundValuesRef>();
        dual->rows.emplace_back();
        auto saved = scope_;
        auto bound = BindUnnest(ref, std::move(dual), {}, false);
        std::vector<ScopeColumn> added = scope_;
        scope_ = std::move(saved);
        scope_.insert(scope_.end(), added.begin(), added.end());
        return bound;
    }
    auto tf = std::make_unique<BoundTableFunctionRef>();
    tf->name = ref.name;
    if (ref.name == "files") {
        if (!ref.args.empty()) {
            throw BinderError(
                At(ref.location) + "FILES() takes properties: FILES(\"path\" = \"...\", \"format\" = \"parquet\")",
                ErrorCode::WRONG_ARGUMENTS);
        }
        FilesDescription d = context_.DescribeFiles(ref.properties);
        tf->properties = ref.properties;
        tf->files = std::move(d.files);
        tf->types = d.types;
        std::string alias = ref.alias.empty() ? "files" : ref.alias;
        for (size_t i = 0; i < d.names.size(); ++i) scope_.push_back({alias, d.names[i], d.types[i], true});
        return tf;
    }
    auto saved = scope_;
    scope_.clear();
    std::vector<int64_t> args;
    for (const auto& a : ref.args) args.push_back(ConstantInteger(*Bind(*a), ref.name + "() argument", a->location));
    scope_ = std::move(saved);
    std::string column;
    if (ref.name == "generate_series") {
        if (args.size() < 2 || args.size() > 3) {
            throw BinderError(At(ref.location) + "generate_series(start, stop[, step]) takes two or three integers",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        if (args.size() == 3 && args[2] == 0) {
            throw BinderError(At(ref.location) + "generate_series() step must not be zero", ErrorCode::WRONG_ARGUMENTS);
        }
        column = "generate_series";
    } else if (ref.name == "numbers") {
        if (args.size() != 1 || args[0] < 0) {
            throw BinderError(At(ref.location) + "numbers(n) takes one non-negative integer",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        column = "number";
    } else {
        throw BinderError(At(ref.location) + "unknown table function '" + ref.name + "'", ErrorCode::UNKNOWN_FUNCTION);
    }
    for (int64_t a : args) tf->args.push_back(Value::Integer(a));
    tf->types = {TypeId::BIGINT};
    scope_.push_back({ref.alias.empty() ? ref.name : ref.alias, column, TypeId::BIGINT, false});
    return tf;
}

BoundTableRefPtr Binder::BindJoin(const ast::JoinTableRef& ref) {
    if (ref.right->kind == ast::TableRefKind::TABLE_FUNCTION &&
        static_cast<const ast::TableFunctionRef&>(*ref.right).name == "unnest") {
        // t, unnest(t.a) / t CROSS JOIN unnest(t.a) / t [LEFT] JOIN unnest(t.a) ON TRUE: lateral.
        bool outer = ref.join_type == ast::JoinType::LEFT;
        if (!outer && ref.join_type != ast::JoinType::CROSS && ref.join_type != ast::JoinType::INNER) {
            throw NotSupportedError(At(ref.location) + "unnest() joins its input by CROSS, INNER or LEFT JOIN");
        }
        bool true_condition =
            !ref.condition || (ref.condition->kind == ast::ExprKind::LITERAL &&
                               static_cast<const ast::LiteralExpr&>(*ref.condition).value == Value::Boolean(true));
        if (!true_condition || !ref.using_columns.empty()) {
            throw NotSupportedError(At(ref.location) +
                                    "a join with unnest() takes no condition but ON TRUE; filter its rows in WHERE");
        }
        auto input = BindTableRef(*ref.left);
        std::vector<ScopeColumn> input_scope = scope_;
        return BindUnnest(static_cast<const ast::TableFunctionRef&>(*ref.right), std::move(input),
                          std::move(input_scope), outer);
    }
    auto join = std::make_unique<BoundJoinRef>();
    switch (ref.join_type) {
        case ast::JoinType::INNER:
            join->join_type = BoundJoinType::INNER;
            break;
        case ast::JoinType::LEFT:
            join->join_type = BoundJoinType::LEFT;
            break;
        case ast::JoinType::RIGHT:
            join->join_type = BoundJoinType::RIGHT;
            break;
        case ast::JoinType::FULL:
            join->join_type = BoundJoinType::FULL;
            break;
        case ast::JoinType::CROSS:
            join->join_type = BoundJoinType::CROSS;
            break;
        case ast::JoinType::LEFT_SEMI:
            join->join_type = BoundJoinType::SEMI;
            break;
        case ast::JoinType::LEFT_ANTI:
            join->join_type = BoundJoinType::ANTI;
            break;
    }
    join->left = BindTableRef(*ref.left);
    std::vector<ScopeColumn> left_scope = scope_;
    scope_.clear();
    join->right = BindTableRef(*ref.right);
    std::vector<ScopeColumn> right_scope = scope_;
    size_t left_width = left_scope.size();
    scope_ = left_scope;
    scope_.insert(scope_.end(), right_scope.begin(), right_scope.end());
    ast::LiteralExpr at;  // error position for conditions the binder builds
    at.location = ref.location;
    std::vector<BoundExprPtr> conjuncts;
    if (ref.condition) {
        SplitConjunction(AddCastIfNeeded(Bind(*ref.condition), TypeId::BOOLEAN), conjuncts);
    }
    for (const auto& name : ref.using_columns) {
        std::optional<size_t> l, r;
        for (size_t i = 0; i < left_scope.size(); ++i) {
            if (AsciiEqualsIgnoreCase(left_scope[i].name, name) && !left_scope[i].qualified_only &&
                !left_scope[i].hidden)
                l = i;
        }
        for (size_t i = 0; i < right_scope.size(); ++i) {
            if (AsciiEqualsIgnoreCase(right_scope[i].name, name) && !right_scope[i].qualified_only &&
                !right_scope[i].hidden)
                r = i;
        }
        if (!l || !r) {
            throw BinderError(At(ref.location) + "Unknown column '" + name + "' in 'from clause'",
                              ErrorCode::UNKNOWN_COLUMN);
        }
        std::vector<BoundExprPtr> args;
        args.push_back(std::make_unique<BoundColumnRef>(*l, left_scope[*l].type, name));
        args.push_back(std::make_unique<BoundColumnRef>(left_width + *r, right_scope[*r].type, name));
        conjuncts.push_back(MakeFunction("equal", std::move(args), at));
        right_scope[*r].qualified_only = true;  // USING columns appear once, unqualified from the left
    }
    // Equality conjuncts with one side on each input become hash keys.
    std::vector<BoundExprPtr> rest;
    for (auto& c : conjuncts) {
        bool is_key = false;
        if (c->kind == BoundExprKind::FUNCTION && static_cast<BoundFunction&>(*c).function.name == "equal") {
            auto& eq = static_cast<BoundFunction&>(*c);
            auto side = [&](const BoundExpression& e) {
                bool left = false, right = false;
                ForEachColumn(e, [&](size_t i) { (i < left_width ? left : right) = true; });
                return left && !right ? 0 : (right && !left ? 1 : -1);
            };
            int a = side(*eq.args[0]), b = side(*eq.args[1]);
            if ((a == 0 && b == 1) || (a == 1 && b == 0)) {
                BoundExprPtr l = std::move(eq.args[a == 0 ? 0 : 1]);
                BoundExprPtr r = std::move(eq.args[a == 0 ? 1 : 0]);
                ShiftColumns(*r, left_width);
                join->left_keys.push_back(std::move(l));
                join->right_keys.push_back(std::move(r));
                is_key = true;
            }
        }
        if (!is_key) rest.push_back(std::move(c));
    }
    for (auto& c : rest) {
        if (!join->condition) {
            join->condition = std::move(c);
        } else {
            std::vector<BoundExprPtr> args;
            args.push_back(std::move(join->condition));
            args.push_back(std::move(c));
            join->condition = MakeFunction("and", std::move(args), at);
        }
    }
    if (join->join_type == BoundJoinType::CROSS && (!join->left_keys.empty() || join->condition)) {
        join->join_type = BoundJoinType::INNER;
    }
    if (join->join_type == BoundJoinType::LEFT || join->join_type == BoundJoinType::FULL) {
        for (auto& c : right_scope) c.nullable = true;
    }
    if (join->join_type == BoundJoinType::RIGHT || join->join_type == BoundJoinType::FULL) {
        for (auto& c : left_scope) c.nullable = true;
    }
    join->types.clear();
    for (const auto& c : left_scope) join->types.push_back(c.type);
    scope_ = left_scope;
    if (join->join_type != BoundJoinType::SEMI && join->join_type != BoundJoinType::ANTI) {
        for (const auto& c : right_scope) join->types.push_back(c.type);
        scope_.insert(scope_.end(), right_scope.begin(), right_scope.end());
    }
    return join;
}

}  // namespace floe
