#pragma once
/// Partitioning rules of hot tables, shared by CREATE TABLE and ALTER TABLE (binder, server), the
/// load path that routes rows to partitions (ingest) and partition pruning (optimizer).
///
/// - RANGE and date_trunc partitions cover [lower, upper) of one column; the column is an integer,
///   DATE or DATETIME, compared through a 64-bit range key (the integer, days, or microseconds).
/// - LIST and column partitions hold value tuples, compared as canonical value texts.
/// date_trunc partitions and column partitions are created automatically by loads.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "binder/table_schema.h"
#include "catalog/catalog.h"
#include "vector/column.h"

namespace floe {

/// The canonical text of a partition value for `column` (as the column's type prints it). Throws
/// BinderError naming the column when the text is not a value of its type.
std::string CanonicalPartitionValue(const TableColumn& column, const std::string& text);

/// Whether `type` can be a range partition column (integers, DATE, DATETIME).
bool IsRangeKeyType(const LogicalType& type);
/// The range key of a canonical value text of `type`.
int64_t RangeKeyOfText(const LogicalType& type, const std::string& text);
/// The range key of row `row` of `column` (not NULL).
int64_t RangeKeyOf(const Column& column, size_t row);
/// The range key of a value (of any type castable to `type`); nullopt when it cannot be cast.
std::optional<int64_t> RangeKeyOfValue(const LogicalType& type, const Value& value);

/// The date_trunc partition holding range key `key` of the partition column (DATE days or
/// DATETIME microseconds): its name (p20240501 for a day), lower and upper bounds.
PartitionInfo TimePartitionFor(const TableSchema& schema, int64_t key);

/// The list partition that column partitioning creates for a value tuple (canonical texts).
PartitionInfo ColumnPartitionFor(const std::vector<std::string>& values, const std::vector<PartitionInfo>& existing);

/// Resolves CREATE TABLE or ALTER TABLE ADD PARTITION definitions against the partitions that
/// exist: typed bounds, LESS THAN lower bounds, START/END/EVERY batches expanded, names unique,
/// ranges not overlapping. Throws BinderError.
std::vector<PartitionInfo> ResolvePartitions(const TableSchema& schema,
                                             const std::vector<ast::PartitionDefinition>& definitions,
                                             const std::vector<PartitionInfo>& existing);

/// A partition's [lower, upper) as range keys (unbounded ends: INT64_MIN / INT64_MAX).
std::pair<int64_t, int64_t> PartitionRange(const TableSchema& schema, const PartitionInfo& partition);

/// The text SHOW CREATE TABLE and SHOW PARTITIONS print for a partition's values.
std::string PartitionValuesText(const TableSchema& schema, const PartitionInfo& partition);

/// The CREATE TABLE text SHOW CREATE TABLE prints: the stored definition with the table's RANGE
/// or LIST partitions written out, so that running it creates the same partitions.
/// The hash bucket of row `row` of `columns` (a table's distribution columns) among `buckets`:
/// HashRowKey of the row's key, modulo `buckets`. Stored data depends on it.
uint32_t BucketOf(const std::vector<const Column*>& columns, uint32_t row, uint32_t buckets, std::string& scratch);

std::string ShowCreateTableText(const std::string& definition, const TableSchema& schema, const TableVersion& version);

}  // namespace floe
