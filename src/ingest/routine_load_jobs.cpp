// Routine Load jobs as definitions: their checks (target, columns, properties, dead-letter
// table), CREATE / PAUSE / RESUME / STOP / ALTER, and the property helpers the consumers share.
// ingest/routine_load.cpp runs the jobs.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "binder/client_context.h"
#include "binder/table_schema.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "common/logging.h"
#include "ingest/debezium.h"
#include "ingest/iceberg_sink.h"
#include "ingest/load_transform.h"
#include "ingest/routine_load.h"
#include "ingest/routine_load_properties.h"
#include "lake/iceberg/iceberg_catalog.h"

namespace floe {

namespace routine_load {

std::string Prop(const std::map<std::string, std::string>& props, const std::string& name,
                 const std::string& fallback) {
    auto it = props.find(name);
    return it == props.end() || it->second.empty() ? fallback : it->second;
}

int64_t IntProp(const std::map<std::string, std::string>& props, const std::string& name, int64_t fallback,
                int64_t min) {
    std::string v = Prop(props, name);
    if (v.empty()) return fallback;
    try {
        size_t used = 0;
        int64_t n = std::stoll(v, &used);
        if (used == v.size() && n >= min) return n;
    } catch (const std::exception&) {
    }
    throw LoadError(fmt::format("{} must be an integer of at least {}, not '{}'", name, min, v));
}

double SecondsProp(const std::map<std::string, std::string>& props, const std::string& name, double fallback) {
    std::string v = Prop(props, name);
    if (v.empty()) return fallback;
    try {
        size_t used = 0;
        double d = std::stod(v, &used);
        if (used == v.size() && d >= 0.01 && d <= 3600) return d;
    } catch (const std::exception&) {
    }
    throw LoadError("max_batch_interval must be a number of seconds between 0.01 and 3600, not '" + v + "'");
}

std::vector<std::string> SplitList(const std::string& text) {
    std::vector<std::string> out;
    if (text.empty()) return out;
    for (auto& item : SplitTopLevel(text)) out.push_back(item);
    return out;
}

/// The properties a job accepts (others are refused, so that a typo is not silently ignored).
bool KnownLoadProperty(const std::string& name) {
    static const char* const kNames[] = {"columns",
                                         "where",
                                         "column_separator",
                                         "row_delimiter",
                                         "partitions",
                                         "format",
                                         "jsonpaths",
                                         "json_root",
                                         "envelope",
                                         "debezium.position",
                                         "debezium.position_column",
                                         "debezium.op_column",
                                         "strip_outer_array",
                                         "desired_concurrent_number",
                                         "max_batch_interval",
                                         "max_batch_rows",
                                         "max_batch_size",
                                         "max_error_number",
                                         "max_filter_ratio",
                                         "strict_mode",
                                         "timezone",
                                         "partial_update",
                                         "partial_update_mode",
                                         "merge_condition",
                                         "enclose",
                                         "escape",
                                         "task_consume_second",
                                         "task_timeout_second",
                                         "log_rejected_record_num",
                                         "ignore_json_size",
                                         "dead_letter_table",
                                         "dead_letter_where"};
    for (const char* n : kNames) {
        if (name == n) return true;
    }
    return false;
}

bool KnownSourceProperty(const std::string& name) {
    return name == "kafka_broker_list" || name == "kafka_topic" || name == "kafka_partitions" ||
           name == "kafka_offsets" || name == "confluent.schema.registry.url" || name.rfind("property.", 0) == 0;
}

}  // namespace routine_load

namespace {

int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

using routine_load::IntProp;
using routine_load::KnownLoadProperty;
using routine_load::KnownSourceProperty;
using routine_load::Prop;
using routine_load::SecondsProp;
using routine_load::SplitList;

std::optional<RoutineLoadManager::TableName> RoutineLoadManager::DeadLetterTable(const RoutineLoadJob& job) {
    auto it = job.load_properties.find("dead_letter_table");
    if (it == job.load_properties.end()) {
        if (!job.external()) return std::nullopt;
        return TableName{job.target_catalog, job.target_database, job.table + "__dead_letters"};
    }
    if (it->second.empty()) return std::nullopt;  // "": none
    std::vector<std::string> parts;
    for (size_t at = 0;;) {
        size_t dot = it->second.find('.', at);
        parts.push_back(it->second.substr(at, dot == std::string::npos ? std::string::npos : dot - at));
        if (dot == std::string::npos) break;
        at = dot + 1;
    }
    for (const auto& p : parts) {
        if (p.empty()) throw LoadError("dead_letter_table '" + it->second + "' is not [[catalog.]database.]table");
    }
    if (parts.size() == 3) return TableName{parts[0], parts[1], parts[2]};
    if (parts.size() > 3) throw LoadError("dead_letter_table '" + it->second + "' is not [[catalog.]database.]table");
    if (!job.external()) {
        throw LoadError("dead_letter_table '" + it->second +
                        "': a dead-letter table is an Iceberg table; name it catalog.database.table");
    }
    if (parts.size() == 2) return TableName{job.target_catalog, parts[0], parts[1]};
    return TableName{job.target_catalog, job.target_database, parts[0]};
}

TableSchema RoutineLoadManager::TargetSchema(const RoutineLoadJob& job) {
    if (job.external()) {
        if (!externals_) throw NotSupportedError("routine loads into external tables need the external catalogs");
        return IcebergSink(*externals_, job.target_catalog, job.target_database, job.table, "").Refresh();
    }
    auto table = catalog_.GetTable(job.database, job.table);
    if (!table) {
        throw CatalogError("Table [" + job.table + "] does not exist in database [" + job.database + "]",
                           ErrorCode::UNKNOWN_TABLE);
    }
    return ParseTableDefinition(catalog_.GetTableVersion(table->id)->definition);
}

const char* RoutineLoadManager::DeadLetterColumns() {
    return "(`topic` VARCHAR(65533), `partition` INT, `offset` BIGINT, `kafka_timestamp` DATETIME, "
           "`key` VARCHAR(65533), `raw_value` VARCHAR(65533), `error` VARCHAR(65533), `job` VARCHAR(65533), "
           "`ingested_at` DATETIME)";
}

RoutineLoadJob RoutineLoadManager::Find(const std::string& database, const std::string& name) {
    auto job = catalog_.GetRoutineLoad(database, name);
    if (!job) {
        throw CatalogError("Routine load job [" + name + "] does not exist in database [" + database + "]",
                           ErrorCode::WRONG_ARGUMENTS);
    }
    return *job;
}

void RoutineLoadManager::Create(RoutineLoadJob job) {
    Check(job);
    if (auto dead = DeadLetterTable(job)) {
        if (!externals_) throw NotSupportedError("dead-letter tables need the external catalogs");
        IcebergSink(*externals_, dead->catalog, dead->database, dead->table, "").Refresh();  // it must exist
    }
    job.state = "NEED_SCHEDULE";
    job.id = catalog_.CreateRoutineLoad(job);
    Log::Info("routine_load.created", {{"job", job.database + "." + job.name}, {"table", job.TargetName()}});
    StartWorker(job.id);
}

void RoutineLoadManager::Check(const RoutineLoadJob& job) {
    if (catalog_.GetRoutineLoad(job.database, job.name)) {
        throw CatalogError("Name [" + job.name + "] already used in database [" + job.database + "]",
                           ErrorCode::TABLE_EXISTS);
    }
    if (!catalog_.DatabaseExists(job.database)) {
        throw CatalogError("Unknown database '" + job.database + "'", ErrorCode::UNKNOWN_DATABASE);
    }
    std::optional<TableInfo> table;
    if (job.external()) {
        if (!externals_) throw NotSupportedError("routine loads into external tables need the external catalogs");
    } else {
        table = catalog_.GetTable(job.database, job.table);
        if (!table || table->kind != "TABLE") {
            throw CatalogError("Table [" + job.table + "] does not exist in database [" + job.database + "]",
                               ErrorCode::UNKNOWN_TABLE);
        }
    }
    for (const auto& [k, v] : job.load_properties) {
        if (!KnownLoadProperty(k)) throw LoadError("unknown routine load property '" + k + "'");
    }
    for (const auto& [k, v] : job.source_properties) {
        if (!KnownSourceProperty(k)) throw LoadError("unknown Kafka property '" + k + "'");
    }
    if (Prop(job.source_properties, "kafka_broker_list").empty()) throw LoadError("kafka_broker_list is required");
    if (Prop(job.source_properties, "kafka_topic").empty()) throw LoadError("kafka_topic is required");
    auto partitions = SplitList(Prop(job.source_properties, "kafka_partitions"));
    auto offsets = SplitList(Prop(job.source_properties, "kafka_offsets"));
    if (!offsets.empty() && offsets.size() != partitions.size()) {
        throw LoadError(
            fmt::format("kafka_offsets has {} offsets for {} kafka_partitions", offsets.size(), partitions.size()));
    }
    for (const auto& p : partitions) {
        if (p.empty() || !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            throw LoadError("kafka_partitions must be partition numbers, not '" + p + "'");
        }
    }
    // The properties must compile against the table now, not fail later in the consumer.
    TableSchema schema = TargetSchema(job);
    LoadTransform check(catalog_, job.database, data_dir_, schema, job.load_properties);
    if (job.external() && !Prop(job.load_properties, "partitions").empty()) {
        throw LoadError("partitions applies to hot tables; an Iceberg table routes rows by its partition spec");
    }
    DeadLetterTable(job);
    IntProp(job.load_properties, "max_batch_rows", 200000, 1);
    IntProp(job.load_properties, "max_batch_size", 100 << 20, 1);
    IntProp(job.load_properties, "max_error_number", 0, 0);
    IntProp(job.load_properties, "desired_concurrent_number", 1, 1);
    SecondsProp(job.load_properties, "max_batch_interval", 10);
}

void RoutineLoadManager::Pause(const std::string& database, const std::string& name) {
    RoutineLoadJob job = Find(database, name);
    if (job.state == "STOPPED" || job.state == "CANCELLED") {
        throw LoadError("Routine load job [" + name + "] is " + job.state + " and cannot be paused");
    }
    StopWorker(job.id);
    catalog_.SetRoutineLoadState(job.id, "PAUSED", "paused by user");
}

void RoutineLoadManager::Resume(const std::string& database, const std::string& name) {
    RoutineLoadJob job = Find(database, name);
    if (job.state == "STOPPED" || job.state == "CANCELLED") {
        throw LoadError("Routine load job [" + name + "] is " + job.state + " and cannot be resumed");
    }
    if (job.state != "PAUSED") return;
    catalog_.SetRoutineLoadState(job.id, "NEED_SCHEDULE", "");
    StartWorker(job.id);
}

void RoutineLoadManager::Stop(const std::string& database, const std::string& name) {
    RoutineLoadJob job = Find(database, name);
    if (job.state == "STOPPED" || job.state == "CANCELLED") return;
    StopWorker(job.id);
    catalog_.SetRoutineLoadState(job.id, "STOPPED", "stopped by user");
}

void RoutineLoadManager::Alter(const std::string& database, const std::string& name,
                               std::map<std::string, std::string> load, std::map<std::string, std::string> source) {
    RoutineLoadJob job = Find(database, name);
    if (job.state != "PAUSED") {
        throw LoadError("Routine load job [" + name + "] is " + job.state + ": only a PAUSED job can be altered");
    }
    for (const auto& [k, v] : load) {
        if (!KnownLoadProperty(k)) throw LoadError("unknown routine load property '" + k + "'");
    }
    for (const auto& [k, v] : source) {
        if (!KnownSourceProperty(k)) throw LoadError("unknown Kafka property '" + k + "'");
        if (k == "kafka_topic" || k == "kafka_broker_list") {
            if (v != Prop(job.source_properties, k)) throw LoadError(k + " of a routine load job cannot change");
        }
    }
    std::map<int32_t, int64_t> offsets;
    auto partitions = SplitList(Prop(source, "kafka_partitions"));
    auto offset_list = SplitList(Prop(source, "kafka_offsets"));
    if (!offset_list.empty()) {
        if (offset_list.size() != partitions.size()) {
            throw LoadError("ALTER ROUTINE LOAD sets kafka_offsets together with kafka_partitions, one offset each");
        }
        for (size_t i = 0; i < partitions.size(); ++i) {
            try {
                int64_t o = std::stoll(offset_list[i]);
                if (o < 0) throw std::invalid_argument("negative");
                offsets[std::stoi(partitions[i])] = o;
            } catch (const std::exception&) {
                throw LoadError("ALTER ROUTINE LOAD takes numeric kafka_offsets, not '" + offset_list[i] + "'");
            }
        }
        source.erase("kafka_offsets");
        // Only a change of offsets: the job keeps consuming every partition it had.
        if (!Prop(job.source_properties, "kafka_partitions").empty()) {
            std::string merged = Prop(job.source_properties, "kafka_partitions");
            for (const auto& p : partitions) {
                bool have = false;
                for (const auto& q : SplitList(merged)) have |= q == p;
                if (!have) merged += "," + p;
            }
            source["kafka_partitions"] = merged;
        } else {
            source.erase("kafka_partitions");
        }
    }
    // The new properties must compile against the table.
    std::map<std::string, std::string> merged_load = job.load_properties;
    for (const auto& [k, v] : load) merged_load[k] = v;
    if (job.external() || catalog_.GetTable(job.database, job.table)) {
        RoutineLoadJob changed = job;
        changed.load_properties = merged_load;
        TableSchema schema = TargetSchema(changed);
        LoadTransform check(catalog_, job.database, data_dir_, schema, merged_load);
        if (auto dead = DeadLetterTable(changed)) {
            if (!externals_) throw NotSupportedError("dead-letter tables need the external catalogs");
            IcebergSink(*externals_, dead->catalog, dead->database, dead->table, "").Refresh();  // it must exist
        }
    }
    IntProp(merged_load, "max_batch_rows", 200000, 1);
    IntProp(merged_load, "max_error_number", 0, 0);
    SecondsProp(merged_load, "max_batch_interval", 10);
    // An Iceberg target's older snapshots no longer say where the job resumes: the offsets set here do.
    catalog_.AlterRoutineLoad(job.id, load, source, offsets, job.external() && !offsets.empty() ? NowMs() : 0);
}

}  // namespace floe
