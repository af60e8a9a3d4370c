#pragma once
/// Source that reads a table's segments in order, a chunk at a time, only the columns the query
/// uses. Segments come through the segment cache; each column block is verified (checksum) when
/// first loaded, and a damaged file fails the query with an error naming it.

#include <memory>
#include <string>

#include "execution/physical_operator.h"
#include "storage/segment.h"

namespace floe {

class PhysicalTableScan : public PhysicalOperator {
  public:
    /// `table_types` are the stored columns; `column_ids` the ones this scan outputs (`types`).
    PhysicalTableScan(std::vector<LogicalType> types, std::vector<LogicalType> table_types,
                      std::vector<size_t> column_ids, std::vector<std::string> segments)
        : PhysicalOperator(PhysicalOperatorType::TABLE_SCAN, std::move(types)),
          table_types_(std::move(table_types)),
          column_ids_(std::move(column_ids)),
          segments_(std::move(segments)) {}
    std::string name() const override { return "TABLE_SCAN"; }
    bool IsSource() const override { return true; }
    bool GetData(ExecutionContext& ctx, Chunk& out) override;

  private:
    std::vector<LogicalType> table_types_;
    std::vector<size_t> column_ids_;
    std::vector<std::string> segments_;
    size_t next_segment_ = 0;
    std::shared_ptr<const SegmentReader> reader_;
    size_t next_row_ = 0;
};

}  // namespace floe
