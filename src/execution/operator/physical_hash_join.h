#pragma once
/// Hash join. The build side (child 1) sinks into the operator, which stores its rows and a
/// KeyHashTable from join key to a chain of build rows; the probe side (child 0) flows through
/// Execute, which looks each row up, applies the residual condition to candidate pairs, and emits
/// joined rows (left columns, then right columns). Without keys every build row is a candidate
/// (nested loops). RIGHT and FULL joins emit unmatched build rows when the probe side ends.

#include <string>

#include "binder/bound_query.h"
#include "execution/key_hash_table.h"
#include "execution/physical_operator.h"
#include "execution/runtime_filter.h"

namespace floe {

class PhysicalHashJoin : public PhysicalOperator {
  public:
    PhysicalHashJoin(std::vector<LogicalType> types, BoundJoinType join_type, std::vector<LogicalType> left_types,
                     std::vector<LogicalType> right_types, std::vector<BoundExprPtr> left_keys,
                     std::vector<BoundExprPtr> right_keys, BoundExprPtr condition, std::vector<bool> null_safe = {});
    std::string name() const override { return "HASH_JOIN"; }
    bool IsSink() const override { return true; }
    bool Sink(ExecutionContext& ctx, Chunk& input) override;
    void Finalize(ExecutionContext& ctx) override;
    /// A parallel build: each task collects its rows and keys, appended to the build's after.
    std::unique_ptr<LocalState> MakeSinkState() override;
    bool SinkLocal(ExecutionContext& ctx, LocalState& state, Chunk& input) override;
    void Combine(ExecutionContext& ctx, LocalState& state) override;
    OperatorResult Execute(ExecutionContext& ctx, Chunk& input, Chunk& output) override;
    bool FinishExecute(ExecutionContext& ctx, Chunk& output) override;
    /// Probes run on several threads at once (marks of matched build rows are atomic stores;
    /// FinishExecute runs after every probe).
    bool ParallelExecute() const override { return true; }
    /// The runtime filter this join's build fills for the scan of probe column `scan_column`, or
    /// null when the join cannot have one (a join that keeps unmatched probe rows, several or
    /// NULL-safe keys, a key that is not a column of the probe input's type).
    std::shared_ptr<RuntimeFilter> MakeRuntimeFilter(size_t scan_column);
    /// The probe input's column the (single) key reads, or SIZE_MAX.
    size_t ProbeKeyColumn() const;

    struct ProbeState;

  private:
    /// Starts probing `input`: its matchable rows and their key ids.
    void StartProbe(Chunk& input, ProbeState& st) const;
    /// Appends the next candidate pairs of the probe (at most `limit`, whole or split chains).
    void NextPairs(ProbeState& st, size_t limit, std::vector<uint32_t>& cand_left,
                   std::vector<uint32_t>& cand_right) const;
    /// Build rows, compacted (output strings point into them), and their evaluated keys.
    struct BuildRows : LocalState {
        std::vector<std::shared_ptr<Column>> columns;
        std::vector<std::unique_ptr<Column>> keys;
        size_t rows = 0;
    };
    void InitBuildRows(BuildRows& b) const;
    void Append(BuildRows& b, Chunk& input) const;
    bool MarksBuildRows() const;
    /// Marks build row b matched (probes on several threads mark at once).
    void Mark(uint32_t b) { __atomic_store_n(&matched_[b], uint8_t{1}, __ATOMIC_RELAXED); }
    /// Builds the output chunk of (left row, right row) pairs; right row UINT32_MAX means NULLs,
    /// left row UINT32_MAX (with `left` null) means NULLs on the left.
    Chunk Gather(const Chunk* left, const std::vector<uint32_t>& left_rows, const std::vector<uint32_t>& right_rows,
                 bool right_columns) const;

    BoundJoinType join_type_;
    std::vector<LogicalType> left_types_;
    std::vector<LogicalType> right_types_;
    std::vector<BoundExprPtr> left_keys_;
    std::vector<BoundExprPtr> right_keys_;
    BoundExprPtr condition_;
    std::vector<bool> null_safe_;
    /// The rows among `rows` whose keys can match: no NULL in a key that is not NULL-safe.
    std::vector<uint32_t> MatchableRows(const std::vector<const Column*>& keys, const uint32_t* rows, size_t n) const;
    BuildRows build_;
    std::unique_ptr<KeyHashTable> table_;  // build key -> key id
    std::vector<uint32_t> first_;          // per key id: its first build row
    std::vector<uint32_t> next_;           // per build row: the next row with the same key
    bool unique_keys_ = false;             // every key has one build row (first_ says which)
    std::shared_ptr<RuntimeFilter> runtime_filter_;
    std::vector<uint8_t> matched_;  // per build row, for RIGHT/FULL
    bool finished_ = false;
};

}  // namespace floe
