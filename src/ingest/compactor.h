#pragma once
/// Compaction: merges a table's rowsets so that many small loads do not slow reads down. The
/// inputs are read at their version through the query engine (`SELECT * FROM t` pinned to just
/// those rowsets), so each model's semantics apply on the way: deleted rows drop out, Aggregate
/// and Unique Key rows with equal keys are pre-merged. The output is one new rowset committed in
/// place of the inputs in one meta-store transaction; readers of older versions keep their files
/// until they finish.
///
/// Policy: the newest rowsets form a run of small ones (under `small_rows` rows each); when the run
/// reaches `min_rowsets`, it is merged. Merging only the newest run keeps rowsets in commit order,
/// which REPLACE semantics rely on. `ALTER TABLE t COMPACT` merges every rowset at once.
/// Tables whose merged rows do not depend on rowset order (Duplicate Key; Aggregate Key without
/// REPLACE columns) merge without the table's lock, which they take only to commit, and only if
/// no load changed the inputs' delete vectors meanwhile: sub-second loads never wait for a merge.
/// A background thread runs the policy after loads commit.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <thread>

#include "ingest/load_manager.h"

namespace floe {

struct CompactionPolicy {
    size_t min_rowsets = 8;
    /// Bulk loads write segments of a block or batch each (hundreds of thousands of rows and up):
    /// those are not small. Small are the rowsets of frequent little loads.
    int64_t small_rows = 250'000;
    /// How often partitions beyond a table's partition_live_number are dropped (also after any
    /// load that creates partitions), and once at start-up.
    std::chrono::seconds ttl_interval{60};
    /// How long load labels (and rejected-row logs) are kept: a retried load within this time is
    /// refused as a duplicate (StarRocks keeps labels three days).
    std::chrono::seconds label_retention{3 * 24 * 3600};
};

class Compactor {
  public:
    Compactor(Catalog& catalog, LoadManager& loads, std::string data_dir, CompactionPolicy policy = {});
    ~Compactor();
    Compactor(const Compactor&) = delete;
    Compactor& operator=(const Compactor&) = delete;

    /// Starts the background thread.
    void Start();
    /// A load committed to the table: check it against the policy soon.
    void Notify(int64_t table_id);
    /// Compacts now: every rowset (`full`) or the policy's run. Returns the rowsets merged (0:
    /// nothing to do). Takes the table's write lock.
    size_t Compact(const TableInfo& table, bool full);

  private:
    void Run();
    void SweepPartitionTtl();
    size_t CompactTablet(const TableInfo& table, const TableSchema& schema, const std::string& definition,
                         int64_t partition_id, uint32_t bucket, bool full, bool unlocked);

    Catalog& catalog_;
    LoadManager& loads_;
    std::string data_dir_;
    CompactionPolicy policy_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::set<int64_t> pending_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace floe
