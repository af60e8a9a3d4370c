#include "execution/operator/physical_table_scan.h"

#include <set>

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
    for (size_t id : column_ids_) {
        if (IsVirtualColumn(id)) {
            has_virtual_ = true;
        } else {
            stored_ids_.push_back(id);
        }
    }
    int64_t ordinal = 0;
    for (const RowsetInfo& rowset : version_->rowsets) {
        first_ordinal_.push_back(ordinal);
        ordinal += rowset.live_rows();
    }
}

namespace {

/// Rows per morsel: enough that a task's overhead is nothing next to its work, few enough that
/// a table of a few million rows gives every core many morsels to balance.
constexpr size_t kMorselRows = 64 * 1024;

/// A task's (or the one thread's) reading position.
struct ScanState : LocalState {
    size_t morsel = SIZE_MAX;  // the morsel being read
    size_t rowset = SIZE_MAX;  // and its rowset, whose segment `reader` is
    std::shared_ptr<const SegmentReader> reader;
    size_t next_row = 0, end_row = 0;
    size_t last_page = SIZE_MAX;  // the page of the previous chunk (to count pages once)
    bool last_page_skipped = false;
    PhysicalTableScan::Stats stats;
    // Per runtime filter: rows checked, rows kept, and whether it is still applied to rows.
    std::vector<size_t> checked, kept;
    std::vector<uint8_t> disabled;
    std::vector<uint8_t> keep;  // scratch
};

}  // namespace

void PhysicalTableScan::PlanMorsels() {
    if (planned_) return;
    planned_ = true;
    for (size_t i = 0; i < version_->rowsets.size(); ++i) {
        const RowsetInfo& rowset = version_->rowsets[i];
        if (rowset.live_rows() == 0) continue;
        std::shared_ptr<const SegmentReader> reader = OpenSegment(data_dir_ + "/" + rowset.path, table_types_);
        bool may_match = true;
        for (const auto& f : zone_filters_) {
            const ZoneMap* zone = reader->column_zone(f.column);
            if (zone && !ZoneMayMatch(*zone, f.op, f.constant)) may_match = false;
        }
        for (const auto& f : runtime_filters_) {
            size_t c = column_ids_[f->scan_column];
            if (!IsVirtualColumn(c) && RuntimeRangeExcludes(*f, reader->column_zone(c))) may_match = false;
        }
        if (!may_match) {
            ++stats_.rowsets_skipped;
            stats_.pages_skipped += reader->page_count();
            continue;
        }
        size_t begin = 0, end = reader->row_count();
        // The short-key index narrows a bounded sort-key prefix to a run of pages.
        if (!zone_filters_.empty() && !reader->page_keys().empty()) {
            std::vector<SortKeyFilter> filters;
            for (const auto& f : zone_filters_) filters.push_back({f.column, f.op, f.constant});
            auto range = ShortKeyPageRange(reader->sort_columns(), table_types_, reader->page_keys(), filters);
            if (range) {
                size_t pages = reader->page_count();
                if (range->first > range->second) {
                    ++stats_.rowsets_skipped;
                    stats_.pages_skipped += pages;
                    continue;
                }
                stats_.pages_skipped += pages - (range->second - range->first + 1);
                begin = range->first * reader->page_rows();
                end = std::min(reader->row_count(), (range->second + 1) * reader->page_rows());
            }
        }
        ++stats_.rowsets_read;
        // Morsels are whole pages, so that each page is counted (and skipped) by one task.
        size_t step = kMorselRows;
        if (size_t page = reader->page_rows()) step = std::max<size_t>(1, kMorselRows / page) * page;
        for (size_t at = begin; at < end; at += step) morsels_.push_back({i, at, std::min(end, at + step)});
    }
}

size_t PhysicalTableScan::MorselCount(ExecutionContext&) {
    PlanMorsels();
    return morsels_.size();
}

std::unique_ptr<LocalState> PhysicalTableScan::MakeSourceState() {
    return std::make_unique<ScanState>();
}

void PhysicalTableScan::FinishSource(LocalState& state) {
    const Stats& st = static_cast<ScanState&>(state).stats;
    std::lock_guard<std::mutex> lock(stats_mutex_);
    stats_.pages_read += st.pages_read;
    stats_.pages_skipped += st.pages_skipped;
    stats_.rows_read += st.rows_read;
}

bool PhysicalTableScan::GetData(ExecutionContext& ctx, Chunk& out) {
    return ReadMorselsInOrder(ctx, serial_, serial_morsel_, out);
}

bool PhysicalTableScan::GetMorselData(ExecutionContext& ctx, LocalState& local, size_t m, Chunk& out) {
    auto& st = static_cast<ScanState&>(local);
    const Morsel& morsel = morsels_[m];
    const RowsetInfo* rowset = &version_->rowsets[morsel.rowset];
    if (st.morsel != m) {
        st.morsel = m;
        if (st.rowset != morsel.rowset) {
            st.rowset = morsel.rowset;
            st.reader = OpenSegment(data_dir_ + "/" + rowset->path, table_types_);
        }
        st.next_row = morsel.begin;
        st.end_row = morsel.end;
        st.last_page = SIZE_MAX;
    }
    const SegmentReader& reader = *st.reader;
    while (st.next_row < st.end_row) {
        ctx.CheckInterrupted();
        size_t start = st.next_row;
        size_t n = std::min(kChunkCapacity, st.end_row - start);
        st.next_row += n;
        if ((!zone_filters_.empty() || !runtime_filters_.empty()) && reader.page_rows() > 0) {
            size_t page = start / reader.page_rows();
            if (page != st.last_page) {
                st.last_page = page;
                st.last_page_skipped = false;
                for (const auto& f : runtime_filters_) {
                    size_t c = column_ids_[f->scan_column];
                    if (!IsVirtualColumn(c) && RuntimeRangeExcludes(*f, reader.page_zone(c, page))) {
                        st.last_page_skipped = true;
                    }
                }
                for (const auto& f : zone_filters_) {
                    const ZoneMap* zone = reader.page_zone(f.column, page);
                    if (zone && !ZoneMayMatch(*zone, f.op, f.constant)) st.last_page_skipped = true;
                    // An equality also asks the page's bloom filter, when the column has them.
                    if (!st.last_page_skipped && f.op == ZoneOp::EQ &&
                        !BloomMayContain(reader.page_bloom(f.column, page), f.constant)) {
                        st.last_page_skipped = true;
                    }
                }
                ++(st.last_page_skipped ? st.stats.pages_skipped : st.stats.pages_read);
            }
            if (st.last_page_skipped) continue;
        } else if (start % std::max<size_t>(reader.page_rows(), 1) == 0) {
            ++st.stats.pages_read;
        }
        st.stats.rows_read += n;
        std::unique_ptr<SelectionVector> selection;
        if (rowset->deletes) {
            // The deleted rows of this chunk only: a walk of the delete vector from `start`.
            roaring_uint32_iterator_t it;
            roaring_init_iterator(&rowset->deletes->roaring, &it);
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
        if (!has_virtual_) {
            reader.Read(start, n, stored_ids_, out);
        } else {
            Chunk stored;
            reader.Read(start, n, stored_ids_, stored);
            out = Chunk();
            size_t next_stored = 0;
            for (size_t id : column_ids_) {
                if (!IsVirtualColumn(id)) {
                    out.AddColumn(stored.shared_column(next_stored++));
                    continue;
                }
                auto ids = std::make_shared<Column>(LogicalType(TypeId::BIGINT), n);
                ids->Resize(n);
                int64_t* d = ids->Data<int64_t>();
                if (id == kRowIdColumn) {
                    int64_t base = rowset->id << 32;
                    for (size_t r = 0; r < n; ++r) d[r] = base | static_cast<int64_t>(start + r);
                } else {
                    // Live rows before this one: deleted rows take no ordinal (a deleted row's
                    // slot gets its successor's, and the selection drops it).
                    int64_t live = first_ordinal_[static_cast<size_t>(rowset - version_->rowsets.data())] +
                                   static_cast<int64_t>(start);
                    if (rowset->deletes && start > 0) {
                        live -= static_cast<int64_t>(rowset->deletes->rank(static_cast<uint32_t>(start - 1)));
                    }
                    for (size_t r = 0; r < n; ++r) {
                        d[r] = live;
                        if (!rowset->deletes || !rowset->deletes->contains(static_cast<uint32_t>(start + r))) ++live;
                    }
                }
                out.AddColumn(std::move(ids));
            }
            out.SetSize(n);
        }
        if (selection) out.SetSelection(std::move(selection));
        if (!runtime_filters_.empty()) {
            ApplyRuntimeFilters(st, out);
            if (out.live_rows() == 0) continue;
        }
        return true;
    }
    return false;
}

bool PhysicalTableScan::RuntimeRangeExcludes(const RuntimeFilter& f, const ZoneMap* zone) const {
    if (!f.ready || !f.has_range || !zone) return false;
    if (f.min > f.max) return true;  // no build keys at all
    return !ZoneMayMatch(*zone, ZoneOp::GE, Value::Integer(f.min)) ||
           !ZoneMayMatch(*zone, ZoneOp::LE, Value::Integer(f.max));
}

void PhysicalTableScan::ApplyRuntimeFilters(LocalState& local, Chunk& out) {
    auto& st = static_cast<ScanState&>(local);
    if (st.checked.size() != runtime_filters_.size()) {
        st.checked.assign(runtime_filters_.size(), 0);
        st.kept.assign(runtime_filters_.size(), 0);
        st.disabled.assign(runtime_filters_.size(), 0);
    }
    for (size_t k = 0; k < runtime_filters_.size(); ++k) {
        RuntimeFilter& f = *runtime_filters_[k];
        if (!f.ready || !f.table || st.disabled[k]) continue;
        size_t live = out.live_rows();
        if (live == 0) return;
        std::vector<uint32_t> rows(live);
        for (size_t i = 0; i < live; ++i) rows[i] = out.LiveRow(i);
        st.keep.resize(live);
        f.table->MayContain(out.column(f.scan_column), rows.data(), live, st.keep.data());
        size_t m = 0;
        for (size_t i = 0; i < live; ++i) {
            rows[m] = rows[i];
            m += st.keep[i];
        }
        st.checked[k] += live;
        st.kept[k] += m;
        if (m < live) {
            f.rows_filtered.fetch_add(live - m, std::memory_order_relaxed);
            rows.resize(m);
            out.SetSelection(std::make_unique<SelectionVector>(rows.begin(), rows.end()));
        }
        // A filter that keeps nearly every row costs more than it saves: stop applying it.
        if (st.checked[k] >= 16 * kChunkCapacity && st.kept[k] * 10 > st.checked[k] * 9) st.disabled[k] = 1;
    }
}

}  // namespace floe

namespace floe {

std::string PhysicalTableScan::PruningSummary() const {
    std::string out;
    auto [partitions_kept, partitions_total, buckets_kept, buckets_total] = pruning_;
    if (partitions_total >= 0) {
        out += "partitions " + std::to_string(partitions_kept) + "/" + std::to_string(partitions_total) + ", ";
    }
    if (buckets_total >= 0)
        out += "buckets " + std::to_string(buckets_kept) + "/" + std::to_string(buckets_total) + ", ";
    std::set<std::pair<int64_t, uint32_t>> tablets;
    if (version_) {
        for (const auto& r : version_->rowsets) tablets.insert({r.partition_id, r.bucket});
    }
    return out + "tablets " + std::to_string(tablets.size());
}

}  // namespace floe
