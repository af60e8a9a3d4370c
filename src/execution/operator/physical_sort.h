#pragma once
/// ORDER BY: a sink that gathers its input and its sort keys, sorts a row permutation when the
/// input ends, and then acts as the source of the next pipeline. Stable, NULLS FIRST/LAST aware.

#include "binder/bound_query.h"
#include "execution/physical_operator.h"

namespace floe {

class PhysicalSort : public PhysicalOperator {
  public:
    PhysicalSort(std::vector<LogicalType> types, std::vector<BoundOrderBy> orders);
    std::string name() const override { return "SORT"; }
    bool IsSink() const override { return true; }
    bool Sink(ExecutionContext& ctx, Chunk& input) override;
    void Finalize(ExecutionContext& ctx) override;
    bool IsSource() const override { return true; }
    bool GetData(ExecutionContext& ctx, Chunk& out) override;

  private:
    std::vector<BoundOrderBy> orders_;
    std::vector<std::unique_ptr<Column>> data_;  // all input rows, compacted
    std::vector<std::unique_ptr<Column>> keys_;  // evaluated keys, aligned with data_
    std::vector<uint32_t> order_;
    size_t next_ = 0;
};

}  // namespace floe
