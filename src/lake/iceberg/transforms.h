#pragma once
/// Iceberg partition transforms (spec "Partition Transforms", Appendix B), partition specs, and
/// the inclusive projection of a column predicate onto a partition field, used to skip
/// manifests and data files (spec "Scan Planning").
///
/// Values are Floe Values of ToFloeType(source): timestamps are DATETIME microseconds (a
/// nanosecond source was already rounded down to microseconds when read, which is also what the
/// spec hashes and truncates), time is 'HH:MM:SS[.ffffff]' text, uuid is canonical text.
/// Every transform maps null to null. An unknown transform is kept by name: readers must still
/// read the table, they just cannot prune with it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lake/iceberg/iceberg_types.h"
#include "types/value.h"

namespace floe::iceberg {

enum class TransformKind : uint8_t { IDENTITY, BUCKET, TRUNCATE, YEAR, MONTH, DAY, HOUR, VOID, UNKNOWN };

struct Transform {
    TransformKind kind = TransformKind::IDENTITY;
    int32_t param = 0;  ///< N of bucket[N], W of truncate[W]
    std::string text;   ///< the spelling read from metadata ("bucket[16]"), kept for unknown ones

    /// The canonical spelling: "identity", "bucket[16]", "truncate[4]", "day", ...
    std::string ToString() const;
    bool operator==(const Transform& other) const { return kind == other.kind && param == other.param; }
};

/// Parses a transform name. Unknown names (and bucket/truncate with a parameter that is not a
/// positive int) give TransformKind::UNKNOWN rather than an error.
Transform ParseTransform(std::string_view text);

/// Whether the spec allows `transform` on a source of `source` type.
bool CanTransform(const Transform& transform, const Type& source);

/// The Iceberg type of the transform's result: identity, truncate and void keep the source type;
/// bucket, year, month and hour give int; day gives date.
Type TransformResultType(const Transform& transform, const Type& source);

/// The 32-bit Murmur3 (x86, seed 0) hash the spec defines for `value` of `source` type, before the
/// `& Integer.MAX_VALUE` and modulo of bucket[N]. Throws ConversionError for unhashable types.
int32_t BucketHash(const Type& source, const Value& value);

/// Applies the transform to a (Floe) value of the source type; the result is a Value of
/// ToFloeType(TransformResultType(...)). A null input (and void) gives null. Throws
/// ConversionError when the value is not one of the source type or the transform does not apply.
Value ApplyTransform(const Transform& transform, const Type& source, const Value& value);

/// One field of a partition spec. v3 multi-argument transforms list several source ids.
struct PartitionField {
    int32_t source_id = 0;
    std::vector<int32_t> source_ids;  ///< v3 `source-ids`; holds just source_id otherwise
    int32_t field_id = 0;
    std::string name;
    Transform transform;
};

struct PartitionSpec {
    int32_t spec_id = 0;
    std::vector<PartitionField> fields;

    bool IsUnpartitioned() const;
    /// The partition field with this field id, or nullptr.
    const PartitionField* FindField(int32_t field_id) const;
};

/// The comparison of a predicate `column op constant` that a projection reads.
enum class PredicateOp : uint8_t { EQ, NOT_EQ, LT, LT_EQ, GT, GT_EQ, IS_NULL, NOT_NULL, IN };

/// A predicate on a partition value: `partition op value`, or `partition IN (values...)`.
struct ProjectedPredicate {
    PredicateOp op = PredicateOp::EQ;
    Value value;                ///< EQ, NOT_EQ, LT, LT_EQ, GT, GT_EQ
    std::vector<Value> values;  ///< IN
};

/// Inclusive projection (Java's Projections.inclusive): a predicate on the partition value that
/// is true for every partition holding a row for which `source op constant` is true, so a
/// partition where it is false can be skipped. Returns nullopt when the predicate cannot prune
/// (e.g. a range through bucket). `constant` is a Value of ToFloeType(source). For IN, use the
/// overload with a list. Old Java writers stored pre-1970 year/month/day/hour values one too high;
/// the projection of those transforms is widened for negative results as Java does, so files
/// they wrote are never skipped wrongly.
std::optional<ProjectedPredicate> ProjectInclusive(const Transform& transform, const Type& source, PredicateOp op,
                                                   const Value& constant);
std::optional<ProjectedPredicate> ProjectInclusive(const Transform& transform, const Type& source, PredicateOp op,
                                                   const std::vector<Value>& constants);

}  // namespace floe::iceberg
