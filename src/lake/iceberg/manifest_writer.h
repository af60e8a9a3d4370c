#pragma once
/// Writes Iceberg manifests and manifest lists (spec "Manifests", "Manifest Lists", Appendix A and
/// C) as Avro object containers, the counterpart of manifest.h: the same structs go in that
/// ReadManifest / ReadManifestList give back.
///
/// The Avro schemas follow what Java writes, because Spark and Trino decode with Java Avro and
/// fail on anything else: root records `manifest_entry` (with `r2` for data_file, `r102` for the
/// partition tuple, `k117_v118`... for the int-keyed metric maps, which are arrays of key/value
/// records with logicalType "map") and `manifest_file` (with `r508` for partition summaries);
/// every field carries its Iceberg "field-id"; optional fields are ["null", T] with default null;
/// the partition record itself is never nullable. The partition record is built from the spec at
/// hand: each field is typed by its transform's result type (date, timestamp-micros with
/// adjust-to-utc, decimal as fixed[minBytes(P)], uuid as fixed[16]) and carries the partition
/// field id (1000+) as its "field-id". Fields are written per format version: v1 has
/// block_size_in_bytes and a required snapshot_id but no content or sequence numbers; v2 adds
/// content, sequence numbers and equality ids; v3 adds first_row_id and the deletion vector fields.
///
/// Sequence number and row id inheritance is left to readers where the spec wants it: an ADDED
/// entry whose sequence numbers are unset is written with nulls, so it inherits the sequence
/// number of the snapshot that commits the manifest; a data file without first_row_id inherits
/// from its manifest, whose first_row_id WriteManifestList assigns.
///
/// Inputs that break these rules (a partition value of the wrong kind, a delete file in a data
/// manifest, an EXISTING entry without a sequence number in v2, ...) are the caller's bugs and throw
/// InternalError naming the entry.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lake/iceberg/iceberg_types.h"
#include "lake/iceberg/manifest.h"
#include "lake/iceberg/transforms.h"

namespace floe::iceberg {

/// What WriteManifest needs besides the entries.
struct ManifestWriterOptions {
    /// Table format version: 1, 2 or 3.
    int format_version = 2;
    /// Data or delete files; a manifest never holds both.
    ManifestContent content = ManifestContent::DATA;
    /// The table schema: partition source types are looked up here, and its schema_id becomes the
    /// "schema-id" header key.
    Schema schema;
    /// The same schema as Iceberg JSON ({"type":"struct","schema-id":..,"fields":[..]}), written
    /// as the "schema" header key.
    std::string schema_json;
    /// The manifest's partition spec (its id is "partition-spec-id", its fields array is
    /// "partition-spec").
    PartitionSpec spec;
    /// The snapshot that commits this manifest: the list entry's added_snapshot_id, and the
    /// snapshot_id written for entries whose snapshot_id is unset.
    int64_t snapshot_id = 0;
    /// That snapshot's sequence number (v2+): the list entry's sequence_number, and the
    /// min_sequence_number contribution of entries that inherit it. Ignored for v1.
    int64_t sequence_number = 0;
    /// The manifest's path, copied into the list entry.
    std::string path;
    /// Avro codec: "deflate" (what Java writes by default), "null", "snappy" or "zstandard".
    std::string codec = "deflate";
};

/// Encodes a manifest holding `entries` in order, and fills `*list_entry` (when not null) with the
/// manifest list entry that describes it: path and length (= the returned size), spec id, content,
/// sequence_number and min_sequence_number (the lowest data sequence number of the live entries,
/// an ADDED entry without one counting as options.sequence_number; options.sequence_number when
/// none is live), added_snapshot_id, the added/existing/deleted file and row counts, and one
/// partition field summary per spec field over all entries (contains_null, contains_nan, and the
/// lowest and highest non-null, non-NaN value in single-value binary form). first_row_id is left
/// unset: WriteManifestList assigns it to v3 data manifests.
///
/// Each entry: `snapshot_id` unset is written as options.snapshot_id. v2+: unset sequence numbers
/// are written as null, which is allowed only for ADDED entries. `file.partition` must list one
/// PartitionValue per spec field, in spec order, with that field's id and a value whose kind fits
/// the field's result type: BOOLEAN for boolean; INT or LONG for int, long, date (days), time
/// (microseconds) and timestamps (microseconds, nanoseconds for the _ns types); FLOAT or DOUBLE for
/// float and double; STRING for string; BYTES or FIXED for binary, fixed[L] (L bytes), uuid (16
/// big-endian bytes) and decimal (big-endian two's-complement unscaled value of any width that fits
/// the precision; written as fixed[minBytes(P)]); NULL_VALUE for null.
/// Empty metric maps, split_offsets and equality_ids are written as null.
std::string WriteManifest(const ManifestWriterOptions& options, const std::vector<ManifestEntry>& entries,
                          ManifestFile* list_entry);

/// Encodes a manifest list of `manifests` in order, for the snapshot `snapshot_id` with sequence
/// number `sequence_number` (header keys snapshot-id, parent-snapshot-id — "null" for a root —,
/// sequence-number for v2+, first-row-id for v3, format-version). The entries' own values are
/// written as they are, except that in v3 a data manifest without first_row_id is assigned one:
/// the first gets `first_row_id` (the table's next-row-id), each next one the previous value plus
/// the assigned manifest's added_rows_count + existing_rows_count. `*next_row_id` (when not null)
/// receives the row id after the last one assigned, the table's new next-row-id (`first_row_id`
/// itself when nothing was assigned; unchanged for v1/v2).
///
/// v2+ requires every file and row count to be set; v1 lists cannot hold delete manifests.
std::string WriteManifestList(int format_version, int64_t snapshot_id, std::optional<int64_t> parent_snapshot_id,
                              int64_t sequence_number, std::optional<int64_t> first_row_id,
                              const std::vector<ManifestFile>& manifests, int64_t* next_row_id = nullptr,
                              const std::string& codec = "deflate");

/// The Avro schema (JSON) of a manifest_entry record for this format version, partition type and
/// content — exposed for tests and for tools that want to print it.
std::string ManifestEntryAvroSchema(int format_version, const PartitionSpec& spec, const Schema& schema);

/// The Avro schema (JSON) of a manifest_file record for this format version.
std::string ManifestListAvroSchema(int format_version);

/// The number of bytes of a decimal(P, S) value in fixed form: the smallest n with 2^(8n-1) >= 10^P.
int32_t DecimalRequiredBytes(int precision);

}  // namespace floe::iceberg
