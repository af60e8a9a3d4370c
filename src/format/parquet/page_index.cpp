#include "format/parquet/page_index.h"

#include "common/exception.h"
#include "format/parquet/parquet_types.h"

namespace floe::parquet {

namespace pf = floe::parquet_format;

std::optional<std::vector<PageStatistics>> ReadPageIndex(const ParquetFileReader& file, size_t row_group,
                                                         size_t column) {
    const FileColumn& c = file.columns().at(column);
    if (c.nested || !c.unsupported.empty()) return std::nullopt;
    const SchemaNode& leaf = *c.node;
    const pf::ColumnChunk& cc = file.metadata().row_groups[row_group].columns[leaf.leaf_index];
    if (!cc.__isset.column_index_offset || !cc.__isset.column_index_length || !cc.__isset.offset_index_offset ||
        !cc.__isset.offset_index_length) {
        return std::nullopt;
    }
    uint64_t size = file.file().size();
    auto in_file = [&](int64_t offset, int32_t length) {
        return offset >= 4 && length > 0 && static_cast<uint64_t>(offset) <= size &&
               static_cast<uint64_t>(length) <= size - static_cast<uint64_t>(offset);
    };
    std::string what = "'" + file.path() + "' column '" + c.name + "' row group " + std::to_string(row_group);
    if (!in_file(cc.column_index_offset, cc.column_index_length) ||
        !in_file(cc.offset_index_offset, cc.offset_index_length)) {
        throw IOError(what + ": the page index lies outside the file");
    }
    std::string ci_bytes =
        file.file().ReadAt(static_cast<uint64_t>(cc.column_index_offset), static_cast<size_t>(cc.column_index_length));
    std::string oi_bytes =
        file.file().ReadAt(static_cast<uint64_t>(cc.offset_index_offset), static_cast<size_t>(cc.offset_index_length));
    pf::ColumnIndex ci;
    pf::OffsetIndex oi;
    ReadThrift(ci_bytes.data(), ci_bytes.size(), ci, what + ": corrupt column index");
    ReadThrift(oi_bytes.data(), oi_bytes.size(), oi, what + ": corrupt offset index");
    size_t pages = oi.page_locations.size();
    if (pages == 0 || ci.null_pages.size() != pages || ci.min_values.size() != pages || ci.max_values.size() != pages) {
        return std::nullopt;  // an index that does not add up is not used
    }
    int64_t rows = file.row_group_rows(row_group);
    std::vector<PageStatistics> out(pages);
    for (size_t p = 0; p < pages; ++p) {
        PageStatistics& page = out[p];
        page.first_row = oi.page_locations[p].first_row_index;
        int64_t next = p + 1 < pages ? oi.page_locations[p + 1].first_row_index : rows;
        if (page.first_row < 0 || next < page.first_row || next > rows || (p == 0 && page.first_row != 0)) {
            return std::nullopt;
        }
        page.rows = next - page.first_row;
        page.all_null = ci.null_pages[p];
        if (ci.__isset.null_counts && ci.null_counts.size() == pages && ci.null_counts[p] >= 0) {
            page.stats.null_count = ci.null_counts[p];
        }
        if (!page.all_null) {
            page.stats.min = StatisticValue(leaf, ci.min_values[p]);
            page.stats.max = StatisticValue(leaf, ci.max_values[p]);
            if (!page.stats.min || !page.stats.max) {
                page.stats.min.reset();
                page.stats.max.reset();
            }
        }
    }
    return out;
}

}  // namespace floe::parquet
