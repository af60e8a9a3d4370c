#include "execution/key_hash_table.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>

namespace floe {

namespace {

inline uint64_t Mix(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

constexpr uint64_t kNullHash = 0x5bd1e9955bd1e995ULL;

bool IsStringKey(const LogicalType& t) {
    return t.id >= TypeId::VARCHAR;
}

uint64_t HashBytes(const char* p, size_t n) {
    // FNV-1a over 8-byte words, finished with Mix: fast for the short strings keys usually are.
    uint64_t h = 0xcbf29ce484222325ULL ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        std::memcpy(&w, p + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h = (h << 29) | (h >> 35);
    }
    uint64_t tail = 0;
    std::memcpy(&tail, p + i, n - i);
    h = (h ^ tail) * 0x100000001b3ULL;
    return Mix(h);
}

template <typename T>
uint64_t Bits(T v) {
    uint64_t b = 0;
    std::memcpy(&b, &v, sizeof(T));
    return b;
}

double NormalizeDouble(double d) {
    if (d == 0) return 0.0;  // -0.0 == 0.0
    if (std::isnan(d)) return std::numeric_limits<double>::quiet_NaN();
    return d;
}

template <typename T>
void HashFixed(const Column& col, const uint32_t* rows, size_t n, uint64_t* out, bool first) {
    const T* data = col.Data<T>();
    const uint8_t* nulls = col.nulls();
    for (size_t i = 0; i < n; ++i) {
        uint32_t r = rows[i];
        uint64_t h;
        if (nulls[r]) {
            h = kNullHash;
        } else if constexpr (std::is_floating_point_v<T>) {
            h = Mix(Bits(NormalizeDouble(static_cast<double>(data[r]))));
        } else if constexpr (sizeof(T) == 16) {
            uint64_t parts[2];
            std::memcpy(parts, &data[r], 16);
            h = Mix(parts[0] ^ Mix(parts[1]));
        } else {
            h = Mix(Bits(data[r]));
        }
        out[i] = first ? h : Mix(out[i] * 31 + h);
    }
}

void HashColumn(const Column& col, const uint32_t* rows, size_t n, uint64_t* out, bool first) {
    const LogicalType& t = col.type();
    if (IsStringKey(t)) {
        const StringView* data = col.Strings();
        const uint8_t* nulls = col.nulls();
        for (size_t i = 0; i < n; ++i) {
            uint32_t r = rows[i];
            uint64_t h;
            if (nulls[r]) {
                h = kNullHash;
            } else if (data[r].IsInline()) {
                // Short strings live in the view, zero-padded: hash its two words.
                uint64_t w[2];
                std::memcpy(w, &data[r], 16);
                h = Mix(w[0] ^ Mix(w[1]));
            } else {
                h = HashBytes(data[r].data(), data[r].size());
            }
            out[i] = first ? h : Mix(out[i] * 31 + h);
        }
        return;
    }
    switch (t.id) {
        case TypeId::FLOAT:
            return HashFixed<float>(col, rows, n, out, first);
        case TypeId::DOUBLE:
            return HashFixed<double>(col, rows, n, out, first);
        default:
            break;
    }
    switch (t.PhysicalSize()) {
        case 1:
            return HashFixed<uint8_t>(col, rows, n, out, first);
        case 2:
            return HashFixed<uint16_t>(col, rows, n, out, first);
        case 4:
            return HashFixed<uint32_t>(col, rows, n, out, first);
        case 8:
            return HashFixed<uint64_t>(col, rows, n, out, first);
        default:
            return HashFixed<__int128>(col, rows, n, out, first);
    }
}

bool ValueEqual(const Column& a, uint32_t ra, const Column& b, uint32_t rb) {
    bool an = a.IsNull(ra), bn = b.IsNull(rb);
    if (an || bn) return an == bn;
    const LogicalType& t = a.type();
    if (IsStringKey(t)) return a.Strings()[ra] == b.Strings()[rb];
    if (t.id == TypeId::DOUBLE) {
        double x = a.Data<double>()[ra], y = b.Data<double>()[rb];
        return x == y || (std::isnan(x) && std::isnan(y));
    }
    if (t.id == TypeId::FLOAT) {
        float x = a.Data<float>()[ra], y = b.Data<float>()[rb];
        return x == y || (std::isnan(x) && std::isnan(y));
    }
    size_t w = t.PhysicalSize();
    return std::memcmp(a.Data<uint8_t>() + ra * w, b.Data<uint8_t>() + rb * w, w) == 0;
}

/// One key of an 8-byte integer type (BIGINT, DATETIME, DECIMAL in 64 bits): compared as a word.
bool IsWordKey(const std::vector<const Column*>& keys) {
    if (keys.size() != 1) return false;
    const LogicalType& t = keys[0]->type();
    return t.PhysicalSize() == 8 && !t.IsFloating() && !IsStringKey(t);
}

inline bool WordKeyEqual(const Column& a, uint32_t ra, const Column& b, uint32_t rb) {
    bool an = a.nulls()[ra], bn = b.nulls()[rb];
    if (an || bn) return an == bn;
    return a.Data<uint64_t>()[ra] == b.Data<uint64_t>()[rb];
}

}  // namespace

KeyHashTable::KeyHashTable(std::vector<LogicalType> key_types) : types_(std::move(key_types)) {
    for (const auto& t : types_) stored_.push_back(std::make_unique<Column>(t, 0));
    slots_.assign(1024, Slot{0, kNotFound});
    mask_ = slots_.size() - 1;
}

void KeyHashTable::HashRows(const std::vector<const Column*>& keys, const uint32_t* rows, size_t n,
                            std::vector<uint64_t>& hashes) {
    hashes.resize(n);
    for (size_t k = 0; k < keys.size(); ++k) HashColumn(*keys[k], rows, n, hashes.data(), k == 0);
    if (keys.empty()) std::fill(hashes.begin(), hashes.end(), 0);
}

bool KeyHashTable::EqualRows(const std::vector<const Column*>& keys, uint32_t a, uint32_t b) {
    for (const Column* k : keys) {
        if (!ValueEqual(*k, a, *k, b)) return false;
    }
    return true;
}

bool KeyHashTable::Equal(const std::vector<const Column*>& keys, uint32_t row, uint32_t id) const {
    for (size_t k = 0; k < keys.size(); ++k) {
        if (!ValueEqual(*keys[k], row, *stored_[k], id)) return false;
    }
    return true;
}

void KeyHashTable::Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.size() * 2, Slot{0, kNotFound});
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
        if (s.id == kNotFound) continue;
        size_t i = s.hash & mask_;
        while (slots_[i].id != kNotFound) i = (i + 1) & mask_;
        slots_[i] = s;
    }
}

void KeyHashTable::FindOrInsert(const std::vector<const Column*>& keys, const uint32_t* rows, size_t n, uint32_t* ids) {
    HashRows(keys, rows, n, hashes_);
    // Keys new in this batch are appended to the stored columns once, after the loop (not a row
    // at a time); until then a slot holding one compares against its row of the input.
    const size_t base = count_;
    pending_.clear();
    // Large tables miss the caches on nearly every probe: fetch the home slot of the key
    // kAhead rows on while this one is resolved, so the misses overlap.
    constexpr size_t kAhead = 16;
    const bool word_key = IsWordKey(keys);
    for (size_t i = 0; i < n; ++i) {
        if ((count_ + 1) * 2 > slots_.size()) Grow();  // load factor at most 1/2
        if (i + kAhead < n) __builtin_prefetch(&slots_[hashes_[i + kAhead] & mask_]);
        uint64_t h = hashes_[i];
        size_t s = h & mask_;
        while (true) {
            Slot& slot = slots_[s];
            if (slot.id == kNotFound) {
                auto id = static_cast<uint32_t>(count_++);
                slot = Slot{h, id};
                pending_.push_back(rows[i]);
                ids[i] = id;
                break;
            }
            if (slot.hash == h) {
                bool equal;
                if (slot.id >= base) {
                    uint32_t other = pending_[slot.id - base];
                    equal =
                        word_key ? WordKeyEqual(*keys[0], rows[i], *keys[0], other) : EqualRows(keys, rows[i], other);
                } else {
                    equal = word_key ? WordKeyEqual(*keys[0], rows[i], *stored_[0], slot.id)
                                     : Equal(keys, rows[i], slot.id);
                }
                if (equal) {
                    ids[i] = slot.id;
                    break;
                }
            }
            s = (s + 1) & mask_;
        }
    }
    for (size_t k = 0; k < keys.size(); ++k) stored_[k]->AppendRows(*keys[k], pending_.data(), pending_.size());
}

void KeyHashTable::BuildProbeFilter() {
    size_t bits = 64;
    while (bits < count_ * 8) bits *= 2;
    filter_.assign(bits / 64, 0);
    filter_mask_ = bits - 1;
    for (const Slot& s : slots_) {
        if (s.id == kNotFound) continue;
        uint64_t b = FilterBit(s.hash);
        filter_[b >> 6] |= uint64_t{1} << (b & 63);
    }
}

void KeyHashTable::MayContain(const Column& key, const uint32_t* rows, size_t n, uint8_t* keep) const {
    if (filter_.empty()) {
        std::fill(keep, keep + n, 1);
        return;
    }
    thread_local std::vector<uint64_t> hashes;
    HashRows({&key}, rows, n, hashes);
    for (size_t i = 0; i < n; ++i) keep[i] = static_cast<uint8_t>(FilterHas(hashes[i]));
}

void KeyHashTable::Find(const std::vector<const Column*>& keys, const uint32_t* rows, size_t n, uint32_t* ids) const {
    // Scratch per thread: probes of one table run on several threads at once.
    thread_local std::vector<uint64_t> hashes;
    thread_local std::vector<uint32_t> candidates;
    HashRows(keys, rows, n, hashes);
    // First the filter (a bitmap in the caches) picks the rows whose key may be there; then the
    // slots of those are probed, each prefetched kAhead candidates ahead.
    std::fill(ids, ids + n, kNotFound);
    candidates.clear();
    if (!filter_.empty()) {
        // Branch-free: a probe of a random key is as likely to pass as not.
        candidates.resize(n);
        size_t m = 0;
        for (size_t i = 0; i < n; ++i) {
            candidates[m] = static_cast<uint32_t>(i);
            m += FilterHas(hashes[i]);
        }
        candidates.resize(m);
    } else {
        candidates.resize(n);
        for (size_t i = 0; i < n; ++i) candidates[i] = static_cast<uint32_t>(i);
    }
    constexpr size_t kAhead = 16;
    const bool word_key = IsWordKey(keys);
    const size_t m = candidates.size();
    for (size_t c = 0; c < m; ++c) {
        if (c + kAhead < m) __builtin_prefetch(&slots_[hashes[candidates[c + kAhead]] & mask_]);
        uint32_t i = candidates[c];
        uint64_t h = hashes[i];
        size_t s = h & mask_;
        uint32_t r = rows[i];
        while (slots_[s].id != kNotFound) {
            if (slots_[s].hash == h &&
                (word_key ? WordKeyEqual(*keys[0], r, *stored_[0], slots_[s].id) : Equal(keys, r, slots_[s].id))) {
                ids[i] = slots_[s].id;
                break;
            }
            s = (s + 1) & mask_;
        }
    }
}

}  // namespace floe
