#include "execution/operator/physical_sort.h"

#include <algorithm>

#include "execution/expression_executor.h"

namespace floe {

PhysicalSort::PhysicalSort(std::vector<LogicalType> types, std::vector<BoundOrderBy> orders)
    : PhysicalOperator(PhysicalOperatorType::SORT, std::move(types)), orders_(std::move(orders)) {
    for (const auto& t : types_) data_.push_back(std::make_unique<Column>(t, 0));
    for (const auto& o : orders_) keys_.push_back(std::make_unique<Column>(o.expr->type, 0));
}

bool PhysicalSort::Sink(ExecutionContext& ctx, Chunk& input) {
    ctx.CheckInterrupted();
    size_t live = input.live_rows();
    std::vector<uint32_t> rows(live);
    for (size_t i = 0; i < live; ++i) rows[i] = input.LiveRow(i);
    for (size_t c = 0; c < data_.size(); ++c) data_[c]->AppendRows(input.column(c), rows.data(), live);
    for (size_t k = 0; k < orders_.size(); ++k) {
        auto key = ExpressionExecutor::Evaluate(*orders_[k].expr, input, input.size());
        keys_[k]->AppendRows(*key, rows.data(), live);
    }
    return true;
}

void PhysicalSort::Finalize(ExecutionContext&) {
    size_t n = keys_.empty() ? (data_.empty() ? 0 : data_[0]->size()) : keys_[0]->size();
    order_.resize(n);
    for (size_t i = 0; i < n; ++i) order_[i] = static_cast<uint32_t>(i);
    std::stable_sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) {
        for (size_t k = 0; k < keys_.size(); ++k) {
            const Column& key = *keys_[k];
            bool an = key.IsNull(a), bn = key.IsNull(b);
            if (an || bn) {
                if (an == bn) continue;
                return an == orders_[k].nulls_first;
            }
            int c = key.CompareRows(a, key, b);
            if (c != 0) return orders_[k].ascending ? c < 0 : c > 0;
        }
        return false;
    });
}

bool PhysicalSort::GetData(ExecutionContext&, Chunk& out) {
    if (next_ >= order_.size()) return false;
    size_t n = std::min(kChunkCapacity, order_.size() - next_);
    out = Chunk();
    for (size_t c = 0; c < data_.size(); ++c) {
        auto col = std::make_shared<Column>(types_[c], n);
        col->AppendRows(*data_[c], order_.data() + next_, n);
        out.AddColumn(std::move(col));
    }
    out.SetSize(n);
    next_ += n;
    return true;
}

}  // namespace floe
