#pragma once
/// Open-addressing hash table from composite keys (one row of several key columns) to dense ids
/// 0..n-1 in first-seen order; the keys themselves are kept in columns, one row per id. Hash
/// aggregation uses the ids as group numbers, hash joins as build-key numbers.
///
/// Hashes are computed a column at a time over a whole chunk; probing compares the stored hash
/// first and the typed key values only on a hash match. NULL is a key value like any other here
/// (equal to NULL): callers that want SQL's "NULL never matches" drop those rows before probing.
/// -0.0 and 0.0 are the same key; so are all NaNs.

#include <cstdint>
#include <memory>
#include <vector>

#include "vector/column.h"

namespace floe {

class KeyHashTable {
  public:
    static constexpr uint32_t kNotFound = UINT32_MAX;

    explicit KeyHashTable(std::vector<LogicalType> key_types);

    /// ids[i] = the id of the key at row rows[i] of `keys`, inserting keys not seen before.
    void FindOrInsert(const std::vector<const Column*>& keys, const uint32_t* rows, size_t n, uint32_t* ids);
    /// ids[i] = the id of the key at row rows[i], or kNotFound. Several threads may Find at once.
    void Find(const std::vector<const Column*>& keys, const uint32_t* rows, size_t n, uint32_t* ids) const;

    size_t size() const { return count_; }
    /// Builds a filter of the keys' hashes (one bit each, 8 bits per key) that Find consults
    /// before the slots: probes of keys that are not there, the common case of a selective join,
    /// are answered by a branch-free bit test in a bitmap 1/16 the slots' size instead of a probe
    /// loop (mispredicted branches, cache misses). Call once the keys are in; later inserts are
    /// not in the filter.
    void BuildProbeFilter();
    /// For a one-column key: keep[i] = 0 when row rows[i] of `key` is certainly not among the
    /// keys (by the probe filter's bitmap), else 1. Needs BuildProbeFilter; thread-safe.
    void MayContain(const Column& key, const uint32_t* rows, size_t n, uint8_t* keep) const;
    /// The stored keys, one row per id.
    std::vector<std::unique_ptr<Column>>& key_columns() { return stored_; }

  private:
    struct Slot {
        uint64_t hash;
        uint32_t id;  // kNotFound = empty
    };
    static void HashRows(const std::vector<const Column*>& keys, const uint32_t* rows, size_t n,
                         std::vector<uint64_t>& hashes);
    bool Equal(const std::vector<const Column*>& keys, uint32_t row, uint32_t id) const;
    /// Whether rows a and b of the same key columns are the same key.
    static bool EqualRows(const std::vector<const Column*>& keys, uint32_t a, uint32_t b);
    void Grow();
    /// The probe filter's bit of a key hash, and whether it is set (1 or 0).
    uint64_t FilterBit(uint64_t hash) const { return (hash >> 20) & filter_mask_; }
    uint64_t FilterHas(uint64_t hash) const {
        uint64_t b = FilterBit(hash);
        return (filter_[b >> 6] >> (b & 63)) & 1;
    }

    std::vector<LogicalType> types_;
    std::vector<Slot> slots_;
    size_t mask_ = 0;
    size_t count_ = 0;
    std::vector<std::unique_ptr<Column>> stored_;
    std::vector<uint64_t> hashes_;   // FindOrInsert's scratch: per row
    std::vector<uint32_t> pending_;  // FindOrInsert's scratch: the rows of the keys new in a batch
    std::vector<uint64_t> filter_;   // BuildProbeFilter's bits (empty: none)
    uint64_t filter_mask_ = 0;       // bit index mask
};

}  // namespace floe
