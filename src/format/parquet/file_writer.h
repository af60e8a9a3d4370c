#pragma once
/// Writes the engine's columns as a Parquet file other engines read. Every Floe type maps to a
/// physical and logical type (BOOLEAN; TINYINT/SMALLINT as annotated INT32; INT; BIGINT;
/// LARGEINT as DECIMAL(38,0); FLOAT; DOUBLE; DECIMAL on INT32/INT64/FLBA(16) by precision; DATE;
/// DATETIME as TIMESTAMP(MICROS, not UTC-adjusted); VARCHAR as STRING; JSON as JSON; BITMAP and
/// HLL as plain binary). Columns are OPTIONAL. Per column chunk the writer picks dictionary
/// encoding (RLE_DICTIONARY indices over a PLAIN dictionary page) while the dictionary stays
/// small, PLAIN otherwise; data pages (v1) hold about 1 MiB of values. Row groups, chunks and
/// pages carry statistics, and a column index and offset index (the page index) follow the row
/// groups. The file appears under its name only when Finish() succeeds (written to a temporary
/// name, then renamed).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "format/parquet/compression.h"
#include "io/file_system.h"
#include "types/logical_type.h"
#include "types/value.h"
#include "vector/chunk.h"

namespace floe::parquet {

struct WriterOptions {
    Codec codec = Codec::SNAPPY;
    int compression_level = 0;  // 0: the codec's default
    size_t row_group_rows = size_t{1} << 20;
    size_t page_bytes = size_t{1} << 20;
    bool dictionary = true;
    /// Columns (by position) that get a bloom filter per column chunk.
    std::vector<bool> bloom_columns;
    /// Per column (by position): the Parquet field_id to record (Iceberg's column ids); empty
    /// for none.
    std::vector<int32_t> field_ids;
    /// Key-value pairs for the footer (Iceberg writes "iceberg.schema").
    std::vector<std::pair<std::string, std::string>> key_value_metadata;
};

/// What the writer saw of one column over the whole file (for Iceberg's manifest metrics).
struct WrittenColumnStatistics {
    int64_t compressed_bytes = 0;  ///< the column's chunks, headers included
    int64_t values = 0;            ///< rows, NULLs and NaNs included
    int64_t nulls = 0;
    int64_t nans = 0;
    /// The smallest and largest value (NaN and NULL excluded); null Values when there is none.
    Value min;
    Value max;
};

/// The codec for a FILES() "compression" value (uncompressed, snappy, gzip, zstd, lz4, brotli);
/// throws for another.
Codec CodecFromName(const std::string& name);

class ParquetFileWriter {
  public:
    ParquetFileWriter(std::string path, std::vector<std::string> names, std::vector<LogicalType> types,
                      WriterOptions options = {});
    /// Writes to `out` (which the writer closes in Finish()).
    ParquetFileWriter(std::unique_ptr<WritableFile> out, std::vector<std::string> names, std::vector<LogicalType> types,
                      WriterOptions options = {});
    ~ParquetFileWriter();
    /// Appends the live rows of `chunk` (its columns in the writer's order and types).
    void Append(const Chunk& chunk);
    /// Writes the last row group and the footer; the file is complete afterwards.
    void Finish();
    /// Bytes written so far (row groups flushed).
    uint64_t bytes_written() const;
    uint64_t rows_written() const;
    /// After Finish(): per column, what was written.
    const std::vector<WrittenColumnStatistics>& column_statistics() const;
    /// After Finish(): the file offset where each row group starts (Iceberg's split_offsets).
    std::vector<int64_t> row_group_offsets() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace floe::parquet
