#pragma once
/// Decoding of COM_STMT_EXECUTE: statement id, flags, the NULL bitmap, parameter types (sent
/// with the first execution and remembered for later ones) and binary parameter values.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "types/value.h"

namespace floe::mysql {

/// State a prepared statement keeps between executions.
struct StatementParameters {
    uint32_t count = 0;
    /// Type and flag byte pairs from the last execution that sent them.
    std::vector<uint16_t> types;
    /// Data from COM_STMT_SEND_LONG_DATA, by parameter index.
    std::map<uint16_t, std::string> long_data;
};

struct ExecuteRequest {
    uint32_t statement_id = 0;
    uint8_t flags = 0;
    std::vector<Value> params;
};

/// Reads the statement id only (to find the statement's parameter count).
uint32_t PeekStatementId(std::string_view payload);
/// Decodes the whole request; throws ProtocolError on malformed input.
ExecuteRequest DecodeExecute(std::string_view payload, StatementParameters& state);

}  // namespace floe::mysql
