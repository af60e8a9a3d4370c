#pragma once
/// Iceberg table upkeep that needs no query engine: which snapshots an expiry removes and which
/// files that frees, which files under a table's location no metadata reaches (orphans), which
/// data files a compaction rewrites, and a table's health (file sizes, deletes, manifests,
/// snapshots, sort overlap) with its class. server/lake_maintenance.h runs them as procedures and
/// in the background.
///
/// Paths are compared after normalisation (file:// stripped, s3a:// and s3n:// read as s3://),
/// and only files under the table's own location are ever offered for deletion: a table that
/// names files elsewhere (imported with add_files, or another table's) never loses them here.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "io/file_system.h"
#include "lake/iceberg/manifest.h"
#include "lake/iceberg/table_metadata.h"

namespace floe::iceberg {

/// `path` for comparison: no file:// scheme, s3a/s3n as s3, no trailing '/'.
std::string ComparablePath(std::string_view path);
/// Whether `path` lies under `location` (both compared as ComparablePath).
bool UnderLocation(std::string_view path, std::string_view location);

// ---- Snapshot expiry (Iceberg's ExpireSnapshots / RemoveSnapshots) ----

struct ExpireOptions {
    int64_t now_ms = 0;
    /// Snapshots older than this may go (history.expire.max-snapshot-age-ms: 5 days ago).
    int64_t older_than_ms = 0;
    /// Ancestors of each branch head always kept, head included (history.expire.min-snapshots-to-keep: 1).
    int retain_last = 1;
    /// Snapshots to expire explicitly (still never a branch head or a tagged one).
    std::set<int64_t> snapshot_ids;
    /// Snapshots that must stay (a tiering boundary's snapshot and everything after it).
    std::set<int64_t> protect;
    /// A snapshot that was main's current one until less than this long ago stays (queries bound
    /// to it may still run); 0: none.
    int64_t recent_ms = 0;
};

/// The snapshots an expiry removes from `m` (branch heads, tagged snapshots, the retained
/// ancestors of each branch and protected ones stay) and the refs whose max-ref-age passed.
struct ExpirePlan {
    std::set<int64_t> snapshots;
    std::set<std::string> refs;
};
ExpirePlan PlanExpiry(const TableMetadata& m, const ExpireOptions& options);
/// `m` without the plan's snapshots (and their snapshot-log entries) and refs.
TableMetadata ApplyExpiry(const TableMetadata& m, const ExpirePlan& plan);

/// A file a maintenance action deletes (or, dry run, would delete).
struct FileToDelete {
    std::string path;
    enum class Kind : uint8_t { DATA, POSITION_DELETES, EQUALITY_DELETES, MANIFEST, MANIFEST_LIST, OTHER } kind;
    int64_t size = 0;
};

/// The files `before`'s snapshots reach that `after`'s no longer do (after an expiry committed
/// `after`): manifest lists, manifests and data / delete files under the table's location.
/// Throws IOError when a manifest of a snapshot that stays cannot be read (deleting without
/// knowing what stays would be unsafe).
std::vector<FileToDelete> FilesFreedByExpiry(const TableMetadata& before, const TableMetadata& after);

// ---- Orphan files ----

/// The files of `listed` (a listing of the table's location) that no metadata of `m` reaches —
/// not the current or a logged metadata file, a version hint, a statistics file, a manifest list,
/// manifest, data or delete file of any snapshot — and that were last modified before
/// `older_than_ms`. Throws IOError when a manifest list or manifest cannot be read.
std::vector<FileInfo> FindOrphans(const std::string& metadata_location, const TableMetadata& m,
                                  const std::vector<FileInfo>& listed, int64_t older_than_ms);

// ---- Compaction planning ----

struct CompactionOptions {
    int64_t target_file_size = int64_t{512} << 20;
    int64_t min_file_size = 0;  ///< 0: 75% of the target
    int64_t max_file_size = 0;  ///< 0: 180% of the target
    int min_input_files = 5;
    double delete_ratio_threshold = 0.3;
    bool rewrite_all = false;
    bool sort = false;  ///< sort strategy: every file of a chosen partition is rewritten
    /// Only these data files may be rewritten (a WHERE); empty: every live one.
    std::optional<std::set<std::string>> only_files;
    /// Only files whose data sequence number is at most this (tiering: files committed up to the
    /// snapshot queries read); empty: any.
    std::optional<int64_t> max_sequence_number;
};

/// The data files of one partition that a compaction rewrites together, and the delete files
/// that go with them (every data file they could apply to is rewritten).
struct CompactionGroup {
    int32_t spec_id = 0;
    std::string partition;  ///< printable partition ("day=2026-12-01"; "" unpartitioned)
    std::vector<std::string> data_files;
    std::set<std::string> delete_files;
    int64_t bytes = 0, records = 0;
};

/// The groups worth rewriting in the current snapshot of `m`.
std::vector<CompactionGroup> PlanCompaction(const TableMetadata& m, const CompactionOptions& options);

/// The live delete files of the current snapshot that may apply to some of `data_files` and to
/// no other live data file: once those data files are rewritten (their deletes applied), these
/// go with them (copy-on-write).
std::set<std::string> DeleteFilesOnlyFor(const TableMetadata& m, const std::set<std::string>& data_files);

// ---- Health ----

struct TableHealth {
    int64_t data_files = 0, delete_files = 0, equality_delete_files = 0, position_delete_files = 0;
    int64_t data_bytes = 0, delete_bytes = 0, records = 0, deleted_rows = 0;
    int64_t small_files = 0, partitions = 0, max_files_in_partition = 0;
    int64_t snapshots = 0, manifests = 0;
    double avg_file_bytes = 0, small_file_share = 0, delete_ratio = 0;
    /// Overlap depth of data files' ranges on the first sort column, worst partition (1: sorted);
    /// none without a sort order (or bounds).
    std::optional<int64_t> sort_overlap;
    std::string sort_column;
    int64_t target_file_size = 0;
    std::string health;  ///< healthy | warning | critical
    std::string reason;
};

/// Health of the current snapshot of `m` by the thresholds of docs/lake-maintenance.md.
TableHealth ComputeHealth(const TableMetadata& m);

/// A table's numeric property, or `fallback` when absent or not a number.
int64_t TablePropertyInt(const TableMetadata& m, const std::string& key, int64_t fallback);

}  // namespace floe::iceberg
