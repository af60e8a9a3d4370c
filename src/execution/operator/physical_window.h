#pragma once
/// Window functions: a sink that buffers its input and evaluates each window's partition keys,
/// order keys and arguments column by column; at the end it sorts the rows by (partition, order)
/// once per distinct window specification, computes every window over partitions and peer groups,
/// and emits the input's columns followed by one column per window. Frames: the SQL defaults
/// (whole partition without ORDER BY; RANGE UNBOUNDED PRECEDING .. CURRENT ROW with it), ROWS
/// with any bounds, RANGE with UNBOUNDED and CURRENT ROW bounds. Aggregates over growing frames
/// are computed incrementally; other frames aggregate each row's frame.

#include <memory>
#include <vector>

#include "binder/bound_query.h"
#include "execution/physical_operator.h"

namespace floe {

class PhysicalWindow : public PhysicalOperator {
  public:
    PhysicalWindow(std::vector<LogicalType> types, std::vector<BoundWindow> windows);
    std::string name() const override { return "WINDOW"; }
    bool IsSink() const override { return true; }
    bool Sink(ExecutionContext& ctx, Chunk& input) override;
    void Finalize(ExecutionContext& ctx) override;
    bool IsSource() const override { return true; }
    bool GetData(ExecutionContext& ctx, Chunk& out) override;

  private:
    struct Evaluated {
        std::vector<std::unique_ptr<Column>> partition, order, args;
    };
    void Compute(size_t w);

    std::vector<BoundWindow> windows_;
    size_t input_width_ = 0;
    std::vector<std::unique_ptr<Column>> data_;  // buffered input
    std::vector<Evaluated> evaluated_;           // per window
    std::vector<std::shared_ptr<Column>> results_;
    size_t rows_ = 0;
    size_t next_ = 0;
};

}  // namespace floe
