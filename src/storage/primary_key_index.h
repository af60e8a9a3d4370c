#pragma once
/// The primary-key index of a Primary Key table: it maps each live key to where its row is (a
/// rowset and a row position in it). Writers look keys up to find the row an upsert or delete
/// replaces, mark that row in its rowset's delete vector, and point the key at the new row, so
/// scans read live rows only and never merge versions (merge-on-write).
///
/// Keys are the serialized key columns (vector/row_key.h). The table is open addressing over
/// 32-byte slots with the key bytes in one arena (about key bytes + 46 bytes per key at the 0.7
/// load factor), rebuilt from the table's key columns the first time a writer needs it after
/// start-up. Not thread-safe: the table's writer lock guards it.

#include <cstdint>
#include <string>
#include <string_view>
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

    const RowLocation* Find(std::string_view key) const { return Find(key, Hash(key)); }
    /// Inserts or repoints `key`.
    void Set(std::string_view key, RowLocation location) { Set(key, Hash(key), location); }
    void Erase(std::string_view key);

    /// The same with the key's hash computed beforehand (Hash), so that callers can Prefetch the
    /// slot of a key a few iterations ahead: the table is far larger than the caches, and
    /// overlapping those memory accesses is most of the speed of a bulk upsert.
    static uint64_t Hash(std::string_view key);
    void Prefetch(uint64_t hash) const {
        if (capacity_) __builtin_prefetch(&slots_[hash & (capacity_ - 1)]);
    }
    const RowLocation* Find(std::string_view key, uint64_t hash) const;
    void Set(std::string_view key, uint64_t hash, RowLocation location);
    /// Makes room for `keys` keys in all, so that inserting them does not rehash.
    void Reserve(size_t keys);
    size_t size() const { return used_; }
    /// Bytes held (slots and key arena).
    size_t MemoryBytes() const { return capacity_ * sizeof(Slot) + arena_.capacity(); }

    PrimaryKeyIndex() = default;
    ~PrimaryKeyIndex();
    PrimaryKeyIndex(const PrimaryKeyIndex&) = delete;
    PrimaryKeyIndex& operator=(const PrimaryKeyIndex&) = delete;

  private:
    struct Slot {
        uint64_t hash = 0;  // 0: empty, 1: erased
        uint64_t offset = 0;
        uint32_t length = 0;
        uint32_t row = 0;
        int64_t rowset = 0;
    };
    size_t Probe(std::string_view key, uint64_t hash) const;  // the slot holding key, or SIZE_MAX
    void Grow(size_t keys);
    /// Zeroed slots, on transparent huge pages when the system allows (fewer TLB misses).
    static Slot* AllocateSlots(size_t capacity);
    static void FreeSlots(Slot* slots, size_t capacity);

    Slot* slots_ = nullptr;
    size_t capacity_ = 0;
    std::string arena_;
    size_t used_ = 0;
    size_t erased_ = 0;
    mutable RowLocation found_;
};

}  // namespace floe
