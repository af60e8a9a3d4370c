#pragma once
/// Bound queries: table references (FROM), SELECT blocks with their filters, grouping, aggregates,
/// projections, ordering and limits, and set operations, all with resolved types. The planner
/// turns them into logical operator trees.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "binder/bound_expression.h"
#include "binder/table_schema.h"
#include "catalog/catalog.h"
#include "catalog/table_source.h"
#include "function/aggregate_function.h"

namespace floe {

/// One column of a query's output, with what the MySQL column definition wants to know.
struct BoundOutputColumn {
    std::string name;
    std::string org_name;
    std::string table;
    std::string org_table;
    std::string schema;
    LogicalType type;
    bool nullable = true;
};

/// Rows known at bind time (information_schema), kept as values.
struct BoundValuesSource {
    std::vector<LogicalType> types;
    std::vector<std::string> names;
    std::vector<std::vector<Value>> rows;
    std::string table;
    std::string schema;
};

struct BoundQueryNode;

enum class BoundTableRefKind : uint8_t {
    VALUES,
    TABLE_FUNCTION,
    SUBQUERY,
    JOIN,
    TABLE_SCAN,
    RECURSIVE_CTE,
    WORKING_TABLE,
    UNNEST
};

/// A FROM item; its output columns are `types` (names live in the binder's scope).
struct BoundTableRef {
    explicit BoundTableRef(BoundTableRefKind k) : kind(k) {}
    virtual ~BoundTableRef() = default;
    BoundTableRefKind kind;
    std::vector<LogicalType> types;
};
using BoundTableRefPtr = std::unique_ptr<BoundTableRef>;

/// Rows of expressions that read no columns: dual (one empty row), VALUES, information_schema.
struct BoundValuesRef : BoundTableRef {
    BoundValuesRef() : BoundTableRef(BoundTableRefKind::VALUES) {}
    std::vector<std::vector<BoundExprPtr>> rows;
};

/// generate_series(start, stop[, step]) and numbers(n): integer sequences; FILES(...): the rows of
/// data files (`files`, read with `properties`; `types` are all their columns).
struct BoundTableFunctionRef : BoundTableRef {
    BoundTableFunctionRef() : BoundTableRef(BoundTableRefKind::TABLE_FUNCTION) {}
    std::string name;
    std::vector<Value> args;
    std::vector<std::pair<std::string, std::string>> properties;
    std::vector<std::string> files;
    /// A table of an external catalog (name "table_source"): the version the statement reads.
    std::shared_ptr<const TableSource> source;
};

/// A column id that reads a row's position instead of a stored column: (rowset id << 32) | row,
/// as BIGINT. DELETE finds the rows it removes through it.
constexpr size_t kRowIdColumn = ~size_t{0};
/// A column id that reads a row's ordinal among the live rows of the table version, in storage
/// order, from 0 (the rowid pseudo column; writes that delete or move rows renumber them).
constexpr size_t kRowOrdinalColumn = ~size_t{0} - 1;
/// Whether a column id is one of the above rather than a stored column.
inline bool IsVirtualColumn(size_t id) {
    return id >= kRowOrdinalColumn;
}

/// A base table at the version pinned when the statement was bound: its committed rowsets and
/// their delete vectors. `types` are the stored columns, plus a trailing BIGINT row id when
/// `row_id` is set; before it a BIGINT row ordinal (rowid) when `row_ordinal` is set.
struct BoundTableScanRef : BoundTableRef {
    BoundTableScanRef() : BoundTableRef(BoundTableRefKind::TABLE_SCAN) {}
    std::string table;  // db.table, for EXPLAIN and errors
    std::shared_ptr<const TableVersion> version;
    std::shared_ptr<const TableSchema> schema;
    std::string data_dir;  // segment paths are relative to it
    bool row_ordinal = false;
    bool row_id = false;
};

/// The rows a recursive CTE's previous step added, read by its recursive part. `rows` is the
/// execution's (a CteResult, execution/operator/physical_cte_scan.h), set before each step.
struct WorkingTable {
    std::string name;
    std::shared_ptr<void> rows;
};

/// WITH RECURSIVE name AS (anchor UNION [ALL] recursive): `types` are the anchor's, the recursive
/// part's rows are cast to them; the recursive part reads `working`.
struct BoundRecursiveCteRef : BoundTableRef {
    BoundRecursiveCteRef();
    ~BoundRecursiveCteRef() override;
    std::unique_ptr<BoundQueryNode> anchor, recursive;
    bool all = false;
    int64_t max_depth = 1000;  // steps of the recursive part allowed (cte_max_recursion_depth)
    std::shared_ptr<WorkingTable> working;
};

/// The recursive part's reference to its own CTE.
struct BoundWorkingTableRef : BoundTableRef {
    BoundWorkingTableRef() : BoundTableRef(BoundTableRefKind::WORKING_TABLE) {}
    std::shared_ptr<WorkingTable> working;
};

/// `FROM t, unnest(t.a [, t.b ...]) AS u(x [, y])` (a lateral table function; alone in FROM its
/// input is one empty row): each row of `input` once per element of its arrays (the longest; the
/// shorter ones give NULL), followed by the elements. `outer` (LEFT JOIN unnest(...) ON TRUE)
/// keeps a row whose arrays are empty or NULL, with NULL elements.
struct BoundUnnestRef : BoundTableRef {
    BoundUnnestRef() : BoundTableRef(BoundTableRefKind::UNNEST) {}
    BoundTableRefPtr input;
    std::vector<BoundExprPtr> arrays;  // over the input's columns
    bool outer = false;
};

struct CteMaterialization;  // planner/logical_operator.h

/// A CTE of a statement as the binder saw it: how many times it is read.
struct BoundCte {
    std::string name;
    size_t references = 0;
    /// Made by the planner at the first read of a CTE read more than once.
    std::shared_ptr<CteMaterialization> materialization;
};

struct BoundSubqueryRef : BoundTableRef {
    BoundSubqueryRef();
    ~BoundSubqueryRef() override;
    std::unique_ptr<BoundQueryNode> query;
    std::shared_ptr<BoundCte> cte;  // set when this is a read of a CTE
};

/// SINGLE is a LEFT join that fails when a left row matches more than one right row (scalar subqueries).
/// RIGHT_SEMI / RIGHT_ANTI: the right input's rows that have (have no) match in the left one; only
/// the optimizer's last pass makes them (a SEMI / ANTI join with its inputs swapped, so that the
/// smaller input is the one hashed).
enum class BoundJoinType : uint8_t { INNER, LEFT, RIGHT, FULL, CROSS, SEMI, ANTI, SINGLE, RIGHT_SEMI, RIGHT_ANTI };

/// left ⋈ right; the join's columns are left's followed by right's (SEMI/ANTI: left's only).
struct BoundJoinRef : BoundTableRef {
    BoundJoinRef() : BoundTableRef(BoundTableRefKind::JOIN) {}
    BoundJoinType join_type = BoundJoinType::INNER;
    BoundTableRefPtr left;
    BoundTableRefPtr right;
    /// Equality keys (left side over left's columns, right side over right's columns).
    std::vector<BoundExprPtr> left_keys;
    std::vector<BoundExprPtr> right_keys;
    /// Per key: NULL matches NULL (correlation columns of decorrelated subqueries).
    std::vector<bool> null_safe;
    /// Remaining condition over the concatenated columns; may be null.
    BoundExprPtr condition;
};

struct BoundOrderBy {
    BoundExprPtr expr;
    bool ascending = true;
    bool nulls_first = true;
};

/// One aggregate call: function, arguments over the pre-aggregation columns.
struct BoundAggregate {
    BoundAggregateFunction function;
    std::vector<BoundExprPtr> args;
};

enum class BoundQueryKind : uint8_t { SELECT, SET_OPERATION };

struct BoundQueryNode {
    explicit BoundQueryNode(BoundQueryKind k) : kind(k) {}
    virtual ~BoundQueryNode() = default;
    BoundQueryKind kind;
    std::vector<BoundOutputColumn> output;
    /// Over the node's final output columns for set operations and DISTINCT; over the
    /// pre-projection columns (see BoundSelect) otherwise.
    std::vector<BoundOrderBy> order_by;
    std::optional<int64_t> limit;
    int64_t offset = 0;
};

/// A window function call of a SELECT: computed after aggregation (and HAVING), before ORDER BY
/// and the select list, which read its result as a column. Expressions read the pre-projection
/// columns (FROM's, or the aggregation output).
struct BoundWindow {
    std::string function;  // row_number, rank, dense_rank, cume_dist, percent_rank, ntile, lag,
                           // lead, first_value, last_value, or any aggregate
    std::optional<BoundAggregateFunction> aggregate;
    std::vector<BoundExprPtr> args;
    std::vector<BoundExprPtr> partition_by;
    std::vector<BoundOrderBy> order_by;
    bool has_frame = false;
    bool rows = true;
    ast::FrameBound start, end;
    int64_t offset = 1;  // lag/lead offset, ntile buckets
    LogicalType type;
    std::string text;  // for EXPLAIN
};

/// Group keys of ROLLUP / CUBE / GROUPING SETS that the Expand step produces: kExpandBase + 0 is
/// the grouping id, kExpandBase + 1 + j the GROUPING() flag of key j. The planner renumbers them.
constexpr size_t kExpandBase = size_t{1} << 28;

/// Column references at or above this index name window results: (index - kWindowBase)-th window
/// of the SELECT. The planner renumbers them once the width of the window's input is known.
constexpr size_t kWindowBase = size_t{1} << 29;

/// A SELECT block. Columns flow: from → where → [group_by + aggregates → having] → order_by →
/// limit → select_list (→ distinct). Without aggregation the select list, ORDER BY and HAVING
/// read the FROM columns; with it they read the aggregation output: the group keys, then the
/// aggregates. With DISTINCT, ORDER BY reads the select list's output instead.
struct BoundSelect : BoundQueryNode {
    BoundSelect() : BoundQueryNode(BoundQueryKind::SELECT) {}
    BoundTableRefPtr from;
    BoundExprPtr where;
    bool aggregated = false;
    std::vector<BoundExprPtr> group_by;
    std::vector<BoundAggregate> aggregates;
    BoundExprPtr having;
    /// ROLLUP / CUBE / GROUPING SETS: the first grouping_keys entries of group_by are the keys;
    /// each set is a mask of the keys it rolls up (bit j: key j is NULL in that set's rows). Then
    /// group_by holds the grouping id and one GROUPING() flag per key (kExpandBase references).
    std::vector<uint64_t> grouping_sets;
    size_t grouping_keys = 0;
    std::vector<BoundWindow> windows;
    std::vector<BoundExprPtr> select_list;
    bool distinct = false;
};

enum class BoundSetOpType : uint8_t { UNION, INTERSECT, EXCEPT };

struct BoundSetOperation : BoundQueryNode {
    BoundSetOperation() : BoundQueryNode(BoundQueryKind::SET_OPERATION) {}
    BoundSetOpType op = BoundSetOpType::UNION;
    bool all = false;
    std::unique_ptr<BoundQueryNode> left;
    std::unique_ptr<BoundQueryNode> right;
};

}  // namespace floe
