#include "server/statement_executor.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <sstream>

#include "binder/binder.h"
#include "binder/client_context.h"
#include "binder/partitioning.h"
#include "binder/system_tables.h"
#include "binder/table_schema.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "function/function_registry.h"
#include "parser/parser.h"
#include "server/instance.h"
#include "server/lake_maintenance.h"
#include "server/result_builder.h"
#include "server/session.h"
#include "server/session_variables.h"
#include "server/tiering_service.h"

namespace floe {

namespace {

Value Str(std::string_view s) {
    return Value::Varchar(std::string(s));
}

QueryResult Ok(uint64_t affected = 0) {
    QueryResult r;
    r.affected_rows = affected;
    return r;
}

std::string MysqlTypeName(const LogicalType& t) {
    switch (t.id) {
        case TypeId::VARCHAR:
            return t.length ? "varchar(" + std::to_string(t.length) + ")" : "varchar(65533)";
        case TypeId::BIGINT:
            return "bigint";
        case TypeId::INT:
            return "int";
        case TypeId::DATETIME:
            return "datetime";
        default:
            return AsciiLower(t.ToString());
    }
}

}  // namespace

namespace {
std::string TargetDatabase(Session& session, const std::string& named) {
    std::string db = named.empty() ? session.current_database() : named;
    if (db.empty()) throw CatalogError("No database selected", ErrorCode::NO_DATABASE_SELECTED);
    if (AsciiEqualsIgnoreCase(db, kInformationSchema)) {
        throw CatalogError("Access denied: information_schema is read-only", ErrorCode::DB_ACCESS_DENIED);
    }
    return db;
}

/// ALTER USER that changes only the password (what a user may do to itself).
bool OnlySetsPassword(const ast::AlterUserStatement& s) {
    return s.password.has_value() && !s.default_roles.has_value() && !s.account.any();
}

/// Binds a view's query to learn its output columns (and to reject a broken definition).
std::vector<BoundOutputColumn> DescribeView(ClientContext& context, const std::string& db, const std::string& sql) {
    ast::StatementPtr parsed = Parser::ParseStatement(sql);
    Binder binder(context);
    return binder.BindQuery(*static_cast<const ast::SelectStatement&>(*parsed).query, db)->output;
}
}  // namespace

QueryResult StatementExecutor::Show(const ast::ShowStatement& s) {
    Instance& instance = session_.instance();
    Catalog& catalog = instance.catalog();
    using K = ast::ShowKind;
    // SHOW ... FROM a database the user holds nothing in is refused as USE is (MySQL's 1044), so
    // that such statements do not tell who may not look what the database holds.
    const bool lists_database = s.show == K::TABLES || s.show == K::TABLE_STATUS || s.show == K::CREATE_DATABASE ||
                                s.show == K::DATA || s.show == K::MATERIALIZED_VIEWS || s.show == K::TIERING ||
                                s.show == K::LOAD;
    if (lists_database && !s.database.empty() && s.catalog.empty() && session_.current_catalog().empty()) {
        auto info = catalog.GetDatabase(s.database);
        if (info && !context_.CanSeeDatabase(info->id)) {
            throw PermissionError("Access denied for user '" + session_.user() + "'@'" + session_.host() +
                                      "' to database '" + s.database + "'",
                                  ErrorCode::DB_ACCESS_DENIED);
        }
    }
    if (s.show == ast::ShowKind::ICEBERG_HEALTH)
        return ShowRows(instance.lake().HealthRows(session_, s.catalog, s.database), 2, s, context_);
    if (auto external = ShowExternal(s)) return std::move(*external);
    if (s.show == ast::ShowKind::MATERIALIZED_VIEWS) return ShowMaterializedViews(s);
    if (s.show == ast::ShowKind::TIERING)
        return ShowRows(instance.tiering().Rows(session_, s.database), 1, s, context_);
    ResultBuilder rb;
    switch (s.show) {
        case K::DATABASES:
            rb.AddColumn("Database");
            // Only databases the user holds some privilege in (information_schema always).
            for (const auto& db : catalog.ListDatabases()) {
                if (db.id == 0 || context_.CanSeeDatabase(db.id)) rb.AddRow({Str(db.name)});
            }
            break;
        case K::TABLES: {
            std::string db = s.database.empty() ? session_.current_database() : s.database;
            if (db.empty()) throw CatalogError("No database selected", ErrorCode::NO_DATABASE_SELECTED);
            bool is_info = AsciiEqualsIgnoreCase(db, kInformationSchema);
            if (!is_info && !catalog.DatabaseExists(db)) {
                throw CatalogError("Unknown database '" + db + "'", ErrorCode::UNKNOWN_DATABASE);
            }
            rb.AddColumn("Tables_in_" + db);
            if (s.full) rb.AddColumn("Table_type");
            if (is_info) {
                for (const auto& t : InformationSchemaTableNames()) {
                    if (s.full)
                        rb.AddRow({Str(AsciiLower(t)), Str("SYSTEM VIEW")});
                    else
                        rb.AddRow({Str(AsciiLower(t))});
                }
            } else {
                for (const auto& t : catalog.ListTables(db)) {
                    if (!context_.CanSee(ClientContext::TableObject(t))) continue;
                    if (s.full)
                        rb.AddRow({Str(t.name), Str(t.kind == "VIEW" ? "VIEW" : "BASE TABLE")});
                    else
                        rb.AddRow({Str(t.name)});
                }
            }
            break;
        }
        case K::VARIABLES:
            rb.AddColumn("Variable_name");
            rb.AddColumn("Value", LogicalType::Varchar(1024));
            for (const auto& [name, value] : session_.variables().List(s.global)) rb.AddRow({Str(name), Str(value)});
            break;
        case K::STATUS: {
            rb.AddColumn("Variable_name");
            rb.AddColumn("Value");
            size_t threads = 0;
            instance.ForEachSession([&](Session&) { ++threads; });
            rb.AddRow({Str("Threads_connected"), Str(std::to_string(threads))});
            break;
        }
        case K::COLUMNS: {
            std::string db = s.database.empty() ? session_.current_database() : s.database;
            if (db.empty()) throw CatalogError("No database selected", ErrorCode::NO_DATABASE_SELECTED);
            std::optional<BoundValuesSource> table;
            std::vector<bool> not_null;
            if (AsciiEqualsIgnoreCase(db, kInformationSchema)) {
                table = InformationSchemaTable(context_, s.table);
            } else if (auto view = catalog.GetTable(db, s.table); view && view->kind == "TABLE") {
                RequireVisible(*view);
                table.emplace();
                TableSchema schema = ParseTableDefinition(view->definition);
                for (const auto& c : schema.columns) {
                    table->names.push_back(c.name);
                    table->types.push_back(c.type);
                    not_null.push_back(!c.nullable);
                }
            } else if (view) {
                RequireVisible(*view);
                table.emplace();
                auto columns = DescribeView(context_, db, view->definition);
                for (size_t i = 0; i < columns.size(); ++i) {
                    table->names.push_back(i < view->column_names.size() ? view->column_names[i] : columns[i].name);
                    table->types.push_back(columns[i].type);
                }
            }
            if (!table)
                throw CatalogError("Table '" + db + "." + s.table + "' doesn't exist", ErrorCode::UNKNOWN_TABLE);
            rb.AddColumn("Field");
            rb.AddColumn("Type");
            if (s.full) rb.AddColumn("Collation");
            rb.AddColumn("Null");
            rb.AddColumn("Key");
            rb.AddColumn("Default");
            rb.AddColumn("Extra");
            if (s.full) {
                rb.AddColumn("Privileges");
                rb.AddColumn("Comment");
            }
            for (size_t i = 0; i < table->names.size(); ++i) {
                std::vector<Value> row{Str(table->names[i]), Str(MysqlTypeName(table->types[i]))};
                if (s.full)
                    row.push_back(table->types[i].IsString() ? Str("utf8mb4_general_ci")
                                                             : Value::Null(LogicalType::Varchar()));
                bool required = i < not_null.size() && not_null[i];
                row.insert(row.end(),
                           {Str(required ? "NO" : "YES"), Str(""), Value::Null(LogicalType::Varchar()), Str("")});
                if (s.full) row.insert(row.end(), {Str("select"), Str("")});
                rb.AddRow(std::move(row));
            }
            break;
        }
        case K::CREATE_DATABASE: {
            if (!catalog.DatabaseExists(s.database) && !AsciiEqualsIgnoreCase(s.database, kInformationSchema)) {
                throw CatalogError("Unknown database '" + s.database + "'", ErrorCode::UNKNOWN_DATABASE);
            }
            rb.AddColumn("Database");
            rb.AddColumn("Create Database", LogicalType::Varchar(1024));
            rb.AddRow({Str(s.database), Str("CREATE DATABASE `" + s.database + "`")});
            break;
        }
        case K::CREATE_TABLE: {
            std::string db = s.database.empty() ? session_.current_database() : s.database;
            if (db.empty()) throw CatalogError("No database selected", ErrorCode::NO_DATABASE_SELECTED);
            auto view = catalog.GetTable(db, s.table);
            if (!view) throw CatalogError("Table '" + db + "." + s.table + "' doesn't exist", ErrorCode::UNKNOWN_TABLE);
            RequireVisible(*view);
            if (auto mv = catalog.GetMaterializedView(view->id)) {
                // StarRocks answers SHOW CREATE TABLE / MATERIALIZED VIEW of an MV with its definition.
                rb.AddColumn("Materialized View");
                rb.AddColumn("Create Materialized View", LogicalType::Varchar(65533));
                rb.AddRow({Str(view->name), Str(mv->definition)});
                break;
            }
            if (view->kind == "TABLE") {
                rb.AddColumn("Table");
                rb.AddColumn("Create Table", LogicalType::Varchar(65533));
                TableSchema schema = ParseTableDefinition(view->definition);
                rb.AddRow({Str(view->name),
                           Str(ShowCreateTableText(view->definition, schema, *catalog.GetTableVersion(view->id)))});
                break;
            }
            std::string columns;
            for (const auto& c : view->column_names) columns += (columns.empty() ? "(`" : ", `") + c + "`";
            if (!columns.empty()) columns += ")";
            rb.AddColumn("View");
            rb.AddColumn("Create View", LogicalType::Varchar(65533));
            rb.AddColumn("character_set_client");
            rb.AddColumn("collation_connection");
            rb.AddRow({Str(view->name),
                       Str("CREATE VIEW `" + view->name + "`" + (columns.empty() ? "" : " " + columns) +
                           (view->security_invoker ? " SECURITY INVOKER" : "") + " AS " + view->definition),
                       Str("utf8mb4"), Str("utf8mb4_general_ci")});
            break;
        }
        case K::WARNINGS:
        case K::ERRORS:
            rb.AddColumn("Level");
            rb.AddColumn("Code", TypeId::BIGINT);
            rb.AddColumn("Message", LogicalType::Varchar(512));
            break;
        case K::PROCESSLIST:
            return ShowProcessList(s.full);
        case K::ENGINES:
            rb.AddColumn("Engine");
            rb.AddColumn("Support");
            rb.AddColumn("Comment", LogicalType::Varchar(160));
            rb.AddColumn("Transactions");
            rb.AddColumn("XA");
            rb.AddColumn("Savepoints");
            rb.AddRow(
                {Str("OLAP"), Str("DEFAULT"), Str("Floe columnar hot-tier storage"), Str("YES"), Str("NO"), Str("NO")});
            break;
        case K::CHARSET:
            rb.AddColumn("Charset");
            rb.AddColumn("Description");
            rb.AddColumn("Default collation");
            rb.AddColumn("Maxlen", TypeId::BIGINT);
            rb.AddRow({Str("utf8mb4"), Str("UTF-8 Unicode"), Str("utf8mb4_general_ci"), Value::Integer(4)});
            rb.AddRow({Str("utf8"), Str("UTF-8 Unicode"), Str("utf8_general_ci"), Value::Integer(3)});
            rb.AddRow({Str("binary"), Str("Binary pseudo charset"), Str("binary"), Value::Integer(1)});
            break;
        case K::COLLATION:
            rb.AddColumn("Collation");
            rb.AddColumn("Charset");
            rb.AddColumn("Id", TypeId::BIGINT);
            rb.AddColumn("Default");
            rb.AddColumn("Compiled");
            rb.AddColumn("Sortlen", TypeId::BIGINT);
            rb.AddRow({Str("utf8mb4_general_ci"), Str("utf8mb4"), Value::Integer(45), Str("Yes"), Str("Yes"),
                       Value::Integer(1)});
            rb.AddRow(
                {Str("utf8_general_ci"), Str("utf8"), Value::Integer(33), Str("Yes"), Str("Yes"), Value::Integer(1)});
            rb.AddRow({Str("binary"), Str("binary"), Value::Integer(63), Str("Yes"), Str("Yes"), Value::Integer(1)});
            break;
        case K::GRANTS:
            return ShowGrants(s);
        case K::ROLES:
            rb.AddColumn("Name");
            for (const auto& r : session_.instance().access().ListRoles()) rb.AddRow({Str(r)});
            break;
        case K::USERS: {
            rb.AddColumn("User");
            rb.AddColumn("Host");
            const bool everyone = context_.HasPrivilege("GRANT", ClientContext::SystemObject());
            for (const auto& u : catalog.ListUsers()) {
                if (everyone || u.name == session_.user()) rb.AddRow({Str(u.name), Str(u.host)});
            }
            break;
        }
        case K::TABLE_STATUS:
            rb.AddColumn("Name");
            rb.AddColumn("Engine");
            rb.AddColumn("Rows", TypeId::BIGINT);
            rb.AddColumn("Comment");
            break;
        case K::PROFILELIST: {
            // Recent queries' profiles: the user's own, everyone's with OPERATE (as PROCESSLIST).
            rb.AddColumn("QueryId");
            rb.AddColumn("StartTime", TypeId::DATETIME);
            rb.AddColumn("Time");
            rb.AddColumn("State");
            rb.AddColumn("Statement", LogicalType::Varchar(1024));
            const bool everyone = context_.HasPrivilege("OPERATE", ClientContext::SystemObject());
            int64_t shown = 0;
            for (const auto& p : instance.profiles().List()) {
                if (!everyone && p.user != session_.user()) continue;
                if (s.limit && shown >= *s.limit) break;
                ++shown;
                rb.AddRow({Str(p.query_id), Value::Datetime(p.start_ms * 1000),
                           Str(std::to_string(p.duration_ms) + "ms"), Str(p.state), Str(p.statement.substr(0, 1024))});
            }
            break;
        }
        case K::PLUGINS:
            rb.AddColumn("Name");
            rb.AddColumn("Status");
            rb.AddColumn("Type");
            rb.AddColumn("Library");
            rb.AddColumn("License");
            break;
        case K::FUNCTIONS: {
            // Every built-in function by kind: scalar, aggregate, window.
            rb.AddColumn("Function Name");
            rb.AddColumn("Type");
            std::vector<std::pair<std::string, std::string>> all;
            for (const auto& n : FunctionRegistry::Instance().ScalarNames()) {
                if (n.rfind("__", 0) != 0) all.emplace_back(n, "SCALAR");
            }
            for (const auto& n : FunctionRegistry::Instance().AggregateNames()) {
                if (n.rfind("__", 0) != 0) all.emplace_back(n, "AGGREGATE");
            }
            for (const char* n : {"row_number", "rank", "dense_rank", "cume_dist", "percent_rank", "ntile", "lag",
                                  "lead", "first_value", "last_value"}) {
                all.emplace_back(n, "WINDOW");
            }
            for (const char* n : {"grouping", "grouping_id"}) all.emplace_back(n, "AGGREGATE");  // binder's own
            std::sort(all.begin(), all.end());
            for (const auto& [n, kind] : all) rb.AddRow({Str(n), Str(kind)});
            break;
        }
        case K::LOAD: {
            std::string db = s.database.empty() ? session_.current_database() : s.database;
            if (db.empty()) throw CatalogError("No database selected", ErrorCode::NO_DATABASE_SELECTED);
            if (!catalog.DatabaseExists(db))
                throw CatalogError("Unknown database '" + db + "'", ErrorCode::UNKNOWN_DATABASE);
            rb.AddColumn("JobId", TypeId::BIGINT);
            rb.AddColumn("Label");
            rb.AddColumn("State");
            rb.AddColumn("Progress");
            rb.AddColumn("Type");
            rb.AddColumn("TableName");
            rb.AddColumn("ScanRows", TypeId::BIGINT);
            rb.AddColumn("FilteredRows", TypeId::BIGINT);
            rb.AddColumn("UnselectedRows", TypeId::BIGINT);
            rb.AddColumn("SinkRows", TypeId::BIGINT);
            rb.AddColumn("ErrorMsg", LogicalType::Varchar(1024));
            rb.AddColumn("CreateTime", TypeId::DATETIME);
            rb.AddColumn("LoadFinishTime", TypeId::DATETIME);
            rb.AddColumn("URL", LogicalType::Varchar(1024));
            for (const auto& l : catalog.ListLoads(db)) {
                auto loaded = catalog.GetTable(l.database, l.table);
                if (!loaded || !context_.CanSee(ClientContext::TableObject(*loaded))) continue;
                auto text = [](const std::string& v) {
                    return v.empty() ? Value::Null(LogicalType::Varchar()) : Str(v);
                };
                auto time = [](int64_t t) { return t ? Value::Datetime(t * 1000000) : Value::Null(TypeId::DATETIME); };
                rb.AddRow({Value::Integer(l.txn_id), Str(l.label), Str(l.state),
                           Str(l.state == "FINISHED" ? "100%" : "0%"), Str(l.kind), Str(l.table),
                           Value::Integer(l.total_rows), Value::Integer(l.filtered_rows),
                           Value::Integer(l.unselected_rows), Value::Integer(l.loaded_rows), text(l.error_msg),
                           time(l.create_time), time(l.finish_time), text(l.error_url)});
            }
            break;
        }
        case K::PARTITIONS: {
            std::string db = s.database.empty() ? session_.current_database() : s.database;
            auto table = db.empty() ? std::nullopt : catalog.GetTable(db, s.table);
            if (!table || table->kind != "TABLE") {
                throw CatalogError("Table '" + db + "." + s.table + "' doesn't exist", ErrorCode::UNKNOWN_TABLE);
            }
            RequireVisible(*table);
            TableSchema schema = ParseTableDefinition(table->definition);
            auto version = catalog.GetTableVersion(table->id);
            bool list = schema.partition.kind == ast::PartitionKind::LIST ||
                        schema.partition.kind == ast::PartitionKind::COLUMNS;
            rb.AddColumn("PartitionId", TypeId::BIGINT);
            rb.AddColumn("PartitionName");
            rb.AddColumn("State");
            rb.AddColumn("PartitionKey");
            rb.AddColumn(list ? "List" : "Range");
            rb.AddColumn("Rowsets", TypeId::BIGINT);
            rb.AddColumn("RowCount", TypeId::BIGINT);
            rb.AddColumn("DistributionKey");
            rb.AddColumn("Buckets", TypeId::BIGINT);
            std::string distribution;
            for (size_t c : schema.distribution_columns) {
                distribution += (distribution.empty() ? "" : ", ") + schema.columns[c].name;
            }
            std::string key;
            for (size_t i = 0; i < schema.partition.columns.size(); ++i) {
                key += (i ? ", " : "") + schema.partition.columns[i];
            }
            std::vector<const PartitionInfo*> parts;
            for (const auto& p : version->partitions) parts.push_back(&p);
            if (!list) {
                std::sort(parts.begin(), parts.end(), [&](const PartitionInfo* a, const PartitionInfo* b) {
                    return PartitionRange(schema, *a).first < PartitionRange(schema, *b).first;
                });
            }
            for (const PartitionInfo* p : parts) {
                int64_t rowsets = 0, rows = 0;
                for (const auto& r : version->rowsets) {
                    if (r.partition_id != p->id) continue;
                    ++rowsets;
                    rows += r.live_rows();
                }
                rb.AddRow({Value::Integer(p->id), Str(p->name), Str("NORMAL"), Str(key),
                           Str(PartitionValuesText(schema, *p)), Value::Integer(rowsets), Value::Integer(rows),
                           Str(distribution.empty() ? "RANDOM" : distribution), Value::Integer(schema.buckets)});
            }
            break;
        }
        case K::INDEX:
            rb.AddColumn("Table");
            rb.AddColumn("Non_unique", TypeId::BIGINT);
            rb.AddColumn("Key_name");
            rb.AddColumn("Seq_in_index", TypeId::BIGINT);
            rb.AddColumn("Column_name");
            rb.AddColumn("Index_type");
            {
                std::string db = s.database.empty() ? session_.current_database() : s.database;
                auto table = db.empty() ? std::nullopt : catalog.GetTable(db, s.table);
                if (!table)
                    throw CatalogError("Table '" + db + "." + s.table + "' doesn't exist", ErrorCode::UNKNOWN_TABLE);
                RequireVisible(*table);
                if (table->kind == "TABLE") {
                    for (const auto& idx : catalog.ListIndexes(table->id)) {
                        int64_t seq = 0;
                        std::istringstream columns(idx.columns);
                        for (std::string col; std::getline(columns, col, ',');) {
                            rb.AddRow({Str(table->name), Value::Integer(1), Str(idx.name), Value::Integer(++seq),
                                       Str(col), Str(idx.type)});
                        }
                    }
                }
            }
            break;
        case K::CATALOGS:
        case K::CREATE_CATALOG:
        case K::MATERIALIZED_VIEWS:
        case K::TIERING:
        case K::ICEBERG_HEALTH:
            throw InternalError("SHOW CATALOGS is answered by ShowExternal");
        case K::DATA: {
            // StarRocks' SHOW DATA: per table its size and rows, then the total.
            std::string db = s.database.empty() ? session_.current_database() : s.database;
            if (db.empty()) throw CatalogError("No database selected", ErrorCode::NO_DATABASE_SELECTED);
            if (!catalog.DatabaseExists(db)) {
                throw CatalogError("Unknown database '" + db + "'", ErrorCode::UNKNOWN_DATABASE);
            }
            rb.AddColumn("TableName");
            rb.AddColumn("Size");
            rb.AddColumn("ReplicaCount", TypeId::BIGINT);
            rb.AddColumn("RowCount", TypeId::BIGINT);
            rb.AddColumn("Bytes", TypeId::BIGINT);
            auto human = [](int64_t bytes) {
                const char* units[] = {"B", "KB", "MB", "GB", "TB"};
                double v = static_cast<double>(bytes);
                int u = 0;
                while (v >= 1024 && u < 4) {
                    v /= 1024;
                    ++u;
                }
                return u == 0 ? std::to_string(bytes) + "B" : fmt::format("{:.3f} {}", v, units[u]);
            };
            int64_t total_bytes = 0, total_rows = 0;
            for (const auto& t : catalog.ListTables(db)) {
                if (t.kind == "VIEW") continue;
                if (!s.table.empty() && !AsciiEqualsIgnoreCase(s.table, t.name)) continue;
                if (!session_.CanSee(ClientContext::TableObject(t))) continue;
                auto version = catalog.GetTableVersion(t.id);
                int64_t bytes = catalog.TableBytes(t.id);
                int64_t rows = version->live_rows();
                total_bytes += bytes;
                total_rows += rows;
                rb.AddRow(
                    {Str(t.name), Str(human(bytes)), Value::Integer(1), Value::Integer(rows), Value::Integer(bytes)});
            }
            if (s.table.empty()) {
                rb.AddRow({Str("Total"), Str(human(total_bytes)), Value::Integer(1), Value::Integer(total_rows),
                           Value::Integer(total_bytes)});
            }
            break;
        }
    }
    if (s.like) rb.FilterLike(*s.like);
    if (s.where) rb.FilterWhere(context_, *s.where);
    return rb.Build();
}

QueryResult StatementExecutor::CreateDatabase(const ast::CreateDatabaseStatement& s) {
    if (std::string external = ExternalCatalogOf(s.catalog); !external.empty()) {
        return IcebergCreateDatabase(s, external);
    }
    session_.RequirePrivilege("CREATE DATABASE", ClientContext::CatalogObject());
    bool created = session_.instance().catalog().CreateDatabase(s.name, s.if_not_exists);
    return Ok(created ? 1 : 0);
}

QueryResult StatementExecutor::DropDatabase(const ast::DropDatabaseStatement& s) {
    if (std::string external = ExternalCatalogOf(s.catalog); !external.empty()) {
        return IcebergDropDatabase(s, external);
    }
    if (auto db = session_.instance().catalog().GetDatabase(s.name)) {
        session_.RequirePrivilege("DROP", ClientContext::DatabaseObject(*db));
    }
    bool dropped = session_.instance().catalog().DropDatabase(s.name, s.if_exists);
    session_.instance().access().Invalidate();  // grants on it and its tables went with it
    if (dropped && session_.current_database() == s.name) session_.SetCurrentDatabase("");
    return Ok(0);
}

static UserLimitsChange LimitsOf(const ast::AccountOptions& options) {
    UserLimitsChange change;
    change.failed_login_attempts = options.failed_login_attempts;
    change.password_lock_days = options.password_lock_days;
    change.account_locked = options.account_locked;
    change.max_user_connections = options.max_user_connections;
    return change;
}

QueryResult StatementExecutor::CreateUser(const ast::CreateUserStatement& s) {
    // Users and roles are user_admin's (the GRANT privilege on the system).
    session_.RequirePrivilege("GRANT", ClientContext::SystemObject());
    std::optional<std::string_view> pw;
    if (s.password && !s.password_is_hash) pw = *s.password;
    bool created = session_.instance().catalog().CreateUser(s.user.name, s.user.host, pw, s.if_not_exists);
    if (created && s.password_is_hash) {
        session_.instance().catalog().SetUserPasswordHash(s.user.name, *s.password, false);
    }
    if (created && s.account.any()) {
        session_.instance().catalog().SetUserLimits(s.user.name, LimitsOf(s.account), false);
    }
    if (created) session_.instance().login_guard().Reset(s.user.name);  // nothing left of a dropped namesake
    if (created && s.default_roles && !s.default_roles->empty() && !AsciiEqualsIgnoreCase(*s.default_roles, "ALL")) {
        // CREATE USER ... DEFAULT ROLE r grants r as well (there is nothing granted yet to choose from).
        std::string roles = *s.default_roles;
        size_t start = 0;
        while (start <= roles.size()) {
            size_t comma = roles.find(',', start);
            session_.instance().access().GrantRole(
                roles.substr(start, comma == std::string::npos ? std::string::npos : comma - start), "USER",
                s.user.name);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    if (created && s.default_roles) ApplyDefaultRoles(s.user.name, *s.default_roles);
    return Ok();
}

QueryResult StatementExecutor::AlterUser(const ast::AlterUserStatement& s) {
    // A user may change its own password; anything else about users is user_admin's.
    if (!AsciiEqualsIgnoreCase(s.user.name, session_.user()) || !OnlySetsPassword(s)) {
        session_.RequirePrivilege("GRANT", ClientContext::SystemObject());
    }
    if (s.password && s.password_is_hash) {
        session_.instance().catalog().SetUserPasswordHash(s.user.name, *s.password, s.if_exists);
    } else if (s.password) {
        session_.instance().catalog().AlterUserPassword(s.user.name, *s.password, s.if_exists);
    }
    if (s.default_roles) ApplyDefaultRoles(s.user.name, *s.default_roles);
    if (s.account.any()) {
        // SET PROPERTY without FOR names the session's own user.
        const std::string name = s.user.name.empty() ? session_.user() : s.user.name;
        if (!session_.instance().catalog().SetUserLimits(name, LimitsOf(s.account), s.if_exists)) return Ok();
        // ACCOUNT UNLOCK or new lockout settings start the failure count over (MySQL WL#13515).
        const bool unlock = s.account.account_locked.has_value() && !*s.account.account_locked;
        if (unlock || s.account.failed_login_attempts || s.account.password_lock_days) {
            session_.instance().login_guard().Reset(name);
        }
    }
    return Ok();
}

QueryResult StatementExecutor::DropUser(const ast::DropUserStatement& s) {
    session_.RequirePrivilege("GRANT", ClientContext::SystemObject());
    session_.instance().catalog().DropUser(s.user.name, s.if_exists);
    session_.instance().access().Invalidate();  // the user's grants went with it
    return Ok();
}

QueryResult StatementExecutor::SetPassword(const ast::SetPasswordStatement& s) {
    std::string user = s.user ? s.user->name : session_.user();
    if (!AsciiEqualsIgnoreCase(user, session_.user())) {
        session_.RequirePrivilege("GRANT", ClientContext::SystemObject());
    }
    session_.instance().catalog().AlterUserPassword(user, s.password, false);
    return Ok();
}

QueryResult StatementExecutor::CreateView(const ast::CreateViewStatement& s) {
    std::string db = TargetDatabase(session_, s.database);
    auto database = session_.instance().catalog().GetDatabase(db);
    if (!database) throw CatalogError("Unknown database '" + db + "'", ErrorCode::UNKNOWN_DATABASE);
    // A new view needs CREATE VIEW in its database, a changed one ALTER on itself; either way its
    // query is bound as its creator, who must be able to read what it reads.
    auto existing = session_.instance().catalog().GetTable(db, s.name);
    if (existing && (s.alter || s.or_replace)) {
        session_.RequirePrivilege("ALTER", ClientContext::TableObject(*existing));
    } else {
        session_.RequirePrivilege("CREATE VIEW", ClientContext::DatabaseObject(*database));
    }
    auto columns = DescribeView(context_, db, s.query_text);
    if (!s.column_names.empty() && s.column_names.size() != columns.size()) {
        throw BinderError("View's SELECT and view's field list have different column counts",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    if (s.alter && !session_.instance().catalog().GetTable(db, s.name)) {
        throw CatalogError("Unknown view '" + db + "." + s.name + "'", ErrorCode::UNKNOWN_TABLE);
    }
    bool invoker = s.security_invoker.value_or(s.alter && existing && existing->security_invoker);
    session_.instance().catalog().CreateView(db, s.name, s.column_names, s.query_text, s.or_replace, s.if_not_exists,
                                             invoker);
    return Ok();
}

QueryResult StatementExecutor::DropView(const ast::DropViewStatement& s) {
    std::string db = TargetDatabase(session_, s.database);
    if (auto view = session_.instance().catalog().GetTable(db, s.name)) {
        session_.RequirePrivilege("DROP", ClientContext::TableObject(*view));
    }
    session_.instance().catalog().DropView(db, s.name, s.if_exists);
    session_.instance().access().Invalidate();
    return Ok();
}

}  // namespace floe
