// Materialized views and tasks: CREATE / DROP / ALTER / REFRESH / CANCEL REFRESH MATERIALIZED
// VIEW, SHOW MATERIALIZED VIEWS, SUBMIT / DROP / EXECUTE TASK, and the rows of
// information_schema.materialized_views, tasks and task_runs.
#include <chrono>

#include "binder/binder.h"
#include "binder/table_schema.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "server/instance.h"
#include "server/mv_incremental.h"
#include "server/mv_service.h"
#include "server/mv_statements.h"
#include "server/result_builder.h"
#include "server/session.h"
#include "server/statement_executor.h"
#include "server/table_access.h"

namespace floe {

namespace {

using MvAction = ast::MaterializedViewStatement::Action;

int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Value Str(const std::string& s) {
    return Value::Varchar(s);
}

Value Time(int64_t ms) {
    return ms <= 0 ? Value::Null(TypeId::DATETIME) : Value::Datetime(ms * 1000);
}

std::string Quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out + "\"";
}

std::string SchemeText(const std::string& type, int64_t start, int64_t interval) {
    if (type == "MANUAL") return "MANUAL";
    std::string out = type;
    if (interval > 0) {
        if (start > 0) {
            std::time_t t = static_cast<std::time_t>(start);
            std::tm tm{};
            localtime_r(&t, &tm);
            char buf[32];
            std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
            out += " START(\"" + std::string(buf) + "\")";
        }
        int64_t n = interval;
        std::string unit = "SECOND";
        for (auto [secs, name] : {std::pair<int64_t, const char*>{86400, "DAY"}, {3600, "HOUR"}, {60, "MINUTE"}}) {
            if (interval % secs == 0) {
                n = interval / secs;
                unit = name;
                break;
            }
        }
        out += " EVERY(INTERVAL " + std::to_string(n) + " " + unit + ")";
    }
    return out;
}

/// The user of a task's creator ("user@host"): a task belongs to the user, whatever host they
/// submitted it from or connect from now.
std::string CreatorUser(const std::string& creator) {
    size_t at = creator.rfind('@');
    return at == std::string::npos ? creator : creator.substr(0, at);
}

/// REFRESH and CANCEL REFRESH: the REFRESH privilege on the MV, or ALTER on it.
void RequireRefresh(Session& session, const PrivilegeObject& table) {
    PrivilegeObject mv = table;
    mv.type = ObjectType::MATERIALIZED_VIEW;
    if (session.Privileges().Has("REFRESH", mv) || session.Privileges().Has("ALTER", mv) ||
        session.Privileges().Has("ALTER", table)) {
        return;
    }
    session.RequirePrivilege("REFRESH", mv);
}

/// The database an MV statement names (or the current one).
std::string MvDatabase(Session& session, const std::string& named) {
    return TableDatabase(session, named);
}

}  // namespace

QueryResult StatementExecutor::MaterializedView(const ast::MaterializedViewStatement& s) {
    Catalog& catalog = session_.instance().catalog();
    MvService& mvs = session_.instance().mvs();
    std::string db = MvDatabase(session_, s.database);
    if (s.action == MvAction::CREATE) return CreateMaterializedView(s, db);
    auto mv = catalog.GetMaterializedView(db, s.name);
    if (!mv) {
        if (s.action == MvAction::DROP && s.if_exists) return QueryResult{};
        auto table = catalog.GetTable(db, s.name);
        if (table) {
            throw CatalogError("'" + db + "." + s.name + "' is not a materialized view", ErrorCode::UNKNOWN_TABLE);
        }
        throw CatalogError("Unknown materialized view '" + db + "." + s.name + "'", ErrorCode::UNKNOWN_TABLE);
    }
    auto table = catalog.GetTableById(mv->id);
    if (!table) throw CatalogError("Unknown materialized view '" + db + "." + s.name + "'", ErrorCode::UNKNOWN_TABLE);
    PrivilegeObject object = ClientContext::TableObject(*table);
    if (!s.new_database.empty() && !AsciiEqualsIgnoreCase(s.new_database, db)) {
        // A rename or swap stays inside the MV's database (its storage table and task do).
        throw NotSupportedError(std::string(s.action == MvAction::SWAP ? "SWAP WITH" : "RENAME") +
                                " cannot move materialized view '" + db + "." + s.name + "' to database '" +
                                s.new_database + "'");
    }
    switch (s.action) {
        case MvAction::CREATE:
            break;
        case MvAction::DROP: {
            session_.RequirePrivilege("DROP", object);
            if (auto task = mvs.scheduler().TaskOfMv(mv->id)) {
                mvs.scheduler().CancelRuns(task->id, true);
                mvs.scheduler().DropTask(task->name);
            }
            auto lock = session_.instance().loads().LockTable(mv->id);
            catalog.DropMaterializedView(db, mv->name, true);
            session_.instance().loads().ForgetTable(mv->id);
            session_.instance().access().Invalidate();
            return QueryResult{};
        }
        case MvAction::REFRESH: {
            RequireRefresh(session_, object);
            // A base changed in a way the MV cannot follow: inactive now, with the reason.
            std::string reason = mv->inactive_by_user ? std::string() : mvs.Revalidate(*mv);
            if (!mv->active || !reason.empty()) {
                if (mv->inactive_by_user || !reason.empty()) {
                    throw NotSupportedError("Refresh materialized view " + mv->name + " failed: it is inactive (" +
                                            (mv->inactive_by_user ? "ALTER MATERIALIZED VIEW ... INACTIVE" : reason) +
                                            "); ALTER MATERIALIZED VIEW " + mv->name + " ACTIVE brings it back");
                }
            }
            mvs.SyncTask(*mv);
            auto task = mvs.scheduler().TaskOfMv(mv->id);
            TaskSubmit submit;
            submit.force = s.force;
            submit.partition_start = s.partition_start;
            submit.partition_end = s.partition_end;
            submit.priority = 1;  // asked for by a user: before scheduled refreshes
            int64_t run_id = mvs.scheduler().Submit(task->id, submit);
            ResultBuilder rb;
            rb.AddColumn("QUERY_ID", LogicalType::Varchar(64));
            if (!s.sync_mode) {
                auto runs = mvs.scheduler().ListRuns(50);
                std::string query_id;
                for (const auto& r : runs) {
                    if (r.id == run_id) query_id = r.query_id;
                }
                rb.AddRow({Str(query_id)});
                return rb.Build();
            }
            TaskRunInfo done = mvs.scheduler().Wait(run_id);
            if (done.state == "FAILED") {
                throw ExecutionError("Refresh materialized view " + mv->name + " failed: " + done.error_message,
                                     ErrorCode::INTERNAL);
            }
            rb.AddRow({Str(done.query_id)});
            return rb.Build();
        }
        case MvAction::CANCEL: {
            RequireRefresh(session_, object);
            if (auto task = mvs.scheduler().TaskOfMv(mv->id)) mvs.scheduler().CancelRuns(task->id, true);
            return QueryResult{};
        }
        case MvAction::RENAME: {
            session_.RequirePrivilege("ALTER", object);
            auto lock = session_.instance().loads().LockTable(mv->id);
            catalog.RenameTable(mv->id, s.new_name);
            auto renamed = catalog.GetMaterializedView(mv->id);
            if (renamed) mvs.SyncTask(*renamed);
            session_.instance().access().Invalidate();
            return QueryResult{};
        }
        case MvAction::SWAP: {
            session_.RequirePrivilege("ALTER", object);
            auto other = catalog.GetMaterializedView(db, s.new_name);
            if (!other) {
                throw CatalogError("Unknown materialized view '" + db + "." + s.new_name + "'",
                                   ErrorCode::UNKNOWN_TABLE);
            }
            auto other_table = catalog.GetTableById(other->id);
            session_.RequirePrivilege("ALTER", ClientContext::TableObject(*other_table));
            catalog.SwapTableNames(mv->id, other->id);
            for (int64_t id : {mv->id, other->id}) {
                if (auto m = catalog.GetMaterializedView(id)) mvs.SyncTask(*m);
            }
            session_.instance().access().Invalidate();
            return QueryResult{};
        }
        case MvAction::ACTIVE: {
            session_.RequirePrivilege("ALTER", object);
            // Re-validate as if the system had deactivated it; an error keeps it inactive.
            catalog.SetMaterializedViewActive(mv->id, false,
                                              mv->inactive_reason.empty() ? "activating" : mv->inactive_reason, false);
            auto again = catalog.GetMaterializedView(mv->id);
            std::string reason = mvs.Revalidate(*again);
            if (!reason.empty()) {
                throw NotSupportedError("Can not active materialized view [" + mv->name +
                                        "] because analyze materialized view define sql failed: " + reason);
            }
            return QueryResult{};
        }
        case MvAction::INACTIVE:
            session_.RequirePrivilege("ALTER", object);
            catalog.SetMaterializedViewActive(mv->id, false, "user use alter materialized view set status to inactive",
                                              true);
            return QueryResult{};
        case MvAction::ALTER_REFRESH: {
            session_.RequirePrivilege("ALTER", object);
            std::string type = s.refresh.type.empty() ? mv->refresh_type : s.refresh.type;
            int64_t start = s.refresh.start.empty() ? 0 : ParseStartTime(s.refresh.start);
            int64_t interval = s.refresh.every > 0 ? IntervalSeconds(s.refresh.every, s.refresh.every_unit) : 0;
            catalog.SetMaterializedViewRefreshScheme(mv->id, type, start, interval);
            if (auto m = catalog.GetMaterializedView(mv->id)) mvs.SyncTask(*m);
            return QueryResult{};
        }
        case MvAction::SET: {
            session_.RequirePrivilege("ALTER", object);
            std::map<std::string, std::string> props;
            for (const auto& [k, v] : s.properties) props[AsciiLower(k)] = v;
            CheckMvProperties(props);
            catalog.SetMaterializedViewProperties(mv->id, props);
            return QueryResult{};
        }
    }
    throw NotSupportedError("materialized view statement is not supported");
}

void StatementExecutor::CheckMvProperties(const std::map<std::string, std::string>& props) {
    auto integer = [&](const std::string& key) {
        auto it = props.find(key);
        if (it == props.end()) return;
        try {
            size_t used = 0;
            std::stoll(it->second, &used);
            if (used == it->second.size()) return;
        } catch (...) {
        }
        throw BinderError("property '" + key + "' must be an integer, not '" + it->second + "'",
                          ErrorCode::WRONG_ARGUMENTS);
    };
    for (const char* key : {"partition_refresh_number", "partition_ttl_number", "auto_refresh_partitions_limit",
                            "mv_rewrite_staleness_second", "priority", "retry_count", "retry_interval_seconds"}) {
        integer(key);
    }
    if (auto it = props.find("query_rewrite_consistency"); it != props.end()) {
        std::string v = AsciiLower(it->second);
        if (v != "disable" && v != "checked" && v != "loose" && v != "force_mv" && v != "nocheck") {
            throw BinderError(
                "query_rewrite_consistency must be disable, checked, loose or force_mv, not '" + it->second + "'",
                ErrorCode::WRONG_ARGUMENTS);
        }
    }
    if (auto it = props.find("refresh_mode"); it != props.end()) {
        std::string v = AsciiLower(it->second);
        if (v != "pct" && v != "incremental" && v != "full" && v != "auto") {
            throw BinderError("refresh_mode must be PCT or INCREMENTAL, not '" + it->second + "'",
                              ErrorCode::WRONG_ARGUMENTS);
        }
    }
}

QueryResult StatementExecutor::CreateMaterializedView(const ast::MaterializedViewStatement& s, const std::string& db) {
    Catalog& catalog = session_.instance().catalog();
    auto info = catalog.GetDatabase(db);
    if (!info) throw CatalogError("Unknown database '" + db + "'", ErrorCode::UNKNOWN_DATABASE);
    session_.RequirePrivilege("CREATE MATERIALIZED VIEW", ClientContext::DatabaseObject(*info));
    if (catalog.GetTable(db, s.name)) {
        if (s.if_not_exists) return QueryResult{};
        throw CatalogError("Table '" + s.name + "' already exists", ErrorCode::TABLE_EXISTS);
    }
    const ast::CreateTableStatement& t = *s.table;
    std::map<std::string, std::string> props;
    std::vector<std::pair<std::string, std::string>> table_props;
    for (const auto& [k, v] : t.properties) {
        std::string key = AsciiLower(k);
        props[key] = v;
        // Storage properties apply to the MV's table; the rest are the MV's own.
        if (key == "replication_num" || key == "bloom_filter_columns" || key == "storage_medium" ||
            key == "compression") {
            table_props.emplace_back(k, v);
        }
    }
    CheckMvProperties(props);
    // partition_ttl_number: the MV keeps its newest n partitions (the storage table's TTL).
    if (auto it = props.find("partition_ttl_number"); it != props.end() && std::stoll(it->second) > 0) {
        if (s.partition_unit.empty()) {
            throw BinderError("partition_ttl_number needs an MV partitioned by date_trunc('unit', col)",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        table_props.emplace_back("partition_live_number", it->second);
    }
    // partition_ttl: the MV keeps the partitions that end after now - ttl (the storage table's
    // time TTL); refreshes do not recompute expired ones.
    if (auto it = props.find("partition_ttl"); it != props.end()) {
        if (!ParsePartitionTtl(it->second)) {
            throw BinderError(
                "partition_ttl must be 'n unit' (MINUTE, HOUR, DAY, WEEK, MONTH or YEAR), not '" + it->second + "'",
                ErrorCode::WRONG_ARGUMENTS);
        }
        if (s.partition_unit.empty() && s.partition_column.empty()) {
            throw BinderError("partition_ttl needs a partitioned materialized view", ErrorCode::WRONG_ARGUMENTS);
        }
        table_props.emplace_back("partition_ttl", it->second);
    }
    // The query binds as the creator (SELECT on what it reads is checked here).
    Binder binder(context_);
    auto bound = binder.BindQuery(*t.as_query);
    // refresh_mode INCREMENTAL promises refreshes that read only new rows: a query that cannot
    // is refused (AUTO falls back to partition refreshes instead).
    auto mode = props.find("refresh_mode");
    if (s.refresh.type == "INCREMENTAL" || (mode != props.end() && AsciiLower(mode->second) == "incremental")) {
        std::string why_not;
        AnalyzeIncremental(s.query_text, why_not);
        if (!why_not.empty()) {
            throw NotSupportedError("the materialized view cannot refresh incrementally: " + why_not +
                                    " (refresh_mode 'auto' refreshes it by partition instead)");
        }
    }
    if (!s.column_names.empty() && s.column_names.size() != bound->output.size()) {
        throw BinderError("the materialized view names " + std::to_string(s.column_names.size()) +
                              " columns but its query returns " + std::to_string(bound->output.size()),
                          ErrorCode::WRONG_VALUE_COUNT);
    }
    ast::CreateTableStatement create;
    create.database = db;
    create.name = s.name;
    create.comment = t.comment;
    create.distribution_columns = t.distribution_columns;
    create.random_distribution = t.random_distribution;
    create.buckets = t.buckets;
    create.order_by = t.order_by;
    create.properties = table_props;
    for (size_t i = 0; i < bound->output.size(); ++i) {
        const auto& out = bound->output[i];
        ast::ColumnDefinition c;
        c.name = s.column_names.empty() ? out.name : s.column_names[i];
        c.type = out.type.id == TypeId::NULL_TYPE ? LogicalType::Varchar() : out.type;
        c.nullable = true;
        create.columns.push_back(std::move(c));
    }
    if (!s.partition_column.empty()) {
        int found = -1;
        for (size_t i = 0; i < create.columns.size(); ++i) {
            if (AsciiEqualsIgnoreCase(create.columns[i].name, s.partition_column)) found = static_cast<int>(i);
        }
        if (found < 0) {
            throw BinderError(
                "PARTITION BY column '" + s.partition_column + "' is not a column of the materialized view's query",
                ErrorCode::UNKNOWN_COLUMN);
        }
        const LogicalType& type = create.columns[found].type;
        if (!s.partition_unit.empty()) {
            if (type.id != TypeId::DATE && type.id != TypeId::DATETIME) {
                throw BinderError("PARTITION BY date_trunc needs a DATE or DATETIME column; '" + s.partition_column +
                                      "' is " + type.ToString(),
                                  ErrorCode::WRONG_ARGUMENTS);
            }
            create.partition.kind = ast::PartitionKind::TIME_EXPRESSION;
            create.partition.time_unit = s.partition_unit;
        } else {
            create.partition.kind = ast::PartitionKind::COLUMNS;
        }
        create.partition.columns = {create.columns[found].name};
    }
    std::string definition = CanonicalCreateTable(create);
    TableSchema schema = ParseTableDefinition(definition);
    std::vector<PartitionInfo> partitions;
    int64_t id = catalog.CreateTable(db, s.name, definition, false, partitions);
    MaterializedViewInfo mv;
    mv.id = id;
    mv.database = db;
    mv.name = s.name;
    mv.query = s.query_text;
    mv.refresh_moment = s.refresh.moment.empty() ? "IMMEDIATE" : s.refresh.moment;
    mv.refresh_type = s.refresh.type.empty() ? "MANUAL" : s.refresh.type;
    if (!s.refresh.given && t.distribution_columns.empty() && !t.random_distribution) {
        // StarRocks' synchronous MV form (no REFRESH, no DISTRIBUTED BY): kept current with every
        // change of its table.
        mv.refresh_type = "ROLLUP";
    }
    if (mv.refresh_type == "INCREMENTAL") props["refresh_mode"] = "incremental";
    try {
        mv.start_time = s.refresh.start.empty() ? 0 : ParseStartTime(s.refresh.start);
        mv.interval_seconds = s.refresh.every > 0 ? IntervalSeconds(s.refresh.every, s.refresh.every_unit) : 0;
        if (mv.refresh_type == "ASYNC" && s.refresh.every == 0 && !s.refresh.start.empty()) {
            mv.interval_seconds = 600;  // START without EVERY: StarRocks' default period, 10 minutes
        }
    } catch (...) {
        catalog.DropTable(db, s.name, true);
        throw;
    }
    mv.partition_column = s.partition_column.empty() ? "" : create.partition.columns[0];
    mv.partition_unit = s.partition_unit;
    mv.properties = props;
    mv.creator = session_.user() + "@" + session_.host();
    std::string text = "CREATE MATERIALIZED VIEW " + QuoteIdentifier(db) + "." + QuoteIdentifier(s.name);
    if (!t.comment.empty()) text += " COMMENT " + Quote(t.comment);
    if (!s.partition_column.empty()) {
        text += s.partition_unit.empty() ? " PARTITION BY " + QuoteIdentifier(mv.partition_column)
                                         : " PARTITION BY date_trunc('" + s.partition_unit + "', " +
                                               QuoteIdentifier(mv.partition_column) + ")";
    }
    if (!t.distribution_columns.empty()) {
        text += " DISTRIBUTED BY HASH(";
        for (size_t i = 0; i < t.distribution_columns.size(); ++i) {
            text += (i ? ", " : "") + QuoteIdentifier(t.distribution_columns[i]);
        }
        text += ")";
        if (t.buckets > 0) text += " BUCKETS " + std::to_string(t.buckets);
    } else if (t.random_distribution) {
        text += " DISTRIBUTED BY RANDOM";
    }
    if (mv.refresh_type != "ROLLUP") {
        text += " REFRESH " + mv.refresh_moment + " " + SchemeText(mv.refresh_type, mv.start_time, mv.interval_seconds);
    }
    if (!props.empty()) {
        text += " PROPERTIES (";
        bool first = true;
        for (const auto& [k, v] : props) {
            text += (first ? "" : ", ") + Quote(k) + " = " + Quote(v);
            first = false;
        }
        text += ")";
    }
    text += " AS " + s.query_text;
    mv.definition = text;
    try {
        catalog.CreateMaterializedView(mv);
    } catch (...) {
        catalog.DropTable(db, s.name, true);
        throw;
    }
    MvService& mvs = session_.instance().mvs();
    // The table id may be a dropped MV's (SQLite reuses the largest id): its task is not ours.
    if (auto stale = mvs.scheduler().TaskOfMv(id)) {
        mvs.scheduler().CancelRuns(stale->id, true);
        mvs.scheduler().DropTask(stale->name);
    }
    mvs.SyncTask(mv);
    if (mv.refresh_moment == "IMMEDIATE") {
        auto task = mvs.scheduler().TaskOfMv(id);
        if (task) mvs.scheduler().Submit(task->id, TaskSubmit{});
    }
    return QueryResult{};
}

QueryResult StatementExecutor::Task(const ast::TaskStatement& s) {
    MvService& mvs = session_.instance().mvs();
    std::string db = s.database.empty() ? session_.current_database() : s.database;
    if (s.action == ast::TaskStatement::Action::SUBMIT) {
        if (db.empty()) throw CatalogError("No database selected", ErrorCode::NO_DATABASE_SELECTED);
        if (!session_.instance().catalog().GetDatabase(db)) {
            throw CatalogError("Unknown database '" + db + "'", ErrorCode::UNKNOWN_DATABASE);
        }
        TaskInfo task;
        task.name = s.name.empty() ? "task_" + std::to_string(NowMs()) : s.name;
        if (AsciiLower(task.name).rfind("mv-", 0) == 0) {
            // mv-<id> names the refresh task of the MV with that id (MvService::TaskName): a task
            // of that name would make creating that MV fail.
            throw BinderError("task names starting with 'mv-' are reserved for materialized view refresh tasks",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        task.database = db;
        task.catalog = std::string(kDefaultCatalog);
        task.definition = s.definition;
        task.kind = "SQL";
        task.creator = session_.user() + "@" + session_.host();
        for (const auto& [k, v] : s.properties) {
            std::string key = AsciiLower(k);
            task.properties[key] = v;
        }
        std::map<std::string, std::string> check;
        for (const char* key : {"priority", "retry_count", "retry_interval_seconds"}) {
            if (auto it = task.properties.find(key); it != task.properties.end()) check[key] = it->second;
        }
        CheckMvProperties(check);
        if (auto it = task.properties.find("priority"); it != task.properties.end()) {
            task.priority = std::stoll(it->second);
        }
        if (auto it = task.properties.find("retry_count"); it != task.properties.end()) {
            task.retries = std::stoll(it->second);
        }
        if (s.schedule.given) {
            task.schedule_start = s.schedule.start.empty() ? 0 : ParseStartTime(s.schedule.start);
            task.interval_seconds = IntervalSeconds(s.schedule.every, s.schedule.every_unit);
        }
        ResultBuilder rb;
        rb.AddColumn("TaskName", LogicalType::Varchar(64));
        rb.AddColumn("Status", LogicalType::Varchar(16));
        int64_t id = mvs.scheduler().CreateTask(task);
        // A task without a schedule runs once now; a scheduled one at its times.
        if (!s.schedule.given) mvs.scheduler().Submit(id, TaskSubmit{});
        rb.AddRow({Str(task.name), Str("SUBMITTED")});
        return rb.Build();
    }
    auto task = mvs.scheduler().GetTask(s.name);
    if (!task || task->kind != "SQL") {
        if (s.action == ast::TaskStatement::Action::DROP && s.if_exists) return QueryResult{};
        throw CatalogError("Task '" + s.name + "' does not exist", ErrorCode::UNKNOWN_TABLE);
    }
    // Another user's task needs OPERATE on SYSTEM (StarRocks' denial, naming the privilege).
    if (CreatorUser(task->creator) != session_.user()) {
        session_.RequirePrivilege("OPERATE", ClientContext::SystemObject());
    }
    if (s.action == ast::TaskStatement::Action::DROP) {
        mvs.scheduler().DropTask(task->name);
        return QueryResult{};
    }
    int64_t run = mvs.scheduler().Submit(task->id, TaskSubmit{});
    TaskRunInfo done = mvs.scheduler().Wait(run);
    ResultBuilder rb;
    rb.AddColumn("QUERY_ID", LogicalType::Varchar(64));
    rb.AddColumn("STATE", LogicalType::Varchar(16));
    rb.AddColumn("ERROR_MESSAGE", LogicalType::Varchar(1024));
    rb.AddRow({Str(done.query_id), Str(done.state), Str(done.error_message)});
    return rb.Build();
}

MvRows MaterializedViewRows(Session& session, const std::string& database, bool lower_names) {
    MvRows out;
    auto col = [&](const char* upper, const char* lower, LogicalType type) {
        out.names.push_back(lower_names ? lower : upper);
        out.types.push_back(type);
    };
    LogicalType text = LogicalType::Varchar(64), big = LogicalType::Varchar(65533);
    col("MATERIALIZED_VIEW_ID", "id", TypeId::BIGINT);
    col("TABLE_SCHEMA", "database_name", text);
    col("TABLE_NAME", "name", text);
    col("REFRESH_TYPE", "refresh_type", text);
    col("IS_ACTIVE", "is_active", text);
    col("INACTIVE_REASON", "inactive_reason", big);
    col("PARTITION_TYPE", "partition_type", text);
    col("TASK_ID", "task_id", TypeId::BIGINT);
    col("TASK_NAME", "task_name", text);
    col("LAST_REFRESH_START_TIME", "last_refresh_start_time", TypeId::DATETIME);
    col("LAST_REFRESH_FINISHED_TIME", "last_refresh_finished_time", TypeId::DATETIME);
    col("LAST_REFRESH_DURATION", "last_refresh_duration", text);
    col("LAST_REFRESH_STATE", "last_refresh_state", text);
    col("LAST_REFRESH_FORCE_REFRESH", "last_refresh_force_refresh", text);
    col("LAST_REFRESH_START_PARTITION", "last_refresh_start_partition", text);
    col("LAST_REFRESH_END_PARTITION", "last_refresh_end_partition", text);
    col("LAST_REFRESH_BASE_REFRESH_PARTITIONS", "last_refresh_base_refresh_partitions", big);
    col("LAST_REFRESH_MV_REFRESH_PARTITIONS", "last_refresh_mv_refresh_partitions", big);
    col("LAST_REFRESH_ERROR_CODE", "last_refresh_error_code", text);
    col("LAST_REFRESH_ERROR_MESSAGE", "last_refresh_error_message", big);
    col("TABLE_ROWS", "rows", TypeId::BIGINT);
    col("MATERIALIZED_VIEW_DEFINITION", "text", big);
    col("EXTRA_MESSAGE", "extra_message", big);
    col("QUERY_REWRITE_STATUS", "query_rewrite_status", text);
    col("CREATOR", "creator", text);
    col("LAST_REFRESH_PROCESS_TIME", "last_refresh_process_time", TypeId::DATETIME);
    col("LAST_REFRESH_JOB_ID", "last_refresh_job_id", text);
    col("LAST_REFRESH_TIME", "last_refresh_time", TypeId::DATETIME);
    col("NEXT_REFRESH_TIME", "next_refresh_time", TypeId::DATETIME);
    col("IS_FRESH", "is_fresh", text);
    col("STALENESS_SECONDS", "staleness_seconds", TypeId::BIGINT);
    col("STALE_REASON", "stale_reason", big);
    Catalog& catalog = session.instance().catalog();
    MvService& mvs = session.instance().mvs();
    for (const auto& mv : catalog.ListMaterializedViews()) {
        if (!database.empty() && mv.database != database) continue;
        auto table = catalog.GetTableById(mv.id);
        if (!table || !session.CanSee(ClientContext::TableObject(*table))) continue;
        auto task = mvs.scheduler().TaskOfMv(mv.id);
        std::optional<TaskRunInfo> run = task ? mvs.scheduler().LastRun(task->id) : std::nullopt;
        mv::Freshness f = mvs.CheckFreshness(mv);
        int64_t rows = catalog.GetTableVersion(mv.id)->live_rows();
        std::string state = mv.last.state;
        if (run && (run->state == "PENDING" || run->state == "RUNNING")) state = run->state;
        std::string rewrite = !mv.active ? "INACTIVE" : !mv.refreshed ? "NOT_REFRESHED" : f.fresh ? "VALID" : "STALE";
        if (auto it = mv.properties.find("enable_query_rewrite");
            it != mv.properties.end() && AsciiEqualsIgnoreCase(it->second, "false")) {
            rewrite = "DISABLED";
        }
        int64_t next = task ? mvs.scheduler().NextRunTime(task->id) : 0;
        std::string duration = mv.last.finish > mv.last.start
                                   ? std::to_string((mv.last.finish - mv.last.start) / 1000.0).substr(0, 8)
                                   : "";
        out.rows.push_back({Value::Integer(mv.id),
                            Str(mv.database),
                            Str(mv.name),
                            Str(mv.refresh_type),
                            Str(mv.active ? "true" : "false"),
                            Str(mv.inactive_reason),
                            Str(mv.partition_column.empty() ? "UNPARTITIONED"
                                : mv.partition_unit.empty() ? "LIST"
                                                            : "RANGE"),
                            task ? Value::Integer(task->id) : Value::Null(TypeId::BIGINT),
                            Str(task ? task->name : ""),
                            Time(mv.last.start),
                            Time(mv.last.finish),
                            Str(duration),
                            Str(state),
                            Str(mv.last.start > 0 ? (mv.last.force ? "true" : "false") : ""),
                            Str(run ? run->partition_end == "\x01list" ? "" : run->partition_start : ""),
                            Str(run && run->partition_end != "\x01list" ? run->partition_end : ""),
                            Str(mv.last.base_partitions),
                            Str(mv.last.mv_partitions),
                            Str(mv.last.start > 0 ? std::to_string(mv.last.error_code) : ""),
                            Str(mv.last.error),
                            Value::Integer(rows),
                            Str(mv.definition),
                            Str(run ? run->extra_message : ""),
                            Str(rewrite),
                            Str(mv.creator),
                            Time(mv.last.finish),
                            Str(run ? run->query_id : ""),
                            Time(mv.refresh_time),
                            Time(next * 1000),
                            Str(f.fresh ? "true" : "false"),
                            Value::Integer(f.fresh ? 0 : f.stale_seconds),
                            Str(f.fresh ? "" : f.reason)});
    }
    return out;
}

MvRows TaskRows(Session& session, bool runs) {
    MvRows out;
    auto col = [&](const char* name, LogicalType type) {
        out.names.push_back(name);
        out.types.push_back(type);
    };
    LogicalType text = LogicalType::Varchar(64), big = LogicalType::Varchar(65533);
    MvService& mvs = session.instance().mvs();
    bool everyone = session.Privileges().Has("OPERATE", ClientContext::SystemObject());
    std::map<int64_t, TaskInfo> tasks;
    for (auto& t : mvs.scheduler().ListTasks()) tasks[t.id] = t;
    auto visible = [&](const TaskInfo& t) {
        if (everyone || CreatorUser(t.creator) == session.user()) return true;
        if (t.kind != "MV") return false;
        auto table = session.instance().catalog().GetTableById(t.mv_id);
        return table && session.CanSee(ClientContext::TableObject(*table));
    };
    auto props = [](const std::map<std::string, std::string>& p) {
        std::string s = "(";
        bool first = true;
        for (const auto& [k, v] : p) {
            s += (first ? "'" : ",'") + k + "'='" + v + "'";
            first = false;
        }
        return s + ")";
    };
    if (!runs) {
        col("TASK_NAME", text);
        col("CREATE_TIME", TypeId::DATETIME);
        col("SCHEDULE", text);
        col("CATALOG", text);
        col("DATABASE", text);
        col("DEFINITION", big);
        col("EXPIRE_TIME", TypeId::DATETIME);
        col("PROPERTIES", big);
        col("CREATOR", text);
        col("PRIORITY", TypeId::BIGINT);
        col("NEXT_RUN_TIME", TypeId::DATETIME);
        for (const auto& [id, t] : tasks) {
            if (!visible(t)) continue;
            std::string schedule =
                t.interval_seconds > 0 ? SchemeText("PERIODICAL", t.schedule_start, t.interval_seconds) : "MANUAL";
            out.rows.push_back({Str(t.name), Time(t.create_time * 1000), Str(schedule),
                                Str(t.catalog.empty() ? std::string(kDefaultCatalog) : t.catalog), Str(t.database),
                                Str(t.definition), Value::Null(TypeId::DATETIME), Str(props(t.properties)),
                                Str(t.creator), Value::Integer(t.priority),
                                Time(mvs.scheduler().NextRunTime(t.id) * 1000)});
        }
        return out;
    }
    col("QUERY_ID", text);
    col("TASK_NAME", text);
    col("CREATE_TIME", TypeId::DATETIME);
    col("FINISH_TIME", TypeId::DATETIME);
    col("STATE", text);
    col("CATALOG", text);
    col("DATABASE", text);
    col("DEFINITION", big);
    col("EXPIRE_TIME", TypeId::DATETIME);
    col("ERROR_CODE", TypeId::BIGINT);
    col("ERROR_MESSAGE", big);
    col("PROGRESS", text);
    col("EXTRA_MESSAGE", big);
    col("PROPERTIES", big);
    col("JOB_ID", text);
    col("PROCESS_TIME", TypeId::DATETIME);
    col("START_TIME", TypeId::DATETIME);
    col("ATTEMPT", TypeId::BIGINT);
    col("PRIORITY", TypeId::BIGINT);
    for (const auto& r : mvs.scheduler().ListRuns()) {
        auto t = tasks.find(r.task_id);
        if (t == tasks.end() ? !everyone : !visible(t->second)) continue;
        out.rows.push_back({Str(r.query_id), Str(r.task_name), Time(r.create_time), Time(r.finish_time), Str(r.state),
                            Str(r.catalog.empty() ? std::string(kDefaultCatalog) : r.catalog), Str(r.database),
                            Str(r.definition), Value::Null(TypeId::DATETIME), Value::Integer(r.error_code),
                            Str(r.error_message), Str(r.progress), Str(r.extra_message), Str("(" + r.properties + ")"),
                            Str(std::to_string(r.id)), Time(r.finish_time > 0 ? r.finish_time : r.start_time),
                            Time(r.start_time), Value::Integer(r.attempt), Value::Integer(r.priority)});
    }
    return out;
}

QueryResult StatementExecutor::ShowMaterializedViews(const ast::ShowStatement& s) {
    std::string db = s.database.empty() ? session_.current_database() : s.database;
    if (db.empty()) throw CatalogError("No database selected", ErrorCode::NO_DATABASE_SELECTED);
    // LIKE matches the name (the third column).
    return ShowRows(MaterializedViewRows(session_, db, true), 2, s, context_);
}

QueryResult ShowRows(MvRows rows, size_t name_column, const ast::ShowStatement& s, ClientContext& context) {
    ResultBuilder rb;
    for (size_t i = 0; i < rows.names.size(); ++i) rb.AddColumn(rows.names[i], rows.types[i]);
    for (auto& r : rows.rows) {
        if (s.like) {
            ResultBuilder one;
            one.AddColumn("name");
            one.AddRow({r[name_column]});
            one.FilterLike(*s.like);
            if (one.Build().RowCount() == 0) continue;
        }
        rb.AddRow(std::move(r));
    }
    if (s.where) rb.FilterWhere(context, *s.where);
    return rb.Build();
}

}  // namespace floe
