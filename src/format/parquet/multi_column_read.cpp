// Reading more than one column chunk at a time: a row group's chunks coalesced into few reads,
// and whole columns of small files (Iceberg delete files).

#include <algorithm>

#include "common/exception.h"
#include "format/parquet/file_reader.h"

namespace floe::parquet {

void PreloadTogether(const std::vector<ColumnReader*>& readers, const RandomAccessFile& file, uint64_t max_gap,
                     size_t max_read) {
    std::vector<std::pair<uint64_t, size_t>> ranges;
    for (const ColumnReader* r : readers) {
        if (!r) continue;
        for (const auto& range : r->PendingRanges()) ranges.push_back(range);
    }
    if (ranges.size() < 2) return;  // one chunk: its own read is already one request
    std::sort(ranges.begin(), ranges.end());
    std::string buffer;
    size_t i = 0;
    while (i < ranges.size()) {
        uint64_t begin = ranges[i].first, end = ranges[i].first + ranges[i].second;
        size_t j = i + 1;
        while (j < ranges.size() && ranges[j].first <= end + max_gap &&
               std::max(end, ranges[j].first + ranges[j].second) - begin <= max_read) {
            end = std::max(end, ranges[j].first + ranges[j].second);
            ++j;
        }
        if (j - i >= 2) {  // a lone chunk is read by its reader when first used
            buffer.resize(static_cast<size_t>(end - begin));
            file.ReadAt(begin, buffer.size(), buffer.data());
            for (ColumnReader* r : readers) {
                if (r) r->Preload(begin, buffer);
            }
        }
        i = j;
    }
}

int FindColumn(const ParquetFileReader& file, int32_t field_id, const std::string& name) {
    const auto& columns = file.columns();
    for (size_t c = 0; c < columns.size(); ++c) {
        if (columns[c].field_id >= 0 && columns[c].field_id == field_id) return static_cast<int>(c);
    }
    for (size_t c = 0; c < columns.size(); ++c) {
        if (columns[c].field_id < 0 && !name.empty() && columns[c].name == name) return static_cast<int>(c);
    }
    return -1;
}

Column ReadWholeColumn(const ParquetFileReader& file, size_t c) {
    const auto& fc = file.columns()[c];
    if (!fc.unsupported.empty()) throw IOError("'" + file.path() + "': " + fc.unsupported);
    auto rows = static_cast<size_t>(file.num_rows());
    Column out(fc.type, rows);
    out.Resize(rows);
    size_t at = 0;
    for (size_t g = 0; g < file.row_group_count(); ++g) {
        auto n = static_cast<size_t>(file.row_group_rows(g));
        if (at + n > rows) throw IOError("'" + file.path() + "': row groups hold more rows than the footer says");
        ColumnReader reader(file, g, c);
        reader.Read(n, out, at);
        at += n;
    }
    return out;
}

}  // namespace floe::parquet
