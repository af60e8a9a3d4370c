#pragma once
/// The schema of a base table. The catalog stores a table's definition as canonical CREATE TABLE
/// text; this turns a CREATE TABLE statement into that text and the text back into a schema.

#include <optional>
#include <string>
#include <vector>

#include "parser/ast/statement.h"

namespace floe {

struct TableColumn {
    std::string name;
    LogicalType type;
    bool nullable = true;
    std::optional<Value> default_value;  // typed as the column; "CURRENT_TIMESTAMP" stays text
    bool default_current_timestamp = false;
    std::string aggregation;
};

struct TableSchema {
    std::vector<TableColumn> columns;
    ast::KeysType keys_type = ast::KeysType::DUPLICATE;
    std::vector<std::string> key_columns;
    /// Partitioning (kind, columns, date_trunc unit; the partitions themselves are in the catalog).
    ast::PartitionDesc partition;
    std::vector<size_t> partition_columns;  // indexes into `columns`
    std::vector<std::pair<std::string, std::string>> properties;
    /// The sort key segments are written in: ORDER BY (...), else the key columns. Indexes.
    std::vector<size_t> sort_columns;
    /// Columns with per-page bloom filters (property bloom_filter_columns), one flag per column.
    std::vector<bool> bloom_columns;
    int64_t partition_live_number = 0;  // TTL: keep this many newest partitions (0: all)
    /// TTL by time (partition_ttl = 'n unit'): partitions that end before now - n unit go
    /// (amount 0: none). Unit: MINUTE, HOUR, DAY, WEEK, MONTH or YEAR.
    int64_t partition_ttl_amount = 0;
    std::string partition_ttl_unit;
    /// DISTRIBUTED BY HASH(cols) BUCKETS n: each partition's rows are split into `buckets` by
    /// HashRowKey of these columns (indexes); 1 bucket (RANDOM, or BUCKETS not given) splits nothing.
    std::vector<size_t> distribution_columns;
    uint32_t buckets = 1;
    bool partitioned() const { return partition.kind != ast::PartitionKind::NONE; }
    bool bucketed() const { return buckets > 1 && !distribution_columns.empty(); }
    std::vector<LogicalType> Types() const;
    /// Index of a column by name (case-insensitive), or -1.
    int Find(std::string_view name) const;
};

/// partition_ttl's value ('3 month', '2 DAYS', ...) as (amount, upper-case singular unit);
/// nullopt when it is not one.
std::optional<std::pair<int64_t, std::string>> ParsePartitionTtl(const std::string& text);
/// The instant partition_ttl's partitions must end after: now - amount unit, in the partition
/// column's representation (days for DATE, microseconds for DATETIME).
int64_t PartitionTtlCutoff(const TableSchema& schema);

/// "DUPLICATE", "AGGREGATE", "UNIQUE" or "PRIMARY".
const char* KeysTypeName(ast::KeysType keys);

/// Validates a CREATE TABLE (duplicate or unknown columns, unsupported models) and returns its
/// canonical text, which round-trips through ParseTableDefinition. Throws BinderError.
std::string CanonicalCreateTable(const ast::CreateTableStatement& statement);
/// Parses a stored definition. Throws InternalError if the text is not a CREATE TABLE.
TableSchema ParseTableDefinition(const std::string& definition);

/// A tiered Primary Key table's tombstones (TierState::tombstones) as a SQL condition that holds
/// for rows of `alias` whose key is one of them; "" when there are none.
std::string TombstoneMatch(const TableSchema& schema, const std::vector<std::string>& tombstones,
                           const std::string& alias);
/// The text of a tombstone for the key columns' values (in key order).
std::string TombstoneKey(const std::vector<std::string>& values);

}  // namespace floe
