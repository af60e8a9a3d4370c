#pragma once
/// What queries ask of each Iceberg table (query-aware layout): the columns their filters name
/// and how many data files scan planning kept of those it considered. Recorded by
/// IcebergTable::PlanScan, kept in memory per table uuid (since the server started), shown by
/// the table health (server/lake_maintenance.h), which suggests the sort column that would prune
/// best and, with 'floe.maintenance.auto-sort' = 'true', applies it.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace floe::iceberg {

struct ScanObservation {
    int64_t scans = 0;
    int64_t filtered_scans = 0;
    int64_t files_total = 0;                        ///< data files planning considered, summed over scans
    int64_t files_scanned = 0;                      ///< data files it kept
    std::map<std::string, int64_t> filter_columns;  ///< column name -> scans filtering on it

    /// Filter columns, most filtered first.
    std::vector<std::pair<std::string, int64_t>> ranked_columns() const;
    /// The column to sort by for better pruning: the most filtered one, when it is not already
    /// `current_sort`, at least 3 scans filtered on it and they pruned less than half the files.
    /// Empty: no suggestion.
    std::string SuggestedSortColumn(const std::string& current_sort) const;
};

class ScanObservations {
  public:
    static void Record(const std::string& table_uuid, const std::vector<std::string>& filter_columns,
                       int64_t files_total, int64_t files_scanned);
    static ScanObservation Get(const std::string& table_uuid);
};

}  // namespace floe::iceberg
