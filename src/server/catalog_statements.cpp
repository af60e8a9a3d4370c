// External catalogs: CREATE EXTERNAL CATALOG, DROP CATALOG, SET CATALOG, the SHOW statements that
// list catalogs and what is in them, and the tables queries read from them.
#include <algorithm>

#include "binder/client_context.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "lake/external_catalogs.h"
#include "server/instance.h"
#include "server/result_builder.h"
#include "server/session.h"
#include "server/statement_executor.h"
#include "types/date_time.h"
#include "types/time_zone.h"

namespace floe {

namespace {

Value Str(std::string_view s) {
    return Value::Varchar(std::string(s));
}

/// Property values that are secrets: shown masked by SHOW CREATE CATALOG.
bool IsSecret(const std::string& key) {
    std::string k = AsciiLower(key);
    for (const char* word : {"password", "secret", "token", "access_key", "access-key", "credential"}) {
        if (k.find(word) != std::string::npos) return true;
    }
    return false;
}

std::string Quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out + "\"";
}

}  // namespace

std::shared_ptr<const TableSource> Session::OpenExternalTable(const std::string& catalog, const std::string& database,
                                                              const std::string& table, const ast::TimeTravel& travel,
                                                              bool check_privileges) {
    if (!instance_.catalog().GetExternalCatalog(catalog)) {
        throw CatalogError("Unknown catalog '" + catalog + "'", ErrorCode::UNKNOWN_DATABASE);
    }
    if (check_privileges) RequirePrivilege("USAGE", ClientContext::CatalogObject(catalog));
    iceberg::SnapshotSelector selector;
    if (travel.kind == ast::TimeTravel::Kind::VERSION) {
        selector.kind = iceberg::SnapshotSelector::Kind::VERSION;
        selector.value = travel.value;
        selector.numeric = travel.numeric;
        selector.current_schema = travel.current_schema;
    } else if (travel.kind == ast::TimeTravel::Kind::TIMESTAMP) {
        selector.kind = iceberg::SnapshotSelector::Kind::TIMESTAMP;
        selector.value = travel.value;
        auto local = ParseDatetime(travel.value);
        if (!local) {
            throw BinderError(
                "FOR TIMESTAMP AS OF needs a datetime such as '2024-01-31 12:00:00', not '" + travel.value + "'",
                ErrorCode::WRONG_ARGUMENTS);
        }
        auto zone = TimeZone::Find(variables().Get(ast::VariableScope::DEFAULT, "time_zone").ToString());
        int64_t utc = zone ? zone->ToUtc(*local) : *local;
        selector.timestamp_ms = utc / 1000 - (utc % 1000 < 0 ? 1 : 0);
    }
    selector.appended_after = travel.appended_after;
    auto zone = TimeZone::Find(variables().Get(ast::VariableScope::DEFAULT, "time_zone").ToString());
    if (zone && !zone->is_utc()) selector.time_zone = zone;
    return instance_.external_catalogs().OpenTable(catalog, database, table, selector);
}

QueryResult StatementExecutor::CatalogStatement(const ast::Statement& statement) {
    Instance& instance = session_.instance();
    switch (statement.kind) {
        case ast::StatementKind::CREATE_CATALOG: {
            const auto& s = static_cast<const ast::CreateCatalogStatement&>(statement);
            context_.RequirePrivilege("CREATE EXTERNAL CATALOG", ClientContext::SystemObject());
            ExternalCatalogInfo info;
            info.name = s.name;
            info.comment = s.comment;
            for (const auto& [k, v] : s.properties) info.properties[k] = v;
            auto type = info.properties.find("type");
            if (type == info.properties.end()) {
                throw BinderError("CREATE EXTERNAL CATALOG needs the property \"type\" (\"iceberg\")",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
            info.type = AsciiLower(type->second);
            ExternalCatalogs::Validate(info);
            instance.catalog().CreateExternalCatalog(info, s.if_not_exists);
            return QueryResult{};
        }
        case ast::StatementKind::DROP_CATALOG: {
            const auto& s = static_cast<const ast::DropCatalogStatement&>(statement);
            if (instance.catalog().GetExternalCatalog(s.name)) {
                context_.RequirePrivilege("DROP", ClientContext::CatalogObject(s.name));
            }
            if (AsciiEqualsIgnoreCase(s.name, kDefaultCatalog)) {
                throw CatalogError("default_catalog cannot be dropped", ErrorCode::WRONG_ARGUMENTS);
            }
            instance.catalog().DropExternalCatalog(s.name, s.if_exists);
            instance.external_catalogs().Forget(s.name);
            // Sessions using it fall back to default_catalog at their next SET CATALOG / USE.
            return QueryResult{};
        }
        case ast::StatementKind::SET_CATALOG: {
            const auto& s = static_cast<const ast::SetCatalogStatement&>(statement);
            session_.SetCurrentCatalog(s.name);
            return QueryResult{};
        }
        default:
            throw NotSupportedError("not a catalog statement");
    }
}

std::optional<QueryResult> StatementExecutor::ShowExternal(const ast::ShowStatement& s) {
    using K = ast::ShowKind;
    Instance& instance = session_.instance();
    Catalog& catalog = instance.catalog();
    ResultBuilder rb;
    // The catalog a SHOW is about: named, or the session's.
    std::string named = s.catalog.empty() ? session_.current_catalog() : s.catalog;
    bool external = !named.empty() && !AsciiEqualsIgnoreCase(named, kDefaultCatalog);
    switch (s.show) {
        case K::CATALOGS: {
            rb.AddColumn("Catalog");
            rb.AddColumn("Type");
            rb.AddColumn("Comment", LogicalType::Varchar(1024));
            rb.AddRow({Str(kDefaultCatalog), Str("Internal"),
                       Str("An internal catalog contains this cluster's self-managed tables.")});
            for (const auto& c : catalog.ListExternalCatalogs()) {
                if (!context_.CanSee(ClientContext::CatalogObject(c.name))) continue;
                std::string type = c.type;
                if (!type.empty()) type[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(type[0])));
                rb.AddRow({Str(c.name), Str(type), Str(c.comment)});
            }
            break;
        }
        case K::CREATE_CATALOG: {
            auto c = catalog.GetExternalCatalog(s.catalog);
            if (!c) throw CatalogError("Unknown catalog '" + s.catalog + "'", ErrorCode::UNKNOWN_DATABASE);
            if (!context_.CanSee(ClientContext::CatalogObject(c->name))) {
                context_.RequirePrivilege("USAGE", ClientContext::CatalogObject(c->name));
            }
            std::string text = "CREATE EXTERNAL CATALOG `" + c->name + "`\n";
            if (!c->comment.empty()) text += "comment " + Quote(c->comment) + "\n";
            text += "PROPERTIES (";
            bool first = true;
            for (const auto& [k, v] : c->properties) {
                text += first ? "" : ",";
                text += "\n" + Quote(k) + "  =  " + Quote(IsSecret(k) ? "***" : v);
                first = false;
            }
            text += "\n)";
            rb.AddColumn("Catalog");
            rb.AddColumn("Create Catalog", LogicalType::Varchar(65533));
            rb.AddRow({Str(c->name), Str(text)});
            break;
        }
        case K::DATABASES: {
            if (!external) return std::nullopt;
            if (!catalog.GetExternalCatalog(named)) {
                throw CatalogError("Unknown catalog '" + named + "'", ErrorCode::UNKNOWN_DATABASE);
            }
            context_.RequirePrivilege("USAGE", ClientContext::CatalogObject(named));
            rb.AddColumn("Database");
            for (const auto& db : instance.external_catalogs().ListDatabases(named)) rb.AddRow({Str(db)});
            break;
        }
        case K::TABLES: {
            if (!external) return std::nullopt;
            std::string db = s.database.empty() ? session_.current_database() : s.database;
            if (db.empty()) throw CatalogError("No database selected", ErrorCode::NO_DATABASE_SELECTED);
            if (!catalog.GetExternalCatalog(named)) {
                throw CatalogError("Unknown catalog '" + named + "'", ErrorCode::UNKNOWN_DATABASE);
            }
            context_.RequirePrivilege("USAGE", ClientContext::CatalogObject(named));
            rb.AddColumn("Tables_in_" + db);
            if (s.full) rb.AddColumn("Table_type");
            for (const auto& t : instance.external_catalogs().ListTables(named, db)) {
                if (s.full) {
                    rb.AddRow({Str(t), Str("BASE TABLE")});
                } else {
                    rb.AddRow({Str(t)});
                }
            }
            break;
        }
        case K::COLUMNS: {
            if (!external) return std::nullopt;
            std::string db = s.database.empty() ? session_.current_database() : s.database;
            if (db.empty()) throw CatalogError("No database selected", ErrorCode::NO_DATABASE_SELECTED);
            auto table = session_.OpenExternalTable(named, db, s.table, ast::TimeTravel{});
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
            for (const auto& c : table->columns()) {
                std::vector<Value> row{Str(c.name), Str(AsciiLower(c.type.ToString()))};
                if (s.full) {
                    row.push_back(c.type.IsString() ? Str("utf8mb4_general_ci") : Value::Null(LogicalType::Varchar()));
                }
                row.insert(row.end(),
                           {Str(c.nullable ? "YES" : "NO"), Str(""), Value::Null(LogicalType::Varchar()), Str("")});
                if (s.full) row.insert(row.end(), {Str("select"), Str(c.comment)});
                rb.AddRow(std::move(row));
            }
            break;
        }
        case K::CREATE_TABLE: {
            if (!external) return std::nullopt;
            std::string db = s.database.empty() ? session_.current_database() : s.database;
            auto table = session_.OpenExternalTable(named, db, s.table, ast::TimeTravel{});
            std::string text = "CREATE TABLE `" + s.table + "` (\n";
            const auto& cols = table->columns();
            for (size_t i = 0; i < cols.size(); ++i) {
                text += "  `" + cols[i].name + "` " + AsciiLower(cols[i].type.ToString()) +
                        (cols[i].nullable ? "" : " NOT NULL") + (i + 1 < cols.size() ? ",\n" : "\n");
            }
            text += ")";
            rb.AddColumn("Table");
            rb.AddColumn("Create Table", LogicalType::Varchar(65533));
            rb.AddRow({Str(s.table), Str(text)});
            break;
        }
        default:
            return std::nullopt;
    }
    if (s.like) rb.FilterLike(*s.like);
    if (s.where) rb.FilterWhere(context_, *s.where);
    return rb.Build();
}

}  // namespace floe
