#include "server/metrics_history.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "server/instance.h"
#include "server/mv_statements.h"
#include "server/session.h"
#include "server/tiering_service.h"

namespace floe {

namespace {

int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

double Quantile(const std::vector<double>& sorted, double q) {
    if (sorted.empty()) return 0;
    size_t at = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    return sorted[std::min(sorted.size() - 1, at == 0 ? 0 : at - 1)];
}

std::string Num(double v) {
    if (!std::isfinite(v)) return "0";
    return fmt::format("{:.3f}", v);
}

}  // namespace

void MetricsHistory::Sample(Instance& instance) {
    const int64_t now = NowMs();
    ServerMetrics::Totals totals = instance.metrics().totals();
    std::vector<double> latencies = instance.metrics().TakeIntervalLatencies();
    std::sort(latencies.begin(), latencies.end());
    uint64_t routine_rows = 0;
    int64_t lag = 0;
    try {
        for (const auto& j : instance.routine_loads().Status("")) {
            routine_rows += static_cast<uint64_t>(std::max<int64_t>(0, j.job.loaded_rows));
            for (const auto& p : j.partitions) {
                if (p.end_offset >= 0) lag += std::max<int64_t>(0, p.end_offset - p.next_offset);
            }
        }
    } catch (const std::exception&) {
    }
    int64_t hot_bytes = 0;
    try {
        for (const auto& db : instance.catalog().ListDatabases()) {
            for (const auto& t : instance.catalog().ListTables(db.name)) {
                if (t.kind != "VIEW") hot_bytes += instance.catalog().TableBytes(t.id);
            }
        }
    } catch (const std::exception&) {
    }
    // The cold tier's size reads Iceberg metadata (maybe remote): once a minute is enough.
    if (samples_++ % std::max(1, 60 / interval_seconds_) == 0) {
        try {
            Session root(instance, instance.NextConnectionId(), "root", "localhost");
            MvRows rows = instance.tiering().Rows(root, "");
            int64_t total = 0;
            for (size_t c = 0; c < rows.names.size(); ++c) {
                if (rows.names[c] != "COLD_BYTES") continue;
                for (const auto& r : rows.rows) {
                    if (!r[c].is_null()) total += r[c].GetInt();
                }
            }
            cold_bytes_ = total;
        } catch (const std::exception&) {
        }
    }
    const uint64_t ingest = totals.load_rows + routine_rows;
    std::lock_guard<std::mutex> lock(mutex_);
    if (have_baseline_ && now > last_ms_) {
        double seconds = static_cast<double>(now - last_ms_) / 1000.0;
        auto rate = [&](uint64_t current, uint64_t last) {
            return current >= last ? static_cast<double>(current - last) / seconds : 0.0;
        };
        Point p;
        p.t = now / 1000;
        p.qps = rate(totals.queries, last_queries_);
        p.errors_per_s = rate(totals.errors, last_errors_);
        p.p50_ms = Quantile(latencies, 0.5);
        p.p95_ms = Quantile(latencies, 0.95);
        p.p99_ms = Quantile(latencies, 0.99);
        p.ingest_rows_per_s = rate(ingest, last_ingest_rows_);
        p.routine_load_lag = lag;
        p.hot_bytes = hot_bytes;
        p.cold_bytes = cold_bytes_;
        points_.push_back(p);
        while (points_.size() > max_points_) points_.pop_front();
    }
    have_baseline_ = true;
    last_ms_ = now;
    last_queries_ = totals.queries;
    last_errors_ = totals.errors;
    last_ingest_rows_ = ingest;
}

std::string MetricsHistory::Json() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string out = fmt::format("{{\"interval_seconds\":{},\"points\":[", interval_seconds_);
    bool first = true;
    for (const Point& p : points_) {
        if (!first) out += ',';
        first = false;
        out += fmt::format(
            "{{\"t\":{},\"qps\":{},\"errors_per_s\":{},\"p50_ms\":{},\"p95_ms\":{},\"p99_ms\":{},"
            "\"ingest_rows_per_s\":{},\"routine_load_lag\":{},\"hot_bytes\":{},\"cold_bytes\":{}}}",
            p.t, Num(p.qps), Num(p.errors_per_s), Num(p.p50_ms), Num(p.p95_ms), Num(p.p99_ms), Num(p.ingest_rows_per_s),
            p.routine_load_lag, p.hot_bytes, p.cold_bytes);
    }
    out += "]}";
    return out;
}

}  // namespace floe
