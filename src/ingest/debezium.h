#pragma once
/// Debezium change events (StarRocks 4.x's `"envelope" = "debezium"` for JSON loads): one Kafka
/// message's key and value to the row a load writes, as a flat JSON object of the table's columns
/// (values in the text forms the load's casts read) and `__op` (0 upsert, 1 delete).
///
/// Accepted: the JsonConverter's `{"schema":..,"payload":..}` wrapper or the bare payload (with
/// or without `schemas.enable`), for key and value; `op` c (create), r (snapshot read) and u
/// (update) upsert `after`; d deletes by `before`'s key columns, falling back to the message key;
/// key columns missing from the row come from the message key. Skipped (no row): tombstones (an
/// empty or null value), `m` (logical decoding messages), transaction markers and heartbeats
/// (values without `op`). Values follow the field's schema when the event carries one: decimals
/// (`org.apache.kafka.connect.data.Decimal`, base64 of the unscaled big-endian integer;
/// `io.debezium.data.VariableScaleDecimal`), `io.debezium.time.{Date, Time, MicroTime, NanoTime,
/// Timestamp, MicroTimestamp, NanoTimestamp, ZonedTimestamp}` and Kafka Connect's Date, Time and
/// Timestamp; without a schema the target column's type decides (an integer for a DATE column is
/// days since the epoch; for a DATETIME column milliseconds, microseconds or nanoseconds by
/// magnitude; a string for a DECIMAL column that is not a number is base64 at the column's scale).
/// PostgreSQL's `__debezium_unavailable_value` placeholder (an unchanged TOASTed column) keeps the
/// stored value: the column is left out of the row and named in `__unchanged` (Primary Key tables).
/// `t` (truncate) is returned as such (DebeziumRow::truncate, with the event's source position
/// when the target has a position column): the caller removes the rows older than it (Routine
/// Load, between two commits) or refuses it (Stream Load, whose rows commit as one).

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "types/logical_type.h"

namespace floe {

/// The table the events load into: its columns by lower-case name, and whether it is a Primary
/// Key table (deletes need one).
struct DebeziumTarget {
    std::map<std::string, LogicalType> columns;
    bool primary_key = false;
    /// A column that receives each event's source position (empty: none), and which position:
    /// "lsn" (PostgreSQL's source.lsn), "binlog" (MySQL's source.file, pos and row, as
    /// file number << 40 | pos << 8 | row), "ts_ms" (source.ts_ms, when the change was made), or
    /// "auto" (the first of these the event has).
    std::string position_column;
    std::string position = "auto";
    /// An append-only target (an Iceberg table): every event appends a row, as the Kafka Connect
    /// Iceberg sink's change log does: c, r and u their `after` image, d its `before` image (else
    /// the message key); `op_column` (when set) receives the op letter.
    bool change_log = false;
    std::string op_column;
};

struct DebeziumRow {
    bool skip = false;                // nothing to write (tombstone, message, heartbeat)
    bool remove = false;              // a delete
    bool truncate = false;            // op 't': every stored row older than `position` (all, without one) goes
    std::optional<int64_t> position;  // a truncate's source position (with a position column)
    std::string document;             // {"col": value, ..., "__op": 0|1[, "__unchanged": "c1,c2"]}
};

/// Throws LoadError naming what is wrong with the event.
DebeziumRow DecodeDebezium(std::string_view key, std::string_view value, const DebeziumTarget& target);

}  // namespace floe
