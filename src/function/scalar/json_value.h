#pragma once
/// SQL values written as JSON, shared by the JSON constructors (json.cpp) and the functions that
/// change a document (json_modify.cpp).

#include <string>

#include "types/logical_type.h"
#include "vector/column.h"

namespace floe {

/// Appends row i of `c` as a JSON value: numbers and booleans as themselves, strings quoted, JSON
/// as it is, NULL (and NaN or infinities) as null.
void AppendJsonValue(const Column& c, size_t i, std::string& out);

/// The type a value is evaluated in before it becomes JSON: its own when JSON can show it, else
/// VARCHAR (dates and datetimes as their text).
LogicalType JsonValueType(const LogicalType& t);

}  // namespace floe
