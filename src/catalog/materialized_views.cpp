// Catalog: asynchronous materialized views (the MV record beside its storage table), the base
// state each refresh read, and table renames.
#include <chrono>

#include "catalog/catalog.h"
#include "common/exception.h"

#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace floe {

namespace {

int64_t Now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::optional<std::string> OptText(const MetaValue& v) {
    if (std::holds_alternative<std::string>(v)) return std::get<std::string>(v);
    return std::nullopt;
}

MetaValue OptValue(const std::optional<std::string>& v) {
    if (v) return *v;
    return std::monostate{};
}

constexpr const char* kMvColumns =
    "m.table_id, d.name, t.name, m.definition, m.query, m.refresh_type, m.refresh_moment, m.start_time, "
    "m.interval_seconds, m.partition_column, m.partition_unit, m.active, m.inactive_reason, m.inactive_by_user, "
    "m.creator, m.create_time, m.refreshed, m.refresh_time, m.last_start, m.last_finish, m.last_state, "
    "m.last_force, m.last_mv_partitions, m.last_base_partitions, m.last_error_code, m.last_error, m.last_rows, "
    "m.incremental_state FROM materialized_views m JOIN tables t ON t.id = m.table_id JOIN databases d ON d.id = "
    "t.database_id";

std::vector<MaterializedViewInfo> QueryMvs(MetaStore& store, const std::string& where,
                                           const std::vector<MetaValue>& params) {
    std::vector<MaterializedViewInfo> out;
    std::map<int64_t, size_t> at;
    for (const auto& r : store.Query(std::string("SELECT ") + kMvColumns + where + " ORDER BY m.table_id", params)) {
        MaterializedViewInfo m;
        m.id = MetaInt(r[0]);
        m.database = MetaText(r[1]);
        m.name = MetaText(r[2]);
        m.definition = MetaText(r[3]);
        m.query = MetaText(r[4]);
        m.refresh_type = MetaText(r[5]);
        m.refresh_moment = MetaText(r[6]);
        m.start_time = MetaInt(r[7]);
        m.interval_seconds = MetaInt(r[8]);
        m.partition_column = MetaText(r[9]);
        m.partition_unit = MetaText(r[10]);
        m.active = MetaInt(r[11]) != 0;
        m.inactive_reason = MetaText(r[12]);
        m.inactive_by_user = MetaInt(r[13]) != 0;
        m.creator = MetaText(r[14]);
        m.create_time = MetaInt(r[15]);
        m.refreshed = MetaInt(r[16]) != 0;
        m.refresh_time = MetaInt(r[17]);
        m.last.start = MetaInt(r[18]);
        m.last.finish = MetaInt(r[19]);
        m.last.state = MetaText(r[20]);
        m.last.force = MetaInt(r[21]) != 0;
        m.last.mv_partitions = MetaText(r[22]);
        m.last.base_partitions = MetaText(r[23]);
        m.last.error_code = MetaInt(r[24]);
        m.last.error = MetaText(r[25]);
        m.last.rows = MetaInt(r[26]);
        m.incremental_state = MetaText(r[27]);
        at[m.id] = out.size();
        out.push_back(std::move(m));
    }
    if (out.empty()) return out;
    for (const auto& r : store.Query("SELECT table_id, key, value FROM mv_properties ORDER BY table_id, key")) {
        auto it = at.find(MetaInt(r[0]));
        if (it != at.end()) out[it->second].properties[MetaText(r[1])] = MetaText(r[2]);
    }
    for (const auto& r :
         store.Query("SELECT table_id, base, base_id, partition, fingerprint, lower, upper FROM mv_base_partitions "
                     "ORDER BY table_id, base, partition")) {
        auto it = at.find(MetaInt(r[0]));
        if (it == at.end()) continue;
        MvBasePartition b;
        b.base = MetaText(r[1]);
        b.base_id = MetaText(r[2]);
        b.partition = MetaText(r[3]);
        b.fingerprint = MetaText(r[4]);
        b.lower = OptText(r[5]);
        b.upper = OptText(r[6]);
        out[it->second].bases.push_back(std::move(b));
    }
    return out;
}

void WriteMvProperties(MetaStore& store, int64_t id, const std::map<std::string, std::string>& properties) {
    for (const auto& [k, v] : properties) {
        store.Execute("INSERT OR REPLACE INTO mv_properties(table_id, key, value) VALUES(?, ?, ?)", {id, k, v});
    }
}

}  // namespace

void Catalog::RenameTable(int64_t table_id, std::string_view new_name) {
    std::lock_guard<std::mutex> lock(mutex_);
    store_->Transaction([&] {
        auto row = store_->Query("SELECT database_id FROM tables WHERE id = ?", {table_id});
        if (row.empty()) throw CatalogError("the table no longer exists", ErrorCode::UNKNOWN_TABLE);
        auto clash = store_->Query("SELECT 1 FROM tables WHERE database_id = ? AND name = ? COLLATE NOCASE AND id <> ?",
                                   {row[0][0], std::string(new_name), table_id});
        if (!clash.empty()) {
            throw CatalogError("Table '" + std::string(new_name) + "' already exists", ErrorCode::TABLE_EXISTS);
        }
        store_->Execute("UPDATE tables SET name = ? WHERE id = ?", {std::string(new_name), table_id});
    });
    mv_generation_++;
}

void Catalog::SwapTableNames(int64_t a, int64_t b) {
    std::lock_guard<std::mutex> lock(mutex_);
    store_->Transaction([&] {
        auto ra = store_->Query("SELECT name, database_id FROM tables WHERE id = ?", {a});
        auto rb = store_->Query("SELECT name, database_id FROM tables WHERE id = ?", {b});
        if (ra.empty() || rb.empty()) throw CatalogError("the table no longer exists", ErrorCode::UNKNOWN_TABLE);
        // Through a temporary name: (database_id, name) is unique.
        store_->Execute("UPDATE tables SET name = ? WHERE id = ?", {"__floe_swap_" + std::to_string(a), a});
        store_->Execute("UPDATE tables SET name = ?, database_id = ? WHERE id = ?", {ra[0][0], ra[0][1], b});
        store_->Execute("UPDATE tables SET name = ?, database_id = ? WHERE id = ?", {rb[0][0], rb[0][1], a});
    });
    mv_generation_++;
}

void Catalog::CreateMaterializedView(const MaterializedViewInfo& mv) {
    store_->Transaction([&] {
        store_->Execute(
            "INSERT INTO materialized_views(table_id, definition, query, refresh_type, refresh_moment, start_time, "
            "interval_seconds, partition_column, partition_unit, active, inactive_reason, creator, create_time) "
            "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, 1, '', ?, ?)",
            {mv.id, mv.definition, mv.query, mv.refresh_type, mv.refresh_moment, mv.start_time, mv.interval_seconds,
             mv.partition_column, mv.partition_unit, mv.creator, Now()});
        WriteMvProperties(*store_, mv.id, mv.properties);
    });
    mv_generation_++;
}

std::vector<MaterializedViewInfo> Catalog::ListMaterializedViews() {
    return QueryMvs(*store_, "", {});
}

std::optional<MaterializedViewInfo> Catalog::GetMaterializedView(int64_t id) {
    auto v = QueryMvs(*store_, " WHERE m.table_id = ?", {id});
    if (v.empty()) return std::nullopt;
    return std::move(v[0]);
}

std::optional<MaterializedViewInfo> Catalog::GetMaterializedView(std::string_view database, std::string_view name) {
    auto v = QueryMvs(*store_, " WHERE d.name = ? AND t.name = ? COLLATE NOCASE",
                      {std::string(database), std::string(name)});
    if (v.empty()) return std::nullopt;
    return std::move(v[0]);
}

bool Catalog::DropMaterializedView(std::string_view database, std::string_view name, bool if_exists) {
    auto mv = GetMaterializedView(database, name);
    if (!mv) {
        if (if_exists) return false;
        throw CatalogError("Unknown materialized view '" + std::string(database) + "." + std::string(name) + "'",
                           ErrorCode::UNKNOWN_TABLE);
    }
    // The storage table's row takes the MV record, its properties and base state along (ON
    // DELETE CASCADE); its files go once no scan holds them.
    DropTable(database, mv->name, true);
    mv_generation_++;
    return true;
}

void Catalog::SetMaterializedViewActive(int64_t id, bool active, std::string_view reason, bool by_user) {
    store_->Execute(
        "UPDATE materialized_views SET active = ?, inactive_reason = ?, inactive_by_user = ? "
        "WHERE table_id = ?",
        {int64_t{active ? 1 : 0}, std::string(active ? "" : reason), int64_t{!active && by_user ? 1 : 0}, id});
    mv_generation_++;
}

void Catalog::SetMaterializedViewProperties(int64_t id, const std::map<std::string, std::string>& properties) {
    store_->Transaction([&] { WriteMvProperties(*store_, id, properties); });
    mv_generation_++;
}

void Catalog::SetMaterializedViewRefreshScheme(int64_t id, std::string_view type, int64_t start_time,
                                               int64_t interval_seconds) {
    store_->Execute(
        "UPDATE materialized_views SET refresh_type = ?, start_time = ?, interval_seconds = ? WHERE table_id = ?",
        {std::string(type), start_time, interval_seconds, id});
    mv_generation_++;
}

void Catalog::RecordMaterializedViewRefresh(MetaStore& store, int64_t id, const MvRefreshRecord& r,
                                            const std::vector<MvBasePartition>* bases, int64_t refresh_time) {
    if (r.state == "SKIPPED") {
        // Nothing was written: what the last refresh that wrote did stays visible.
        store.Execute(
            "UPDATE materialized_views SET last_start = ?, last_finish = ?, last_state = ?, last_force = ?, "
            "last_error_code = 0, last_error = '' WHERE table_id = ?",
            {r.start, r.finish, r.state, int64_t{r.force ? 1 : 0}, id});
    } else {
        store.Execute(
            "UPDATE materialized_views SET last_start = ?, last_finish = ?, last_state = ?, last_force = ?, "
            "last_mv_partitions = ?, last_base_partitions = ?, last_error_code = ?, last_error = ?, last_rows = ? "
            "WHERE table_id = ?",
            {r.start, r.finish, r.state, int64_t{r.force ? 1 : 0}, r.mv_partitions, r.base_partitions, r.error_code,
             r.error, r.rows, id});
    }
    if (bases) {
        // What an incremental refresh consumed ("" when this refresh cannot tell: the next one
        // recomputes).
        if (r.state != "SKIPPED") {
            store.Execute("UPDATE materialized_views SET incremental_state = ? WHERE table_id = ?", {r.consumed, id});
        }
        store.Execute("UPDATE materialized_views SET refreshed = 1, refresh_time = ? WHERE table_id = ?",
                      {refresh_time, id});
        store.Execute("DELETE FROM mv_base_partitions WHERE table_id = ?", {id});
        for (const auto& b : *bases) {
            store.Execute(
                "INSERT OR REPLACE INTO mv_base_partitions(table_id, base, base_id, partition, fingerprint, lower, "
                "upper) VALUES(?, ?, ?, ?, ?, ?, ?)",
                {id, b.base, b.base_id, b.partition, b.fingerprint, OptValue(b.lower), OptValue(b.upper)});
        }
    }
}

std::optional<int64_t> ConsumedSequence(const std::string& state, const std::string& key) {
    std::string want = key + "=";
    size_t at = 0;
    while (at < state.size()) {
        size_t end = state.find(';', at);
        if (end == std::string::npos) end = state.size();
        std::string_view entry(state.data() + at, end - at);
        if (entry.substr(0, want.size()) == want) {
            try {
                return std::stoll(std::string(entry.substr(want.size())));
            } catch (...) {
                return std::nullopt;
            }
        }
        at = end + 1;
    }
    return std::nullopt;
}

std::string ConsumedState(const std::string& key, int64_t sequence) {
    return key + "=" + std::to_string(sequence);
}

std::vector<int64_t> Catalog::IncrementalBarriers(int64_t table_id) {
    std::vector<int64_t> out;
    for (const auto& r :
         store_->Query("SELECT incremental_state FROM materialized_views WHERE incremental_state <> ''")) {
        if (auto seq = ConsumedSequence(MetaText(r[0]), std::to_string(table_id))) out.push_back(*seq);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace floe
