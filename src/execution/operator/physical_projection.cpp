#include "execution/operator/physical_projection.h"

#include "execution/expression_executor.h"

namespace floe {

OperatorResult PhysicalProjection::Execute(ExecutionContext&, Chunk& input, Chunk& output) {
    output = Chunk();
    size_t live = input.live_rows();
    std::call_once(noted_, [&] {
        needed_.assign(input.column_count(), false);
        for (const auto& e : expressions_) computes_ |= ExpressionExecutor::NoteInputs(*e, needed_);
    });
    if (computes_ && input.selection() && live * 2 < input.size()) {
        // Few rows survive (a selective filter): compute over a dense gather of them rather
        // than over every physical row.
        Chunk dense = ExpressionExecutor::Gather(input, input.selection()->data(), live, needed_);
        for (const auto& e : expressions_) output.AddColumn(ExpressionExecutor::Evaluate(*e, dense, live));
        output.SetSize(live);
        return OperatorResult::NEED_MORE_INPUT;
    }
    for (const auto& e : expressions_) output.AddColumn(ExpressionExecutor::Evaluate(*e, input, input.size()));
    output.SetSize(input.size());
    if (input.selection()) output.SetSelection(std::make_unique<SelectionVector>(*input.selection()));
    return OperatorResult::NEED_MORE_INPUT;
}

}  // namespace floe
