#pragma once
/// ARRAY<T> values. A column of ARRAY<T> holds each array as one blob in its string heap (a
/// StringView per row, like VARCHAR), so every operator that moves, hashes, sorts or stores
/// strings moves arrays unchanged; array functions read the blobs with ArrayReader and write
/// them with ArrayBuilder. The blob, for n elements of T:
///
///   uint32 n | n null flags (1 byte each) | values
///
/// where values are n fixed-width slots of T's physical size (zero for NULL elements) when T is
/// fixed-width, or, for string-like T (VARCHAR, JSON, nested ARRAY, ...), a uint32 length and
/// the bytes of each non-NULL element. Equal arrays have equal blobs.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "types/logical_type.h"
#include "types/value.h"

namespace floe {

/// Reads one array blob. Throws IOError when the blob is malformed.
class ArrayReader {
  public:
    ArrayReader(std::string_view blob, const LogicalType& element);
    size_t size() const { return count_; }
    bool IsNull(size_t i) const { return nulls_[i] != 0; }
    /// Element i as a Value of the element type (NULL when null).
    Value Get(size_t i) const;
    /// String-like elements: the bytes of element i (empty when null).
    std::string_view GetBytes(size_t i) const;
    /// Fixed-width elements: the slot of element i (PhysicalSize() bytes).
    const uint8_t* Slot(size_t i) const { return fixed_ + i * width_; }
    const LogicalType& element() const { return element_; }

  private:
    LogicalType element_;
    uint32_t count_ = 0;
    const uint8_t* nulls_ = nullptr;
    const uint8_t* fixed_ = nullptr;  // fixed-width elements
    uint32_t width_ = 0;
    std::vector<std::string_view> strings_;  // string-like elements
};

/// Builds one array blob.
class ArrayBuilder {
  public:
    explicit ArrayBuilder(const LogicalType& element);
    /// Appends a value of the element type (cast by the caller), or NULL.
    void Append(const Value& v);
    void AppendNull();
    /// Appends element i of `reader` (of the same element type).
    void AppendFrom(const ArrayReader& reader, size_t i);
    size_t size() const { return nulls_.size(); }
    /// The blob; the builder is empty again after.
    std::string Finish();

  private:
    LogicalType element_;
    uint32_t width_;
    bool strings_;
    std::string nulls_;
    std::string values_;
};

/// The array as text: [1,2,null], ["a","b"] (strings, dates and datetimes quoted, as StarRocks
/// shows them).
std::string ArrayToText(std::string_view blob, const LogicalType& element);
/// Parses text like [1, 2, null] or ["a", 'b'] (elements cast from their text to the element
/// type; nested arrays nest). nullopt when it is not an array literal or an element does not
/// convert.
std::optional<std::string> ArrayFromText(std::string_view text, const LogicalType& element);
/// Three-way comparison, element by element (NULL first), then by length.
int CompareArrays(std::string_view a, std::string_view b, const LogicalType& element);

}  // namespace floe
