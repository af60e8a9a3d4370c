#pragma once
/// An Iceberg table at one snapshot, as a TableSource: its schema (the snapshot's), its row
/// estimate (the snapshot summary), and scan planning. PlanScan reads the manifest list, skips
/// manifests whose partition summaries rule the filters out, reads the rest, skips data files
/// whose partition values (through each spec's transforms) or column bounds and null counts rule
/// the filters out, and assigns delete files to the data files they apply to by the spec's
/// sequence-number and partition rules. The result is an IcebergScanPlan (scan_plan.h).

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "catalog/table_source.h"
#include "lake/iceberg/scan_plan.h"
#include "lake/iceberg/table_metadata.h"
#include "types/time_zone.h"

namespace floe::iceberg {

/// Maps the locations a table's metadata writes to paths Floe can read: the table's own
/// `location` prefix (with or without a scheme and authority) to the directory the catalog found
/// the table in (tables copied or moved keep working, as Iceberg Java's hadoop tables do), the
/// catalog's explicit rewrites (property 'location.rewrite' = 'from=>to;from2=>to2'), file: URLs to
/// plain paths, and relative paths (not valid in format v1–v3, but some writers produce them)
/// against the nearest ancestor of the table directory that holds them.
class LocationResolver {
  public:
    LocationResolver() = default;
    LocationResolver(std::string table_location, std::string table_dir,
                     std::vector<std::pair<std::string, std::string>> rewrites);
    std::string Resolve(const std::string& path) const;

  private:
    std::string location_;  // normalised (no file: scheme, no "./", no trailing '/')
    std::string table_dir_;
    std::vector<std::pair<std::string, std::string>> rewrites_;  // longest prefix first
    mutable std::string relative_base_;                          // found on first use
};

/// Parses 'from=>to;from2=>to2'.
std::vector<std::pair<std::string, std::string>> ParseLocationRewrites(const std::string& text);

/// How a query names the snapshot it reads (FOR VERSION / TIMESTAMP AS OF).
struct SnapshotSelector {
    enum class Kind : uint8_t { CURRENT, VERSION, TIMESTAMP };
    Kind kind = Kind::CURRENT;
    std::string value;            // snapshot id digits, ref name, or timestamp text
    bool numeric = false;         // VERSION given as a number
    bool current_schema = false;  // read the snapshot with the table's current schema
    int64_t timestamp_ms = 0;     // TIMESTAMP: resolved by the caller (session time zone)
    /// The session's time zone when it is not UTC: timestamptz columns are shown in it.
    std::optional<TimeZone> time_zone;
    /// Read only the data files the snapshots after this one added (0: after none, from the
    /// first) — an incremental MV refresh. Every such snapshot must be an append and this one an
    /// ancestor of the snapshot read; otherwise the table cannot be opened (NotSupportedError).
    std::optional<int64_t> appended_after;
};

/// A partition of an Iceberg table as materialized views track it (IcebergTable::TrackedPartitions).
struct TrackedPartition {
    std::string name;                         // "day=2024-01-01"
    std::optional<std::string> lower, upper;  // the source column's first and last value in it (inclusive)
    std::string fingerprint;                  // changes whenever the partition's live files do
};
struct TrackedPartitions {
    std::string source_column;  // the column the spec partitions by
    std::vector<TrackedPartition> partitions;
};

class IcebergTable : public TableSource {
  public:
    /// `name` is catalog.db.table. Throws CatalogError when `selector` names no snapshot, IOError
    /// for an encrypted table.
    IcebergTable(std::string name, std::shared_ptr<const TableMetadata> metadata, std::string metadata_path,
                 const SnapshotSelector& selector, LocationResolver resolver);

    std::string kind() const override { return "ICEBERG"; }
    std::string name() const override { return name_; }
    const std::vector<SourceColumn>& columns() const override { return columns_; }
    /// `_file` (the data file's path as the manifest names it) and `_pos` (the row's position in it).
    std::vector<SourceColumn> metadata_columns() const override;
    int64_t EstimatedRows() const override;
    int64_t SnapshotId() const override { return snapshot_ ? snapshot_->snapshot_id : 0; }
    /// For integer and date columns: the span of the data files' bounds (max - min + 1), at most
    /// the row count; -1 for other columns. The manifests are read once, on the first call.
    double DistinctEstimate(size_t column) const override;
    std::shared_ptr<const ScanPlan> PlanScan(const std::vector<size_t>& columns,
                                             const std::vector<ScanFilter>& filters) const override;

    const TableMetadata& metadata() const { return *metadata_; }
    const std::string& metadata_path() const { return metadata_path_; }
    /// The snapshot read (null: the table has none, and reads as empty).
    const Snapshot* snapshot() const { return snapshot_; }
    const Schema& schema() const { return *schema_; }
    const LocationResolver& resolver() const { return resolver_; }
    /// The manifests of the snapshot (the embedded list of a v1 snapshot without a manifest list
    /// becomes data manifests of spec 0).
    std::vector<struct ManifestFile> Manifests() const;
    /// The snapshot's live files by partition, for MV refreshes that recompute only what changed:
    /// when every live file is in the current spec and that spec is one time transform (year,
    /// month, day or hour of a DATE or TIMESTAMP column, or identity of a DATE column); nullopt
    /// otherwise. Cached per metadata file and snapshot.
    std::optional<TrackedPartitions> PartitionsForTracking() const;

  private:
    std::string name_;
    std::shared_ptr<const TableMetadata> metadata_;
    std::string metadata_path_;
    const Snapshot* snapshot_ = nullptr;
    const Schema* schema_ = nullptr;
    std::vector<SourceColumn> columns_;
    LocationResolver resolver_;
    std::optional<TimeZone> time_zone_;
    /// SnapshotSelector::appended_after: the snapshots whose data files are read.
    std::optional<std::set<int64_t>> added_by_;
    mutable std::once_flag distinct_once_;
    mutable std::vector<double> distinct_;  // per column, from DistinctEstimate's first call
};

/// Reads a whole file through io/ (metadata, manifest lists, manifests); local paths must lie
/// under the file roots.
std::string ReadFileBytes(const std::string& path);
/// `path`, after checking that a local one lies under the file roots (PermissionError otherwise).
std::string CheckReadable(const std::string& path);

}  // namespace floe::iceberg
