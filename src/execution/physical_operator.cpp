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

OperatorResult PhysicalOperator::Execute(ExecutionContext&, Chunk&, Chunk&) {
    throw InternalError(name() + " is not an operator");
}

bool PhysicalOperator::Sink(ExecutionContext&, Chunk&) {
    throw InternalError(name() + " is not a sink");
}

}  // namespace floe
