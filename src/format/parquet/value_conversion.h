#pragma once
/// Converting decoded Parquet values (physical types) into Floe columns, by the leaf's
/// Conversion (schema.h): widenings, decimals, dates, timestamps (out-of-range instants become
/// NULL), times as text, FLOAT16, UUID and byte arrays.

#include <cstdint>
#include <string>

#include "format/parquet/decoding.h"
#include "format/parquet/schema.h"
#include "vector/column.h"

namespace floe::parquet {

/// Whether the leaf's values convert one fixed-width value to one Floe value with no other input
/// (no strings, no NULLs made): such pages convert straight into the output rows.
bool IsFixedConversion(const SchemaNode& leaf);

/// Converts `n` physical values at `fixed` (a fixed conversion) into `dst`, values of the leaf's
/// Floe type.
void ConvertFixed(const SchemaNode& leaf, const uint8_t* fixed, size_t n, uint8_t* dst);

/// Converts `raw` (one page's or dictionary's decoded values) into `out`, a dense column of the
/// leaf's Floe type with raw.count rows; `what` names the page in errors.
void ConvertValues(const SchemaNode& leaf, const Values& raw, Column& out, const std::string& what);

}  // namespace floe::parquet
