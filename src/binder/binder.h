#pragma once
/// The binder turns AST statements into bound form: it resolves names against the catalog and
/// the FROM scope, types every expression, resolves functions, inserts implicit casts, and folds
/// session facts (DATABASE(), @@vars, prepared-statement parameters) into constants. Errors name
/// the position and the problem ("line 1, column 8: unknown column 'amout'; did you mean 'amount'?").

#include <string>
#include <vector>

#include "binder/bound_query.h"
#include "binder/client_context.h"
#include "parser/ast/statement.h"
#include "types/time_zone.h"

namespace floe {

/// One column visible to expressions: its table alias and name and its input index.
struct ScopeColumn {
    std::string table;
    std::string name;
    LogicalType type;
    bool nullable = true;
    /// The right side's column of a JOIN ... USING: reachable qualified (t2.a, t2.*) only; an
    /// unqualified name and * mean the left side's.
    bool qualified_only = false;
    /// A pseudo column (a table's rowid): not part of *, USING or NATURAL, and a real column of
    /// the same name in scope wins.
    bool hidden = false;
};

class Binder {
  public:
    /// `params` are the values of `?` placeholders (nullptr: every placeholder binds as NULL).
    Binder(ClientContext& context, const std::vector<Value>* params = nullptr);

    /// Binds a query (SELECT, set operation, VALUES) with its CTEs, ORDER BY and LIMIT.
    /// `default_database`, when given, resolves unqualified table names instead of the session's
    /// current database (view definitions bind in their own database).
    std::unique_ptr<BoundQueryNode> BindQuery(const ast::QueryNode& query, const std::string& default_database = "");
    /// Binds an expression that may only use constants, variables and functions (SET values).
    BoundExprPtr BindConstantExpression(const ast::Expr& expr);
    /// Binds an expression over the given columns.
    BoundExprPtr BindExpression(const ast::Expr& expr, const std::vector<ScopeColumn>& scope);
    /// The next scan of base table `database`.`table` also outputs a BIGINT `__row_id` column (the
    /// row's position, for DELETE). Aggregate Key tables are scanned raw when exposed this way.
    void ExposeRowId(const std::string& database, const std::string& table);
    /// Scans of the version's table read `version` instead of the current one (compaction reads
    /// exactly the rowsets it replaces).
    void PinTableVersion(std::shared_ptr<const TableVersion> version) { pinned_version_ = std::move(version); }
    /// The table an UPDATE or DELETE changes: its statement checks the UPDATE or DELETE privilege,
    /// so reading it to find the rows needs no SELECT of its own (other tables still do).
    void SetWriteTarget(int64_t table_id) { write_target_id_ = table_id; }
    /// Tables of external catalogs are read without their own privilege (a tiered table's cold
    /// tier, changed by a statement already granted on the tiered table).
    void ReadExternalAsGranted() { ++tier_depth_; }
    /// Table `table_id` is read as its hot tier alone (a tiered table's own rows: schema changes,
    /// deletes by row id).
    void ReadHotTierOnly(int64_t table_id) { hot_only_table_id_ = table_id; }

  private:
    /// The session's time_zone (UTC when it has none); throws for an unknown zone.
    TimeZone SessionTimeZone() const;
    // Expressions (binder.cpp).
    BoundExprPtr Bind(const ast::Expr& expr);
    BoundExprPtr BindPlain(const ast::Expr& expr);
    BoundExprPtr BindColumnRef(const ast::ColumnRefExpr& ref);
    BoundExprPtr BindFunctionCall(const ast::FunctionCallExpr& call);
    BoundExprPtr BindAggregateCall(const ast::FunctionCallExpr& call);
    BoundExprPtr BindWindowCall(const ast::FunctionCallExpr& call);
    /// GROUPING(key, ...) in an aggregated SELECT: which keys a row rolled up (a bit per key).
    BoundExprPtr BindGroupingCall(const ast::FunctionCallExpr& call);
    BoundExprPtr BindBinary(const ast::BinaryExpr& expr);
    BoundExprPtr BindCase(const ast::CaseExpr& expr);
    // Subqueries, decorrelated into joins (subquery_binder.cpp).
    BoundExprPtr BindSubquery(const ast::SubqueryExpr& expr);
    /// x op ANY|SOME|ALL (subquery), decorrelated into a join with min/max/counts per key.
    BoundExprPtr BindQuantified(const ast::SubqueryExpr& expr);
    /// [NOT] EXISTS as a top-level WHERE conjunct, when the subquery is a plain filter (no
    /// aggregation, LIMIT or windows) correlated only through its WHERE: a SEMI (ANTI) join of the
    /// FROM with the subquery's FROM on its WHERE (equalities become hash keys, the rest a residual
    /// condition), instead of a join with the distinct correlation values. Returns false (nothing
    /// added) when it does not apply.
    bool BindExistsAsJoin(const ast::SubqueryExpr& expr);
    /// Whether `expr` is a top-level WHERE conjunct of the SELECT being bound (semi-join candidate).
    bool IsSemiJoinCandidate(const ast::SubqueryExpr& expr) const;
    /// Binds and decorrelates the subquery's query; returns it and the number of correlation columns
    /// it outputs first.
    std::unique_ptr<BoundQueryNode> BindSubqueryQuery(const ast::SubqueryExpr& expr,
                                                      std::vector<size_t>* outer_columns);
    /// Joins `right` to the SELECT being bound (LEFT or SINGLE on the given keys); returns the column
    /// index, in the SELECT's FROM space, where `right`'s columns start.
    size_t AddSubqueryJoin(std::unique_ptr<BoundQueryNode> right, BoundJoinType type,
                           std::vector<BoundExprPtr> left_keys, std::vector<BoundExprPtr> right_keys,
                           std::vector<bool> null_safe);
    /// Resolves `name` in the registry for the bound args and wraps args in casts as needed.
    BoundExprPtr MakeFunction(const std::string& name, std::vector<BoundExprPtr> args, const ast::Expr& at);
    /// A call with a lambda argument (array_map(x -> x + 1, arr), ...).
    BoundExprPtr BindLambdaCall(const ast::FunctionCallExpr& call, const std::string& name);
    /// parts[begin, end) joined by the two-argument function `name` (and, or) as a balanced tree.
    BoundExprPtr MakeBalanced(const char* name, std::vector<BoundExprPtr>& parts, size_t begin, size_t end,
                              const ast::Expr& at);
    BoundExprPtr MakeIntervalAdd(BoundExprPtr date, const ast::IntervalExpr& interval, bool subtract);

    // Queries and FROM (query_binder.cpp).
    std::unique_ptr<BoundQueryNode> BindQueryNode(const ast::QueryNode& query);
    std::unique_ptr<BoundQueryNode> BindSelectNode(const ast::SelectNode& node);
    std::unique_ptr<BoundQueryNode> BindSetOperation(const ast::SetOperationNode& node);
    std::unique_ptr<BoundQueryNode> BindValuesNode(const ast::ValuesNode& node);
    BoundTableRefPtr BindTableRef(const ast::TableRef& ref);
    /// BindTableRef without the `AS t(a, b)` column names.
    BoundTableRefPtr BindTableRefColumns(const ast::TableRef& ref);
    BoundTableRefPtr BindBaseTable(const ast::BaseTableRef& ref);
    BoundTableRefPtr BindView(const ast::BaseTableRef& ref, const struct TableInfo& view);
    /// Rows of a system table (information_schema, sys) as a VALUES source under its name.
    /// A table of an external catalog (an Iceberg table): resolved through the session.
    BoundTableRefPtr BindSourceTable(const ast::BaseTableRef& base, const std::string& catalog);
    BoundTableRefPtr BindSystemRows(const ast::BaseTableRef& ref, struct BoundValuesSource& source);
    /// Binds `definition` (a SELECT) as a derived table named `name` in `database`: views, and the
    /// merge-on-read query of Aggregate Key tables.
    BoundTableRefPtr BindDefinedQuery(const ast::BaseTableRef& ref, const std::string& name,
                                      const std::string& database, const std::string& definition,
                                      const std::vector<std::string>& column_names, const char* what);
    const std::string& DefaultDatabase() const;
    BoundTableRefPtr BindJoin(const ast::JoinTableRef& ref);
    BoundTableRefPtr BindTableFunction(const ast::TableFunctionRef& ref);
    /// Binds ORDER BY items of a query whose output is `output` (set operations, DISTINCT).
    void BindOutputOrderBy(const ast::QueryNode& query, BoundQueryNode& node, const std::vector<std::string>& texts);
    void BindLimit(const ast::QueryNode& query, BoundQueryNode& node);
    /// Binds `expr` in aggregation context: aggregates become references to aggregate outputs and
    /// expressions equal to a GROUP BY key become references to that key.
    BoundExprPtr BindAggregated(const ast::Expr& expr);
    /// The items of a row constructor, bound (one item for any other expression).
    std::vector<BoundExprPtr> BindRowItems(const ast::Expr& expr);
    /// Row comparison expanded into comparisons of the items (lexicographic for <, <=, >, >=).
    BoundExprPtr CompareRows(ast::BinaryOp op, std::vector<BoundExprPtr> left, std::vector<BoundExprPtr> right,
                             const ast::Expr& at);
    /// While HAVING binds: the select list's aliases, which HAVING may name (as MySQL allows) when
    /// no FROM column has the name.
    const std::vector<ast::SelectItem>* having_aliases_ = nullptr;

    /// A CTE visible to the query being bound.
    struct CteBinding {
        std::string name;
        const ast::CommonTableExpr* cte = nullptr;
        std::shared_ptr<BoundCte> bound;
        /// Set while a recursive CTE's recursive part binds: its reads of the CTE itself.
        std::shared_ptr<WorkingTable> working;
        std::vector<LogicalType> working_types;
        std::vector<std::string> working_names;
        std::shared_ptr<size_t> working_reads;
    };
    /// WITH RECURSIVE: the CTE at ctes_[index] bound as anchor UNION [ALL] recursive part; null
    /// when the second operand does not read the CTE (then it is an ordinary CTE).
    BoundTableRefPtr BindRecursiveCte(const ast::BaseTableRef& base, size_t index);
    /// unnest(arrays) over `input` (whose columns are `input_scope`): see BoundUnnestRef.
    BoundTableRefPtr BindUnnest(const ast::TableFunctionRef& fn, BoundTableRefPtr input,
                                std::vector<ScopeColumn> input_scope, bool outer);

    ClientContext& context_;
    const std::vector<Value>* params_;
    std::vector<ScopeColumn> scope_;
    std::vector<CteBinding> ctes_;
    std::vector<std::string> database_stack_;  // innermost view's database last
    int cte_depth_ = 0;
    std::string row_id_table_;      // "db.table" whose next scan exposes __row_id
    int64_t raw_table_id_ = 0;      // the Aggregate Key table whose merge query is being bound
    int64_t write_target_id_ = -1;  // see SetWriteTarget
    /// Views being bound: a view is read with its own SELECT privilege (StarRocks' default
    /// SECURITY NONE); what its query reads was checked against its creator when it was created.
    int view_depth_ = 0;
    std::shared_ptr<const TableVersion> pinned_version_;
    /// Set while the query of a tiered table binds: its cold tier is read without a privilege of
    /// its own (the logical table's SELECT covers both tiers).
    int tier_depth_ = 0;
    int64_t hot_only_table_id_ = 0;  // see ReadHotTierOnly
    /// The cold tier's table, opened before the tiered table's query binds (which takes it).
    std::shared_ptr<const TableSource> tier_cold_;

    // Aggregation context of the SELECT being bound.
    struct AggregateContext {
        std::vector<ScopeColumn> from_scope;
        std::vector<std::string> group_texts;  // StructuralKey of each bound GROUP BY key
        std::vector<size_t> group_columns;     // the FROM columns that are GROUP BY keys themselves
        std::vector<LogicalType> group_types;
        std::vector<BoundAggregate>* aggregates = nullptr;
        std::vector<std::string> aggregate_texts;  // identity of each aggregate (structural: by column position)
        /// ROLLUP/CUBE/GROUPING SETS: the number of real keys (their GROUPING() flags follow the
        /// grouping id in the group keys); 0 for a plain GROUP BY.
        size_t grouping_keys = 0;
    };
    AggregateContext* aggregate_context_ = nullptr;
    /// Where window calls go while a SELECT's select list and ORDER BY are bound (else: none allowed).
    std::vector<BoundWindow>* windows_ = nullptr;
    bool last_subquery_correlated_ = false;    // set by BindSubquery
    std::vector<size_t> last_subquery_outer_;  // set by BindSubquery: the enclosing columns it read
    /// The subquery whose correlation values (D) are being filtered by the enclosing WHERE: a
    /// conjunct that holds it cannot filter them.
    const ast::SubqueryExpr* decorrelating_ = nullptr;

    /// Outer columns visible to a subquery being bound, and the ones it used.
    struct SubqueryFrame {
        std::vector<ScopeColumn> outer_scope;
        /// Per correlation slot, in order of first use: an outer scope index, or kCorrelatedBase + s
        /// for a column of a query further out, which the enclosing query reads as its own
        /// correlated slot s (a subquery two levels deep reads the outermost query's column).
        std::vector<size_t> correlated;
        size_t uses = 0;  // correlated references made
        /// The FROM clause `outer_scope` comes from (distinct values of a column read from a
        /// deeper subquery are taken from it).
        const ast::TableRef* outer_from = nullptr;
    };
    std::vector<SubqueryFrame> subquery_frames_;
    /// Follows correlation slot `slot` of subquery_frames_[frame] out to the frame whose outer
    /// scope holds the column: (that frame's index, the outer scope index).
    std::pair<size_t, size_t> CorrelatedSource(size_t frame, size_t slot) const;
    /// The enclosing column of outer column `c` of the subquery just bound (an index into scope_,
    /// or kCorrelatedBase + s: the current frame's slot s).
    const ScopeColumn& OuterColumn(size_t c) const;
    /// Correlated references made so far in the enclosing subquery frames (to tell whether a
    /// derived table or CTE read the enclosing query's columns).
    size_t CorrelatedUses() const;
    /// Binds `query` as a subquery of the current scope; `frame` receives its correlation.
    std::unique_ptr<BoundQueryNode> BindInSubqueryFrame(const ast::QueryNode& query, SubqueryFrame& frame);

    /// The SELECT whose expressions are being bound: where subquery joins attach.
    struct SelectState {
        const ast::TableRef* from_ast = nullptr;
        const ast::Expr* where_ast = nullptr;
        size_t width = 0;  // columns of FROM plus the subquery joins added so far
        std::vector<std::unique_ptr<BoundJoinRef>> joins;
        /// [NOT] EXISTS and IN subqueries that are top-level conjuncts of WHERE: they may become
        /// semi and anti joins.
        std::vector<const ast::Expr*> semi_join_candidates;
    };
    SelectState* select_state_ = nullptr;
};

/// Column references at or above this index inside a subquery point at correlated outer columns.
constexpr size_t kCorrelatedBase = size_t{1} << 30;

/// The height a bound expression may reach (BoundExpression::height). The parser allows 1000
/// levels; binding adds casts and expands CASE, rows and IN lists, and the passes after the
/// binder recurse once per level (a release build overflowed its 8 MiB stack near 14,000).
constexpr uint32_t kMaxBoundExpressionDepth = 2000;

/// Adds an explicit cast when `expr` is not already of type `to`.
BoundExprPtr AddCastIfNeeded(BoundExprPtr expr, const LogicalType& to);

}  // namespace floe
