#pragma once
/// The writer's delta encodings (Parquet's DELTA_BINARY_PACKED and DELTA_LENGTH_BYTE_ARRAY):
/// blocks of 128 deltas in four miniblocks of 32, each bit-packed at the width its largest
/// delta above the block's minimum needs. Sorted or slowly changing integers (ids, times) take a
/// few bits each; the writer keeps whichever of plain and delta is smaller per page.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace floe::parquet {

/// Appends `values` (int32 columns widened; arithmetic wraps in 64 bits as the format says).
void EncodeDeltaBinaryPacked(const std::vector<int64_t>& values, std::string& out);
/// Appends the lengths of `values` delta-encoded, then their bytes.
void EncodeDeltaLengthByteArray(const std::vector<std::string_view>& values, std::string& out);

}  // namespace floe::parquet
