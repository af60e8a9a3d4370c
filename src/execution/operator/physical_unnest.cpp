#include "execution/operator/physical_unnest.h"

#include "execution/expression_executor.h"
#include "types/array.h"

namespace floe {

namespace {

/// A task's position in the input chunk being unnested.
struct UnnestState : LocalState {
    bool active = false;
    std::vector<std::shared_ptr<Column>> arrays;  // the arrays of the chunk's rows
    size_t next = 0;                              // the next live row to emit
};

}  // namespace

OperatorResult PhysicalUnnest::Execute(ExecutionContext& ctx, Chunk& input, Chunk& output) {
    auto& slot = ctx.OperatorState(this);
    if (!slot) slot = std::make_unique<UnnestState>();
    auto& st = static_cast<UnnestState&>(*slot);
    if (!st.active) {
        st.arrays.clear();
        for (const auto& a : arrays_) st.arrays.push_back(ExpressionExecutor::Evaluate(*a, input, input.size()));
        st.next = 0;
        st.active = true;
    }
    const size_t width = input.column_count();
    const size_t live = input.live_rows();
    std::vector<LogicalType> elements;
    for (const auto& a : st.arrays) elements.push_back(a->type().id == TypeId::ARRAY ? a->type().Element() : a->type());
    // Rows of the input to repeat, and per array the element each output row takes.
    std::vector<uint32_t> rows;
    std::vector<std::unique_ptr<Column>> values;
    for (size_t k = 0; k < elements.size(); ++k) values.push_back(std::make_unique<Column>(types_[width + k], 0));
    std::vector<std::optional<ArrayReader>> readers(st.arrays.size());  // the row's arrays
    while (st.next < live && rows.size() < kChunkCapacity) {
        uint32_t r = input.LiveRow(st.next++);
        size_t longest = 0;
        for (size_t k = 0; k < st.arrays.size(); ++k) {
            const Column& c = *st.arrays[k];
            readers[k].reset();
            if (c.IsNull(r) || c.type().id != TypeId::ARRAY) continue;
            readers[k].emplace(c.Strings()[r].view(), elements[k]);
            longest = std::max(longest, readers[k]->size());
        }
        size_t n = longest == 0 && outer_ ? 1 : longest;
        for (size_t e = 0; e < n; ++e) {
            rows.push_back(r);
            for (size_t k = 0; k < readers.size(); ++k) {
                const auto& reader = readers[k];
                values[k]->Append(reader && e < reader->size() ? reader->Get(e) : Value::Null(elements[k]));
            }
        }
    }
    output = Chunk();
    for (size_t c = 0; c < width; ++c) {
        auto col = std::make_shared<Column>(input.column(c).type(), rows.size());
        col->AppendRows(input.column(c), rows.data(), rows.size());
        output.AddColumn(std::move(col));
    }
    for (auto& v : values) output.AddColumn(std::shared_ptr<Column>(std::move(v)));
    output.SetSize(rows.size());
    if (st.next < live) return OperatorResult::HAVE_MORE_OUTPUT;
    st.active = false;
    return OperatorResult::NEED_MORE_INPUT;
}

}  // namespace floe
