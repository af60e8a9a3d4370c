#pragma once
/// Source of rows known at plan time (dual, VALUES, information_schema).

#include "execution/physical_operator.h"
#include "types/value.h"

namespace floe {

class PhysicalValues : public PhysicalOperator {
  public:
    PhysicalValues(std::vector<LogicalType> types, std::vector<std::vector<Value>> rows)
        : PhysicalOperator(PhysicalOperatorType::VALUES, std::move(types)), rows_(std::move(rows)) {}
    std::string name() const override { return "VALUES"; }
    bool IsSource() const override { return true; }
    bool GetData(ExecutionContext& ctx, Chunk& out) override;

  private:
    std::vector<std::vector<Value>> rows_;
    size_t next_ = 0;
};

}  // namespace floe
