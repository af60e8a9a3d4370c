#pragma once
/// Segment files: the immutable columnar files a rowset consists of.
///
/// Layout (version 1): "FLOESEG1" | column blocks | footer | footer length (u32) | footer CRC-32
/// (u32) | "FLOESEG1". A column block is the byte-per-row null map followed by the values:
/// fixed-width values raw, strings as u32 lengths then the bytes. The footer records the row count
/// and, per column, its type, block offset, block length, null count and block CRC-32, so a reader
/// detects truncation and corruption before it trusts a byte. Encodings and compression come next
/// (the version field lets readers tell formats apart).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vector/chunk.h"

namespace floe {

/// Writes one segment from chunks. The file appears under its final name only when complete and
/// fsync'ed (written to a temporary name, then renamed), so a crash never leaves half a segment
/// under a name the meta store could reference.
class SegmentWriter {
  public:
    SegmentWriter(std::string path, std::vector<LogicalType> types);
    /// Appends the live rows of `chunk` (columns must match `types`).
    void Append(const Chunk& chunk);
    /// Writes the file; returns its size in bytes. Throws IOError.
    uint64_t Finish();
    size_t row_count() const { return rows_; }

  private:
    std::string path_;
    std::vector<LogicalType> types_;
    std::vector<std::unique_ptr<Column>> columns_;
    size_t rows_ = 0;
};

/// Reads a whole segment (verifying magic, footer and block checksums) and serves it in chunks.
class SegmentReader {
  public:
    /// Throws IOError naming the file and the problem.
    SegmentReader(const std::string& path, const std::vector<LogicalType>& expected_types);
    size_t row_count() const { return rows_; }
    /// Fills `out` with up to kChunkCapacity rows starting at row `start`.
    void Read(size_t start, size_t count, Chunk& out) const;

  private:
    std::string path_;
    size_t rows_ = 0;
    std::vector<std::unique_ptr<Column>> columns_;
};

/// Removes a file; missing files are fine.
void RemoveSegmentFile(const std::string& path);

}  // namespace floe
