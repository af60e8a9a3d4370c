#pragma once
/// Rows of SHOW MATERIALIZED VIEWS and information_schema.materialized_views / tasks /
/// task_runs (mv_statements.cpp), filtered by what the session may see.

#include <string>
#include <vector>

#include "parser/ast/statement.h"
#include "server/query_result.h"
#include "types/logical_type.h"
#include "types/value.h"

namespace floe {

class ClientContext;
class Session;

struct MvRows {
    std::vector<std::string> names;
    std::vector<LogicalType> types;
    std::vector<std::vector<Value>> rows;
};

/// MVs of `database` (every database when empty); SHOW's lower-case column names or
/// information_schema's upper-case ones.
MvRows MaterializedViewRows(Session& session, const std::string& database, bool lower_names);
/// information_schema.tasks (runs = false) or task_runs (runs = true).
MvRows TaskRows(Session& session, bool runs);
/// A SHOW statement's result from `rows`: LIKE matches column `name_column`, WHERE any column.
QueryResult ShowRows(MvRows rows, size_t name_column, const ast::ShowStatement& s, ClientContext& context);

}  // namespace floe
