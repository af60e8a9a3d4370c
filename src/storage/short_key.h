#pragma once
/// The short-key index of a segment: the sort key of the first row of each page, encoded so that
/// byte order (memcmp) is the sort order segments are written in (NULL first, then values;
/// integers, dates and decimals big-endian with the sign flipped, floats by their bits, strings
/// with 0x00 escaped as 0x00 0xFF and ended by 0x00 0x00). A scan whose filters bound a prefix of
/// the sort key (equalities on its first columns, then a range) binary-searches the pages that
/// can hold matching rows instead of asking every page's zone map.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/encoding.h"
#include "types/value.h"
#include "vector/column.h"

namespace floe {

/// Whether values of `type` have a sortable encoding (strings, integers, decimals, dates,
/// booleans; not floats, whose -0.0 and NaN sort differently by bits than by value).
bool HasSortableEncoding(const LogicalType& type);
/// Appends row `row` of `column` (a type HasSortableEncoding accepts).
void AppendSortable(const Column& column, uint32_t row, std::string& out);
/// Appends `value` as a value of `type`; false if the value is not of that type.
bool AppendSortable(const Value& value, const LogicalType& type, std::string& out);

/// A filter on a column, as the scan's zone filters give them.
struct SortKeyFilter {
    size_t column;
    ZoneOp op;
    Value constant;
};

/// The pages [first, last] of a segment that can hold rows matching `filters`, given its sort
/// columns, their types and the first key of each page. nullopt when the filters do not bound
/// the sort key (every page may match).
std::optional<std::pair<size_t, size_t>> ShortKeyPageRange(const std::vector<size_t>& sort_columns,
                                                           const std::vector<LogicalType>& types,
                                                           const std::vector<std::string>& page_keys,
                                                           const std::vector<SortKeyFilter>& filters);

}  // namespace floe
