#pragma once
/// information_schema: read-only tables whose rows the binder materializes from the catalog when
/// a query names them. Enough of MySQL's SCHEMATA, TABLES and COLUMNS for JDBC DatabaseMetaData.

#include <optional>
#include <string_view>

#include "binder/bound_query.h"
#include "binder/client_context.h"
#include "catalog/catalog.h"

namespace floe {

/// The named information_schema table with the rows the session may see, or nullopt if there is
/// none.
std::optional<BoundValuesSource> InformationSchemaTable(ClientContext& context, std::string_view table);
/// Names of the information_schema tables, upper-case as MySQL shows them.
std::vector<std::string> InformationSchemaTableNames();

/// StarRocks' `sys` database: GRANTS_TO_USERS, GRANTS_TO_ROLES, ROLE_EDGES (computed live; they
/// need the user_admin role, i.e. the GRANT privilege). Nullopt for other names.
std::optional<BoundValuesSource> SysTable(ClientContext& context, std::string_view table);
constexpr std::string_view kSysDatabase = "sys";

/// The audit log as StarRocks' AuditLoader table starrocks_audit_db__.starrocks_audit_tbl__
/// (same column names, so dashboards built on it work), with the rows the session may see.
constexpr std::string_view kAuditDatabase = "starrocks_audit_db__";
constexpr std::string_view kAuditTable = "starrocks_audit_tbl__";
BoundValuesSource AuditTable(ClientContext& context);

/// "GRANT SELECT, INSERT ON TABLE db.t TO USER 'bob'@'%'" and the like, as SHOW GRANTS prints them.
std::string GrantStatementText(const PrivilegeGrant& grant, const std::vector<std::string>& privileges);

}  // namespace floe
