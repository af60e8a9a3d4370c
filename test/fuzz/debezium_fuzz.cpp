// Fuzzes the Debezium change-event decoder as Routine Load and Stream Load drive it: the input is
// a message key and value (split at the first NUL byte; no NUL: the whole input is the value),
// decoded for a Primary Key table and for a Duplicate Key table of every column type the
// conversions know. Any input must decode, skip or throw floe::Exception; a decoded row must be
// a JSON object.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/exception.h"
#include "ingest/debezium.h"

namespace {

floe::DebeziumTarget Target(bool primary_key) {
    floe::DebeziumTarget t;
    t.primary_key = primary_key;
    t.columns["id"] = floe::LogicalType(floe::TypeId::BIGINT);
    t.columns["name"] = floe::LogicalType::Varchar();
    t.columns["balance"] = floe::LogicalType::Decimal(12, 2);
    t.columns["born"] = floe::LogicalType(floe::TypeId::DATE);
    t.columns["seen"] = floe::LogicalType(floe::TypeId::DATETIME);
    t.columns["ok"] = floe::LogicalType(floe::TypeId::BOOLEAN);
    if (primary_key) {
        // Ordered by source position (lsn, binlog file/pos/row or ts_ms, whichever comes first).
        t.columns["_pos"] = floe::LogicalType(floe::TypeId::BIGINT);
        t.position_column = "_pos";
    }
    return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const floe::DebeziumTarget kPrimary = Target(true), kDuplicate = Target(false);
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::string_view key, value = input;
    if (size_t nul = input.find('\0'); nul != std::string_view::npos) {
        key = input.substr(0, nul);
        value = input.substr(nul + 1);
    }
    for (const auto* target : {&kPrimary, &kDuplicate}) {
        try {
            floe::DebeziumRow row = floe::DecodeDebezium(key, value, *target);
            if (!row.skip) {
                simdjson::dom::parser parser;
                simdjson::dom::element doc;
                if (parser.parse(row.document).get(doc) != simdjson::SUCCESS || !doc.is_object()) std::abort();
            }
        } catch (const floe::Exception&) {
        }
    }
    return 0;
}
