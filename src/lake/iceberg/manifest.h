#pragma once
/// Iceberg manifest lists and manifests (spec "Manifests", "Manifest Lists", "Sequence Number
/// Inheritance", "First Row ID Inheritance"), decoded from Avro into plain structs.
///
/// Every field is bound by its Iceberg field id, never by name or position: writers disagree on
/// names (v1 lists say added_data_files_count) and on which optional fields they write. Fields
/// absent from a file's schema read as null, which is how v1 files (no content, no sequence numbers)
/// are told apart. Map-typed column statistics are accepted both as Iceberg's array of {key, value}
/// records and as a real Avro map with decimal string keys.
///
/// The functions apply the spec's inheritance rules, so callers see the effective snapshot id,
/// data/file sequence numbers and first_row_id of every entry. Malformed input throws IOError whose
/// message starts with the caller's `what`.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lake/avro/avro_reader.h"

namespace floe::iceberg {

/// What a manifest tracks (manifest list field 517).
enum class ManifestContent : int32_t { DATA = 0, DELETES = 1 };
/// What a file holds (data_file field 134).
enum class DataFileContent : int32_t { DATA = 0, POSITION_DELETES = 1, EQUALITY_DELETES = 2 };
/// A manifest entry's status (field 0). Scans skip DELETED entries.
enum class EntryStatus : int32_t { EXISTING = 0, ADDED = 1, DELETED = 2 };

/// Summary of one partition field over a manifest (field 507's element, record r508).
struct FieldSummary {
    bool contains_null = false;              ///< 509
    std::optional<bool> contains_nan;        ///< 518
    std::optional<std::string> lower_bound;  ///< 510, single-value serialization
    std::optional<std::string> upper_bound;  ///< 511, single-value serialization
};

/// One manifest of a snapshot, as listed in its manifest list.
struct ManifestFile {
    std::string path;                                     ///< 500
    int64_t length = 0;                                   ///< 501
    int32_t partition_spec_id = 0;                        ///< 502
    ManifestContent content = ManifestContent::DATA;      ///< 517 (v1: DATA)
    int64_t sequence_number = 0;                          ///< 515 (v1: 0)
    int64_t min_sequence_number = 0;                      ///< 516 (v1: 0)
    int64_t added_snapshot_id = 0;                        ///< 503
    std::optional<int32_t> added_files_count;             ///< 504; null means unknown (v1)
    std::optional<int32_t> existing_files_count;          ///< 505
    std::optional<int32_t> deleted_files_count;           ///< 506
    std::optional<int64_t> added_rows_count;              ///< 512
    std::optional<int64_t> existing_rows_count;           ///< 513
    std::optional<int64_t> deleted_rows_count;            ///< 514
    std::optional<std::vector<FieldSummary>> partitions;  ///< 507, one per partition field
    std::optional<std::string> key_metadata;              ///< 519 (set: the manifest is encrypted)
    std::optional<int64_t> first_row_id;                  ///< 520 (v3 data manifests)
    /// The table format version the list was read under (ReadManifestList's argument).
    int format_version = 1;
};

/// One partition value of a data file: the partition field's id (from the Avro field-id; writers
/// that omit it get 1000 + position, the v1 numbering) and name, and the value as decoded from Avro.
/// The caller converts it with the partition spec's result type.
struct PartitionValue {
    int32_t field_id = 0;
    std::string name;
    avro::Datum value;
};

/// A data or delete file (manifest entry field 2, record r2).
struct DataFile {
    DataFileContent content = DataFileContent::DATA;  ///< 134 (v1: DATA)
    std::string file_path;                            ///< 100
    std::string file_format;                          ///< 101, upper-cased: PARQUET, AVRO, ORC, PUFFIN
    std::vector<PartitionValue> partition;            ///< 102, in the partition record's field order
    int64_t record_count = 0;                         ///< 103
    int64_t file_size_in_bytes = 0;                   ///< 104
    std::map<int32_t, int64_t> column_sizes;          ///< 108, by column field id
    std::map<int32_t, int64_t> value_counts;          ///< 109
    std::map<int32_t, int64_t> null_value_counts;     ///< 110
    std::map<int32_t, int64_t> nan_value_counts;      ///< 137
    std::map<int32_t, std::string> lower_bounds;      ///< 125, single-value serialization
    std::map<int32_t, std::string> upper_bounds;      ///< 128
    std::optional<std::string> key_metadata;          ///< 131
    std::vector<int64_t> split_offsets;               ///< 132
    std::vector<int32_t> equality_ids;                ///< 135
    std::optional<int32_t> sort_order_id;             ///< 140
    std::optional<int64_t> first_row_id;              ///< 142, after inheritance
    std::optional<std::string> referenced_data_file;  ///< 143
    std::optional<int64_t> content_offset;            ///< 144 (deletion vectors)
    std::optional<int64_t> content_size_in_bytes;     ///< 145
};

/// One entry of a manifest, with the inherited values filled in.
struct ManifestEntry {
    EntryStatus status = EntryStatus::ADDED;      ///< 0
    std::optional<int64_t> snapshot_id;           ///< 1; null inherits the manifest's added_snapshot_id
    std::optional<int64_t> sequence_number;       ///< 3, the data sequence number
    std::optional<int64_t> file_sequence_number;  ///< 4
    DataFile file;                                ///< 2
};

/// A manifest's entries and its Avro header metadata ("schema", "partition-spec",
/// "partition-spec-id", "format-version", "content", ... as the writer put them; any may be absent).
struct Manifest {
    std::map<std::string, std::string> metadata;
    std::vector<ManifestEntry> entries;
};

/// Decodes a manifest list. `format_version` is the table's: for v2+ the content and sequence
/// number fields may not be null; for v1, and for lists whose schema lacks them (written under v1
/// before an upgrade), they read as DATA and 0.
std::vector<ManifestFile> ReadManifestList(std::string bytes, const std::string& what, int format_version);

/// Decodes a manifest listed as `from_list`, applying inheritance: a null snapshot_id takes the
/// manifest's added_snapshot_id; a null data or file sequence number takes the manifest's
/// sequence_number when the entry is ADDED (or the manifest's number is 0, as for v1); files of a
/// manifest without sequence number fields (v1) get 0; data files with a null first_row_id take the
/// manifest's first_row_id plus the record counts of the earlier such files.
std::vector<ManifestEntry> ReadManifest(std::string bytes, const std::string& what, const ManifestFile& from_list);

/// As ReadManifest, also returning the manifest's header metadata.
Manifest ReadManifestWithMetadata(std::string bytes, const std::string& what, const ManifestFile& from_list);

}  // namespace floe::iceberg
