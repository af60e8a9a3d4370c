#pragma once
/// Floe's reader for Avro object container files (Avro 1.11 specification, "Object Container Files"),
/// written for Iceberg's manifest lists and manifests.
///
/// Design: manifests are small (kilobytes to a few megabytes), so values are decoded into a generic
/// tree (Datum) under the writer's schema, one top-level object per Next() call; there is no reader
/// schema and no schema resolution. The writer schema is kept with every attribute Iceberg needs:
/// the "field-id" of each record field and the element-id / key-id / value-id of arrays and maps, so
/// that callers bind fields by id, never by name or position. Logical types stay annotations.
///
/// The input is untrusted: every malformed file (bad magic, truncation, wrong sync marker, overlong
/// varint, a length or count beyond the remaining bytes, a union branch out of range, nesting deeper
/// than kMaxDepth, a decompressed block beyond kMaxBlockBytes, too many values in one object) throws
/// floe::IOError with a message that starts with the caller's `what` (normally the file's path).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace floe::avro {

/// Schemas and values nested deeper than this are refused (a guard against hostile input).
constexpr int kMaxDepth = 64;
/// A block may not decompress to more than this many bytes.
constexpr size_t kMaxBlockBytes = size_t{64} << 20;
/// One top-level object may not hold more than this many values (array elements, map entries,
/// record fields, ...): arrays of zero-byte values would otherwise allocate without bound.
constexpr size_t kMaxValuesPerObject = size_t{1} << 20;

enum class AvroType : uint8_t {
    NULL_TYPE,
    BOOLEAN,
    INT,
    LONG,
    FLOAT,
    DOUBLE,
    BYTES,
    STRING,
    RECORD,
    ENUM,
    ARRAY,
    MAP,
    UNION,
    FIXED,
};

/// The Avro spelling of a type ("null", "record", ...).
std::string_view AvroTypeName(AvroType type);

struct AvroNode;

/// One field of a record schema.
struct AvroField {
    std::string name;
    const AvroNode* type = nullptr;
    /// Iceberg's "field-id" attribute, when the writer set one.
    std::optional<int32_t> field_id;
};

/// One node of a parsed writer schema. Named types (record, enum, fixed) referenced again by name
/// are the same node, so the tree is a graph (a record may refer to itself); nodes are owned by
/// their AvroSchema and live as long as it does.
struct AvroNode {
    AvroType type = AvroType::NULL_TYPE;
    /// Full name (namespace.name) of a record, enum or fixed; empty otherwise.
    std::string name;
    /// The "logicalType" attribute ("decimal", "date", "time-micros", "timestamp-micros", "uuid",
    /// Iceberg's "map" on arrays of key/value records, ...), empty when absent. Not interpreted.
    std::string logical_type;
    int precision = 0;  ///< decimal
    int scale = 0;      ///< decimal
    /// Byte size of a fixed.
    int64_t fixed_size = 0;
    /// Enum symbols.
    std::vector<std::string> symbols;
    /// Record fields, in schema (= encoding) order.
    std::vector<AvroField> fields;
    /// Union branches, in order.
    std::vector<const AvroNode*> branches;
    /// Array items or map values.
    const AvroNode* items = nullptr;
    /// Iceberg's ids on array (element-id) and map (key-id, value-id) schemas.
    std::optional<int32_t> element_id;
    std::optional<int32_t> key_id;
    std::optional<int32_t> value_id;
    /// Fewest bytes one value of this type encodes to (0 for null, an empty record, fixed(0)); used
    /// to refuse counts that the remaining bytes cannot hold.
    size_t min_encoded_size = 0;

    /// Index into `fields` of the field with this Iceberg field id, or -1.
    int FindFieldById(int32_t field_id) const;
    /// Index into `fields` of the field with this name, or -1.
    int FindFieldByName(std::string_view field_name) const;
    /// For a union of null and exactly one other branch, that branch; otherwise this node.
    const AvroNode& NonNull() const;
    /// Index of the "null" branch of a union, or -1.
    int NullBranch() const;
};

/// A parsed writer schema. Move-only: nodes point at each other.
class AvroSchema {
  public:
    /// Parses the JSON text of a schema (the container's avro.schema). Throws IOError naming `what`.
    static AvroSchema Parse(std::string_view json, const std::string& what);

    AvroSchema() = default;
    AvroSchema(AvroSchema&&) noexcept = default;
    AvroSchema& operator=(AvroSchema&&) noexcept = default;
    AvroSchema(const AvroSchema&) = delete;
    AvroSchema& operator=(const AvroSchema&) = delete;

    const AvroNode& root() const { return *root_; }
    /// A named type by full name, or nullptr.
    const AvroNode* FindNamed(std::string_view full_name) const;

  private:
    friend class SchemaParser;
    std::vector<std::unique_ptr<AvroNode>> nodes_;
    std::map<std::string, const AvroNode*, std::less<>> named_;
    const AvroNode* root_ = nullptr;
};

struct MapEntry;

/// One decoded value. Which members are meaningful depends on `kind`:
/// BOOLEAN → boolean; INT, LONG → integer; ENUM → integer (symbol index) and bytes (symbol);
/// FLOAT, DOUBLE → real; BYTES, STRING, FIXED → bytes; RECORD → items (fields in schema order);
/// ARRAY → items; MAP → entries (in file order). A value read through a union keeps the branch
/// index in `union_branch` (-1 when the schema had no union); a null has kind NULL_VALUE.
struct Datum {
    enum class Kind : uint8_t {
        NULL_VALUE,
        BOOLEAN,
        INT,
        LONG,
        FLOAT,
        DOUBLE,
        BYTES,
        STRING,
        FIXED,
        ENUM,
        RECORD,
        ARRAY,
        MAP
    };

    Kind kind = Kind::NULL_VALUE;
    bool boolean = false;
    int32_t union_branch = -1;
    int64_t integer = 0;
    double real = 0;
    std::string bytes;
    std::vector<Datum> items;
    std::vector<MapEntry> entries;

    bool is_null() const { return kind == Kind::NULL_VALUE; }
    /// The field of a record value whose writer-schema field has this Iceberg field id (`schema` is the
    /// record's node, after union resolution), or nullptr when the schema has no such field.
    const Datum* FieldById(const AvroNode& schema, int32_t field_id) const;
    /// As FieldById, by field name.
    const Datum* FieldByName(const AvroNode& schema, std::string_view field_name) const;
};

/// One entry of a map value (a struct rather than std::pair: Datum is incomplete where it is used).
struct MapEntry {
    std::string key;
    Datum value;
};

/// Reads an object container file held in memory.
///
/// The constructor reads the header (magic, metadata, sync marker) and parses the writer schema;
/// Next() then decodes one top-level object at a time, decompressing blocks as it reaches them.
/// Supported codecs: null, deflate, snappy (with its CRC-32 checked), zstandard.
class AvroContainerReader {
  public:
    /// `what` names the input in error messages (normally its path).
    AvroContainerReader(std::string bytes, std::string what);
    /// Not copyable or movable: the current block is a view into the reader's own buffers.
    AvroContainerReader(const AvroContainerReader&) = delete;
    AvroContainerReader& operator=(const AvroContainerReader&) = delete;

    const AvroSchema& schema() const { return schema_; }
    /// Every header metadata entry (avro.schema, avro.codec and the writer's own keys such as
    /// Iceberg's "schema", "partition-spec", "format-version", "content"), values as raw bytes.
    const std::map<std::string, std::string>& metadata() const { return metadata_; }
    /// The value of one metadata key, if present.
    std::optional<std::string_view> Metadata(std::string_view key) const;
    const std::string& codec() const { return codec_; }
    const std::string& what() const { return what_; }

    /// Decodes the next top-level object into `out`; false at the end of the file.
    bool Next(Datum& out);

  private:
    bool LoadBlock();
    void Decompress(std::string_view compressed);

    std::string bytes_;
    std::string what_;
    AvroSchema schema_;
    std::map<std::string, std::string> metadata_;
    std::string codec_;
    std::string sync_;
    size_t file_pos_ = 0;  ///< next unread byte of bytes_ (the start of the next block)
    int64_t block_index_ = -1;
    int64_t block_remaining_ = 0;  ///< objects left in the current block
    std::string block_buffer_;     ///< the decompressed current block (unused for the null codec)
    std::string_view block_;       ///< the current block's data
    size_t block_pos_ = 0;
};

}  // namespace floe::avro
