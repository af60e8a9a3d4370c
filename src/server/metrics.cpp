#include "server/metrics.h"

#include <fmt/format.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>

#include "catalog/catalog.h"
#include "common/memory_tracker.h"
#include "ingest/routine_load.h"
#include "io/data_cache.h"
#include "server/audit_log.h"
#include "server/instance.h"
#include "server/lake_maintenance.h"
#include "server/mv_statements.h"
#include "server/session.h"
#include "server/tiering_service.h"

namespace floe {

namespace {

int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

using Labels = std::vector<std::pair<std::string, std::string>>;

/// Writes families: each family's HELP and TYPE once, then its samples, contiguous.
class Exposition {
  public:
    void Family(const std::string& name, const char* type, const std::string& help) {
        out_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    }
    void Sample(const std::string& name, const Labels& labels, double value) {
        out_ += name;
        if (!labels.empty()) {
            out_ += '{';
            for (size_t i = 0; i < labels.size(); ++i) {
                if (i) out_ += ',';
                out_ += labels[i].first + "=\"" + Escape(labels[i].second) + "\"";
            }
            out_ += '}';
        }
        out_ += ' ' + Number(value) + '\n';
    }
    /// A family of one unlabelled sample.
    void One(const std::string& name, const char* type, const std::string& help, double value) {
        Family(name, type, help);
        Sample(name, {}, value);
    }
    std::string Take() { return std::move(out_); }

  private:
    static std::string Escape(const std::string& v) {
        std::string out;
        for (char c : v) {
            if (c == '\\') {
                out += "\\\\";
            } else if (c == '"') {
                out += "\\\"";
            } else if (c == '\n') {
                out += "\\n";
            } else {
                out += c;
            }
        }
        return out;
    }
    static std::string Number(double v) {
        if (std::isnan(v)) return "NaN";
        if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
        if (v == std::floor(v) && std::fabs(v) < 9e15) return fmt::format("{}", static_cast<int64_t>(v));
        return fmt::format("{}", v);
    }
    std::string out_;
};

/// The resident set size of this process, from /proc/self/statm.
int64_t ResidentBytes() {
    std::ifstream statm("/proc/self/statm");
    int64_t pages = 0, resident = 0;
    if (!(statm >> pages >> resident)) return 0;
    return resident * static_cast<int64_t>(sysconf(_SC_PAGESIZE));
}

/// Column `name` of `rows` as an index, or -1.
int ColumnOf(const MvRows& rows, const std::string& name) {
    for (size_t i = 0; i < rows.names.size(); ++i) {
        if (rows.names[i] == name) return static_cast<int>(i);
    }
    return -1;
}

std::string Text(const Value& v) {
    return v.is_null() ? "" : v.ToString();
}

double Number(const Value& v) {
    if (v.is_null()) return std::nan("");
    try {
        return std::stod(v.ToString());
    } catch (const std::exception&) {
        return std::nan("");
    }
}

}  // namespace

ServerMetrics::ServerMetrics() : started_ms_(NowMs()), latencies_(kLatencyWindow, 0.0) {}

void ServerMetrics::Observe(const AuditRecord& record) {
    request_total_.fetch_add(1, std::memory_order_relaxed);
    const bool failed = record.state == "ERR";
    if (record.query_type == "load") {
        load_requests_.fetch_add(1, std::memory_order_relaxed);
        if (failed) load_failed_.fetch_add(1, std::memory_order_relaxed);
        load_rows_.fetch_add(static_cast<uint64_t>(std::max<int64_t>(record.return_rows, 0)),
                             std::memory_order_relaxed);
        load_bytes_.fetch_add(static_cast<uint64_t>(std::max<int64_t>(record.scan_bytes, 0)),
                              std::memory_order_relaxed);
        load_duration_ms_.fetch_add(static_cast<uint64_t>(std::max<int64_t>(record.time_ms, 0)),
                                    std::memory_order_relaxed);
        return;
    }
    query_total_.fetch_add(1, std::memory_order_relaxed);
    if (failed) {
        query_err_.fetch_add(1, std::memory_order_relaxed);
        std::string lower = record.error_message;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        if (lower.find("timeout") != std::string::npos || lower.find("timed out") != std::string::npos) {
            query_timeout_.fetch_add(1, std::memory_order_relaxed);
        }
        if (record.error_code == 1105) query_internal_err_.fetch_add(1, std::memory_order_relaxed);
    } else {
        query_success_.fetch_add(1, std::memory_order_relaxed);
    }
    if (record.time_ms >= AuditLog::kSlowQueryMs) slow_query_.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(mutex_);
    latencies_[next_latency_] = static_cast<double>(record.time_ms);
    next_latency_ = (next_latency_ + 1) % latencies_.size();
    ++latency_count_;
    latency_sum_ms_ += static_cast<double>(record.time_ms);
    if (interval_latencies_.size() < 10000) interval_latencies_.push_back(static_cast<double>(record.time_ms));
}

ServerMetrics::Totals ServerMetrics::totals() const {
    Totals t;
    t.queries = query_total_.load(std::memory_order_relaxed);
    t.errors = query_err_.load(std::memory_order_relaxed);
    t.load_rows = load_rows_.load(std::memory_order_relaxed);
    return t;
}

std::vector<double> ServerMetrics::TakeIntervalLatencies() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<double> out;
    out.swap(interval_latencies_);
    return out;
}

void ServerMetrics::MvRefreshFinished(bool ok, int64_t duration_ms) {
    (ok ? mv_refresh_success_ : mv_refresh_failed_).fetch_add(1, std::memory_order_relaxed);
    mv_refresh_duration_ms_.fetch_add(static_cast<uint64_t>(std::max<int64_t>(duration_ms, 0)),
                                      std::memory_order_relaxed);
}

std::string ServerMetrics::Render(Instance& instance, Session* session) {
    Exposition e;
    auto counter = [&](const std::string& name, const std::string& help, const std::atomic<uint64_t>& v) {
        e.One(name, "counter", help, static_cast<double>(v.load(std::memory_order_relaxed)));
    };

    // ---- Queries (StarRocks' FE names; counters without _total as StarRocks spells them).
    counter("starrocks_fe_query_total", "Statements run (every statement over the MySQL protocol).", query_total_);
    counter("starrocks_fe_query_success", "Statements that succeeded.", query_success_);
    counter("starrocks_fe_query_err", "Statements that failed.", query_err_);
    counter("starrocks_fe_query_timeout", "Statements that failed by a timeout.", query_timeout_);
    counter("starrocks_fe_query_internal_err", "Statements that failed with an internal error.", query_internal_err_);
    counter("starrocks_fe_slow_query", "Statements that took 5000 ms or longer.", slow_query_);
    counter("starrocks_fe_request_total", "Statements and loads received.", request_total_);
    {
        std::vector<double> window;
        uint64_t count;
        double sum;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            size_t n = static_cast<size_t>(std::min<uint64_t>(latency_count_, latencies_.size()));
            window.assign(latencies_.begin(), latencies_.begin() + static_cast<std::ptrdiff_t>(n));
            count = latency_count_;
            sum = latency_sum_ms_;
        }
        std::sort(window.begin(), window.end());
        auto quantile = [&](double q) {
            if (window.empty()) return std::nan("");
            size_t at = static_cast<size_t>(std::ceil(q * static_cast<double>(window.size()))) - 1;
            return window[std::min(at, window.size() - 1)];
        };
        const std::string name = "starrocks_fe_query_latency_ms";
        e.Family(name, "summary",
                 "Statement latency in milliseconds (quantiles over the last " + std::to_string(kLatencyWindow) +
                     " statements).");
        for (const char* q : {"0.75", "0.95", "0.98", "0.99", "0.999"})
            e.Sample(name, {{"quantile", q}}, quantile(std::stod(q)));
        e.Sample(name + "_sum", {}, sum);
        e.Sample(name + "_count", {}, static_cast<double>(count));
        e.Family("starrocks_fe_query_latency", "gauge", "Statement latency in milliseconds (legacy gauges).");
        double mean = window.empty() ? std::nan("") : [&] {
            double s = 0;
            for (double v : window) s += v;
            return s / static_cast<double>(window.size());
        }();
        e.Sample("starrocks_fe_query_latency", {{"type", "mean"}}, mean);
        for (auto [type, q] : std::vector<std::pair<std::string, double>>{{"75_quantile", 0.75},
                                                                          {"95_quantile", 0.95},
                                                                          {"98_quantile", 0.98},
                                                                          {"99_quantile", 0.99},
                                                                          {"999_quantile", 0.999}}) {
            e.Sample("starrocks_fe_query_latency", {{"type", type}}, quantile(q));
        }
    }
    size_t connections = 0;
    instance.ForEachSession([&](Session&) { ++connections; });
    e.One("starrocks_fe_connection_total", "gauge", "Open MySQL connections.", static_cast<double>(connections));

    // ---- Loads.
    counter("starrocks_be_streaming_load_requests_total", "Stream Load requests.", load_requests_);
    counter("starrocks_be_streaming_load_bytes", "Bytes received by Stream Load.", load_bytes_);
    counter("starrocks_be_streaming_load_duration_ms", "Time spent in Stream Loads, in milliseconds.",
            load_duration_ms_);
    counter("starrocks_be_load_rows", "Rows loaded by Stream Load.", load_rows_);
    counter("starrocks_be_load_bytes", "Bytes loaded by Stream Load.", load_bytes_);
    counter("floe_stream_load_failed_total", "Stream Loads that failed.", load_failed_);

    // ---- Routine Load: jobs by state; rows, errors and bytes of the jobs that exist.
    std::vector<RoutineLoadManager::JobStatus> jobs;
    try {
        jobs = instance.routine_loads().Status("");
    } catch (const std::exception&) {
    }
    {
        std::map<std::string, int64_t> by_state;
        for (const char* s : {"NEED_SCHEDULE", "RUNNING", "PAUSED", "STOPPED", "CANCELLED", "UNSTABLE"})
            by_state[s] = 0;
        int64_t rows = 0, errors = 0, bytes = 0;
        for (const auto& j : jobs) {
            ++by_state[j.job.state];
            rows += j.job.loaded_rows;
            errors += j.job.filtered_rows;
            bytes += j.job.received_bytes;
        }
        e.Family("starrocks_fe_routine_load_jobs", "gauge", "Routine load jobs by state.");
        for (const auto& [state, n] : by_state) {
            e.Sample("starrocks_fe_routine_load_jobs", {{"state", state}}, static_cast<double>(n));
        }
        e.One("starrocks_fe_routine_load_paused", "gauge", "Routine load jobs that are paused.",
              static_cast<double>(by_state["PAUSED"]));
        e.One("starrocks_fe_routine_load_rows", "counter", "Rows loaded by the routine load jobs.",
              static_cast<double>(rows));
        e.One("starrocks_fe_routine_load_error_rows", "counter", "Rows the routine load jobs rejected.",
              static_cast<double>(errors));
        e.One("starrocks_fe_routine_load_receive_bytes", "counter", "Bytes the routine load jobs received.",
              static_cast<double>(bytes));
    }

    // ---- Materialized views.
    counter("starrocks_fe_mv_refresh_total_success_jobs", "Materialized view refreshes that succeeded.",
            mv_refresh_success_);
    counter("starrocks_fe_mv_refresh_total_failed_jobs", "Materialized view refreshes that failed.",
            mv_refresh_failed_);
    counter("floe_mv_refresh_duration_ms_total", "Time spent refreshing materialized views, in milliseconds.",
            mv_refresh_duration_ms_);
    std::vector<MaterializedViewInfo> mvs;
    try {
        mvs = instance.catalog().ListMaterializedViews();
    } catch (const std::exception&) {
    }
    e.One("floe_mv_inactive", "gauge", "Materialized views that are inactive.",
          static_cast<double>(std::count_if(mvs.begin(), mvs.end(), [](const auto& m) { return !m.active; })));

    // ---- Transactions (each load, INSERT, UPDATE, DELETE and compaction commits one) and compaction.
    {
        const LoadManager::Counters& c = instance.loads().counters();
        e.One("starrocks_fe_txn_success", "counter", "Transactions committed on hot tables.",
              static_cast<double>(c.committed.load()));
        e.One("starrocks_fe_txn_failed", "counter", "Transactions on hot tables that failed to commit.",
              static_cast<double>(c.failed.load()));
        e.One("starrocks_be_cumulative_compaction_deltas_total", "counter", "Rowsets merged by compaction.",
              static_cast<double>(c.compacted_rowsets.load()));
        e.One("floe_compactions_total", "counter", "Compactions committed.", static_cast<double>(c.compactions.load()));
    }

    // ---- Storage: rowsets per table (StarRocks' compaction score stands for it).
    {
        int64_t max_rowsets = 0, tables = 0;
        for (const auto& db : instance.catalog().ListDatabases()) {
            for (const auto& t : instance.catalog().ListTables(db.name)) {
                if (t.kind == "VIEW") continue;
                auto version = instance.catalog().GetTableVersion(t.id);
                if (!version) continue;
                ++tables;
                max_rowsets = std::max<int64_t>(max_rowsets, static_cast<int64_t>(version->rowsets.size()));
            }
        }
        e.One("starrocks_be_max_tablet_rowset_num", "gauge", "The most rowsets any hot table has.",
              static_cast<double>(max_rowsets));
        e.One("starrocks_fe_max_tablet_compaction_score", "gauge",
              "The most rowsets any hot table has (compaction pressure).", static_cast<double>(max_rowsets));
        e.One("floe_tables", "gauge", "Hot tables (materialized views included).", static_cast<double>(tables));
        struct statvfs fs {};
        if (::statvfs(instance.options().data_dir.c_str(), &fs) == 0) {
            Labels path{{"path", instance.options().data_dir}};
            e.Family("starrocks_be_disks_total_capacity", "gauge", "Size of the data directory's file system.");
            e.Sample("starrocks_be_disks_total_capacity", path,
                     static_cast<double>(fs.f_blocks) * static_cast<double>(fs.f_frsize));
            e.Family("starrocks_be_disks_avail_capacity", "gauge", "Free space of the data directory's file system.");
            e.Sample("starrocks_be_disks_avail_capacity", path,
                     static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize));
        }
    }

    // ---- Memory.
    e.One("starrocks_be_process_mem_bytes", "gauge", "Resident memory of the server process.",
          static_cast<double>(ResidentBytes()));
    e.One("starrocks_be_query_mem_bytes", "gauge", "Memory held by running statements.",
          static_cast<double>(MemoryTracker::Process().used()));

    // ---- Data cache.
    {
        DataCache& cache = DataCache::Global();
        DataCache::Usage usage = cache.usage();
        const DataCacheCounters& totals = cache.totals();
        e.One("starrocks_be_datacache_mem_quota_bytes", "gauge", "Data cache memory limit.",
              static_cast<double>(usage.mem_limit));
        e.One("starrocks_be_datacache_mem_used_bytes", "gauge", "Data cache memory in use.",
              static_cast<double>(usage.mem_used));
        e.One("starrocks_be_datacache_disk_quota_bytes", "gauge", "Data cache disk limit.",
              static_cast<double>(usage.disk_limit));
        e.One("starrocks_be_datacache_disk_used_bytes", "gauge", "Data cache disk in use.",
              static_cast<double>(usage.disk_used));
        e.One("starrocks_be_block_cache_hit_bytes", "counter", "Bytes of remote reads served by the data cache.",
              static_cast<double>(totals.bytes_from_cache.load()));
        e.One("starrocks_be_block_cache_miss_bytes", "counter", "Bytes fetched from remote storage by the data cache.",
              static_cast<double>(totals.bytes_from_remote.load()));
        e.One("floe_datacache_hits_total", "counter", "Data cache block hits.",
              static_cast<double>(totals.hits.load()));
        e.One("floe_datacache_misses_total", "counter", "Data cache block misses.",
              static_cast<double>(totals.misses.load()));
    }

    e.Family("floe_build_info", "gauge", "The server's version (value 1).");
    e.Sample("floe_build_info", {{"version", kServerVersion}}, 1);
    e.One("floe_uptime_seconds", "gauge", "Seconds since the server started.",
          static_cast<double>(NowMs() - started_ms_) / 1000.0);

    if (!session) return e.Take();

    // ---- Per-object series, for what the scraping user may see.
    {
        e.Family("starrocks_fe_routine_load_max_lag_of_partition", "gauge",
                 "The largest offset lag of a routine load job's Kafka partitions.");
        for (const auto& j : jobs) {
            auto database = instance.catalog().GetDatabase(j.job.database);
            if (!database || !session->Privileges().HasAnyInDatabase(database->id)) continue;
            int64_t lag = 0;
            for (const auto& p : j.partitions) {
                if (p.end_offset >= 0) lag = std::max(lag, p.end_offset - p.next_offset);
            }
            e.Sample("starrocks_fe_routine_load_max_lag_of_partition",
                     {{"db_name", j.job.database}, {"job_name", j.job.name}}, static_cast<double>(lag));
        }
    }
    try {
        MvRows rows = MaterializedViewRows(*session, "", false);
        int db = ColumnOf(rows, "TABLE_SCHEMA"), name = ColumnOf(rows, "TABLE_NAME"),
            active = ColumnOf(rows, "IS_ACTIVE");
        if (db >= 0 && name >= 0 && active >= 0) {
            e.Family("starrocks_fe_mv_inactive_state", "gauge", "1 when the materialized view is inactive.");
            for (const auto& r : rows.rows) {
                e.Sample("starrocks_fe_mv_inactive_state", {{"db_name", Text(r[db])}, {"mv_name", Text(r[name])}},
                         Text(r[active]) == "true" ? 0 : 1);
            }
        }
    } catch (const std::exception&) {
    }
    try {
        MvRows rows = instance.tiering().Rows(*session, "");
        int db = ColumnOf(rows, "TABLE_SCHEMA"), table = ColumnOf(rows, "TABLE_NAME");
        const std::vector<std::pair<std::string, std::string>> gauges = {
            {"LAG_PARTITIONS", "floe_tiering_lag_partitions"},
            {"HOT_PARTITIONS", "floe_tiering_hot_partitions"},
            {"HOT_ROWS", "floe_tiering_hot_rows"},
            {"HOT_BYTES", "floe_tiering_hot_bytes"},
            {"COLD_ROWS", "floe_tiering_cold_rows"},
            {"COLD_BYTES", "floe_tiering_cold_bytes"},
            {"LATE_ROWS", "floe_tiering_late_rows"},
            {"MOVED_ROWS", "floe_tiering_moved_rows"}};
        for (const auto& [column, metric] : gauges) {
            int c = ColumnOf(rows, column);
            if (c < 0 || db < 0 || table < 0) continue;
            e.Family(metric, "gauge", "SHOW TIERING's " + column + " of each tiered table.");
            for (const auto& r : rows.rows) {
                e.Sample(metric, {{"db_name", Text(r[db])}, {"table_name", Text(r[table])}}, Number(r[c]));
            }
        }
        int state = ColumnOf(rows, "STATE");
        if (state >= 0 && db >= 0 && table >= 0) {
            e.Family("floe_tiering_state", "gauge", "1 for each tiered table's state.");
            for (const auto& r : rows.rows) {
                e.Sample("floe_tiering_state",
                         {{"db_name", Text(r[db])}, {"table_name", Text(r[table])}, {"state", Text(r[state])}}, 1);
            }
        }
    } catch (const std::exception&) {
    }
    try {
        MvRows rows = instance.lake().HealthRows(*session, "", "");
        int catalog = ColumnOf(rows, "TABLE_CATALOG"), db = ColumnOf(rows, "TABLE_SCHEMA"),
            table = ColumnOf(rows, "TABLE_NAME");
        const std::vector<std::pair<std::string, std::string>> gauges = {
            {"DATA_FILES", "floe_iceberg_table_data_files"},
            {"DELETE_FILES", "floe_iceberg_table_delete_files"},
            {"DATA_BYTES", "floe_iceberg_table_data_bytes"},
            {"RECORDS", "floe_iceberg_table_records"},
            {"SMALL_FILE_PERCENT", "floe_iceberg_table_small_file_percent"},
            {"DELETE_RATIO_PERCENT", "floe_iceberg_table_delete_ratio_percent"},
            {"SNAPSHOTS", "floe_iceberg_table_snapshots"},
            {"MANIFESTS", "floe_iceberg_table_manifests"}};
        if (catalog >= 0 && db >= 0 && table >= 0) {
            for (const auto& [column, metric] : gauges) {
                int c = ColumnOf(rows, column);
                if (c < 0) continue;
                e.Family(metric, "gauge", "information_schema.iceberg_table_health's " + column + ".");
                for (const auto& r : rows.rows) {
                    e.Sample(metric,
                             {{"catalog", Text(r[catalog])}, {"db_name", Text(r[db])}, {"table_name", Text(r[table])}},
                             Number(r[c]));
                }
            }
            int health = ColumnOf(rows, "HEALTH");
            if (health >= 0) {
                e.Family("floe_iceberg_table_health", "gauge", "1 for each Iceberg table's health class.");
                for (const auto& r : rows.rows) {
                    e.Sample("floe_iceberg_table_health",
                             {{"catalog", Text(r[catalog])},
                              {"db_name", Text(r[db])},
                              {"table_name", Text(r[table])},
                              {"health", Text(r[health])}},
                             1);
                }
            }
        }
    } catch (const std::exception&) {
    }
    return e.Take();
}

}  // namespace floe
