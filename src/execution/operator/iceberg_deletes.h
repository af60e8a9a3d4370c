#pragma once
/// The rows an Iceberg scan must not return: for each data file of the plan, the positions its
/// position-delete files (and deletion vectors) name, and the equality-delete key sets that apply
/// to it. Each delete file is read once per scan, however many data files it covers, on the
/// first morsel that needs it; several worker threads may ask at once.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "lake/iceberg/scan_plan.h"
#include "vector/chunk.h"

namespace floe {

/// An equality delete file's keys: rows whose values in `columns` (table columns) equal a key
/// are deleted; NULL equals NULL.
struct EqualityDeleteSet {
    std::vector<int> columns;
    std::unordered_set<std::string> keys;
};

/// The deletes of one data file.
struct FileDeletes {
    std::vector<int64_t> positions;  // sorted, unique
    std::vector<std::shared_ptr<const EqualityDeleteSet>> equality;
    bool empty() const { return positions.empty() && equality.empty(); }
};

/// Appends the equality-key bytes of `row` of `columns` to `key` (NULL is a value of its own).
void AppendEqualityKey(const std::vector<const Column*>& columns, uint32_t row, std::string& key);

class IcebergDeleteReader {
  public:
    explicit IcebergDeleteReader(std::shared_ptr<const iceberg::IcebergScanPlan> plan);
    /// The deletes of data file `task` (index into the plan's files); null when none apply.
    std::shared_ptr<const FileDeletes> ForFile(size_t task);

    /// Marks keep[r] = 0 for the rows of `chunk` (its physical rows 0..n, which are the file's
    /// rows first_row..first_row+n) that `deletes` removes. `columns` maps table columns to chunk
    /// columns (-1 absent).
    static void Apply(const FileDeletes& deletes, const Chunk& chunk, size_t n, int64_t first_row,
                      const std::vector<int>& columns, uint8_t* keep);

  private:
    /// Position deletes of a file: data file path (resolved) -> positions.
    using PositionMap = std::unordered_map<std::string, std::vector<int64_t>>;
    std::shared_ptr<const PositionMap> PositionsOf(size_t delete_file);
    std::shared_ptr<const EqualityDeleteSet> EqualityOf(size_t delete_file);

    std::shared_ptr<const iceberg::IcebergScanPlan> plan_;
    std::mutex mutex_;
    std::unordered_map<size_t, std::shared_ptr<const PositionMap>> positions_;
    std::unordered_map<size_t, std::shared_ptr<const EqualityDeleteSet>> equality_;
    std::unordered_map<size_t, std::shared_ptr<const FileDeletes>> files_;
};

}  // namespace floe
