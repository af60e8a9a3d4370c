#include "execution/operator/physical_values.h"

#include "function/cast.h"

namespace floe {

bool PhysicalValues::GetData(ExecutionContext&, Chunk& out) {
    if (next_ >= rows_.size()) return false;
    size_t n = std::min(kChunkCapacity, rows_.size() - next_);
    out = Chunk(types_, n);
    out.SetSize(n);
    for (size_t c = 0; c < types_.size(); ++c) {
        Column& col = out.column(c);
        for (size_t r = 0; r < n; ++r) {
            const Value& v = rows_[next_ + r][c];
            col.SetValue(r, v.is_null() || v.type() == types_[c] ? v : CastValue(v, types_[c]));
        }
    }
    next_ += n;
    return true;
}

}  // namespace floe
