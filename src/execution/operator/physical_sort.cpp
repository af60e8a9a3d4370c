#include "execution/operator/physical_sort.h"

#include <cstring>

#include <algorithm>

#include "execution/expression_executor.h"

namespace floe {

PhysicalSort::PhysicalSort(std::vector<LogicalType> types, std::vector<BoundOrderBy> orders,
                           std::optional<int64_t> top_n)
    : PhysicalOperator(PhysicalOperatorType::SORT, std::move(types)), orders_(std::move(orders)), top_n_(top_n) {
    for (const auto& t : types_) data_.push_back(std::make_unique<Column>(t, 0));
    for (const auto& o : orders_) keys_.push_back(std::make_unique<Column>(o.expr->type, 0));
}

size_t PhysicalSort::BufferedRows() const {
    if (!keys_.empty()) return keys_[0]->size();
    return data_.empty() ? 0 : data_[0]->size();
}

int PhysicalSort::Compare(const std::vector<const Column*>& ka, uint32_t a, const std::vector<const Column*>& kb,
                          uint32_t b) const {
    for (size_t k = 0; k < orders_.size(); ++k) {
        bool an = ka[k]->IsNull(a), bn = kb[k]->IsNull(b);
        if (an || bn) {
            if (an == bn) continue;
            return an == orders_[k].nulls_first ? -1 : 1;
        }
        int c = ka[k]->CompareRows(a, *kb[k], b);
        if (c != 0) return orders_[k].ascending ? c : -c;
    }
    return 0;
}

bool PhysicalSort::Sink(ExecutionContext& ctx, Chunk& input) {
    ctx.CheckInterrupted();
    if (top_n_ && *top_n_ <= 0) return true;
    size_t live = input.live_rows();
    std::vector<std::shared_ptr<Column>> keys;
    for (const auto& o : orders_) keys.push_back(ExpressionExecutor::Evaluate(*o.expr, input, input.size()));
    std::vector<uint32_t> rows;
    rows.reserve(live);
    if (have_boundary_) {
        // Only rows that sort strictly before the current n-th row can enter the top n (an equal
        // row arrived later, so a stable sort puts it after).
        std::vector<const Column*> in_keys, buf_keys;
        for (const auto& k : keys) in_keys.push_back(k.get());
        for (const auto& k : keys_) buf_keys.push_back(k.get());
        auto boundary = static_cast<uint32_t>(*top_n_ - 1);
        for (size_t i = 0; i < live; ++i) {
            uint32_t r = input.LiveRow(i);
            if (Compare(in_keys, r, buf_keys, boundary) < 0) rows.push_back(r);
        }
    } else {
        for (size_t i = 0; i < live; ++i) rows.push_back(input.LiveRow(i));
    }
    if (rows.empty()) return true;
    for (size_t c = 0; c < data_.size(); ++c) data_[c]->AppendRows(input.column(c), rows.data(), rows.size());
    for (size_t k = 0; k < orders_.size(); ++k) keys_[k]->AppendRows(*keys[k], rows.data(), rows.size());
    if (top_n_) {
        auto n = static_cast<size_t>(*top_n_);
        if (BufferedRows() >= std::max<size_t>(4 * n, kChunkCapacity) && BufferedRows() > n) SortAndCut(n);
    }
    return true;
}

namespace {

/// A task's own top-N.
struct TopState : LocalState {
    std::unique_ptr<PhysicalSort> sort;
};

}  // namespace

std::unique_ptr<LocalState> PhysicalSort::MakeSinkState() {
    if (!top_n_) return nullptr;
    std::vector<BoundOrderBy> orders;
    for (const auto& o : orders_) orders.push_back({o.expr->Copy(), o.ascending, o.nulls_first});
    auto state = std::make_unique<TopState>();
    state->sort = std::make_unique<PhysicalSort>(types_, std::move(orders), top_n_);
    return state;
}

bool PhysicalSort::SinkLocal(ExecutionContext& ctx, LocalState& state, Chunk& input) {
    return static_cast<TopState&>(state).sort->Sink(ctx, input);
}

void PhysicalSort::Combine(ExecutionContext& ctx, LocalState& state) {
    PhysicalSort& part = *static_cast<TopState&>(state).sort;
    size_t rows = part.BufferedRows();
    if (rows == 0 || *top_n_ <= 0) return;
    part.SortAndCut(static_cast<size_t>(*top_n_));
    // The task's best rows, in its order, enter this sort like any input.
    size_t n = part.BufferedRows();
    Chunk best;
    for (auto& c : part.data_) best.AddColumn(std::shared_ptr<Column>(std::move(c)));
    best.SetSize(n);
    Sink(ctx, best);
}

namespace {

/// A row's first sort key, normalized: NULLs first or last (rank 0 or 2), then a 64-bit prefix
/// whose unsigned order is the key's order (descending keys inverted). Sorting these 16-byte
/// records compares in registers instead of reaching into the columns; rows whose prefixes tie
/// are compared in full.
struct SortEntry {
    uint64_t prefix;
    uint32_t row;
    uint8_t rank;
};

constexpr uint64_t kSignBit = uint64_t{1} << 63;

/// The prefix of row `r` (not NULL); `exact` says whether equal prefixes mean equal values.
uint64_t Prefix(const Column& c, size_t r) {
    switch (c.type().id) {
        case TypeId::BOOLEAN:
            return c.Data<uint8_t>()[r];
        case TypeId::TINYINT:
            return static_cast<uint64_t>(static_cast<int64_t>(c.Data<int8_t>()[r])) ^ kSignBit;
        case TypeId::SMALLINT:
            return static_cast<uint64_t>(static_cast<int64_t>(c.Data<int16_t>()[r])) ^ kSignBit;
        case TypeId::INT:
        case TypeId::DATE:
            return static_cast<uint64_t>(static_cast<int64_t>(c.Data<int32_t>()[r])) ^ kSignBit;
        case TypeId::BIGINT:
        case TypeId::DATETIME:
            return static_cast<uint64_t>(c.Data<int64_t>()[r]) ^ kSignBit;
        case TypeId::LARGEINT:
        case TypeId::DECIMAL: {
            int128_t v = c.Data<int128_t>()[r];
            int64_t clamped = v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : static_cast<int64_t>(v);
            return static_cast<uint64_t>(clamped) ^ kSignBit;
        }
        case TypeId::FLOAT:
        case TypeId::DOUBLE: {
            double d = c.type().id == TypeId::FLOAT ? static_cast<double>(c.Data<float>()[r]) : c.Data<double>()[r];
            if (d == 0) d = 0;  // -0.0 and 0.0 compare equal
            uint64_t bits;
            std::memcpy(&bits, &d, sizeof(bits));
            return (bits & kSignBit) ? ~bits : bits | kSignBit;
        }
        case TypeId::NULL_TYPE:
        case TypeId::ARRAY:  // blobs do not sort by their bytes: every prefix ties, rows compare in full
            return 0;
        default: {
            std::string_view v = c.Strings()[r].view();
            uint64_t p = 0;
            for (size_t i = 0; i < 8; ++i) {
                p = (p << 8) | (i < v.size() ? static_cast<unsigned char>(v[i]) : 0);
            }
            return p;
        }
    }
}

bool PrefixIsExact(TypeId id) {
    switch (id) {
        case TypeId::BOOLEAN:
        case TypeId::TINYINT:
        case TypeId::SMALLINT:
        case TypeId::INT:
        case TypeId::DATE:
        case TypeId::BIGINT:
        case TypeId::DATETIME:
        case TypeId::NULL_TYPE:
            return true;
        default:
            return false;
    }
}

}  // namespace

void PhysicalSort::SortAndCut(size_t keep) {
    size_t n = BufferedRows();
    std::vector<const Column*> k;
    for (const auto& c : keys_) k.push_back(c.get());
    std::vector<SortEntry> entries(n);
    const Column& first = *k[0];
    const bool ascending = orders_[0].ascending, nulls_first = orders_[0].nulls_first;
    for (size_t i = 0; i < n; ++i) {
        SortEntry& e = entries[i];
        e.row = static_cast<uint32_t>(i);
        if (first.IsNull(i)) {
            e.rank = nulls_first ? 0 : 2;
            e.prefix = 0;
        } else {
            e.rank = 1;
            e.prefix = ascending ? Prefix(first, i) : ~Prefix(first, i);
        }
    }
    const bool prefix_decides = orders_.size() == 1 && PrefixIsExact(first.type().id);
    // Ties broken by arrival order: a total order, so partial_sort is as stable as stable_sort.
    auto less = [&](const SortEntry& a, const SortEntry& b) {
        if (a.rank != b.rank) return a.rank < b.rank;
        if (a.prefix != b.prefix) return a.prefix < b.prefix;
        if (prefix_decides || (a.rank != 1 && orders_.size() == 1)) return a.row < b.row;
        int c = Compare(k, a.row, k, b.row);
        return c != 0 ? c < 0 : a.row < b.row;
    };
    if (keep < n) {
        std::partial_sort(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(keep), entries.end(), less);
        entries.resize(keep);
    } else {
        std::sort(entries.begin(), entries.end(), less);
    }
    order_.resize(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) order_[i] = entries[i].row;
    if (!top_n_) return;
    // Rebuild the buffer in sorted order so row top_n-1 is the boundary for later input.
    auto rebuild = [&](Columns& cols) {
        for (auto& c : cols) {
            auto fresh = std::make_unique<Column>(c->type(), order_.size());
            fresh->AppendRows(*c, order_.data(), order_.size());
            c = std::move(fresh);
        }
    };
    rebuild(data_);
    rebuild(keys_);
    for (size_t i = 0; i < order_.size(); ++i) order_[i] = static_cast<uint32_t>(i);
    have_boundary_ = order_.size() == keep;
}

void PhysicalSort::Finalize(ExecutionContext&) {
    size_t n = BufferedRows();
    size_t keep = n;
    if (top_n_) keep = std::min(n, static_cast<size_t>(std::max<int64_t>(0, *top_n_)));
    SortAndCut(keep);
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
