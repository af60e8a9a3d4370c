#pragma once
/// Cold-tier upkeep: Iceberg table maintenance as procedures, in the background, and as health.
///
/// Procedures (`ALTER TABLE c.db.t EXECUTE name(args) [WHERE cond]`, StarRocks' grammar with
/// Spark's and Trino's names and arguments): rewrite_data_files / optimize (bin-pack small files,
/// or sort by the table's sort order; deletes applied and dropped), rewrite_manifests /
/// optimize_manifests, expire_snapshots, remove_orphan_files, rewrite_position_delete_files,
/// apply_retention and run_maintenance (one round of the automatic policy now). Each commits with
/// the optimistic protocol (lake/iceberg/table_transaction.h), gives up cleanly when a concurrent
/// writer's change conflicts, returns what it did and is logged in the meta store
/// (information_schema.iceberg_maintenance_log).
///
/// Automatic maintenance: one periodic task ("lake-maintenance", kind LAKE, on the shared task
/// scheduler) walks the Iceberg tables of every external catalog and tends those marked
/// 'floe.maintenance' = 'true' (Floe sets it on tables it creates): retention, then compaction
/// when the table crosses its thresholds, manifest rewrite, snapshot expiry and orphan removal —
/// the order lake operations need (compaction's old files go with expiry, orphans last).
///
/// Floe's own writers of a table never collide with it: tier moves hold the table's lake lock
/// (LockTable) while they copy and flip, and maintenance takes it too (the background skips a
/// busy table). A table that is a tiering cold tier is compacted only up to the snapshot the
/// hot table's queries read, and the hot table then reads the compacted snapshot (same rows);
/// expiry keeps that snapshot and everything after it.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "mv/task_scheduler.h"
#include "parser/ast/statement.h"
#include "server/mv_statements.h"
#include "server/query_result.h"

namespace floe {

class Instance;
class Session;
namespace iceberg {
struct TableHealth;
}

class LakeMaintenance {
  public:
    explicit LakeMaintenance(Instance& instance) : instance_(instance) {}

    /// The scheduler task of automatic maintenance.
    static constexpr const char* kTaskName = "lake-maintenance";
    /// Whether `name` is one of the procedures above.
    static bool IsProcedure(const std::string& name);

    /// Creates (or reschedules) the background task; `interval_seconds` 0 turns it off.
    void Start(int64_t interval_seconds);

    /// ALTER TABLE catalog.db.table EXECUTE procedure(...) [WHERE ...] (privileges checked by the caller).
    QueryResult Execute(Session& session, const std::string& catalog, const std::string& db, const std::string& table,
                        const ast::AlterTableStatement& s);

    /// A background round (task kind LAKE).
    void Run(const TaskInfo& task, TaskRunInfo& run, Session& session,
             const std::function<void(const std::string&)>& progress);

    /// information_schema.iceberg_table_health / SHOW ICEBERG TABLE HEALTH [FROM catalog[.db]].
    MvRows HealthRows(Session& session, const std::string& catalog, const std::string& db);
    /// information_schema.iceberg_maintenance_log.
    MvRows LogRows(Session& session);

    /// Serialises Floe's writers of one Iceberg table that must not interleave (tier moves and
    /// maintenance). `wait` false: an unlocked lock when another holder has it.
    std::unique_lock<std::mutex> LockTable(const std::string& catalog, const std::string& db, const std::string& table,
                                           bool wait = true);

  private:
    Instance& instance_;
    std::mutex mutex_;
    std::map<std::string, std::unique_ptr<std::mutex>> table_locks_;
    /// Health by metadata file (immutable: a table's health changes only with a new one).
    std::map<std::string, std::shared_ptr<const iceberg::TableHealth>> health_cache_;
};

}  // namespace floe
