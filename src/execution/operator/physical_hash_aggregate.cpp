#include "execution/operator/physical_hash_aggregate.h"

#include "execution/expression_executor.h"
#include "execution/key_hash_table.h"

namespace floe {

PhysicalHashAggregate::PhysicalHashAggregate(std::vector<LogicalType> types, std::vector<BoundExprPtr> groups,
                                             std::vector<BoundAggregate> aggregates)
    : PhysicalOperator(PhysicalOperatorType::HASH_AGGREGATE, std::move(types)),
      groups_(std::move(groups)),
      aggregates_(std::move(aggregates)) {
    all_ = MakePartial();
}

std::unique_ptr<PhysicalHashAggregate::Partial> PhysicalHashAggregate::MakePartial() const {
    auto p = std::make_unique<Partial>();
    std::vector<LogicalType> key_types;
    for (const auto& g : groups_) key_types.push_back(g->type);
    p->table = std::make_unique<KeyHashTable>(std::move(key_types));
    for (const auto& a : aggregates_) p->states.push_back(a.function.make_states());
    if (groups_.empty()) {
        p->group_count = 1;
        for (auto& s : p->states) s->Resize(1);
    }
    return p;
}

std::unique_ptr<LocalState> PhysicalHashAggregate::MakeSinkState() {
    for (const auto& s : all_->states) {
        if (!s->Combinable()) return nullptr;
    }
    return MakePartial();
}

bool PhysicalHashAggregate::Sink(ExecutionContext& ctx, Chunk& input) {
    ctx.CheckInterrupted();
    SinkInto(*all_, input);
    return true;
}

bool PhysicalHashAggregate::SinkLocal(ExecutionContext&, LocalState& state, Chunk& input) {
    SinkInto(static_cast<Partial&>(state), input);
    return true;
}

void PhysicalHashAggregate::Combine(ExecutionContext&, LocalState& state) {
    auto& part = static_cast<Partial&>(state);
    size_t n = part.group_count;
    std::vector<uint32_t> ids(n, 0);
    if (!groups_.empty()) {
        // The task's groups are looked up (or added) by their keys.
        std::vector<const Column*> keys;
        for (const auto& k : part.table->key_columns()) keys.push_back(k.get());
        std::vector<uint32_t> rows(n);
        for (size_t i = 0; i < n; ++i) rows[i] = static_cast<uint32_t>(i);
        all_->table->FindOrInsert(keys, rows.data(), n, ids.data());
        all_->group_count = all_->table->size();
        for (auto& s : all_->states) s->Resize(all_->group_count);
    }
    for (size_t a = 0; a < aggregates_.size(); ++a) all_->states[a]->Combine(*part.states[a], ids.data(), n);
}

namespace {

/// Group lookup for keys that are all dictionary-coded (string columns as a scan hands them on):
/// a row's combination of entries (each key's code, or one past its last entry for NULL) is
/// numbered, each combination among the rows is looked up once, in the order of its first row
/// (so groups get the ids a row-by-row lookup gives), and the rows take their combination's
/// group. False when a key is not coded or the combinations are not much fewer than the rows.
bool FindCodedGroups(KeyHashTable& table, const std::vector<std::shared_ptr<Column>>& keys, const uint32_t* rows,
                     size_t n, uint32_t* ids) {
    size_t combinations = 1;
    std::vector<size_t> sizes;
    for (const auto& k : keys) {
        if (!k->codes()) return false;
        sizes.push_back(k->dictionary()->size() + 1);  // + NULL
        combinations *= sizes.back();
        if (combinations * 2 > n) return false;
    }
    std::vector<int32_t> slot(combinations, -1);
    std::vector<uint32_t> order, combination_of(n);
    for (size_t i = 0; i < n; ++i) {
        uint32_t r = rows[i];
        size_t combination = 0;
        for (size_t k = 0; k < keys.size(); ++k) {
            size_t e = keys[k]->IsNull(r) ? sizes[k] - 1 : keys[k]->codes()[r];
            combination = combination * sizes[k] + e;
        }
        combination_of[i] = static_cast<uint32_t>(combination);
        if (slot[combination] < 0) {
            slot[combination] = static_cast<int32_t>(order.size());
            order.push_back(static_cast<uint32_t>(combination));
        }
    }
    // Each combination's key values, from the dictionaries.
    std::vector<std::vector<uint32_t>> picks(keys.size(), std::vector<uint32_t>(order.size()));
    for (size_t j = 0; j < order.size(); ++j) {
        size_t combination = order[j];
        for (size_t k = keys.size(); k-- > 0;) {
            size_t e = combination % sizes[k];
            combination /= sizes[k];
            picks[k][j] = e == sizes[k] - 1 ? UINT32_MAX : static_cast<uint32_t>(e);
        }
    }
    std::vector<std::shared_ptr<Column>> entry_keys;
    std::vector<const Column*> ptrs;
    for (size_t k = 0; k < keys.size(); ++k) {
        auto c = std::make_shared<Column>(keys[k]->type(), order.size());
        c->AppendRowsReferencing(keys[k]->shared_dictionary(), picks[k].data(), order.size());
        ptrs.push_back(c.get());
        entry_keys.push_back(std::move(c));
    }
    std::vector<uint32_t> seq(order.size()), entry_ids(order.size());
    for (size_t j = 0; j < seq.size(); ++j) seq[j] = static_cast<uint32_t>(j);
    table.FindOrInsert(ptrs, seq.data(), seq.size(), entry_ids.data());
    for (size_t i = 0; i < n; ++i) ids[i] = entry_ids[static_cast<size_t>(slot[combination_of[i]])];
    return true;
}

}  // namespace

void PhysicalHashAggregate::SinkInto(Partial& part, Chunk& input) {
    size_t live = input.live_rows();
    if (live == 0) return;
    std::vector<uint32_t> rows(live), ids(live, 0);
    for (size_t i = 0; i < live; ++i) rows[i] = input.LiveRow(i);
    std::call_once(noted_, [&] {
        // Whether any key or argument computes, and the columns they read.
        needed_.assign(input.column_count(), false);
        for (const auto& g : groups_) computes_ |= ExpressionExecutor::NoteInputs(*g, needed_);
        for (const auto& a : aggregates_) {
            for (const auto& e : a.args) computes_ |= ExpressionExecutor::NoteInputs(*e, needed_);
        }
        std::vector<const BoundExpression*> roots;
        for (const auto& g : groups_) roots.push_back(g.get());
        for (const auto& a : aggregates_) {
            for (const auto& e : a.args) roots.push_back(e.get());
        }
        common_.Build(roots);
    });
    std::vector<std::shared_ptr<Column>> memo(common_.count());
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
            key_cols.push_back(ExpressionExecutor::Evaluate(*g, *src, src->size(), common_, memo));
            key_ptrs.push_back(key_cols.back().get());
        }
        if (!FindCodedGroups(*part.table, key_cols, rows.data(), live, ids.data())) {
            part.table->FindOrInsert(key_ptrs, rows.data(), live, ids.data());
        }
        part.group_count = part.table->size();
        for (auto& s : part.states) s->Resize(part.group_count);
    }
    for (size_t a = 0; a < aggregates_.size(); ++a) {
        std::vector<std::shared_ptr<Column>> arg_cols;
        std::vector<const Column*> args;
        for (const auto& e : aggregates_[a].args) {
            arg_cols.push_back(ExpressionExecutor::Evaluate(*e, *src, src->size(), common_, memo));
            args.push_back(arg_cols.back().get());
        }
        part.states[a]->Update(args, rows.data(), ids.data(), live);
    }
}

void PhysicalHashAggregate::Finalize(ExecutionContext&) {
    for (auto& k : all_->table->key_columns()) results_.push_back(std::shared_ptr<Column>(std::move(k)));
    for (size_t a = 0; a < aggregates_.size(); ++a) {
        auto col = std::make_shared<Column>(aggregates_[a].function.return_type, all_->group_count);
        col->Resize(all_->group_count);
        all_->states[a]->Finalize(*col, all_->group_count);
        results_.push_back(std::move(col));
    }
}

bool PhysicalHashAggregate::GetData(ExecutionContext&, Chunk& out) {
    if (next_ >= all_->group_count) return false;
    size_t n = std::min(kChunkCapacity, all_->group_count - next_);
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
