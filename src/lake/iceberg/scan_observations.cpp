#include "lake/iceberg/scan_observations.h"

#include <algorithm>
#include <mutex>
#include <set>

#include "common/ascii.h"

namespace floe::iceberg {

namespace {

std::mutex& Mutex() {
    static std::mutex m;
    return m;
}

std::map<std::string, ScanObservation>& Table() {
    static std::map<std::string, ScanObservation> t;
    return t;
}

}  // namespace

std::vector<std::pair<std::string, int64_t>> ScanObservation::ranked_columns() const {
    std::vector<std::pair<std::string, int64_t>> out(filter_columns.begin(), filter_columns.end());
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    return out;
}

std::string ScanObservation::SuggestedSortColumn(const std::string& current_sort) const {
    auto ranked = ranked_columns();
    if (ranked.empty() || ranked.front().second < 3) return "";
    if (AsciiEqualsIgnoreCase(ranked.front().first, current_sort)) return "";
    if (files_total > 0 && (files_total - files_scanned) * 2 >= files_total) return "";
    return ranked.front().first;
}

void ScanObservations::Record(const std::string& table_uuid, const std::vector<std::string>& filter_columns,
                              int64_t files_total, int64_t files_scanned) {
    if (table_uuid.empty()) return;
    std::lock_guard<std::mutex> lock(Mutex());
    auto& o = Table()[table_uuid];
    ++o.scans;
    if (!filter_columns.empty()) ++o.filtered_scans;
    o.files_total += files_total;
    o.files_scanned += files_scanned;
    std::set<std::string> once(filter_columns.begin(), filter_columns.end());
    for (const auto& c : once) ++o.filter_columns[c];
}

ScanObservation ScanObservations::Get(const std::string& table_uuid) {
    std::lock_guard<std::mutex> lock(Mutex());
    auto it = Table().find(table_uuid);
    return it == Table().end() ? ScanObservation{} : it->second;
}

}  // namespace floe::iceberg
