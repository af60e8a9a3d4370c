#pragma once
/// ROLLUP / CUBE / GROUPING SETS: each input chunk comes out once per grouping set, with the keys
/// that set rolls up as NULL, followed by the set's grouping id and a GROUPING() flag per key
/// (see LogicalExpand). The hash aggregate above groups by those columns.

#include "binder/bound_expression.h"
#include "execution/physical_operator.h"

namespace floe {

class PhysicalExpand : public PhysicalOperator {
  public:
    PhysicalExpand(std::vector<LogicalType> types, std::vector<BoundExprPtr> keys, std::vector<uint64_t> sets)
        : PhysicalOperator(PhysicalOperatorType::EXPAND, std::move(types)),
          keys_(std::move(keys)),
          sets_(std::move(sets)) {}
    std::string name() const override { return "EXPAND"; }
    OperatorResult Execute(ExecutionContext& ctx, Chunk& input, Chunk& output) override;
    bool ParallelExecute() const override { return true; }

  private:
    std::vector<BoundExprPtr> keys_;
    std::vector<uint64_t> sets_;
};

}  // namespace floe
