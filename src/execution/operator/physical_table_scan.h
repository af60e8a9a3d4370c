#pragma once
/// Source that reads a table version's rowsets in commit order, a chunk at a time, only the
/// columns the query uses. Rows in a rowset's delete vector are skipped (a selection vector over
/// the chunk). Segments come through the segment cache; each column block is verified (checksum)
/// when first loaded, and a damaged file fails the query with an error naming it. The version is
/// held for the scan's lifetime, so its files stay on disk until the scan ends.

#include <memory>
#include <string>

#include "catalog/catalog.h"
#include "execution/physical_operator.h"
#include "storage/segment.h"

namespace floe {

class PhysicalTableScan : public PhysicalOperator {
  public:
    /// `table_types` are the stored columns; `column_ids` the ones this scan outputs (`types`),
    /// where kRowIdColumn outputs each row's position ((rowset id << 32) | row) as BIGINT.
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

    /// What the scan did (EXPLAIN ANALYZE).
    struct Stats {
        size_t rowsets_read = 0, rowsets_skipped = 0, pages_read = 0, pages_skipped = 0, rows_read = 0;
    };
    const Stats& stats() const { return stats_; }
    void SetTableName(std::string name) { table_name_ = std::move(name); }
    const std::string& table_name() const { return table_name_; }
    std::string name() const override { return "TABLE_SCAN"; }
    bool IsSource() const override { return true; }
    bool GetData(ExecutionContext& ctx, Chunk& out) override;

  private:
    /// Opens the next rowset with live rows; false at the end.
    bool OpenNext();

    std::vector<LogicalType> table_types_;
    std::vector<size_t> column_ids_;
    std::vector<size_t> stored_ids_;  // column_ids_ without the row id
    int row_id_position_ = -1;        // where the row id goes in the output, or -1
    std::shared_ptr<const TableVersion> version_;
    std::string data_dir_;
    size_t next_rowset_ = 0;
    const RowsetInfo* rowset_ = nullptr;
    std::shared_ptr<const SegmentReader> reader_;
    size_t next_row_ = 0;
    std::vector<ZoneFilter> zone_filters_;
    size_t end_row_ = 0;           // the rowset's rows to read end here (short-key index)
    size_t last_page_ = SIZE_MAX;  // the page of the previous chunk (to count pages once)
    bool last_page_skipped_ = false;
    Stats stats_;
    std::string table_name_;
};

}  // namespace floe
