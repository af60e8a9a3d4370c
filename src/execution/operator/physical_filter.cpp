#include "execution/operator/physical_filter.h"

#include "execution/expression_executor.h"

namespace floe {

OperatorResult PhysicalFilter::Execute(ExecutionContext&, Chunk& input, Chunk& output) {
    auto mask = ExpressionExecutor::Evaluate(*condition_, input, input.size());
    const uint8_t* values = mask->Data<uint8_t>();
    const uint8_t* nulls = mask->nulls();
    auto sel = std::make_unique<SelectionVector>();
    size_t live = input.live_rows();
    sel->reserve(live);
    for (size_t i = 0; i < live; ++i) {
        uint32_t r = input.LiveRow(i);
        if (values[r] && !nulls[r]) sel->push_back(r);
    }
    output = Chunk();
    for (size_t c = 0; c < input.column_count(); ++c) output.AddColumn(input.shared_column(c));
    output.SetSize(input.size());
    output.SetSelection(std::move(sel));
    return OperatorResult::NEED_MORE_INPUT;
}

}  // namespace floe
