#include "execution/operator/physical_window.h"

#include <algorithm>
#include <numeric>

#include "common/exception.h"
#include "execution/expression_executor.h"

namespace floe {

PhysicalWindow::PhysicalWindow(std::vector<LogicalType> types, std::vector<BoundWindow> windows)
    : PhysicalOperator(PhysicalOperatorType::WINDOW, std::move(types)), windows_(std::move(windows)) {
    input_width_ = types_.size() - windows_.size();
    for (size_t c = 0; c < input_width_; ++c) data_.push_back(std::make_unique<Column>(types_[c], 0));
    evaluated_.resize(windows_.size());
    for (size_t w = 0; w < windows_.size(); ++w) {
        for (const auto& p : windows_[w].partition_by)
            evaluated_[w].partition.push_back(std::make_unique<Column>(p->type, 0));
        for (const auto& o : windows_[w].order_by)
            evaluated_[w].order.push_back(std::make_unique<Column>(o.expr->type, 0));
        for (const auto& a : windows_[w].args) evaluated_[w].args.push_back(std::make_unique<Column>(a->type, 0));
    }
}

bool PhysicalWindow::Sink(ExecutionContext& ctx, Chunk& input) {
    ctx.CheckInterrupted();
    size_t live = input.live_rows();
    if (live == 0) return true;
    std::vector<uint32_t> rows(live);
    for (size_t i = 0; i < live; ++i) rows[i] = input.LiveRow(i);
    for (size_t c = 0; c < input_width_; ++c) data_[c]->AppendRows(input.column(c), rows.data(), live);
    auto append = [&](const BoundExpression& e, Column& into) {
        auto v = ExpressionExecutor::Evaluate(e, input, input.size());
        into.AppendRows(*v, rows.data(), live);
    };
    for (size_t w = 0; w < windows_.size(); ++w) {
        for (size_t k = 0; k < windows_[w].partition_by.size(); ++k)
            append(*windows_[w].partition_by[k], *evaluated_[w].partition[k]);
        for (size_t k = 0; k < windows_[w].order_by.size(); ++k)
            append(*windows_[w].order_by[k].expr, *evaluated_[w].order[k]);
        for (size_t k = 0; k < windows_[w].args.size(); ++k) append(*windows_[w].args[k], *evaluated_[w].args[k]);
    }
    rows_ += live;
    return true;
}

namespace {

/// Three-way comparison of rows a and b over key columns (NULLs first unless told otherwise).
int CompareKeys(const std::vector<std::unique_ptr<Column>>& keys, const std::vector<BoundOrderBy>* orders, uint32_t a,
                uint32_t b) {
    for (size_t k = 0; k < keys.size(); ++k) {
        const Column& col = *keys[k];
        bool an = col.IsNull(a), bn = col.IsNull(b);
        bool nulls_first = orders ? (*orders)[k].nulls_first : true;
        bool ascending = orders ? (*orders)[k].ascending : true;
        if (an || bn) {
            if (an == bn) continue;
            return an == nulls_first ? -1 : 1;
        }
        int c = col.CompareRows(a, col, b);
        if (c != 0) return ascending ? c : -c;
    }
    return 0;
}

}  // namespace

void PhysicalWindow::Compute(size_t w) {
    const BoundWindow& win = windows_[w];
    const Evaluated& ev = evaluated_[w];
    // Rows in (partition, order) order; partitions and peer groups are runs of it.
    std::vector<uint32_t> order(rows_);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        int c = CompareKeys(ev.partition, nullptr, a, b);
        if (c != 0) return c < 0;
        return CompareKeys(ev.order, &win.order_by, a, b) < 0;
    });
    auto result = std::make_shared<Column>(win.type, rows_);
    result->Resize(rows_);
    for (size_t r = 0; r < rows_; ++r) result->SetNull(r, true);
    std::vector<const Column*> args;
    for (const auto& a : ev.args) args.push_back(a.get());
    bool has_order = !win.order_by.empty();
    // Frame of the row at sorted position i of partition [ps, pe) with peers [gs, ge): [a, b).
    auto frame = [&](size_t ps, size_t pe, size_t gs, size_t ge, size_t i) -> std::pair<size_t, size_t> {
        if (!win.has_frame) return has_order ? std::make_pair(ps, ge) : std::make_pair(ps, pe);
        auto bound = [&](const ast::FrameBound& b, bool is_end) -> size_t {
            switch (b.kind) {
                case ast::FrameBound::UNBOUNDED_PRECEDING:
                    return ps;
                case ast::FrameBound::UNBOUNDED_FOLLOWING:
                    return pe;
                case ast::FrameBound::CURRENT_ROW:
                    if (!win.rows) return is_end ? ge : gs;
                    return is_end ? i + 1 : i;
                case ast::FrameBound::PRECEDING: {
                    int64_t at = static_cast<int64_t>(i) - b.offset + (is_end ? 1 : 0);
                    return static_cast<size_t>(
                        std::clamp<int64_t>(at, static_cast<int64_t>(ps), static_cast<int64_t>(pe)));
                }
                case ast::FrameBound::FOLLOWING: {
                    int64_t at = static_cast<int64_t>(i) + b.offset + (is_end ? 1 : 0);
                    return static_cast<size_t>(
                        std::clamp<int64_t>(at, static_cast<int64_t>(ps), static_cast<int64_t>(pe)));
                }
            }
            return i;
        };
        size_t a = bound(win.start, false), b = bound(win.end, true);
        return {a, std::max(a, b)};
    };
    // Frames that only grow (start fixed at the partition's start, end at the row or its peers).
    bool growing = !win.has_frame ? has_order
                                  : win.start.kind == ast::FrameBound::UNBOUNDED_PRECEDING &&
                                        win.end.kind == ast::FrameBound::CURRENT_ROW;
    bool whole = !win.has_frame ? !has_order
                                : win.start.kind == ast::FrameBound::UNBOUNDED_PRECEDING &&
                                      win.end.kind == ast::FrameBound::UNBOUNDED_FOLLOWING;
    std::vector<uint32_t> zeros(rows_, 0);
    Column one(win.type, 1);
    one.Resize(1);
    auto emit_aggregate = [&](AggregateStates& states, size_t dst) {
        states.Finalize(one, 1);
        result->SetNull(dst, one.IsNull(0));
        if (!one.IsNull(0)) result->SetValue(dst, one.GetValue(0));
    };
    for (size_t ps = 0; ps < rows_;) {
        size_t pe = ps + 1;
        while (pe < rows_ && CompareKeys(ev.partition, nullptr, order[ps], order[pe]) == 0) ++pe;
        int64_t rank = 1, dense = 0;
        std::unique_ptr<AggregateStates> running;
        size_t fed = ps;  // growing frames: rows of the partition folded in so far
        if (win.aggregate && (growing || whole)) {
            running = win.aggregate->make_states();
            running->Resize(1);
        }
        if (win.aggregate && whole) {
            running->Update(args, order.data() + ps, zeros.data(), pe - ps);
            Column value(win.type, 1);
            value.Resize(1);
            running->Finalize(value, 1);
            for (size_t i = ps; i < pe; ++i) {
                result->SetNull(order[i], value.IsNull(0));
                if (!value.IsNull(0)) result->SetValue(order[i], value.GetValue(0));
            }
            ps = pe;
            continue;
        }
        for (size_t gs = ps; gs < pe;) {
            size_t ge = gs + 1;
            while (ge < pe && CompareKeys(ev.order, &win.order_by, order[gs], order[ge]) == 0) ++ge;
            ++dense;
            for (size_t i = gs; i < ge; ++i) {
                uint32_t dst = order[i];
                const std::string& f = win.function;
                if (f == "row_number") {
                    result->SetNull(dst, false);
                    result->Data<int64_t>()[dst] = static_cast<int64_t>(i - ps + 1);
                } else if (f == "rank" || f == "dense_rank") {
                    result->SetNull(dst, false);
                    result->Data<int64_t>()[dst] = f == "rank" ? rank : dense;
                } else if (f == "cume_dist") {
                    // Rows up to and including this row's last peer, over the partition's rows.
                    result->SetNull(dst, false);
                    result->Data<double>()[dst] = static_cast<double>(ge - ps) / static_cast<double>(pe - ps);
                } else if (f == "percent_rank") {
                    // (rank - 1) / (rows - 1), 0 for a partition of one row.
                    result->SetNull(dst, false);
                    result->Data<double>()[dst] =
                        pe - ps > 1 ? static_cast<double>(rank - 1) / static_cast<double>(pe - ps - 1) : 0.0;
                } else if (f == "ntile") {
                    int64_t n = static_cast<int64_t>(pe - ps), buckets = win.offset, pos = static_cast<int64_t>(i - ps);
                    int64_t size = n / buckets, extra = n % buckets;
                    // The first `extra` buckets hold one more row.
                    int64_t bucket = pos < extra * (size + 1)
                                         ? pos / (size + 1)
                                         : extra + (pos - extra * (size + 1)) / std::max<int64_t>(size, 1);
                    result->SetNull(dst, false);
                    result->Data<int64_t>()[dst] = bucket + 1;
                } else if (f == "lag" || f == "lead") {
                    int64_t at = static_cast<int64_t>(i) + (f == "lag" ? -win.offset : win.offset);
                    if (at >= static_cast<int64_t>(ps) && at < static_cast<int64_t>(pe)) {
                        uint32_t src = order[static_cast<size_t>(at)];
                        result->SetNull(dst, args[0]->IsNull(src));
                        if (!args[0]->IsNull(src)) result->SetValue(dst, args[0]->GetValue(src));
                    } else if (args.size() > 1) {
                        result->SetNull(dst, args[1]->IsNull(dst));
                        if (!args[1]->IsNull(dst)) result->SetValue(dst, args[1]->GetValue(dst));
                    }
                } else if (f == "first_value" || f == "last_value") {
                    auto [a, b] = frame(ps, pe, gs, ge, i);
                    if (a < b) {
                        uint32_t src = order[f == "first_value" ? a : b - 1];
                        result->SetNull(dst, args[0]->IsNull(src));
                        if (!args[0]->IsNull(src)) result->SetValue(dst, args[0]->GetValue(src));
                    }
                } else if (growing) {
                    // Fold in the rows up to this row's frame end, then read the running value.
                    size_t end = frame(ps, pe, gs, ge, i).second;
                    if (end > fed) {
                        running->Update(args, order.data() + fed, zeros.data(), end - fed);
                        fed = end;
                    }
                    emit_aggregate(*running, dst);
                } else {
                    auto [a, b] = frame(ps, pe, gs, ge, i);
                    auto states = win.aggregate->make_states();
                    states->Resize(1);
                    if (b > a) states->Update(args, order.data() + a, zeros.data(), b - a);
                    emit_aggregate(*states, dst);
                }
            }
            rank += static_cast<int64_t>(ge - gs);
            gs = ge;
        }
        ps = pe;
    }
    results_[w] = std::move(result);
}

void PhysicalWindow::Finalize(ExecutionContext& ctx) {
    ctx.CheckInterrupted();
    results_.resize(windows_.size());
    for (size_t w = 0; w < windows_.size(); ++w) Compute(w);
}

bool PhysicalWindow::GetData(ExecutionContext&, Chunk& out) {
    if (next_ >= rows_) return false;
    size_t n = std::min(kChunkCapacity, rows_ - next_);
    std::vector<uint32_t> rows(n);
    std::iota(rows.begin(), rows.end(), static_cast<uint32_t>(next_));
    out = Chunk();
    for (size_t c = 0; c < input_width_; ++c) {
        auto col = std::make_shared<Column>(types_[c], n);
        col->AppendRows(*data_[c], rows.data(), n);
        out.AddColumn(std::move(col));
    }
    for (size_t w = 0; w < windows_.size(); ++w) {
        auto col = std::make_shared<Column>(windows_[w].type, n);
        col->AppendRows(*results_[w], rows.data(), n);
        out.AddColumn(std::move(col));
    }
    out.SetSize(n);
    next_ += n;
    return true;
}

}  // namespace floe
