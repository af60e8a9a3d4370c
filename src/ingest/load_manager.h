#pragma once
/// Load transactions: every write to a hot table (INSERT, INSERT OVERWRITE, UPDATE, DELETE, and
/// later Stream Load and Routine Load) ends here. A load writes its rows to a new segment file,
/// makes it durable, and commits the new rowset, the delete-vector marks and its label in one
/// meta-store transaction (Catalog::CommitLoad): a load is visible entirely or not at all.
///
/// Table models are applied on write where they must be:
/// - Duplicate Key: rows are appended.
/// - Aggregate and Unique Key: rows are appended; scans merge equal keys (binder's merge query).
/// - Primary Key: merge-on-write. The table's primary-key index finds the row each loaded key
///   replaces; that row is marked in its rowset's delete vector and the key points at the new
///   row. Within one load the last row of a key wins. Partial updates keep the stored values of
///   the columns a load does not update.
///
/// Writers of one table are serialized by the table's lock (LockTable), which also guards the
/// table's primary-key index. Readers never wait: they read the version they pinned.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "binder/table_schema.h"
#include "catalog/catalog.h"
#include "storage/primary_key_index.h"
#include "vector/chunk.h"

namespace floe {

struct LoadOptions {
    std::string label;
    /// Replace the table's rows with the loaded ones (INSERT OVERWRITE).
    bool overwrite = false;
    /// Primary Key tables: for a loaded row whose key exists, the columns that take the loaded
    /// value (the rest keep the stored value). Empty: every column (a full upsert).
    std::vector<bool> update_columns;
    /// Partitioned tables: the partitions this load writes (INSERT [OVERWRITE] ... PARTITION (...));
    /// a row of another partition is an error. Empty: any.
    std::vector<std::string> partitions;
    /// With `overwrite`: only `partitions` are replaced (even when empty), and rows may also go to
    /// partitions this load creates (a materialized view's partition refresh).
    bool overwrite_named_partitions = false;
    /// Registers the label as a finished load (kind and counts) in the commit: a label that
    /// already finished fails the load with LABEL_ALREADY_EXISTS and nothing is written.
    std::optional<LoadRecord> record;
    /// Primary Key tables: rows to delete rather than upsert (Stream Load's __op = 1), one byte
    /// per physical row of each loaded chunk; null: every row upserts.
    const std::vector<std::vector<uint8_t>>* delete_rows = nullptr;
    /// Primary Key tables: per physical row of each loaded chunk, a mask of the columns (bit c:
    /// column c) whose stored values an upsert keeps (Debezium's unchanged TOASTed values); null:
    /// none.
    const std::vector<std::vector<uint64_t>>* keep_stored = nullptr;
    /// Primary Key tables: the column of a conditional update (merge_condition): a loaded row
    /// replaces the stored one only when its value there is not smaller. -1: unconditional.
    /// Deletes with a value there are ordered the same way (an older delete leaves a newer row),
    /// and, when the column is an integer, date or datetime, a delete that applies leaves a fence
    /// (Catalog::DeleteFences) so that an older upsert arriving later does not bring the row back.
    int merge_condition = -1;
    /// Meta-store changes committed in the load's transaction (LoadCommit::also); a load with one
    /// commits even when it writes no rows.
    std::function<void(MetaStore&)> also;
    /// Duplicate Key tables: stored rows (rowset id -> row positions) deleted in the load's
    /// commit, so that UPDATE replaces rows atomically (the new versions are the loaded rows).
    std::map<int64_t, Roaring> deletes;
};

struct LoadResult {
    std::string label;
    int64_t txn_id = 0;  // the new rowset's id (0 when nothing was written)
    size_t loaded_rows = 0;
    size_t deleted_rows = 0;
};

/// A load whose rows are pushed in batches (LoadManager::StartLoad): each Add() merges
/// (Aggregate, Unique Key) or resolves against the primary-key index (Primary Key), routes and
/// writes its batch before returning, so memory stays at a batch however large the load
/// (INSERT OVERWRITE and PARTITION-restricted loads into the other models gather their batches
/// until Commit). Nothing is visible until Commit, which `before_commit` may refuse (returning a
/// message: LoadError). A writer destroyed without committing removes what it wrote. The caller
/// holds the table's lock throughout; `options` must outlive the writer (Commit reads it again).
class LoadBatchWriter {
  public:
    virtual ~LoadBatchWriter() = default;
    /// Takes the batch's rows (full-width chunks in the table's column order; the vector is
    /// left empty).
    virtual void Add(std::vector<Chunk>& batch) = 0;
    virtual LoadResult Commit(const std::function<std::string()>& before_commit = nullptr) = 0;
};

class LoadManager {
  public:
    /// Whether LoadBatches writes each batch before asking for the next (else it holds every
    /// batch's rows until the commit).
    static bool StreamsBatches(const TableSchema& schema, const LoadOptions& options);
    /// `data_dir` is where segment files go (data/<table id>/...).
    LoadManager(Catalog& catalog, std::string data_dir);
    /// Checkpoints the persistent primary-key indexes that match their tables.
    ~LoadManager();

    /// Serializes the writers of one table; hold it for the whole write statement (reading the
    /// rows a DELETE or UPDATE changes, and committing). Released when destroyed.
    class TableLock {
      public:
        TableLock(std::shared_ptr<std::mutex> mutex) : mutex_(std::move(mutex)), lock_(*mutex_) {}

      private:
        std::shared_ptr<std::mutex> mutex_;
        std::unique_lock<std::mutex> lock_;
    };
    TableLock LockTable(int64_t table_id);

    /// Writes `rows` (full-width chunks in the table's column order; their live rows are loaded)
    /// as one load transaction, applying the table's model. The caller holds LockTable.
    /// Throws IOError (nothing visible) when the segment cannot be written or committed.
    LoadResult Load(const TableInfo& table, const TableSchema& schema, std::vector<Chunk>& rows,
                    const LoadOptions& options);

    /// Starts a load whose batches are pushed (see LoadBatchWriter).
    std::unique_ptr<LoadBatchWriter> StartLoad(const TableInfo& table, const TableSchema& schema,
                                               const LoadOptions& options);
    /// The same, pulling the batches: `next` fills one and returns false at the end.
    LoadResult LoadBatches(const TableInfo& table, const TableSchema& schema,
                           const std::function<bool(std::vector<Chunk>&)>& next, const LoadOptions& options,
                           const std::function<std::string()>& before_commit);

    /// Deletes rows by position as one transaction. Each chunk's column 0 holds row ids (from a
    /// `__row_id` scan); for Primary Key tables columns 1.. hold the rows' key columns. The caller
    /// holds LockTable and read the rows at the current version.
    LoadResult DeleteRows(const TableInfo& table, const TableSchema& schema, const std::vector<Chunk>& rows,
                          const std::string& label);

    /// Replaces the rowsets `inputs` of version `before` (the current one; the caller holds
    /// LockTable) with one rowset of `rows`, their merged live rows in input order (compaction).
    void ReplaceRowsets(const TableInfo& table, const TableSchema& schema, std::vector<Chunk>& rows,
                        const std::vector<int64_t>& inputs, const std::shared_ptr<const TableVersion>& before,
                        const std::string& partition, uint32_t bucket);

    /// Compaction without holding LockTable while rows merge and the segment is written (tables
    /// whose merged rows do not depend on rowset order): WriteCompacted writes the merged rows'
    /// segment (nullopt when no row is left); CommitCompacted, under LockTable, replaces `inputs`
    /// with it when each input is still in the table with the delete vector it had in `before`
    /// (else it removes the segment and returns false: a load changed them meanwhile).
    std::optional<LoadCommit::NewRowset> WriteCompacted(const TableInfo& table, const TableSchema& schema,
                                                        std::vector<Chunk>& rows, const std::string& partition,
                                                        uint32_t bucket);
    bool CommitCompacted(const TableInfo& table, std::optional<LoadCommit::NewRowset> rowset,
                         const std::vector<int64_t>& inputs, const std::shared_ptr<const TableVersion>& before);

    /// Schema change: replaces every rowset of the table with `rows` (per partition name, in the
    /// new schema) and its definition with `definition`, in one commit. Caller holds LockTable.
    void RewriteTable(const TableInfo& table, const TableSchema& schema, const std::string& definition,
                      std::vector<std::pair<std::string, std::vector<Chunk>>>& rows);

    /// Called with the table id after each load commits (the compactor listens).
    void SetCommitListener(std::function<void(int64_t)> listener) { listener_ = std::move(listener); }

    /// Removes every row of the table (TRUNCATE TABLE) as one transaction.
    /// With `partitions`, only their rows (TRUNCATE TABLE t PARTITION (...)).
    LoadResult Truncate(const TableInfo& table, const std::string& label,
                        const std::vector<std::string>& partitions = {});

    /// A change stream's truncate (Debezium op 't') as one transaction with `also`: without
    /// `before`, every row goes; with it (Primary Key tables), the rows whose `column` (the
    /// source position) is older than `before` or NULL go, and `before` fences the whole table
    /// (an upsert or delete older than it is dropped later, as a delete fence drops one key's).
    /// The caller holds LockTable.
    LoadResult TruncateOlder(const TableInfo& table, const TableSchema& schema, std::optional<int64_t> before,
                             int column, const std::string& label, const std::function<void(MetaStore&)>& also);

    /// Drops the partitions beyond the table's `partition_live_number` (TTL). Caller holds LockTable.
    void EnforcePartitionTtl(const TableInfo& table, const TableSchema& schema);

    /// Forgets a dropped table's in-memory state.
    void ForgetTable(int64_t table_id);

    /// A label for a load that was not given one.
    static std::string NewLabel(const char* prefix);

    /// Transactions (load commits) and compactions since start, for GET /metrics.
    struct Counters {
        std::atomic<uint64_t> committed{0}, failed{0}, compactions{0}, compacted_rowsets{0};
    };
    const Counters& counters() const { return counters_; }

  private:
    struct TableState {
        std::shared_ptr<std::mutex> mutex = std::make_shared<std::mutex>();
        std::unique_ptr<PrimaryKeyIndex> pk_index;  // built on first use
        /// The version the index describes; a different current version (the table was dropped
        /// and its id reused, or the index could not be maintained) means rebuild.
        std::shared_ptr<const TableVersion> index_version;
        /// Delete fences (Catalog::DeleteFences) as committed, read on first use by a conditional
        /// load that deletes or finds no stored row.
        std::optional<std::map<std::string, int64_t>> fences;
    };
    /// The table's primary-key index, built or rebuilt when it does not match the current version.
    PrimaryKeyIndex& Index(const TableInfo& table, const TableSchema& schema, TableState& state);
    std::shared_ptr<TableState> State(int64_t table_id);
    /// Where a table's persistent primary-key index lives.
    std::string IndexDirectory(int64_t table_id) const;
    /// Builds the index from the table's current version.
    void BuildIndex(const TableInfo& table, const TableSchema& schema, TableState& state);
    /// Writes chunks as a durable segment; returns (relative path, size, rows).
    /// Writes the live rows of `rows` as one durable segment, sorted by the table's sort key (so
    /// zone maps prune key ranges). `order`, when given, receives the permutation: written row p
    /// is live row order[p] of the chunks taken in sequence.
    LoadCommit::NewRowset WriteSegment(const TableInfo& table, const TableSchema& schema,
                                       const std::vector<Chunk>& rows, std::vector<uint32_t>* order = nullptr);

    std::vector<int64_t> Commit(const TableInfo& table, const LoadCommit& commit);
    friend class AppendWriter;
    friend class PrimaryKeyWriter;

    Catalog& catalog_;
    Counters counters_;
    std::string data_dir_;
    std::function<void(int64_t)> listener_;
    std::mutex mutex_;
    std::map<int64_t, std::shared_ptr<TableState>> tables_;
};

/// The writer of a Primary Key load (primary_key_load.cpp).
std::unique_ptr<LoadBatchWriter> StartPrimaryKeyLoad(LoadManager& loads, const TableInfo& table,
                                                     const TableSchema& schema, const LoadOptions& options);

/// The delete-fence key under which an ordered truncate's position fences every row of a table,
/// for loads ordered by `column` (its merge_condition).
std::string TruncateFenceKey(const std::string& column);

/// Positions of a table's key columns in its schema.
std::vector<size_t> KeyColumnIndexes(const TableSchema& schema);

}  // namespace floe
