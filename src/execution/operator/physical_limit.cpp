#include "execution/operator/physical_limit.h"

namespace floe {

OperatorResult PhysicalLimit::Execute(ExecutionContext&, Chunk& input, Chunk& output) {
    auto sel = std::make_unique<SelectionVector>();
    size_t live = input.live_rows();
    for (size_t i = 0; i < live; ++i) {
        if (skipped_ < offset_) {
            ++skipped_;
            continue;
        }
        if (limit_ && emitted_ >= *limit_) break;
        sel->push_back(input.LiveRow(i));
        ++emitted_;
    }
    output = Chunk();
    for (size_t c = 0; c < input.column_count(); ++c) output.AddColumn(input.shared_column(c));
    output.SetSize(input.size());
    output.SetSelection(std::move(sel));
    return limit_ && emitted_ >= *limit_ ? OperatorResult::FINISHED : OperatorResult::NEED_MORE_INPUT;
}

}  // namespace floe
