#pragma once
/// FILES(): the rows of data files as a table. DescribeFiles lists the files a path or glob
/// names and infers their columns (Parquet: from the first file's schema); PhysicalFileScan reads
/// them file by file, row group by row group, only the columns the query uses, in chunks.
/// Columns are matched by name in every file; a file without a column gives NULLs, a column of
/// another type is cast.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "binder/client_context.h"
#include "execution/physical_operator.h"
#include "storage/encoding.h"

namespace floe {

namespace parquet {
class ParquetFileReader;
class ColumnReader;
}  // namespace parquet
class CsvReader;
class JsonReader;

using FileProperties = std::vector<std::pair<std::string, std::string>>;

FilesDescription DescribeFiles(const FileProperties& properties);

class PhysicalFileScan : public PhysicalOperator {
  public:
    /// `file_types` are all the files' columns (as DescribeFiles gave them); `column_ids` the ones
    /// this scan outputs (`types`).
    PhysicalFileScan(std::vector<LogicalType> types, std::vector<LogicalType> file_types,
                     std::vector<size_t> column_ids, std::vector<std::string> files, FileProperties properties);
    ~PhysicalFileScan() override;
    struct RowGroupFilter {
        size_t column;  // file column (DescribeFiles' order)
        ZoneOp op;
        Value constant;
    };
    /// Row groups whose statistics rule out one of `filters` are skipped.
    void SetRowGroupFilters(std::vector<RowGroupFilter> filters) { filters_ = std::move(filters); }
    struct Stats {
        size_t files = 0, row_groups_read = 0, row_groups_skipped = 0, rows_read = 0;
        size_t rows_skipped = 0;           // rows of read row groups the page index ruled out (never decoded)
        mutable size_t bloom_skipped = 0;  // row groups (among row_groups_skipped) a bloom filter ruled out
    };
    const Stats& stats() const { return stats_; }
    std::string name() const override { return "FILE_SCAN"; }
    bool IsSource() const override { return true; }
    bool GetData(ExecutionContext& ctx, Chunk& out) override;

  private:
    /// Opens the next row group (of this or the next file); false when all are read.
    bool NextRowGroup();
    /// CSV and JSON: the next chunk of the current (or next) file.
    bool GetTextData(Chunk& out);

    std::vector<LogicalType> file_types_;
    std::vector<size_t> column_ids_;
    std::vector<std::string> files_;
    FileProperties properties_;
    std::vector<std::string> names_;  // all columns' names (from DescribeFiles)
    size_t file_ = 0;
    std::unique_ptr<parquet::ParquetFileReader> reader_;
    size_t row_group_ = 0;
    std::vector<std::unique_ptr<parquet::ColumnReader>> columns_;  // per output column; null: absent
    std::vector<bool> cast_;                                       // per output column: the file's type differs
    size_t rows_left_ = 0;                                         // in the current row group
    size_t row_pos_ = 0;                                           // the next row of the row group
    std::vector<std::pair<size_t, size_t>> ranges_;                // row ranges [begin, end) filters may match
    size_t range_index_ = 0;
    /// The rows of row group `g` the filters may match, by the page indexes of their columns.
    std::vector<std::pair<size_t, size_t>> MatchingRows(size_t g) const;
    std::string format_;  // parquet, csv or json
    // Text formats: the current file's bytes and its reader; JSON fields by name.
    std::string text_;
    std::string text_path_;
    std::unique_ptr<CsvReader> csv_;
    std::unique_ptr<JsonReader> json_;
    std::vector<std::string> all_names_;
    std::vector<RowGroupFilter> filters_;
    Stats stats_;
    /// False when the row group's statistics show no row can pass the filters.
    bool RowGroupMayMatch(size_t row_group) const;
};

}  // namespace floe
