#pragma once
/// Incremental refresh of materialized views over append-only inputs (refresh_mode =
/// INCREMENTAL, or AUTO when the query allows it): a refresh reads only the rows its base table
/// gained since the last one and merges them into the MV.
///
/// The base is one hot table whose rowsets carry the data sequences of the commits they hold
/// (RowsetInfo::seq_lo/seq_hi). The MV records the sequence it consumed up to, in the refresh's own
/// commit; the next refresh reads the rowsets holding later commits (a `DeltaScan` the binder
/// applies) as long as no commit since did more than add rows (TableVersion::last_non_append).
/// Otherwise — a DELETE, UPDATE, overwrite, partition drop or TTL, a schema change, a compaction
/// that merged consumed and new rows — the refresh falls back to recomputing by partition.
///
/// The query shapes that merge:
///   - projections and filters of the base (`SELECT exprs FROM t [WHERE ...]`): the new rows'
///     results are appended to the MV;
///   - one level of grouping whose outputs are GROUP BY keys or SUM, COUNT, MIN, MAX,
///     BITMAP_UNION and HLL_UNION calls: the new rows' groups are combined with the MV's rows
///     (counts and sums added, minimums and maximums kept, sketches unioned).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "lake/iceberg/iceberg_table.h"

namespace floe {

struct TableVersion;

/// The one base an incremental refresh follows: a hot table by data sequence, or an Iceberg
/// table by snapshot (`external` set).
struct IncrementalBase {
    std::string key;                             // in the MV's consumed state: the table id, or "iceberg:<table uuid>"
    std::string name;                            // db.table or catalog.db.table
    std::string external;                        // catalog.db.table of an Iceberg base
    int64_t table_id = 0;                        // a hot base
    std::shared_ptr<const TableVersion> before;  // a hot base's version before the state was read
    int64_t position = -1;  // the data sequence or snapshot id the refresh's state describes (0: none)
};

struct IncrementalShape {
    bool aggregate = false;
    /// Per output column of an aggregate shape: "" for a GROUP BY key, else the function that
    /// merges two partial values (sum, min, max, bitmap_union, hll_union).
    std::vector<std::string> merge;
};

/// The one base an MV's query reads, as an incremental refresh follows it (a hot table with its
/// version now, or an Iceberg table at the snapshot its entries in `external_states` describe);
/// nullopt when it reads several, or none it can follow.
std::optional<IncrementalBase> FindIncrementalBase(Catalog& catalog, const std::vector<std::string>& hot_bases,
                                                   const std::vector<MvBasePartition>& external_states);

/// The state of an Iceberg base as MVs record it: the table's entry (partition "", fingerprint
/// the snapshot id, "empty" without one) and, when the table's partitions can be tracked
/// (iceberg::IcebergTable::PartitionsForTracking), one entry per partition with its range and
/// files' fingerprint; `partition_column` is then set to the column they partition.
std::vector<MvBasePartition> IcebergBaseState(const std::string& name, const iceberg::IcebergTable& table,
                                              std::string* partition_column);

/// The shape of an MV's defining query, or why it cannot be refreshed incrementally (`why_not`).
IncrementalShape AnalyzeIncremental(const std::string& query, std::string& why_not);

/// The SQL of an incremental refresh writing into `target` (a quoted name) whose columns are
/// `columns`: an INSERT of the new rows' results, or an INSERT OVERWRITE of the MV's rows
/// combined with the new groups. The base's scan must be restricted by a DeltaScan.
std::string IncrementalRefreshSql(const IncrementalShape& shape, const std::string& target,
                                  const std::vector<std::string>& columns, const std::string& query);

}  // namespace floe
