// Merge-on-write loads into Primary Key tables, batch by batch (PrimaryKeyWriter).
//
// Each batch is resolved against the table's primary-key index and written before the next is
// read, so a load's rows never need to fit in memory. The index is updated as the load goes: a
// key written by this load points at a placeholder rowset id (-1 for the load's first segment,
// -2 for the second, ...), so a later batch of the same load finds it there (its row is then
// marked in that segment's delete vector, which commits with the segment). The commit renames the
// placeholders to the rowsets' ids. If the load fails, the index no longer matches the table and
// is dropped, to be rebuilt from the committed rowsets when next needed.

#include <map>
#include <optional>
#include <set>

#include "binder/table_schema.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "common/memory_tracker.h"
#include "ingest/load_manager.h"
#include "ingest/partition_router.h"
#include "storage/segment.h"

namespace floe {

namespace {

int64_t Placeholder(size_t new_rowset) {
    return -static_cast<int64_t>(new_rowset) - 1;
}

/// merge_condition: whether row `a` of `x` is older (its condition value smaller, or NULL against
/// a value) than row `b` of `y`; such a row does not replace the other.
bool Older(const Column& x, uint32_t a, const Column& y, uint32_t b) {
    return !x.IsNull(a) && !y.IsNull(b) ? x.CompareRows(a, y, b) < 0 : x.IsNull(a) && !y.IsNull(b);
}

}  // namespace

class PrimaryKeyWriter : public LoadBatchWriter {
  public:
    PrimaryKeyWriter(LoadManager& loads, const TableInfo& table, const TableSchema& schema, const LoadOptions& options)
        : loads_(loads), table_(table), schema_(schema), options_(options) {
        if (options.delete_rows && options.overwrite) {
            throw BinderError("a load that deletes rows cannot overwrite the table", ErrorCode::WRONG_ARGUMENTS);
        }
        result_.label = options.label.empty() ? LoadManager::NewLabel("insert") : options.label;
        state_ = loads_.State(table.id);
        version_ = loads_.catalog_.GetTableVersion(table.id);
        // INSERT OVERWRITE replaces the rows: only the load's own keys matter, in an index of its own.
        index_ = options.overwrite ? &overwrite_index_ : &loads_.Index(table, schema, *state_);
        key_columns_ = KeyColumnIndexes(schema);
        partial_ = !options.update_columns.empty();
        if (schema.partitioned()) router_.emplace(schema, *version_);
        commit_.label = result_.label;
        // A tiered table: deletes of keys below the boundary may concern cold rows (tombstones).
        if (const TierState* tier = version_->tier.get(); tier && tier->mode != "external" && tier->snapshot_id >= 0 &&
                                                          tier->boundary && schema.partition_columns.size() == 1) {
            tier_boundary_ = tier->boundary;
            tier_column_ = schema.partition_columns[0];
        }
    }

    ~PrimaryKeyWriter() override {
        if (committed_) return;
        for (const auto& r : commit_.rowsets) RemoveSegmentFile(loads_.data_dir_ + "/" + r.path);
        if (!options_.overwrite && touched_) state_->pk_index.reset();  // it may point at placeholders
    }

    void Add(std::vector<Chunk>& rows) override {
        touched_ = true;
        // The last row of each key in the batch wins; the hash tables are far larger than the
        // caches, so every loop prefetches the slot of the key kAhead rows ahead.
        constexpr size_t kAhead = 16;
        std::vector<std::vector<std::string>> keys(rows.size());
        std::vector<std::vector<uint64_t>> hashes(rows.size());
        PrimaryKeyIndex last;
        // With merge_condition, rows apply in order only when not older than the one before:
        // the batch's candidate for a key is the last of its newest rows (a delete always applies).
        auto OlderThanCandidate = [&](const std::vector<Chunk>& batch, size_t c, size_t i, const std::string& key,
                                      uint64_t hash) {
            const RowLocation* prev = last.Find(key, hash);
            if (!prev) return false;
            const Chunk& chunk = batch[c];
            uint32_t row = chunk.LiveRow(i);
            // A delete without a condition value always applies (StarRocks' merge_condition).
            if (options_.delete_rows && chunk_base_ + c < options_.delete_rows->size() &&
                (*options_.delete_rows)[chunk_base_ + c][row] != 0 &&
                chunk.column(static_cast<size_t>(options_.merge_condition)).IsNull(row)) {
                return false;
            }
            const Chunk& other = batch[static_cast<size_t>(prev->rowset_id)];
            uint32_t other_row = other.LiveRow(prev->row);
            auto col = static_cast<size_t>(options_.merge_condition);
            return Older(chunk.column(col), row, other.column(col), other_row);
        };
        size_t total = 0;
        for (const auto& chunk : rows) total += chunk.live_rows();
        last.Reserve(total);
        {
            // The table's index outlives the statement: what it grows by is the server's.
            ScopedMemoryTracker server_only(nullptr);
            index_->Reserve(index_->size() + total);
        }
        for (size_t c = 0; c < rows.size(); ++c) {
            PrimaryKeyIndex::EncodeKeys(rows[c], key_columns_, keys[c]);
            hashes[c].resize(keys[c].size());
            for (size_t i = 0; i < keys[c].size(); ++i) hashes[c][i] = PrimaryKeyIndex::Hash(keys[c][i]);
            for (size_t i = 0; i < keys[c].size(); ++i) {
                if (i + kAhead < keys[c].size()) last.Prefetch(hashes[c][i + kAhead]);
                if (options_.merge_condition >= 0 && OlderThanCandidate(rows, c, i, keys[c][i], hashes[c][i])) {
                    continue;
                }
                last.Set(keys[c][i], hashes[c][i], RowLocation{static_cast<int64_t>(c), static_cast<uint32_t>(i)});
            }
        }
        const int64_t truncate_fence = options_.merge_condition >= 0 ? TruncateFence() : INT64_MIN;
        for (size_t c = 0; c < rows.size(); ++c) {
            Chunk& chunk = rows[c];
            const std::vector<uint8_t>* removes = options_.delete_rows && chunk_base_ + c < options_.delete_rows->size()
                                                      ? &(*options_.delete_rows)[chunk_base_ + c]
                                                      : nullptr;
            const std::vector<uint64_t>* keeps = options_.keep_stored && chunk_base_ + c < options_.keep_stored->size()
                                                     ? &(*options_.keep_stored)[chunk_base_ + c]
                                                     : nullptr;
            auto selection = std::make_unique<SelectionVector>();
            std::vector<std::string> kept;
            std::vector<uint64_t> kept_hashes;
            for (size_t i = 0; i < keys[c].size(); ++i) {
                if (i + kAhead < keys[c].size()) {
                    last.Prefetch(hashes[c][i + kAhead]);
                    index_->Prefetch(hashes[c][i + kAhead]);
                }
                uint64_t hash = hashes[c][i];
                const RowLocation* at = last.Find(keys[c][i], hash);
                if (at->rowset_id != static_cast<int64_t>(c) || at->row != i) continue;  // a later row has it
                uint32_t row = chunk.LiveRow(i);
                std::optional<RowLocation> old;
                if (const RowLocation* found = index_->Find(keys[c][i], hash)) old = *found;
                const std::optional<int64_t> position = FencePosition(chunk, row);
                // An event older than the last ordered truncate: the truncate removed its row.
                if (position && *position < truncate_fence) continue;
                if (removes && (*removes)[row] != 0) {  // __op = delete: the stored row goes, nothing is written
                    if (old && options_.merge_condition >= 0 &&
                        !chunk.column(static_cast<size_t>(options_.merge_condition)).IsNull(row)) {
                        // An ordered delete older than the stored row leaves it.
                        auto col = static_cast<size_t>(options_.merge_condition);
                        if (Older(chunk.column(col), row, *ReaderOf(*old).column(col), old->row)) continue;
                    }
                    if (position && !OlderThanFence(keys[c][i], *position)) {
                        fence_set_[keys[c][i]] = *position;
                        fence_clear_.erase(keys[c][i]);
                    }
                    if (old) {
                        MarkDeleted(*old);
                        index_->Erase(keys[c][i]);
                    }
                    if (tier_boundary_) {
                        // A key below the tiering boundary may also have a row in the cold tier.
                        Value at = chunk.column(tier_column_).GetValue(row);
                        if (!at.is_null() && at.ToString() < *tier_boundary_) {
                            std::vector<std::string> values;
                            for (size_t k : key_columns_) values.push_back(chunk.column(k).GetValue(row).ToString());
                            commit_.tier_tombstones_add.push_back(TombstoneKey(values));
                        }
                    }
                    continue;
                }
                if (!old && position) {
                    // No stored row: a key an ordered delete removed takes only newer rows.
                    if (OlderThanFence(keys[c][i], *position)) continue;
                    if (HasFence(keys[c][i])) {
                        fence_clear_.insert(keys[c][i]);
                        fence_set_.erase(keys[c][i]);
                    }
                }
                if (old) {
                    if (options_.merge_condition >= 0) {
                        // Conditional update: a row whose condition column is older (smaller)
                        // than the stored one's leaves the stored row as it is.
                        auto col = static_cast<size_t>(options_.merge_condition);
                        auto stored = ReaderOf(*old).column(col);
                        if (Older(chunk.column(col), row, *stored, old->row)) continue;
                    }
                    MarkDeleted(*old);
                    if (keeps && (*keeps)[row] != 0) {
                        const SegmentReader& reader = ReaderOf(*old);
                        for (size_t col = 0; col < schema_.columns.size() && col < 64; ++col) {
                            if ((*keeps)[row] & (uint64_t{1} << col)) {
                                chunk.column(col).SetValue(row, reader.column(col)->GetValue(old->row));
                            }
                        }
                    }
                    if (partial_) {
                        // Keep the stored values of the columns this load does not update.
                        const SegmentReader& reader = ReaderOf(*old);
                        for (size_t col = 0; col < schema_.columns.size(); ++col) {
                            if (options_.update_columns[col]) continue;
                            chunk.column(col).SetValue(row, reader.column(col)->GetValue(old->row));
                        }
                    }
                }
                selection->push_back(row);
                kept.push_back(std::move(keys[c][i]));
                kept_hashes.push_back(hash);
            }
            chunk.SetSelection(std::move(selection));
            keys[c] = std::move(kept);
            hashes[c] = std::move(kept_hashes);
        }
        chunk_base_ += rows.size();

        // One segment per tablet (partition and bucket) the batch touches.
        std::vector<TabletRows> groups = SplitByTablet(schema_, router_ ? &*router_ : nullptr, rows, true);
        if (router_) CheckPartitionsAllowed(*router_, groups, options_.partitions);
        for (auto& g : groups) {
            std::vector<uint32_t> order;  // written row p is row order[p] of the group
            LoadCommit::NewRowset r = loads_.WriteSegment(table_, schema_, g.chunks, &order);
            if (router_) r.partition = router_->partitions()[g.partition].name;
            r.bucket = g.bucket;
            result_.loaded_rows += static_cast<size_t>(r.row_count);
            commit_.rowsets.push_back(std::move(r));
            int64_t placeholder = Placeholder(commit_.rowsets.size() - 1);
            ScopedMemoryTracker server_only(nullptr);
            for (size_t p = 0; p < order.size(); ++p) {
                if (p + kAhead < order.size()) {
                    auto [c, i] = g.sources[order[p + kAhead]];
                    index_->Prefetch(hashes[c][i]);
                }
                auto [c, i] = g.sources[order[p]];
                index_->Set(keys[c][i], hashes[c][i], RowLocation{placeholder, static_cast<uint32_t>(p)});
            }
        }
        rows.clear();
    }

    LoadResult Commit(const std::function<std::string()>& before_commit) override {
        if (router_) commit_.create_partitions = router_->created();
        std::string refused = before_commit ? before_commit() : "";
        if (!refused.empty()) throw LoadError(refused);
        commit_.record = options_.record;
        commit_.also = options_.also;
        if (!fence_set_.empty() || !fence_clear_.empty()) {
            // The fences commit with the rows (and the load's own meta-store changes).
            commit_.also = [also = options_.also, id = table_.id, set = fence_set_,
                            clear = fence_clear_](MetaStore& s) {
                if (also) also(s);
                Catalog::WriteDeleteFences(s, id, set, clear);
            };
        }
        if (options_.overwrite) {
            if (options_.partitions.empty()) {
                commit_.replace = true;
            } else {
                commit_.replace_partitions = options_.partitions;
            }
        }
        if (commit_.rowsets.empty() && !options_.overwrite && commit_.deletes.empty() && !commit_.record &&
            !commit_.also && commit_.tier_tombstones_add.empty()) {
            committed_ = true;
            return result_;
        }
        std::vector<int64_t> ids = loads_.Commit(table_, commit_);
        committed_ = true;
        if (state_->fences) {
            for (const auto& key : fence_clear_) state_->fences->erase(key);
            for (const auto& [key, position] : fence_set_) (*state_->fences)[key] = position;
        }
        result_.txn_id = ids.empty() ? 0 : ids[0];
        for (const auto& [id, marks] : commit_.deletes) result_.deleted_rows += marks.cardinality();
        if (options_.overwrite) {
            state_->pk_index.reset();
        } else {
            for (size_t j = 0; j < ids.size(); ++j) state_->pk_index->RenameRowset(Placeholder(j), ids[j]);
            state_->index_version = loads_.catalog_.GetTableVersion(table_.id);
        }
        if (!commit_.create_partitions.empty() &&
            (schema_.partition_live_number > 0 || schema_.partition_ttl_amount > 0)) {
            loads_.EnforcePartitionTtl(table_, schema_);
        }
        return result_;
    }

  private:
    /// The row's merge_condition value as a fence position: for conditional loads whose condition
    /// column is an integer, a date or a datetime, when the row has one.
    std::optional<int64_t> FencePosition(const Chunk& chunk, uint32_t row) const {
        if (options_.merge_condition < 0) return std::nullopt;
        const Column& col = chunk.column(static_cast<size_t>(options_.merge_condition));
        const LogicalType& type = col.type();
        if (!(type.IsInteger() && type.id != TypeId::LARGEINT) && !type.IsTemporal()) return std::nullopt;
        if (col.IsNull(row)) return std::nullopt;
        return col.GetValue(row).GetInt();
    }

    /// The committed fences of the table (read once), as this load changes them.
    const std::map<std::string, int64_t>& Fences() {
        if (!state_->fences) state_->fences = loads_.catalog_.DeleteFences(table_.id);
        return *state_->fences;
    }
    bool HasFence(const std::string& key) {
        if (fence_set_.count(key)) return true;
        return !fence_clear_.count(key) && Fences().count(key);
    }
    /// Whether a row at `position` is older than the fence a delete of `key` left.
    bool OlderThanFence(const std::string& key, int64_t position) {
        if (auto it = fence_set_.find(key); it != fence_set_.end()) return position < it->second;
        if (fence_clear_.count(key)) return false;
        const auto& fences = Fences();
        auto it = fences.find(key);
        return it != fences.end() && position < it->second;
    }

    /// The position of the table's last truncate ordered by this load's merge_condition column
    /// (TruncateFenceKey): rows older than it are dropped. INT64_MIN: none.
    int64_t TruncateFence() {
        const auto& fences = Fences();
        auto it = fences.find(TruncateFenceKey(schema_.columns[static_cast<size_t>(options_.merge_condition)].name));
        return it != fences.end() ? it->second : INT64_MIN;
    }

    const SegmentReader& ReaderOf(const RowLocation& at) {
        auto& reader = readers_[at.rowset_id];
        if (!reader) {
            if (at.rowset_id < 0) {
                reader =
                    OpenSegment(loads_.data_dir_ + "/" + commit_.rowsets[static_cast<size_t>(-at.rowset_id - 1)].path,
                                schema_.Types());
            }
            for (const auto& rs : version_->rowsets) {
                if (rs.id == at.rowset_id) reader = OpenSegment(loads_.data_dir_ + "/" + rs.path, schema_.Types());
            }
            if (!reader) throw InternalError("primary-key index points at a missing rowset");
        }
        return *reader;
    }

    /// A stored row an upsert or delete replaces: marked in its rowset's delete vector.
    void MarkDeleted(const RowLocation& at) {
        if (at.rowset_id < 0) {
            commit_.rowsets[static_cast<size_t>(-at.rowset_id - 1)].deletes.add(at.row);
        } else {
            commit_.deletes[at.rowset_id].add(at.row);
        }
    }

    LoadManager& loads_;
    const TableInfo& table_;
    const TableSchema& schema_;
    const LoadOptions& options_;  // read again at Commit (before_commit may fill in the record)
    std::shared_ptr<LoadManager::TableState> state_;
    std::shared_ptr<const TableVersion> version_;
    PrimaryKeyIndex overwrite_index_;
    PrimaryKeyIndex* index_ = nullptr;
    std::vector<size_t> key_columns_;
    bool partial_ = false;
    std::optional<PartitionRouter> router_;
    std::optional<std::string> tier_boundary_;  // a tiered table's boundary (deletes below it leave tombstones)
    size_t tier_column_ = 0;
    LoadCommit commit_;
    LoadResult result_;
    std::map<int64_t, std::shared_ptr<const SegmentReader>> readers_;  // rowsets partial updates read
    size_t chunk_base_ = 0;  // chunks of earlier batches (options.delete_rows counts over the load)
    bool touched_ = false;
    bool committed_ = false;
    // Delete fences this load sets (key -> position) and clears, committed with its rows.
    std::map<std::string, int64_t> fence_set_;
    std::set<std::string> fence_clear_;
};

std::unique_ptr<LoadBatchWriter> StartPrimaryKeyLoad(LoadManager& loads, const TableInfo& table,
                                                     const TableSchema& schema, const LoadOptions& options) {
    return std::make_unique<PrimaryKeyWriter>(loads, table, schema, options);
}

}  // namespace floe
