#include "execution/operator/physical_values.h"

#include "execution/expression_executor.h"
#include "function/cast.h"

namespace floe {

bool PhysicalValues::GetData(ExecutionContext&, Chunk& out) {
    if (next_ >= rows_.size()) return false;
    size_t n = std::min(kChunkCapacity, rows_.size() - next_);
    out = Chunk(types_, n);
    out.SetSize(n);
    for (size_t r = 0; r < n; ++r) {
        const auto& row = rows_[next_ + r];
        for (size_t c = 0; c < types_.size(); ++c) {
            Value v = ExpressionExecutor::EvaluateConstant(*row[c]);
            out.column(c).SetValue(r, v.is_null() || v.type() == types_[c] ? v : CastValue(v, types_[c]));
        }
    }
    next_ += n;
    return true;
}

bool PhysicalTableFunction::GetData(ExecutionContext&, Chunk& out) {
    if (done_ || (step_ > 0 ? next_ > stop_ : next_ < stop_)) return false;
    out = Chunk(types_, kChunkCapacity);
    out.SetSize(kChunkCapacity);
    int64_t* data = out.column(0).Data<int64_t>();
    size_t n = 0;
    while (n < kChunkCapacity && (step_ > 0 ? next_ <= stop_ : next_ >= stop_)) {
        data[n++] = next_;
        if (__builtin_add_overflow(next_, step_, &next_)) {
            done_ = true;
            break;
        }
    }
    out.SetSize(n);
    return n > 0;
}

}  // namespace floe
