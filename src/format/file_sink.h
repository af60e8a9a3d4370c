#pragma once
/// Files a query's rows are written to (INSERT INTO FILES): Parquet, CSV or JSON lines. Each file
/// goes to a WritableFile (io/file_system.h: a local file or an S3 object), so it appears complete
/// at Finish or not at all.

#include <memory>
#include <string>
#include <vector>

#include "vector/chunk.h"

namespace floe {

class WritableFile;

class FileSink {
  public:
    virtual ~FileSink() = default;
    /// Appends the live rows of `chunk` (its columns in the sink's order and types).
    virtual void Append(const Chunk& chunk) = 0;
    /// Completes the file. Throws IOError.
    virtual void Finish() = 0;
    virtual uint64_t bytes_written() const = 0;
};

struct TextSinkOptions {
    std::string column_separator = ",";
    std::string row_delimiter = "\n";
    char enclose = 0;  // CSV: fields holding a separator, delimiter or the enclose char are enclosed
    bool header = false;
};

/// CSV (NULL as \N, as StarRocks reads it back) or JSON lines (one object per row; JSON columns
/// embedded as JSON, numbers and booleans unquoted, NULL as null).
std::unique_ptr<FileSink> MakeTextSink(std::unique_ptr<WritableFile> out, bool json, std::vector<std::string> names,
                                       std::vector<LogicalType> types, TextSinkOptions options);

}  // namespace floe
