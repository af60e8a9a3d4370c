#include "execution/operator/physical_cte_scan.h"

#include "execution/executor.h"

namespace floe {

void CteResult::Materialize(ExecutionContext& ctx) {
    std::lock_guard<std::mutex> lock(mutex);
    if (done) return;
    chunks = Executor::Run(*plan, ctx.interrupted, ctx.dop);
    done = true;
}

Chunk PhysicalCteScan::Share(size_t i) const {
    const Chunk& src = result_->chunks[i];
    Chunk out;
    for (size_t c = 0; c < src.column_count(); ++c) out.AddColumn(src.shared_column(c));
    out.SetSize(src.size());
    if (src.selection()) out.SetSelection(std::make_unique<SelectionVector>(*src.selection()));
    return out;
}

bool PhysicalCteScan::GetData(ExecutionContext& ctx, Chunk& out) {
    return ReadMorselsInOrder(ctx, serial_, next_, out);
}

size_t PhysicalCteScan::MorselCount(ExecutionContext& ctx) {
    result_->Materialize(ctx);
    return result_->chunks.size();
}

namespace {

struct CteScanState : LocalState {
    size_t given = SIZE_MAX;  // the morsel (chunk) already handed out
};

}  // namespace

std::unique_ptr<LocalState> PhysicalCteScan::MakeSourceState() {
    return std::make_unique<CteScanState>();
}

bool PhysicalCteScan::GetMorselData(ExecutionContext&, LocalState& state, size_t m, Chunk& out) {
    auto& st = static_cast<CteScanState&>(state);
    if (st.given == m) return false;
    st.given = m;
    out = Share(m);
    return true;
}

}  // namespace floe
