#include "execution/operator/physical_table_scan.h"

#include "binder/bound_query.h"
#include "storage/short_key.h"

namespace floe {

PhysicalTableScan::PhysicalTableScan(std::vector<LogicalType> types, std::vector<LogicalType> table_types,
                                     std::vector<size_t> column_ids, std::shared_ptr<const TableVersion> version,
                                     std::string data_dir)
    : PhysicalOperator(PhysicalOperatorType::TABLE_SCAN, std::move(types)),
      table_types_(std::move(table_types)),
      column_ids_(std::move(column_ids)),
      version_(std::move(version)),
      data_dir_(std::move(data_dir)) {
    for (size_t i = 0; i < column_ids_.size(); ++i) {
        if (column_ids_[i] == kRowIdColumn) {
            row_id_position_ = static_cast<int>(i);
        } else {
            stored_ids_.push_back(column_ids_[i]);
        }
    }
}

bool PhysicalTableScan::OpenNext() {
    while (next_rowset_ < version_->rowsets.size()) {
        rowset_ = &version_->rowsets[next_rowset_++];
        if (rowset_->live_rows() == 0) continue;
        reader_ = OpenSegment(data_dir_ + "/" + rowset_->path, table_types_);
        bool may_match = true;
        for (const auto& f : zone_filters_) {
            const ZoneMap* zone = reader_->column_zone(f.column);
            if (zone && !ZoneMayMatch(*zone, f.op, f.constant)) may_match = false;
        }
        if (!may_match) {
            ++stats_.rowsets_skipped;
            stats_.pages_skipped += reader_->page_count();
            reader_.reset();
            continue;
        }
        last_page_ = SIZE_MAX;
        next_row_ = 0;
        end_row_ = reader_->row_count();
        // The short-key index narrows a bounded sort-key prefix to a run of pages.
        if (!zone_filters_.empty() && !reader_->page_keys().empty()) {
            std::vector<SortKeyFilter> filters;
            for (const auto& f : zone_filters_) filters.push_back({f.column, f.op, f.constant});
            auto range = ShortKeyPageRange(reader_->sort_columns(), table_types_, reader_->page_keys(), filters);
            if (range) {
                size_t pages = reader_->page_count();
                if (range->first > range->second) {
                    ++stats_.rowsets_skipped;
                    stats_.pages_skipped += pages;
                    reader_.reset();
                    continue;
                }
                stats_.pages_skipped += pages - (range->second - range->first + 1);
                next_row_ = range->first * reader_->page_rows();
                end_row_ = std::min(reader_->row_count(), (range->second + 1) * reader_->page_rows());
            }
        }
        ++stats_.rowsets_read;
        return true;
    }
    return false;
}

bool PhysicalTableScan::GetData(ExecutionContext& ctx, Chunk& out) {
    while (true) {
        ctx.CheckInterrupted();
        if (!reader_ && !OpenNext()) return false;
        if (next_row_ >= end_row_) {
            reader_.reset();
            continue;
        }
        size_t start = next_row_;
        size_t n = std::min(kChunkCapacity, end_row_ - start);
        next_row_ += n;
        if (!zone_filters_.empty() && reader_->page_rows() > 0) {
            size_t page = start / reader_->page_rows();
            if (page != last_page_) {
                last_page_ = page;
                last_page_skipped_ = false;
                for (const auto& f : zone_filters_) {
                    const ZoneMap* zone = reader_->page_zone(f.column, page);
                    if (zone && !ZoneMayMatch(*zone, f.op, f.constant)) last_page_skipped_ = true;
                    // An equality also asks the page's bloom filter, when the column has them.
                    if (!last_page_skipped_ && f.op == ZoneOp::EQ &&
                        !BloomMayContain(reader_->page_bloom(f.column, page), f.constant)) {
                        last_page_skipped_ = true;
                    }
                }
                ++(last_page_skipped_ ? stats_.pages_skipped : stats_.pages_read);
            }
            if (last_page_skipped_) continue;
        } else if (start % std::max<size_t>(reader_->page_rows(), 1) == 0) {
            ++stats_.pages_read;
        }
        stats_.rows_read += n;
        std::unique_ptr<SelectionVector> selection;
        if (rowset_->deletes) {
            // The deleted rows of this chunk only: a walk of the delete vector from `start`.
            roaring_uint32_iterator_t it;
            roaring_init_iterator(&rowset_->deletes->roaring, &it);
            roaring_move_uint32_iterator_equalorlarger(&it, static_cast<uint32_t>(start));
            if (it.has_value && it.current_value < start + n) {
                selection = std::make_unique<SelectionVector>();
                for (size_t r = 0; r < n; ++r) {
                    if (it.has_value && it.current_value == start + r) {
                        roaring_advance_uint32_iterator(&it);
                        continue;
                    }
                    selection->push_back(static_cast<uint32_t>(r));
                }
                if (selection->empty()) continue;
            }
        }
        if (row_id_position_ < 0) {
            reader_->Read(start, n, stored_ids_, out);
        } else {
            Chunk stored;
            reader_->Read(start, n, stored_ids_, stored);
            auto ids = std::make_shared<Column>(LogicalType(TypeId::BIGINT), n);
            ids->Resize(n);
            int64_t base = rowset_->id << 32;
            for (size_t r = 0; r < n; ++r) ids->Data<int64_t>()[r] = base | static_cast<int64_t>(start + r);
            out = Chunk();
            size_t next_stored = 0;
            for (size_t i = 0; i < column_ids_.size(); ++i) {
                out.AddColumn(static_cast<int>(i) == row_id_position_ ? ids : stored.shared_column(next_stored++));
            }
            out.SetSize(n);
        }
        if (selection) out.SetSelection(std::move(selection));
        return true;
    }
}

}  // namespace floe
