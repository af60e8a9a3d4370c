#include "execution/operator/physical_table_scan.h"

namespace floe {

bool PhysicalTableScan::GetData(ExecutionContext& ctx, Chunk& out) {
    while (true) {
        ctx.CheckInterrupted();
        if (!reader_) {
            if (next_segment_ >= segments_.size()) return false;
            reader_ = OpenSegment(segments_[next_segment_++], table_types_);
            next_row_ = 0;
        }
        if (next_row_ < reader_->row_count()) {
            size_t n = std::min(kChunkCapacity, reader_->row_count() - next_row_);
            reader_->Read(next_row_, n, column_ids_, out);
            next_row_ += n;
            return true;
        }
        reader_.reset();
    }
}

}  // namespace floe
