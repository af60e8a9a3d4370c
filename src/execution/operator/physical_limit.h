#pragma once
/// Skips `offset` rows, then passes at most `limit` rows and tells the pipeline to stop.

#include <optional>

#include "execution/physical_operator.h"

namespace floe {

class PhysicalLimit : public PhysicalOperator {
  public:
    PhysicalLimit(std::vector<LogicalType> types, std::optional<int64_t> limit, int64_t offset)
        : PhysicalOperator(PhysicalOperatorType::LIMIT, std::move(types)), limit_(limit), offset_(offset) {}
    std::string name() const override { return "LIMIT"; }
    OperatorResult Execute(ExecutionContext& ctx, Chunk& input, Chunk& output) override;

  private:
    std::optional<int64_t> limit_;
    int64_t offset_;
    int64_t skipped_ = 0;
    int64_t emitted_ = 0;
};

}  // namespace floe
