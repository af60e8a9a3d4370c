#pragma once
/// Statements that do not go through the query engine: SHOW, USE, CREATE/DROP DATABASE, users,
/// transactions, KILL. Each reads or changes the catalog or the session and returns a result.

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "lake/iceberg/table_transaction.h"
#include "parser/ast/statement.h"
#include "server/query_result.h"

namespace floe {

class Session;
namespace iceberg {
struct TableState;
}
class ClientContext;

class StatementExecutor {
  public:
    StatementExecutor(Session& session, ClientContext& context) : session_(session), context_(context) {}

    /// Writes the rows of `bound` (its columns feeding the table columns `targets`, all in order
    /// when empty) into the table and commits them
    /// (after `prepare` added to the transaction; the snapshot id to `snapshot_out`).
    QueryResult IcebergWrite(const std::string& catalog, const std::string& db, const std::string& table,
                             const iceberg::TableState& state, struct BoundQueryNode& bound, std::vector<int> targets,
                             bool overwrite, bool dynamic_overwrite = false,
                             const std::function<void(iceberg::TableTransaction&)>* prepare = nullptr,
                             int64_t* snapshot_out = nullptr, bool file_per_partition = false);
    QueryResult Show(const ast::ShowStatement& statement);
    /// CREATE EXTERNAL CATALOG, DROP CATALOG, SET CATALOG (catalog_statements.cpp).
    QueryResult CatalogStatement(const ast::Statement& statement);
    QueryResult CreateDatabase(const ast::CreateDatabaseStatement& statement);
    QueryResult DropDatabase(const ast::DropDatabaseStatement& statement);
    QueryResult CreateUser(const ast::CreateUserStatement& statement);
    QueryResult AlterUser(const ast::AlterUserStatement& statement);
    QueryResult DropUser(const ast::DropUserStatement& statement);
    QueryResult SetPassword(const ast::SetPasswordStatement& statement);
    QueryResult Kill(const ast::KillStatement& statement);
    QueryResult CreateView(const ast::CreateViewStatement& statement);
    QueryResult DropView(const ast::DropViewStatement& statement);
    // Tables (table_statements.cpp).
    QueryResult CreateTable(const ast::CreateTableStatement& statement);
    QueryResult DropTable(const ast::DropTableStatement& statement);
    QueryResult Insert(const ast::InsertStatement& statement);
    /// INSERT INTO FILES(...) SELECT: writes the query's rows as Parquet files.
    QueryResult InsertIntoFiles(const ast::InsertStatement& statement);
    QueryResult Delete(const ast::DeleteStatement& statement);
    QueryResult Update(const ast::UpdateStatement& statement);
    /// MERGE INTO an Iceberg table (iceberg_merge_statements.cpp): position deletes for the
    /// updated and deleted rows and data files for the new ones, in one snapshot.
    QueryResult Merge(const ast::MergeStatement& statement);
    QueryResult Truncate(const ast::TruncateStatement& statement);
    QueryResult AlterTable(const ast::AlterTableStatement& statement);
    QueryResult CreateIndex(const ast::CreateIndexStatement& statement);
    QueryResult DropIndex(const ast::DropIndexStatement& statement);
    QueryResult RoutineLoad(const ast::RoutineLoadStatement& statement);
    // Materialized views and tasks (mv_statements.cpp).
    QueryResult MaterializedView(const ast::MaterializedViewStatement& statement);
    QueryResult Task(const ast::TaskStatement& statement);
    QueryResult ShowMaterializedViews(const ast::ShowStatement& statement);
    // Access control (privilege_statements.cpp).
    QueryResult Grant(const ast::GrantStatement& statement);
    QueryResult RoleDdl(const ast::RoleStatement& statement);
    QueryResult SetRole(const ast::SetRoleStatement& statement);
    QueryResult SetDefaultRole(const ast::SetDefaultRoleStatement& statement);

  private:
    QueryResult CreateMaterializedView(const ast::MaterializedViewStatement& statement, const std::string& db);
    /// Checks MV / task properties whose values must be integers or one of a set of words.
    static void CheckMvProperties(const std::map<std::string, std::string>& properties);
    QueryResult ShowGrants(const ast::ShowStatement& statement);
    /// SHOW [FULL] PROCESSLIST: sessions and background jobs (activity_statements.cpp).
    QueryResult ShowProcessList(bool full);
    /// SHOW CATALOGS / CREATE CATALOG, and SHOW DATABASES / TABLES / COLUMNS of an external
    /// catalog; nullopt for the other SHOWs.
    std::optional<QueryResult> ShowExternal(const ast::ShowStatement& statement);
    /// Sets a user's default roles ("" none, "ALL", or names), each of which must be granted.
    void ApplyDefaultRoles(const std::string& user, const std::string& roles);
    /// SHOW of one table (columns, CREATE, partitions, indexes): some privilege on it is needed.
    void RequireVisible(const struct TableInfo& table);
    QueryResult ChangeSchema(const struct TableInfo& table, const ast::AlterTableStatement& statement);
    QueryResult CreateTableAs(const ast::CreateTableStatement& statement);
    // Iceberg catalogs (iceberg_statements.cpp).
    /// The external catalog a statement's catalog qualifier names: the qualifier, else the
    /// session's current catalog; "" for the default (hot) catalog.
    std::string ExternalCatalogOf(const std::string& catalog);
    QueryResult IcebergCreateDatabase(const ast::CreateDatabaseStatement& statement, const std::string& catalog);
    QueryResult IcebergDropDatabase(const ast::DropDatabaseStatement& statement, const std::string& catalog);
    QueryResult IcebergCreateTable(const ast::CreateTableStatement& statement, const std::string& catalog);
    QueryResult IcebergDropTable(const ast::DropTableStatement& statement, const std::string& catalog);
    QueryResult IcebergInsert(const ast::InsertStatement& statement, const std::string& catalog);
    /// DELETE and UPDATE: merge-on-read (position delete files; whole files removed when every
    /// row goes), in one snapshot with the new rows of an UPDATE.
    QueryResult IcebergDelete(const ast::DeleteStatement& statement, const std::string& catalog);
    QueryResult IcebergUpdate(const ast::UpdateStatement& statement, const std::string& catalog);
    /// ALTER TABLE of an Iceberg table (iceberg_alter_statements.cpp): each action commits one new
    /// metadata version; no data file is rewritten.
    QueryResult IcebergAlterTable(const ast::AlterTableStatement& statement, const std::string& catalog);

    Session& session_;
    ClientContext& context_;
};

}  // namespace floe
