#pragma once
/// The primary-key index of a Primary Key table: it maps each live key to where its row is (a
/// rowset and a row position in it). Writers look keys up to find the row an upsert or delete
/// replaces, mark that row in its rowset's delete vector, and point the key at the new row, so
/// scans read live rows only and never merge versions (merge-on-write).
///
/// Keys are the serialized key columns (vector/row_key.h). The table is open addressing over
/// 16-byte slots (a 32-bit hash tag, the key's number, the row and the rowset's number); the key
/// bytes live in one arena, addressed by number times the key size while every key has the same
/// size (the common case: fixed-width key columns), through an offset table otherwise. A slot's
/// home is derived from its tag alone (tag * capacity / 2^32), so growing moves slots without
/// touching the keys. About 23 + key bytes per key at the 0.7 load factor; rebuilt from the
/// table's key columns the first time a writer needs it after start-up. Not thread-safe: the
/// table's writer lock guards it.
///
/// Persistent (Open/Create with a directory; the table property enable_persistent_index): slots,
/// keys and offsets live in files mapped shared, so the kernel writes them back and evicts them
/// under memory pressure (memory is bounded by what the kernel keeps resident, not by the number
/// of keys). Checkpoint(stamp) syncs them and writes a `meta` file naming the table state they
/// describe; the first change after it removes `meta`, so after a crash the files are known stale
/// and the index is rebuilt, while after a clean shutdown Open() maps them in milliseconds.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/mapped_buffer.h"
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
        // The home slot (Home(Tag(hash))); the tag's adjustment of 0 and 1 does not move it.
        if (capacity_) __builtin_prefetch(slots_ + (((hash >> 32) * capacity_) >> 32));
    }
    const RowLocation* Find(std::string_view key, uint64_t hash) const;
    void Set(std::string_view key, uint64_t hash, RowLocation location);
    /// Repoints every key of rowset `from` at rowset `to` (a load's placeholder id, once its
    /// commit has given the rowset its id). O(rowsets).
    void RenameRowset(int64_t from, int64_t to);
    /// Makes room for `keys` keys in all, so that inserting them does not rehash.
    void Reserve(size_t keys);
    size_t size() const { return used_; }
    /// Bytes held (slots and key arena).
    size_t MemoryBytes() const { return slots_buf_.size() + arena_.size() + offsets_buf_.size(); }

    PrimaryKeyIndex() = default;
    /// A new, empty persistent index in `dir` (created; files there are replaced).
    static std::unique_ptr<PrimaryKeyIndex> Create(const std::string& dir);
    /// The persistent index in `dir` if its last checkpoint was taken at `stamp`, else null.
    static std::unique_ptr<PrimaryKeyIndex> Open(const std::string& dir, uint64_t stamp);
    /// Persistent indexes: makes the files durable and records `stamp` (a no-op in memory).
    void Checkpoint(uint64_t stamp);
    bool persistent() const { return !dir_.empty(); }
    ~PrimaryKeyIndex();
    PrimaryKeyIndex(const PrimaryKeyIndex&) = delete;
    PrimaryKeyIndex& operator=(const PrimaryKeyIndex&) = delete;

  private:
    struct Slot {
        uint32_t tag = 0;  // 0: empty, 1: erased, else the hash's high half (>= 2)
        uint32_t key = 0;  // the key's number in the arena
        uint32_t row = 0;
        uint32_t rowset = 0;  // index into rowsets_
    };
    static constexpr uint32_t kUnsetKeySize = UINT32_MAX;
    static constexpr uint32_t kVariableKeySize = UINT32_MAX - 1;

    static uint32_t Tag(uint64_t hash) {
        auto t = static_cast<uint32_t>(hash >> 32);
        return t < 2 ? t + 2 : t;
    }
    size_t Home(uint32_t tag) const { return static_cast<size_t>((uint64_t{tag} * capacity_) >> 32); }
    std::string_view KeyAt(uint32_t key) const {
        if (key_size_ != kVariableKeySize) return {arena_.data() + size_t{key} * key_size_, key_size_};
        const uint64_t* offsets = Offsets();
        return {arena_.data() + offsets[key], offsets[key + 1] - offsets[key]};
    }
    uint64_t* Offsets() const { return reinterpret_cast<uint64_t*>(offsets_buf_.data()); }
    void AppendArena(std::string_view bytes);
    void AppendOffset(uint64_t offset);
    /// A buffer in memory, or the file `name` in dir_ (".new" while being rebuilt).
    MappedBuffer NewBuffer(const char* name, size_t bytes) const;
    /// The first change after a checkpoint removes its meta file: the files are then stale.
    void Touch() {
        if (clean_) MarkDirty();
    }
    void MarkDirty();
    uint32_t AppendKey(std::string_view key);
    uint32_t RowsetNumber(int64_t rowset_id);
    size_t Probe(std::string_view key, uint64_t hash) const;  // the slot holding key, or SIZE_MAX
    void Grow(size_t keys);
    /// Rewrites the arena with the live keys only (after many erases).
    void CompactArena();
    std::string dir_;     // persistent: where the files are
    bool clean_ = false;  // the files match the meta file of the last checkpoint
    MappedBuffer slots_buf_;
    Slot* slots_ = nullptr;
    size_t capacity_ = 0;  // a power of two
    MappedBuffer arena_;
    size_t arena_size_ = 0;  // bytes of arena_ in use
    uint32_t key_size_ = kUnsetKeySize;
    MappedBuffer offsets_buf_;  // key n spans [offsets[n], offsets[n+1]) when sizes vary
    size_t offsets_count_ = 0;
    uint32_t keys_ = 0;  // keys in the arena, live or not
    std::vector<int64_t> rowsets_;
    std::vector<std::pair<int64_t, uint32_t>> rowset_numbers_;  // sorted by id
    size_t used_ = 0;
    size_t erased_ = 0;
    mutable RowLocation found_;
};

}  // namespace floe
