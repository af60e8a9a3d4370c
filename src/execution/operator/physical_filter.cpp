#include "execution/operator/physical_filter.h"

#include "binder/expression_walker.h"
#include "execution/expression_executor.h"

namespace floe {

PhysicalFilter::PhysicalFilter(std::vector<LogicalType> types, BoundExprPtr condition)
    : PhysicalOperator(PhysicalOperatorType::FILTER, std::move(types)) {
    SplitConjunction(std::move(condition), conjuncts_);
}

OperatorResult PhysicalFilter::Execute(ExecutionContext&, Chunk& input, Chunk& output) {
    // The rows still in, as physical indexes. Each conjunct runs over them only: over every
    // physical row while most are in (one pass, no copies), else over a dense gather of the
    // columns it reads, so later conjuncts cost what the earlier ones let through.
    std::vector<uint32_t> live(input.live_rows());
    for (size_t i = 0; i < live.size(); ++i) live[i] = input.LiveRow(i);
    std::call_once(noted_, [&] {
        for (const auto& c : conjuncts_) {
            needed_.push_back(ExpressionExecutor::ColumnsRead(*c, input.column_count()));
            common_.emplace_back().Build({c.get()});
        }
    });
    for (size_t k = 0; k < conjuncts_.size() && !live.empty(); ++k) {
        size_t kept = 0;
        std::vector<std::shared_ptr<Column>> memo(common_[k].count());
        if (live.size() * 2 >= input.size()) {
            auto mask = ExpressionExecutor::Evaluate(*conjuncts_[k], input, input.size(), common_[k], memo);
            const uint8_t* values = mask->Data<uint8_t>();
            const uint8_t* nulls = mask->nulls();
            for (uint32_t r : live) {  // branch-free: a conjunct keeps rows at random
                live[kept] = r;
                kept += static_cast<size_t>((values[r] != 0) & (nulls[r] == 0));
            }
        } else {
            Chunk dense = ExpressionExecutor::Gather(input, live.data(), live.size(), needed_[k]);
            auto mask = ExpressionExecutor::Evaluate(*conjuncts_[k], dense, live.size(), common_[k], memo);
            const uint8_t* values = mask->Data<uint8_t>();
            const uint8_t* nulls = mask->nulls();
            for (size_t i = 0; i < live.size(); ++i) {
                live[kept] = live[i];
                kept += static_cast<size_t>((values[i] != 0) & (nulls[i] == 0));
            }
        }
        live.resize(kept);
    }
    output = Chunk();
    for (size_t c = 0; c < input.column_count(); ++c) output.AddColumn(input.shared_column(c));
    output.SetSize(input.size());
    output.SetSelection(std::make_unique<SelectionVector>(live.begin(), live.end()));
    return OperatorResult::NEED_MORE_INPUT;
}

}  // namespace floe
