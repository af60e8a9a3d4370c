#pragma once
/// One running Floe database: the data directory (locked against other processes), the catalog,
/// global variables and the registry of live sessions. Front ends (MySQL, HTTP) share one
/// Instance; everything in it is thread-safe.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "catalog/access_control.h"
#include "catalog/catalog.h"
#include "ingest/compactor.h"
#include "ingest/load_manager.h"
#include "ingest/routine_load.h"
#include "ingest/stream_load.h"
#include "lake/external_catalogs.h"
#include "server/audit_log.h"
#include "server/login_guard.h"
#include "server/metrics.h"
#include "server/query_profiles.h"
#include "server/session_variables.h"

namespace floe {

class Session;
class MvService;
class TieringService;
class LakeMaintenance;

struct InstanceOptions {
    std::string data_dir = "./floe-data";
    int threads = 0;            // 0 = number of cores
    uint64_t memory_limit = 0;  // bytes; 0 = 80% of physical memory
    uint32_t max_connections = 4096;
    /// Seconds between rounds of automatic Iceberg maintenance (server/lake_maintenance.h); 0: off.
    uint32_t lake_maintenance_interval = 60;
    /// Seconds between the points of the web console's charts (server/metrics_history.h).
    uint32_t metrics_history_interval = 10;
    uint64_t stream_load_block_bytes = 64u << 20;
    /// Where users' local paths may lead (io/file_roots.h); empty: <data_dir>/import only.
    std::vector<std::string> file_roots;
};

/// The version string clients see. MySQL drivers parse the leading "8.0.33".
constexpr const char* kServerVersion = "8.0.33-floe-0.1.0";
constexpr const char* kVersionComment = "Floe 0.1.0 (StarRocks-compatible)";

class Instance {
  public:
    /// Opens the data directory (created if missing), takes its lock and opens the catalog.
    /// Throws IOError when the directory is locked by another process or unusable.
    explicit Instance(InstanceOptions options);
    ~Instance();

    const InstanceOptions& options() const { return options_; }
    Catalog& catalog() { return *catalog_; }
    /// Roles, grants and the privileges sessions check against.
    AccessControl& access() { return *access_; }
    /// One record per statement and per load (server/audit_log.h).
    AuditLog& audit() { return *audit_; }
    /// GET /metrics' counters (server/metrics.h).
    ServerMetrics& metrics() { return *metrics_; }
    /// Recent queries' profiles (SHOW PROFILELIST, ANALYZE PROFILE).
    QueryProfiles& profiles() { return profiles_; }
    /// CREATE EXTERNAL CATALOG's catalogs, opened on first use.
    ExternalCatalogs& external_catalogs() { return *external_catalogs_; }
    LoadManager& loads() { return *loads_; }
    Compactor& compactor() { return *compactor_; }
    StreamLoader& stream_loads() { return *stream_loads_; }
    RoutineLoadManager& routine_loads() { return *routine_loads_; }
    GlobalVariables& globals() { return *globals_; }
    /// Materialized views' refreshes and the task scheduler (server/mv_service.h).
    MvService& mvs() { return *mvs_; }
    /// Tier moves of tiered hot tables (server/tiering_service.h); their runs are tasks of mvs().
    TieringService& tiering() { return *tiering_; }
    /// Iceberg table upkeep: procedures, background rounds, health (server/lake_maintenance.h).
    LakeMaintenance& lake() { return *lake_; }
    /// Failed-login lockout and per-user connection counts, shared by the MySQL and HTTP logins.
    LoginGuard& login_guard() { return login_guard_; }

    uint32_t NextConnectionId() { return next_connection_id_.fetch_add(1); }

    /// Live sessions, for SHOW PROCESSLIST and KILL.
    void RegisterSession(Session* session);
    void UnregisterSession(Session* session);
    /// Interrupts the session with `connection_id`; returns false if there is none.
    bool KillSession(uint32_t connection_id, bool query_only);
    /// The user of a connection, or nullopt when there is no such connection.
    std::optional<std::string> SessionUser(uint32_t connection_id);
    void ForEachSession(const std::function<void(Session&)>& fn);
    /// A session that KILL CONNECTION targeted; the front end closes it after its current command.
    bool IsKilled(uint32_t connection_id);

  private:
    /// Deletes segment files the meta store does not reference.
    void SweepUnreferencedSegments();

    InstanceOptions options_;
    int lock_fd_ = -1;
    std::unique_ptr<Catalog> catalog_;
    std::unique_ptr<AccessControl> access_;
    std::unique_ptr<AuditLog> audit_;
    std::unique_ptr<ServerMetrics> metrics_;
    QueryProfiles profiles_;
    std::unique_ptr<ExternalCatalogs> external_catalogs_;
    std::unique_ptr<GlobalVariables> globals_;
    std::unique_ptr<LoadManager> loads_;
    std::unique_ptr<Compactor> compactor_;
    std::unique_ptr<StreamLoader> stream_loads_;
    std::unique_ptr<RoutineLoadManager> routine_loads_;
    std::unique_ptr<MvService> mvs_;
    std::unique_ptr<TieringService> tiering_;
    std::unique_ptr<LakeMaintenance> lake_;
    LoginGuard login_guard_;
    std::atomic<uint32_t> next_connection_id_{1};
    std::mutex sessions_mutex_;
    std::map<uint32_t, Session*> sessions_;
    std::map<uint32_t, bool> killed_;
};

}  // namespace floe
