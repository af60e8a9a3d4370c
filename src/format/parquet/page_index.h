#pragma once
/// The column index of a column chunk (Parquet's page index: per data page its min and max, and
/// whether it holds only NULLs) with the first row of each page from the offset index, so that a
/// scan can skip the pages a filter rules out. Read with two small ranged reads.

#include <optional>
#include <vector>

#include "format/parquet/file_reader.h"

namespace floe::parquet {

struct PageStatistics {
    int64_t first_row = 0;
    int64_t rows = 0;
    bool all_null = false;
    ColumnStatistics stats;  // min/max absent when unknown
};

/// The pages of flat column `column` (index into columns()) in `row_group`, or nullopt when the
/// chunk has no page index (or one that does not add up). Throws IOError for an index that
/// cannot be read.
std::optional<std::vector<PageStatistics>> ReadPageIndex(const ParquetFileReader& file, size_t row_group,
                                                         size_t column);

}  // namespace floe::parquet
