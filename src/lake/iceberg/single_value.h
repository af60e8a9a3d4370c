#pragma once
/// Iceberg's two single-value serializations (spec Appendix D), to and from Floe Values of the
/// types ToFloeType gives:
/// - binary: manifest lower/upper bounds and partition-summary bounds (little-endian numbers,
///   big-endian minimal two's-complement decimals, 16 big-endian uuid bytes, raw strings);
/// - JSON: `initial-default` / `write-default` and REST payloads.
/// Also the text forms Floe uses for Iceberg's time and uuid values.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lake/iceberg/iceberg_types.h"
#include "types/value.h"

namespace floe::iceberg {

/// Decodes a binary single value of `type`. Returns nullopt for bytes that cannot be a value of
/// the type (wrong length, a decimal wider than 16 bytes) and for types without a binary form
/// (nested, variant, geo, unknown). Bounds keep their write-time type, so the promotions the spec
/// allows are undone here: a 4-byte long bound was an int, a 4-byte double bound was a float and a
/// 4-byte timestamp bound was a date. Nanosecond timestamps become microseconds, rounded down.
std::optional<Value> DecodeBound(const Type& type, std::string_view bytes);

/// Encodes a Value of ToFloeType(type) in the binary single-value form (for writers). Returns
/// nullopt for a null value or a type without a binary form.
std::optional<std::string> EncodeBound(const Type& type, const Value& value);

/// Parses the JSON single-value form of `type` (the text of one JSON value, e.g. "1", "\"14.20\"",
/// "{\"1\": 2}") into a Value of ToFloeType(type). Nested values become JSON text keyed by field
/// name, as Floe's Parquet reader renders nested columns. JSON null gives a null Value. Throws
/// IOError naming `what` when the text does not fit the type.
Value ParseJsonSingleValue(const Type& type, std::string_view json, const std::string& what);

/// 'HH:MM:SS' plus '.ffffff' when the fraction is not zero: how Floe shows an Iceberg time.
std::string FormatTimeOfDay(int64_t micros);
/// Parses 'HH:MM[:SS[.fffffffff]]' into microseconds since midnight (extra digits truncated).
std::optional<int64_t> ParseTimeOfDay(std::string_view text);
/// The canonical lowercase 8-4-4-4-12 text of 16 big-endian uuid bytes.
std::string UuidToText(std::string_view bytes16);
/// The 16 big-endian bytes of a uuid's text (either case, dashes optional); nullopt when invalid.
std::optional<std::string> UuidFromText(std::string_view text);
/// Minimal big-endian two's-complement bytes of a decimal's unscaled value (14.20 -> 05 8C).
std::string DecimalToMinimalBytes(int128_t unscaled);

}  // namespace floe::iceberg
