#pragma once
/// Hash aggregation: a sink that assigns each input row a group id (through a KeyHashTable over the
/// evaluated group keys) and folds the aggregate arguments into per-group states, then a source that emits one row
/// per group: the keys, then the aggregates. Without keys there is always exactly one group.
/// Parallel pipelines give each task a partial aggregation of its own (a hash table and states),
/// combined into the operator's when the tasks are done, when every aggregate can combine.

#include <mutex>
#include <string>

#include "binder/bound_query.h"
#include "execution/expression_executor.h"
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
    std::unique_ptr<LocalState> MakeSinkState() override;
    bool SinkLocal(ExecutionContext& ctx, LocalState& state, Chunk& input) override;
    void Combine(ExecutionContext& ctx, LocalState& state) override;

  private:
    /// Groups and their aggregate states: the operator's, and each parallel task's.
    struct Partial : LocalState {
        std::unique_ptr<KeyHashTable> table;  // group key -> group id; holds the keys
        std::vector<std::unique_ptr<AggregateStates>> states;
        size_t group_count = 0;
    };
    std::unique_ptr<Partial> MakePartial() const;
    void SinkInto(Partial& partial, Chunk& input);

    std::once_flag noted_;         // computes_ and needed_ are set (by the first chunk)
    bool computes_ = false;        // whether a key or argument computes (more than column refs)
    std::vector<bool> needed_;     // the input columns keys and arguments read
    CommonSubexpressions common_;  // repeated among keys and arguments: evaluated once per chunk
    std::vector<BoundExprPtr> groups_;
    std::vector<BoundAggregate> aggregates_;
    std::unique_ptr<Partial> all_;
    std::vector<std::shared_ptr<Column>> results_;
    size_t next_ = 0;
};

}  // namespace floe
