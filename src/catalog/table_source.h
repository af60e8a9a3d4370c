#pragma once
/// The table interface every table kind other than Floe's own hot tables reaches the binder,
/// optimizer and executor through (an Iceberg table today; FILES() and MV storage are to follow):
/// a schema, statistics for join ordering, and a scan planned from the filters the optimizer
/// pushes into it, which reports what it pruned at each stage. The executor asks the table for
/// the plan's data files (execution/ knows the kinds it can read); nothing above it knows the kind.
///
/// A TableSource is one version of a table (an Iceberg snapshot): a query that resolves a name
/// once reads that version throughout, however the table changes meanwhile.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "types/logical_type.h"
#include "types/value.h"

namespace floe {

struct SourceColumn {
    std::string name;
    LogicalType type;
    bool nullable = true;
    std::string comment;
};

/// A conjunct of the query's filter the scan can use to prune: `column op constant` with op one
/// of equal, less, less_equal, greater, greater_equal (constant of the column's type), or
/// is_null / is_not_null (no constant). The filter above the scan still applies it.
struct ScanFilter {
    size_t column = 0;  // index into columns()
    std::string op;
    Value constant;
};

/// One stage of pruning: how many of `total` items (manifests, files, row groups) are kept.
struct PruningStage {
    std::string what;
    int64_t kept = 0;
    int64_t total = 0;
};

/// What a scan will read, planned from the pushed filters. Kinds extend it with their files.
class ScanPlan {
  public:
    virtual ~ScanPlan() = default;
    std::vector<PruningStage> pruning;
    /// Rows in the files kept (before deletes); the optimizer's row estimate.
    int64_t estimated_rows = 0;
    /// The table's exact live row count, when metadata alone answers count(*) (no deletes apply).
    std::optional<int64_t> exact_row_count;
    /// Per column (index into the table's columns): its exact minimum and maximum over the live
    /// rows, when metadata alone knows them (no deletes, no filter, every file with exact bounds);
    /// both NULL when every value is NULL. min() and max() are answered from them.
    std::map<size_t, std::pair<Value, Value>> exact_bounds;
    /// One line for EXPLAIN: what was pruned at each stage.
    std::string Describe() const {
        std::string out;
        for (const auto& s : pruning) {
            if (!out.empty()) out += ", ";
            out += s.what + "=" + std::to_string(s.kept) + "/" + std::to_string(s.total);
        }
        return out;
    }
};

/// Rows computed whole (an Iceberg table's metadata tables: t$snapshots, t$files, ...).
struct TableRows {
    std::vector<std::string> names;
    std::vector<LogicalType> types;
    std::vector<std::vector<Value>> rows;
};

class TableSource {
  public:
    virtual ~TableSource() = default;
    /// "ICEBERG".
    virtual std::string kind() const = 0;
    /// catalog.database.table (with the version for time travel), for EXPLAIN and errors.
    virtual std::string name() const = 0;
    virtual const std::vector<SourceColumn>& columns() const = 0;
    /// Hidden columns a query may name but SELECT * does not show (Iceberg's `_file` and `_pos`:
    /// the data file a row comes from and its position there). Their indexes follow columns().
    virtual std::vector<SourceColumn> metadata_columns() const { return {}; }
    /// Rows of this version (before deletes), for join ordering.
    virtual int64_t EstimatedRows() const = 0;
    /// The snapshot read, for sources that have them (0: the table has none yet; -1: not versioned).
    virtual int64_t SnapshotId() const { return -1; }
    /// An upper estimate of column `column`'s distinct values (for join ordering), or -1 when
    /// the table cannot tell.
    virtual double DistinctEstimate(size_t column) const {
        (void)column;
        return -1;
    }
    /// Plans the scan of `columns` (indexes into columns()) under `filters`. Throws IOError when the
    /// table's metadata cannot be read.
    virtual std::shared_ptr<const ScanPlan> PlanScan(const std::vector<size_t>& columns,
                                                     const std::vector<ScanFilter>& filters) const = 0;
};

}  // namespace floe
