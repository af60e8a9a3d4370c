#pragma once
/// What an Iceberg table scan reads, as planned from the table's metadata (manifest lists and
/// manifests, pruned by the query's filters): the data files and, for each, the delete files that
/// apply to it by the spec's sequence-number rules. The executor (execution/) reads them: data
/// files bound to the table's columns by field id, position deletes matched to data files by
/// path, equality deletes by the columns their equality_ids name.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/table_source.h"
#include "types/time_zone.h"
#include "types/value.h"

namespace floe::iceberg {

/// A delete file that applies to some of the scan's data files.
struct DeleteFileRef {
    enum class Content : uint8_t { POSITION = 1, EQUALITY = 2 };
    Content content = Content::POSITION;
    std::string path;    // resolved (readable) path
    std::string format;  // PARQUET, PUFFIN (deletion vector), AVRO, ORC
    int64_t record_count = 0;
    /// Equality deletes: the field ids of the key columns, and for each the table column (index
    /// into the plan's columns) it is, or -1 when the table no longer has it.
    std::vector<int32_t> equality_ids;
    std::vector<int> equality_columns;
    /// Deletion vectors (v3): the blob's place in the Puffin file and the data file it covers.
    std::optional<int64_t> content_offset, content_size;
    std::optional<std::string> referenced_data_file;  // resolved
};

struct DataFileTask {
    std::string path;      // resolved (readable) path
    std::string raw_path;  // as the manifest wrote it (position delete rows name files so)
    std::string format;    // PARQUET (AVRO and ORC data files are refused when read)
    int64_t record_count = 0;
    int64_t file_size = 0;
    /// Per plan column: the value a file without the column gives (its initial default, or an
    /// identity partition's value; `_file`: the file's path as the manifest names it); NULL when none.
    std::vector<Value> missing_values;
    /// Indexes into the plan's delete_files of the deletes that apply to this file.
    std::vector<size_t> deletes;
};

/// Iceberg's reserved field ids of the metadata columns (spec "Reserved Field IDs").
constexpr int32_t kFilePathFieldId = 2147483646;  // _file
constexpr int32_t kPositionFieldId = 2147483645;  // _pos

class IcebergScanPlan : public ScanPlan {
  public:
    /// The table's columns (the snapshot's schema), then the metadata columns `_file` and `_pos`.
    std::vector<SourceColumn> columns;
    /// The index of `_pos` in columns: the scan fills it with each row's position in its file.
    size_t position_column = SIZE_MAX;
    std::vector<int32_t> field_ids;  // per column
    /// schema.name-mapping.default: a top-level column name (lower case) -> field id, for data
    /// files written without field ids.
    std::map<std::string, int32_t> name_mapping;
    std::vector<DataFileTask> files;
    std::vector<DeleteFileRef> delete_files;
    /// Per column: an Iceberg timestamptz, stored as UTC and shown in `zone` (the session's time
    /// zone, when it is not UTC): the scan turns its values into wall-clock times of the zone, and
    /// filter constants on it (wall-clock times) into UTC before comparing them with the files.
    std::vector<bool> local_time;
    std::optional<TimeZone> zone;
    /// Maps a path as written in the table's metadata or delete files to a readable one (the
    /// catalog's location rewrites); identity when there are none.
    std::function<std::string(const std::string&)> resolve_path;
};

}  // namespace floe::iceberg
