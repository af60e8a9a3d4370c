#include "storage/primary_key_index.h"

#include <sys/mman.h>

#include <cstring>
#include <new>

#include "vector/row_key.h"

namespace floe {

void PrimaryKeyIndex::EncodeKeys(const Chunk& chunk, const std::vector<size_t>& key_columns,
                                 std::vector<std::string>& keys) {
    std::vector<const Column*> cols;
    for (size_t c : key_columns) cols.push_back(&chunk.column(c));
    for (size_t i = 0; i < chunk.live_rows(); ++i) {
        std::string key;
        AppendRowKey(cols, chunk.LiveRow(i), key);
        keys.push_back(std::move(key));
    }
}

uint64_t PrimaryKeyIndex::Hash(std::string_view key) {
    // 64-bit multiply-xorshift over 8-byte words; keys are short (a few columns).
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ key.size();
    size_t i = 0;
    for (; i + 8 <= key.size(); i += 8) {
        uint64_t w;
        std::memcpy(&w, key.data() + i, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 31;
    }
    uint64_t tail = 0;
    std::memcpy(&tail, key.data() + i, key.size() - i);
    h = (h ^ tail) * 0x94D049BB133111EBULL;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 32;
    return h < 2 ? h + 2 : h;
}

PrimaryKeyIndex::~PrimaryKeyIndex() {
    FreeSlots(slots_, capacity_);
}

PrimaryKeyIndex::Slot* PrimaryKeyIndex::AllocateSlots(size_t capacity) {
    size_t bytes = capacity * sizeof(Slot);
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    ::madvise(p, bytes, MADV_HUGEPAGE);  // advisory: fine if the system says no
    return static_cast<Slot*>(p);        // anonymous memory is zeroed: every slot empty
}

void PrimaryKeyIndex::FreeSlots(Slot* slots, size_t capacity) {
    if (slots) ::munmap(slots, capacity * sizeof(Slot));
}

size_t PrimaryKeyIndex::Probe(std::string_view key, uint64_t hash) const {
    if (capacity_ == 0) return SIZE_MAX;
    size_t mask = capacity_ - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        const Slot& s = slots_[i];
        if (s.hash == 0) return SIZE_MAX;
        if (s.hash == hash && s.length == key.size() &&
            std::memcmp(arena_.data() + s.offset, key.data(), key.size()) == 0) {
            return i;
        }
    }
}

const RowLocation* PrimaryKeyIndex::Find(std::string_view key, uint64_t hash) const {
    size_t i = Probe(key, hash);
    if (i == SIZE_MAX) return nullptr;
    found_ = RowLocation{slots_[i].rowset, slots_[i].row};
    return &found_;
}

void PrimaryKeyIndex::Reserve(size_t keys) {
    if ((keys + erased_) * 10 > capacity_ * 7) Grow(keys);
}

void PrimaryKeyIndex::Grow(size_t keys) {
    size_t capacity = capacity_ == 0 ? 1024 : capacity_;
    while ((keys + 1) * 10 > capacity * 7) capacity *= 2;
    Slot* old = slots_;
    size_t old_capacity = capacity_;
    std::string old_arena = std::move(arena_);
    slots_ = AllocateSlots(capacity);
    capacity_ = capacity;
    arena_.clear();
    arena_.reserve(old_arena.size());
    size_t mask = capacity - 1;
    for (size_t k = 0; k < old_capacity; ++k) {
        const Slot& s = old[k];
        if (s.hash < 2) continue;
        size_t i = s.hash & mask;
        while (slots_[i].hash != 0) i = (i + 1) & mask;
        slots_[i] = s;
        slots_[i].offset = arena_.size();
        arena_.append(old_arena.data() + s.offset, s.length);
    }
    FreeSlots(old, old_capacity);
    erased_ = 0;
}

void PrimaryKeyIndex::Set(std::string_view key, uint64_t hash, RowLocation location) {
    size_t i = Probe(key, hash);
    if (i != SIZE_MAX) {
        slots_[i].rowset = location.rowset_id;
        slots_[i].row = location.row;
        return;
    }
    if ((used_ + erased_ + 1) * 10 > capacity_ * 7) Grow(used_ + 1);
    size_t mask = capacity_ - 1;
    i = hash & mask;
    while (slots_[i].hash >= 2) i = (i + 1) & mask;
    if (slots_[i].hash == 1) --erased_;
    slots_[i] = Slot{hash, arena_.size(), static_cast<uint32_t>(key.size()), location.row, location.rowset_id};
    arena_.append(key);
    ++used_;
}

void PrimaryKeyIndex::Erase(std::string_view key) {
    size_t i = Probe(key, Hash(key));
    if (i == SIZE_MAX) return;
    slots_[i].hash = 1;
    --used_;
    ++erased_;
}

}  // namespace floe
