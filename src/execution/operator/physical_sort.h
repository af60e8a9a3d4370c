#pragma once
/// ORDER BY: a sink that gathers its input and its sort keys, sorts a row permutation when the
/// input ends, and then acts as the source of the next pipeline. Stable, NULLS FIRST/LAST aware.
///
/// With `top_n` (ORDER BY ... LIMIT n) it keeps only the best n rows seen so far: rows that sort
/// after the current n-th row are dropped as they arrive, and the buffer is cut back to n rows
/// whenever it grows past a few multiples of n, so memory stays O(n) whatever the input size.

#include <optional>

#include "binder/bound_query.h"
#include "execution/physical_operator.h"

namespace floe {

class PhysicalSort : public PhysicalOperator {
  public:
    PhysicalSort(std::vector<LogicalType> types, std::vector<BoundOrderBy> orders,
                 std::optional<int64_t> top_n = std::nullopt);
    std::string name() const override { return "SORT"; }
    bool IsSink() const override { return true; }
    bool Sink(ExecutionContext& ctx, Chunk& input) override;
    void Finalize(ExecutionContext& ctx) override;
    bool IsSource() const override { return true; }
    bool GetData(ExecutionContext& ctx, Chunk& out) override;
    /// Top-N in parallel: each task keeps its own best n rows; their union goes through Sink.
    /// (A full sort takes its rows in order from one thread.)
    std::unique_ptr<LocalState> MakeSinkState() override;
    bool SinkLocal(ExecutionContext& ctx, LocalState& state, Chunk& input) override;
    void Combine(ExecutionContext& ctx, LocalState& state) override;

  private:
    using Columns = std::vector<std::unique_ptr<Column>>;
    /// Three-way comparison of key row `a` of `ka` with key row `b` of `kb` by the ORDER BY.
    int Compare(const std::vector<const Column*>& ka, uint32_t a, const std::vector<const Column*>& kb,
                uint32_t b) const;
    /// Sorts the buffered rows (stable) and, with top_n, keeps only the first top_n of them.
    void SortAndCut(size_t keep);
    size_t BufferedRows() const;

    std::vector<BoundOrderBy> orders_;
    std::optional<int64_t> top_n_;
    Columns data_;                // buffered input rows, compacted
    Columns keys_;                // evaluated keys, aligned with data_
    bool have_boundary_ = false;  // top_n: data_ is sorted and row top_n-1 is the n-th best
    std::vector<uint32_t> order_;
    size_t next_ = 0;
};

}  // namespace floe
