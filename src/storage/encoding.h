#pragma once
/// Page encodings, compression and zone maps of segment files (format version 2).
///
/// A page holds up to `kPageRows` rows of one column. Its raw form is a null-map flag (and the
/// byte-per-row null map when the page has NULLs) followed by the values in one encoding:
/// - PLAIN: fixed-width values as stored in memory; strings as u32 lengths then the bytes.
/// - FOR_BITPACK (integers, DATE, DATETIME, BOOLEAN, 32/64-bit DECIMAL): frame of reference — the
///   page minimum, a bit width, and every value minus the minimum bit-packed (constant pages take
///   no value bytes).
/// - DICT (strings): the page's distinct strings, then each row's dictionary code bit-packed.
/// The raw page is then compressed with LZ4 or ZSTD unless that does not save at least 1/8.
/// Each page records a zone map: min and max of its non-NULL values and its NULL count.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vector/column.h"

namespace floe {

constexpr size_t kPageRows = 8192;

enum class PageEncoding : uint8_t { PLAIN = 0, FOR_BITPACK = 1, DICT = 2 };
enum class PageCodec : uint8_t { NONE = 0, LZ4 = 1, ZSTD = 2 };

/// "lz4" (default), "zstd" or "none" (also StarRocks' "zstd(level)" spelling); nullopt if unknown.
std::optional<PageCodec> ParseCodec(std::string_view name);

/// Min and max of a page's (or segment's) non-NULL values. Strings keep a prefix of at most
/// kZonePrefix bytes: the min prefix is still a lower bound; a max longer than that is dropped.
struct ZoneMap {
    enum Kind : uint8_t { NONE = 0, INT = 1, DOUBLE = 2, STRING = 3 };
    static constexpr size_t kZonePrefix = 32;
    Kind kind = NONE;  // NONE: no non-NULL value (or a type without zone maps)
    int64_t imin = 0, imax = 0;
    double dmin = 0, dmax = 0;
    std::string smin, smax;
    bool has_smax = false;
    uint32_t null_count = 0;
    uint32_t rows = 0;

    void Merge(const ZoneMap& other);
    void Serialize(std::string& out) const;
    /// Reads a zone map at `pos`; throws IOError mentioning `what` when the bytes run out.
    static ZoneMap Deserialize(std::string_view in, size_t& pos, const std::string& what);
};

enum class ZoneOp : uint8_t { EQ, LT, LE, GT, GE };
/// "equal", "less", "less_equal", "greater", "greater_equal".
std::optional<ZoneOp> ParseZoneOp(std::string_view name);
/// False only when no value v described by `zone` can satisfy `v op constant` (a comparison with
/// NULL is never true, so an all-NULL zone matches nothing).
bool ZoneMayMatch(const ZoneMap& zone, ZoneOp op, const Value& constant);

/// A page's bloom filter (table property bloom_filter_columns): about 10 bits per value and 7
/// probes, so an equality whose constant is absent skips the page 99% of the time. Integers hash
/// as 64-bit values (any width), floats as doubles, strings as their bytes.
std::string BuildBloomFilter(const Column& column, size_t start, size_t n);
/// False only when `constant` is certainly not in the page.
bool BloomMayContain(std::string_view bloom, const Value& constant);

/// Encodes rows [start, start + n) of `column`; returns the raw page and sets its encoding and
/// zone map.
std::string EncodePage(const Column& column, size_t start, size_t n, PageEncoding& encoding, ZoneMap& zone);
/// A DICT page's dictionary as the reader keeps it: the page's distinct strings (a flat column
/// whose views point into the decoded column's heap) and each row's code (0 for NULL rows).
struct PageDictionary {
    std::shared_ptr<Column> entries;
    std::vector<uint16_t> codes;
};
/// Dictionaries with more entries than this are not kept: evaluating per entry pays only when a
/// chunk's rows are at least twice the entries.
constexpr size_t kMaxKeptDictionary = 2048;

/// Decodes a raw page of `n` rows into rows [start, start + n) of `out` (already sized); strings
/// are copied into `out`'s heap. A DICT page also fills `dictionary` when given. Throws IOError
/// mentioning `what` on malformed bytes.
void DecodePage(std::string_view raw, PageEncoding encoding, size_t n, Column& out, size_t start,
                const std::string& what, PageDictionary* dictionary = nullptr);

std::string CompressPage(PageCodec codec, std::string_view raw);
/// Throws IOError mentioning `what` when the bytes do not decompress to `raw_len` bytes.
std::string DecompressPage(PageCodec codec, std::string_view stored, size_t raw_len, const std::string& what);

}  // namespace floe
