// Tiering's side of lake upkeep (server/lake_maintenance.h): which hot tables read a cold
// Iceberg table and at which snapshot, moving them to a compacted snapshot, and the snapshots
// they stopped reading recently (kept from expiry).
#include <chrono>

#include "common/ascii.h"
#include "common/exception.h"
#include "ingest/load_manager.h"
#include "server/instance.h"
#include "server/tiering_service.h"

namespace floe {

namespace {

int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

std::vector<std::pair<int64_t, int64_t>> TieringService::ColdTableUsers(const std::string& catalog,
                                                                        const std::string& db,
                                                                        const std::string& table) {
    std::vector<std::pair<int64_t, int64_t>> out;
    Catalog& c = instance_.catalog();
    for (const auto& d : c.ListDatabases()) {
        for (const auto& t : c.ListTables(d.name)) {
            if (t.kind == "VIEW") continue;
            auto version = c.GetTableVersion(t.id);
            if (!version || !version->tier || version->tier->mode != "copy") continue;
            const TierState& tier = *version->tier;
            if (AsciiEqualsIgnoreCase(tier.cold_catalog, catalog) && tier.cold_database == db &&
                tier.cold_table == table) {
                out.emplace_back(t.id, tier.snapshot_id);
            }
        }
    }
    return out;
}

bool TieringService::AdvanceColdSnapshot(int64_t table_id, int64_t from, int64_t to) {
    auto version = instance_.catalog().GetTableVersion(table_id);
    if (!version || !version->tier || version->tier->snapshot_id != from) return false;
    auto next = std::make_shared<TierState>(*version->tier);
    next->snapshot_id = to;
    LoadCommit commit;
    commit.label = LoadManager::NewLabel("tier_rewrite");
    commit.expect_tier_snapshot = from;
    commit.tier = std::shared_ptr<const TierState>(next);
    try {
        instance_.catalog().CommitLoad(table_id, commit);
    } catch (const CommitConflictError&) {
        return false;
    }
    NoteReplaced(*version->tier);
    return true;
}

void TieringService::NoteReplaced(const TierState& tier) {
    if (tier.snapshot_id < 0) return;
    std::lock_guard<std::mutex> lock(mutex_);
    auto& list = replaced_[AsciiLower(tier.cold_catalog) + "\x01" + tier.cold_database + "\x01" + tier.cold_table];
    list.emplace_back(tier.snapshot_id, NowMs());
    if (list.size() > 1000) list.erase(list.begin(), list.begin() + 500);
}

std::set<int64_t> TieringService::RecentlyRead(const std::string& catalog, const std::string& db,
                                               const std::string& table, int64_t grace_ms) {
    std::set<int64_t> out;
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = replaced_.find(AsciiLower(catalog) + "\x01" + db + "\x01" + table);
    if (it == replaced_.end()) return out;
    int64_t since = NowMs() - grace_ms;
    for (const auto& [snapshot, at] : it->second) {
        if (at >= since) out.insert(snapshot);
    }
    return out;
}

}  // namespace floe
