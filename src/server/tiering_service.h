#pragma once
/// Tiering: one logical table over a hot table and the Iceberg table that holds its history.
///
/// A policy (ALTER TABLE t SET ("tiering.cold_table" = "c.db.t", "tiering.move_after" = "7 DAY"))
/// is part of the hot table's version (catalog TierState): the cold table, the boundary B and the
/// cold snapshot S queries read. A query of t binds to `hot rows UNION ALL cold rows at S with
/// col < B` (binder), both from one catalog version, so every row is seen exactly once.
///
/// A move of one aged partition p (a task run, kind TIER, on the shared task scheduler):
///   1. copy: p's rows at the version read (data version v) are written as Parquet into the cold
///      table and committed as one snapshot tagged `floe.tier.source = <table>/<partition>@<v>`;
///      files of earlier tagged snapshots that were never flipped (a crash, a lost race) are
///      removed in the same commit, so nothing is copied twice;
///   2. flip: one meta-store transaction drops p's rows from the hot table, moves B to p's upper
///      bound and records the new S, on the condition that p's data version is still v (else
///      nothing changes and the move is retried);
///   3. the hot files go once no running query's version holds them (MVCC).
/// After a crash between 1 and 2 the next run finds the tagged snapshot at the top of the cold
/// table's history and flips to it without copying again. Late rows (rows for partitions below
/// B) stay in the hot tier, visible at once, and move with the next run as a batch. Primary Key
/// tables: a late upsert of a moved key hides the cold row (the newest version wins).
///
/// External mode ("tiering.mode" = "external"): someone else fills the cold table; Floe reads its
/// current snapshot below B, the hot tier at and above B, and moves B past a partition only after
/// checking that every key of the hot partition is in the cold table (else the partition waits,
/// with the reason shown by SHOW TIERING).

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "mv/task_scheduler.h"
#include "parser/ast/statement.h"
#include "server/mv_statements.h"

namespace floe {

class ClientContext;
class Instance;
class Session;

class TieringService {
  public:
    explicit TieringService(Instance& instance) : instance_(instance) {}

    /// The name of a table's tiering task.
    static std::string TaskName(int64_t table_id) { return "tier-" + std::to_string(table_id); }
    /// Whether `key` is a tiering property ("tiering.*").
    static bool IsTieringProperty(const std::string& key);

    /// ALTER TABLE t SET ("tiering.cold_table" = ..., ...): checks the policy, creates the cold
    /// table (or adopts an existing one after checking its columns), commits the policy with the
    /// table's version, creates the table's task and queues the first move.
    void SetPolicy(Session& session, const TableInfo& table,
                   const std::vector<std::pair<std::string, std::string>>& properties);
    /// ALTER TABLE t EXECUTE tier_move(): queues a move now and waits for it; returns its run.
    TaskRunInfo MoveNow(Session& session, const TableInfo& table);
    /// One run of a table's tiering task (MvService dispatches TIER tasks here).
    void Run(const TaskInfo& task, TaskRunInfo& run, Session& session,
             const std::function<void(const std::string&)>& progress);
    /// DELETE on a tiered table (the caller holds the table's write lock and has deleted the hot
    /// rows): deletes the cold rows `where` matches (position deletes on the recorded snapshot, one
    /// cold commit) and records the new snapshot. Returns the rows deleted.
    int64_t DeleteCold(Session& session, ClientContext& context, const TableInfo& table, const ast::ExprPtr& where,
                       const std::string& alias);
    /// ALTER TABLE ADD / MODIFY COLUMN on a tiered table: adds the columns to the cold table, or
    /// widens them there (throws when Iceberg does not allow the change), before the hot table.
    void ChangeColdColumns(const TableInfo& table, const std::vector<std::pair<std::string, std::string>>& columns,
                           bool modify);
    /// ALTER TABLE RENAME COLUMN on a tiered table: renames the cold column first (by field id).
    void RenameColdColumn(const TableInfo& table, const std::string& from, const std::string& to);

    /// Hot tables tiered into the Iceberg table `catalog`.`db`.`table` (copy mode): (hot table
    /// id, the cold snapshot its queries read). Lake maintenance keeps and respects these.
    std::vector<std::pair<int64_t, int64_t>> ColdTableUsers(const std::string& catalog, const std::string& db,
                                                            const std::string& table);
    /// After maintenance replaced cold snapshot `from` by `to` (a rewrite: the same rows), the hot
    /// table reads `to`. False when it no longer reads `from` (nothing changes then).
    bool AdvanceColdSnapshot(int64_t table_id, int64_t from, int64_t to);
    /// Cold snapshots of `catalog`.`db`.`table` that hot tables read until less than `grace_ms`
    /// ago (queries bound before a move or a compaction may still read them): expiry keeps them.
    std::set<int64_t> RecentlyRead(const std::string& catalog, const std::string& db, const std::string& table,
                                   int64_t grace_ms);

    /// SHOW TIERING / information_schema.tiering rows (`database` empty: every database).
    MvRows Rows(Session& session, const std::string& database);

  private:
    struct Status {
        std::string state = "IDLE";  // IDLE, MOVING, WAITING, ERROR
        std::string reason;          // why a partition waits, or the last error
        int64_t last_move_ms = 0;
        int64_t moved_partitions = 0;
        int64_t moved_rows = 0;
        int64_t last_rows_per_second = 0;
    };
    /// Copy mode: moves `parts` (aged partitions and late rows) in one cold snapshot and one flip;
    /// false when one of them changed meanwhile (retry). `locked`: the caller holds the table's
    /// write lock.
    bool MovePartitions(Session& session, const TableInfo& table, std::shared_ptr<const TableVersion> version,
                        const std::vector<const PartitionInfo*>& parts, int64_t& rows, bool locked);
    /// External mode: flips `partition` once the cold table holds every key of it (else `reason`).
    bool CheckExternal(Session& session, const TableInfo& table, std::shared_ptr<const TableVersion> version,
                       const PartitionInfo& partition, std::string& reason);
    void SetStatus(int64_t table_id, const std::string& state, const std::string& reason);
    /// Records that hot tables stopped reading `tier`'s cold snapshot now.
    void NoteReplaced(const TierState& tier);

    Instance& instance_;
    std::mutex mutex_;
    std::map<int64_t, Status> status_;
    /// Cold table (catalog, db, table) -> (snapshot, unix ms it stopped being read).
    std::map<std::string, std::vector<std::pair<int64_t, int64_t>>> replaced_;
};

}  // namespace floe
