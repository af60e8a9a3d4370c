#pragma once
/// Hash aggregation: a sink that assigns each input row a group id (through a KeyHashTable over the
/// evaluated group keys) and folds the aggregate arguments into per-group states, then a source that emits one row
/// per group: the keys, then the aggregates. Without keys there is always exactly one group.

#include <string>

#include "binder/bound_query.h"
#include "execution/key_hash_table.h"
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
    int computes_ = -1;         // whether a key or argument computes (more than column refs); -1: unknown
    std::vector<bool> needed_;  // the input columns keys and arguments read
    std::vector<BoundExprPtr> groups_;
    std::vector<BoundAggregate> aggregates_;
    std::vector<std::unique_ptr<AggregateStates>> states_;
    std::unique_ptr<KeyHashTable> table_;  // group key -> group id; holds the keys
    size_t group_count_ = 0;
    std::vector<std::shared_ptr<Column>> results_;
    size_t next_ = 0;
};

}  // namespace floe
