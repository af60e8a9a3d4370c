// Aggregates with an ORDER BY inside the call (GROUP_CONCAT(x ORDER BY y), FIRST(x ORDER BY y),
// ARRAY_AGG(x ORDER BY y)): any aggregate is wrapped by OrderedStates, which buffers each group's
// argument rows with their sort keys and, at Finalize, feeds them to the wrapped aggregate in the
// order asked for. The rows of one group keep their arrival order among equal keys.
#include "function/aggregate/ordered_aggregate.h"

#include <algorithm>
#include <numeric>

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;

class OrderedStates : public AggregateStates {
  public:
    OrderedStates(std::unique_ptr<AggregateStates> inner, std::vector<LogicalType> types, size_t arg_count,
                  std::vector<AggregateOrderKey> keys)
        : inner_(std::move(inner)), arg_count_(arg_count), keys_(std::move(keys)) {
        for (const auto& t : types) buffer_.push_back(std::make_unique<Column>(t, 0));
    }
    void Resize(size_t groups) override { inner_->Resize(groups); }
    void Update(Args args, const uint32_t* rows, const uint32_t* group_ids, size_t n) override {
        for (size_t c = 0; c < buffer_.size(); ++c) buffer_[c]->AppendRows(*args[c], rows, n);
        row_groups_.insert(row_groups_.end(), group_ids, group_ids + n);
    }
    void Finalize(Column& out, size_t groups) override {
        std::vector<uint32_t> order(row_groups_.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
            if (row_groups_[a] != row_groups_[b]) return row_groups_[a] < row_groups_[b];
            for (size_t k = 0; k < keys_.size(); ++k) {
                const Column& c = *buffer_[arg_count_ + k];
                bool an = c.IsNull(a), bn = c.IsNull(b);
                if (an || bn) {
                    if (an == bn) continue;
                    return an == keys_[k].nulls_first;
                }
                int cmp = c.CompareRows(a, c, b);
                if (cmp != 0) return keys_[k].ascending ? cmp < 0 : cmp > 0;
            }
            return false;
        });
        std::vector<const Column*> args;
        for (size_t c = 0; c < arg_count_; ++c) args.push_back(buffer_[c].get());
        std::vector<uint32_t> ids(order.size());
        for (size_t i = 0; i < order.size(); ++i) ids[i] = row_groups_[order[i]];
        // The wrapped aggregate sees the rows in order, in bounded batches.
        constexpr size_t kBatch = 4096;
        for (size_t i = 0; i < order.size(); i += kBatch) {
            size_t n = std::min(kBatch, order.size() - i);
            inner_->Update(args, order.data() + i, ids.data() + i, n);
        }
        inner_->Finalize(out, groups);
    }

  private:
    std::unique_ptr<AggregateStates> inner_;
    size_t arg_count_;
    std::vector<AggregateOrderKey> keys_;
    std::vector<std::unique_ptr<Column>> buffer_;  // the arguments, then the sort keys
    std::vector<uint32_t> row_groups_;             // group of each buffered row
};

}  // namespace

BoundAggregateFunction MakeOrderedAggregate(BoundAggregateFunction inner, const std::vector<LogicalType>& key_types,
                                            std::vector<AggregateOrderKey> keys) {
    BoundAggregateFunction f = inner;
    std::vector<LogicalType> types = inner.arg_types;
    types.insert(types.end(), key_types.begin(), key_types.end());
    f.arg_types = types;
    size_t arg_count = inner.arg_types.size();
    auto make_inner = inner.make_states;
    f.make_states = [make_inner, types, arg_count, keys] {
        return std::make_unique<OrderedStates>(make_inner(), types, arg_count, keys);
    };
    return f;
}

}  // namespace floe
