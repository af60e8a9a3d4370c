#pragma once
/// Set operations over two inputs that sink into the operator:
///  - UNION ALL keeps every chunk of both inputs and replays them;
///  - INTERSECT / EXCEPT [ALL] count each distinct row of the right input in a hash table, then
///    stream the left input's rows out according to those counts.

#include <string>
#include <unordered_map>

#include "binder/bound_query.h"
#include "execution/physical_operator.h"

namespace floe {

class PhysicalUnionAll : public PhysicalOperator {
  public:
    explicit PhysicalUnionAll(std::vector<LogicalType> types)
        : PhysicalOperator(PhysicalOperatorType::UNION_ALL, std::move(types)) {}
    std::string name() const override { return "UNION_ALL"; }
    bool IsSink() const override { return true; }
    bool Sink(ExecutionContext& ctx, Chunk& input) override;
    bool IsSource() const override { return true; }
    bool GetData(ExecutionContext& ctx, Chunk& out) override;

  private:
    std::vector<Chunk> chunks_;
    size_t next_ = 0;
};

class PhysicalSetOperation : public PhysicalOperator {
  public:
    PhysicalSetOperation(std::vector<LogicalType> types, BoundSetOpType op, bool all)
        : PhysicalOperator(PhysicalOperatorType::SET_OPERATION, std::move(types)), op_(op), all_(all) {}
    std::string name() const override { return op_ == BoundSetOpType::INTERSECT ? "INTERSECT" : "EXCEPT"; }
    bool IsSink() const override { return true; }
    bool Sink(ExecutionContext& ctx, Chunk& input) override;
    bool IsSource() const override { return true; }
    bool GetData(ExecutionContext& ctx, Chunk& out) override;

  private:
    BoundSetOpType op_;
    bool all_;
    std::unordered_map<std::string, int64_t> right_counts_;
    std::vector<Chunk> left_chunks_;
    size_t next_ = 0;
};

}  // namespace floe
