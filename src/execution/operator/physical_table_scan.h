#pragma once
/// Source that reads a table version's rowsets in commit order, a chunk at a time, only the
/// columns the query uses. Rows in a rowset's delete vector are skipped (a selection vector over
/// the chunk). Segments come through the segment cache; each column block is verified (checksum)
/// when first loaded, and a damaged file fails the query with an error naming it. The version is
/// held for the scan's lifetime, so its files stay on disk until the scan ends.
///
/// The rows to read split into morsels (runs of whole pages of one rowset, decided once from the
/// zone maps and short-key indexes of the rowsets): parallel pipelines read morsels on several
/// threads, and one thread reads them in order.

#include <array>
#include <memory>
#include <mutex>
#include <string>

#include "catalog/catalog.h"
#include "execution/physical_operator.h"
#include "execution/runtime_filter.h"
#include "storage/segment.h"

namespace floe {

class PhysicalTableScan : public PhysicalOperator {
  public:
    /// `table_types` are the stored columns; `column_ids` the ones this scan outputs (`types`),
    /// where kRowIdColumn outputs each row's position ((rowset id << 32) | row) as BIGINT and
    /// kRowOrdinalColumn its ordinal in the version (rowid).
    PhysicalTableScan(std::vector<LogicalType> types, std::vector<LogicalType> table_types,
                      std::vector<size_t> column_ids, std::shared_ptr<const TableVersion> version,
                      std::string data_dir);
    struct ZoneFilter {
        size_t column;  // table column
        ZoneOp op;
        Value constant;
    };
    /// Rowsets and pages whose zone maps rule out one of `filters` are skipped.
    void SetZoneFilters(std::vector<ZoneFilter> filters) { zone_filters_ = std::move(filters); }
    /// A hash join's runtime filter on one of this scan's output columns (runtime_filter.h).
    void AddRuntimeFilter(std::shared_ptr<RuntimeFilter> filter) { runtime_filters_.push_back(std::move(filter)); }
    const std::vector<std::shared_ptr<RuntimeFilter>>& runtime_filters() const { return runtime_filters_; }

    /// What the scan did (EXPLAIN ANALYZE).
    struct Stats {
        size_t rowsets_read = 0, rowsets_skipped = 0, pages_read = 0, pages_skipped = 0, rows_read = 0;
    };
    const Stats& stats() const { return stats_; }
    void SetTableName(std::string name) { table_name_ = std::move(name); }
    /// What planning pruned before the scan (partitions and hash buckets kept of the table's; -1:
    /// not pruned), for profiles.
    void SetPruning(int64_t partitions_kept, int64_t partitions_total, int64_t buckets_kept, int64_t buckets_total) {
        pruning_ = {partitions_kept, partitions_total, buckets_kept, buckets_total};
    }
    /// "partitions 2/5, buckets 1/4, tablets 2" (tablets: the (partition, bucket) pairs read).
    std::string PruningSummary() const;
    const std::string& table_name() const { return table_name_; }
    std::string name() const override { return "TABLE_SCAN"; }
    bool IsSource() const override { return true; }
    bool GetData(ExecutionContext& ctx, Chunk& out) override;
    size_t MorselCount(ExecutionContext& ctx) override;
    std::unique_ptr<LocalState> MakeSourceState() override;
    bool GetMorselData(ExecutionContext& ctx, LocalState& state, size_t m, Chunk& out) override;
    void FinishSource(LocalState& state) override;

  private:
    struct Morsel {
        size_t rowset;      // index into the version's rowsets
        size_t begin, end;  // its rows [begin, end)
    };
    /// Splits the rows the filters may match into morsels (once).
    void PlanMorsels();

    std::vector<LogicalType> table_types_;
    std::vector<size_t> column_ids_;
    std::vector<size_t> stored_ids_;      // column_ids_ without the virtual columns
    bool has_virtual_ = false;            // whether column_ids_ has kRowIdColumn or kRowOrdinalColumn
    std::vector<int64_t> first_ordinal_;  // per rowset: the ordinal of its first row
    std::shared_ptr<const TableVersion> version_;
    std::string data_dir_;
    std::vector<ZoneFilter> zone_filters_;
    std::vector<std::shared_ptr<RuntimeFilter>> runtime_filters_;
    /// Whether a zone map of table column `column` rules out every key of a ready runtime filter.
    bool RuntimeRangeExcludes(const RuntimeFilter& f, const ZoneMap* zone) const;
    /// Drops the rows of `out` whose runtime-filter keys cannot match (adaptively: a filter that
    /// keeps most rows stops being applied by this state).
    void ApplyRuntimeFilters(LocalState& state, Chunk& out);
    bool planned_ = false;
    std::vector<Morsel> morsels_;
    // One-thread reading (GetData): its state and morsel.
    std::unique_ptr<LocalState> serial_;
    size_t serial_morsel_ = 0;
    std::mutex stats_mutex_;
    Stats stats_;
    std::string table_name_;
    std::array<int64_t, 4> pruning_{-1, -1, -1, -1};
};

}  // namespace floe
