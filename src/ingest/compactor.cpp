#include "ingest/compactor.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>

#include "binder/binder.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "common/logging.h"
#include "common/progress.h"
#include "execution/executor.h"
#include "execution/physical_planner.h"
#include "ingest/internal_context.h"
#include "optimizer/optimizer.h"
#include "parser/parser.h"
#include "planner/planner.h"

namespace floe {

Compactor::Compactor(Catalog& catalog, LoadManager& loads, std::string data_dir, CompactionPolicy policy)
    : catalog_(catalog), loads_(loads), data_dir_(std::move(data_dir)), policy_(policy) {}

Compactor::~Compactor() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void Compactor::Start() {
    thread_ = std::thread([this] { Run(); });
}

void Compactor::Notify(int64_t table_id) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        pending_.insert(table_id);
    }
    cv_.notify_one();
}

void Compactor::Run() {
    auto next_sweep = std::chrono::steady_clock::now();
    while (true) {
        int64_t table_id;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            cv_.wait_until(lock, next_sweep, [&] { return stop_ || !pending_.empty(); });
            if (stop_) return;
            if (pending_.empty()) {
                lock.unlock();
                SweepPartitionTtl();
                next_sweep = std::chrono::steady_clock::now() + policy_.ttl_interval;
                continue;
            }
            table_id = *pending_.begin();
            pending_.erase(pending_.begin());
        }
        try {
            auto table = catalog_.GetTableById(table_id);
            if (table && table->kind == "TABLE") {
                BackgroundJob job("COMPACTION", table->database + "." + table->name);
                Compact(*table, false);
            }
        } catch (const std::exception& e) {
            Log::Warn("storage.compaction_failed", {{"table_id", table_id}, {"error", e.what()}});
        }
    }
}

void Compactor::SweepPartitionTtl() {
    try {
        for (const auto& db : catalog_.ListDatabases()) {
            if (db.id == 0) continue;  // information_schema
            for (const auto& table : catalog_.ListTables(db.name)) {
                if (table.kind != "TABLE") continue;
                TableSchema schema = ParseTableDefinition(table.definition);
                if (schema.partition_live_number <= 0 && schema.partition_ttl_amount <= 0) continue;
                auto lock = loads_.LockTable(table.id);
                loads_.EnforcePartitionTtl(table, schema);
            }
        }
    } catch (const std::exception& e) {
        Log::Warn("storage.ttl_failed", {{"error", e.what()}});
    }
    try {
        catalog_.ExpireLoads(policy_.label_retention.count());
        std::error_code ec;
        auto cutoff = std::filesystem::file_time_type::clock::now() - policy_.label_retention;
        for (auto it = std::filesystem::directory_iterator(data_dir_ + "/load_errors", ec);
             !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
            if (it->last_write_time(ec) < cutoff) std::filesystem::remove(it->path(), ec);
        }
    } catch (const std::exception& e) {
        Log::Warn("storage.label_expiry_failed", {{"error", e.what()}});
    }
}

namespace {

/// Whether a table's merged rows do not depend on the order of its rowsets: Duplicate Key, and
/// Aggregate Key without REPLACE columns (Unique and Primary Key keep the latest row).
bool OrderInsensitive(const TableSchema& schema) {
    if (schema.keys_type == ast::KeysType::DUPLICATE) return true;
    if (schema.keys_type != ast::KeysType::AGGREGATE) return false;
    for (const auto& c : schema.columns) {
        if (AsciiUpper(c.aggregation).rfind("REPLACE", 0) == 0) return false;
    }
    return true;
}

}  // namespace

size_t Compactor::Compact(const TableInfo& table, bool full) {
    auto version = catalog_.GetTableVersion(table.id);
    TableSchema schema = ParseTableDefinition(version->definition);
    // The policy's compactions of order-insensitive tables merge without the table's lock (loads
    // arriving meanwhile do not wait; the commit checks the inputs are unchanged). The others, and
    // ALTER TABLE ... COMPACT, hold it throughout.
    const bool unlocked = !full && OrderInsensitive(schema);
    std::optional<LoadManager::TableLock> lock;
    if (!unlocked) {
        lock.emplace(loads_.LockTable(table.id));
        version = catalog_.GetTableVersion(table.id);
        schema = ParseTableDefinition(version->definition);
    }
    // Each tablet (partition and bucket) compacts on its own: a rowset never spans tablets.
    std::vector<std::pair<int64_t, uint32_t>> tablets;
    for (const auto& r : version->rowsets) {
        std::pair<int64_t, uint32_t> t{r.partition_id, r.bucket};
        if (std::find(tablets.begin(), tablets.end(), t) == tablets.end()) tablets.push_back(t);
    }
    size_t merged = 0;
    Progress* progress = CurrentProgress();
    for (size_t i = 0; i < tablets.size(); ++i) {
        if (progress) progress->SetSteps(i, tablets.size());
        merged +=
            CompactTablet(table, schema, version->definition, tablets[i].first, tablets[i].second, full, unlocked);
    }
    return merged;
}

size_t Compactor::CompactTablet(const TableInfo& table, const TableSchema& schema, const std::string& definition,
                                int64_t partition_id, uint32_t bucket, bool full, bool unlocked) {
    auto current = catalog_.GetTableVersion(table.id);
    // Unlocked, a schema change may have committed since `schema` was read: leave it to the next round.
    if (!current || current->definition != definition) return 0;
    std::vector<const RowsetInfo*> rowsets;
    for (const auto& r : current->rowsets) {
        if (r.partition_id != partition_id || r.bucket != bucket) continue;
        // Order-insensitive tables merge every small rowset, wherever it is (a merge that ran
        // beside loads appends its output after theirs).
        if (unlocked && r.live_rows() >= policy_.small_rows) continue;
        rowsets.push_back(&r);
    }
    if (unlocked) {
        // Incremental MVs read the rowsets newer than what they consumed: merge only rowsets on
        // one side of every such point (the side with the most of them).
        std::vector<int64_t> barriers = catalog_.IncrementalBarriers(table.id);
        if (!barriers.empty()) {
            std::map<size_t, std::vector<const RowsetInfo*>> sides;
            for (const auto* r : rowsets) {
                size_t side = static_cast<size_t>(std::lower_bound(barriers.begin(), barriers.end(), r->seq_lo) -
                                                  barriers.begin());
                sides[side].push_back(r);
            }
            const std::vector<const RowsetInfo*>* best = nullptr;
            for (const auto& [side, members] : sides) {
                if (!best || members.size() > best->size()) best = &members;
            }
            if (best) rowsets = *best;
        }
    }
    // The inputs: every rowset, or the newest run of small ones.
    size_t first = rowsets.size();
    if (full) {
        first = 0;
    } else {
        while (first > 0 && rowsets[first - 1]->live_rows() < policy_.small_rows) --first;
    }
    size_t count = rowsets.size() - first;
    bool has_deletes = false;
    for (size_t i = first; i < rowsets.size(); ++i) has_deletes |= rowsets[i]->deletes != nullptr;
    if (full ? (count == 0 || (count == 1 && !has_deletes)) : count < policy_.min_rowsets) return 0;
    auto inputs = std::make_shared<TableVersion>();
    inputs->table_id = table.id;
    inputs->definition = current->definition;
    std::vector<int64_t> ids;
    for (size_t i = first; i < rowsets.size(); ++i) {
        inputs->rowsets.push_back(*rowsets[i]);
        ids.push_back(rowsets[i]->id);
    }
    std::string partition;
    for (const auto& p : current->partitions) {
        if (p.id == partition_id) {
            partition = p.name;
            inputs->partitions.push_back(p);
        }
    }
    auto started = std::chrono::steady_clock::now();
    // Read the inputs as a query sees them: live rows, merged by key for Aggregate/Unique Key.
    InternalContext context(catalog_, table.database, data_dir_);
    ast::StatementPtr parsed =
        Parser::ParseStatement("SELECT * FROM " + QuoteIdentifier(table.database) + "." + QuoteIdentifier(table.name));
    Binder binder(context);
    binder.PinTableVersion(inputs);
    auto bound = binder.BindQuery(*static_cast<const ast::SelectStatement&>(*parsed).query);
    auto types = schema.Types();
    for (size_t i = 0; i < types.size(); ++i) {
        if (!(bound->output[i].type == types[i])) {
            throw InternalError("compaction of " + table.name + ": column " + schema.columns[i].name + " reads as " +
                                bound->output[i].type.ToString() + ", not " + types[i].ToString());
        }
    }
    LogicalOperatorPtr plan = Optimizer::Optimize(Planner::PlanQuery(*bound));
    PhysicalOperatorPtr physical = PhysicalPlanner::Plan(*plan);
    std::vector<Chunk> rows = Executor::Run(*physical);
    size_t out_rows = 0;
    for (const auto& c : rows) out_rows += c.live_rows();
    if (unlocked) {
        auto rowset = loads_.WriteCompacted(table, schema, rows, partition, bucket);
        auto lock = loads_.LockTable(table.id);
        if (!loads_.CommitCompacted(table, std::move(rowset), ids, current)) {
            Log::Info("storage.compaction_retry", {{"table", table.database + "." + table.name},
                                                   {"reason", "a load changed the inputs meanwhile"}});
            return 0;
        }
    } else {
        loads_.ReplaceRowsets(table, schema, rows, ids, current, partition, bucket);
    }
    Log::Info(
        "storage.compacted",
        {{"table", table.database + "." + table.name},
         {"partition", partition},
         {"bucket", bucket},
         {"rowsets", ids.size()},
         {"rows_out", out_rows},
         {"ms",
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count()}});
    return ids.size();
}

}  // namespace floe
