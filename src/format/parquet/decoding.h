#pragma once
/// Parquet's value and level encodings, decoded from a page's bytes. Every decoder checks its
/// input: a value or run that does not fit in the bytes given is an IOError naming `what` (file,
/// column, page), never a read past the buffer.
///
/// Encodings: PLAIN (every physical type), RLE / bit-packed hybrid (levels, dictionary indices,
/// booleans), BIT_PACKED (legacy levels), DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
/// DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/uninitialized_vector.h"

namespace floe::parquet {

/// Physical types as the footer stores them (Type).
enum class PhysicalType : int32_t {
    BOOLEAN = 0,
    INT32 = 1,
    INT64 = 2,
    INT96 = 3,
    FLOAT = 4,
    DOUBLE = 5,
    BYTE_ARRAY = 6,
    FIXED_LEN_BYTE_ARRAY = 7
};

/// Encoding ids (Encoding).
enum class Encoding : int32_t {
    PLAIN = 0,
    PLAIN_DICTIONARY = 2,
    RLE = 3,
    BIT_PACKED = 4,
    DELTA_BINARY_PACKED = 5,
    DELTA_LENGTH_BYTE_ARRAY = 6,
    DELTA_BYTE_ARRAY = 7,
    RLE_DICTIONARY = 8,
    BYTE_STREAM_SPLIT = 9
};

const char* EncodingName(Encoding e);

/// Bytes per value of a fixed-width physical type (BOOLEAN: one byte per value once decoded;
/// FIXED_LEN_BYTE_ARRAY: its type_length); 0 for BYTE_ARRAY.
size_t FixedWidth(PhysicalType type, int32_t type_length);

/// Decoded values of one page: fixed-width values back to back in `fixed`, or byte-array values
/// as views (into the page buffer, or into `owned` when the encoding rebuilt them).
struct Values {
    size_t count = 0;
    UninitializedVector<uint8_t> fixed;  // grown by each page's decoder, then written
    /// PLAIN fixed-width values of a single page are not copied: they are read in place.
    const uint8_t* fixed_in_place = nullptr;
    std::vector<std::string_view> views;
    std::string owned;
    const uint8_t* fixed_data() const { return fixed_in_place ? fixed_in_place : fixed.data(); }
    void Clear() {
        count = 0;
        fixed.clear();
        fixed_in_place = nullptr;
        views.clear();
        owned.clear();
    }
};

/// The RLE / bit-packed hybrid (no length prefix): runs of one repeated value or groups of
/// eight bit-packed values, `bit_width` bits each (0..32).
class RleDecoder {
  public:
    RleDecoder(std::string_view data, int bit_width, const std::string* what);
    /// Decodes exactly `n` values.
    void Get(uint32_t* out, size_t n);
    /// The same, and returns the largest value decoded (checks without another pass).
    uint32_t GetWithMax(uint32_t* out, size_t n);
    /// If the next `n` values are one repeated value (the usual levels of a page without NULLs),
    /// consumes them, sets `value` and returns true; otherwise consumes nothing.
    bool TakeRepeated(size_t n, uint32_t& value);
    /// Bytes consumed so far (through the current run).
    size_t position() const { return static_cast<size_t>(pos_ - begin_); }

  private:
    template <bool kMax>
    uint32_t Decode(uint32_t* out, size_t n);
    void NextRun();
    const uint8_t* begin_;
    const uint8_t* pos_;
    const uint8_t* end_;
    int bit_width_;
    const std::string* what_;
    uint32_t repeat_left_ = 0;
    uint32_t repeat_value_ = 0;
    uint32_t packed_left_ = 0;  // values left in the current bit-packed run
    const uint8_t* packed_ = nullptr;
    uint64_t packed_bit_ = 0;
    uint64_t packed_bits_available_ = 0;
};

/// Decodes `n` values of `type` in `encoding` from `data` into `out` (appending). For
/// dictionary encodings use DecodeIndices instead.
void DecodeValues(Encoding encoding, PhysicalType type, int32_t type_length, std::string_view data, size_t n,
                  Values& out, const std::string& what);

/// Dictionary indices of a data page (one byte of bit width, then RLE / bit-packed hybrid), each
/// checked to be below `dictionary_size` (a corrupt index is an error naming it).
void DecodeIndices(std::string_view data, size_t n, std::vector<uint32_t>& out, uint32_t dictionary_size,
                   const std::string& what);

/// Levels of a data page v1 in RLE (4-byte length prefix) or legacy BIT_PACKED; returns the bytes
/// consumed. `max_level` 0 means no levels are stored (all zero). `at_max`, when given, is set to
/// how many levels equal `max_level` (the values present, for definition levels). With
/// `skip_all_max`, levels that are all `max_level` (a page without NULLs: *at_max == n) are not
/// written out: `out` is left as it was, and the caller must not read it for this page.
size_t DecodeLevelsV1(Encoding encoding, std::string_view data, size_t n, int max_level, std::vector<uint16_t>& out,
                      const std::string& what, size_t* at_max = nullptr, bool skip_all_max = false);

/// Levels of a data page v2 (RLE without a length prefix, in a section of known length).
void DecodeLevelsV2(std::string_view data, size_t n, int max_level, std::vector<uint16_t>& out, const std::string& what,
                    size_t* at_max = nullptr, bool skip_all_max = false);

/// Bits needed for values 0..max_value.
int BitWidth(uint64_t max_value);

}  // namespace floe::parquet
