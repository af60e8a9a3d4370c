#include "execution/physical_operator.h"

#include "common/check.h"
#include "common/exception.h"
#include "common/memory_tracker.h"

namespace floe {

void ExecutionContext::CheckInterrupted() const {
    if (interrupted && interrupted->load(std::memory_order_relaxed)) {
        throw ExecutionError("Query execution was interrupted", ErrorCode::QUERY_INTERRUPTED);
    }
    MemoryTracker::CheckCurrent();
}

std::unique_ptr<LocalState>& ExecutionContext::OperatorState(const void* op) {
    FLOE_CHECK(operator_states != nullptr);
    for (auto& [key, state] : *operator_states) {
        if (key == op) return state;
    }
    operator_states->emplace_back(op, nullptr);
    return operator_states->back().second;
}

bool PhysicalOperator::GetData(ExecutionContext&, Chunk&) {
    throw InternalError(name() + " is not a source");
}

bool PhysicalOperator::GetMorselData(ExecutionContext&, LocalState&, size_t, Chunk&) {
    throw InternalError(name() + " does not split into morsels");
}

bool PhysicalOperator::ReadMorselsInOrder(ExecutionContext& ctx, std::unique_ptr<LocalState>& state, size_t& next,
                                          Chunk& out) {
    size_t morsels = MorselCount(ctx);
    if (!state) state = MakeSourceState();
    while (next < morsels) {
        if (GetMorselData(ctx, *state, next, out)) return true;
        if (++next == morsels) FinishSource(*state);
    }
    return false;
}

bool PhysicalOperator::SinkLocal(ExecutionContext&, LocalState&, Chunk&) {
    throw InternalError(name() + " has no parallel sink");
}

OperatorResult PhysicalOperator::Execute(ExecutionContext&, Chunk&, Chunk&) {
    throw InternalError(name() + " is not an operator");
}

bool PhysicalOperator::Sink(ExecutionContext&, Chunk&) {
    throw InternalError(name() + " is not a sink");
}

}  // namespace floe
