#include "execution/operator/physical_recursive_cte.h"

#include "common/exception.h"
#include "execution/executor.h"
#include "execution/key_hash_table.h"
#include "execution/operator/physical_cte_scan.h"
#include "execution/physical_planner.h"

namespace floe {

PhysicalRecursiveCte::PhysicalRecursiveCte(std::vector<LogicalType> types, std::string name, bool all,
                                           int64_t max_depth, std::shared_ptr<WorkingTable> working,
                                           PhysicalOperatorPtr anchor, LogicalOperatorPtr recursive)
    : PhysicalOperator(PhysicalOperatorType::RECURSIVE_CTE, std::move(types)),
      cte_name_(std::move(name)),
      all_(all),
      max_depth_(max_depth),
      working_(std::move(working)),
      anchor_(std::move(anchor)),
      recursive_(std::move(recursive)) {}

namespace {

/// UNION's memory of the rows seen: keeps the rows of `chunks` not seen before (nor earlier in
/// the same chunks), as compact chunks.
std::vector<Chunk> KeepNew(KeyHashTable& seen, std::vector<Chunk> chunks) {
    std::vector<Chunk> out;
    std::vector<uint32_t> rows, ids;
    for (Chunk& chunk : chunks) {
        size_t n = chunk.live_rows();
        if (n == 0) continue;
        rows.resize(n);
        ids.resize(n);
        for (size_t i = 0; i < n; ++i) rows[i] = chunk.LiveRow(i);
        std::vector<const Column*> keys;
        for (size_t c = 0; c < chunk.column_count(); ++c) keys.push_back(&chunk.column(c));
        uint32_t next_new = static_cast<uint32_t>(seen.size());
        seen.FindOrInsert(keys, rows.data(), n, ids.data());
        // Ids of new keys are given in first-seen order: a row is new when it takes the next one.
        auto keep = std::make_unique<SelectionVector>();
        for (size_t i = 0; i < n; ++i) {
            if (ids[i] == next_new) {
                keep->push_back(rows[i]);
                ++next_new;
            }
        }
        if (keep->empty()) continue;
        chunk.SetSelection(std::move(keep));
        out.push_back(std::move(chunk));
    }
    return out;
}

size_t LiveRows(const std::vector<Chunk>& chunks) {
    size_t n = 0;
    for (const auto& c : chunks) n += c.live_rows();
    return n;
}

}  // namespace

void PhysicalRecursiveCte::Compute(ExecutionContext& ctx) {
    KeyHashTable seen(types_);
    std::vector<Chunk> step = Executor::Run(*anchor_, ctx.interrupted, ctx.dop);
    if (!all_) step = KeepNew(seen, std::move(step));
    for (int64_t steps = 0; LiveRows(step) > 0; ++steps) {
        ctx.CheckInterrupted();
        if (steps >= max_depth_) {
            throw ExecutionError("Recursive query '" + cte_name_ + "' aborted after " + std::to_string(max_depth_) +
                                     " iterations. Try increasing @@cte_max_recursion_depth to a larger value.",
                                 ErrorCode::WRONG_ARGUMENTS);
        }
        auto work = std::make_shared<CteResult>();
        for (const Chunk& c : step) {
            Chunk copy;
            for (size_t i = 0; i < c.column_count(); ++i) copy.AddColumn(c.shared_column(i));
            copy.SetSize(c.size());
            if (c.selection()) copy.SetSelection(std::make_unique<SelectionVector>(*c.selection()));
            work->chunks.push_back(std::move(copy));
        }
        work->done = true;
        for (Chunk& c : step) rows_.push_back(std::move(c));
        working_->rows = work;
        LogicalOperatorPtr logical = CopyPlan(*recursive_);
        PhysicalOperatorPtr plan = PhysicalPlanner::Plan(*logical);
        step = Executor::Run(*plan, ctx.interrupted, ctx.dop);
        if (!all_) step = KeepNew(seen, std::move(step));
    }
    working_->rows.reset();
}

bool PhysicalRecursiveCte::GetData(ExecutionContext& ctx, Chunk& out) {
    if (!computed_) {
        Compute(ctx);
        computed_ = true;
    }
    while (next_ < rows_.size()) {
        out = std::move(rows_[next_++]);
        if (out.live_rows() > 0) return true;
    }
    return false;
}

}  // namespace floe
