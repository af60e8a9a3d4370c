#pragma once
/// HLL values: HyperLogLog sketches for approximate distinct counts (HLL_UNION columns,
/// hll_hash, hll_union_agg, approx_count_distinct). Small sets are kept exactly (up to 160 hashes,
/// counted exactly); larger ones use 2^14 one-byte registers (standard error about 0.8%).
///
/// Serialized form: 0 = empty; 1 = explicit: u16 count then the u64 hashes; 2 = dense: the
/// 16384 registers.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace floe {

class Hll {
  public:
    static constexpr int kPrecision = 14;
    static constexpr size_t kRegisters = size_t{1} << kPrecision;
    static constexpr size_t kExplicitMax = 160;

    void AddHash(uint64_t hash);
    void Merge(const Hll& other);
    int64_t Estimate() const;
    std::string Serialize() const;
    /// Throws ConversionError when the bytes are not a serialized HLL.
    static Hll Deserialize(std::string_view bytes);

  private:
    void ToDense();
    std::vector<uint64_t> explicit_;  // sorted, unique
    std::vector<uint8_t> registers_;  // dense form when not empty
};

}  // namespace floe
