#pragma once
/// A runtime filter: what a hash join's build side learned about its keys (the range of an
/// integer key, and the join's bitmap of key hashes), handed to the table scan on its probe side
/// before that scan starts. The scan skips rowsets and pages whose zone maps miss the range and
/// drops rows whose key cannot be among the build keys, so the operators between the scan and
/// the join never see them. Only joins that drop unmatched probe rows (inner, semi, right) get
/// one; the join still checks every row.

#include <atomic>
#include <cstdint>

#include "execution/key_hash_table.h"

namespace floe {

struct RuntimeFilter {
    size_t scan_column = 0;  // the scan's output column holding the probe key
    /// Set by the join's build (before the probe side runs).
    bool ready = false;
    bool has_range = false;  // integer keys: every build key is in [min, max]
    int64_t min = 0, max = 0;
    const KeyHashTable* table = nullptr;  // the join's keys: KeyHashTable::MayContain
    /// What the scan did with it (EXPLAIN ANALYZE).
    std::atomic<size_t> rows_filtered{0};
};

}  // namespace floe
