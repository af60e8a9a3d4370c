#include "storage/primary_key_index.h"

#include "common/memory_tracker.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>

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
    uint64_t h = HashRowKey(key);
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
    MemoryTracker::ChargeThread(static_cast<int64_t>(bytes));
    return static_cast<Slot*>(p);        // anonymous memory is zeroed: every slot empty
}

void PrimaryKeyIndex::FreeSlots(Slot* slots, size_t capacity) {
    if (!slots) return;
    ::munmap(slots, capacity * sizeof(Slot));
    MemoryTracker::ChargeThread(-static_cast<int64_t>(capacity * sizeof(Slot)));
}

size_t PrimaryKeyIndex::Probe(std::string_view key, uint64_t hash) const {
    if (capacity_ == 0) return SIZE_MAX;
    size_t mask = capacity_ - 1;
    uint32_t tag = Tag(hash);
    for (size_t i = Home(tag);; i = (i + 1) & mask) {
        const Slot& s = slots_[i];
        if (s.tag == 0) return SIZE_MAX;
        if (s.tag == tag && KeyAt(s.key) == key) return i;
    }
}

const RowLocation* PrimaryKeyIndex::Find(std::string_view key, uint64_t hash) const {
    size_t i = Probe(key, hash);
    if (i == SIZE_MAX) return nullptr;
    found_ = RowLocation{rowsets_[slots_[i].rowset], slots_[i].row};
    return &found_;
}

void PrimaryKeyIndex::Reserve(size_t keys) {
    if ((keys + erased_) * 10 > capacity_ * 7) Grow(keys);
    if (key_size_ < kVariableKeySize && keys > keys_) arena_.reserve(size_t{key_size_} * keys);
}

void PrimaryKeyIndex::Grow(size_t keys) {
    size_t capacity = capacity_ == 0 ? 1024 : capacity_;
    while ((keys + 1) * 10 > capacity * 7) capacity *= 2;
    if (capacity > (size_t{1} << 32)) throw std::length_error("primary-key index: too many keys");
    if (erased_ > used_) CompactArena();
    Slot* old = slots_;
    size_t old_capacity = capacity_;
    slots_ = AllocateSlots(capacity);
    capacity_ = capacity;
    size_t mask = capacity - 1;
    // Homes are monotone in the tag: old slots in order land in new slots nearly in order.
    for (size_t k = 0; k < old_capacity; ++k) {
        const Slot& s = old[k];
        if (s.tag < 2) continue;
        size_t i = Home(s.tag);
        while (slots_[i].tag != 0) i = (i + 1) & mask;
        slots_[i] = s;
    }
    FreeSlots(old, old_capacity);
    erased_ = 0;
}

void PrimaryKeyIndex::CompactArena() {
    std::string arena;
    std::vector<uint64_t> offsets;
    bool variable = key_size_ == kVariableKeySize;
    if (variable) offsets.push_back(0);
    uint32_t n = 0;
    for (size_t i = 0; i < capacity_; ++i) {
        Slot& s = slots_[i];
        if (s.tag < 2) continue;
        arena.append(KeyAt(s.key));
        if (variable) offsets.push_back(arena.size());
        s.key = n++;
    }
    arena_ = std::move(arena);
    offsets_ = std::move(offsets);
    keys_ = n;
}

uint32_t PrimaryKeyIndex::AppendKey(std::string_view key) {
    if (keys_ == UINT32_MAX) throw std::length_error("primary-key index: too many keys");
    if (key_size_ == kUnsetKeySize) key_size_ = static_cast<uint32_t>(key.size());
    if (key_size_ != kVariableKeySize && key.size() != key_size_) {
        // The first key of another size: from now on, an offset per key.
        offsets_.resize(size_t{keys_} + 1);
        for (size_t k = 0; k <= keys_; ++k) offsets_[k] = k * key_size_;
        key_size_ = kVariableKeySize;
    }
    arena_.append(key);
    if (key_size_ == kVariableKeySize) offsets_.push_back(arena_.size());
    return keys_++;
}

uint32_t PrimaryKeyIndex::RowsetNumber(int64_t rowset_id) {
    // Writers set runs of rows of one rowset: the last answer is usually the next one.
    if (!rowsets_.empty() && rowsets_.back() == rowset_id) return static_cast<uint32_t>(rowsets_.size() - 1);
    auto it = std::lower_bound(rowset_numbers_.begin(), rowset_numbers_.end(), std::make_pair(rowset_id, 0u),
                               [](const auto& a, const auto& b) { return a.first < b.first; });
    if (it != rowset_numbers_.end() && it->first == rowset_id) return it->second;
    auto n = static_cast<uint32_t>(rowsets_.size());
    rowsets_.push_back(rowset_id);
    rowset_numbers_.insert(it, {rowset_id, n});
    return n;
}

void PrimaryKeyIndex::RenameRowset(int64_t from, int64_t to) {
    auto by_id = [](const auto& a, const auto& b) { return a.first < b.first; };
    auto it = std::lower_bound(rowset_numbers_.begin(), rowset_numbers_.end(), std::make_pair(from, 0u), by_id);
    if (it == rowset_numbers_.end() || it->first != from) return;
    uint32_t n = it->second;
    rowset_numbers_.erase(it);
    rowsets_[n] = to;
    auto at = std::lower_bound(rowset_numbers_.begin(), rowset_numbers_.end(), std::make_pair(to, 0u), by_id);
    rowset_numbers_.insert(at, {to, n});
}

void PrimaryKeyIndex::Set(std::string_view key, uint64_t hash, RowLocation location) {
    uint32_t rowset = RowsetNumber(location.rowset_id);
    size_t i = Probe(key, hash);
    if (i != SIZE_MAX) {
        slots_[i].rowset = rowset;
        slots_[i].row = location.row;
        return;
    }
    if ((used_ + erased_ + 1) * 10 > capacity_ * 7) Grow(used_ + 1);
    size_t mask = capacity_ - 1;
    uint32_t tag = Tag(hash);
    i = Home(tag);
    while (slots_[i].tag >= 2) i = (i + 1) & mask;
    if (slots_[i].tag == 1) --erased_;
    slots_[i] = Slot{tag, AppendKey(key), location.row, rowset};
    ++used_;
}

void PrimaryKeyIndex::Erase(std::string_view key) {
    size_t i = Probe(key, Hash(key));
    if (i == SIZE_MAX) return;
    slots_[i].tag = 1;
    --used_;
    ++erased_;
}

}  // namespace floe
