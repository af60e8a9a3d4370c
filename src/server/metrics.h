#pragma once
/// GET /metrics: the server's state in the Prometheus text exposition format 0.0.4, under
/// StarRocks' metric names where one exists (so dashboards built for StarRocks work: the
/// unconventional ones, such as counters without `_total` and `starrocks_fe_query_latency_ms` as a
/// summary, verbatim) and `floe_` names for what StarRocks lacks (tiering, Iceberg table health).
///
/// Anonymous scrapes get server-wide figures only; a scrape with Basic auth as a Floe user also
/// gets per-object series (routine load jobs, materialized views, tiered tables, Iceberg tables)
/// for the objects that user may see, as SHOW would list them.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace floe {

class Instance;
class Session;
struct AuditRecord;

class ServerMetrics {
  public:
    ServerMetrics();

    /// One finished statement or load (the record the audit log gets).
    void Observe(const AuditRecord& record);
    /// One finished materialized view refresh.
    void MvRefreshFinished(bool ok, int64_t duration_ms);

    /// The exposition text. `session`: the authenticated scraper (per-object series), or null.
    std::string Render(Instance& instance, Session* session);

    /// Counters the console's history samples (server/metrics_history.h).
    struct Totals {
        uint64_t queries = 0, errors = 0, load_rows = 0;
    };
    Totals totals() const;
    /// The latencies (ms) of statements finished since the last call (at most 10,000 of them).
    std::vector<double> TakeIntervalLatencies();

    /// How many recent statement latencies the quantiles are computed over.
    static constexpr size_t kLatencyWindow = 2048;

  private:
    int64_t started_ms_;
    std::atomic<uint64_t> query_total_{0}, query_success_{0}, query_err_{0}, query_timeout_{0}, slow_query_{0},
        query_internal_err_{0}, request_total_{0};
    std::atomic<uint64_t> load_requests_{0}, load_failed_{0}, load_rows_{0}, load_bytes_{0}, load_duration_ms_{0};
    std::atomic<uint64_t> mv_refresh_success_{0}, mv_refresh_failed_{0}, mv_refresh_duration_ms_{0};
    std::mutex mutex_;
    std::vector<double> latencies_;  // a ring of the last kLatencyWindow statement latencies (ms)
    size_t next_latency_ = 0;
    uint64_t latency_count_ = 0;
    double latency_sum_ms_ = 0;
    std::vector<double> interval_latencies_;
};

}  // namespace floe
