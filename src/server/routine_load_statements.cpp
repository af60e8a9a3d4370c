// CREATE / ALTER / PAUSE / RESUME / STOP ROUTINE LOAD and SHOW [ALL] ROUTINE LOAD [TASK].
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "binder/client_context.h"
#include "common/exception.h"
#include "common/json_text.h"
#include "ingest/routine_load.h"
#include "server/instance.h"
#include "server/result_builder.h"
#include "server/session.h"
#include "server/statement_executor.h"

namespace floe {

namespace {

Value Text(const std::string& v) {
    return Value::Varchar(v);
}

Value Time(int64_t seconds) {
    return seconds ? Value::Datetime(seconds * 1000000) : Value::Null(TypeId::DATETIME);
}

/// {"k": "v", ...} from pairs, in order.
std::string JsonObject(const std::vector<std::pair<std::string, std::string>>& items) {
    std::string out = "{";
    for (const auto& [k, v] : items) {
        if (out.size() > 1) out += ",";
        AppendJsonString(out, k);
        out += ":";
        AppendJsonString(out, v);
    }
    return out + "}";
}

std::string Get(const std::map<std::string, std::string>& m, const std::string& k, const std::string& fallback) {
    auto it = m.find(k);
    return it == m.end() ? fallback : it->second;
}

}  // namespace

QueryResult StatementExecutor::RoutineLoad(const ast::RoutineLoadStatement& s) {
    using Action = ast::RoutineLoadStatement::Action;
    Instance& instance = session_.instance();
    RoutineLoadManager& manager = instance.routine_loads();
    std::string db = s.database.empty() ? session_.current_database() : s.database;
    if (db.empty()) throw CatalogError("No database selected", ErrorCode::NO_DATABASE_SELECTED);
    if (!instance.catalog().DatabaseExists(db)) {
        throw CatalogError("Unknown database '" + db + "'", ErrorCode::UNKNOWN_DATABASE);
    }
    std::map<std::string, std::string> load(s.load_properties.begin(), s.load_properties.end());
    std::map<std::string, std::string> source(s.source_properties.begin(), s.source_properties.end());
    // Creating, changing and controlling a job all need INSERT on its table (StarRocks); for an
    // Iceberg table, what writing to it needs: USAGE and ALTER on its catalog.
    auto require_insert = [&](const RoutineLoadJob& job) {
        if (job.external()) {
            session_.RequirePrivilege("USAGE", ClientContext::CatalogObject(job.target_catalog));
            session_.RequirePrivilege("ALTER", ClientContext::CatalogObject(job.target_catalog));
            return;
        }
        // (A missing table is the job's own error, reported below as Routine Load words it.)
        if (auto table = instance.catalog().GetTable(db, job.table)) {
            session_.RequirePrivilege("INSERT", ClientContext::TableObject(*table));
        }
    };
    if (s.action != Action::CREATE && s.action != Action::SHOW && s.action != Action::SHOW_TASK) {
        auto job = instance.catalog().GetRoutineLoad(db, s.name);
        if (job) require_insert(*job);
    }
    QueryResult ok;
    switch (s.action) {
        case Action::CREATE: {
            RoutineLoadJob job;
            job.database = db;
            job.name = s.name;
            job.table = s.table;
            // ON [[catalog.]database.]table: an Iceberg table when the catalog is external (named,
            // or the session's for a two-part name); else a hot table of the job's database.
            std::string catalog = !s.table_catalog.empty()    ? ExternalCatalogOf(s.table_catalog)
                                  : !s.table_database.empty() ? ExternalCatalogOf("")
                                                              : "";
            if (!catalog.empty()) {
                job.target_catalog = catalog;
                job.target_database = s.table_database.empty() ? session_.current_database() : s.table_database;
                if (job.target_database.empty()) {
                    throw CatalogError("No database selected in catalog '" + catalog + "'",
                                       ErrorCode::NO_DATABASE_SELECTED);
                }
            } else if (!s.table_database.empty() && s.table_database != db) {
                throw CatalogError("a routine load into a hot table loads a table of its own database [" + db +
                                       "], not [" + s.table_database + "]",
                                   ErrorCode::WRONG_ARGUMENTS);
            }
            job.owner = session_.user();
            job.load_properties = std::move(load);
            job.source_properties = std::move(source);
            require_insert(job);
            manager.Check(job);
            if (auto dead = RoutineLoadManager::DeadLetterTable(job)) {
                // The dead-letter table is created with the job (as its creator, who must be allowed to).
                session_.Execute("CREATE TABLE IF NOT EXISTS `" + dead->catalog + "`.`" + dead->database + "`.`" +
                                 dead->table + "` " + RoutineLoadManager::DeadLetterColumns());
            }
            manager.Create(std::move(job));
            return ok;
        }
        case Action::ALTER: {
            if (auto job = instance.catalog().GetRoutineLoad(db, s.name); job && load.count("dead_letter_table")) {
                // Pointing a job at another dead-letter table needs what writing that table needs.
                RoutineLoadJob changed = *job;
                changed.load_properties["dead_letter_table"] = load["dead_letter_table"];
                if (auto dead = RoutineLoadManager::DeadLetterTable(changed)) {
                    session_.RequirePrivilege("USAGE", ClientContext::CatalogObject(dead->catalog));
                    session_.RequirePrivilege("ALTER", ClientContext::CatalogObject(dead->catalog));
                }
            }
            manager.Alter(db, s.name, std::move(load), std::move(source));
            return ok;
        }
        case Action::PAUSE:
            manager.Pause(db, s.name);
            return ok;
        case Action::RESUME:
            manager.Resume(db, s.name);
            return ok;
        case Action::STOP:
            manager.Stop(db, s.name);
            return ok;
        case Action::SHOW:
        case Action::SHOW_TASK:
            break;
    }
    const int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    auto statuses = manager.Status(db);
    // SHOW lists the jobs whose tables the user may see.
    statuses.erase(std::remove_if(statuses.begin(), statuses.end(),
                                  [&](const auto& st) {
                                      if (st.job.external()) {
                                          return !context_.CanSee(ClientContext::CatalogObject(st.job.target_catalog));
                                      }
                                      auto table = instance.catalog().GetTable(db, st.job.table);
                                      return table && !context_.CanSee(ClientContext::TableObject(*table));
                                  }),
                   statuses.end());
    bool named = !s.name.empty();
    if (named) {
        bool found = false;
        for (const auto& st : statuses) found |= st.job.name == s.name;
        if (!found) {
            throw CatalogError("Routine load job [" + s.name + "] does not exist in database [" + db + "]",
                               ErrorCode::WRONG_ARGUMENTS);
        }
    }
    ResultBuilder rb;
    if (s.action == Action::SHOW_TASK) {
        for (const char* c : {"TaskId", "TxnId", "TxnStatus", "JobId", "CreateTime", "LastScheduledTime",
                              "ExecuteStartTime", "Timeout", "BeId", "DataSourceProperties", "Message"}) {
            rb.AddColumn(c, LogicalType::Varchar(256));
        }
        for (const auto& st : statuses) {
            if ((named && st.job.name != s.name) || !st.consuming) continue;
            std::vector<std::pair<std::string, std::string>> offsets;
            for (const auto& p : st.partitions)
                offsets.emplace_back(std::to_string(p.partition), std::to_string(p.next_offset));
            auto ms_time = [](int64_t ms) { return ms ? Value::Datetime(ms * 1000) : Value::Null(TypeId::DATETIME); };
            rb.AddRow({Text(fmt::format("{}-{}", st.job.id, st.batches + 1)), Text(std::to_string(st.last_txn_id)),
                       Text(st.job.state == "UNSTABLE" ? "UNKNOWN" : "PREPARE"), Text(std::to_string(st.job.id)),
                       ms_time(st.batch_started_ms), ms_time(st.batch_started_ms), ms_time(st.batch_started_ms),
                       Text(Get(st.job.load_properties, "max_batch_interval", "10")), Text("-1"),
                       Text(JsonObject(offsets)), Text(st.kafka_error)});
        }
        return rb.Build();
    }
    rb.AddColumn("Id", TypeId::BIGINT);
    rb.AddColumn("Name");
    rb.AddColumn("CreateTime", TypeId::DATETIME);
    rb.AddColumn("PauseTime", TypeId::DATETIME);
    rb.AddColumn("EndTime", TypeId::DATETIME);
    rb.AddColumn("DbName");
    rb.AddColumn("TableName");
    rb.AddColumn("State");
    rb.AddColumn("DataSourceType");
    rb.AddColumn("CurrentTaskNum", TypeId::BIGINT);
    for (const char* c : {"JobProperties", "DataSourceProperties", "CustomProperties", "Statistic", "Progress",
                          "TimestampProgress", "ReasonOfStateChanged", "ErrorLogUrls", "TrackingSQL", "OtherMsg",
                          "LatestSourcePosition", "OffsetLag", "TimestampLag"}) {
        rb.AddColumn(c, LogicalType::Varchar(1024));
    }
    // Floe's own: what StarRocks users miss when a job stalls.
    rb.AddColumn("LagMessages", TypeId::BIGINT);
    rb.AddColumn("LastCommitTime", TypeId::DATETIME);
    rb.AddColumn("LastError", LogicalType::Varchar(1024));
    for (const auto& st : statuses) {
        const RoutineLoadJob& j = st.job;
        if (named && j.name != s.name) continue;
        if (!s.all && !named && (j.state == "STOPPED" || j.state == "CANCELLED")) continue;
        std::vector<std::pair<std::string, std::string>> job_props;
        const auto& lp = j.load_properties;
        job_props.emplace_back("partitions", Get(lp, "partitions", "*"));
        job_props.emplace_back("columnToColumnExpr", Get(lp, "columns", "*"));
        job_props.emplace_back("whereExpr", Get(lp, "where", "*"));
        job_props.emplace_back("columnSeparator", "'" + Get(lp, "column_separator", "\\t") + "'");
        job_props.emplace_back("rowDelimiter", "'" + Get(lp, "row_delimiter", "\\n") + "'");
        job_props.emplace_back("format", Get(lp, "format", "csv"));
        job_props.emplace_back("jsonpaths", Get(lp, "jsonpaths", ""));
        job_props.emplace_back("json_root", Get(lp, "json_root", ""));
        job_props.emplace_back("strip_outer_array", Get(lp, "strip_outer_array", "false"));
        job_props.emplace_back("maxBatchIntervalS", Get(lp, "max_batch_interval", "10"));
        job_props.emplace_back("maxBatchRows", Get(lp, "max_batch_rows", "200000"));
        job_props.emplace_back("maxBatchSizeBytes", Get(lp, "max_batch_size", "104857600"));
        job_props.emplace_back("maxErrorNum", Get(lp, "max_error_number", "0"));
        job_props.emplace_back("maxFilterRatio", Get(lp, "max_filter_ratio", "1.0"));
        job_props.emplace_back("strictMode", Get(lp, "strict_mode", "false"));
        job_props.emplace_back("timezone", Get(lp, "timezone", "UTC"));
        job_props.emplace_back("partialUpdate", Get(lp, "partial_update", "false"));
        job_props.emplace_back("mergeCondition", Get(lp, "merge_condition", ""));
        job_props.emplace_back("desireTaskConcurrentNum", Get(lp, "desired_concurrent_number", "1"));
        job_props.emplace_back("currentTaskConcurrentNum", std::to_string(st.consuming ? st.consumers : 0));
        std::string partitions;
        for (const auto& p : st.partitions) partitions += (partitions.empty() ? "" : ",") + std::to_string(p.partition);
        std::vector<std::pair<std::string, std::string>> source_props{
            {"topic", Get(j.source_properties, "kafka_topic", "")},
            {"currentKafkaPartitions", partitions},
            {"brokerList", Get(j.source_properties, "kafka_broker_list", "")}};
        std::vector<std::pair<std::string, std::string>> custom;
        for (const auto& [k, v] : j.source_properties) {
            if (k.rfind("property.", 0) == 0) {
                bool secret = k.find("password") != std::string::npos || k.find("secret") != std::string::npos;
                custom.emplace_back(k.substr(9), secret ? "******" : v);
            }
        }
        std::string statistic = fmt::format(
            "{{\"receivedBytes\":{},\"errorRows\":{},\"committedTaskNum\":{},\"loadedRows\":{},"
            "\"unselectedRows\":{},\"totalRows\":{}}}",
            j.received_bytes, j.filtered_rows, j.committed_batches, j.loaded_rows, j.unselected_rows,
            j.loaded_rows + j.filtered_rows + j.unselected_rows);
        std::vector<std::pair<std::string, std::string>> progress, ts_progress, latest, lag, ts_lag;
        int64_t total_lag = 0;
        bool lag_known = false;
        for (const auto& p : st.partitions) {
            std::string key = std::to_string(p.partition);
            progress.emplace_back(key, p.next_offset > 0 ? std::to_string(p.next_offset - 1) : "OFFSET_ZERO");
            if (p.last_message_ms) ts_progress.emplace_back(key, std::to_string(p.last_message_ms));
            if (p.end_offset >= 0) {
                int64_t behind = std::max<int64_t>(0, p.end_offset - p.next_offset);
                latest.emplace_back(key, std::to_string(p.end_offset - 1));
                lag.emplace_back(key, std::to_string(behind));
                total_lag += behind;
                lag_known = true;
                // Seconds behind: how old the last loaded message is while more wait (0 when caught up).
                double seconds = behind > 0 && p.last_message_ms ? (now_ms - p.last_message_ms) / 1000.0 : 0;
                ts_lag.emplace_back(key, fmt::format("{:.1f}", seconds));
            }
        }
        std::string other = st.kafka_error.empty() ? "" : "Kafka: " + st.kafka_error;
        rb.AddRow({Value::Integer(j.id),
                   Text(j.name),
                   Time(j.create_time),
                   Time(j.pause_time),
                   Time(j.end_time),
                   Text(j.database),
                   Text(j.TargetName()),
                   Text(j.state),
                   Text("KAFKA"),
                   Value::Integer(st.consuming ? static_cast<int64_t>(st.consumers) : 0),
                   Text(JsonObject(job_props)),
                   Text(JsonObject(source_props)),
                   Text(JsonObject(custom)),
                   Text(statistic),
                   Text(JsonObject(progress)),
                   Text(JsonObject(ts_progress)),
                   Text(j.reason),
                   Text(j.last_error.empty() ? ""
                                             : "SELECT * FROM information_schema.routine_load_errors WHERE "
                                               "DATABASE_NAME = '" +
                                                   j.database + "' AND JOB_NAME = '" + j.name + "'"),
                   Text(""),
                   Text(other),
                   Text(JsonObject(latest)),
                   Text(JsonObject(lag)),
                   Text(JsonObject(ts_lag)),
                   lag_known ? Value::Integer(total_lag) : Value::Null(TypeId::BIGINT),
                   j.last_commit_time ? Value::Datetime(j.last_commit_time * 1000) : Value::Null(TypeId::DATETIME),
                   Text(j.last_error)});
    }
    return rb.Build();
}

}  // namespace floe
