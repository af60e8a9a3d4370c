#pragma once
/// WITH RECURSIVE (planner/logical_operator.h: LogicalRecursiveCte). A source: its first call runs
/// the anchor, then steps of the recursive part until one adds no row, and hands out every row
/// added. Each step plans the recursive part afresh from a copy of its logical plan (physical
/// operators keep their state for one run) with the working table set to the previous step's
/// rows. UNION (not ALL) keeps only rows never seen before, by a hash table of whole rows.

#include <memory>
#include <string>
#include <vector>

#include "execution/physical_operator.h"
#include "planner/logical_operator.h"

namespace floe {

class PhysicalRecursiveCte : public PhysicalOperator {
  public:
    PhysicalRecursiveCte(std::vector<LogicalType> types, std::string name, bool all, int64_t max_depth,
                         std::shared_ptr<WorkingTable> working, PhysicalOperatorPtr anchor,
                         LogicalOperatorPtr recursive);
    std::string name() const override { return "RECURSIVE_CTE"; }
    bool IsSource() const override { return true; }
    bool GetData(ExecutionContext& ctx, Chunk& out) override;

  private:
    void Compute(ExecutionContext& ctx);

    std::string cte_name_;
    bool all_;
    int64_t max_depth_;  // steps of the recursive part allowed (cte_max_recursion_depth)
    std::shared_ptr<WorkingTable> working_;
    PhysicalOperatorPtr anchor_;
    LogicalOperatorPtr recursive_;
    bool computed_ = false;
    std::vector<Chunk> rows_;
    size_t next_ = 0;
};

}  // namespace floe
