#include "execution/physical_operator.h"

#include "common/exception.h"
#include "common/memory_tracker.h"

namespace floe {

void ExecutionContext::CheckInterrupted() const {
    if (interrupted && interrupted->load(std::memory_order_relaxed)) {
        throw ExecutionError("Query execution was interrupted", ErrorCode::QUERY_INTERRUPTED);
    }
    MemoryTracker::CheckCurrent();
}

bool PhysicalOperator::GetData(ExecutionContext&, Chunk&) {
    throw InternalError(name() + " is not a source");
}

bool PhysicalOperator::GetMorselData(ExecutionContext&, LocalState&, size_t, Chunk&) {
    throw InternalError(name() + " does not split into morsels");
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
