#pragma once
/// Routes the rows of a load to the partitions of a partitioned table, creating the partitions
/// that date_trunc and column partitioning make on load. Rows no partition holds (outside every
/// RANGE, not in any LIST, NULL where a value is needed) are an error naming the value.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "binder/partitioning.h"
#include "vector/chunk.h"

namespace floe {

class PartitionRouter {
  public:
    PartitionRouter(const TableSchema& schema, const TableVersion& version);
    /// Appends, for each live row of `chunk`, the index of its partition in partitions().
    void Route(const Chunk& chunk, std::vector<uint32_t>& out);
    /// Existing partitions, then the ones created while routing.
    const std::vector<PartitionInfo>& partitions() const { return partitions_; }
    /// The partitions created while routing.
    std::vector<PartitionInfo> created() const;

  private:
    uint32_t Add(PartitionInfo p);
    uint32_t RouteRange(int64_t key, const Chunk& chunk, uint32_t row);
    uint32_t RouteList(const Chunk& chunk, uint32_t row);

    const TableSchema& schema_;
    size_t existing_ = 0;
    std::vector<PartitionInfo> partitions_;
    struct Range {
        int64_t lo, hi;
        uint32_t index;
    };
    std::vector<Range> ranges_;  // sorted by lo
    std::unordered_map<std::string, uint32_t> by_values_;
    std::unordered_map<std::string, uint32_t> by_name_;
    Range last_{0, 0, UINT32_MAX};  // the range partition of the previous row (rows arrive clustered)
};

/// The rows of a load that go to one tablet: a partition (its index in PartitionRouter's
/// partitions(); 0 for unpartitioned tables) and a hash bucket.
struct TabletRows {
    uint32_t partition = 0;
    uint32_t bucket = 0;
    std::vector<Chunk> chunks;  // sharing the input's columns, with selections
    /// With track_sources: for each row in order, (input chunk, live-row index in that chunk).
    std::vector<std::pair<uint32_t, uint32_t>> sources;
};

/// Splits the live rows of `rows` (moved from) into one group per tablet they touch, in the order
/// tablets are first touched. `router` is null for unpartitioned tables.
std::vector<TabletRows> SplitByTablet(const TableSchema& schema, PartitionRouter* router, std::vector<Chunk>& rows,
                                      bool track_sources = false);

/// Throws ConversionError if a group's partition is not among `allowed` (empty: any).
void CheckPartitionsAllowed(const PartitionRouter& router, const std::vector<TabletRows>& groups,
                            const std::vector<std::string>& allowed);

}  // namespace floe
