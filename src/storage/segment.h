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
#include <mutex>
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

/// An open segment. The footer is read and verified when the segment is opened; a column block is
/// read, verified and decoded the first time a scan asks for it, then kept for later scans
/// (segments never change once written). Thread-safe.
class SegmentReader {
  public:
    /// Throws IOError naming the file and the problem.
    SegmentReader(const std::string& path, const std::vector<LogicalType>& expected_types);
    ~SegmentReader();
    SegmentReader(const SegmentReader&) = delete;
    SegmentReader& operator=(const SegmentReader&) = delete;
    size_t row_count() const { return rows_; }
    /// The decoded column `c` (loaded on first use). Throws IOError on a damaged block.
    std::shared_ptr<const Column> column(size_t c) const;
    /// Fills `out` with rows [start, start + count) of the columns `column_ids`, in that order.
    /// String values are not copied: `out`'s columns reference the segment's string heap.
    void Read(size_t start, size_t count, const std::vector<size_t>& column_ids, Chunk& out) const;
    /// Bytes held by the columns loaded so far.
    size_t loaded_bytes() const;

  private:
    struct Block {
        LogicalType type;
        uint64_t offset = 0;
        uint64_t length = 0;
        uint32_t crc = 0;
    };
    std::shared_ptr<const Column> Load(size_t c) const;

    std::string path_;
    size_t rows_ = 0;
    std::vector<Block> blocks_;
    mutable std::mutex mutex_;
    mutable std::vector<std::shared_ptr<const Column>> loaded_;
    mutable size_t loaded_bytes_ = 0;
};

/// Opens a segment through the process-wide segment cache: scans of the same segment share its
/// decoded columns. The cache holds at most `SetSegmentCacheCapacity` bytes of loaded columns and
/// drops the least recently opened segments beyond that (running scans keep theirs alive).
std::shared_ptr<const SegmentReader> OpenSegment(const std::string& path, const std::vector<LogicalType>& types);
void SetSegmentCacheCapacity(size_t bytes);
/// Bytes of loaded columns the cache holds now.
size_t SegmentCacheBytes();

/// Removes a file (and its cache entry); missing files are fine.
void RemoveSegmentFile(const std::string& path);

}  // namespace floe
