// Catalog: Routine Load jobs, their offsets and their rejected messages.
#include <chrono>

#include "catalog/catalog.h"
#include "common/exception.h"

// GCC 12 reports a false maybe-uninitialized inside std::variant's move constructor when a
// vector of MetaValue grows here.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace floe {

namespace {

int64_t Now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

int64_t NowMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

constexpr const char* kJobColumns =
    "r.id, d.name, r.name, r.table_name, r.state, r.reason, r.create_time, r.pause_time, r.end_time, "
    "r.loaded_rows, r.filtered_rows, r.unselected_rows, r.received_bytes, r.committed_batches, "
    "r.last_commit_time, r.last_error FROM routine_loads r JOIN databases d ON d.id = r.database_id";

/// Rejected messages kept per job; older ones are forgotten.
constexpr int64_t kErrorsKept = 1000;

void WriteProperties(MetaStore& store, int64_t id, const char* scope, const std::map<std::string, std::string>& props) {
    for (const auto& [k, v] : props) {
        store.Execute("INSERT OR REPLACE INTO routine_load_properties(job_id, scope, name, value) VALUES(?, ?, ?, ?)",
                      {id, std::string(scope), k, v});
    }
}

void WriteOffsets(MetaStore& store, int64_t id, const std::map<int32_t, int64_t>& offsets) {
    for (const auto& [p, o] : offsets) {
        store.Execute("INSERT OR REPLACE INTO routine_load_offsets(job_id, partition, next_offset) VALUES(?, ?, ?)",
                      {id, int64_t{p}, o});
    }
}

}  // namespace

int64_t Catalog::CreateRoutineLoad(const RoutineLoadJob& job) {
    int64_t id = 0;
    store_->Transaction([&] {
        auto db = store_->Query("SELECT id FROM databases WHERE name = ?", {job.database});
        if (db.empty()) throw CatalogError("Unknown database '" + job.database + "'", ErrorCode::UNKNOWN_DATABASE);
        if (!store_->Query("SELECT 1 FROM routine_loads WHERE database_id = ? AND name = ?", {db[0][0], job.name})
                 .empty()) {
            throw CatalogError("Name [" + job.name + "] already used in database [" + job.database + "]",
                               ErrorCode::TABLE_EXISTS);
        }
        store_->Execute(
            "INSERT INTO routine_loads(database_id, name, table_name, state, create_time) VALUES(?, ?, ?, ?, ?)",
            {db[0][0], job.name, job.table, job.state, Now()});
        id = std::get<int64_t>(store_->Query("SELECT last_insert_rowid()")[0][0]);
        WriteProperties(*store_, id, "load", job.load_properties);
        WriteProperties(*store_, id, "source", job.source_properties);
        std::map<std::string, std::string> job_properties;
        if (!job.owner.empty()) job_properties["owner"] = job.owner;
        if (job.external()) {
            job_properties["target_catalog"] = job.target_catalog;
            job_properties["target_database"] = job.target_database;
        }
        WriteProperties(*store_, id, "job", job_properties);
        WriteOffsets(*store_, id, job.offsets);
    });
    return id;
}

std::vector<RoutineLoadJob> Catalog::ListRoutineLoads() {
    std::vector<RoutineLoadJob> jobs;
    std::map<int64_t, size_t> at;
    for (const auto& r : store_->Query(std::string("SELECT ") + kJobColumns + " ORDER BY r.id")) {
        RoutineLoadJob j;
        j.id = MetaInt(r[0]);
        j.database = MetaText(r[1]);
        j.name = MetaText(r[2]);
        j.table = MetaText(r[3]);
        j.state = MetaText(r[4]);
        j.reason = MetaText(r[5]);
        j.create_time = MetaInt(r[6]);
        j.pause_time = MetaInt(r[7]);
        j.end_time = MetaInt(r[8]);
        j.loaded_rows = MetaInt(r[9]);
        j.filtered_rows = MetaInt(r[10]);
        j.unselected_rows = MetaInt(r[11]);
        j.received_bytes = MetaInt(r[12]);
        j.committed_batches = MetaInt(r[13]);
        j.last_commit_time = MetaInt(r[14]);
        j.last_error = MetaText(r[15]);
        at[j.id] = jobs.size();
        jobs.push_back(std::move(j));
    }
    for (const auto& r : store_->Query("SELECT job_id, scope, name, value FROM routine_load_properties")) {
        auto it = at.find(MetaInt(r[0]));
        if (it == at.end()) continue;
        auto& job = jobs[it->second];
        if (MetaText(r[1]) == "job") {
            const std::string name = MetaText(r[2]);
            if (name == "owner") job.owner = MetaText(r[3]);
            if (name == "target_catalog") job.target_catalog = MetaText(r[3]);
            if (name == "target_database") job.target_database = MetaText(r[3]);
            if (name == "offsets_set_ms") job.offsets_set_ms = std::stoll(MetaText(r[3]));
            continue;
        }
        (MetaText(r[1]) == "load" ? job.load_properties : job.source_properties)[MetaText(r[2])] = MetaText(r[3]);
    }
    for (const auto& r : store_->Query("SELECT job_id, partition, next_offset FROM routine_load_offsets")) {
        auto it = at.find(MetaInt(r[0]));
        if (it != at.end()) jobs[it->second].offsets[static_cast<int32_t>(MetaInt(r[1]))] = MetaInt(r[2]);
    }
    return jobs;
}

std::optional<RoutineLoadJob> Catalog::GetRoutineLoad(std::string_view database, std::string_view name) {
    for (auto& j : ListRoutineLoads()) {
        if (j.database == database && j.name == name) return std::move(j);
    }
    return std::nullopt;
}

std::optional<RoutineLoadJob> Catalog::GetRoutineLoadById(int64_t id) {
    for (auto& j : ListRoutineLoads()) {
        if (j.id == id) return std::move(j);
    }
    return std::nullopt;
}

void Catalog::SetRoutineLoadState(int64_t id, std::string_view state, std::string_view reason) {
    std::vector<MetaValue> params;
    params.emplace_back(std::string(state));
    params.emplace_back(std::string(reason));
    std::string sql = "UPDATE routine_loads SET state = ?, reason = ?";
    bool ended = state == "STOPPED" || state == "CANCELLED";
    if (state == "PAUSED" || ended) {
        sql += ended ? ", end_time = ?" : ", pause_time = ?";
        params.push_back(Now());
    }
    params.push_back(id);
    store_->Execute(sql + " WHERE id = ?", params);
}

void Catalog::AlterRoutineLoad(int64_t id, const std::map<std::string, std::string>& load_properties,
                               const std::map<std::string, std::string>& source_properties,
                               const std::map<int32_t, int64_t>& offsets, int64_t offsets_set_ms) {
    store_->Transaction([&] {
        WriteProperties(*store_, id, "load", load_properties);
        WriteProperties(*store_, id, "source", source_properties);
        WriteOffsets(*store_, id, offsets);
        if (offsets_set_ms > 0)
            WriteProperties(*store_, id, "job", {{"offsets_set_ms", std::to_string(offsets_set_ms)}});
    });
}

void Catalog::RecordRoutineLoadProgress(MetaStore& store, int64_t id, const RoutineLoadProgress& progress) {
    WriteOffsets(store, id, progress.offsets);
    std::string last_error;
    if (!progress.errors.empty()) {
        const auto& e = progress.errors.back();
        last_error = e.reason + " (partition " + std::to_string(e.partition) + ", offset " + std::to_string(e.offset) +
                     ", message: " + e.text.substr(0, 200) + ")";
    }
    store.Execute(
        "UPDATE routine_loads SET loaded_rows = loaded_rows + ?, filtered_rows = filtered_rows + ?, "
        "unselected_rows = unselected_rows + ?, received_bytes = received_bytes + ?, "
        "committed_batches = committed_batches + 1, last_commit_time = ?, "
        "last_error = CASE WHEN ? = '' THEN last_error ELSE ? END WHERE id = ?",
        {progress.loaded_rows, progress.filtered_rows, progress.unselected_rows, progress.received_bytes, NowMillis(),
         last_error, last_error, id});
    int64_t now = Now();
    for (const auto& e : progress.errors) {
        store.Execute(
            "INSERT INTO routine_load_errors(job_id, partition, message_offset, reason, message, message_text, time) "
            "VALUES(?, ?, ?, ?, ?, ?, ?)",
            {id, int64_t{e.partition}, e.offset, e.reason, MetaBlob{e.message.substr(0, 64 << 10)},
             e.text.substr(0, 64 << 10), now});
    }
    if (!progress.errors.empty()) {
        store.Execute(
            "DELETE FROM routine_load_errors WHERE job_id = ? AND id <= (SELECT MAX(id) FROM routine_load_errors "
            "WHERE job_id = ?) - ?",
            {id, id, kErrorsKept});
    }
}

std::vector<RoutineLoadError> Catalog::ListRoutineLoadErrors() {
    std::vector<RoutineLoadError> out;
    for (const auto& r : store_->Query(
             "SELECT e.id, d.name, r.name, e.partition, e.message_offset, e.reason, e.message, e.time, e.message_text "
             "FROM routine_load_errors e JOIN routine_loads r ON r.id = e.job_id "
             "JOIN databases d ON d.id = r.database_id ORDER BY e.id")) {
        RoutineLoadError e;
        e.id = MetaInt(r[0]);
        e.database = MetaText(r[1]);
        e.job = MetaText(r[2]);
        e.partition = static_cast<int32_t>(MetaInt(r[3]));
        e.offset = MetaInt(r[4]);
        e.reason = MetaText(r[5]);
        e.message = MetaText(r[6]);
        e.time = MetaInt(r[7]);
        e.text = MetaText(r[8]);
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace floe
