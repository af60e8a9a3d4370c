#include "execution/operator/physical_hash_aggregate.h"

#include "execution/expression_executor.h"
#include "execution/key_hash_table.h"

namespace floe {

PhysicalHashAggregate::PhysicalHashAggregate(std::vector<LogicalType> types, std::vector<BoundExprPtr> groups,
                                             std::vector<BoundAggregate> aggregates)
    : PhysicalOperator(PhysicalOperatorType::HASH_AGGREGATE, std::move(types)),
      groups_(std::move(groups)),
      aggregates_(std::move(aggregates)) {
    std::vector<LogicalType> key_types;
    for (const auto& g : groups_) key_types.push_back(g->type);
    table_ = std::make_unique<KeyHashTable>(std::move(key_types));
    for (const auto& a : aggregates_) states_.push_back(a.function.make_states());
    if (groups_.empty()) {
        group_count_ = 1;
        for (auto& s : states_) s->Resize(1);
    }
}

bool PhysicalHashAggregate::Sink(ExecutionContext& ctx, Chunk& input) {
    ctx.CheckInterrupted();
    size_t live = input.live_rows();
    if (live == 0) return true;
    std::vector<uint32_t> rows(live), ids(live, 0);
    for (size_t i = 0; i < live; ++i) rows[i] = input.LiveRow(i);
    if (computes_ < 0) {
        // Whether any key or argument computes, and the columns they read.
        computes_ = 0;
        needed_.assign(input.column_count(), false);
        for (const auto& g : groups_) computes_ |= ExpressionExecutor::NoteInputs(*g, needed_) ? 1 : 0;
        for (const auto& a : aggregates_) {
            for (const auto& e : a.args) computes_ |= ExpressionExecutor::NoteInputs(*e, needed_) ? 1 : 0;
        }
    }
    // After a selective filter, keys and arguments are computed over a dense gather of the rows
    // that are in rather than over every physical row.
    const Chunk* src = &input;
    Chunk dense;
    if (computes_ && input.selection() && live * 2 < input.size()) {
        dense = ExpressionExecutor::Gather(input, rows.data(), live, needed_);
        src = &dense;
        for (size_t i = 0; i < live; ++i) rows[i] = static_cast<uint32_t>(i);
    }
    if (!groups_.empty()) {
        std::vector<std::shared_ptr<Column>> key_cols;
        std::vector<const Column*> key_ptrs;
        for (const auto& g : groups_) {
            key_cols.push_back(ExpressionExecutor::Evaluate(*g, *src, src->size()));
            key_ptrs.push_back(key_cols.back().get());
        }
        table_->FindOrInsert(key_ptrs, rows.data(), live, ids.data());
        group_count_ = table_->size();
        for (auto& s : states_) s->Resize(group_count_);
    }
    for (size_t a = 0; a < aggregates_.size(); ++a) {
        std::vector<std::shared_ptr<Column>> arg_cols;
        std::vector<const Column*> args;
        for (const auto& e : aggregates_[a].args) {
            arg_cols.push_back(ExpressionExecutor::Evaluate(*e, *src, src->size()));
            args.push_back(arg_cols.back().get());
        }
        states_[a]->Update(args, rows.data(), ids.data(), live);
    }
    return true;
}

void PhysicalHashAggregate::Finalize(ExecutionContext&) {
    for (auto& k : table_->key_columns()) results_.push_back(std::shared_ptr<Column>(std::move(k)));
    for (size_t a = 0; a < aggregates_.size(); ++a) {
        auto col = std::make_shared<Column>(aggregates_[a].function.return_type, group_count_);
        col->Resize(group_count_);
        states_[a]->Finalize(*col, group_count_);
        results_.push_back(std::move(col));
    }
}

bool PhysicalHashAggregate::GetData(ExecutionContext&, Chunk& out) {
    if (next_ >= group_count_) return false;
    size_t n = std::min(kChunkCapacity, group_count_ - next_);
    out = Chunk();
    std::vector<uint32_t> rows(n);
    for (size_t i = 0; i < n; ++i) rows[i] = static_cast<uint32_t>(next_ + i);
    for (const auto& r : results_) {
        auto col = std::make_shared<Column>(r->type(), n);
        col->AppendRows(*r, rows.data(), n);
        out.AddColumn(std::move(col));
    }
    out.SetSize(n);
    next_ += n;
    return true;
}

}  // namespace floe
