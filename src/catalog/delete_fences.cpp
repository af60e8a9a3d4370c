// Primary Key tables' delete fences (Catalog::DeleteFences): the merge_condition value of keys a
// conditional load deleted.

#include <chrono>

#include "catalog/catalog.h"

namespace floe {

namespace {

int64_t NowSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

std::map<std::string, int64_t> Catalog::DeleteFences(int64_t table_id) {
    std::map<std::string, int64_t> out;
    int64_t since = NowSeconds() - kDeleteFenceSeconds;
    for (const auto& row : store_->Query("SELECT key, position FROM pk_delete_fences WHERE table_id = ? AND time >= ?",
                                         {table_id, since})) {
        out[MetaText(row[0])] = MetaInt(row[1]);
    }
    return out;
}

void Catalog::WriteDeleteFences(MetaStore& store, int64_t table_id, const std::map<std::string, int64_t>& set,
                                const std::set<std::string>& clear) {
    int64_t now = NowSeconds();
    for (const auto& key : clear) {
        store.Execute("DELETE FROM pk_delete_fences WHERE table_id = ? AND key = ?", {table_id, MetaBlob{key}});
    }
    for (const auto& [key, position] : set) {
        store.Execute("INSERT OR REPLACE INTO pk_delete_fences(table_id, key, position, time) VALUES(?, ?, ?, ?)",
                      {table_id, MetaBlob{key}, position, now});
    }
    if (!set.empty()) {
        store.Execute("DELETE FROM pk_delete_fences WHERE table_id = ? AND time < ?",
                      {table_id, now - kDeleteFenceSeconds});
    }
}

}  // namespace floe
