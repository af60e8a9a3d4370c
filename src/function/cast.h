#pragma once
/// Casts between Floe types, vectorized. Values that cannot be converted become NULL (StarRocks
/// semantics for CAST), except where noted; numeric overflow becomes NULL too.

#include <optional>
#include <string>

#include "types/logical_type.h"
#include "types/value.h"
#include "vector/column.h"

namespace floe {

/// Whether a cast from `from` to `to` exists at all (checked at bind time).
bool CanCast(const LogicalType& from, const LogicalType& to);
/// Casts `rows` rows of `input` into `result` (of type `to`, sized by the caller).
void CastColumn(const Column& input, size_t rows, Column& result);
/// Casts one value (slow path: constants, SET values). NULL when it cannot be converted.
Value CastValue(const Value& value, const LogicalType& to);

/// Parses an array's text, like [1, 2, null] or ["a", 'b'] or [[1], [2, 3]] (elements converted
/// from their text to `element`); nullopt when it is not an array or an element does not convert.
std::optional<std::string> ParseArrayText(std::string_view text, const LogicalType& element);

/// Parses text as a number the way MySQL does for numeric contexts: leading spaces, sign, digits,
/// optional fraction and exponent; trailing garbage is ignored ("12abc" -> 12), no digits -> nullopt.
std::optional<double> ParseDoublePrefix(std::string_view text);
/// Strict integer parse (whole string, after trimming spaces); nullopt on garbage or overflow.
std::optional<int64_t> ParseInt64(std::string_view text);

}  // namespace floe
