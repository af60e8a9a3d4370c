#pragma once
/// FILES(): the rows of data files as a table. DescribeFiles lists the files a path or glob
/// names and infers their columns (Parquet: from the first file's schema); PhysicalFileScan reads
/// them file by file, row group by row group, only the columns the query uses, in chunks. Parquet
/// row groups are the morsels parallel pipelines read on several threads (the files' footers are
/// read, and row groups pruned, once before).
/// Columns are matched by name in every file; a file without a column gives NULLs, a column of
/// another type is cast.

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "binder/client_context.h"
#include "execution/operator/scan_predicate.h"
#include "execution/physical_operator.h"
#include "format/parquet/file_reader.h"
#include "io/data_cache.h"
#include "lake/iceberg/scan_plan.h"
#include "storage/encoding.h"

namespace floe {

namespace parquet {
class ParquetFileReader;
class ColumnReader;
}  // namespace parquet
class CsvReader;
class JsonReader;
class IcebergDeleteReader;
struct FileDeletes;

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
    /// Reads the data files of an Iceberg scan plan instead of `files`: columns bound by field id
    /// (or the table's name mapping, or name), columns a file lacks from the plan's values, and the
    /// plan's position and equality deletes applied. `column_ids` index the plan's columns; the
    /// key columns of equality deletes must be among them.
    void SetIcebergPlan(std::shared_ptr<const iceberg::IcebergScanPlan> plan);
    /// The Iceberg plan's pruning at each stage ("partitions=2/8, manifests=1/3, files=4/40"), or "".
    std::string PlanPruning() const { return iceberg_ ? iceberg_->Describe() : std::string(); }
    /// Row groups whose statistics rule out one of `filters` are skipped.
    void SetRowGroupFilters(std::vector<RowGroupFilter> filters) { filters_ = std::move(filters); }
    struct Stats {
        size_t files = 0, row_groups_read = 0, row_groups_skipped = 0, rows_read = 0;
        size_t rows_skipped = 0;   // rows of read row groups the page index ruled out (never decoded)
        size_t rows_filtered = 0;  // rows the scan's predicates dropped before decoding the other columns
        size_t bloom_skipped = 0;  // row groups (among row_groups_skipped) a bloom filter ruled out
        size_t rows_deleted = 0;   // rows Iceberg delete files removed
        uint64_t bytes_read = 0;   // bytes read from the data files (footers, pages, indexes)
        // Remote files: blocks the data cache served and fetched, and their bytes.
        uint64_t cache_hits = 0, cache_misses = 0, bytes_from_cache = 0, bytes_from_remote = 0;
        uint64_t cache_bytes_written = 0, cache_writes = 0, cache_write_micros = 0;
        bool remote = false;  // some file is remote (then the cache counts are shown)
    };
    const Stats& stats() const {
        stats_.bytes_read = bytes_read_->load();
        stats_.cache_hits = cache_options_.counters->hits.load();
        stats_.cache_misses = cache_options_.counters->misses.load();
        stats_.bytes_from_cache = cache_options_.counters->bytes_from_cache.load();
        stats_.bytes_from_remote = cache_options_.counters->bytes_from_remote.load();
        stats_.cache_bytes_written = cache_options_.counters->bytes_written.load();
        stats_.cache_writes = cache_options_.counters->writes.load();
        stats_.cache_write_micros = cache_options_.counters->write_micros.load();
        return stats_;
    }
    /// Whether remote files are read through the data cache (the session's enable_scan_datacache,
    /// taken from the planning thread's ScanDataCacheScope by default).
    void SetUseDataCache(bool use) { cache_options_.use_cache = use; }
    std::string name() const override { return "FILE_SCAN"; }
    bool IsSource() const override { return true; }
    bool GetData(ExecutionContext& ctx, Chunk& out) override;
    size_t MorselCount(ExecutionContext& ctx) override;
    std::unique_ptr<LocalState> MakeSourceState() override;
    bool GetMorselData(ExecutionContext& ctx, LocalState& state, size_t m, Chunk& out) override;
    void FinishSource(LocalState& state) override;

    struct ScanState;  // a task's position in the row group it reads

  private:
    struct Morsel {
        size_t file;  // index into readers_
        size_t row_group;
    };
    /// Parquet: opens every file and lists the row groups the filters may match (once).
    void PlanMorsels();
    /// CSV and JSON: the next chunk of the current (or next) file.
    bool GetTextData(Chunk& out);
    /// Reads the next n rows of the row group into `out`, the rows that pass the predicates only
    /// when a column has some (then returns true).
    bool ReadChunk(ScanState& st, const parquet::ParquetFileReader& file, size_t n, Chunk& out);
    /// Reads the next n rows of output column i (cast or NULL as needed).
    void ReadColumn(ScanState& st, const parquet::ParquetFileReader& file, size_t i, size_t n, Column& col);
    /// False when the row group's statistics (or bloom filters) show no row can pass the filters.
    bool RowGroupMayMatch(const parquet::ParquetFileReader& file, size_t row_group);
    /// The rows of row group `g` the filters may match, by the page indexes of their columns.
    std::vector<std::pair<size_t, size_t>> MatchingRows(const parquet::ParquetFileReader& file, size_t g) const;
    /// The top-level column of `file` that holds table column `column` (-1: the file lacks it).
    int FileColumnOf(const parquet::ParquetFileReader& file, size_t column) const;
    /// Drops the rows of the chunk's first n physical rows (the file's rows from first_row) that
    /// the file's deletes remove; returns the rows kept.
    size_t ApplyDeletes(ScanState& st, int64_t first_row, size_t n, Chunk& out);
    /// Iceberg timestamptz columns: UTC values to wall-clock times of the session's zone.
    void ToLocalTime(Chunk& out) const;

    std::vector<LogicalType> file_types_;
    std::vector<size_t> column_ids_;
    std::vector<std::string> files_;
    FileProperties properties_;
    std::vector<std::string> names_;  // all columns' names (from DescribeFiles)
    std::string format_;              // parquet, csv or json
    std::vector<RowGroupFilter> filters_;
    std::vector<ScanPredicate> predicates_;  // per output column: the filters the scan evaluates
    std::vector<parquet::ColumnReader::ValueFilter> value_filters_;  // the same, for the column readers
    // Parquet: the files' readers and the row groups to read.
    bool planned_ = false;
    std::vector<std::unique_ptr<parquet::ParquetFileReader>> readers_;
    std::vector<Morsel> morsels_;
    std::unique_ptr<LocalState> serial_;  // one-thread reading (GetData): its state and morsel
    size_t serial_morsel_ = 0;
    // Text formats: the current file, its bytes and its reader; JSON fields by name.
    size_t file_ = 0;
    std::string text_;
    std::string text_path_;
    std::unique_ptr<CsvReader> csv_;
    std::unique_ptr<JsonReader> json_;
    std::vector<std::string> all_names_;
    // Iceberg: the plan, its delete files, and each file's row groups' first rows.
    std::shared_ptr<const iceberg::IcebergScanPlan> iceberg_;
    std::unique_ptr<IcebergDeleteReader> deletes_;
    std::vector<std::vector<int64_t>> row_group_first_;
    std::vector<int> output_of_column_;  // table column -> output column (-1: not read)
    std::mutex stats_mutex_;
    mutable Stats stats_;
    std::shared_ptr<std::atomic<uint64_t>> bytes_read_ = std::make_shared<std::atomic<uint64_t>>(0);
    RemoteReadOptions cache_options_{ScanDataCacheScope::Current(), std::make_shared<DataCacheCounters>()};
};

}  // namespace floe
