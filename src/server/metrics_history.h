#pragma once
/// A small in-process history of server-wide figures for the web console's charts: one point
/// every interval (10 s by default) for the last six hours, kept in memory only (a
/// restart starts a new history; Prometheus is the place for long ones). Each point: statements
/// per second, errors per second, latency percentiles of the statements of the interval, rows
/// loaded per second (Stream Load and Routine Load), the routine load jobs' total offset lag,
/// and the bytes in each tier (hot tables; Iceberg tables behind tiered tables).

#include <algorithm>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

namespace floe {

class Instance;

class MetricsHistory {
  public:
    /// Points every `interval_seconds` (InstanceOptions::metrics_history_interval), six hours of them.
    explicit MetricsHistory(int interval_seconds = 10)
        : interval_seconds_(interval_seconds),
          max_points_(static_cast<size_t>(6 * 3600 / std::max(1, interval_seconds))) {}
    int interval_seconds() const { return interval_seconds_; }

    /// Takes one point (the first call only sets the baseline of the counters).
    void Sample(Instance& instance);
    /// {"interval_seconds":10,"points":[{"t":<unix s>,"qps":..,...}, ...]}
    std::string Json();

  private:
    int interval_seconds_;
    size_t max_points_;
    struct Point {
        int64_t t = 0;
        double qps = 0, errors_per_s = 0, p50_ms = 0, p95_ms = 0, p99_ms = 0, ingest_rows_per_s = 0;
        int64_t routine_load_lag = 0, hot_bytes = 0, cold_bytes = 0;
    };
    std::mutex mutex_;
    std::deque<Point> points_;
    bool have_baseline_ = false;
    int64_t last_ms_ = 0;
    uint64_t last_queries_ = 0, last_errors_ = 0, last_ingest_rows_ = 0;
    int64_t cold_bytes_ = 0;
    int samples_ = 0;
};

}  // namespace floe
