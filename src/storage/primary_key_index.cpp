#include "storage/primary_key_index.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <new>
#include <stdexcept>

#include "common/crc32.h"
#include "common/exception.h"
#include "common/memory_tracker.h"

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

PrimaryKeyIndex::~PrimaryKeyIndex() = default;

MappedBuffer PrimaryKeyIndex::NewBuffer(const char* name, size_t bytes) const {
    if (dir_.empty()) return MappedBuffer(bytes);
    return MappedBuffer(dir_ + "/" + name + ".new", bytes, true);
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
    if (key_size_ < kVariableKeySize && keys > keys_ && size_t{key_size_} * keys > arena_.size()) {
        Touch();
        arena_.Resize(size_t{key_size_} * keys);
    }
}

void PrimaryKeyIndex::AppendArena(std::string_view bytes) {
    if (arena_size_ + bytes.size() > arena_.size()) {
        arena_.Resize(std::max({arena_.size() * 2, arena_size_ + bytes.size(), size_t{1} << 16}));
    }
    std::memcpy(arena_.data() + arena_size_, bytes.data(), bytes.size());
    arena_size_ += bytes.size();
}

void PrimaryKeyIndex::AppendOffset(uint64_t offset) {
    if ((offsets_count_ + 1) * sizeof(uint64_t) > offsets_buf_.size()) {
        offsets_buf_.Resize(
            std::max({offsets_buf_.size() * 2, (offsets_count_ + 1) * sizeof(uint64_t), size_t{1} << 16}));
    }
    Offsets()[offsets_count_++] = offset;
}

void PrimaryKeyIndex::Grow(size_t keys) {
    size_t capacity = capacity_ == 0 ? 1024 : capacity_;
    while ((keys + 1) * 10 > capacity * 7) capacity *= 2;
    if (capacity > (size_t{1} << 32)) throw std::length_error("primary-key index: too many keys");
    Touch();
    if (erased_ > used_) CompactArena();
    MappedBuffer old_buf = std::move(slots_buf_);
    Slot* old = slots_;
    size_t old_capacity = capacity_;
    slots_buf_ = NewBuffer("slots", capacity * sizeof(Slot));  // zeroed: every slot empty
    slots_ = reinterpret_cast<Slot*>(slots_buf_.data());
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
    if (slots_buf_.file_backed()) slots_buf_.Rename(dir_ + "/slots");
    erased_ = 0;
}

void PrimaryKeyIndex::CompactArena() {
    bool variable = key_size_ == kVariableKeySize;
    MappedBuffer arena = NewBuffer("keys", std::max(arena_size_, size_t{1} << 16));
    MappedBuffer offsets = variable ? NewBuffer("offsets", (used_ + 2) * sizeof(uint64_t)) : MappedBuffer();
    size_t size = 0, count = 0;
    auto* out = reinterpret_cast<uint64_t*>(offsets.data());
    if (variable) out[count++] = 0;
    uint32_t n = 0;
    for (size_t i = 0; i < capacity_; ++i) {
        Slot& s = slots_[i];
        if (s.tag < 2) continue;
        std::string_view key = KeyAt(s.key);
        std::memcpy(arena.data() + size, key.data(), key.size());
        size += key.size();
        if (variable) out[count++] = size;
        s.key = n++;
    }
    arena_ = std::move(arena);
    arena_size_ = size;
    if (arena_.file_backed()) arena_.Rename(dir_ + "/keys");
    if (variable) {
        offsets_buf_ = std::move(offsets);
        offsets_count_ = count;
        if (offsets_buf_.file_backed()) offsets_buf_.Rename(dir_ + "/offsets");
    }
    keys_ = n;
}

uint32_t PrimaryKeyIndex::AppendKey(std::string_view key) {
    if (keys_ == UINT32_MAX) throw std::length_error("primary-key index: too many keys");
    if (key_size_ == kUnsetKeySize) key_size_ = static_cast<uint32_t>(key.size());
    if (key_size_ != kVariableKeySize && key.size() != key_size_) {
        // The first key of another size: from now on, an offset per key.
        offsets_buf_ = NewBuffer("offsets", (size_t{keys_} + 1) * 2 * sizeof(uint64_t));
        if (offsets_buf_.file_backed()) offsets_buf_.Rename(dir_ + "/offsets");
        offsets_count_ = 0;
        for (size_t k = 0; k <= keys_; ++k) AppendOffset(k * key_size_);
        key_size_ = kVariableKeySize;
    }
    AppendArena(key);
    if (key_size_ == kVariableKeySize) AppendOffset(arena_size_);
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
    Touch();
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
    Touch();
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
    Touch();
    slots_[i].tag = 1;
    --used_;
    ++erased_;
}

}  // namespace floe

namespace floe {

namespace {

constexpr char kIndexMagic[8] = {'F', 'L', 'O', 'E', 'P', 'K', 'I', '1'};

template <typename T>
void PutValue(std::string& out, T v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof(v));
}

template <typename T>
bool GetValue(const std::string& in, size_t& pos, T& v) {
    if (pos + sizeof(T) > in.size()) return false;
    std::memcpy(&v, in.data() + pos, sizeof(T));
    pos += sizeof(T);
    return true;
}

void SyncDirectory(const std::string& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

}  // namespace

std::unique_ptr<PrimaryKeyIndex> PrimaryKeyIndex::Create(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw IOError("cannot create '" + dir + "': " + ec.message());
    ::unlink((dir + "/meta").c_str());
    SyncDirectory(dir);
    auto index = std::make_unique<PrimaryKeyIndex>();
    index->dir_ = dir;
    index->arena_ = MappedBuffer(dir + "/keys", size_t{1} << 16, true);
    ::unlink((dir + "/offsets").c_str());
    ::unlink((dir + "/slots").c_str());
    return index;
}

std::unique_ptr<PrimaryKeyIndex> PrimaryKeyIndex::Open(const std::string& dir, uint64_t stamp) {
    std::ifstream in(dir + "/meta", std::ios::binary);
    if (!in) return nullptr;
    std::string meta((std::istreambuf_iterator<char>(in)), {});
    if (meta.size() < sizeof(kIndexMagic) + 4 || std::memcmp(meta.data(), kIndexMagic, sizeof(kIndexMagic)) != 0) {
        return nullptr;
    }
    uint32_t crc;
    std::memcpy(&crc, meta.data() + meta.size() - 4, 4);
    if (Crc32(meta.data(), meta.size() - 4) != crc) return nullptr;
    size_t pos = sizeof(kIndexMagic);
    uint64_t saved_stamp = 0, capacity = 0, used = 0, erased = 0, arena_size = 0, offsets_count = 0, rowsets = 0;
    uint32_t keys = 0, key_size = 0;
    if (!GetValue(meta, pos, saved_stamp) || saved_stamp != stamp || !GetValue(meta, pos, capacity) ||
        !GetValue(meta, pos, used) || !GetValue(meta, pos, erased) || !GetValue(meta, pos, keys) ||
        !GetValue(meta, pos, key_size) || !GetValue(meta, pos, arena_size) || !GetValue(meta, pos, offsets_count) ||
        !GetValue(meta, pos, rowsets)) {
        return nullptr;
    }
    auto index = std::make_unique<PrimaryKeyIndex>();
    for (uint64_t i = 0; i < rowsets; ++i) {
        int64_t id;
        if (!GetValue(meta, pos, id)) return nullptr;
        index->rowsets_.push_back(id);
        index->rowset_numbers_.emplace_back(id, static_cast<uint32_t>(i));
    }
    std::sort(index->rowset_numbers_.begin(), index->rowset_numbers_.end());
    try {
        if (capacity > 0) index->slots_buf_ = MappedBuffer(dir + "/slots", 0, false);
        index->arena_ = MappedBuffer(dir + "/keys", 0, false);
        if (key_size == kVariableKeySize) index->offsets_buf_ = MappedBuffer(dir + "/offsets", 0, false);
    } catch (const IOError&) {
        return nullptr;
    }
    if (index->slots_buf_.size() < capacity * sizeof(Slot) || index->arena_.size() < arena_size ||
        index->offsets_buf_.size() < offsets_count * sizeof(uint64_t)) {
        return nullptr;
    }
    index->dir_ = dir;
    index->slots_ = reinterpret_cast<Slot*>(index->slots_buf_.data());
    index->capacity_ = capacity;
    index->used_ = used;
    index->erased_ = erased;
    index->keys_ = keys;
    index->key_size_ = key_size;
    index->arena_size_ = arena_size;
    index->offsets_count_ = offsets_count;
    index->clean_ = true;
    return index;
}

void PrimaryKeyIndex::Checkpoint(uint64_t stamp) {
    if (dir_.empty()) return;
    slots_buf_.Sync();
    arena_.Sync();
    offsets_buf_.Sync();
    std::string meta(kIndexMagic, sizeof(kIndexMagic));
    PutValue(meta, stamp);
    PutValue(meta, static_cast<uint64_t>(capacity_));
    PutValue(meta, static_cast<uint64_t>(used_));
    PutValue(meta, static_cast<uint64_t>(erased_));
    PutValue(meta, keys_);
    PutValue(meta, key_size_);
    PutValue(meta, static_cast<uint64_t>(arena_size_));
    PutValue(meta, static_cast<uint64_t>(offsets_count_));
    PutValue(meta, static_cast<uint64_t>(rowsets_.size()));
    for (int64_t id : rowsets_) PutValue(meta, id);
    PutValue(meta, Crc32(meta.data(), meta.size()));
    std::string tmp = dir_ + "/meta.tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw IOError("cannot write '" + tmp + "': " + std::strerror(errno));
    bool ok = ::write(fd, meta.data(), meta.size()) == static_cast<ssize_t>(meta.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), (dir_ + "/meta").c_str()) != 0) {
        throw IOError("cannot write '" + dir_ + "/meta': " + std::strerror(errno));
    }
    SyncDirectory(dir_);
    clean_ = true;
}

void PrimaryKeyIndex::MarkDirty() {
    ::unlink((dir_ + "/meta").c_str());
    SyncDirectory(dir_);
    clean_ = false;
}

}  // namespace floe
