#pragma once
/// Reads Parquet files into the engine's columns. Opening a file reads and checks its footer
/// (magic, length, thrift with size and nesting limits) and maps its schema (schema.h). A
/// ColumnChunkReader then streams one column of one row group: it reads the chunk's bytes in one
/// ranged read, walks its pages (dictionary, data v1 and v2; CRCs checked when present),
/// decompresses and decodes them (decoding.h, compression.h) and converts the values to the
/// column's Floe type, rows at a time.
///
/// Nested columns (groups, lists, maps) are assembled from their leaves' repetition and
/// definition levels into JSON text. Encrypted files and the VARIANT / geospatial types are
/// refused with an error that says so.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "format/parquet/schema.h"
#include "io/file_system.h"
#include "types/value.h"
#include "vector/column.h"

namespace floe::parquet_format {
class FileMetaData;
}

namespace floe::parquet {

/// A column's statistics in one row group, as Floe values (absent when the file has none or
/// they cannot be trusted for this type).
struct ColumnStatistics {
    std::optional<Value> min;
    std::optional<Value> max;
    std::optional<int64_t> null_count;
};

/// A min/max statistic (bytes in the column's order: min_value, ColumnIndex) as a Floe value of
/// the leaf's type; nullopt for types whose byte order is not worth trusting.
std::optional<Value> StatisticValue(const SchemaNode& leaf, const std::string& bytes);

class ParquetFileReader {
  public:
    explicit ParquetFileReader(std::shared_ptr<RandomAccessFile> file);
    ~ParquetFileReader();

    const std::string& path() const { return file_->path(); }
    const std::vector<FileColumn>& columns() const { return schema_.columns; }
    const FileSchema& schema() const { return schema_; }
    size_t row_group_count() const;
    int64_t row_group_rows(size_t row_group) const;
    /// Rows in the file (the sum over row groups, which some writers do not put in the footer).
    int64_t num_rows() const { return num_rows_; }
    const parquet_format::FileMetaData& metadata() const { return *metadata_; }
    const RandomAccessFile& file() const { return *file_; }

    /// Min/max/null count of a flat column (index into columns()) in a row group.
    ColumnStatistics Statistics(size_t row_group, size_t column) const;

  private:
    std::shared_ptr<RandomAccessFile> file_;
    std::unique_ptr<parquet_format::FileMetaData> metadata_;
    FileSchema schema_;
    int64_t num_rows_ = 0;
};

/// Streams the rows of one top-level column in one row group.
class ColumnReader {
  public:
    ColumnReader(const ParquetFileReader& file, size_t row_group, size_t column);
    ~ColumnReader();
    /// Writes the next `n` rows into `out` at rows [offset, offset + n); `out` is sized by the
    /// caller and typed as the column. Throws IOError when the file is corrupt.
    void Read(size_t n, Column& out, size_t offset);
    /// Sets pass[i] for rows begin..begin+n of `values` (a column of this column's Floe type).
    using ValueFilter = std::function<void(const Column& values, size_t begin, size_t n, uint8_t* pass)>;
    /// Read, and pass[i] = whether row i read passes `filter`. On dictionary pages the filter runs
    /// once over the dictionary and rows take their entry's result (dictionary-aware filtering).
    void ReadFiltered(size_t n, Column& out, const ValueFilter& filter, uint8_t* pass);
    /// Reads the next `n` rows but writes only rows[0..m) of them (ascending, < n) into out's rows
    /// 0..m: the values of the other rows are stepped over, not decoded or copied (late
    /// materialization). Flat columns only.
    void ReadSelected(size_t n, const uint32_t* rows, size_t m, Column& out);
    /// Skips `n` rows.
    void Skip(size_t n);
    /// A LIST, MAP or STRUCT column (read as JSON text).
    bool nested() const { return column_.nested; }
    /// The file ranges (offset, size) of this column's chunks not read yet, one per leaf.
    std::vector<std::pair<uint64_t, size_t>> PendingRanges() const;
    /// `bytes`, read by the caller from file offset `offset`: each unread chunk lying inside it
    /// takes its bytes from there instead of reading the file.
    void Preload(uint64_t offset, std::string_view bytes);

  private:
    struct Leaf;
    void ReadNested(size_t n, Column& out, size_t offset, bool skip);
    const ParquetFileReader& file_;
    const FileColumn& column_;
    std::vector<std::unique_ptr<Leaf>> leaves_;
};

/// Reads the unread chunks of `readers` (the columns a scan needs from one row group of one file)
/// with as few reads as possible: ranges less than `max_gap` bytes apart are merged, up to
/// `max_read` bytes per read. For remote files, where each read is a request, this coalesces a
/// row group's columns into one or a few requests; the gap bytes are read and dropped.
void PreloadTogether(const std::vector<ColumnReader*>& readers, const RandomAccessFile& file,
                     uint64_t max_gap = uint64_t{1} << 20, size_t max_read = size_t{64} << 20);

/// The column whose top-level field id is `field_id`, else (in files without field ids) the one
/// named `name`; -1 when there is none (Iceberg's rule for binding columns).
int FindColumn(const ParquetFileReader& file, int32_t field_id, const std::string& name);

/// Every value of column `c` of `file` (all row groups), as its file type. For small files.
Column ReadWholeColumn(const ParquetFileReader& file, size_t c);

/// Deserializes a thrift compact structure from `data` with limits derived from its size;
/// returns the bytes it used. Throws IOError naming `what` on malformed input.
template <typename T>
size_t ReadThrift(const char* data, size_t size, T& out, const std::string& what);

}  // namespace floe::parquet
