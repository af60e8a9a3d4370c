#pragma once
/// The generators' Parquet output: rows of text fields, typed by the table's declared types
/// ("BIGINT", "DECIMAL(15,2)", "DATE", "VARCHAR(25)", ...) with the engine's casts, written by
/// Floe's Parquet writer (zstd, dictionary where it pays), 4096 rows at a time.

#include <memory>
#include <string>
#include <vector>

#include "format/parquet/file_writer.h"
#include "vector/chunk.h"

namespace floe::datagen {

/// The engine type for a generator's type name; throws std::invalid_argument for another.
LogicalType TypeFromName(const std::string& name);

class ParquetTableWriter {
  public:
    ParquetTableWriter(const std::string& path, const std::vector<std::string>& names,
                       const std::vector<std::string>& types);
    void Row(const std::vector<std::string>& fields);
    /// Writes the last rows and the footer.
    void Finish();
    int64_t rows() const { return rows_; }

  private:
    void Flush();
    std::vector<LogicalType> types_;
    std::unique_ptr<parquet::ParquetFileWriter> writer_;
    Chunk text_;
    size_t pending_ = 0;
    int64_t rows_ = 0;
};

}  // namespace floe::datagen
