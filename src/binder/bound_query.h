#pragma once
/// A bound SELECT: where rows come from, and the filters, projections, ordering and limits over
/// them, all with resolved types. The planner turns it into a logical operator tree.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "binder/bound_expression.h"

namespace floe {

/// One column of a bound query's output, with what the MySQL column definition wants to know.
struct BoundOutputColumn {
    std::string name;
    std::string org_name;
    std::string table;
    std::string org_table;
    std::string schema;
    LogicalType type;
    bool nullable = true;
};

/// Rows known at bind time: `SELECT` without FROM (one empty row), VALUES, and system tables
/// (information_schema), which the binder materializes from the catalog.
struct BoundValuesSource {
    std::vector<LogicalType> types;
    std::vector<std::string> names;
    std::vector<std::vector<Value>> rows;
    std::string table;  // for result metadata, empty for dual
    std::string schema;
};

struct BoundOrderBy {
    BoundExprPtr expr;  // over the select list's output (see BoundSelect)
    bool ascending = true;
    bool nulls_first = true;
};

struct BoundSelect {
    BoundValuesSource source;
    BoundExprPtr where;                     // over the source's columns; may be null
    std::vector<BoundExprPtr> select_list;  // over the source's columns
    std::vector<BoundOutputColumn> output;
    /// ORDER BY keys are evaluated over the source's columns too (MySQL allows ordering by columns
    /// not selected); aliases of the select list are substituted by the binder.
    std::vector<BoundOrderBy> order_by;
    std::optional<int64_t> limit;
    int64_t offset = 0;
};

}  // namespace floe
