#pragma once
/// How the statements that define and change hot tables (table_statements.cpp,
/// alter_table_statements.cpp) resolve a table and read or write its rows: one resolver that also
/// checks the statement's privilege, the schema under the table's write lock, a query over the
/// table's own rows, and the conversion of a query's rows into the table's columns.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "binder/client_context.h"
#include "binder/table_schema.h"
#include "catalog/catalog.h"
#include "parser/ast/statement.h"
#include "vector/chunk.h"

namespace floe {

class Session;

/// The database a statement names (or the current one); information_schema is read-only.
std::string TableDatabase(Session& session, const std::string& named);
/// The base table (not a view) `database`.`name` that a statement needing `privilege` on it
/// names: the MySQL "doesn't exist" error, or StarRocks' denial when the privilege is not held.
TableInfo BaseTable(Session& session, const std::string& database, const std::string& name, std::string_view privilege);
/// Throws when `table` is a materialized view's storage: its rows come only from refreshes.
void RefuseMaterializedView(Session& session, const TableInfo& table, std::string_view statement);
/// The table's schema as of now; call with the table's write lock held, so it cannot change.
TableSchema CurrentSchema(Session& session, const TableInfo& table);
/// Runs `SELECT <select> FROM db.table [AS alias] [WHERE where]` (the WHERE, USING tables and
/// CTEs lent from a statement's AST) and returns its chunks. With `row_id`, the scan exposes
/// `__row_id`; `pinned` reads that version. The table itself needs no SELECT: the statement
/// checked its own privilege on it.
std::vector<Chunk> RunTableQuery(ClientContext& context, const std::string& db, const std::string& table,
                                 const std::string& select, const ast::ExprPtr& where, bool row_id,
                                 std::shared_ptr<const TableVersion> pinned = nullptr,
                                 const ast::TableRefPtr* using_from = nullptr,
                                 const std::vector<ast::CommonTableExpr>* ctes = nullptr,
                                 const std::string& alias = "");
/// Full-width chunks in the table's column order from `source` (one column per target column):
/// values cast to the column types, defaults for columns not listed, NOT NULL enforced.
std::vector<Chunk> ToTableRows(std::vector<Chunk>& source, const std::vector<int>& targets, const TableSchema& schema,
                               int64_t now_micros);

}  // namespace floe
