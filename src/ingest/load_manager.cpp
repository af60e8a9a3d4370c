#include "ingest/load_manager.h"

#include <fmt/format.h>

#include <chrono>
#include <random>

#include "common/ascii.h"
#include "common/exception.h"
#include "common/logging.h"
#include "storage/segment.h"

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
}

LoadCommit::NewRowset LoadManager::WriteSegment(const TableInfo& table, const TableSchema& schema,
                                                const std::vector<Chunk>& rows) {
    static std::mt19937_64 rng(std::random_device{}());
    static std::mutex mu;
    std::string name;
    {
        std::lock_guard<std::mutex> lock(mu);
        name = fmt::format("{:x}_{:016x}.seg", std::chrono::system_clock::now().time_since_epoch().count(), rng());
    }
    LoadCommit::NewRowset out;
    out.path = "data/" + std::to_string(table.id) + "/" + name;
    SegmentWriter writer(data_dir_ + "/" + out.path, schema.Types());
    for (const auto& c : rows) writer.Append(c);
    out.row_count = static_cast<int64_t>(writer.row_count());
    out.size = static_cast<int64_t>(writer.Finish());
    return out;
}

std::vector<int64_t> LoadManager::Commit(const TableInfo& table, const LoadCommit& commit) {
    std::vector<int64_t> ids;
    try {
        ids = catalog_.CommitLoad(table.id, commit);
    } catch (...) {
        for (const auto& r : commit.rowsets) RemoveSegmentFile(data_dir_ + "/" + r.path);
        throw;
    }
    if (listener_ && commit.remove.empty()) listener_(table.id);
    return ids;
}

void LoadManager::ReplaceRowsets(const TableInfo& table, const TableSchema& schema, std::vector<Chunk>& rows,
                                 const std::vector<int64_t>& inputs,
                                 const std::shared_ptr<const TableVersion>& before) {
    LoadCommit commit;
    commit.label = NewLabel("compaction");
    commit.remove = inputs;
    size_t total = 0;
    for (const auto& c : rows) total += c.live_rows();
    if (total > 0) commit.rowsets.push_back(WriteSegment(table, schema, rows));
    auto ids = Commit(table, commit);
    if (schema.keys_type != ast::KeysType::PRIMARY) return;
    // The surviving keys moved to the new rowset, in order; point the index at them.
    auto state = State(table.id);
    if (!state->pk_index || state->index_version != before) {
        state->pk_index.reset();
        return;
    }
    try {
        std::vector<size_t> key_columns = KeyColumnIndexes(schema);
        uint32_t row = 0;
        std::vector<std::string> keys;
        for (const auto& chunk : rows) {
            keys.clear();
            PrimaryKeyIndex::EncodeKeys(chunk, key_columns, keys);
            for (const auto& key : keys) state->pk_index->Set(key, RowLocation{ids.empty() ? 0 : ids[0], row++});
        }
        state->index_version = catalog_.GetTableVersion(table.id);
    } catch (...) {
        state->pk_index.reset();
        throw;
    }
}

void LoadManager::BuildIndex(const TableInfo& table, const TableSchema& schema, TableState& state) {
    auto index = std::make_unique<PrimaryKeyIndex>();
    std::vector<size_t> keys = KeyColumnIndexes(schema);
    std::vector<size_t> all(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) all[i] = i;
    auto version = catalog_.GetTableVersion(table.id);
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
    Log::Info("storage.pk_index_built", {{"table", table.database + "." + table.name}, {"keys", index->size()}});
    state.pk_index = std::move(index);
    state.index_version = std::move(version);
}

PrimaryKeyIndex& LoadManager::Index(const TableInfo& table, const TableSchema& schema, TableState& state) {
    if (!state.pk_index || state.index_version != catalog_.GetTableVersion(table.id)) BuildIndex(table, schema, state);
    return *state.pk_index;
}

LoadResult LoadManager::Load(const TableInfo& table, const TableSchema& schema, std::vector<Chunk>& rows,
                             const LoadOptions& options) {
    LoadResult result;
    result.label = options.label.empty() ? NewLabel("insert") : options.label;
    if (schema.keys_type == ast::KeysType::PRIMARY) {
        auto state = State(table.id);
        LoadOptions o = options;
        o.label = result.label;
        return LoadPrimaryKey(table, schema, rows, o, *state);
    }
    size_t total = 0;
    for (const auto& c : rows) total += c.live_rows();
    LoadCommit commit;
    commit.label = result.label;
    commit.replace = options.overwrite;
    if (total > 0) commit.rowsets.push_back(WriteSegment(table, schema, rows));
    if (commit.rowsets.empty() && !commit.replace) return result;
    auto ids = Commit(table, commit);
    result.txn_id = ids.empty() ? 0 : ids[0];
    result.loaded_rows = total;
    return result;
}

LoadResult LoadManager::LoadPrimaryKey(const TableInfo& table, const TableSchema& schema, std::vector<Chunk>& rows,
                                       const LoadOptions& options, TableState& state) {
    LoadResult result;
    result.label = options.label;
    std::vector<size_t> key_columns = KeyColumnIndexes(schema);
    PrimaryKeyIndex* index = options.overwrite ? nullptr : &Index(table, schema, state);
    // Keys of every loaded row; the last row of each key wins.
    std::vector<std::vector<std::string>> keys(rows.size());
    std::unordered_map<std::string_view, std::pair<size_t, size_t>> last;  // key -> (chunk, live index)
    for (size_t c = 0; c < rows.size(); ++c) {
        PrimaryKeyIndex::EncodeKeys(rows[c], key_columns, keys[c]);
        for (size_t i = 0; i < keys[c].size(); ++i) last[keys[c][i]] = {c, i};
    }
    std::map<int64_t, Roaring> deletes;
    std::vector<std::pair<const std::string*, uint32_t>> new_keys;  // key, row in the new segment
    bool partial = !options.update_columns.empty();
    auto version = catalog_.GetTableVersion(table.id);
    std::map<int64_t, std::shared_ptr<const SegmentReader>> readers;  // rowsets partial updates read
    for (size_t c = 0; c < rows.size(); ++c) {
        Chunk& chunk = rows[c];
        auto selection = std::make_unique<SelectionVector>();
        for (size_t i = 0; i < keys[c].size(); ++i) {
            auto at = last.find(keys[c][i]);
            if (at->second != std::make_pair(c, i)) continue;  // a later row of the load has this key
            uint32_t row = chunk.LiveRow(i);
            if (!options.overwrite) {
                if (const RowLocation* old = index->Find(keys[c][i])) {
                    deletes[old->rowset_id].add(old->row);
                    if (partial) {
                        // Keep the stored values of the columns this load does not update.
                        auto& reader = readers[old->rowset_id];
                        if (!reader) {
                            for (const auto& rs : version->rowsets) {
                                if (rs.id == old->rowset_id) {
                                    reader = OpenSegment(data_dir_ + "/" + rs.path, schema.Types());
                                }
                            }
                            if (!reader) throw InternalError("primary-key index points at a missing rowset");
                        }
                        for (size_t col = 0; col < schema.columns.size(); ++col) {
                            if (options.update_columns[col]) continue;
                            chunk.column(col).SetValue(row, reader->column(col)->GetValue(old->row));
                        }
                    }
                }
            }
            selection->push_back(row);
            new_keys.emplace_back(&keys[c][i], static_cast<uint32_t>(new_keys.size()));
        }
        chunk.SetSelection(std::move(selection));
    }
    LoadCommit commit;
    commit.label = result.label;
    commit.replace = options.overwrite;
    commit.deletes = deletes;
    if (!new_keys.empty()) commit.rowsets.push_back(WriteSegment(table, schema, rows));
    if (commit.rowsets.empty() && !commit.replace) return result;
    auto ids = Commit(table, commit);
    result.txn_id = ids.empty() ? 0 : ids[0];
    result.loaded_rows = new_keys.size();
    for (const auto& [id, marks] : deletes) result.deleted_rows += marks.cardinality();
    // Publish the new locations; a failure here leaves the index unusable, so drop it to be rebuilt.
    try {
        if (options.overwrite) state.pk_index = std::make_unique<PrimaryKeyIndex>();
        for (const auto& [key, row] : new_keys) state.pk_index->Set(*key, RowLocation{result.txn_id, row});
        state.index_version = catalog_.GetTableVersion(table.id);
    } catch (...) {
        state.pk_index.reset();
        throw;
    }
    return result;
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
    for (const auto& chunk : rows) {
        std::vector<std::string> keys;
        if (pk) PrimaryKeyIndex::EncodeKeys(chunk, key_positions, keys);
        for (size_t i = 0; i < chunk.live_rows(); ++i) {
            uint32_t r = chunk.LiveRow(i);
            if (chunk.column(0).IsNull(r)) continue;
            int64_t id = chunk.column(0).Data<int64_t>()[r];
            RowLocation at{id >> 32, static_cast<uint32_t>(id & 0xffffffff)};
            commit.deletes[at.rowset_id].add(at.row);
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

LoadResult LoadManager::Truncate(const TableInfo& table, const std::string& label) {
    LoadResult result;
    result.label = label.empty() ? NewLabel("truncate") : label;
    LoadCommit commit;
    commit.label = result.label;
    commit.replace = true;
    Commit(table, commit);
    auto state = State(table.id);
    state->pk_index.reset();
    return result;
}

}  // namespace floe
