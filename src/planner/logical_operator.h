#pragma once
/// Logical plan: a tree of relational operators over bound expressions, produced by the planner,
/// rewritten by the optimizer, and turned into physical operators by execution/.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "binder/bound_query.h"

namespace floe {

enum class LogicalOperatorType : uint8_t {
    VALUES,
    TABLE_FUNCTION,
    GET,
    FILTER,
    PROJECTION,
    AGGREGATE,
    ORDER_BY,
    LIMIT,
    JOIN,
    UNION_ALL,
    SET_OPERATION,
    WINDOW,
    EXPAND,
    CTE_SCAN,
    RECURSIVE_CTE,
    WORKING_TABLE_SCAN,
    UNNEST,
};

struct LogicalOperator {
    explicit LogicalOperator(LogicalOperatorType t) : type(t) {}
    virtual ~LogicalOperator() = default;
    LogicalOperatorType type;
    std::vector<std::unique_ptr<LogicalOperator>> children;
    /// Output column types.
    std::vector<LogicalType> types;
    /// One line describing this operator (EXPLAIN).
    virtual std::string ToString() const = 0;
};
using LogicalOperatorPtr = std::unique_ptr<LogicalOperator>;

std::string ExpressionListToString(const std::vector<BoundExprPtr>& exprs);

/// Rows of constant expressions (dual, VALUES, information_schema).
struct LogicalValues : LogicalOperator {
    LogicalValues() : LogicalOperator(LogicalOperatorType::VALUES) {}
    std::vector<std::vector<BoundExprPtr>> rows;
    std::string note;  // why a scan became this (EXPLAIN)
    std::string ToString() const override {
        return "VALUES (" + std::to_string(rows.size()) + " rows)" + (note.empty() ? "" : ": " + note);
    }
};

/// A filter conjunct a scan can check against zone maps to skip rowsets and pages:
/// `table column <op> constant`, op one of equal, less, less_equal, greater, greater_equal. The
/// filter above the scan still applies it to the rows read.
struct ZonePredicate {
    size_t column = 0;
    std::string op;
    Value constant;
};

/// Scan of a base table at a pinned version (its rowsets and delete vectors).
/// generate_series / numbers.
struct LogicalTableFunction : LogicalOperator {
    LogicalTableFunction() : LogicalOperator(LogicalOperatorType::TABLE_FUNCTION) {}
    std::string name;
    std::vector<Value> args;
    // FILES(): the files, their properties, all their columns' types, and which columns the
    // scan outputs (`types`), as for LogicalGet.
    std::vector<std::pair<std::string, std::string>> properties;
    std::vector<std::string> files;
    std::vector<LogicalType> file_types;
    std::vector<size_t> column_ids;
    std::vector<ZonePredicate> zone_predicates;  // checked against row-group statistics
    /// A table of an external catalog (name "table_source"): the table version, and the scan
    /// planned from `zone_predicates` by the optimizer (null until then).
    std::shared_ptr<const TableSource> source;
    std::shared_ptr<const ScanPlan> scan_plan;
    /// FILES() and table sources read only the columns in column_ids (the others take arguments).
    bool ReadsColumns() const { return name == "files" || source != nullptr; }
    std::string ToString() const override;
};

struct LogicalGet : LogicalOperator {
    LogicalGet() : LogicalOperator(LogicalOperatorType::GET) {}
    std::string table;
    std::shared_ptr<const TableVersion> version;
    std::shared_ptr<const TableSchema> schema;
    std::string data_dir;
    int64_t row_count = 0;  // live rows
    /// Partitioned tables: partitions left after pruning, of how many (-1: unpartitioned).
    int64_t partitions_selected = -1, partitions_total = -1;
    int64_t buckets_selected = -1, buckets_total = -1;  // hash buckets kept by a filter on the distribution key
    std::vector<ZonePredicate> zone_predicates;
    /// The table's stored column types, and which of them the scan outputs (`types`), in order
    /// (kRowIdColumn: the row's position).
    std::vector<LogicalType> table_types;
    std::vector<size_t> column_ids;
    std::string ToString() const override;
};

/// ROLLUP / CUBE / GROUPING SETS: each input row once per grouping set, with the keys that set
/// rolls up set to NULL. Output: the input's columns, the keys, the grouping id (the set's mask)
/// and one GROUPING() flag (0/1) per key.
struct LogicalExpand : LogicalOperator {
    LogicalExpand() : LogicalOperator(LogicalOperatorType::EXPAND) {}
    std::vector<BoundExprPtr> keys;
    std::vector<uint64_t> sets;
    std::string ToString() const override;
};

/// Window functions: the input's columns, then one column per window.
struct LogicalWindow : LogicalOperator {
    LogicalWindow() : LogicalOperator(LogicalOperatorType::WINDOW) {}
    std::vector<BoundWindow> windows;
    std::string ToString() const override;
};

struct LogicalFilter : LogicalOperator {
    LogicalFilter() : LogicalOperator(LogicalOperatorType::FILTER) {}
    BoundExprPtr condition;
    std::string ToString() const override { return "FILTER " + condition->ToString(); }
};

struct LogicalProjection : LogicalOperator {
    LogicalProjection() : LogicalOperator(LogicalOperatorType::PROJECTION) {}
    std::vector<BoundExprPtr> expressions;
    std::string ToString() const override { return "PROJECT " + ExpressionListToString(expressions); }
};

/// Hash aggregation: output is the group keys followed by the aggregates. Without keys there is
/// exactly one output row.
struct LogicalAggregate : LogicalOperator {
    LogicalAggregate() : LogicalOperator(LogicalOperatorType::AGGREGATE) {}
    std::vector<BoundExprPtr> groups;
    std::vector<BoundAggregate> aggregates;
    std::string ToString() const override;
};

struct LogicalOrderBy : LogicalOperator {
    LogicalOrderBy() : LogicalOperator(LogicalOperatorType::ORDER_BY) {}
    std::vector<BoundOrderBy> orders;
    /// Set by the top_n pass when a LIMIT above needs only the first `top_n` rows.
    std::optional<int64_t> top_n;
    std::string ToString() const override;
};

struct LogicalLimit : LogicalOperator {
    LogicalLimit() : LogicalOperator(LogicalOperatorType::LIMIT) {}
    std::optional<int64_t> limit;
    int64_t offset = 0;
    std::string ToString() const override {
        return "LIMIT " + (limit ? std::to_string(*limit) : std::string("ALL")) + " OFFSET " + std::to_string(offset);
    }
};

/// children[0] ⋈ children[1]; equi-join keys plus an optional residual condition.
struct LogicalJoin : LogicalOperator {
    LogicalJoin() : LogicalOperator(LogicalOperatorType::JOIN) {}
    BoundJoinType join_type = BoundJoinType::INNER;
    std::vector<BoundExprPtr> left_keys;
    std::vector<BoundExprPtr> right_keys;
    std::vector<bool> null_safe;
    BoundExprPtr condition;
    std::string ToString() const override;
};

struct LogicalUnionAll : LogicalOperator {
    LogicalUnionAll() : LogicalOperator(LogicalOperatorType::UNION_ALL) {}
    std::string ToString() const override { return "UNION ALL"; }
};

/// INTERSECT / EXCEPT [ALL] of children[0] and children[1].
struct LogicalSetOperation : LogicalOperator {
    LogicalSetOperation() : LogicalOperator(LogicalOperatorType::SET_OPERATION) {}
    BoundSetOpType op = BoundSetOpType::INTERSECT;
    bool all = false;
    std::string ToString() const override {
        return std::string(op == BoundSetOpType::INTERSECT ? "INTERSECT" : "EXCEPT") + (all ? " ALL" : "");
    }
};

/// A CTE that several parts of a statement read: planned (and optimized) once, computed once when
/// the statement runs, and read by every LogicalCteScan of it.
struct CteMaterialization {
    std::string name;
    std::unique_ptr<LogicalOperator> plan;
    bool optimized = false;
    /// The execution's state (the physical plan and its rows), made by the physical planner.
    std::shared_ptr<void> physical;
};

/// A read of a materialized CTE: a leaf (filters stay above it; every reader sees all its rows).
struct LogicalCteScan : LogicalOperator {
    LogicalCteScan() : LogicalOperator(LogicalOperatorType::CTE_SCAN) {}
    std::shared_ptr<CteMaterialization> cte;
    std::string ToString() const override { return "CTE SCAN " + cte->name + " (computed once)"; }
};

/// WITH RECURSIVE: children[0] (the anchor) once, then children[1] (the recursive part, reading
/// the rows the previous step added through LogicalWorkingTableScan) again and again until a step
/// adds no row; UNION (not ALL) adds only rows not seen before. Output: every row added.
struct LogicalRecursiveCte : LogicalOperator {
    LogicalRecursiveCte() : LogicalOperator(LogicalOperatorType::RECURSIVE_CTE) {}
    std::string name;
    bool all = false;
    int64_t max_depth = 1000;
    std::shared_ptr<WorkingTable> working;
    std::string ToString() const override { return "RECURSIVE CTE " + name + (all ? " (UNION ALL)" : " (UNION)"); }
};

/// The recursive part's read of its CTE: the rows of the previous step.
struct LogicalWorkingTableScan : LogicalOperator {
    LogicalWorkingTableScan() : LogicalOperator(LogicalOperatorType::WORKING_TABLE_SCAN) {}
    std::shared_ptr<WorkingTable> working;
    std::string ToString() const override { return "WORKING TABLE " + working->name; }
};

/// The rows of children[0], each once per element of `arrays` (see BoundUnnestRef): the input's
/// columns, then one column per array with its elements.
struct LogicalUnnest : LogicalOperator {
    LogicalUnnest() : LogicalOperator(LogicalOperatorType::UNNEST) {}
    std::vector<BoundExprPtr> arrays;
    bool outer = false;
    std::string ToString() const override {
        return std::string(outer ? "UNNEST OUTER " : "UNNEST ") + ExpressionListToString(arrays);
    }
};

/// A deep copy of a plan (expressions copied; table versions, CTEs and working tables shared):
/// the recursive part of a recursive CTE is planned physically once per step from copies.
std::unique_ptr<LogicalOperator> CopyPlan(const LogicalOperator& op);

/// Renders a plan as an indented tree, one operator per line.
std::string PlanToString(const LogicalOperator& root);

}  // namespace floe
