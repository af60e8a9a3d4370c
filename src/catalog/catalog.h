#pragma once
/// The catalog: databases, users, persisted global variables (and, in later issues, tables,
/// partitions, views, MVs and external catalogs). Every change is written through the MetaStore
/// before the call returns, so it survives a crash or restart. Thread-safe.
///
/// Errors a client can cause throw CatalogError with the matching ErrorCode:
/// DATABASE_EXISTS, DATABASE_NOT_EXISTS (DROP), UNKNOWN_DATABASE, USER_EXISTS, UNKNOWN_USER.

#include <roaring/roaring.hh>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "metastore/meta_store.h"

namespace floe {

/// The built-in database that holds SCHEMATA, TABLES, COLUMNS, ...; it is never stored.
constexpr std::string_view kInformationSchema = "information_schema";

struct DatabaseInfo {
    int64_t id = 0;
    std::string name;
    int64_t create_time = 0;  // unix seconds
};

/// A table-like object of a database. Only views exist until the storage engine adds tables.
struct TableInfo {
    int64_t id = 0;
    int64_t database_id = 0;
    std::string database;
    std::string name;
    std::string kind;                       // "VIEW"
    std::string definition;                 // for views: the query text
    std::vector<std::string> column_names;  // a view's declared column names (may be empty)
    int64_t create_time = 0;
    /// A view created `SECURITY INVOKER`: reading it also needs SELECT on what it reads (StarRocks
    /// 3.4.1+); otherwise (`SECURITY NONE`, the default) its own SELECT is enough.
    bool security_invoker = false;
};

/// A segment file that versions share. When the file is no longer part of the table (dropped,
/// overwritten, truncated) it is marked obsolete, and removed once the last version holding it
/// (a running scan's snapshot) lets go, so readers never lose a file under them.
class RowsetFile {
  public:
    using Remover = std::function<void(const std::string&)>;
    RowsetFile(std::string path, std::shared_ptr<const Remover> remove)
        : path_(std::move(path)), remove_(std::move(remove)) {}
    ~RowsetFile();
    RowsetFile(const RowsetFile&) = delete;
    RowsetFile& operator=(const RowsetFile&) = delete;
    const std::string& path() const { return path_; }  // relative to the data directory
    void MarkObsolete() { obsolete_ = true; }

  private:
    std::string path_;
    std::shared_ptr<const Remover> remove_;
    std::atomic<bool> obsolete_{false};
};

/// A partition of a partitioned table. RANGE and date_trunc partitions hold [lower, upper)
/// (canonical value texts; nullopt: unbounded); LIST and column partitions hold value tuples.
struct PartitionInfo {
    int64_t id = 0;
    std::string name;
    std::optional<std::string> lower, upper;
    std::vector<std::vector<std::string>> values;
    int64_t create_time = 0;
};

/// One committed load of a table: a segment file, its row count, and the rows deleted from it
/// since (a delete vector of row positions; null when none are).
struct RowsetInfo {
    int64_t id = 0;
    int64_t partition_id = 0;  // 0: unpartitioned table
    uint32_t bucket = 0;       // hash bucket (TableSchema::buckets); a (partition, bucket) is a tablet
    std::string path;          // relative to the data directory
    int64_t row_count = 0;
    std::shared_ptr<const Roaring> deletes;
    std::shared_ptr<RowsetFile> file;
    /// Estimated distinct non-NULL values per column, from the writer's sketches (empty for
    /// rowsets written before Floe kept them): the optimizer's statistics.
    std::vector<int64_t> distinct;
    /// The data sequence numbers (TableVersion::data_sequence) of the commits whose rows this
    /// rowset holds: one commit's for a load, the span of its inputs' for a compaction's output
    /// (0: written before Floe kept them). Incremental MV refreshes read the rowsets newer than
    /// the sequence they last consumed.
    int64_t seq_lo = 0, seq_hi = 0;
    int64_t live_rows() const { return row_count - (deletes ? static_cast<int64_t>(deletes->cardinality()) : 0); }
};

/// A hot table's tiering policy and where its boundary stands (ALTER TABLE ... SET
/// ("tiering.cold_table" = ...)): rows whose partition column is below `boundary` live in the
/// Iceberg table `cold_table`, read at `snapshot_id`; the others (and late rows that arrived for
/// moved partitions, until they are flushed) in the hot table. The state is part of the table's
/// version, so a query sees the hot rowsets and the cold snapshot of one commit: every row once.
struct TierState {
    std::string cold_catalog, cold_database, cold_table;  // the Iceberg table
    std::string cold_uuid;                                // its table-uuid (a recreated table differs)
    std::string mode = "copy";                            // "copy" (Floe moves rows) or "external"
    std::string move_after = "7 DAY";                     // as given: "<n> <unit>"
    int64_t move_after_seconds = 7 * 86400;
    std::string column;                   // the hot table's partition column
    std::optional<std::string> boundary;  // canonical text of the column's type; none: nothing moved
    int64_t snapshot_id = -1;             // copy mode: the cold snapshot queries read (-1: none yet)
    /// Primary Key tables: keys deleted by loads (`__op`) whose rows may be in the cold tier at
    /// `snapshot_id`, not yet applied there (each the key columns' value texts joined by '\x01').
    /// Queries hide their cold rows; the next move deletes those rows and clears them.
    std::vector<std::string> tombstones;
    std::string ColdName() const { return cold_catalog + "." + cold_database + "." + cold_table; }
};

/// A committed state of a table: its rowsets in commit order. Immutable: a scan pins the version
/// current when its statement was bound (MVCC) and later commits publish new versions.
struct TableVersion {
    int64_t table_id = 0;
    std::string definition;  // the table's CREATE TABLE text this version's rowsets follow
    std::vector<RowsetInfo> rowsets;
    std::vector<PartitionInfo> partitions;  // in creation order
    /// The version of each partition's rows (partition id -> version; 0 for an unpartitioned
    /// table): the table's commit number of the last commit that changed them. Compaction does
    /// not change it; a partition not listed has version 0.
    std::map<int64_t, int64_t> data_versions;
    int64_t data_sequence = 0;  // the last version number given out
    /// The data sequence of the last commit that did more than add rows (deleted or replaced
    /// rows, dropped partitions, changed the definition): rows read up to a sequence at or after
    /// it are still exactly the table's rows older than that sequence (incremental MV refresh).
    int64_t last_non_append = 0;
    /// The tiering policy and boundary (null: the table is not tiered).
    std::shared_ptr<const TierState> tier;
    int64_t live_rows() const;
    const PartitionInfo* FindPartition(std::string_view name) const;
};

/// A load job as SHOW LOAD lists it. A FINISHED label is never reused; a CANCELLED one may be.
struct LoadRecord {
    std::string database;
    std::string label;
    std::string table;
    std::string kind;   // INSERT, STREAM_LOAD, ...
    std::string state;  // FINISHED or CANCELLED
    int64_t txn_id = 0;
    int64_t total_rows = 0, loaded_rows = 0, filtered_rows = 0, unselected_rows = 0, load_bytes = 0;
    std::string error_msg, error_url;
    int64_t create_time = 0, finish_time = 0;
};

/// What one load transaction changes in a table, committed atomically by Catalog::CommitLoad.
struct LoadCommit {
    struct NewRowset {
        std::string path;  // relative to the data directory; the file must already be durable
        int64_t row_count = 0;
        int64_t size = 0;
        std::string partition;          // the partition's name; empty for unpartitioned tables
        std::vector<int64_t> distinct;  // estimated distinct values per column (empty: unknown)
        Roaring deletes;                // rows deleted already (a later row of the same load replaced them)
        uint32_t bucket = 0;            // the hash bucket of the table its rows belong to
    };
    std::string label;
    std::vector<NewRowset> rowsets;
    /// Rows newly deleted from existing rowsets (rowset id -> positions); merged with what each
    /// rowset's delete vector already holds. Rowsets no longer in the table are ignored.
    std::map<int64_t, Roaring> deletes;
    /// Replace the table's contents: every earlier rowset leaves the version (INSERT OVERWRITE,
    /// TRUNCATE TABLE).
    bool replace = false;
    /// Rowsets that leave the version (compaction's inputs); each must be in it. The new rowsets
    /// are appended after the remaining ones. A commit with `remove` rewrites rows without
    /// changing them (data versions stay).
    std::vector<int64_t> remove;
    /// Partitions created by this commit (automatic partitions of a load, ADD PARTITION).
    std::vector<PartitionInfo> create_partitions;
    /// Partitions whose rowsets leave the version (INSERT OVERWRITE / TRUNCATE ... PARTITION).
    std::vector<std::string> replace_partitions;
    /// Partitions removed with their rowsets (DROP PARTITION, TTL).
    std::vector<std::string> drop_partitions;
    /// A new table definition (schema change; the new rowsets follow it). Empty: unchanged.
    std::string new_definition;
    /// Registers `label` as a FINISHED load of the table's database in the same transaction
    /// (CommitLoad throws LABEL_ALREADY_EXISTS when it already finished); its txn_id is filled in.
    std::optional<LoadRecord> record;
    /// More changes of the meta store made in the same transaction (Routine Load records the
    /// Kafka offsets a batch consumed): they commit with the rows or not at all. It must not call
    /// back into the catalog.
    std::function<void(MetaStore&)> also;
    /// Compare-and-swap: the commit fails (CatalogError CONFLICT, nothing changed) unless each
    /// listed partition's data version is still the given one (a tier move drops exactly the rows
    /// it copied).
    std::map<int64_t, int64_t> expect_data_versions;
    /// Compare-and-swap on the cold snapshot the table's tiering state records (-1: none).
    std::optional<int64_t> expect_tier_snapshot;
    /// Sets (or, with a null value, removes) the table's tiering state in the same transaction.
    std::optional<std::shared_ptr<const TierState>> tier;
    /// Tombstones to add to / clear from the tiering state (the state's own list is ignored: the
    /// list always continues from the current version's).
    std::vector<std::string> tier_tombstones_add;
    std::vector<std::string> tier_tombstones_clear;
};

/// A Routine Load job as the meta store keeps it (CREATE ROUTINE LOAD; the manager in ingest/
/// runs it). States are StarRocks': NEED_SCHEDULE, RUNNING, PAUSED, STOPPED, CANCELLED, UNSTABLE.
struct RoutineLoadJob {
    int64_t id = 0;
    std::string database, name, table;
    /// 'load' properties (lower-case names, as Stream Load's headers: columns, where,
    /// column_separator, partitions, format, jsonpaths, max_batch_rows, ...) and 'source'
    /// properties (kafka_broker_list, kafka_topic, kafka_partitions, property.group.id, ...).
    std::map<std::string, std::string> load_properties, source_properties;
    /// The user who created the job: every batch loads with that user's rights (it pauses once
    /// they no longer include INSERT on the table). Empty for jobs created before access control.
    std::string owner;
    /// An Iceberg target (CREATE ROUTINE LOAD ... ON catalog.db.table): its external catalog and
    /// database; empty catalog: the hot table `table` of `database`.
    std::string target_catalog, target_database;
    bool external() const { return !target_catalog.empty(); }
    /// When ALTER ROUTINE LOAD last set offsets (unix ms): an Iceberg target's snapshots from
    /// before it no longer say where the job resumes.
    int64_t offsets_set_ms = 0;
    /// The target as SHOW names it: table, or catalog.database.table.
    std::string TargetName() const { return external() ? target_catalog + "." + target_database + "." + table : table; }
    std::string state = "NEED_SCHEDULE";
    std::string reason;  // why it paused, stopped or was cancelled
    int64_t create_time = 0, pause_time = 0, end_time = 0;
    int64_t loaded_rows = 0, filtered_rows = 0, unselected_rows = 0, received_bytes = 0, committed_batches = 0;
    int64_t last_commit_time = 0;        // unix milliseconds
    std::string last_error;              // the last rejected message's reason and a sample of it
    std::map<int32_t, int64_t> offsets;  // Kafka partition -> next offset to consume
};

/// What one Routine Load batch adds to its job, written in the batch's commit transaction.
struct RoutineLoadProgress {
    std::map<int32_t, int64_t> offsets;  // partition -> next offset
    int64_t loaded_rows = 0, filtered_rows = 0, unselected_rows = 0, received_bytes = 0;
    struct Error {
        int32_t partition = 0;
        int64_t offset = 0;
        std::string reason;
        std::string message;  // the raw bytes (truncated to 64 KB)
        std::string text;     // the message as text: valid UTF-8, other bytes as \xNN escapes
    };
    std::vector<Error> errors;
};

/// A message a Routine Load job could not load (information_schema.routine_load_errors).
struct RoutineLoadError {
    int64_t id = 0;
    std::string database, job;
    int32_t partition = 0;
    int64_t offset = 0;
    std::string reason, message, text;
    int64_t time = 0;
};

struct UserInfo {
    std::string name;
    std::string host = "%";
    /// mysql_native_password hash as MySQL prints it: "*" + 40 upper-case hex digits of
    /// SHA1(SHA1(password)); empty for an empty password.
    std::string auth_string;
    /// caching_sha2_password's verifier: 64 lower-case hex digits of SHA256(SHA256(password));
    /// empty for an empty password, or for a user whose password was set before Floe kept it
    /// (learned at the next login that proves the password).
    std::string sha2_auth;
    /// Login limits (MySQL 8's): after `failed_login_attempts` wrong passwords in a row the
    /// account locks for `password_lock_days` days (-1: until ACCOUNT UNLOCK); 0 disables.
    int64_t failed_login_attempts = 0;
    int64_t password_lock_days = 0;
    bool account_locked = false;       // ACCOUNT LOCK
    int64_t max_user_connections = 0;  // 0: unlimited
    /// Roles active at login: "" none (only public), "ALL", or role names joined by commas.
    std::string default_roles;
};

/// A change of a user's login limits (CREATE / ALTER USER's account options); unset fields stay.
struct UserLimitsChange {
    std::optional<int64_t> failed_login_attempts;
    std::optional<int64_t> password_lock_days;  // -1: until ACCOUNT UNLOCK
    std::optional<bool> account_locked;
    std::optional<int64_t> max_user_connections;  // 0: unlimited
};

/// An external catalog (CREATE EXTERNAL CATALOG): its name, type and StarRocks properties.
struct ExternalCatalogInfo {
    std::string name;
    std::string type;  // lower case: "iceberg"
    std::map<std::string, std::string> properties;
    std::string comment;
    int64_t create_time = 0;  // unix seconds
};

/// What one refresh of a materialized view read of one base-table partition: the fingerprint
/// of the partition's rowsets (ids and deleted-row counts; an Iceberg table's snapshot id) and
/// its bounds, so that a later refresh can tell which MV rows a changed or dropped partition
/// touched. `partition` is "" for an unpartitioned table.
struct MvBasePartition {
    std::string base;     // "db.table" (hot) or "catalog.db.table" (external)
    std::string base_id;  // the table's id (hot) or table UUID (Iceberg): a recreated table differs
    std::string partition;
    std::string fingerprint;
    std::optional<std::string> lower, upper;  // inclusive lower, exclusive upper (canonical texts)
};

/// The outcome of an MV refresh, as SHOW MATERIALIZED VIEWS reports it.
struct MvRefreshRecord {
    int64_t start = 0, finish = 0;  // unix milliseconds
    std::string state;              // SUCCESS, FAILED, SKIPPED (nothing changed)
    bool force = false;
    std::string mv_partitions, base_partitions;  // comma-separated names refreshed
    int64_t error_code = 0;
    std::string error;
    int64_t rows = 0;  // rows written
    /// Incremental refresh: the data sequence of each base table the MV's rows now hold every row
    /// up to (server/mv_incremental.h); recorded with the base state, empty when unknown.
    std::string consumed;
};

/// An asynchronous materialized view (CREATE MATERIALIZED VIEW). Its data is the hot table with
/// the same id (kind "TABLE"), queried like any table.
struct MaterializedViewInfo {
    int64_t id = 0;  // the storage table's id
    std::string database, name;
    std::string definition;        // the CREATE MATERIALIZED VIEW statement as written
    std::string query;             // the defining query's text (names resolve in `database`)
    std::string refresh_type;      // ASYNC, MANUAL or INCREMENTAL
    std::string refresh_moment;    // IMMEDIATE or DEFERRED
    int64_t start_time = 0;        // unix seconds of the first scheduled refresh (0: from creation)
    int64_t interval_seconds = 0;  // EVERY (INTERVAL ...); 0: not scheduled
    /// PARTITION BY: the MV's column and, for date_trunc('unit', col), the unit ("" for col).
    std::string partition_column, partition_unit;
    std::map<std::string, std::string> properties;  // lower-case keys
    bool active = true;
    std::string inactive_reason;
    bool inactive_by_user = false;  // ALTER ... INACTIVE: only ALTER ... ACTIVE brings it back
    std::string creator;            // user@host; refreshes run with the creator's rights
    int64_t create_time = 0;        // unix seconds
    bool refreshed = false;         // at least one refresh has completed
    int64_t refresh_time = 0;       // unix milliseconds: when the data was last brought up to date
    MvRefreshRecord last;
    /// What the last successful refresh read of each base partition.
    std::vector<MvBasePartition> bases;
    /// MvRefreshRecord::consumed of the last refresh that recorded a base state.
    std::string incremental_state;
};

/// An incremental MV's consumed position of one base (key: a hot table's id, or "iceberg:<uuid>"),
/// from the state the meta store keeps ("key=position;..."; MvRefreshRecord::consumed), and the
/// state for one base.
std::optional<int64_t> ConsumedSequence(const std::string& state, const std::string& key);
std::string ConsumedState(const std::string& key, int64_t sequence);

/// The name of the catalog of Floe's own (hot) tables.
constexpr std::string_view kDefaultCatalog = "default_catalog";

class Catalog {
  public:
    /// Opens (creating and migrating when needed) the catalog in `data_dir`/meta.db. A new
    /// catalog has the user root@'%' with an empty password.
    static std::unique_ptr<Catalog> Open(const std::string& data_dir);
    explicit Catalog(std::unique_ptr<MetaStore> store);

    // Databases. Names compare case-sensitively, as StarRocks does; information_schema is
    // listed first and cannot be created or dropped.
    std::vector<DatabaseInfo> ListDatabases();
    std::optional<DatabaseInfo> GetDatabase(std::string_view name);
    bool DatabaseExists(std::string_view name);
    /// Returns false when it existed and `if_not_exists` is set.
    bool CreateDatabase(std::string_view name, bool if_not_exists);
    /// Returns false when it did not exist and `if_exists` is set.
    bool DropDatabase(std::string_view name, bool if_exists);

    // Tables and views of a database (names compare case-insensitively).
    std::vector<TableInfo> ListTables(std::string_view database);
    std::optional<TableInfo> GetTable(std::string_view database, std::string_view name);
    std::optional<TableInfo> GetTableById(int64_t id);
    /// Creates or (with `or_replace`) replaces a view; throws TABLE_EXISTS, UNKNOWN_DATABASE.
    /// Returns false when it existed and `if_not_exists` is set.
    bool CreateView(std::string_view database, std::string_view name, const std::vector<std::string>& columns,
                    std::string_view definition, bool or_replace, bool if_not_exists, bool security_invoker = false);
    /// Throws UNKNOWN_TABLE when missing unless `if_exists`.
    bool DropView(std::string_view database, std::string_view name, bool if_exists);

    /// Creates a base table whose definition is its canonical CREATE TABLE text. Returns the new
    /// table's id, or 0 when it existed and `if_not_exists` is set.
    int64_t CreateTable(std::string_view database, std::string_view name, std::string_view definition,
                        bool if_not_exists, const std::vector<PartitionInfo>& partitions = {});
    /// Drops a table and its rowset records; its files are removed once no scan holds them.
    /// Returns false when it did not exist and `if_exists` is set.
    bool DropTable(std::string_view database, std::string_view name, bool if_exists);
    /// Commits a load transaction in one meta-store transaction and publishes the new version.
    /// Returns the ids of the new rowsets, in order. Throws UNKNOWN_TABLE if the table was dropped.
    std::vector<int64_t> CommitLoad(int64_t table_id, const LoadCommit& commit);
    /// Records a load that failed (state CANCELLED), unless its label already finished.
    void RecordFailedLoad(int64_t table_id, const LoadRecord& record);
    /// A load of `database` by label, and the most recent loads (newest first).
    std::optional<LoadRecord> GetLoad(std::string_view database, std::string_view label);
    std::vector<LoadRecord> ListLoads(std::string_view database, size_t limit = 1000);
    /// Forgets load records that finished more than `seconds` ago (label retention): their
    /// labels may be used again.
    int64_t ExpireLoads(int64_t seconds);

    /// The table's current committed version (loaded from the meta store on first use).
    std::shared_ptr<const TableVersion> GetTableVersion(int64_t table_id);
    /// Called with the relative path of a segment file that no version references any more.
    void SetFileRemover(std::function<void(const std::string&)> remove);
    /// Bytes on disk of the table's current rowsets (SHOW DATA, SHOW TIERING).
    int64_t TableBytes(int64_t table_id);
    /// Every segment path the meta store references (to sweep files of loads that never committed).
    std::vector<std::string> AllRowsetPaths();

    /// Secondary indexes of a table: (name, comma-separated columns, type).
    struct IndexInfo {
        std::string name;
        std::string columns;
        std::string type;
    };
    void CreateIndex(int64_t table_id, std::string_view name, std::string_view columns, std::string_view type);
    void DropIndex(int64_t table_id, std::string_view name);
    std::vector<IndexInfo> ListIndexes(int64_t table_id);

    /// Renames a table (or an MV's storage table) within its database; throws TABLE_EXISTS.
    void RenameTable(int64_t table_id, std::string_view new_name);

    // Materialized views (materialized_views.cpp). The MV's storage table is created first
    // (CreateTable); CreateMaterializedView adds the MV record for it.
    void CreateMaterializedView(const MaterializedViewInfo& mv);
    std::vector<MaterializedViewInfo> ListMaterializedViews();
    std::optional<MaterializedViewInfo> GetMaterializedView(int64_t id);
    std::optional<MaterializedViewInfo> GetMaterializedView(std::string_view database, std::string_view name);
    /// Drops the MV record and its storage table. False when it did not exist and `if_exists`.
    bool DropMaterializedView(std::string_view database, std::string_view name, bool if_exists);
    void SetMaterializedViewActive(int64_t id, bool active, std::string_view reason, bool by_user);
    void SetMaterializedViewProperties(int64_t id, const std::map<std::string, std::string>& properties);
    void SetMaterializedViewRefreshScheme(int64_t id, std::string_view type, int64_t start_time,
                                          int64_t interval_seconds);
    /// Records a refresh's outcome. `bases` (with a successful refresh) replaces the base state;
    /// called inside the refresh's load commit (LoadCommit::also) so data and state commit
    /// together.
    static void RecordMaterializedViewRefresh(MetaStore& store, int64_t id, const MvRefreshRecord& record,
                                              const std::vector<MvBasePartition>* bases, int64_t refresh_time);
    /// The data sequences incremental MVs consumed table `table_id` up to, ascending: compaction
    /// does not merge rowsets across them (a merged rowset would hold consumed and new rows).
    std::vector<int64_t> IncrementalBarriers(int64_t table_id);
    /// Swaps the names of two MVs (ALTER MATERIALIZED VIEW a SWAP WITH b).
    void SwapTableNames(int64_t a, int64_t b);
    /// Bumped by every change of an MV record or of any table's data (rewrite caches key on it).
    uint64_t mv_generation() const { return mv_generation_.load(); }
    void TouchMaterializedViews() { mv_generation_++; }

    // Routine Load jobs (names are unique per database, case-sensitive).
    /// Throws TABLE_EXISTS when the name is taken, UNKNOWN_DATABASE. Returns the new id.
    int64_t CreateRoutineLoad(const RoutineLoadJob& job);
    std::vector<RoutineLoadJob> ListRoutineLoads();
    std::optional<RoutineLoadJob> GetRoutineLoad(std::string_view database, std::string_view name);
    std::optional<RoutineLoadJob> GetRoutineLoadById(int64_t id);
    /// Sets the state and its reason (pause and end times follow the state).
    void SetRoutineLoadState(int64_t id, std::string_view state, std::string_view reason);
    /// ALTER ROUTINE LOAD: replaces the named properties (and, when given, partition offsets).
    void AlterRoutineLoad(int64_t id, const std::map<std::string, std::string>& load_properties,
                          const std::map<std::string, std::string>& source_properties,
                          const std::map<int32_t, int64_t>& offsets, int64_t offsets_set_ms = 0);
    /// Records a batch's progress; called inside the batch's commit (LoadCommit::also), so the
    /// offsets and counters commit with its rows.
    static void RecordRoutineLoadProgress(MetaStore& store, int64_t id, const RoutineLoadProgress& progress);

    /// Primary Key tables' delete fences: for each key a conditional load (merge_condition)
    /// deleted, the condition value of the delete; under TruncateFenceKey(column) (no row key looks
    /// like it) the position of the newest truncate ordered by that column, which fences every key. Kept for
    /// kDeleteFenceSeconds (a stale event arriving later than that can bring the row back).
    static constexpr int64_t kDeleteFenceSeconds = 7 * 24 * 3600;
    std::map<std::string, int64_t> DeleteFences(int64_t table_id);
    /// Sets and clears fences inside a load's commit (LoadCommit::also); drops expired ones.
    static void WriteDeleteFences(MetaStore& store, int64_t table_id, const std::map<std::string, int64_t>& set,
                                  const std::set<std::string>& clear);
    /// Rejected messages of every job (newest last; at most `limit` per job are kept).
    std::vector<RoutineLoadError> ListRoutineLoadErrors();

    // Users. Host patterns are kept as given ('%' by default); lookup by name matches any host.
    std::vector<UserInfo> ListUsers();
    std::optional<UserInfo> GetUser(std::string_view name);
    bool CreateUser(std::string_view name, std::string_view host, std::optional<std::string_view> password,
                    bool if_not_exists);
    bool AlterUserPassword(std::string_view name, std::string_view password, bool if_exists);
    /// Sets a password given as its mysql_native_password hash ("*" + 40 upper-case hex digits,
    /// "" for none); caching_sha2_password's verifier stays unknown until a login proves it.
    bool SetUserPasswordHash(std::string_view name, std::string_view native_hash, bool if_exists);
    bool DropUser(std::string_view name, bool if_exists);
    /// Sets the login limits `change` names; false when the user is missing and `if_exists`.
    bool SetUserLimits(std::string_view name, const UserLimitsChange& change, bool if_exists);

    // External catalogs (names compare case-sensitively; default_catalog is not one of them).
    std::vector<ExternalCatalogInfo> ListExternalCatalogs();
    std::optional<ExternalCatalogInfo> GetExternalCatalog(std::string_view name);
    /// Throws CATALOG_EXISTS unless `if_not_exists` (then returns false).
    bool CreateExternalCatalog(const ExternalCatalogInfo& info, bool if_not_exists);
    /// Throws UNKNOWN_CATALOG unless `if_exists` (then returns false).
    bool DropExternalCatalog(std::string_view name, bool if_exists);

    // Global system variables set with SET GLOBAL (name -> value text).
    std::vector<std::pair<std::string, std::string>> ListGlobalVariables();
    void SetGlobalVariable(std::string_view name, std::string_view value);

    /// mysql_native_password stored hash of `password` ("" for "").
    static std::string NativePasswordHash(std::string_view password);
    /// caching_sha2_password verifier of `password` ("" for ""): hex SHA256(SHA256(password)).
    static std::string Sha2PasswordHash(std::string_view password);
    /// Stores the caching_sha2_password verifier of a user whose password a login just proved.
    void SetUserSha2(std::string_view name, std::string_view sha2_auth);

    MetaStore& store() { return *store_; }

  private:
    std::shared_ptr<const TableVersion> LoadVersionLocked(int64_t table_id);
    std::shared_ptr<RowsetFile> MakeFile(const std::string& path);
    /// Marks the files of a table's version obsolete and forgets the version (drop).
    void RetireTableLocked(int64_t table_id);

    std::unique_ptr<MetaStore> store_;
    std::mutex mutex_;
    std::atomic<uint64_t> mv_generation_;
    std::map<int64_t, std::shared_ptr<const TableVersion>> versions_;
    std::shared_ptr<RowsetFile::Remover> remover_ = std::make_shared<RowsetFile::Remover>();
};

}  // namespace floe
