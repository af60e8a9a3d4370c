#pragma once
/// Physical operators and their three roles in push-based pipelines:
///  - Source: produces chunks (GetData) at the start of a pipeline.
///  - Operator: transforms one input chunk into one output chunk (Execute).
///  - Sink: consumes every chunk of a pipeline (Sink), then Finalize; a sink that also produces
///    output (sort, aggregation) is the source of the next pipeline.
/// Threading: in this version a pipeline runs on one thread; operators keep per-run state in the
/// operator object and are not shared between queries. See docs/dev/adding_an_operator.md.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

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
};

enum class OperatorResult : uint8_t {
    NEED_MORE_INPUT,  // output (possibly empty) is ready; send the next input chunk
    FINISHED,         // output is ready and no more input is wanted (LIMIT reached)
};

/// Per-query state shared by all operators of a query: cancellation and memory accounting.
struct ExecutionContext {
    const std::atomic<bool>* interrupted = nullptr;
    /// Which child's pipeline is feeding the sink being called (multi-input sinks: union, join build).
    size_t sink_input = 0;
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

    // Operator role.
    virtual OperatorResult Execute(ExecutionContext& ctx, Chunk& input, Chunk& output);
    /// Called after the pipeline's source is exhausted, until it returns false: lets an operator emit
    /// rows it held back (unmatched build rows of RIGHT/FULL joins).
    virtual bool FinishExecute(ExecutionContext& ctx, Chunk& output) { return false; }

    // Sink role.
    virtual bool IsSink() const { return false; }
    /// Returns false when the sink wants no more input.
    virtual bool Sink(ExecutionContext& ctx, Chunk& input);
    virtual void Finalize(ExecutionContext& ctx) {}

  protected:
    PhysicalOperatorType type_;
    std::vector<LogicalType> types_;
    std::vector<std::unique_ptr<PhysicalOperator>> children_;
};

using PhysicalOperatorPtr = std::unique_ptr<PhysicalOperator>;

}  // namespace floe
