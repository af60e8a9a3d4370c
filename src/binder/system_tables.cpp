#include "binder/system_tables.h"

#include <map>

#include "binder/table_schema.h"
#include "common/ascii.h"
#include "io/data_cache.h"

namespace floe {

namespace {

const LogicalType kText = LogicalType::Varchar(64);

BoundValuesSource Make(std::string_view table, std::vector<std::pair<std::string, LogicalType>> cols) {
    BoundValuesSource s;
    s.table = std::string(table);
    s.schema = std::string(kInformationSchema);
    for (auto& [n, t] : cols) {
        s.names.push_back(n);
        s.types.push_back(t);
    }
    return s;
}

Value Str(std::string_view v) {
    return Value::Varchar(std::string(v));
}

}  // namespace

std::vector<std::string> InformationSchemaTableNames() {
    return {"BE_DATACACHE_METRICS",
            "COLUMNS",
            "ENGINES",
            "ICEBERG_MAINTENANCE_LOG",
            "ICEBERG_TABLE_HEALTH",
            "LOADS",
            "MATERIALIZED_VIEWS",
            "ROUTINE_LOAD_ERRORS",
            "ROUTINE_LOAD_JOBS",
            "SCHEMATA",
            "SCHEMA_PRIVILEGES",
            "TABLE_PRIVILEGES",
            "TABLES",
            "TASKS",
            "TASK_RUNS",
            "TIERING",
            "USER_PRIVILEGES",
            "VIEWS"};
}

namespace {

std::string Quoted(const std::string& grantee_kind, const std::string& grantee) {
    return grantee_kind == "USER" ? "'" + grantee + "'@'%'" : grantee;
}

/// The object part of a grant: "TABLE db.t", "ALL TABLES IN DATABASE db", "SYSTEM", ...
std::string ObjectText(const PrivilegeObject& o) {
    std::string type(ObjectTypeName(o.type));
    auto plural = [&] {
        if (o.type == ObjectType::MATERIALIZED_VIEW) return std::string("MATERIALIZED VIEWS");
        if (o.type == ObjectType::GLOBAL_FUNCTION) return std::string("GLOBAL FUNCTIONS");
        if (o.type == ObjectType::RESOURCE_GROUP) return std::string("RESOURCE GROUPS");
        if (o.type == ObjectType::STORAGE_VOLUME) return std::string("STORAGE VOLUMES");
        if (o.type == ObjectType::CATALOG) return std::string("CATALOGS");
        if (o.type == ObjectType::DATABASE) return std::string("DATABASES");
        return type + "S";
    };
    switch (o.type) {
        case ObjectType::SYSTEM:
            return "SYSTEM";
        case ObjectType::DATABASE:
            return o.db_id == -1 ? "ALL DATABASES" : "DATABASE " + QuoteIdentifier(o.db);
        case ObjectType::TABLE:
        case ObjectType::VIEW:
        case ObjectType::MATERIALIZED_VIEW:
        case ObjectType::FUNCTION:
            if (o.db_id == -1) return "ALL " + plural() + " IN ALL DATABASES";
            if (o.id == -1 && o.name.empty()) return "ALL " + plural() + " IN DATABASE " + QuoteIdentifier(o.db);
            return type + " " + QuoteIdentifier(o.db) + "." + QuoteIdentifier(o.name);
        default:
            return o.name.empty() ? "ALL " + plural() : type + " " + QuoteIdentifier(o.name);
    }
}

}  // namespace

std::string GrantStatementText(const PrivilegeGrant& grant, const std::vector<std::string>& privileges) {
    std::string list;
    for (const auto& p : privileges) list += (list.empty() ? "" : ", ") + p;
    return "GRANT " + list + " ON " + ObjectText(grant.object) + " TO " + grant.grantee_kind + " " +
           Quoted(grant.grantee_kind, grant.grantee) + (grant.grantable ? " WITH GRANT OPTION" : "");
}

BoundValuesSource AuditTable(ClientContext& context) {
    auto s = Make(kAuditTable, {{"queryId", kText},
                                {"timestamp", TypeId::DATETIME},
                                {"queryType", kText},
                                {"clientIp", kText},
                                {"user", kText},
                                {"authorizedUser", kText},
                                {"resourceGroup", kText},
                                {"catalog", kText},
                                {"db", kText},
                                {"state", kText},
                                {"errorCode", TypeId::BIGINT},
                                {"queryTime", TypeId::BIGINT},
                                {"scanBytes", TypeId::BIGINT},
                                {"scanRows", TypeId::BIGINT},
                                {"returnRows", TypeId::BIGINT},
                                {"cpuCostNs", TypeId::BIGINT},
                                {"memCostBytes", TypeId::BIGINT},
                                {"stmtId", TypeId::BIGINT},
                                {"isQuery", TypeId::BOOLEAN},
                                {"feIp", kText},
                                {"stmt", LogicalType::Varchar()},
                                {"digest", kText},
                                {"planCpuCosts", TypeId::DOUBLE},
                                {"planMemCosts", TypeId::DOUBLE},
                                {"errorMessage", LogicalType::Varchar()}});
    s.schema = std::string(kAuditDatabase);
    s.rows = context.AuditRows();
    return s;
}

std::optional<BoundValuesSource> SysTable(ClientContext& context, std::string_view table) {
    std::string name = AsciiUpper(table);
    if (name != "GRANTS_TO_USERS" && name != "GRANTS_TO_ROLES" && name != "ROLE_EDGES") return std::nullopt;
    context.RequirePrivilege("GRANT", ClientContext::SystemObject());
    if (name == "ROLE_EDGES") {
        auto s = Make("ROLE_EDGES", {{"FROM_ROLE", kText}, {"TO_ROLE", kText}, {"TO_USER", kText}});
        s.schema = std::string(kSysDatabase);
        for (const auto& e : context.access().ListRoleGrants()) {
            s.rows.push_back({Str(e.role), e.grantee_kind == "ROLE" ? Str(e.grantee) : Value::Null(kText),
                              e.grantee_kind == "USER" ? Str(Quoted("USER", e.grantee)) : Value::Null(kText)});
        }
        return s;
    }
    const std::string kind = name == "GRANTS_TO_USERS" ? "USER" : "ROLE";
    auto s = Make(name, {{"GRANTEE", kText},
                         {"OBJECT_CATALOG", kText},
                         {"OBJECT_DATABASE", kText},
                         {"OBJECT_NAME", kText},
                         {"OBJECT_TYPE", kText},
                         {"PRIVILEGE_TYPE", LogicalType::Varchar(1024)},
                         {"IS_GRANTABLE", kText}});
    s.schema = std::string(kSysDatabase);
    // One row per grantee, object and grantability, the privileges comma-merged as StarRocks does.
    std::vector<PrivilegeGrant> grants = context.access().ListGrants();
    for (size_t i = 0; i < grants.size();) {
        const PrivilegeGrant& g = grants[i];
        std::string privileges;
        size_t j = i;
        for (; j < grants.size() && grants[j].grantee_kind == g.grantee_kind && grants[j].grantee == g.grantee &&
               grants[j].object.type == g.object.type && grants[j].object.db_id == g.object.db_id &&
               grants[j].object.id == g.object.id && grants[j].object.name == g.object.name &&
               grants[j].grantable == g.grantable;
             ++j) {
            privileges += (privileges.empty() ? "" : ",") + grants[j].privilege;
        }
        if (g.grantee_kind == kind) {
            bool in_db = g.object.type == ObjectType::DATABASE || g.object.type == ObjectType::TABLE ||
                         g.object.type == ObjectType::VIEW || g.object.type == ObjectType::MATERIALIZED_VIEW ||
                         g.object.type == ObjectType::FUNCTION;
            Value catalog =
                g.object.type == ObjectType::SYSTEM || g.object.type == ObjectType::USER
                    ? Value::Null(kText)
                    : Str(g.object.type == ObjectType::CATALOG && !g.object.name.empty() ? g.object.name
                                                                                         : "default_catalog");
            Value database =
                in_db ? (g.object.db_id == -1 ? Value::Null(kText) : Str(g.object.db)) : Value::Null(kText);
            Value object =
                g.object.type == ObjectType::DATABASE || g.object.name.empty() || g.object.type == ObjectType::CATALOG
                    ? Value::Null(kText)
                    : Str(g.object.name);
            s.rows.push_back({Str(Quoted(g.grantee_kind, g.grantee)), catalog, database, object,
                              Str(std::string(ObjectTypeName(g.object.type))), Str(privileges),
                              Str(g.grantable ? "YES" : "NO")});
        }
        i = j;
    }
    return s;
}

std::optional<BoundValuesSource> InformationSchemaTable(ClientContext& context, std::string_view table) {
    Catalog& catalog = context.catalog();
    std::string name = AsciiUpper(table);
    // Rows list only what the session could reach: databases and tables it holds a privilege on.
    auto visible_db = [&](const DatabaseInfo& db) { return db.id == 0 || context.CanSeeDatabase(db.id); };
    auto visible_table = [&](const TableInfo& t) { return context.CanSee(ClientContext::TableObject(t)); };
    auto visible_named = [&](const std::string& db, const std::string& table_name) {
        auto t = catalog.GetTable(db, table_name);
        return t && visible_table(*t);
    };
    if (BoundValuesSource server; context.ServerTable(name, server)) {
        server.table = name;
        server.schema = std::string(kInformationSchema);
        return server;
    }
    if (name == "BE_DATACACHE_METRICS") {
        // StarRocks' columns (one row: Floe is one node), then the cache's hit and miss totals.
        auto s = Make("BE_DATACACHE_METRICS", {{"BE_ID", TypeId::BIGINT},
                                               {"STATUS", kText},
                                               {"DISK_QUOTA_BYTES", TypeId::BIGINT},
                                               {"DISK_USED_BYTES", TypeId::BIGINT},
                                               {"MEM_QUOTA_BYTES", TypeId::BIGINT},
                                               {"MEM_USED_BYTES", TypeId::BIGINT},
                                               {"META_USED_BYTES", TypeId::BIGINT},
                                               {"DIR_SPACES", LogicalType::Varchar()},
                                               {"HIT_COUNT", TypeId::BIGINT},
                                               {"MISS_COUNT", TypeId::BIGINT},
                                               {"HIT_BYTES", TypeId::BIGINT},
                                               {"MISS_BYTES", TypeId::BIGINT},
                                               {"DISK_BLOCKS", TypeId::BIGINT},
                                               {"MEM_BLOCKS", TypeId::BIGINT}});
        DataCache& cache = DataCache::Global();
        DataCache::Usage u = cache.usage();
        const DataCacheCounters& t = cache.totals();
        auto big = [](uint64_t v) { return Value::Integer(static_cast<int64_t>(v)); };
        std::string dirs = u.directory.empty() ? "[]"
                                               : "[{\"Path\":\"" + u.directory +
                                                     "\",\"QuotaBytes\":" + std::to_string(u.disk_limit) + "}]";
        s.rows.push_back({big(0), Str(cache.enabled() ? "Normal" : "Disabled"), big(u.disk_limit), big(u.disk_used),
                          big(u.mem_limit), big(u.mem_used),
                          big((u.mem_blocks + u.disk_blocks) * 128),  // an estimate: the index holds ~128 bytes a block
                          Str(dirs), big(t.hits.load()), big(t.misses.load()), big(t.bytes_from_cache.load()),
                          big(t.bytes_from_remote.load()), big(u.disk_blocks), big(u.mem_blocks)});
        return s;
    }
    if (name == "SCHEMATA") {
        auto s = Make("SCHEMATA", {{"CATALOG_NAME", kText},
                                   {"SCHEMA_NAME", kText},
                                   {"DEFAULT_CHARACTER_SET_NAME", kText},
                                   {"DEFAULT_COLLATION_NAME", kText},
                                   {"SQL_PATH", kText}});
        for (const auto& db : catalog.ListDatabases()) {
            if (!visible_db(db)) continue;
            s.rows.push_back({Str("def"), Str(db.name), Str("utf8mb4"), Str("utf8mb4_0900_bin"), Value::Null(kText)});
        }
        return s;
    }
    if (name == "TABLES") {
        auto s = Make("TABLES", {{"TABLE_CATALOG", kText},
                                 {"TABLE_SCHEMA", kText},
                                 {"TABLE_NAME", kText},
                                 {"TABLE_TYPE", kText},
                                 {"ENGINE", kText},
                                 {"VERSION", TypeId::BIGINT},
                                 {"ROW_FORMAT", kText},
                                 {"TABLE_ROWS", TypeId::BIGINT},
                                 {"AVG_ROW_LENGTH", TypeId::BIGINT},
                                 {"DATA_LENGTH", TypeId::BIGINT},
                                 {"MAX_DATA_LENGTH", TypeId::BIGINT},
                                 {"INDEX_LENGTH", TypeId::BIGINT},
                                 {"DATA_FREE", TypeId::BIGINT},
                                 {"AUTO_INCREMENT", TypeId::BIGINT},
                                 {"CREATE_TIME", TypeId::DATETIME},
                                 {"UPDATE_TIME", TypeId::DATETIME},
                                 {"CHECK_TIME", TypeId::DATETIME},
                                 {"TABLE_COLLATION", kText},
                                 {"CHECKSUM", TypeId::BIGINT},
                                 {"CREATE_OPTIONS", kText},
                                 {"TABLE_COMMENT", LogicalType::Varchar(2048)}});
        for (const auto& t : InformationSchemaTableNames()) {
            std::vector<Value> row(s.types.size());
            for (size_t i = 0; i < row.size(); ++i) row[i] = Value::Null(s.types[i]);
            row[0] = Str("def");
            row[1] = Str(kInformationSchema);
            row[2] = Str(t);
            row[3] = Str("SYSTEM VIEW");
            row[4] = Str("MEMORY");
            row[17] = Str("utf8mb4_0900_bin");
            row[20] = Str("");
            s.rows.push_back(std::move(row));
        }
        for (const auto& db : catalog.ListDatabases()) {
            if (db.id == 0) continue;
            for (const auto& t : catalog.ListTables(db.name)) {
                if (!visible_table(t)) continue;
                std::vector<Value> row(s.types.size());
                for (size_t i = 0; i < row.size(); ++i) row[i] = Value::Null(s.types[i]);
                row[0] = Str("def");
                row[1] = Str(db.name);
                row[2] = Str(t.name);
                row[3] = Str(t.kind == "VIEW" ? "VIEW" : "BASE TABLE");
                row[20] = Str("");
                s.rows.push_back(std::move(row));
            }
        }
        return s;
    }
    if (name == "COLUMNS") {
        auto s = Make("COLUMNS", {{"TABLE_CATALOG", kText},
                                  {"TABLE_SCHEMA", kText},
                                  {"TABLE_NAME", kText},
                                  {"COLUMN_NAME", kText},
                                  {"ORDINAL_POSITION", TypeId::BIGINT},
                                  {"COLUMN_DEFAULT", LogicalType::Varchar(1024)},
                                  {"IS_NULLABLE", kText},
                                  {"DATA_TYPE", kText},
                                  {"CHARACTER_MAXIMUM_LENGTH", TypeId::BIGINT},
                                  {"CHARACTER_OCTET_LENGTH", TypeId::BIGINT},
                                  {"NUMERIC_PRECISION", TypeId::BIGINT},
                                  {"NUMERIC_SCALE", TypeId::BIGINT},
                                  {"DATETIME_PRECISION", TypeId::BIGINT},
                                  {"CHARACTER_SET_NAME", kText},
                                  {"COLLATION_NAME", kText},
                                  {"COLUMN_TYPE", LogicalType::Varchar(256)},
                                  {"COLUMN_KEY", kText},
                                  {"EXTRA", kText},
                                  {"PRIVILEGES", kText},
                                  {"COLUMN_COMMENT", LogicalType::Varchar(1024)},
                                  {"GENERATION_EXPRESSION", kText}});
        // The columns of information_schema's own tables (user tables arrive with storage).
        for (const auto& t : InformationSchemaTableNames()) {
            auto table = t == "COLUMNS" ? std::optional<BoundValuesSource>(s) : InformationSchemaTable(context, t);
            for (size_t i = 0; i < table->names.size(); ++i) {
                const LogicalType& type = table->types[i];
                bool is_string = type.IsString();
                std::string data_type = is_string ? "varchar" : (type.id == TypeId::BIGINT ? "bigint" : "datetime");
                std::string column_type =
                    is_string ? "varchar(" + std::to_string(type.length ? type.length : 65533) + ")" : data_type;
                std::vector<Value> row{
                    Str("def"),
                    Str(kInformationSchema),
                    Str(t),
                    Str(table->names[i]),
                    Value::Integer(static_cast<int64_t>(i + 1)),
                    Value::Null(LogicalType::Varchar()),
                    Str("YES"),
                    Str(data_type),
                    is_string ? Value::Integer(type.length ? type.length : 65533) : Value::Null(TypeId::BIGINT),
                    is_string ? Value::Integer((type.length ? type.length : 65533) * 4LL) : Value::Null(TypeId::BIGINT),
                    type.id == TypeId::BIGINT ? Value::Integer(19) : Value::Null(TypeId::BIGINT),
                    type.id == TypeId::BIGINT ? Value::Integer(0) : Value::Null(TypeId::BIGINT),
                    type.id == TypeId::DATETIME ? Value::Integer(0) : Value::Null(TypeId::BIGINT),
                    is_string ? Str("utf8mb4") : Value::Null(LogicalType::Varchar()),
                    is_string ? Str("utf8mb4_general_ci") : Value::Null(LogicalType::Varchar()),
                    Str(column_type),
                    Str(""),
                    Str(""),
                    Str("select"),
                    Str(""),
                    Str("")};
                s.rows.push_back(std::move(row));
            }
        }
        // The columns of the user tables (views' columns are known only once bound: not listed).
        for (const auto& db : catalog.ListDatabases()) {
            if (db.id == 0) continue;
            for (const auto& t : catalog.ListTables(db.name)) {
                if (!visible_table(t)) continue;
                if (t.kind == "VIEW") continue;
                auto version = catalog.GetTableVersion(t.id);
                if (!version) continue;
                TableSchema schema = ParseTableDefinition(version->definition);
                for (size_t i = 0; i < schema.columns.size(); ++i) {
                    const TableColumn& c = schema.columns[i];
                    const LogicalType& type = c.type;
                    bool is_string = type.IsString() && type.id != TypeId::JSON;
                    std::string column_type = AsciiLower(type.ToString());
                    if (type.id == TypeId::VARCHAR && type.length == 0) column_type = "varchar(65533)";
                    std::string data_type = column_type.substr(0, column_type.find_first_of("(<"));
                    int64_t precision = type.id == TypeId::DECIMAL    ? type.precision
                                        : type.id == TypeId::TINYINT  ? 3
                                        : type.id == TypeId::SMALLINT ? 5
                                        : type.id == TypeId::INT      ? 10
                                        : type.id == TypeId::BIGINT   ? 19
                                        : type.id == TypeId::LARGEINT ? 39
                                        : type.id == TypeId::FLOAT    ? 12
                                        : type.id == TypeId::DOUBLE   ? 22
                                                                      : -1;
                    bool key = i < schema.key_columns.size();
                    int64_t length = type.length ? type.length : 65533;
                    s.rows.push_back(
                        {Str("def"),
                         Str(db.name),
                         Str(t.name),
                         Str(c.name),
                         Value::Integer(static_cast<int64_t>(i + 1)),
                         c.default_value && !c.default_value->is_null() ? Str(c.default_value->ToString())
                                                                        : Value::Null(LogicalType::Varchar()),
                         Str(c.nullable ? "YES" : "NO"),
                         Str(data_type),
                         is_string ? Value::Integer(length) : Value::Null(TypeId::BIGINT),
                         is_string ? Value::Integer(length * 4) : Value::Null(TypeId::BIGINT),
                         precision >= 0 ? Value::Integer(precision) : Value::Null(TypeId::BIGINT),
                         precision >= 0 ? Value::Integer(type.id == TypeId::DECIMAL ? type.scale : 0)
                                        : Value::Null(TypeId::BIGINT),
                         type.id == TypeId::DATETIME ? Value::Integer(type.scale) : Value::Null(TypeId::BIGINT),
                         is_string ? Str("utf8mb4") : Value::Null(LogicalType::Varchar()),
                         is_string ? Str("utf8mb4_general_ci") : Value::Null(LogicalType::Varchar()),
                         Str(column_type),
                         Str(!key                                           ? ""
                             : schema.keys_type == ast::KeysType::PRIMARY   ? "PRI"
                             : schema.keys_type == ast::KeysType::UNIQUE    ? "UNI"
                             : schema.keys_type == ast::KeysType::AGGREGATE ? "AGG"
                                                                            : "DUP"),
                         Str(""),
                         Str("select,insert"),
                         Str(""),
                         Str("")});
                }
            }
        }
        return s;
    }
    if (name == "VIEWS") {
        auto s = Make("VIEWS", {{"TABLE_CATALOG", kText},
                                {"TABLE_SCHEMA", kText},
                                {"TABLE_NAME", kText},
                                {"VIEW_DEFINITION", LogicalType::Varchar()},
                                {"CHECK_OPTION", kText},
                                {"IS_UPDATABLE", kText},
                                {"DEFINER", kText},
                                {"SECURITY_TYPE", kText},
                                {"CHARACTER_SET_CLIENT", kText},
                                {"COLLATION_CONNECTION", kText}});
        for (const auto& db : catalog.ListDatabases()) {
            if (db.id == 0) continue;
            for (const auto& t : catalog.ListTables(db.name)) {
                if (!visible_table(t)) continue;
                if (t.kind != "VIEW") continue;
                s.rows.push_back({Str("def"), Str(db.name), Str(t.name), Str(t.definition), Str("NONE"), Str("NO"),
                                  Str("root@%"), Str("DEFINER"), Str("utf8mb4"), Str("utf8mb4_general_ci")});
            }
        }
        return s;
    }
    if (name == "LOADS") {
        // Load jobs (INSERT, Stream Load) by label, newest first, as SHOW LOAD lists them.
        auto s = Make("LOADS", {{"JOB_ID", TypeId::BIGINT},
                                {"LABEL", kText},
                                {"DATABASE_NAME", kText},
                                {"TABLE_NAME", kText},
                                {"STATE", kText},
                                {"TYPE", kText},
                                {"SCAN_ROWS", TypeId::BIGINT},
                                {"FILTERED_ROWS", TypeId::BIGINT},
                                {"UNSELECTED_ROWS", TypeId::BIGINT},
                                {"SINK_ROWS", TypeId::BIGINT},
                                {"LOAD_BYTES", TypeId::BIGINT},
                                {"CREATE_TIME", TypeId::DATETIME},
                                {"LOAD_FINISH_TIME", TypeId::DATETIME},
                                {"ERROR_MSG", LogicalType::Varchar()},
                                {"URL", LogicalType::Varchar()}});
        for (const auto& db : catalog.ListDatabases()) {
            if (db.id == 0) continue;
            for (const auto& l : catalog.ListLoads(db.name)) {
                if (!visible_named(l.database, l.table)) continue;
                auto time = [](int64_t seconds) {
                    return seconds ? Value::Datetime(seconds * 1000000) : Value::Null(TypeId::DATETIME);
                };
                auto text = [](const std::string& v) {
                    return v.empty() ? Value::Null(LogicalType::Varchar()) : Value::Varchar(v);
                };
                s.rows.push_back({Value::Integer(l.txn_id), Str(l.label), Str(l.database), Str(l.table), Str(l.state),
                                  Str(l.kind), Value::Integer(l.total_rows), Value::Integer(l.filtered_rows),
                                  Value::Integer(l.unselected_rows), Value::Integer(l.loaded_rows),
                                  Value::Integer(l.load_bytes), time(l.create_time), time(l.finish_time),
                                  text(l.error_msg), text(l.error_url)});
            }
        }
        return s;
    }
    if (name == "ROUTINE_LOAD_JOBS") {
        // Routine Load jobs as the meta store has them (SHOW ROUTINE LOAD adds the live lag).
        auto s = Make("ROUTINE_LOAD_JOBS", {{"ID", TypeId::BIGINT},
                                            {"NAME", kText},
                                            {"DATABASE_NAME", kText},
                                            {"TABLE_NAME", kText},
                                            {"STATE", kText},
                                            {"REASON", LogicalType::Varchar()},
                                            {"CREATE_TIME", TypeId::DATETIME},
                                            {"LOADED_ROWS", TypeId::BIGINT},
                                            {"FILTERED_ROWS", TypeId::BIGINT},
                                            {"UNSELECTED_ROWS", TypeId::BIGINT},
                                            {"RECEIVED_BYTES", TypeId::BIGINT},
                                            {"COMMITTED_BATCHES", TypeId::BIGINT},
                                            {"LAST_COMMIT_TIME", TypeId::DATETIME},
                                            {"LAST_ERROR", LogicalType::Varchar()}});
        for (const auto& j : catalog.ListRoutineLoads()) {
            if (j.external() ? !context.CanSee(ClientContext::CatalogObject(j.target_catalog))
                             : !visible_named(j.database, j.table)) {
                continue;
            }
            s.rows.push_back(
                {Value::Integer(j.id), Str(j.name), Str(j.database), Str(j.TargetName()), Str(j.state), Str(j.reason),
                 Value::Datetime(j.create_time * 1000000), Value::Integer(j.loaded_rows),
                 Value::Integer(j.filtered_rows), Value::Integer(j.unselected_rows), Value::Integer(j.received_bytes),
                 Value::Integer(j.committed_batches),
                 j.last_commit_time ? Value::Datetime(j.last_commit_time * 1000) : Value::Null(TypeId::DATETIME),
                 Str(j.last_error)});
        }
        return s;
    }
    if (name == "ROUTINE_LOAD_ERRORS") {
        // Messages Routine Load jobs could not load: where they were and why (the newest 1000 per job).
        auto s = Make("ROUTINE_LOAD_ERRORS", {{"ID", TypeId::BIGINT},
                                              {"DATABASE_NAME", kText},
                                              {"JOB_NAME", kText},
                                              {"KAFKA_PARTITION", TypeId::INT},
                                              {"KAFKA_OFFSET", TypeId::BIGINT},
                                              {"REASON", LogicalType::Varchar()},
                                              {"MESSAGE", LogicalType::Varchar()},
                                              {"MESSAGE_HEX", LogicalType::Varchar()},
                                              {"TIME", TypeId::DATETIME}});
        std::map<std::string, bool> job_visible;
        for (const auto& j : catalog.ListRoutineLoads()) {
            job_visible[j.database + "." + j.name] = visible_named(j.database, j.table);
        }
        for (const auto& e : catalog.ListRoutineLoadErrors()) {
            if (!job_visible[e.database + "." + e.job]) continue;
            static constexpr char kHex[] = "0123456789abcdef";
            std::string hex;
            for (unsigned char c : e.message) {
                hex.push_back(kHex[c >> 4]);
                hex.push_back(kHex[c & 15]);
            }
            s.rows.push_back({Value::Integer(e.id), Str(e.database), Str(e.job),
                              Value::Integer(e.partition, TypeId::INT), Value::Integer(e.offset), Str(e.reason),
                              Str(e.text), Str(hex), Value::Datetime(e.time * 1000000)});
        }
        return s;
    }
    if (name == "USER_PRIVILEGES" || name == "SCHEMA_PRIVILEGES" || name == "TABLE_PRIVILEGES") {
        // MySQL's grant views: a user sees its own grants; holders of GRANT see everyone's.
        const bool all = context.HasPrivilege("GRANT", ClientContext::SystemObject());
        const std::string me = context.UserName();
        std::vector<std::pair<std::string, LogicalType>> cols = {{"GRANTEE", kText}, {"TABLE_CATALOG", kText}};
        if (name != "USER_PRIVILEGES") cols.push_back({"TABLE_SCHEMA", kText});
        if (name == "TABLE_PRIVILEGES") cols.push_back({"TABLE_NAME", kText});
        cols.push_back({"PRIVILEGE_TYPE", kText});
        cols.push_back({"IS_GRANTABLE", kText});
        auto s = Make(name, cols);
        for (const auto& g : context.access().ListGrants()) {
            if (g.grantee_kind != "USER" || (!all && g.grantee != me)) continue;
            bool table_level = g.object.type == ObjectType::TABLE || g.object.type == ObjectType::VIEW ||
                               g.object.type == ObjectType::MATERIALIZED_VIEW;
            bool schema_level = g.object.type == ObjectType::DATABASE || (table_level && g.object.id == -1);
            bool user_level = !table_level && !schema_level;
            if (name == "USER_PRIVILEGES" && !user_level) continue;
            if (name == "SCHEMA_PRIVILEGES" && !(schema_level && g.object.db_id != -1)) continue;
            if (name == "TABLE_PRIVILEGES" && !(table_level && g.object.id != -1)) continue;
            std::vector<Value> row = {Str("'" + g.grantee + "'@'%'"), Str("def")};
            if (name != "USER_PRIVILEGES") row.push_back(Str(g.object.db));
            if (name == "TABLE_PRIVILEGES") row.push_back(Str(g.object.name));
            row.push_back(Str(g.privilege));
            row.push_back(Str(g.grantable ? "YES" : "NO"));
            s.rows.push_back(std::move(row));
        }
        return s;
    }
    if (name == "ENGINES") {
        auto s = Make("ENGINES", {{"ENGINE", kText},
                                  {"SUPPORT", kText},
                                  {"COMMENT", LogicalType::Varchar(160)},
                                  {"TRANSACTIONS", kText},
                                  {"XA", kText},
                                  {"SAVEPOINTS", kText}});
        s.rows.push_back(
            {Str("OLAP"), Str("DEFAULT"), Str("Floe columnar hot-tier storage"), Str("YES"), Str("NO"), Str("NO")});
        return s;
    }
    return std::nullopt;
}

}  // namespace floe
