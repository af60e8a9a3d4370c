#pragma once
/// Source that reads a table's segments in order, a chunk at a time. Each segment is verified
/// (checksums) when opened; a damaged file fails the query with an error naming it.

#include <memory>
#include <string>

#include "execution/physical_operator.h"
#include "storage/segment.h"

namespace floe {

class PhysicalTableScan : public PhysicalOperator {
  public:
    PhysicalTableScan(std::vector<LogicalType> types, std::vector<std::string> segments)
        : PhysicalOperator(PhysicalOperatorType::TABLE_SCAN, std::move(types)), segments_(std::move(segments)) {}
    std::string name() const override { return "TABLE_SCAN"; }
    bool IsSource() const override { return true; }
    bool GetData(ExecutionContext& ctx, Chunk& out) override;

  private:
    std::vector<std::string> segments_;
    size_t next_segment_ = 0;
    std::unique_ptr<SegmentReader> reader_;
    size_t next_row_ = 0;
};

}  // namespace floe
