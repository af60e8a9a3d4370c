#include "execution/operator/physical_projection.h"

#include "execution/expression_executor.h"

namespace floe {

OperatorResult PhysicalProjection::Execute(ExecutionContext&, Chunk& input, Chunk& output) {
    output = Chunk();
    for (const auto& e : expressions_) output.AddColumn(ExpressionExecutor::Evaluate(*e, input, input.size()));
    output.SetSize(input.size());
    if (input.selection()) output.SetSelection(std::make_unique<SelectionVector>(*input.selection()));
    return OperatorResult::NEED_MORE_INPUT;
}

}  // namespace floe
