#pragma once
/// The profiles of recent statements (StarRocks' SHOW PROFILELIST / ANALYZE PROFILE): each plan's
/// operator tree with rows and times (execution/query_profile.h), kept in a bounded ring of the
/// most recent ones, and slow ones (at least kSlowMs) in a second ring, so a slow query's profile
/// outlives a burst of fast ones.

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace floe {

struct QueryProfile {
    std::string query_id;
    std::string user;
    std::string database;
    std::string statement;
    std::string state = "Finished";  // Finished | Error
    int64_t start_ms = 0;            // unix milliseconds
    int64_t duration_ms = 0;
    int64_t peak_memory_bytes = 0;   // the statement's peak tracked memory
    std::vector<std::string> lines;  // the operator tree
    uint64_t seq = 0;                // the order profiles were added in (set by Add)
};

class QueryProfiles {
  public:
    static constexpr size_t kRecent = 200;
    static constexpr size_t kSlow = 100;
    static constexpr int64_t kSlowMs = 1000;

    void Add(QueryProfile profile);
    /// Newest first; each query once.
    std::vector<QueryProfile> List();
    std::optional<QueryProfile> Find(const std::string& query_id);

  private:
    std::mutex mutex_;
    std::deque<QueryProfile> recent_, slow_;
    uint64_t next_seq_ = 0;
};

}  // namespace floe
