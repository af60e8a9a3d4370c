#include "execution/operator/physical_expand.h"

#include "execution/expression_executor.h"

namespace floe {

OperatorResult PhysicalExpand::Execute(ExecutionContext&, Chunk& input, Chunk& output) {
    size_t live = input.live_rows();
    size_t width = input.column_count();
    std::vector<uint32_t> rows(live);
    for (size_t i = 0; i < live; ++i) rows[i] = input.LiveRow(i);
    std::vector<std::shared_ptr<Column>> keys;
    for (const auto& k : keys_) keys.push_back(ExpressionExecutor::Evaluate(*k, input, input.size()));
    size_t total = live * sets_.size();
    output = Chunk();
    for (size_t c = 0; c < width; ++c) {
        auto col = std::make_shared<Column>(input.column(c).type(), total);
        for (size_t s = 0; s < sets_.size(); ++s) col->AppendRows(input.column(c), rows.data(), live);
        output.AddColumn(std::move(col));
    }
    std::vector<uint32_t> none(live, UINT32_MAX);  // AppendRows: no source row gives NULL
    for (size_t j = 0; j < keys.size(); ++j) {
        auto col = std::make_shared<Column>(keys[j]->type(), total);
        for (uint64_t mask : sets_) {
            bool rolled_up = (mask >> j) & 1;
            col->AppendRows(*keys[j], rolled_up ? none.data() : rows.data(), live);
        }
        output.AddColumn(std::move(col));
    }
    auto constant = [&](auto value_of) {
        auto col = std::make_shared<Column>(LogicalType(TypeId::BIGINT), total);
        col->Resize(total);
        size_t at = 0;
        for (uint64_t mask : sets_) {
            int64_t v = value_of(mask);
            for (size_t i = 0; i < live; ++i, ++at) {
                col->SetNull(at, false);
                col->Data<int64_t>()[at] = v;
            }
        }
        output.AddColumn(std::move(col));
    };
    constant([](uint64_t mask) { return static_cast<int64_t>(mask); });
    for (size_t j = 0; j < keys.size(); ++j) {
        constant([j](uint64_t mask) { return static_cast<int64_t>((mask >> j) & 1); });
    }
    output.SetSize(total);
    return OperatorResult::NEED_MORE_INPUT;
}

}  // namespace floe
