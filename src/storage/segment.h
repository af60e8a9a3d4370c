#pragma once
/// Segment files: the immutable columnar files a rowset consists of.
///
/// Layout (version 2): "FLOESEG2" | version (u32) | pages | footer | footer length (u32) | footer
/// CRC-32 (u32) | "FLOESEG2". Each column is stored as pages of kPageRows rows, each page encoded
/// and compressed on its own (storage/encoding.h) and checksummed (CRC-32 of the stored bytes).
/// The footer records the row count, the rows per page and, per column, its type, its zone map
/// (min, max, NULL count) and per page: offset, stored and raw length, CRC, encoding, codec, row
/// count, zone map and bloom filter (u32 length, then the bits; 0 when none). A reader verifies the footer before
/// trusting a byte, and each page before decoding it.
///
/// Version 1 ("FLOESEG1": one plain block per column, no zone maps) is still read: data written
/// by earlier releases stays readable, and compaction rewrites it as version 2.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/encoding.h"
#include "types/hll.h"
#include "vector/chunk.h"

namespace floe {

/// Writes one segment from chunks. The file appears under its final name only when complete and
/// fsync'ed (written to a temporary name, then renamed), so a crash never leaves half a segment
/// under a name the meta store could reference.
/// Rows stream through: each column buffers one page, which is encoded, compressed and written to
/// the temporary file as soon as it fills, so memory stays at a page per column however large
/// the segment grows.
class SegmentWriter {
  public:
    SegmentWriter(std::string path, std::vector<LogicalType> types, PageCodec codec = PageCodec::LZ4);
    /// Columns that get a bloom filter per page (call before Append).
    void SetBloomColumns(std::vector<bool> columns) { bloom_columns_ = std::move(columns); }
    /// The columns the rows are sorted by (call before Append): the footer gets a short-key
    /// index, the sort key of each page's first row (short_key.h). Ignored when a column's type
    /// has no sortable encoding.
    void SetSortColumns(std::vector<size_t> columns);
    ~SegmentWriter();
    SegmentWriter(const SegmentWriter&) = delete;
    SegmentWriter& operator=(const SegmentWriter&) = delete;
    /// Writes format version 1 instead (tests of the upgrade path only); call before Append.
    void WriteVersion1ForTesting() { version_ = 1; }
    /// Appends the live rows of `chunk` (columns must match `types`). Throws IOError.
    void Append(const Chunk& chunk);
    /// Appends rows `rows[0..n)` of `columns` (one per table column, in order): a gather straight
    /// into the page buffers, for writers that reorder rows (sorted segments).
    void AppendRows(const std::vector<const Column*>& columns, const uint32_t* rows, size_t n);
    /// Completes the file (footer, fsync, rename); returns its size in bytes. Throws IOError.
    uint64_t Finish();
    /// Estimated distinct non-NULL values per column of the rows appended (HyperLogLog): the
    /// statistics the optimizer's join ordering reads.
    std::vector<int64_t> DistinctCounts() const;
    size_t row_count() const { return rows_; }

  private:
    std::string EncodeVersion1();
    void FlushPages();
    void Write(const std::string& bytes);

    std::string path_;
    std::string tmp_;
    std::vector<LogicalType> types_;
    PageCodec codec_;
    uint32_t version_ = 2;
    std::vector<std::unique_ptr<Column>> columns_;  // version 2: the page being filled
    std::vector<std::string> page_meta_;            // version 2: per column, its pages' footer entries
    std::vector<ZoneMap> zones_;
    std::vector<uint32_t> page_counts_;
    std::vector<bool> bloom_columns_;
    std::vector<size_t> sort_columns_;
    std::vector<std::string> page_keys_;  // the short-key index: each page's first sort key
    std::vector<Hll> distinct_;           // per column
    int fd_ = -1;
    uint64_t offset_ = 0;
    size_t rows_ = 0;
    bool finished_ = false;
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
    /// Nothing is copied: `out`'s columns borrow the decoded columns' rows (Column::Borrow).
    void Read(size_t start, size_t count, const std::vector<size_t>& column_ids, Chunk& out) const;
    /// Bytes held by the columns loaded so far.
    size_t loaded_bytes() const;

    uint32_t format_version() const { return version_; }
    /// Rows per page (the last page may hold fewer); version 1 files have one page.
    size_t page_rows() const { return page_rows_; }
    size_t page_count() const { return page_rows_ ? (rows_ + page_rows_ - 1) / page_rows_ : 0; }
    /// Zone maps of a page and of a whole column; nullptr when the file has none (version 1).
    const ZoneMap* page_zone(size_t c, size_t page) const {
        return version_ >= 2 ? &blocks_[c].pages[page].zone : nullptr;
    }
    const ZoneMap* column_zone(size_t c) const { return version_ >= 2 ? &blocks_[c].zone : nullptr; }
    /// A page's bloom filter (empty: none).
    std::string_view page_bloom(size_t c, size_t page) const {
        return version_ >= 2 ? std::string_view(blocks_[c].pages[page].bloom) : std::string_view();
    }
    /// The short-key index: the columns the segment is sorted by and the first key of each page
    /// (both empty when the segment has none).
    const std::vector<size_t>& sort_columns() const { return sort_columns_; }
    const std::vector<std::string>& page_keys() const { return page_keys_; }

  private:
    struct Page {
        uint64_t offset = 0;
        uint32_t stored_len = 0, raw_len = 0, crc = 0, rows = 0;
        PageEncoding encoding = PageEncoding::PLAIN;
        PageCodec codec = PageCodec::NONE;
        ZoneMap zone;
        std::string bloom;
    };
    struct Block {
        LogicalType type;
        uint64_t offset = 0;  // version 1: the column block
        uint64_t length = 0;
        uint32_t crc = 0;
        std::vector<Page> pages;  // version 2
        ZoneMap zone;
    };
    void ReadFooterVersion1(const std::string& footer, uint64_t data_end, const std::vector<LogicalType>& types);
    void ReadFooterVersion2(const std::string& footer, uint64_t data_end, const std::vector<LogicalType>& types);
    /// column(c) with mutex_ held.
    std::shared_ptr<const Column> ColumnLocked(size_t c) const;
    std::shared_ptr<const Column> Load(size_t c) const;
    std::shared_ptr<const Column> LoadVersion1(size_t c) const;
    /// Also keeps the dictionaries of the column's DICT pages in dictionaries_[c].
    std::shared_ptr<const Column> LoadVersion2(size_t c) const;

    std::string path_;
    uint32_t version_ = 0;
    size_t rows_ = 0;
    size_t page_rows_ = 0;
    std::vector<Block> blocks_;
    std::vector<size_t> sort_columns_;
    std::vector<std::string> page_keys_;
    mutable std::mutex mutex_;
    mutable std::vector<std::shared_ptr<const Column>> loaded_;
    /// Per loaded string column, per page: the page's dictionary (null for other pages). Scan
    /// chunks within one DICT page carry it as their column's dictionary (vector/column.h).
    mutable std::vector<std::vector<std::shared_ptr<const PageDictionary>>> dictionaries_;
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
