#pragma once
/// What the binder needs to know about the session running a statement, without depending on the
/// server module: current database, user, variables and the statement's start time. The server's
/// Session implements it.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "catalog/access_control.h"
#include "catalog/catalog.h"
#include "catalog/table_source.h"
#include "common/exception.h"
#include "parser/ast/expression.h"
#include "parser/ast/statement.h"
#include "types/value.h"

namespace floe {

/// What FILES() reads: the files its path names and their columns.
struct FilesDescription {
    std::vector<std::string> files;
    std::vector<std::string> names;
    std::vector<LogicalType> types;
};

/// See ClientContext::delta_scan.
struct DeltaScan {
    int64_t table_id = 0;        // a hot table
    std::string external;        // or an Iceberg table, "catalog.db.table" (`after` and the notes are snapshot ids)
    int64_t after = -1;          // read the rowsets of commits after this data sequence; -1: every rowset
    int64_t read_sequence = -1;  // the binder's note: the data sequence of the version it read (-2: several)
    bool mixed = false;          // the binder's note: a rowset holds commits on both sides of `after`
};

class ClientContext {
  public:
    virtual ~ClientContext() = default;
    virtual Catalog& catalog() = 0;
    virtual const std::string& CurrentDatabase() const = 0;
    /// "user@host" as USER() shows it.
    virtual std::string UserAndHost() const = 0;
    virtual uint32_t ConnectionId() const = 0;
    /// The query id of this session's previous statement (last_query_id()); "" when none.
    virtual std::string LastQueryId() const { return ""; }
    /// The kept profile of query `query_id` as text, when the user may read it
    /// (get_query_profile()); nullopt otherwise.
    virtual std::optional<std::string> QueryProfileText(const std::string& query_id) {
        (void)query_id;
        return std::nullopt;
    }
    /// A variable's value; throws BinderError(UNKNOWN_SYSTEM_VARIABLE) for an unknown system
    /// variable. Unset user variables are NULL.
    virtual Value GetVariable(ast::VariableScope scope, const std::string& name) const = 0;
    /// Statement start as DATETIME microseconds (NOW() is constant within a statement).
    virtual int64_t StatementStartMicros() const = 0;
    /// Resolves FILES(properties): lists the files and infers their columns. Throws when the
    /// files cannot be read.
    virtual FilesDescription DescribeFiles(const std::vector<std::pair<std::string, std::string>>& properties) = 0;
    /// The catalog unqualified database names resolve in (SET CATALOG, USE catalog.db).
    virtual std::string CurrentCatalog() const { return std::string(kDefaultCatalog); }
    /// A table of an external catalog at the version `travel` names (the current one when none).
    /// Throws CatalogError for an unknown catalog, database or table, IOError when the catalog or
    /// the table's metadata cannot be read, PermissionError without the privileges.
    /// `check_privileges` false: the table is read as part of something already granted (the
    /// cold tier of a tiered hot table the user may SELECT).
    virtual std::shared_ptr<const TableSource> OpenTable(const std::string& catalog, const std::string& database,
                                                         const std::string& table, const ast::TimeTravel& travel,
                                                         bool check_privileges = true) {
        (void)database, (void)table, (void)travel, (void)check_privileges;
        throw CatalogError("catalog '" + catalog + "' cannot be read here", ErrorCode::NOT_SUPPORTED);
    }
    /// A metadata table of an external table (`t$snapshots`: `kind` is "snapshots").
    virtual TableRows OpenMetadataTable(const std::string& catalog, const std::string& database,
                                        const std::string& table, const std::string& kind,
                                        const ast::TimeTravel& travel) {
        (void)database, (void)table, (void)kind, (void)travel;
        throw CatalogError("catalog '" + catalog + "' cannot be read here", ErrorCode::NOT_SUPPORTED);
    }
    /// The data directory, which segment paths in the meta store are relative to.
    virtual const std::string& DataDirectory() const = 0;

    /// Access control, asked where names resolve (the binder for what a query reads, the
    /// statement executor for what a statement changes): throws StarRocks' denial (5203) unless
    /// `privilege` is held on `object` with the session's active roles.
    virtual void RequirePrivilege(std::string_view privilege, const PrivilegeObject& object) = 0;
    /// Whether `privilege` is held on `object` (no error).
    virtual bool HasPrivilege(std::string_view privilege, const PrivilegeObject& object) = 0;
    /// Roles and grants (for SHOW GRANTS and the grant views).
    virtual AccessControl& access() = 0;
    /// The session's user name (without the host).
    virtual std::string UserName() const = 0;
    /// The session's active roles (SET ROLE), without public.
    virtual std::vector<std::string> ActiveRoles() const = 0;
    /// The audit records the session may see (everyone's with OPERATE, else its user's), as rows
    /// in the order of AuditTableColumns() (binder/system_tables.h).
    virtual std::vector<std::vector<Value>> AuditRows() = 0;
    /// Whether any privilege is held on `object` (SHOW and information_schema list only those).
    virtual bool CanSee(const PrivilegeObject& object) = 0;
    /// Whether any privilege is held on the database or on anything in it.
    virtual bool CanSeeDatabase(int64_t database_id) = 0;
    /// An incremental MV refresh's hold on one hot table's scans (server/mv_incremental.h), or
    /// null: the binder reads only the rowsets of commits after `after` and notes the version.
    virtual DeltaScan* delta_scan() { return nullptr; }

    /// information_schema tables the server answers (MATERIALIZED_VIEWS, TASKS, TASK_RUNS; `name`
    /// upper case): fills `out` and returns true, or false when it does not know the table.
    virtual bool ServerTable(std::string_view name, struct BoundValuesSource& out) {
        (void)name;
        (void)out;
        return false;
    }

    /// The object a table-like catalog entry is for privileges (a table, view or materialized view).
    static PrivilegeObject TableObject(const TableInfo& table) {
        PrivilegeObject o;
        o.type = table.kind == "VIEW" ? ObjectType::VIEW : ObjectType::TABLE;
        o.db_id = table.database_id;
        o.id = table.id;
        o.db = table.database;
        o.name = table.name;
        return o;
    }
    static PrivilegeObject DatabaseObject(const DatabaseInfo& db) {
        PrivilegeObject o;
        o.type = ObjectType::DATABASE;
        o.db_id = db.id;
        o.db = db.name;
        return o;
    }
    static PrivilegeObject SystemObject() { return PrivilegeObject{}; }
    static PrivilegeObject CatalogObject(const std::string& name = "default_catalog") {
        PrivilegeObject o;
        o.type = ObjectType::CATALOG;
        o.name = name;
        return o;
    }
};

}  // namespace floe
