#pragma once
/// What a materialized view's data was computed from, and whether that is still current.
///
/// A refresh records, per base table, one MvBasePartition per partition (one with partition ""
/// for an unpartitioned hot table or an external table): a fingerprint of the partition's
/// committed rowsets (their ids and deleted-row counts) or, for an Iceberg table, its snapshot id.
/// Comparing the recorded state with the current one tells which base partitions changed since
/// — the partition-level change tracking refresh and rewrite both use.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"

namespace floe::mv {

/// The current state of a hot base table (`name` is "db.table").
std::vector<MvBasePartition> HotTableState(const std::string& name, const TableInfo& table,
                                           const TableVersion& version);

/// The current state of an external base table: one entry holding `snapshot` ("" when the table
/// has no snapshot).
MvBasePartition ExternalTableState(const std::string& name, const std::string& table_uuid, const std::string& snapshot);

/// Looks up an external base table's current state ("catalog.db.table"): its entries, none when
/// it cannot be read (dropped, catalog unreachable).
using ExternalStateLookup = std::function<std::vector<MvBasePartition>(const std::string& name)>;

struct Freshness {
    bool fresh = false;  // every base partition the MV read is unchanged
    std::string reason;  // why not fresh ("never refreshed", "db.t partition p20240101 changed", ...)
    /// Base partitions that changed, appeared or disappeared since the last refresh: the current
    /// entry (or the recorded one, for a partition that is gone).
    std::vector<MvBasePartition> changed;
    /// Bases whose table was dropped or recreated since the refresh (not just their rows changed).
    std::vector<std::string> replaced_bases;
    int64_t stale_seconds = 0;  // 0 when fresh; else seconds since the data was last current
};

/// Compares `mv.bases` (the last successful refresh) with the bases' current state.
Freshness CheckFreshness(Catalog& catalog, const MaterializedViewInfo& mv,
                         const ExternalStateLookup& external = nullptr);

/// Compares a recorded state with the current one over the bases `names`.
Freshness Diff(const std::vector<MvBasePartition>& recorded, const std::vector<MvBasePartition>& current,
               const std::vector<std::string>& names);

/// The current state of every base `mv.bases` names (hot through the catalog, external through
/// `external`); bases that are gone are left out.
std::vector<MvBasePartition> CurrentState(Catalog& catalog, const std::vector<std::string>& bases,
                                          const ExternalStateLookup& external);

/// Whether a base name is a hot table ("db.table") rather than an external one ("c.db.table").
bool IsHotBase(const std::string& name);

}  // namespace floe::mv
