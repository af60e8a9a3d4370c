#pragma once
/// An Iceberg table's metadata file (spec "Table Metadata", format versions 1 to 3), parsed and
/// validated. ParseTableMetadata reads the JSON (or its gzip form, detected by the magic bytes,
/// not the file name), fills the v2 view of v1 fields (the single `schema`, the bare
/// `partition-spec` list, embedded `manifests`, an implied `main` branch), and refuses files
/// that break the spec's requirements for their version with an IOError that names the file and
/// the field. Statistics entries are kept as raw JSON; an `encryption-keys` list only sets
/// `encrypted`, so the reader can refuse the table with a clear message.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lake/iceberg/iceberg_types.h"
#include "lake/iceberg/name_mapping.h"
#include "lake/iceberg/transforms.h"

namespace floe::iceberg {

/// The newest table format version this reader understands.
constexpr int kMaxFormatVersion = 3;

struct Snapshot {
    int64_t snapshot_id = 0;
    std::optional<int64_t> parent_snapshot_id;
    int64_t sequence_number = 0;  ///< 0 in v1
    int64_t timestamp_ms = 0;
    /// The manifest list; empty when a v1 snapshot embeds `manifests` instead.
    std::string manifest_list;
    /// v1's embedded manifest paths (no manifest list).
    std::vector<std::string> manifests;
    /// The summary, `operation` included.
    std::map<std::string, std::string> summary;
    std::optional<int32_t> schema_id;
    std::optional<int64_t> first_row_id;  ///< v3 row lineage
    std::optional<int64_t> added_rows;    ///< v3 row lineage
    std::optional<std::string> key_id;    ///< v3 encryption key of the manifest list

    /// summary["operation"], or "" when absent (v1).
    std::string operation() const;
};

struct SnapshotRef {
    enum class Kind : uint8_t { BRANCH, TAG };
    int64_t snapshot_id = 0;
    Kind kind = Kind::BRANCH;
    std::optional<int32_t> min_snapshots_to_keep;
    std::optional<int64_t> max_snapshot_age_ms;
    std::optional<int64_t> max_ref_age_ms;
};

struct SnapshotLogEntry {
    int64_t timestamp_ms = 0;
    int64_t snapshot_id = 0;
};

struct MetadataLogEntry {
    int64_t timestamp_ms = 0;
    std::string metadata_file;
};

struct SortField {
    Transform transform;
    int32_t source_id = 0;
    std::vector<int32_t> source_ids;
    bool ascending = true;
    bool nulls_first = true;
};

struct SortOrder {
    int32_t order_id = 0;
    std::vector<SortField> fields;
};

struct TableMetadata {
    int format_version = 0;
    std::string table_uuid;  ///< may be empty in v1
    std::string location;
    int64_t last_sequence_number = 0;
    int64_t last_updated_ms = 0;
    int32_t last_column_id = 0;
    std::vector<Schema> schemas;
    int32_t current_schema_id = 0;
    std::vector<PartitionSpec> partition_specs;
    int32_t default_spec_id = 0;
    int32_t last_partition_id = 0;
    std::map<std::string, std::string> properties;
    std::optional<int64_t> current_snapshot_id;  ///< none for -1 or null
    std::vector<Snapshot> snapshots;
    std::vector<SnapshotLogEntry> snapshot_log;
    std::vector<MetadataLogEntry> metadata_log;
    std::vector<SortOrder> sort_orders;
    int32_t default_sort_order_id = 0;
    /// Branches and tags; `main` is filled in from current_snapshot_id when refs are absent.
    std::map<std::string, SnapshotRef> refs;
    std::vector<std::string> statistics_json;            ///< raw `statistics` entries
    std::vector<std::string> partition_statistics_json;  ///< raw `partition-statistics` entries
    std::optional<int64_t> next_row_id;                  ///< v3
    /// The table has `encryption-keys`: its files cannot be read without a key manager.
    bool encrypted = false;
    /// Parsed `schema.name-mapping.default`, when the property is present.
    std::optional<NameMapping> name_mapping;

    const Schema& current_schema() const;
    const Schema* FindSchema(int32_t schema_id) const;
    const PartitionSpec& default_spec() const;
    const PartitionSpec* FindSpec(int32_t spec_id) const;
    const Snapshot* FindSnapshot(int64_t snapshot_id) const;
    /// The current snapshot, or nullptr for a table without one.
    const Snapshot* current_snapshot() const;
    /// The schema to read `snapshot` with: its own schema-id when it has one, else the current.
    const Schema& SchemaFor(const Snapshot& snapshot) const;
    /// The snapshot current at `timestamp_ms` according to the snapshot log (the last entry at or
    /// before it), or nullptr when the table had none then.
    const Snapshot* SnapshotAsOf(int64_t timestamp_ms) const;
};

/// Parses a metadata file's bytes: JSON text, or gzip-compressed JSON (detected by 1f 8b).
/// `what` names the file in errors. Throws IOError for invalid JSON, an unsupported format version
/// and missing or inconsistent required fields.
TableMetadata ParseTableMetadata(std::string_view json_or_gzip_bytes, const std::string& what);

/// Inflates gzip (or zlib) bytes; IOError naming `what` when they are corrupt. A size limit guards
/// against decompression bombs.
std::string InflateMetadata(std::string_view compressed, const std::string& what);

/// Parses a partition spec's fields array (the v1 `partition-spec` key, and the `partition-spec`
/// key of a manifest's Avro header).
std::vector<PartitionField> ParsePartitionFieldsJson(std::string_view json_text, const std::string& what);

/// The parsers of the metadata file's parts, for documents that carry one part alone (the REST
/// catalog's add-spec, add-sort-order and add-snapshot updates). `context`
/// names the part in errors ("updates[2].spec").
PartitionSpec ParsePartitionSpecJson(simdjson::dom::element json, const std::string& what, const std::string& context);
SortOrder ParseSortOrderJson(simdjson::dom::element json, const std::string& what, const std::string& context);
Snapshot ParseSnapshotJson(simdjson::dom::element json, const std::string& what, const std::string& context,
                           int format_version);

}  // namespace floe::iceberg
