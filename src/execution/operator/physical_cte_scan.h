#pragma once
/// A read of a materialized CTE (planner/logical_operator.h: CteMaterialization): the first read
/// that starts runs the CTE's plan once and keeps its chunks; every read then hands them out (in
/// parallel pipelines one chunk per morsel). The chunks are shared, never modified.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "execution/physical_operator.h"

namespace floe {

/// The execution side of a materialized CTE, shared by its reads.
struct CteResult {
    std::mutex mutex;
    PhysicalOperatorPtr plan;
    bool done = false;
    std::vector<Chunk> chunks;
    /// Runs the plan once (the first caller; the others wait for it).
    void Materialize(ExecutionContext& ctx);
};

class PhysicalCteScan : public PhysicalOperator {
  public:
    PhysicalCteScan(std::vector<LogicalType> types, std::shared_ptr<CteResult> result)
        : PhysicalOperator(PhysicalOperatorType::CTE_SCAN, std::move(types)), result_(std::move(result)) {}
    std::string name() const override { return "CTE_SCAN"; }
    bool IsSource() const override { return true; }
    bool GetData(ExecutionContext& ctx, Chunk& out) override;
    size_t MorselCount(ExecutionContext& ctx) override;
    std::unique_ptr<LocalState> MakeSourceState() override;
    bool GetMorselData(ExecutionContext& ctx, LocalState& state, size_t m, Chunk& out) override;

  private:
    /// A shallow copy of chunk i: the columns are shared.
    Chunk Share(size_t i) const;
    std::shared_ptr<CteResult> result_;
    std::unique_ptr<LocalState> serial_;  // one-thread reading: its state and next chunk
    size_t next_ = 0;
};

}  // namespace floe
