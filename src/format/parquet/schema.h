#pragma once
/// A Parquet file's schema as Floe sees it: the flattened SchemaElement list rebuilt into a tree,
/// each leaf with its definition and repetition levels, and each top-level field mapped to a Floe
/// column type. Primitive fields map by their logical (or legacy converted) type; nested fields
/// (groups, LIST, MAP, repeated primitives) become JSON values assembled from their leaves.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "format/parquet/decoding.h"
#include "types/logical_type.h"

namespace floe::parquet_format {
class SchemaElement;
}

namespace floe::parquet {

/// How a leaf's physical values become Floe values.
enum class Conversion : uint8_t {
    NONE,           // same representation (BOOLEAN, INT32->INT, INT64->BIGINT, FLOAT, DOUBLE)
    INT8,           // INT32 -> TINYINT
    INT16,          // INT32 -> SMALLINT
    UINT8,          // INT32 -> SMALLINT
    UINT16,         // INT32 -> INT
    UINT32,         // INT32 -> BIGINT
    UINT64,         // INT64 -> LARGEINT
    DECIMAL_INT,    // INT32/INT64 -> DECIMAL
    DECIMAL_BYTES,  // BYTE_ARRAY/FLBA big-endian two's complement -> DECIMAL
    DECIMAL_WIDE,   // any decimal over 38 digits -> DOUBLE
    DATE,           // INT32 days
    MILLIS,         // INT64 timestamp millis -> DATETIME
    MICROS,         // INT64 timestamp micros
    NANOS,          // INT64 timestamp nanos
    INT96,          // INT96 (nanos of day, Julian day) -> DATETIME
    TIME_MILLIS,    // INT32 -> 'HH:MM:SS.fff'
    TIME_MICROS,    // INT64 -> 'HH:MM:SS.ffffff'
    TIME_NANOS,     // INT64
    FLOAT16,        // FLBA(2) -> FLOAT
    UUID,           // FLBA(16) -> text
    BYTES,          // BYTE_ARRAY/FLBA -> VARCHAR (or JSON)
};

struct SchemaNode {
    std::string name;
    int32_t field_id = -1;  // the writer's field id (Iceberg binds columns by it); -1: none
    int repetition = 0;     // 0 required, 1 optional, 2 repeated
    bool is_leaf = false;
    // Leaves:
    PhysicalType physical = PhysicalType::INT32;
    int32_t type_length = 0;
    int leaf_index = -1;  // column chunk index in a row group
    int max_def = 0;
    int max_rep = 0;
    Conversion conversion = Conversion::NONE;
    LogicalType type;  // the Floe type of the leaf's values
    int decimal_scale = 0;
    std::string unsupported;  // why Floe cannot read this leaf (empty: it can)
    // Groups: the legacy and annotated shapes that decide how JSON is built.
    bool is_list = false;  // LIST annotation
    bool is_map = false;   // MAP / MAP_KEY_VALUE annotation
    std::vector<std::unique_ptr<SchemaNode>> children;
    SchemaNode* parent = nullptr;
};

/// A top-level field: one column of FILES().
struct FileColumn {
    std::string name;
    int32_t field_id = -1;  // the top-level field's id, -1 when the file has none
    LogicalType type;
    const SchemaNode* node = nullptr;
    bool nested = false;      // assembled as JSON from its leaves
    std::string unsupported;  // why it cannot be read (empty: it can)
};

struct FileSchema {
    std::unique_ptr<SchemaNode> root;
    std::vector<const SchemaNode*> leaves;  // by leaf (column chunk) index
    std::vector<FileColumn> columns;
};

/// Builds the schema; throws IOError (naming `what`) when the element list is malformed.
FileSchema BuildSchema(const std::vector<parquet_format::SchemaElement>& elements, const std::string& what);

}  // namespace floe::parquet
