#pragma once
/// What one statement returns to a protocol front end: either a result set (columns + chunks) or
/// an OK summary (affected rows, info, warnings). The protocol layer encodes it; it does not
/// compute anything.

#include <cstdint>
#include <string>
#include <vector>

#include "types/logical_type.h"
#include "vector/chunk.h"

namespace floe {

/// Metadata of one result column, as the MySQL column definition needs it.
struct ResultColumn {
    std::string name;       // the label (alias or expression text)
    std::string org_name;   // the underlying column name, empty for expressions
    std::string table;      // table alias, empty for expressions
    std::string org_table;  // underlying table name
    std::string schema;     // database name
    LogicalType type;
    bool nullable = true;
};

struct QueryResult {
    /// True when the statement produces rows (SELECT, SHOW, ...), even zero of them.
    bool has_result_set = false;
    std::vector<ResultColumn> columns;
    std::vector<Chunk> chunks;  // honour each chunk's selection vector when reading rows

    // For statements without a result set.
    uint64_t affected_rows = 0;
    uint64_t last_insert_id = 0;
    uint16_t warnings = 0;
    std::string info;

    /// Total live rows over all chunks.
    size_t RowCount() const {
        size_t n = 0;
        for (const auto& c : chunks) n += c.live_rows();
        return n;
    }
};

}  // namespace floe
