#pragma once
/// The normal form of a select-project-join block, as materialized view matching needs it
/// (Goldstein & Larson, SIGMOD 2001): the base tables of a tree of inner joins and filters over
/// table scans (and the projections of views and derived tables inside it), every predicate of
/// the tree over one column space (the tables' columns side by side, left to right), the tree's
/// output columns as expressions over that space, and the predicates split into column
/// equalities (equivalence classes), ranges (`expr op constant`) and residuals.
///
/// A block is extracted from a plan before any other pass runs (the planner's shape: filters
/// above joins above scans). Anything else inside the tree (outer joins, aggregates, table
/// functions, set operations) makes the tree not a block.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "planner/logical_operator.h"

namespace floe {

/// Union-find over the columns of a block: the classes of columns a block's equalities make
/// equal. The representative of a class is its smallest column.
class ColumnClasses {
  public:
    explicit ColumnClasses(size_t width = 0);
    size_t Find(size_t column) const;
    void Union(size_t a, size_t b);
    size_t width() const { return parent_.size(); }
    /// The members of `column`'s class (the column included), in order.
    std::vector<size_t> Members(size_t column) const;

  private:
    mutable std::vector<size_t> parent_;
};

/// One bound of an interval; unset is unbounded.
struct RangeBound {
    bool set = false;
    Value value;
    bool inclusive = false;
};

/// The values a range predicate's expression may take: the intersection of every `expr op c`
/// conjunct on it.
struct ValueInterval {
    RangeBound low, high;
    /// The conjuncts that made it (indexes into SpjBlock::conjuncts).
    std::vector<size_t> sources;
    /// Narrows to `op` (equal, less, less_equal, greater, greater_equal) against `c`. False when
    /// `c` cannot be compared with the bounds already set (another type).
    bool Narrow(const std::string& op, const Value& c);
    /// Whether every value this interval allows, `outer` allows too.
    bool Within(const ValueInterval& outer) const;
    bool SameAs(const ValueInterval& other) const;
    std::string ToString() const;
};

/// Compares two non-NULL values of the same type (-1, 0, 1); nullopt when they cannot be
/// compared (different types or scales).
std::optional<int> CompareValues(const Value& a, const Value& b);

struct SpjTable {
    const LogicalGet* get = nullptr;  // a hot table's scan (null for an external table)
    int64_t table_id = 0;
    std::string key;    // what two scans of the same table share: "#<table id>" or "ext:<catalog.db.table>"
    std::string name;   // db.table or catalog.db.table
    size_t offset = 0;  // its first column in the block's column space
    size_t width = 0;
};

class SpjBlock {
  public:
    /// Extracts the block `root` is the top of; false (with `why`) when the tree is not a block.
    static bool Extract(const LogicalOperator& root, SpjBlock& out, std::string* why);
    /// Whether `op` is a filter, inner/cross join or scan whose whole tree is a block (inside it,
    /// projections of views and derived tables too).
    static bool IsBlock(const LogicalOperator& op);
    /// IsBlock, or a projection over one (what an aggregate may read).
    static bool IsBlockInput(const LogicalOperator& op);

    std::vector<SpjTable> tables;
    /// The root's columns as expressions over the tables' columns (plain columns unless a view's
    /// or derived table's projection computes them).
    std::vector<BoundExprPtr> outputs;
    /// Column types of the block's column space, and names for messages ("t.c").
    std::vector<LogicalType> types;
    std::vector<std::string> names;
    /// `e`, over the root's columns, over the tables' columns instead.
    BoundExprPtr OverTables(const BoundExpression& e) const;
    /// Every predicate, over the block's columns, with constants folded.
    std::vector<BoundExprPtr> conjuncts;

    /// Splits the conjuncts under `classes` (column equalities of the block itself are added to
    /// them first when `add_equalities`): which conjuncts are equalities, the ranges per
    /// normalized expression, and the residuals by normalized key.
    void Classify(ColumnClasses& classes, bool add_equalities);
    /// Conjuncts that are `column = column`.
    std::vector<std::pair<size_t, size_t>> equalities;
    std::vector<size_t> equality_sources;
    /// Normalized expression key → its interval.
    std::map<std::string, ValueInterval> ranges;
    /// Normalized key → conjunct index.
    std::map<std::string, size_t> residuals;
};

/// A copy of `e` with every column replaced by its class representative.
BoundExprPtr Normalize(const BoundExpression& e, const ColumnClasses& classes);
/// StructuralKey of Normalize(e, classes).
std::string NormalizedKey(const BoundExpression& e, const ColumnClasses& classes);
/// The first function in `e` that is not deterministic (rand(), uuid()), or null.
const BoundFunction* FindNonDeterministic(const BoundExpression& e);

}  // namespace floe
