#pragma once
/// Result encoding: OK/ERR/EOF packets, column definitions for each Floe type, and rows in the
/// text protocol (COM_QUERY) and the binary protocol (COM_STMT_EXECUTE). Produces payloads;
/// framing and I/O belong to the connection.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "server/mysql/protocol.h"
#include "server/query_result.h"

namespace floe::mysql {

/// The MySQL column type, flags, length and decimals Floe reports for a type.
struct ColumnTypeInfo {
    ColumnType type;
    uint16_t flags;
    uint8_t charset;
    uint32_t length;
    uint8_t decimals;
};
ColumnTypeInfo DescribeType(const LogicalType& type, bool nullable);

std::string EncodeOk(uint64_t affected_rows, uint64_t last_insert_id, uint16_t status, uint16_t warnings,
                     std::string_view info = {}, uint8_t header = 0x00);
std::string EncodeErr(uint16_t error_number, std::string_view sqlstate, std::string_view message);
std::string EncodeEof(uint16_t status, uint16_t warnings = 0);
/// End of a result set: EOF, or an OK packet with the 0xFE header when DEPRECATE_EOF is on.
std::string EncodeResultEnd(bool deprecate_eof, uint16_t status);

/// ColumnDefinition41; `field_list` appends the default-value field COM_FIELD_LIST expects.
std::string EncodeColumnDefinition(const ResultColumn& column, bool field_list = false);

/// Appends the text protocol's form of row `row` of `col` (not null): what a client displays.
void AppendTextValue(const Column& col, size_t row, std::string& out);

/// Calls `emit` with one payload per row of `result`, in the text or binary protocol.
void EncodeTextRows(const QueryResult& result, const std::function<void(const std::string&)>& emit);
void EncodeBinaryRows(const QueryResult& result, const std::function<void(const std::string&)>& emit);

}  // namespace floe::mysql
