#pragma once
/// Iceberg v3 deletion vectors (spec "Deletion Vectors"; Puffin "deletion-vector-v1"): the
/// positions deleted from one data file as a portable 64-bit Roaring bitmap inside a Puffin file.
///
/// A blob is `u32 BE length(magic + vector) | D1 D3 39 64 | vector | u32 BE CRC-32(magic + vector)`,
/// the vector a u64 LE count of 32-bit bitmaps, each a u32 LE key (the positions' high halves) and
/// a portable 32-bit Roaring bitmap of the low halves, in key order. A Puffin file is `PFA1`, the
/// blobs, then the footer `PFA1 | JSON | i32 LE JSON length | 4 flag bytes | PFA1`, whose JSON
/// lists each blob's offset, length and properties (referenced-data-file, cardinality).

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lake/iceberg/manifest.h"

namespace floe::iceberg {

/// The blob for `positions` (any order; duplicates allowed).
std::string EncodeDeletionVector(std::vector<int64_t> positions);

/// The positions (sorted) a blob holds. Throws IOError naming `what` for a blob that is
/// truncated, has the wrong magic or CRC, or a malformed bitmap.
std::vector<int64_t> DecodeDeletionVector(std::string_view blob, const std::string& what);

/// Writes a Puffin file at `path` holding one deletion vector per entry of `vectors` (data file
/// path as the manifests name it, deleted positions) and returns the manifest entries' files:
/// content POSITION_DELETES, format PUFFIN, record_count = cardinality, referenced_data_file,
/// content_offset / content_size_in_bytes of the blob, and `partitions[i]` as the partition.
std::vector<DataFile> WriteDeletionVectors(const std::string& path,
                                           const std::vector<std::pair<std::string, std::vector<int64_t>>>& vectors,
                                           const std::vector<std::vector<PartitionValue>>& partitions);

/// The rows of a Parquet position delete file (spec "Position Delete Files": file_path, field id
/// 2147483546, and pos, 2147483545; by name in files without field ids): per data file path as
/// written in the file, the positions, sorted and unique. Rows with a NULL path or position delete
/// nothing and are skipped. Throws IOError naming the file when the columns are missing or mistyped.
std::map<std::string, std::vector<int64_t>> ReadPositionDeletes(const std::string& path);

}  // namespace floe::iceberg
