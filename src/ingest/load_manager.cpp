#include "ingest/load_manager.h"

#include "binder/table_schema.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <numeric>
#include <random>

#include "binder/binder.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "common/logging.h"
#include "common/memory_tracker.h"
#include "execution/operator/physical_hash_aggregate.h"
#include "function/cast.h"
#include "function/function_registry.h"
#include "ingest/partition_router.h"
#include "storage/segment.h"
#include "types/date_time.h"

namespace floe {

std::vector<size_t> KeyColumnIndexes(const TableSchema& schema) {
    std::vector<size_t> out;
    for (const auto& k : schema.key_columns) {
        int idx = schema.Find(k);
        if (idx < 0) throw InternalError("key column '" + k + "' is not in the table");
        out.push_back(static_cast<size_t>(idx));
    }
    return out;
}

LoadManager::LoadManager(Catalog& catalog, std::string data_dir) : catalog_(catalog), data_dir_(std::move(data_dir)) {}

std::string LoadManager::NewLabel(const char* prefix) {
    static std::mt19937_64 rng(std::random_device{}());
    static std::mutex mu;
    std::lock_guard<std::mutex> lock(mu);
    auto now = std::chrono::system_clock::now().time_since_epoch().count();
    return fmt::format("{}_{:x}_{:04x}", prefix, now, rng() & 0xffff);
}

std::shared_ptr<LoadManager::TableState> LoadManager::State(int64_t table_id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& state = tables_[table_id];
    if (!state) state = std::make_shared<TableState>();
    return state;
}

LoadManager::TableLock LoadManager::LockTable(int64_t table_id) {
    return TableLock(State(table_id)->mutex);
}

void LoadManager::ForgetTable(int64_t table_id) {
    std::lock_guard<std::mutex> lock(mutex_);
    tables_.erase(table_id);
    std::error_code ec;
    std::filesystem::remove_all(IndexDirectory(table_id), ec);
}

LoadCommit::NewRowset LoadManager::WriteSegment(const TableInfo& table, const TableSchema& schema,
                                                const std::vector<Chunk>& rows, std::vector<uint32_t>* order) {
    static std::mt19937_64 rng(std::random_device{}());
    static std::mutex mu;
    std::string name;
    {
        std::lock_guard<std::mutex> lock(mu);
        name = fmt::format("{:x}_{:016x}.seg", std::chrono::system_clock::now().time_since_epoch().count(), rng());
    }
    LoadCommit::NewRowset out;
    out.path = "data/" + std::to_string(table.id) + "/" + name;
    PageCodec codec = PageCodec::LZ4;
    for (const auto& [k, v] : schema.properties) {
        if (AsciiEqualsIgnoreCase(k, "compression")) codec = ParseCodec(v).value_or(PageCodec::LZ4);
    }
    SegmentWriter writer(data_dir_ + "/" + out.path, schema.Types(), codec);
    writer.SetBloomColumns(schema.bloom_columns);
    writer.SetSortColumns(schema.sort_columns);  // rows are written in this order: a short-key index
    size_t total = 0;
    for (const auto& c : rows) total += c.live_rows();
    // Rows often arrive in key order already (ids, times): one pass finds out, and then they are
    // written as they are.
    auto compare = [&](const Column* const* a_cols, uint32_t a, const Column* const* b_cols, uint32_t b) {
        for (size_t i = 0; i < schema.sort_columns.size(); ++i) {
            const Column& x = *a_cols[i];
            const Column& y = *b_cols[i];
            bool an = x.IsNull(a), bn = y.IsNull(b);
            if (an || bn) {
                if (an == bn) continue;
                return an ? -1 : 1;  // NULLs first
            }
            int cmp = x.CompareRows(a, y, b);
            if (cmp != 0) return cmp;
        }
        return 0;
    };
    bool sorted = true;
    {
        std::vector<const Column*> prev_cols, cols;
        uint32_t prev_row = 0;
        bool have_prev = false;
        for (const auto& c : rows) {
            cols.clear();
            for (size_t k : schema.sort_columns) cols.push_back(&c.column(k));
            for (size_t i = 0; i < c.live_rows() && sorted; ++i) {
                uint32_t r = c.LiveRow(i);
                if (have_prev && compare(prev_cols.data(), prev_row, cols.data(), r) > 0) sorted = false;
                prev_cols = cols;
                prev_row = r;
                have_prev = true;
            }
            if (!sorted) break;
        }
    }
    if (schema.sort_columns.empty() || total < 2 || sorted) {
        for (const auto& c : rows) writer.Append(c);
        if (order) {
            order->resize(total);
            std::iota(order->begin(), order->end(), 0);
        }
    } else {
        // Gather the live rows, sort them by the sort key (stable: equal keys keep load order),
        // and write them in that order (gathered straight into the writer's page buffers).
        std::vector<LogicalType> types = schema.Types();
        std::vector<std::unique_ptr<Column>> all;
        for (const auto& t : types) all.push_back(std::make_unique<Column>(t, 0));
        std::vector<uint32_t> live;
        for (const auto& c : rows) {
            live.resize(c.live_rows());
            for (size_t i = 0; i < live.size(); ++i) live[i] = c.LiveRow(i);
            for (size_t col = 0; col < types.size(); ++col)
                all[col]->AppendRows(c.column(col), live.data(), live.size());
        }
        std::vector<uint32_t> perm(total);
        std::iota(perm.begin(), perm.end(), 0);
        const Column& first = *all[schema.sort_columns[0]];
        TypeId id = first.type().id;
        bool int_key = schema.sort_columns.size() == 1 && !first.HasNulls() &&
                       (id == TypeId::TINYINT || id == TypeId::SMALLINT || id == TypeId::INT || id == TypeId::BIGINT ||
                        id == TypeId::DATE || id == TypeId::DATETIME);
        if (int_key) {
            // One integer key: sort (key, position) pairs, which keeps equal keys in load order.
            std::vector<std::pair<int64_t, uint32_t>> keyed(total);
            uint32_t width = first.type().PhysicalSize();
            for (uint32_t r = 0; r < total; ++r) {
                int64_t v = width == 8   ? first.Data<int64_t>()[r]
                            : width == 4 ? first.Data<int32_t>()[r]
                            : width == 2 ? first.Data<int16_t>()[r]
                                         : first.Data<int8_t>()[r];
                keyed[r] = {v, r};
            }
            std::sort(keyed.begin(), keyed.end());
            for (size_t i = 0; i < total; ++i) perm[i] = keyed[i].second;
        } else {
            std::vector<const Column*> cols;
            for (size_t k : schema.sort_columns) cols.push_back(all[k].get());
            std::stable_sort(perm.begin(), perm.end(),
                             [&](uint32_t a, uint32_t b) { return compare(cols.data(), a, cols.data(), b) < 0; });
        }
        std::vector<const Column*> sources;
        for (const auto& c : all) sources.push_back(c.get());
        writer.AppendRows(sources, perm.data(), total);
        if (order) *order = std::move(perm);
    }
    out.row_count = static_cast<int64_t>(writer.row_count());
    out.size = static_cast<int64_t>(writer.Finish());
    out.distinct = writer.DistinctCounts();
    return out;
}

std::vector<int64_t> LoadManager::Commit(const TableInfo& table, const LoadCommit& commit) {
    std::vector<int64_t> ids;
    try {
        ids = catalog_.CommitLoad(table.id, commit);
    } catch (...) {
        counters_.failed.fetch_add(1, std::memory_order_relaxed);
        for (const auto& r : commit.rowsets) RemoveSegmentFile(data_dir_ + "/" + r.path);
        throw;
    }
    counters_.committed.fetch_add(1, std::memory_order_relaxed);
    if (listener_ && commit.remove.empty()) listener_(table.id);
    return ids;
}

void LoadManager::ReplaceRowsets(const TableInfo& table, const TableSchema& schema, std::vector<Chunk>& rows,
                                 const std::vector<int64_t>& inputs, const std::shared_ptr<const TableVersion>& before,
                                 const std::string& partition, uint32_t bucket) {
    LoadCommit commit;
    commit.label = NewLabel("compaction");
    commit.remove = inputs;
    size_t total = 0;
    for (const auto& c : rows) total += c.live_rows();
    std::vector<uint32_t> order;
    if (total > 0) {
        commit.rowsets.push_back(WriteSegment(table, schema, rows, &order));
        commit.rowsets.back().partition = partition;
        commit.rowsets.back().bucket = bucket;
    }
    auto ids = Commit(table, commit);
    counters_.compactions.fetch_add(1, std::memory_order_relaxed);
    counters_.compacted_rowsets.fetch_add(inputs.size(), std::memory_order_relaxed);
    if (schema.keys_type != ast::KeysType::PRIMARY) return;
    // The surviving keys moved to the new rowset, in order; point the index at them.
    auto state = State(table.id);
    if (!state->pk_index || state->index_version != before) {
        state->pk_index.reset();
        return;
    }
    try {
        std::vector<size_t> key_columns = KeyColumnIndexes(schema);
        std::vector<std::string> keys;  // of the live rows in chunk order; written row p has keys[order[p]]
        for (const auto& chunk : rows) PrimaryKeyIndex::EncodeKeys(chunk, key_columns, keys);
        for (size_t p = 0; p < order.size(); ++p) {
            state->pk_index->Set(keys[order[p]], RowLocation{ids.empty() ? 0 : ids[0], static_cast<uint32_t>(p)});
        }
        state->index_version = catalog_.GetTableVersion(table.id);
    } catch (...) {
        state->pk_index.reset();
        throw;
    }
}

std::optional<LoadCommit::NewRowset> LoadManager::WriteCompacted(const TableInfo& table, const TableSchema& schema,
                                                                 std::vector<Chunk>& rows, const std::string& partition,
                                                                 uint32_t bucket) {
    size_t total = 0;
    for (const auto& c : rows) total += c.live_rows();
    if (total == 0) return std::nullopt;
    LoadCommit::NewRowset r = WriteSegment(table, schema, rows);
    r.partition = partition;
    r.bucket = bucket;
    return r;
}

bool LoadManager::CommitCompacted(const TableInfo& table, std::optional<LoadCommit::NewRowset> rowset,
                                  const std::vector<int64_t>& inputs,
                                  const std::shared_ptr<const TableVersion>& before) {
    auto current = catalog_.GetTableVersion(table.id);
    auto same_deletes = [](const RowsetInfo& a, const RowsetInfo& b) {
        if (a.deletes == b.deletes) return true;
        size_t na = a.deletes ? a.deletes->cardinality() : 0, nb = b.deletes ? b.deletes->cardinality() : 0;
        return na == nb && (na == 0 || *a.deletes == *b.deletes);
    };
    bool unchanged = current && current->definition == before->definition;
    for (int64_t id : inputs) {
        if (!unchanged) break;
        const RowsetInfo *was = nullptr, *now = nullptr;
        for (const auto& r : before->rowsets) {
            if (r.id == id) was = &r;
        }
        for (const auto& r : current->rowsets) {
            if (r.id == id) now = &r;
        }
        unchanged = was && now && same_deletes(*was, *now);
    }
    if (!unchanged) {
        if (rowset) RemoveSegmentFile(data_dir_ + "/" + rowset->path);
        return false;
    }
    LoadCommit commit;
    commit.label = NewLabel("compaction");
    commit.remove = inputs;
    if (rowset) commit.rowsets.push_back(std::move(*rowset));
    Commit(table, commit);
    counters_.compactions.fetch_add(1, std::memory_order_relaxed);
    counters_.compacted_rowsets.fetch_add(inputs.size(), std::memory_order_relaxed);
    return true;
}

void LoadManager::RewriteTable(const TableInfo& table, const TableSchema& schema, const std::string& definition,
                               std::vector<std::pair<std::string, std::vector<Chunk>>>& rows) {
    LoadCommit commit;
    commit.label = NewLabel("schema_change");
    commit.replace = true;
    commit.new_definition = definition;
    try {
        for (auto& [partition, chunks] : rows) {
            // The new schema's buckets (a distribution column's type may have changed).
            for (auto& g : SplitByTablet(schema, nullptr, chunks)) {
                commit.rowsets.push_back(WriteSegment(table, schema, g.chunks));
                commit.rowsets.back().partition = partition;
                commit.rowsets.back().bucket = g.bucket;
            }
        }
    } catch (...) {
        for (const auto& r : commit.rowsets) RemoveSegmentFile(data_dir_ + "/" + r.path);
        throw;
    }
    Commit(table, commit);
    State(table.id)->pk_index.reset();
}

namespace {

bool PersistentIndex(const TableSchema& schema) {
    for (const auto& [k, v] : schema.properties) {
        if (AsciiEqualsIgnoreCase(k, "enable_persistent_index")) return AsciiEqualsIgnoreCase(v, "true") || v == "1";
    }
    return false;
}

/// What a persistent index's checkpoint is of: the version's rowsets, their delete vectors and
/// the definition (FNV-1a).
uint64_t VersionStamp(const TableVersion& version) {
    uint64_t h = 1469598103934665603ULL;
    auto mix = [&](uint64_t v) {
        for (int i = 0; i < 8; ++i) {
            h ^= (v >> (i * 8)) & 0xff;
            h *= 1099511628211ULL;
        }
    };
    mix(std::hash<std::string>{}(version.definition));
    for (const auto& r : version.rowsets) {
        mix(static_cast<uint64_t>(r.id));
        mix(static_cast<uint64_t>(r.row_count));
        mix(r.deletes ? r.deletes->cardinality() : 0);
    }
    return h;
}

}  // namespace

std::string LoadManager::IndexDirectory(int64_t table_id) const {
    return data_dir_ + "/pk_index/" + std::to_string(table_id);
}

LoadManager::~LoadManager() {
    // Persistent primary-key indexes that match their table are checkpointed, so that the next
    // start maps them instead of rebuilding them.
    for (auto& [id, state] : tables_) {
        if (!state->pk_index || !state->pk_index->persistent()) continue;
        try {
            auto version = catalog_.GetTableVersion(id);
            if (version != state->index_version) continue;
            state->pk_index->Checkpoint(VersionStamp(*version));
        } catch (const std::exception& e) {
            Log::Warn("storage.pk_index_checkpoint_failed", {{"table_id", id}, {"error", e.what()}});
        }
    }
}

void LoadManager::BuildIndex(const TableInfo& table, const TableSchema& schema, TableState& state) {
    ScopedMemoryTracker server_only(nullptr);  // the index outlives the statement that builds it
    auto version = catalog_.GetTableVersion(table.id);
    std::unique_ptr<PrimaryKeyIndex> index;
    if (PersistentIndex(schema)) {
        auto started = std::chrono::steady_clock::now();
        index = PrimaryKeyIndex::Open(IndexDirectory(table.id), VersionStamp(*version));
        if (index) {
            Log::Info("storage.pk_index_opened", {{"table", table.database + "." + table.name},
                                                  {"keys", index->size()},
                                                  {"ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                                             std::chrono::steady_clock::now() - started)
                                                             .count()}});
            state.pk_index = std::move(index);
            state.index_version = std::move(version);
            return;
        }
        index = PrimaryKeyIndex::Create(IndexDirectory(table.id));
    } else {
        index = std::make_unique<PrimaryKeyIndex>();
    }
    std::vector<size_t> keys = KeyColumnIndexes(schema);
    std::vector<size_t> all(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) all[i] = i;
    std::vector<std::string> encoded;
    for (const auto& rowset : version->rowsets) {
        auto reader = OpenSegment(data_dir_ + "/" + rowset.path, schema.Types());
        for (size_t start = 0; start < reader->row_count(); start += kChunkCapacity) {
            size_t n = std::min(kChunkCapacity, reader->row_count() - start);
            Chunk chunk;
            reader->Read(start, n, keys, chunk);
            encoded.clear();
            PrimaryKeyIndex::EncodeKeys(chunk, all, encoded);
            for (size_t r = 0; r < n; ++r) {
                uint32_t row = static_cast<uint32_t>(start + r);
                if (rowset.deletes && rowset.deletes->contains(row)) continue;
                index->Set(encoded[r], RowLocation{rowset.id, row});
            }
        }
    }
    Log::Info(
        "storage.pk_index_built",
        {{"table", table.database + "." + table.name}, {"keys", index->size()}, {"persistent", index->persistent()}});
    state.pk_index = std::move(index);
    state.index_version = std::move(version);
}

PrimaryKeyIndex& LoadManager::Index(const TableInfo& table, const TableSchema& schema, TableState& state) {
    if (!state.pk_index || state.index_version != catalog_.GetTableVersion(table.id)) BuildIndex(table, schema, state);
    return *state.pk_index;
}

namespace {

/// Aggregate and Unique Key tables aggregate at ingestion: the load's rows with equal keys merge
/// by each value column's function before they are written (merge on read and compaction finish
/// the job across loads). The rows keep load order within a key, so REPLACE takes the last one.
std::vector<Chunk> MergeByKey(const TableSchema& schema, std::vector<Chunk>& rows) {
    size_t keys = schema.key_columns.size();
    std::vector<BoundExprPtr> groups;
    std::vector<BoundAggregate> aggregates;
    std::vector<LogicalType> types = schema.Types();
    for (size_t c = 0; c < schema.columns.size(); ++c) {
        const TableColumn& col = schema.columns[c];
        if (c < keys) {
            groups.push_back(std::make_unique<BoundColumnRef>(c, col.type, col.name));
            continue;
        }
        std::string agg = schema.keys_type == ast::KeysType::UNIQUE ? "REPLACE" : col.aggregation;
        std::string name = agg == "SUM"                   ? "sum"
                           : agg == "MAX"                 ? "max"
                           : agg == "MIN"                 ? "min"
                           : agg == "REPLACE_IF_NOT_NULL" ? "__replace_if_not_null"
                           : agg == "BITMAP_UNION"        ? "bitmap_union"
                           : agg == "HLL_UNION"           ? "hll_union"
                                                          : "__replace";
        BoundAggregate a;
        a.function = FunctionRegistry::Instance().BindAggregate(name, {col.type}, false);
        a.args.push_back(std::make_unique<BoundColumnRef>(c, col.type, col.name));
        if (!(a.function.arg_types[0] == col.type)) {
            a.args[0] = AddCastIfNeeded(std::move(a.args[0]), a.function.arg_types[0]);
        }
        types[c] = a.function.return_type;
        aggregates.push_back(std::move(a));
    }
    PhysicalHashAggregate merge(types, std::move(groups), std::move(aggregates));
    ExecutionContext ctx;
    for (auto& chunk : rows) {
        if (chunk.live_rows() > 0) merge.Sink(ctx, chunk);
    }
    merge.Finalize(ctx);
    std::vector<Chunk> out;
    Chunk chunk;
    while (merge.GetData(ctx, chunk)) {
        // SUM widens (BIGINT to a wider sum type): store the table's type again.
        for (size_t c = 0; c < schema.columns.size(); ++c) {
            if (chunk.column(c).type() == schema.columns[c].type) continue;
            auto cast = std::make_shared<Column>(schema.columns[c].type, chunk.size());
            cast->Resize(chunk.size());
            CastColumn(chunk.column(c), chunk.size(), *cast);
            Chunk fixed;
            for (size_t k = 0; k < chunk.column_count(); ++k) {
                fixed.AddColumn(k == c ? cast : chunk.shared_column(k));
            }
            fixed.SetSize(chunk.size());
            if (chunk.selection()) fixed.SetSelection(std::make_unique<SelectionVector>(*chunk.selection()));
            chunk = std::move(fixed);
        }
        out.push_back(std::move(chunk));
        chunk = Chunk();
    }
    return out;
}

}  // namespace

LoadResult LoadManager::Load(const TableInfo& table, const TableSchema& schema, std::vector<Chunk>& input,
                             const LoadOptions& options) {
    if (schema.keys_type == ast::KeysType::PRIMARY) {
        auto writer = StartPrimaryKeyLoad(*this, table, schema, options);
        writer->Add(input);
        return writer->Commit();
    }
    LoadResult result;
    result.label = options.label.empty() ? NewLabel("insert") : options.label;
    bool merged = schema.keys_type == ast::KeysType::AGGREGATE || schema.keys_type == ast::KeysType::UNIQUE;
    std::vector<Chunk> merged_rows;
    if (merged) merged_rows = MergeByKey(schema, input);
    std::vector<Chunk>& rows = merged ? merged_rows : input;
    auto version = catalog_.GetTableVersion(table.id);
    LoadCommit commit;
    commit.label = result.label;
    // One segment per tablet (partition and bucket) written.
    std::optional<PartitionRouter> router;
    if (schema.partitioned()) router.emplace(schema, *version);
    std::vector<TabletRows> groups = SplitByTablet(schema, router ? &*router : nullptr, rows);
    std::vector<PartitionInfo> created;
    if (router) {
        created = router->created();
        std::vector<std::string> allowed = options.partitions;
        if (options.overwrite_named_partitions) {
            allowed.push_back("\x01");  // never empty: an empty list allows every partition
            for (const auto& p : created) allowed.push_back(p.name);
        }
        CheckPartitionsAllowed(*router, groups, allowed);
    }
    commit.create_partitions = created;
    commit.record = options.record;
    commit.also = options.also;
    for (const auto& [rowset, rows] : options.deletes) commit.deletes[rowset] |= rows;
    if (options.overwrite) {
        if (options.overwrite_named_partitions) {
            commit.replace_partitions = options.partitions;
        } else if (options.partitions.empty()) {
            commit.replace = true;
        } else {
            commit.replace_partitions = options.partitions;
        }
    }
    try {
        for (auto& g : groups) {
            size_t n = 0;
            for (const auto& c : g.chunks) n += c.live_rows();
            if (n == 0) continue;
            LoadCommit::NewRowset r = WriteSegment(table, schema, g.chunks);
            if (router) r.partition = router->partitions()[g.partition].name;
            r.bucket = g.bucket;
            commit.rowsets.push_back(std::move(r));
            result.loaded_rows += n;
        }
    } catch (...) {
        for (const auto& r : commit.rowsets) RemoveSegmentFile(data_dir_ + "/" + r.path);
        throw;
    }
    if (commit.rowsets.empty() && !options.overwrite && !commit.record && !commit.also) return result;
    auto ids = Commit(table, commit);
    result.txn_id = ids.empty() ? 0 : ids[0];
    if (!created.empty() && (schema.partition_live_number > 0 || schema.partition_ttl_amount > 0)) {
        EnforcePartitionTtl(table, schema);
    }
    return result;
}

bool LoadManager::StreamsBatches(const TableSchema& schema, const LoadOptions& options) {
    return schema.keys_type == ast::KeysType::PRIMARY || (!options.overwrite && options.partitions.empty());
}

/// Duplicate, Aggregate and Unique Key loads: each batch is merged (Aggregate, Unique), routed and
/// written as it comes; OVERWRITE and PARTITION-restricted loads gather their batches for Load().
class AppendWriter : public LoadBatchWriter {
  public:
    AppendWriter(LoadManager& loads, const TableInfo& table, const TableSchema& schema, const LoadOptions& options)
        : loads_(loads), table_(table), schema_(schema), options_(options) {
        result_.label = options.label.empty() ? LoadManager::NewLabel("load") : options.label;
        gather_ = !LoadManager::StreamsBatches(schema, options);
        if (gather_) return;
        auto version = loads_.catalog_.GetTableVersion(table.id);
        if (schema.partitioned()) router_.emplace(schema, *version);
        commit_.label = result_.label;
    }
    ~AppendWriter() override {
        if (!committed_) {
            for (const auto& r : commit_.rowsets) RemoveSegmentFile(loads_.data_dir_ + "/" + r.path);
        }
    }

    void Add(std::vector<Chunk>& batch) override {
        if (gather_) {
            for (auto& c : batch) gathered_.push_back(std::move(c));
            batch.clear();
            return;
        }
        bool merged = schema_.keys_type == ast::KeysType::AGGREGATE || schema_.keys_type == ast::KeysType::UNIQUE;
        std::vector<Chunk> merged_rows;
        if (merged) merged_rows = MergeByKey(schema_, batch);
        std::vector<Chunk>& rows = merged ? merged_rows : batch;
        // One segment per tablet (partition and bucket) this batch touches.
        for (auto& g : SplitByTablet(schema_, router_ ? &*router_ : nullptr, rows)) {
            LoadCommit::NewRowset r = loads_.WriteSegment(table_, schema_, g.chunks);
            if (router_) r.partition = router_->partitions()[g.partition].name;
            r.bucket = g.bucket;
            result_.loaded_rows += static_cast<size_t>(r.row_count);
            commit_.rowsets.push_back(std::move(r));
        }
        batch.clear();
    }

    LoadResult Commit(const std::function<std::string()>& before_commit) override {
        if (gather_) {
            std::string refused = before_commit ? before_commit() : "";
            if (!refused.empty()) throw LoadError(refused);
            committed_ = true;
            return loads_.Load(table_, schema_, gathered_, options_);
        }
        if (router_) commit_.create_partitions = router_->created();
        std::string refused = before_commit ? before_commit() : "";
        if (!refused.empty()) throw LoadError(refused);
        commit_.record = options_.record;  // counted by before_commit
        commit_.also = options_.also;
        if (commit_.rowsets.empty() && !commit_.record && !commit_.also) {
            committed_ = true;
            return result_;
        }
        auto ids = loads_.Commit(table_, commit_);
        committed_ = true;
        result_.txn_id = ids.empty() ? 0 : ids[0];
        if (!commit_.create_partitions.empty() &&
            (schema_.partition_live_number > 0 || schema_.partition_ttl_amount > 0)) {
            loads_.EnforcePartitionTtl(table_, schema_);
        }
        return result_;
    }

  private:
    LoadManager& loads_;
    const TableInfo& table_;
    const TableSchema& schema_;
    const LoadOptions& options_;  // read again at Commit (before_commit may fill in the record)
    bool gather_ = false;
    std::vector<Chunk> gathered_;
    std::optional<PartitionRouter> router_;
    LoadCommit commit_;
    LoadResult result_;
    bool committed_ = false;
};

std::unique_ptr<LoadBatchWriter> LoadManager::StartLoad(const TableInfo& table, const TableSchema& schema,
                                                        const LoadOptions& options) {
    if (schema.keys_type == ast::KeysType::PRIMARY) return StartPrimaryKeyLoad(*this, table, schema, options);
    return std::make_unique<AppendWriter>(*this, table, schema, options);
}

LoadResult LoadManager::LoadBatches(const TableInfo& table, const TableSchema& schema,
                                    const std::function<bool(std::vector<Chunk>&)>& next, const LoadOptions& options,
                                    const std::function<std::string()>& before_commit) {
    auto writer = StartLoad(table, schema, options);
    std::vector<Chunk> batch;
    while (next(batch)) writer->Add(batch);
    return writer->Commit(before_commit);
}

void LoadManager::EnforcePartitionTtl(const TableInfo& table, const TableSchema& schema) {
    if (schema.partition_live_number <= 0 && schema.partition_ttl_amount <= 0) return;
    auto version = catalog_.GetTableVersion(table.id);
    LoadCommit commit;
    commit.label = NewLabel("ttl");
    const TypeId partition_type =
        schema.partition_columns.empty() ? TypeId::NULL_TYPE : schema.columns[schema.partition_columns[0]].type.id;
    if (schema.partition_ttl_amount > 0 && (partition_type == TypeId::DATE || partition_type == TypeId::DATETIME)) {
        // partition_ttl: the partitions that end at or before now - ttl.
        const int64_t cutoff = PartitionTtlCutoff(schema);
        for (const auto& p : version->partitions) {
            auto [lo, hi] = PartitionRange(schema, p);
            if (hi <= cutoff) commit.drop_partitions.push_back(p.name);
        }
    }
    if (schema.partition_live_number <= 0) {
        if (commit.drop_partitions.empty()) return;
        Commit(table, commit);
        if (schema.keys_type == ast::KeysType::PRIMARY) State(table.id)->pk_index.reset();
        Log::Info("storage.partitions_expired", {{"table", table.database + "." + table.name},
                                                 {"dropped", commit.drop_partitions.size()},
                                                 {"by", "partition_ttl"}});
        return;
    }
    // Keep the newest `partition_live_number` partitions that start today or earlier, and every
    // partition in the future.
    const LogicalType& type = schema.columns[schema.partition_columns[0]].type;
    int64_t now_micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    int64_t today = type.id == TypeId::DATE       ? now_micros / kMicrosPerDay
                    : type.id == TypeId::DATETIME ? now_micros
                                                  : INT64_MAX;
    std::vector<std::pair<int64_t, std::string>> started;  // (lower, name)
    for (const auto& p : version->partitions) {
        auto [lo, hi] = PartitionRange(schema, p);
        if (lo <= today) started.emplace_back(lo, p.name);
    }
    std::sort(started.begin(), started.end());
    for (size_t i = 0; i + schema.partition_live_number < started.size(); ++i) {
        if (std::find(commit.drop_partitions.begin(), commit.drop_partitions.end(), started[i].second) ==
            commit.drop_partitions.end()) {
            commit.drop_partitions.push_back(started[i].second);
        }
    }
    if (commit.drop_partitions.empty()) return;
    Commit(table, commit);
    auto state = State(table.id);
    if (schema.keys_type == ast::KeysType::PRIMARY) state->pk_index.reset();
    Log::Info("storage.partitions_expired",
              {{"table", table.database + "." + table.name}, {"dropped", commit.drop_partitions.size()}});
}

LoadResult LoadManager::DeleteRows(const TableInfo& table, const TableSchema& schema, const std::vector<Chunk>& rows,
                                   const std::string& label) {
    LoadResult result;
    result.label = label.empty() ? NewLabel("delete") : label;
    LoadCommit commit;
    commit.label = result.label;
    bool pk = schema.keys_type == ast::KeysType::PRIMARY;
    std::vector<std::pair<std::string, RowLocation>> erased;
    std::vector<size_t> key_positions;
    for (size_t i = 0; pk && i < schema.key_columns.size(); ++i) key_positions.push_back(i + 1);
    // A tiered table: a deleted late row (below the boundary) may have an older version in the
    // cold tier; its key becomes a tombstone, so that version does not reappear.
    std::optional<size_t> tier_position;
    std::string boundary;
    if (auto v = catalog_.GetTableVersion(table.id); pk && v->tier && v->tier->mode != "external" &&
                                                     v->tier->snapshot_id >= 0 && v->tier->boundary &&
                                                     schema.partition_columns.size() == 1) {
        for (size_t i = 0; i < schema.key_columns.size(); ++i) {
            if (schema.Find(schema.key_columns[i]) == static_cast<int>(schema.partition_columns[0])) {
                tier_position = i + 1;
            }
        }
        boundary = *v->tier->boundary;
    }
    for (const auto& chunk : rows) {
        std::vector<std::string> keys;
        if (pk) PrimaryKeyIndex::EncodeKeys(chunk, key_positions, keys);
        for (size_t i = 0; i < chunk.live_rows(); ++i) {
            uint32_t r = chunk.LiveRow(i);
            if (chunk.column(0).IsNull(r)) continue;
            int64_t id = chunk.column(0).Data<int64_t>()[r];
            RowLocation at{id >> 32, static_cast<uint32_t>(id & 0xffffffff)};
            commit.deletes[at.rowset_id].add(at.row);
            if (tier_position) {
                Value part = chunk.column(*tier_position).GetValue(r);
                if (!part.is_null() && part.ToString() < boundary) {
                    std::vector<std::string> values;
                    for (size_t k : key_positions) values.push_back(chunk.column(k).GetValue(r).ToString());
                    commit.tier_tombstones_add.push_back(TombstoneKey(values));
                }
            }
            if (pk) erased.emplace_back(std::move(keys[i]), at);
        }
    }
    for (const auto& [id, marks] : commit.deletes) result.deleted_rows += marks.cardinality();
    if (result.deleted_rows == 0) return result;
    auto before = catalog_.GetTableVersion(table.id);
    Commit(table, commit);
    if (pk) {
        auto state = State(table.id);
        if (state->pk_index && state->index_version == before) {
            for (const auto& [key, at] : erased) {
                const RowLocation* cur = state->pk_index->Find(key);
                if (cur && cur->rowset_id == at.rowset_id && cur->row == at.row) state->pk_index->Erase(key);
            }
            state->index_version = catalog_.GetTableVersion(table.id);
        } else {
            state->pk_index.reset();  // rebuilt by the next write
        }
    }
    return result;
}

LoadResult LoadManager::Truncate(const TableInfo& table, const std::string& label,
                                 const std::vector<std::string>& partitions) {
    LoadResult result;
    result.label = label.empty() ? NewLabel("truncate") : label;
    LoadCommit commit;
    commit.label = result.label;
    commit.replace = partitions.empty();
    commit.replace_partitions = partitions;
    Commit(table, commit);
    auto state = State(table.id);
    state->pk_index.reset();
    return result;
}

std::string TruncateFenceKey(const std::string& column) {
    // Row keys start with a NULL (0) or value (1) marker byte, so this never names a row.
    return "\x02" + AsciiLower(column);
}

LoadResult LoadManager::TruncateOlder(const TableInfo& table, const TableSchema& schema, std::optional<int64_t> before,
                                      int column, const std::string& label,
                                      const std::function<void(MetaStore&)>& also) {
    LoadResult result;
    result.label = label.empty() ? NewLabel("truncate") : label;
    LoadCommit commit;
    commit.label = result.label;
    auto version = catalog_.GetTableVersion(table.id);
    if (!before || column < 0) {
        commit.replace = true;
        for (const auto& rs : version->rowsets) result.deleted_rows += static_cast<size_t>(rs.live_rows());
        commit.also = also;
    } else {
        const std::vector<LogicalType> types = schema.Types();
        for (const auto& rs : version->rowsets) {
            if (rs.live_rows() == 0) continue;
            auto reader = OpenSegment(data_dir_ + "/" + rs.path, types);
            auto positions = reader->column(static_cast<size_t>(column));
            Roaring gone;
            for (uint32_t row = 0; row < reader->row_count(); ++row) {
                if (rs.deletes && rs.deletes->contains(row)) continue;
                if (positions->IsNull(row) || positions->GetValue(row).GetInt() < *before) gone.add(row);
            }
            if (gone.cardinality() == 0) continue;
            result.deleted_rows += gone.cardinality();
            commit.deletes[rs.id] = std::move(gone);
        }
        const int64_t id = table.id, fence = *before;
        const std::string key = TruncateFenceKey(schema.columns[static_cast<size_t>(column)].name);
        commit.also = [also, id, fence, key](MetaStore& store) {
            if (also) also(store);
            Catalog::WriteDeleteFences(store, id, {{key, fence}}, {});
        };
    }
    Commit(table, commit);
    auto state = State(table.id);
    state->pk_index.reset();
    if (before && column >= 0 && state->fences) {
        (*state->fences)[TruncateFenceKey(schema.columns[static_cast<size_t>(column)].name)] = *before;
    }
    return result;
}

}  // namespace floe
