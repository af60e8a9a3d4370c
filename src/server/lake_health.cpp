// information_schema.iceberg_table_health / SHOW ICEBERG TABLE HEALTH and
// information_schema.iceberg_maintenance_log rows (server/lake_maintenance.h).
#include <cmath>
#include <map>
#include <mutex>

#include "binder/client_context.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "lake/external_catalogs.h"
#include "lake/iceberg/maintenance.h"
#include "lake/iceberg/scan_observations.h"
#include "metastore/meta_store.h"
#include "server/instance.h"
#include "server/lake_maintenance.h"
#include "server/session.h"

namespace floe {

using iceberg::TableState;

MvRows LakeMaintenance::HealthRows(Session& session, const std::string& catalog_filter, const std::string& db_filter) {
    MvRows out;
    auto col = [&](const char* name, LogicalType type) {
        out.names.push_back(name);
        out.types.push_back(type);
    };
    LogicalType text = LogicalType::Varchar(256);
    col("TABLE_CATALOG", text);
    col("TABLE_SCHEMA", text);
    col("TABLE_NAME", text);
    col("DATA_FILES", TypeId::BIGINT);
    col("DELETE_FILES", TypeId::BIGINT);
    col("DATA_BYTES", TypeId::BIGINT);
    col("DELETE_BYTES", TypeId::BIGINT);
    col("RECORDS", TypeId::BIGINT);
    col("AVG_FILE_BYTES", TypeId::BIGINT);
    col("SMALL_FILES", TypeId::BIGINT);
    col("SMALL_FILE_PERCENT", TypeId::DOUBLE);
    col("DELETE_RATIO_PERCENT", TypeId::DOUBLE);
    col("PARTITIONS", TypeId::BIGINT);
    col("SNAPSHOTS", TypeId::BIGINT);
    col("MANIFESTS", TypeId::BIGINT);
    col("SORT_COLUMN", text);
    col("SORT_OVERLAP", TypeId::BIGINT);
    col("FILTER_COLUMNS", LogicalType::Varchar(1024));
    col("FILES_PRUNED_PERCENT", TypeId::DOUBLE);
    col("SUGGESTED_SORT", text);
    col("MAINTENANCE", LogicalType::Varchar(8));
    col("LAST_MAINTENANCE", TypeId::DATETIME);
    col("LAST_RESULT", LogicalType::Varchar(1024));
    col("HEALTH", LogicalType::Varchar(16));
    col("REASON", LogicalType::Varchar(1024));
    Catalog& catalog = instance_.catalog();
    auto& externals = instance_.external_catalogs();
    auto str = [](const std::string& s) { return Value::Varchar(s); };
    for (const auto& info : catalog.ListExternalCatalogs()) {
        if (AsciiLower(info.type) != "iceberg") continue;
        if (!catalog_filter.empty() && !AsciiEqualsIgnoreCase(info.name, catalog_filter)) continue;
        if (!session.CanSee(ClientContext::CatalogObject(info.name))) continue;
        std::vector<std::string> dbs;
        try {
            dbs = externals.ListDatabases(info.name);
        } catch (const Exception&) {
            continue;
        }
        for (const auto& db : dbs) {
            if (!db_filter.empty() && db != db_filter) continue;
            std::vector<std::string> names;
            try {
                names = externals.ListTables(info.name, db);
            } catch (const Exception&) {
                continue;
            }
            for (const auto& t : names) {
                std::vector<Value> row = {str(info.name), str(db), str(t)};
                auto null_rest = [&](const std::string& health, const std::string& reason) {
                    while (row.size() + 2 < out.names.size()) row.push_back(Value::Null(out.types[row.size()]));
                    row.push_back(str(health));
                    row.push_back(str(reason));
                };
                try {
                    TableState state = externals.LoadForWrite(info.name, db, t);
                    // Health reads every manifest of the current snapshot: once per metadata file.
                    std::shared_ptr<const iceberg::TableHealth> cached;
                    {
                        std::lock_guard<std::mutex> lock(mutex_);
                        auto it = health_cache_.find(state.metadata_location);
                        if (it != health_cache_.end()) {
                            cached = it->second;
                        }
                    }
                    if (!cached || state.metadata_location.empty()) {
                        cached = std::make_shared<const iceberg::TableHealth>(iceberg::ComputeHealth(*state.metadata));
                        std::lock_guard<std::mutex> lock(mutex_);
                        if (health_cache_.size() >= 4096) health_cache_.clear();
                        if (!state.metadata_location.empty()) health_cache_[state.metadata_location] = cached;
                    }
                    const iceberg::TableHealth& h = *cached;
                    auto i = [](int64_t v) { return Value::Integer(v); };
                    row.push_back(i(h.data_files));
                    row.push_back(i(h.delete_files));
                    row.push_back(i(h.data_bytes));
                    row.push_back(i(h.delete_bytes));
                    row.push_back(i(h.records));
                    row.push_back(i(static_cast<int64_t>(h.avg_file_bytes)));
                    row.push_back(i(h.small_files));
                    row.push_back(Value::Double(std::round(h.small_file_share * 1000) / 10));
                    row.push_back(Value::Double(std::round(h.delete_ratio * 1000) / 10));
                    row.push_back(i(h.partitions));
                    row.push_back(i(h.snapshots));
                    row.push_back(i(h.manifests));
                    row.push_back(h.sort_column.empty() ? Value::Null(text) : str(h.sort_column));
                    row.push_back(h.sort_overlap ? i(*h.sort_overlap) : Value::Null(TypeId::BIGINT));
                    iceberg::ScanObservation obs = iceberg::ScanObservations::Get(state.metadata->table_uuid);
                    std::string filters;
                    for (const auto& [c, n] : obs.ranked_columns()) {
                        filters += (filters.empty() ? "" : ", ") + c + ":" + std::to_string(n);
                    }
                    row.push_back(obs.scans ? str(filters) : Value::Null(LogicalType::Varchar(1024)));
                    row.push_back(
                        obs.files_total
                            ? Value::Double(
                                  std::round(1000.0 * static_cast<double>(obs.files_total - obs.files_scanned) /
                                             static_cast<double>(obs.files_total)) /
                                  10)
                            : Value::Null(TypeId::DOUBLE));
                    std::string suggestion = obs.SuggestedSortColumn(h.sort_column);
                    row.push_back(suggestion.empty() ? Value::Null(text) : str(suggestion));
                    auto on = state.metadata->properties.find("floe.maintenance");
                    row.push_back(
                        str(on != state.metadata->properties.end() && AsciiLower(on->second) == "true" ? "on" : "off"));
                    auto last = catalog.store().Query(
                        "SELECT finish_time, action, state, message FROM lake_maintenance_log WHERE catalog_name = ? "
                        "AND database_name = ? AND table_name = ? AND action <> 'check' ORDER BY id DESC LIMIT 1",
                        {info.name, db, t});
                    if (last.empty()) {
                        row.push_back(Value::Null(TypeId::DATETIME));
                        row.push_back(Value::Null(LogicalType::Varchar(1024)));
                    } else {
                        row.push_back(Value::Datetime(MetaInt(last[0][0]) * 1000));
                        row.push_back(
                            str(MetaText(last[0][1]) + " " + MetaText(last[0][2]) + ": " + MetaText(last[0][3])));
                    }
                    std::string reason = h.reason;
                    if (!suggestion.empty()) {
                        reason += (reason.empty() ? "" : "; ") + std::string("queries filter on ") + suggestion +
                                  ": sorting by it would prune better";
                    }
                    row.push_back(str(h.health));
                    row.push_back(str(reason));
                } catch (const Exception& e) {
                    row.resize(3);
                    null_rest("unknown", e.what());
                }
                out.rows.push_back(std::move(row));
            }
        }
    }
    return out;
}

MvRows LakeMaintenance::LogRows(Session& session) {
    MvRows out;
    auto col = [&](const char* name, LogicalType type) {
        out.names.push_back(name);
        out.types.push_back(type);
    };
    LogicalType text = LogicalType::Varchar(256);
    col("ID", TypeId::BIGINT);
    col("START_TIME", TypeId::DATETIME);
    col("FINISH_TIME", TypeId::DATETIME);
    col("TABLE_CATALOG", text);
    col("TABLE_SCHEMA", text);
    col("TABLE_NAME", text);
    col("ACTION", text);
    col("TRIGGER", LogicalType::Varchar(16));
    col("STATE", LogicalType::Varchar(16));
    col("FILES_IN", TypeId::BIGINT);
    col("BYTES_IN", TypeId::BIGINT);
    col("FILES_OUT", TypeId::BIGINT);
    col("BYTES_OUT", TypeId::BIGINT);
    col("SNAPSHOT_ID", TypeId::BIGINT);
    col("MESSAGE", LogicalType::Varchar(4096));
    auto rows = instance_.catalog().store().Query(
        "SELECT id, start_time, finish_time, catalog_name, database_name, table_name, action, trigger, state, "
        "files_in, bytes_in, files_out, bytes_out, snapshot_id, message FROM lake_maintenance_log ORDER BY id");
    std::map<std::string, bool> visible;
    for (const auto& r : rows) {
        std::string cat = MetaText(r[3]);
        auto v = visible.find(cat);
        if (v == visible.end()) v = visible.emplace(cat, session.CanSee(ClientContext::CatalogObject(cat))).first;
        if (!v->second) continue;
        std::vector<Value> row;
        row.push_back(Value::Integer(MetaInt(r[0])));
        row.push_back(Value::Datetime(MetaInt(r[1]) * 1000));
        row.push_back(Value::Datetime(MetaInt(r[2]) * 1000));
        for (int i = 3; i <= 8; ++i) row.push_back(Value::Varchar(MetaText(r[static_cast<size_t>(i)])));
        for (int i = 9; i <= 12; ++i) row.push_back(Value::Integer(MetaInt(r[static_cast<size_t>(i)])));
        row.push_back(std::holds_alternative<std::monostate>(r[13]) ? Value::Null(TypeId::BIGINT)
                                                                    : Value::Integer(MetaInt(r[13])));
        row.push_back(Value::Varchar(MetaText(r[14])));
        out.rows.push_back(std::move(row));
    }
    return out;
}

}  // namespace floe
