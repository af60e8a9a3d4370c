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
#include "types/logical_type.h"
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
};

/// The codec for a FILES() "compression" value (uncompressed, snappy, gzip, zstd, lz4, brotli);
/// throws for another.
Codec CodecFromName(const std::string& name);

class ParquetFileWriter {
  public:
    ParquetFileWriter(std::string path, std::vector<std::string> names, std::vector<LogicalType> types,
                      WriterOptions options = {});
    ~ParquetFileWriter();
    /// Appends the live rows of `chunk` (its columns in the writer's order and types).
    void Append(const Chunk& chunk);
    /// Writes the last row group and the footer; the file is complete afterwards.
    void Finish();
    /// Bytes written so far (row groups flushed).
    uint64_t bytes_written() const;
    uint64_t rows_written() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace floe::parquet
