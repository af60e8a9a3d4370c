#pragma once
/// Hash aggregation: a sink that assigns each input row a group id (hashing the serialized group
/// key) and folds the aggregate arguments into per-group states, then a source that emits one row
/// per group: the keys, then the aggregates. Without keys there is always exactly one group.

#include <string>
#include <unordered_map>

#include "binder/bound_query.h"
#include "execution/physical_operator.h"

namespace floe {

class PhysicalHashAggregate : public PhysicalOperator {
  public:
    PhysicalHashAggregate(std::vector<LogicalType> types, std::vector<BoundExprPtr> groups,
                          std::vector<BoundAggregate> aggregates);
    std::string name() const override { return "HASH_AGGREGATE"; }
    bool IsSink() const override { return true; }
    bool Sink(ExecutionContext& ctx, Chunk& input) override;
    void Finalize(ExecutionContext& ctx) override;
    bool IsSource() const override { return true; }
    bool GetData(ExecutionContext& ctx, Chunk& out) override;

  private:
    std::vector<BoundExprPtr> groups_;
    std::vector<BoundAggregate> aggregates_;
    std::vector<std::unique_ptr<AggregateStates>> states_;
    std::unordered_map<std::string, uint32_t> group_ids_;
    std::vector<std::unique_ptr<Column>> keys_;  // one row per group
    size_t group_count_ = 0;
    std::vector<std::shared_ptr<Column>> results_;
    size_t next_ = 0;
};

}  // namespace floe
