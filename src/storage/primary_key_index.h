#pragma once
/// The primary-key index of a Primary Key table: it maps each live key to where its row is (a
/// rowset and a row position in it). Writers look keys up to find the row an upsert or delete
/// replaces, mark that row in its rowset's delete vector, and point the key at the new row, so
/// scans read live rows only and never merge versions (merge-on-write).
///
/// Keys are the serialized key columns (vector/row_key.h). The index lives in memory and is
/// rebuilt from the table's key columns the first time a writer needs it after start-up. Not
/// thread-safe: the table's writer lock guards it.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "vector/chunk.h"

namespace floe {

struct RowLocation {
    int64_t rowset_id = 0;
    uint32_t row = 0;
};

class PrimaryKeyIndex {
  public:
    /// Appends the key of each live row of `chunk` to `keys`; `key_columns` index the chunk.
    static void EncodeKeys(const Chunk& chunk, const std::vector<size_t>& key_columns, std::vector<std::string>& keys);

    const RowLocation* Find(const std::string& key) const {
        auto it = map_.find(key);
        return it == map_.end() ? nullptr : &it->second;
    }
    void Set(const std::string& key, RowLocation location) { map_[key] = location; }
    void Erase(const std::string& key) { map_.erase(key); }
    size_t size() const { return map_.size(); }
    /// Approximate bytes held (keys, locations and hash-table overhead).
    size_t MemoryBytes() const { return key_bytes_estimate() + map_.size() * 64 + map_.bucket_count() * 8; }

  private:
    size_t key_bytes_estimate() const { return map_.empty() ? 0 : map_.size() * map_.begin()->first.capacity(); }
    std::unordered_map<std::string, RowLocation> map_;
};

}  // namespace floe
