#pragma once
/// Query profiles: what a finished run of a physical plan did, operator by operator (rows out and
/// in, time in its own calls summed over threads, its share of the query's operator time) and what
/// each scan read and skipped. EXPLAIN ANALYZE and the server's profile store print them.

#include <mutex>
#include <string>
#include <vector>

#include "execution/physical_operator.h"

namespace floe {

/// What a scan read and skipped ("SCANNED ..."), or "" for an operator that is not a scan.
std::string ScanSummary(PhysicalOperator& op);

/// The plan tree after a run, one line per operator (indented by depth), each scan followed by
/// its ScanSummary line.
std::vector<std::string> ProfileLines(PhysicalOperator& root);

/// Collects the profiles of the plans a statement runs: the executor adds each plan's tree when
/// its run ends (or fails) to the collector current on the calling thread, so every statement
/// that runs plans (SELECT, INSERT, CTAS, UPDATE, DELETE, refreshes) gets a profile without
/// saying so. Thread-safe.
class ProfileCollector {
  public:
    void Add(PhysicalOperator& root);
    bool empty();
    /// The trees in the order their runs ended (several plans: one after the other), and the
    /// highest peak memory of the statement seen at their ends.
    std::vector<std::string> TakeLines();
    int64_t peak_memory_bytes();

  private:
    std::mutex mutex_;
    std::vector<std::string> lines_;
    int64_t peak_memory_bytes_ = 0;
};

/// The collector of the statement running on this thread (null: none).
ProfileCollector* CurrentProfileCollector();

/// Makes `collector` the thread's current one for its lifetime (restoring the previous after).
class ScopedProfileCollector {
  public:
    explicit ScopedProfileCollector(ProfileCollector* collector);
    ~ScopedProfileCollector();
    ScopedProfileCollector(const ScopedProfileCollector&) = delete;
    ScopedProfileCollector& operator=(const ScopedProfileCollector&) = delete;

  private:
    ProfileCollector* previous_;
};

}  // namespace floe
