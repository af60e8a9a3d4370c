#pragma once
/// Commits changes to one Iceberg table with the spec's optimistic protocol (spec "Commit
/// Conflict Resolution and Retry"; Iceberg Java's SnapshotProducer):
///
///   1. the change's new files (data files, position-delete files) are written once, into new
///      manifests whose ADDED entries carry the new snapshot id and null sequence numbers, so that
///      every attempt reuses them;
///   2. each attempt starts from the table's current metadata: it takes sequence number
///      last-sequence-number + 1, carries the current snapshot's manifests over (rewriting those
///      that hold files an overwrite removes: their entries become DELETED with the new snapshot
///      id, the others EXISTING, both with their explicit sequence numbers), writes the manifest
///      list `snap-<id>-<attempt>-<uuid>.avro` and the new metadata (snapshot with its summary,
///      refs.main, logs, last-sequence-number, v3 next-row-id), and asks the catalog to swap it in;
///   3. when another writer won the race (CommitFailedError) the attempt's own files are deleted,
///      the table is reloaded, the change re-validated (position deletes need every data file they
///      reference still live; everything else applies to whatever is current) and the commit
///      retried after a backoff, `commit.retry.num-retries` times (default 4). A change that no
///      longer applies fails with a clear message, never silently.
///
/// Metadata-only changes (schema, spec, properties, refs) go through CommitMetadataChange, which
/// re-applies the change to each reloaded version.
///
/// A change that removes data files (copy-on-write, compaction) fails without retrying when a
/// concurrent commit added a delete that may apply to one of them (Iceberg Java's
/// validateNoNewDeletesForDataFiles): the replacement would resurrect the deleted rows.
///
/// Files Floe deletes are only those it wrote for this change; nothing is deleted when the
/// outcome of a swap is unknown (an IOError that is not a CommitFailedError).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lake/iceberg/iceberg_catalog.h"
#include "lake/iceberg/manifest.h"
#include "lake/iceberg/table_metadata.h"

namespace floe::iceberg {

/// A table's current metadata and the file it came from.
struct TableState {
    std::string metadata_location;
    std::shared_ptr<const TableMetadata> metadata;
};

/// Reads the table's current state again (after a lost race).
using TableLoader = std::function<TableState()>;

/// A new snapshot id: the xor of a random uuid's halves, made positive (Iceberg Java's rule).
int64_t NewSnapshotId();

/// The current time in milliseconds since the epoch.
int64_t NowMillis();

/// The manifest list / manifests of `snapshot` as written (paths read as they are stored).
std::vector<ManifestFile> ReadSnapshotManifests(const TableMetadata& metadata, const Snapshot& snapshot);

class TableTransaction {
  public:
    /// What an overwrite removes before the new files are added.
    enum class Overwrite : uint8_t {
        NONE,        ///< append only
        ALL,         ///< every live data and delete file (INSERT OVERWRITE of the whole table)
        PARTITIONS,  ///< live files of the partitions the added data files belong to (dynamic)
    };

    TableTransaction(IcebergCatalog& catalog, std::string ns, std::string table, TableState base, TableLoader reload);
    ~TableTransaction();
    TableTransaction(const TableTransaction&) = delete;
    TableTransaction& operator=(const TableTransaction&) = delete;

    /// New data files (from DataFileWriter, written against the base's current schema and default spec).
    void AddDataFiles(std::vector<DataFile> files);
    /// New position-delete files, each in the partition (spec `spec_ids[i]`) of the data file it
    /// deletes rows of; `referenced` names those data files (they must still be live when the
    /// commit lands).
    void AddDeleteFiles(std::vector<DataFile> files, std::vector<int32_t> spec_ids, std::set<std::string> referenced);
    /// Live data files to remove (copy-on-write): they must still be live when the commit lands.
    void RemoveDataFiles(std::set<std::string> paths);
    /// Live delete files (position or equality deletes) to remove, e.g. those of a commit being undone.
    void RemoveDeleteFiles(std::set<std::string> paths) { removed_delete_files_.insert(paths.begin(), paths.end()); }
    /// v3: the data files that get a new deletion vector, and the live ones (Puffin path, data
    /// file) it replaces (and absorbed). The replaced ones must still be live, and no other
    /// deletion vector for those data files may have landed meanwhile (CommitFailedError).
    void ReplaceDeletionVectors(std::set<std::string> data_files,
                                std::set<std::pair<std::string, std::string>> replaced);
    void SetOverwrite(Overwrite overwrite) { overwrite_ = overwrite; }
    /// An extra snapshot summary entry (e.g. routine-load offsets).
    void SetSummary(const std::string& key, const std::string& value) { extra_summary_[key] = value; }
    /// The snapshot's operation instead of the one derived from the change ("replace": a
    /// compaction or manifest rewrite that leaves the table's rows as they are).
    void SetOperation(std::string operation) { operation_ = std::move(operation); }
    /// The data files added so far are sorted by sort order `order_id` (manifest field 140).
    void MarkSorted(int32_t order_id) {
        for (auto& f : data_files_) f.sort_order_id = order_id;
    }
    /// Rewrites the live entries of the current snapshot's manifests into fewer manifests,
    /// clustered by partition, of about `commit.manifest.target-size-bytes` (8 MiB) each
    /// (rewrite_manifests). Entries keep their snapshot ids and sequence numbers.
    void SetRewriteManifests(bool rewrite) { rewrite_manifests_ = rewrite; }
    /// At least `retries` retries, waiting from `min_wait_ms` (maintenance: its commits are slower
    /// than the appends they race, so it retries more and sooner than commit.retry.* says).
    void SetMinimumRetries(int retries, int64_t min_wait_ms) {
        min_retries_ = retries;
        retry_wait_ms_ = min_wait_ms;
    }
    /// How many manifests the last attempt replaced and wrote (rewrite_manifests).
    std::pair<int64_t, int64_t> manifests_rewritten() const { return {manifests_replaced_, manifests_written_}; }

    /// Commits; returns the new state. Throws CommitFailedError when the retries ran out or the
    /// change no longer applies, IOError / NotSupportedError for other failures. After a failure
    /// nothing this transaction wrote is left behind except when the outcome is unknown.
    TableState Commit();

    /// After Commit() threw: whether the last swap may have happened (an error during the swap
    /// other than a lost race). The caller must then keep the files the change added.
    bool outcome_unknown() const { return swapping_ && !committed_; }

    /// The snapshot id the commit creates (fixed for all attempts).
    int64_t snapshot_id() const { return snapshot_id_; }

  private:
    /// Builds and swaps one attempt on `base`; throws CommitFailedError when it lost the race.
    TableState TryCommit(const TableState& base, int attempt, std::vector<std::string>& attempt_files);
    void WriteNewManifests(const TableMetadata& base);
    /// rewrite_manifests: the live entries of `carried`, regrouped into new manifests (appended to `out`).
    void RegroupManifests(const TableMetadata& base, const std::vector<ManifestFile>& carried, int64_t sequence,
                          const std::string& dir, int attempt, std::vector<std::string>& attempt_files,
                          std::vector<ManifestFile>& out);
    void DeleteQuietly(const std::vector<std::string>& paths);

    IcebergCatalog& catalog_;
    std::string ns_;
    std::string table_;
    TableState base_;
    TableLoader reload_;
    std::string commit_uuid_;
    int64_t snapshot_id_;
    std::vector<DataFile> data_files_;
    std::vector<DataFile> delete_files_;
    std::vector<int32_t> delete_spec_ids_;
    std::set<std::string> referenced_data_files_;
    std::set<std::string> removed_data_files_;
    std::set<std::string> removed_delete_files_;
    std::set<std::string> dv_targets_;
    std::set<std::pair<std::string, std::string>> replaced_dvs_;
    Overwrite overwrite_ = Overwrite::NONE;
    std::map<std::string, std::string> extra_summary_;
    std::string operation_;
    bool rewrite_manifests_ = false;
    int min_retries_ = 0;
    int64_t retry_wait_ms_ = 0;
    int64_t manifests_replaced_ = 0, manifests_written_ = 0;
    /// A conflict retrying cannot resolve (a concurrent delete of rows in a file this commit
    /// replaces): Commit() gives up at once.
    bool fatal_conflict_ = false;
    /// Manifests holding the new files, written once (path and list entry without sequence numbers).
    std::vector<ManifestFile> new_manifests_;
    int32_t written_for_spec_ = -1;
    int32_t written_for_schema_ = -1;
    bool committed_ = false;
    bool swapping_ = false;
};

/// Creates table `ns`.`table` with `metadata` (a fresh TableMetadata without snapshots); returns
/// its state. Throws CommitFailedError when a table of that name exists.
TableState CreateTableMetadata(IcebergCatalog& catalog, const std::string& ns, const std::string& table,
                               const TableMetadata& metadata);

/// Applies `change` to the current metadata (reloaded and re-applied after a lost race) and
/// commits it; the change returns the new metadata (it need not touch last-updated-ms or the
/// metadata log). Throws what `change` throws, or CommitFailedError when the retries ran out.
TableState CommitMetadataChange(IcebergCatalog& catalog, const std::string& ns, const std::string& table,
                                TableState base, const TableLoader& reload,
                                const std::function<TableMetadata(const TableMetadata&)>& change, int min_retries = 0,
                                int64_t min_wait_ms = 0);

}  // namespace floe::iceberg
