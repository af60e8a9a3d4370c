#pragma once
/// Source of rows of constant expressions (dual, VALUES, information_schema).

#include "binder/bound_expression.h"
#include "execution/physical_operator.h"

namespace floe {

class PhysicalValues : public PhysicalOperator {
  public:
    PhysicalValues(std::vector<LogicalType> types, std::vector<std::vector<BoundExprPtr>> rows)
        : PhysicalOperator(PhysicalOperatorType::VALUES, std::move(types)), rows_(std::move(rows)) {}
    std::string name() const override { return "VALUES"; }
    bool IsSource() const override { return true; }
    bool GetData(ExecutionContext& ctx, Chunk& out) override;

  private:
    std::vector<std::vector<BoundExprPtr>> rows_;
    size_t next_ = 0;
};

/// generate_series(start, stop[, step]) (inclusive) and numbers(n) (0..n-1) as BIGINT chunks.
class PhysicalTableFunction : public PhysicalOperator {
  public:
    PhysicalTableFunction(std::vector<LogicalType> types, int64_t start, int64_t stop, int64_t step)
        : PhysicalOperator(PhysicalOperatorType::TABLE_FUNCTION, std::move(types)),
          next_(start),
          stop_(stop),
          step_(step) {}
    std::string name() const override { return "TABLE_FUNCTION"; }
    bool IsSource() const override { return true; }
    bool GetData(ExecutionContext& ctx, Chunk& out) override;

  private:
    int64_t next_;
    int64_t stop_;
    int64_t step_;
    bool done_ = false;
};

}  // namespace floe
