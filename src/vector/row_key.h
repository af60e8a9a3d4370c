#pragma once
/// Serialized row keys for hashing (aggregation groups, join keys, set operations): each column
/// contributes a null marker and its bytes (strings length-prefixed), so equal keys serialize to
/// equal byte strings.

#include <string>
#include <vector>

#include "vector/column.h"

namespace floe {

/// Appends row `row` of `columns` to `key`; returns false if any value is NULL.
bool AppendRowKey(const std::vector<const Column*>& columns, uint32_t row, std::string& key);

/// A 64-bit hash of a serialized row key (multiply-xorshift over 8-byte words). Stored data
/// depends on it (hash buckets of tables): it must never change.
uint64_t HashRowKey(std::string_view key);

}  // namespace floe
