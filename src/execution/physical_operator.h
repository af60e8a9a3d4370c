#pragma once
/// Physical operators and their three roles in push-based pipelines:
///  - Source: produces chunks (GetData) at the start of a pipeline.
///  - Operator: transforms one input chunk into one output chunk (Execute).
///  - Sink: consumes every chunk of a pipeline (Sink), then Finalize; a sink that also produces
///    output (sort, aggregation) is the source of the next pipeline.
/// Threading: a pipeline runs on one thread unless its source splits into morsels, each of its
/// operators can Execute on several threads at once (ParallelExecute: no per-run state, or state
/// made thread-safe), and the pipeline's sink takes input in parallel (MakeSinkState) or through
/// the executor's ordered replay (chunks handed to Sink from one thread, in source order). Then
/// the executor runs the pipeline as tasks on the worker pool, each pulling whole morsels. An
/// operator that keeps per-run state in the object says nothing and keeps its pipeline on one
/// thread. See docs/dev/adding_an_operator.md.

#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/progress.h"
#include "types/logical_type.h"
#include "vector/chunk.h"

namespace floe {

enum class PhysicalOperatorType : uint8_t {
    VALUES,
    TABLE_FUNCTION,
    TABLE_SCAN,
    FILTER,
    PROJECTION,
    HASH_AGGREGATE,
    SORT,
    LIMIT,
    HASH_JOIN,
    UNION_ALL,
    SET_OPERATION,
    RESULT_COLLECTOR,
    WINDOW,
    EXPAND,
    CTE_SCAN,
    RECURSIVE_CTE,
    UNNEST,
};

enum class OperatorResult : uint8_t {
    NEED_MORE_INPUT,   // output (possibly empty) is ready; send the next input chunk
    FINISHED,          // output is ready and no more input is wanted (LIMIT reached)
    HAVE_MORE_OUTPUT,  // output is ready; call Execute again with the same input for more of it
};

/// Per-task state of a parallel source or sink (or an operator's position in its output): one per
/// pipeline task, used by that task only.
struct LocalState {
    virtual ~LocalState() = default;
};

/// Per-query state shared by all operators of a query: cancellation and memory accounting. Each
/// pipeline task works on its own copy.
struct ExecutionContext {
    const std::atomic<bool>* interrupted = nullptr;
    /// Which child's pipeline is feeding the sink being called (multi-input sinks: union, join build).
    size_t sink_input = 0;
    /// How many threads a pipeline may use (the session's pipeline_dop; 1 = serial).
    size_t dop = 1;
    /// Where the run reports how far it has got (common/progress.h); null: nowhere.
    Progress* progress = nullptr;
    /// The task's per-operator state (an operator that continues its output over several Execute
    /// calls keeps its position here, since several tasks run it at once).
    std::vector<std::pair<const void*, std::unique_ptr<LocalState>>>* operator_states = nullptr;
    /// The slot of `op`'s state in this task (empty at first).
    std::unique_ptr<LocalState>& OperatorState(const void* op);
    void CheckInterrupted() const;
};

class PhysicalOperator {
  public:
    PhysicalOperator(PhysicalOperatorType type, std::vector<LogicalType> types)
        : type_(type), types_(std::move(types)) {}
    virtual ~PhysicalOperator() = default;

    PhysicalOperatorType type() const { return type_; }
    const std::vector<LogicalType>& types() const { return types_; }
    std::vector<std::unique_ptr<PhysicalOperator>>& children() { return children_; }
    virtual std::string name() const = 0;

    // Source role.
    virtual bool IsSource() const { return false; }
    /// Fills `out`; returns false (and leaves `out` empty) when exhausted.
    virtual bool GetData(ExecutionContext& ctx, Chunk& out);

    // Parallel source role: the rows split into independent morsels, read in morsel order.
    /// How many morsels the source splits into (0: it cannot split). Called from one thread
    /// before any read; may be called again (returns the same).
    virtual size_t MorselCount(ExecutionContext& ctx) { return 0; }
    /// A task's reading state.
    virtual std::unique_ptr<LocalState> MakeSourceState() { return nullptr; }
    /// Fills `out` with the next chunk of morsel `m`; false (and `out` empty) when that morsel is
    /// done. Runs on several threads at once, each with its own `state`.
    virtual bool GetMorselData(ExecutionContext& ctx, LocalState& state, size_t m, Chunk& out);
    /// Called once per task when its reading ends (to fold in its statistics; thread-safe).
    virtual void FinishSource(LocalState& state) {}

    // Operator role.
    /// Whether Execute may run on several threads at once.
    virtual bool ParallelExecute() const { return false; }
    virtual OperatorResult Execute(ExecutionContext& ctx, Chunk& input, Chunk& output);
    /// Called after the pipeline's source is exhausted, until it returns false: lets an operator emit
    /// rows it held back (unmatched build rows of RIGHT/FULL joins).
    virtual bool FinishExecute(ExecutionContext& ctx, Chunk& output) { return false; }

    // Sink role.
    virtual bool IsSink() const { return false; }
    /// Returns false when the sink wants no more input.
    virtual bool Sink(ExecutionContext& ctx, Chunk& input);
    virtual void Finalize(ExecutionContext& ctx) {}
    /// A task's partial state, for a sink that consumes on several threads and combines after;
    /// null (the default): the executor replays the tasks' chunks into Sink in source order.
    virtual std::unique_ptr<LocalState> MakeSinkState() { return nullptr; }
    /// Sink for one task into its partial state; returns false when no more input is wanted.
    virtual bool SinkLocal(ExecutionContext& ctx, LocalState& state, Chunk& input);
    /// Folds a task's partial state into the sink: from one thread, after every task, before
    /// Finalize.
    virtual void Combine(ExecutionContext& ctx, LocalState& state) {}

    /// What the executor measured of this operator in the run (query profiles): rows it output
    /// (as a source or an operator) and rows it consumed (as a sink), and the time spent in its
    /// calls, summed over the threads that made them (its own work: what it pushes downstream is
    /// not counted). `memory`: for a sink, what the statement's tracked memory grew by over the
    /// pipelines feeding it (what it holds when they end: a join's build side, an aggregation's
    /// groups, a sort's rows), to within a MiB per thread.
    struct Profile {
        std::atomic<uint64_t> rows_out{0}, rows_in{0}, nanos{0};
        std::atomic<int64_t> memory{0};
    };
    Profile& profile() { return profile_; }
    const Profile& profile() const { return profile_; }

  protected:
    /// GetData of a morsel source on one thread: morsels `*next` on, in order, with `state`
    /// (made on first use); FinishSource when the last is done.
    bool ReadMorselsInOrder(ExecutionContext& ctx, std::unique_ptr<LocalState>& state, size_t& next, Chunk& out);

    PhysicalOperatorType type_;
    std::vector<LogicalType> types_;
    std::vector<std::unique_ptr<PhysicalOperator>> children_;
    Profile profile_;
};

using PhysicalOperatorPtr = std::unique_ptr<PhysicalOperator>;

}  // namespace floe
