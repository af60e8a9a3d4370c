#include "execution/operator/physical_set_operation.h"

#include <unordered_set>

#include "vector/row_key.h"

namespace floe {

namespace {
std::vector<const Column*> Columns(const Chunk& c) {
    std::vector<const Column*> out;
    for (size_t i = 0; i < c.column_count(); ++i) out.push_back(&c.column(i));
    return out;
}
}  // namespace

bool PhysicalUnionAll::Sink(ExecutionContext& ctx, Chunk& input) {
    ctx.CheckInterrupted();
    if (input.live_rows() > 0) chunks_.push_back(std::move(input));
    return true;
}

bool PhysicalUnionAll::GetData(ExecutionContext&, Chunk& out) {
    if (next_ >= chunks_.size()) return false;
    out = std::move(chunks_[next_++]);
    return true;
}

bool PhysicalSetOperation::Sink(ExecutionContext& ctx, Chunk& input) {
    ctx.CheckInterrupted();
    if (ctx.sink_input == 0) {
        if (input.live_rows() > 0) left_chunks_.push_back(std::move(input));
        return true;
    }
    auto cols = Columns(input);
    std::string key;
    for (size_t i = 0; i < input.live_rows(); ++i) {
        key.clear();
        AppendRowKey(cols, input.LiveRow(i), key);
        ++right_counts_[key];
    }
    return true;
}

bool PhysicalSetOperation::GetData(ExecutionContext&, Chunk& out) {
    // right_counts_ doubles as the state: INTERSECT consumes counts; EXCEPT marks emitted rows -1.
    while (next_ < left_chunks_.size()) {
        Chunk& chunk = left_chunks_[next_++];
        auto cols = Columns(chunk);
        auto sel = std::make_unique<SelectionVector>();
        std::string key;
        for (size_t i = 0; i < chunk.live_rows(); ++i) {
            uint32_t r = chunk.LiveRow(i);
            key.clear();
            AppendRowKey(cols, r, key);
            auto it = right_counts_.find(key);
            int64_t count = it == right_counts_.end() ? 0 : it->second;
            bool emit;
            if (op_ == BoundSetOpType::INTERSECT) {
                emit = count > 0;
                if (emit) {
                    // ALL: each right copy matches one left copy; DISTINCT: emit once.
                    if (all_)
                        --it->second;
                    else
                        it->second = 0;
                }
            } else {
                if (all_) {
                    emit = count == 0;
                    if (!emit) --it->second;
                } else {
                    emit = count == 0;
                    if (emit)
                        right_counts_[key] = -1;  // emitted once; later copies are skipped
                    else
                        emit = false;
                    if (count < 0) emit = false;
                }
            }
            if (emit) sel->push_back(r);
        }
        if (sel->empty()) continue;
        out = Chunk();
        for (size_t c = 0; c < chunk.column_count(); ++c) out.AddColumn(chunk.shared_column(c));
        out.SetSize(chunk.size());
        out.SetSelection(std::move(sel));
        return true;
    }
    return false;
}

}  // namespace floe
