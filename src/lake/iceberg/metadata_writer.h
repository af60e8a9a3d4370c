#pragma once
/// Writing Iceberg table metadata as JSON (spec "Table Metadata Fields", format versions 1 to 3),
/// the inverse of ParseTableMetadata: SerializeTableMetadata(ParseTableMetadata(x)) parses back to
/// an equal TableMetadata. Keys follow Iceberg Java's TableMetadataParser, so every reader that
/// reads Java's files reads these:
///  - v1 files carry the legacy `schema` (the current schema) and `partition-spec` (the default
///    spec's fields) beside `schemas` and `partition-specs`, as Java writes them, so that v1-only
///    readers still find them.
///  - `current-snapshot-id` is always written, -1 when the table has no current snapshot: Java,
///    pyiceberg, iceberg-rust and DuckDB all read -1 as "none", while omitting the key breaks
///    Trino (apache/iceberg-python#134) and some readers mishandle null.
///  - Optional parts are written only when present: `table-uuid` (v1 may lack it),
///    `last-sequence-number` (v2+, or a v1 value other than 0), `next-row-id` (the committer must
///    set it for v3), a snapshot's `sequence-number` (v2+, or non-zero), `schema-id`,
///    `first-row-id`, `added-rows`, `key-id`, and a field's `doc` and defaults.
///  - Field defaults and statistics entries are kept in TableMetadata as JSON text and are written
///    verbatim; they must be valid JSON.
/// The output is compact JSON (no whitespace). A table with `encryption-keys` cannot be written
/// (its keys are not kept): NotSupportedError.

#include <string>

#include "lake/iceberg/iceberg_types.h"
#include "lake/iceberg/table_metadata.h"
#include "lake/iceberg/transforms.h"

namespace floe::iceberg {

/// The metadata file's JSON text for `metadata` (see the file comment).
std::string SerializeTableMetadata(const TableMetadata& metadata);

/// A schema object: {"type":"struct","schema-id":..,["identifier-field-ids":[..],]"fields":[..]},
/// nested types with their element/key/value ids, as a manifest's `schema` header holds it.
std::string SchemaToJson(const Schema& schema);

/// One type's JSON form: a string for primitives ("decimal(9, 2)", Java's spelling), an object for
/// struct, list and map.
std::string TypeToJson(const Type& type);

/// A partition spec object: {"spec-id":..,"fields":[..]}.
std::string PartitionSpecToJson(const PartitionSpec& spec);

/// Only the spec's fields array, [{"name","transform","source-id","field-id"},..], as a manifest's
/// `partition-spec` header and v1's legacy `partition-spec` key hold it. A v3 multi-argument
/// field writes `source-ids`.
std::string PartitionFieldsToJson(const PartitionSpec& spec);

/// A sort order object: {"order-id":..,"fields":[{"transform","source-id","direction","null-order"}]}.
std::string SortOrderToJson(const SortOrder& order);

/// One snapshot object as `snapshots` holds it (keys as for `format_version`).
std::string SnapshotToJson(const Snapshot& snapshot, int format_version);

/// One ref object as `refs` holds it: {"snapshot-id","type"[,retention]}.
std::string SnapshotRefToJson(const SnapshotRef& ref);

}  // namespace floe::iceberg
