#pragma once
/// Writes rows into new Parquet data files of one Iceberg table, ready to be committed
/// (table_transaction.h). Rows arrive as chunks whose columns are the table schema's top-level
/// columns, in order, with the Floe types ToFloeType gives. Each file:
///  - lies under the table's data location (the `write.data.path` property, else <location>/data),
///    in `<partition name>=<value>/` directories when the table is partitioned, named
///    `<NNNNN>-<task>-<operation uuid>-<NNNNN>.parquet` as Iceberg Java names them;
///  - carries the Iceberg field ids and the schema (footer key `iceberg.schema`), so readers bind
///    columns by id;
///  - holds one partition of the table's default spec (rows are split by the transforms'
///    results), and is closed and a new one started once it passes the target size
///    (`write.target-file-size-bytes`, default 512 MiB);
///  - is described by a DataFile with the manifest metrics: record count, size, per-column sizes,
///    value, null and NaN counts, lower/upper bounds (strings truncated to 16 characters, the
///    upper bound rounded up, as Iceberg's default `truncate(16)` metrics mode does) and the row
///    groups' offsets.
/// Nothing written is visible to readers until a snapshot that lists it is committed; Abort()
/// (or destruction before Finish()) deletes the files written so far.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lake/iceberg/manifest.h"
#include "lake/iceberg/table_metadata.h"
#include "vector/chunk.h"

namespace floe::iceberg {

/// The defaults of the table properties the writer reads.
constexpr int64_t kDefaultTargetFileSize = int64_t{512} << 20;

/// Writes data files for the table `metadata` describes (its current schema and default spec).
class DataFileWriter {
  public:
    /// `operation_id` is a uuid shared by the files of one statement; `task` tells writers of one
    /// statement apart. Throws NotSupportedError when the schema has a column Floe cannot write yet
    /// (nested, time, uuid, fixed, binary, timestamptz, variant, geo, unknown), or the table's
    /// write.format.default is not parquet.
    DataFileWriter(const TableMetadata& metadata, std::string operation_id, int task = 0);
    ~DataFileWriter();
    DataFileWriter(const DataFileWriter&) = delete;
    DataFileWriter& operator=(const DataFileWriter&) = delete;

    /// The Floe types the chunks' columns must have.
    const std::vector<LogicalType>& column_types() const { return types_; }

    /// Appends the live rows of `chunk`.
    void Append(const Chunk& chunk);
    /// This writer takes only the rows of partitions whose key hashes to `index` of `count`
    /// (an unpartitioned table's rows go to index 0): writers that each own some partitions can
    /// write in parallel and still give each partition one file (compaction).
    void SetShard(size_t index, size_t count) {
        shard_index_ = index;
        shard_count_ = count == 0 ? 1 : count;
    }
    /// Closes every open file and returns the files written (with partition values and metrics).
    std::vector<DataFile> Finish();
    /// Deletes every file written so far (best effort).
    void Abort();

    /// The paths of the files written so far (complete or not).
    const std::vector<std::string>& paths() const { return paths_; }

  private:
    struct OpenFile;
    OpenFile& FileFor(const std::string& partition_key, const std::vector<Value>& partition_values);
    void Close(OpenFile& file);

    const Schema& schema_;
    PartitionSpec spec_;
    size_t shard_index_ = 0, shard_count_ = 1;
    std::vector<Type> partition_types_;   ///< result type per partition field
    std::vector<int> partition_sources_;  ///< top-level column index of each field's source
    std::vector<LogicalType> types_;
    std::vector<std::string> names_;
    std::vector<int32_t> field_ids_;
    std::string data_location_;
    std::string operation_id_;
    int task_;
    int64_t target_size_;
    std::string codec_;
    std::string schema_json_;
    int partition_counter_ = 0;
    int file_counter_ = 0;
    std::map<std::string, std::unique_ptr<OpenFile>> open_;
    std::vector<DataFile> done_;
    std::vector<std::string> paths_;
    bool finished_ = false;
};

/// Iceberg's reserved field ids of a position delete file's columns.
constexpr int32_t kDeleteFilePathFieldId = 2147483546;
constexpr int32_t kDeletePositionFieldId = 2147483545;

/// Writes a position delete file (spec "Position Delete Files") at `path`: the rows (`data_file`,
/// pos) for `positions` (sorted here), in the partition `partition` of the data file. The result
/// names the data file as its referenced_data_file, so readers apply it to that file only.
DataFile WritePositionDeletes(const std::string& path, const std::string& data_file, std::vector<int64_t> positions,
                              std::vector<PartitionValue> partition, const std::string& codec = "zstd");

/// The partition tuple's value for manifest field 102 (an Avro datum of the partition field's
/// result type `type`) from the transform's result `value`.
avro::Datum PartitionDatum(const Type& type, const Value& value);

/// The human form of a partition value in directory names (Java's Transform.toHumanString):
/// dates as yyyy-MM-dd, day/month/year/hour results as dates, months and hours, "null".
std::string PartitionHumanString(const Transform& transform, const Type& result_type, const Value& value);

/// Iceberg's `truncate(16)` bounds of a string: the lower bound is the first 16 characters; the
/// upper bound is those characters with the last one incremented (nullopt when none can be).
std::string TruncateLowerBound(const std::string& value, size_t chars = 16);
std::optional<std::string> TruncateUpperBound(const std::string& value, size_t chars = 16);

/// A random uuid (version 4), as text.
std::string RandomUuid();

}  // namespace floe::iceberg
