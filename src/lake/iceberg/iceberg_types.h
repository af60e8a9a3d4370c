#pragma once
/// Iceberg schema types (spec "Schemas and Data Types") and their mapping to Floe's types.
///
/// A Type is a tagged value: primitives carry their parameters (decimal precision/scale, fixed
/// length, geo parameters), nested types carry NestedFields. A list has exactly one child (the
/// element, named "element"), a map exactly two ("key" and "value"), so that looking a field up by
/// id walks every nested id the same way. Types the reader cannot map (variant, geometry,
/// geography) are kept with their names so that a query touching them fails with a clear message
/// and the rest of the table stays readable.
///
/// Floe reads Iceberg values with the types ToFloeType gives: nested values as JSON text (as the
/// Parquet reader assembles them), time as 'HH:MM:SS[.ffffff]' text, uuid as canonical text,
/// binary and fixed as raw bytes in a VARCHAR, and every timestamp as DATETIME microseconds.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "types/logical_type.h"

namespace simdjson::dom {
class element;  // simdjson.h is large: only the parsers include it
}  // namespace simdjson::dom

namespace floe::iceberg {

enum class TypeKind : uint8_t {
    BOOLEAN,
    INT,
    LONG,
    FLOAT,
    DOUBLE,
    DECIMAL,
    DATE,
    TIME,
    TIMESTAMP,
    TIMESTAMPTZ,
    TIMESTAMP_NS,
    TIMESTAMPTZ_NS,
    STRING,
    UUID,
    FIXED,
    BINARY,
    UNKNOWN,
    VARIANT,
    GEOMETRY,
    GEOGRAPHY,
    STRUCT,
    LIST,
    MAP,
};

/// Nested types deeper than this are refused (a guard against hostile metadata).
constexpr int kMaxTypeDepth = 64;

struct NestedField;

/// One Iceberg type. Primitive parameters are meaningful only for their kind.
struct Type {
    TypeKind kind = TypeKind::UNKNOWN;
    int precision = 0;       ///< decimal(P,S)
    int scale = 0;           ///< decimal(P,S)
    int64_t length = 0;      ///< fixed[L]
    std::string geo_params;  ///< geometry(C) / geography(C,A): the text between the parentheses
    /// struct: its fields; list: one child "element"; map: "key" then "value".
    std::vector<NestedField> fields;

    static Type Primitive(TypeKind kind);
    static Type Decimal(int precision, int scale);
    static Type Fixed(int64_t length);

    bool IsPrimitive() const { return kind != TypeKind::STRUCT && kind != TypeKind::LIST && kind != TypeKind::MAP; }
    bool IsNested() const { return !IsPrimitive(); }
    /// timestamp, timestamptz and their nanosecond variants.
    bool IsTimestamp() const {
        return kind == TypeKind::TIMESTAMP || kind == TypeKind::TIMESTAMPTZ || kind == TypeKind::TIMESTAMP_NS ||
               kind == TypeKind::TIMESTAMPTZ_NS;
    }
    /// The spec's spelling: "long", "decimal(9,2)", "fixed[16]", "list<int>", "struct<1: a: int>".
    std::string ToString() const;
    bool operator==(const Type& other) const;
    bool operator!=(const Type& other) const { return !(*this == other); }

    /// list: the element field; map: the key and value fields (checked).
    const NestedField& element() const;
    const NestedField& key() const;
    const NestedField& value() const;
};

/// A struct field, list element or map key/value. Defaults are kept as their JSON text (spec
/// "JSON single-value serialization"); single_value.h turns them into Values.
struct NestedField {
    int32_t id = 0;
    std::string name;
    bool required = false;
    Type type;
    std::string doc;
    std::optional<std::string> initial_default_json;
    std::optional<std::string> write_default_json;

    bool operator==(const NestedField& other) const;
};

/// A table schema: a struct with an id and the identifier (row key) field ids.
struct Schema {
    int32_t schema_id = 0;
    std::vector<int32_t> identifier_field_ids;
    std::vector<NestedField> fields;

    /// The field with this id anywhere in the schema (nested fields, list elements, map keys and
    /// values included); nullptr when there is none.
    const NestedField* FindField(int32_t id) const;
    /// The top-level field with this name, compared case-insensitively (an exact-case match wins
    /// over a case-insensitive one); nullptr when there is none.
    const NestedField* FindTopLevel(std::string_view name) const;
    /// The largest field id in the schema, nested ids included (0 for an empty schema).
    int32_t HighestFieldId() const;
};

/// Floe's type for values of `type` (see the file comment).
LogicalType ToFloeType(const Type& type);

/// The Iceberg type a Floe column of `type` is stored as in tables Floe creates: BOOLEAN boolean;
/// TINYINT, SMALLINT, INT int; BIGINT long; LARGEINT decimal(38,0); FLOAT float; DOUBLE double;
/// DECIMAL(P,S) decimal(P,S); DATE date; DATETIME timestamp (without zone, as StarRocks maps it);
/// VARCHAR, CHAR, STRING and JSON string. Throws NotSupportedError naming `column` for the others
/// (ARRAY, MAP, STRUCT, BITMAP, HLL), which Floe cannot write to Iceberg yet.
Type FromFloeType(const LogicalType& type, const std::string& column);

/// Parses a primitive type name ("long", "decimal(16, 2)", "fixed[16]", "geometry(srid:4326)").
/// Returns nullopt for a name that is not an Iceberg primitive.
std::optional<Type> ParsePrimitiveType(std::string_view name);

/// Parses a type from its JSON form (a string for primitives, an object for nested types).
/// `what` names the file for error messages; `depth` is the nesting depth of `json`.
Type ParseTypeJson(simdjson::dom::element json, const std::string& what, int depth = 0);
/// Parses a schema object ({"type":"struct","schema-id":..,"fields":[..]}); a schema without
/// "schema-id" gets `default_schema_id`.
Schema ParseSchemaJson(simdjson::dom::element json, const std::string& what, int32_t default_schema_id = 0);
/// Parses a schema from JSON text, e.g. the `schema` key of a manifest's Avro header.
Schema ParseSchemaJson(std::string_view json_text, const std::string& what);

}  // namespace floe::iceberg
