#include "lake/iceberg/manifest_writer.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <set>

#include "common/exception.h"
#include "common/json_text.h"
#include "lake/avro/avro_writer.h"
#include "lake/iceberg/single_value.h"
#include "types/decimal.h"

namespace floe::iceberg {

namespace {

using avro::AvroEncoder;
using avro::Datum;

/// What Java writes for v1's block_size_in_bytes (V1Metadata.java): the field is required but
/// meaningless.
constexpr int64_t kV1BlockSize = 64LL * 1024 * 1024;

// ---- Avro schema JSON ----------------------------------------------------------------------------

/// One record field: `type` is the non-null type; an optional field becomes ["null", type] with
/// default null.
std::string FieldJson(int32_t id, std::string_view name, const std::string& type, bool optional) {
    std::string out = "{\"name\":";
    AppendJsonString(out, name);
    out += ",\"type\":";
    if (optional) {
        out += "[\"null\"," + type + "],\"default\":null";
    } else {
        out += type;
    }
    out += ",\"field-id\":" + std::to_string(id) + "}";
    return out;
}

std::string RecordJson(std::string_view name, const std::vector<std::string>& fields) {
    std::string out = "{\"type\":\"record\",\"name\":";
    AppendJsonString(out, name);
    out += ",\"fields\":[";
    for (size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ",";
        out += fields[i];
    }
    return out + "]}";
}

/// An Iceberg list: an Avro array with the element id.
std::string ListJson(int32_t element_id, const std::string& element_type) {
    return "{\"type\":\"array\",\"items\":" + element_type + ",\"element-id\":" + std::to_string(element_id) + "}";
}

/// An Iceberg map with int keys: an array of k<key>_v<value> records, logicalType "map".
std::string IntKeyMapJson(int32_t key_id, int32_t value_id, const std::string& value_type) {
    std::string record_name = "k" + std::to_string(key_id) + "_v" + std::to_string(value_id);
    std::string record = RecordJson(
        record_name, {FieldJson(key_id, "key", "\"int\"", false), FieldJson(value_id, "value", value_type, false)});
    return "{\"type\":\"array\",\"items\":" + record + ",\"logicalType\":\"map\"}";
}

/// Java's AvroSchemaUtil.makeCompatibleName, kept to ASCII: Avro names are [A-Za-z_][A-Za-z0-9_]*,
/// and Java Avro refuses a schema with any other name. A leading digit becomes "_<digit>", any other
/// byte "_x<HEX>" (every byte of a multi-byte UTF-8 character on its own).
std::string AvroCompatibleName(std::string_view name) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    if (name.empty()) return "_";
    for (size_t i = 0; i < name.size(); ++i) {
        auto c = static_cast<unsigned char>(name[i]);
        bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
        bool digit = c >= '0' && c <= '9';
        if (letter || (digit && i > 0)) {
            out.push_back(static_cast<char>(c));
        } else if (digit) {
            out.push_back('_');
            out.push_back(static_cast<char>(c));
        } else {
            out += "_x";
            if (c >= 16) out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

// ---- partition tuple -----------------------------------------------------------------------------

/// One field of the partition record.
struct PartitionColumn {
    int32_t field_id = 0;
    std::string name;        ///< the spec's name
    std::string avro_name;   ///< made Avro-compatible
    Type result;             ///< the transform's result type
    int32_t fixed_size = 0;  ///< decimal, uuid, fixed
};

std::vector<PartitionColumn> PartitionColumns(const PartitionSpec& spec, const Schema& schema) {
    std::vector<PartitionColumn> out;
    for (const PartitionField& f : spec.fields) {
        if (f.transform.kind == TransformKind::UNKNOWN) {
            throw InternalError("Iceberg manifest writer: partition field '" + f.name +
                                "' has the unknown transform '" + f.transform.text + "'");
        }
        const NestedField* source = schema.FindField(f.source_id);
        if (source == nullptr) {
            throw InternalError("Iceberg manifest writer: partition field '" + f.name + "' reads column id " +
                                std::to_string(f.source_id) + ", which schema " + std::to_string(schema.schema_id) +
                                " does not have");
        }
        PartitionColumn c;
        c.field_id = f.field_id;
        c.name = f.name;
        c.avro_name = AvroCompatibleName(f.name);
        c.result = TransformResultType(f.transform, source->type);
        switch (c.result.kind) {
            case TypeKind::DECIMAL:
                c.fixed_size = DecimalRequiredBytes(c.result.precision);
                break;
            case TypeKind::UUID:
                c.fixed_size = 16;
                break;
            case TypeKind::FIXED:
                c.fixed_size = static_cast<int32_t>(c.result.length);
                break;
            case TypeKind::BOOLEAN:
            case TypeKind::INT:
            case TypeKind::LONG:
            case TypeKind::FLOAT:
            case TypeKind::DOUBLE:
            case TypeKind::DATE:
            case TypeKind::TIME:
            case TypeKind::TIMESTAMP:
            case TypeKind::TIMESTAMPTZ:
            case TypeKind::TIMESTAMP_NS:
            case TypeKind::TIMESTAMPTZ_NS:
            case TypeKind::STRING:
            case TypeKind::BINARY:
                break;
            default:
                throw InternalError("Iceberg manifest writer: partition field '" + f.name + "' has the type " +
                                    c.result.ToString() + ", which cannot be a partition value");
        }
        out.push_back(std::move(c));
    }
    return out;
}

/// The Avro type of a partition value of Iceberg type `t` (Java's TypeToSchema). Fixed types are
/// named after their parameters; a name already defined in this schema is referred to by name, as
/// Avro requires.
std::string PartitionAvroType(const PartitionColumn& c, std::set<std::string>& defined) {
    auto named_fixed = [&](const std::string& name, const std::string& extra) {
        if (!defined.insert(name).second) return JsonString(name);
        return "{\"type\":\"fixed\",\"name\":\"" + name + "\",\"size\":" + std::to_string(c.fixed_size) + extra + "}";
    };
    const Type& t = c.result;
    switch (t.kind) {
        case TypeKind::BOOLEAN:
            return "\"boolean\"";
        case TypeKind::INT:
            return "\"int\"";
        case TypeKind::LONG:
            return "\"long\"";
        case TypeKind::FLOAT:
            return "\"float\"";
        case TypeKind::DOUBLE:
            return "\"double\"";
        case TypeKind::DATE:
            return "{\"type\":\"int\",\"logicalType\":\"date\"}";
        case TypeKind::TIME:
            return "{\"type\":\"long\",\"logicalType\":\"time-micros\"}";
        case TypeKind::TIMESTAMP:
            return "{\"type\":\"long\",\"logicalType\":\"timestamp-micros\",\"adjust-to-utc\":false}";
        case TypeKind::TIMESTAMPTZ:
            return "{\"type\":\"long\",\"logicalType\":\"timestamp-micros\",\"adjust-to-utc\":true}";
        case TypeKind::TIMESTAMP_NS:
            return "{\"type\":\"long\",\"logicalType\":\"timestamp-nanos\",\"adjust-to-utc\":false}";
        case TypeKind::TIMESTAMPTZ_NS:
            return "{\"type\":\"long\",\"logicalType\":\"timestamp-nanos\",\"adjust-to-utc\":true}";
        case TypeKind::STRING:
            return "\"string\"";
        case TypeKind::BINARY:
            return "\"bytes\"";
        case TypeKind::UUID:
            return named_fixed("uuid_fixed", ",\"logicalType\":\"uuid\"");
        case TypeKind::FIXED:
            return named_fixed("fixed_" + std::to_string(t.length), "");
        case TypeKind::DECIMAL:
            return named_fixed("decimal_" + std::to_string(t.precision) + "_" + std::to_string(t.scale),
                               ",\"logicalType\":\"decimal\",\"precision\":" + std::to_string(t.precision) +
                                   ",\"scale\":" + std::to_string(t.scale));
        default:
            throw InternalError("Iceberg manifest writer: no Avro type for " + t.ToString());
    }
}

std::string PartitionRecordJson(const std::vector<PartitionColumn>& columns) {
    std::set<std::string> defined;
    std::vector<std::string> fields;
    for (const PartitionColumn& c : columns) {
        fields.push_back(FieldJson(c.field_id, c.avro_name, PartitionAvroType(c, defined), true));
    }
    return RecordJson("r102", fields);
}

/// A big-endian two's-complement value of at most 16 bytes.
int128_t BigEndianToInt128(std::string_view b) {
    if (b.empty()) return 0;
    unsigned __int128 v = (static_cast<unsigned char>(b[0]) & 0x80) ? ~static_cast<unsigned __int128>(0) : 0;
    for (char c : b) v = (v << 8) | static_cast<unsigned char>(c);
    return static_cast<int128_t>(v);
}

/// `unscaled` as exactly `size` big-endian two's-complement bytes (the caller checked it fits).
std::string Int128ToFixed(int128_t unscaled, int32_t size) {
    std::string out(static_cast<size_t>(size), '\0');
    auto v = static_cast<unsigned __int128>(unscaled);
    for (int32_t i = size - 1; i >= 0; --i) {
        out[static_cast<size_t>(i)] = static_cast<char>(static_cast<uint8_t>(v));
        v >>= 8;
    }
    return out;
}

/// A checked partition value: what to write and how it orders for the field summary.
struct PartitionDatum {
    bool is_null = true;
    bool boolean = false;
    int64_t integer = 0;
    double real = 0;
    int128_t decimal = 0;
    std::string bytes;  ///< string, binary, uuid, fixed; decimal in fixed[minBytes(P)] form
};

PartitionDatum CheckPartitionValue(const PartitionColumn& c, const Datum& d, const std::string& where) {
    using K = Datum::Kind;
    PartitionDatum out;
    if (d.is_null()) return out;
    out.is_null = false;
    auto fail = [&](const std::string& problem) -> InternalError {
        return InternalError("Iceberg manifest writer: " + where + ": the value of partition field '" + c.name + "' (" +
                             c.result.ToString() + ") " + problem);
    };
    auto integer = [&](int64_t lo, int64_t hi) {
        if (d.kind != K::INT && d.kind != K::LONG) throw fail("is not an integer");
        if (d.integer < lo || d.integer > hi) throw fail(std::to_string(d.integer) + " is out of range");
        out.integer = d.integer;
    };
    auto fixed_bytes = [&](size_t size) {
        if (d.kind != K::BYTES && d.kind != K::FIXED) throw fail("is not bytes");
        if (size != 0 && d.bytes.size() != size) {
            throw fail("has " + std::to_string(d.bytes.size()) + " bytes, not " + std::to_string(size));
        }
        out.bytes = d.bytes;
    };
    switch (c.result.kind) {
        case TypeKind::BOOLEAN:
            if (d.kind != K::BOOLEAN) throw fail("is not a boolean");
            out.boolean = d.boolean;
            break;
        case TypeKind::INT:
        case TypeKind::DATE:
            integer(std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
            break;
        case TypeKind::LONG:
        case TypeKind::TIME:
        case TypeKind::TIMESTAMP:
        case TypeKind::TIMESTAMPTZ:
        case TypeKind::TIMESTAMP_NS:
        case TypeKind::TIMESTAMPTZ_NS:
            integer(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
            break;
        case TypeKind::FLOAT:
        case TypeKind::DOUBLE:
            if (d.kind != K::FLOAT && d.kind != K::DOUBLE) throw fail("is not a floating-point number");
            out.real = c.result.kind == TypeKind::FLOAT ? static_cast<double>(static_cast<float>(d.real)) : d.real;
            break;
        case TypeKind::STRING:
            if (d.kind != K::STRING) throw fail("is not a string");
            out.bytes = d.bytes;
            break;
        case TypeKind::BINARY:
            fixed_bytes(0);
            break;
        case TypeKind::UUID:
        case TypeKind::FIXED:
            fixed_bytes(static_cast<size_t>(c.fixed_size));
            break;
        case TypeKind::DECIMAL: {
            if (d.kind != K::BYTES && d.kind != K::FIXED) throw fail("is not bytes");
            if (d.bytes.empty() || d.bytes.size() > 16) {
                throw fail("has " + std::to_string(d.bytes.size()) + " bytes (1 to 16 expected)");
            }
            out.decimal = BigEndianToInt128(d.bytes);
            int128_t limit = Pow10(c.result.precision);
            if (out.decimal >= limit || out.decimal <= -limit) {
                throw fail("has more digits than the precision " + std::to_string(c.result.precision));
            }
            out.bytes = Int128ToFixed(out.decimal, c.fixed_size);
            break;
        }
        default:
            throw fail("has no partition type");
    }
    return out;
}

void WritePartitionValue(AvroEncoder& e, const PartitionColumn& c, const PartitionDatum& v) {
    if (v.is_null) {
        e.WriteUnionBranch(0);
        return;
    }
    e.WriteUnionBranch(1);
    switch (c.result.kind) {
        case TypeKind::BOOLEAN:
            e.WriteBoolean(v.boolean);
            break;
        case TypeKind::INT:
        case TypeKind::DATE:
            e.WriteInt(static_cast<int32_t>(v.integer));
            break;
        case TypeKind::FLOAT:
            e.WriteFloat(static_cast<float>(v.real));
            break;
        case TypeKind::DOUBLE:
            e.WriteDouble(v.real);
            break;
        case TypeKind::STRING:
        case TypeKind::BINARY:
            e.WriteBytes(v.bytes);
            break;
        case TypeKind::UUID:
        case TypeKind::FIXED:
        case TypeKind::DECIMAL:
            e.WriteFixed(v.bytes);
            break;
        default:  // long, time, timestamps
            e.WriteLong(v.integer);
            break;
    }
}

/// Orders two non-null, non-NaN values of the column's type: numbers by value (-0.0 before +0.0),
/// strings and bytes by unsigned bytes (for UTF-8, code point order).
int ComparePartition(const PartitionColumn& c, const PartitionDatum& a, const PartitionDatum& b) {
    auto three_way = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
    switch (c.result.kind) {
        case TypeKind::BOOLEAN:
            return three_way(a.boolean, b.boolean);
        case TypeKind::FLOAT:
        case TypeKind::DOUBLE:
            if (a.real == b.real) return three_way(!std::signbit(a.real), !std::signbit(b.real));
            return three_way(a.real, b.real);
        case TypeKind::DECIMAL:
            return three_way(a.decimal, b.decimal);
        case TypeKind::STRING:
        case TypeKind::BINARY:
        case TypeKind::UUID:
        case TypeKind::FIXED: {
            int r = a.bytes.compare(b.bytes);
            return r < 0 ? -1 : (r > 0 ? 1 : 0);
        }
        default:
            return three_way(a.integer, b.integer);
    }
}

template <typename T>
std::string LittleEndian(T v) {
    std::string out(sizeof(T), '\0');
    std::memcpy(out.data(), &v, sizeof(T));  // the build targets little-endian machines only
    return out;
}

/// The single-value binary form of a partition value (spec Appendix D).
std::string PartitionBound(const PartitionColumn& c, const PartitionDatum& v) {
    switch (c.result.kind) {
        case TypeKind::BOOLEAN:
            return std::string(1, v.boolean ? '\1' : '\0');
        case TypeKind::INT:
        case TypeKind::DATE:
            return LittleEndian(static_cast<int32_t>(v.integer));
        case TypeKind::FLOAT:
            return LittleEndian(static_cast<float>(v.real));
        case TypeKind::DOUBLE:
            return LittleEndian(v.real);
        case TypeKind::DECIMAL:
            return DecimalToMinimalBytes(v.decimal);
        case TypeKind::STRING:
        case TypeKind::BINARY:
        case TypeKind::UUID:
        case TypeKind::FIXED:
            return v.bytes;
        default:  // long, time, timestamps
            return LittleEndian(v.integer);
    }
}

/// The running summary of one partition field over a manifest.
struct SummaryBuilder {
    bool contains_null = false;
    bool contains_nan = false;
    std::optional<PartitionDatum> lower;
    std::optional<PartitionDatum> upper;

    void Add(const PartitionColumn& c, const PartitionDatum& v) {
        if (v.is_null) {
            contains_null = true;
            return;
        }
        bool floating = c.result.kind == TypeKind::FLOAT || c.result.kind == TypeKind::DOUBLE;
        if (floating && std::isnan(v.real)) {
            contains_nan = true;
            return;
        }
        if (!lower || ComparePartition(c, v, *lower) < 0) lower = v;
        if (!upper || ComparePartition(c, v, *upper) > 0) upper = v;
    }

    FieldSummary Build(const PartitionColumn& c) const {
        FieldSummary s;
        s.contains_null = contains_null;
        s.contains_nan = contains_nan;  // Java writes false rather than null for every type
        if (lower) s.lower_bound = PartitionBound(c, *lower);
        if (upper) s.upper_bound = PartitionBound(c, *upper);
        return s;
    }
};

// ---- field tables --------------------------------------------------------------------------------

void WriteOptionalLong(AvroEncoder& e, const std::optional<int64_t>& v) {
    if (!v) {
        e.WriteUnionBranch(0);
        return;
    }
    e.WriteUnionBranch(1);
    e.WriteLong(*v);
}

void WriteOptionalInt(AvroEncoder& e, const std::optional<int32_t>& v) {
    if (!v) {
        e.WriteUnionBranch(0);
        return;
    }
    e.WriteUnionBranch(1);
    e.WriteInt(*v);
}

void WriteOptionalBytes(AvroEncoder& e, const std::optional<std::string>& v) {
    if (!v) {
        e.WriteUnionBranch(0);
        return;
    }
    e.WriteUnionBranch(1);
    e.WriteBytes(*v);
}

void WriteOptionalBool(AvroEncoder& e, const std::optional<bool>& v) {
    if (!v) {
        e.WriteUnionBranch(0);
        return;
    }
    e.WriteUnionBranch(1);
    e.WriteBoolean(*v);
}

/// An optional int-keyed map as an array of {key, value} records; empty is written as null.
template <typename V, typename WriteValue>
void WriteIdMap(AvroEncoder& e, const std::map<int32_t, V>& m, WriteValue write_value) {
    if (m.empty()) {
        e.WriteUnionBranch(0);
        return;
    }
    e.WriteUnionBranch(1);
    e.StartBlock(static_cast<int64_t>(m.size()));
    for (const auto& [key, value] : m) {
        e.WriteInt(key);
        write_value(value);
    }
    e.EndBlocks();
}

template <typename V, typename WriteValue>
void WriteOptionalList(AvroEncoder& e, const std::vector<V>& list, WriteValue write_value) {
    if (list.empty()) {
        e.WriteUnionBranch(0);
        return;
    }
    e.WriteUnionBranch(1);
    e.StartBlock(static_cast<int64_t>(list.size()));
    for (const V& v : list) write_value(v);
    e.EndBlocks();
}

/// One field of a record: its schema and how to encode it from a `Row`. The schema and the encoding
/// come from the same table, so they cannot drift apart.
template <typename Row>
struct Column {
    int32_t id;
    std::string name;
    std::string type_json;  ///< the non-null type
    bool optional;
    std::function<void(AvroEncoder&, const Row&)> write;
};

template <typename Row>
std::string RecordJsonOf(std::string_view name, const std::vector<Column<Row>>& columns) {
    std::vector<std::string> fields;
    fields.reserve(columns.size());
    for (const auto& c : columns) fields.push_back(FieldJson(c.id, c.name, c.type_json, c.optional));
    return RecordJson(name, fields);
}

/// A data file with its partition values checked and converted.
struct DataFileRow {
    const DataFile* file = nullptr;
    std::vector<PartitionDatum> partition;
};

std::vector<Column<DataFileRow>> DataFileColumns(int format_version, const std::vector<PartitionColumn>& partition) {
    using Row = DataFileRow;
    std::vector<Column<Row>> c;
    auto counts = [](AvroEncoder& e, const std::map<int32_t, int64_t>& m) {
        WriteIdMap(e, m, [&](int64_t v) { e.WriteLong(v); });
    };
    auto bounds = [](AvroEncoder& e, const std::map<int32_t, std::string>& m) {
        WriteIdMap(e, m, [&](const std::string& v) { e.WriteBytes(v); });
    };
    if (format_version >= 2) {
        c.push_back({134, "content", "\"int\"", false,
                     [](AvroEncoder& e, const Row& r) { e.WriteInt(static_cast<int32_t>(r.file->content)); }});
    }
    c.push_back({100, "file_path", "\"string\"", false,
                 [](AvroEncoder& e, const Row& r) { e.WriteString(r.file->file_path); }});
    c.push_back({101, "file_format", "\"string\"", false,
                 [](AvroEncoder& e, const Row& r) { e.WriteString(r.file->file_format); }});
    c.push_back({102, "partition", PartitionRecordJson(partition), false, [&partition](AvroEncoder& e, const Row& r) {
                     for (size_t i = 0; i < partition.size(); ++i) WritePartitionValue(e, partition[i], r.partition[i]);
                 }});
    c.push_back({103, "record_count", "\"long\"", false,
                 [](AvroEncoder& e, const Row& r) { e.WriteLong(r.file->record_count); }});
    c.push_back({104, "file_size_in_bytes", "\"long\"", false,
                 [](AvroEncoder& e, const Row& r) { e.WriteLong(r.file->file_size_in_bytes); }});
    if (format_version == 1) {
        c.push_back({105, "block_size_in_bytes", "\"long\"", false,
                     [](AvroEncoder& e, const Row&) { e.WriteLong(kV1BlockSize); }});
    }
    c.push_back({108, "column_sizes", IntKeyMapJson(117, 118, "\"long\""), true,
                 [counts](AvroEncoder& e, const Row& r) { counts(e, r.file->column_sizes); }});
    c.push_back({109, "value_counts", IntKeyMapJson(119, 120, "\"long\""), true,
                 [counts](AvroEncoder& e, const Row& r) { counts(e, r.file->value_counts); }});
    c.push_back({110, "null_value_counts", IntKeyMapJson(121, 122, "\"long\""), true,
                 [counts](AvroEncoder& e, const Row& r) { counts(e, r.file->null_value_counts); }});
    c.push_back({137, "nan_value_counts", IntKeyMapJson(138, 139, "\"long\""), true,
                 [counts](AvroEncoder& e, const Row& r) { counts(e, r.file->nan_value_counts); }});
    c.push_back({125, "lower_bounds", IntKeyMapJson(126, 127, "\"bytes\""), true,
                 [bounds](AvroEncoder& e, const Row& r) { bounds(e, r.file->lower_bounds); }});
    c.push_back({128, "upper_bounds", IntKeyMapJson(129, 130, "\"bytes\""), true,
                 [bounds](AvroEncoder& e, const Row& r) { bounds(e, r.file->upper_bounds); }});
    c.push_back({131, "key_metadata", "\"bytes\"", true,
                 [](AvroEncoder& e, const Row& r) { WriteOptionalBytes(e, r.file->key_metadata); }});
    c.push_back({132, "split_offsets", ListJson(133, "\"long\""), true, [](AvroEncoder& e, const Row& r) {
                     WriteOptionalList(e, r.file->split_offsets, [&](int64_t v) { e.WriteLong(v); });
                 }});
    if (format_version >= 2) {
        c.push_back({135, "equality_ids", ListJson(136, "\"int\""), true, [](AvroEncoder& e, const Row& r) {
                         WriteOptionalList(e, r.file->equality_ids, [&](int32_t v) { e.WriteInt(v); });
                     }});
    }
    c.push_back({140, "sort_order_id", "\"int\"", true,
                 [](AvroEncoder& e, const Row& r) { WriteOptionalInt(e, r.file->sort_order_id); }});
    if (format_version >= 3) {
        c.push_back({142, "first_row_id", "\"long\"", true,
                     [](AvroEncoder& e, const Row& r) { WriteOptionalLong(e, r.file->first_row_id); }});
    }
    if (format_version >= 2) {
        c.push_back({143, "referenced_data_file", "\"string\"", true,
                     [](AvroEncoder& e, const Row& r) { WriteOptionalBytes(e, r.file->referenced_data_file); }});
    }
    if (format_version >= 3) {
        c.push_back({144, "content_offset", "\"long\"", true,
                     [](AvroEncoder& e, const Row& r) { WriteOptionalLong(e, r.file->content_offset); }});
        c.push_back({145, "content_size_in_bytes", "\"long\"", true,
                     [](AvroEncoder& e, const Row& r) { WriteOptionalLong(e, r.file->content_size_in_bytes); }});
    }
    return c;
}

/// A manifest entry as written: the entry, its effective snapshot id and its checked data file.
struct EntryRow {
    const ManifestEntry* entry = nullptr;
    int64_t snapshot_id = 0;
    DataFileRow file;
};

/// The manifest_entry columns; the data_file column writes through the shared r2 columns.
std::vector<Column<EntryRow>> ManifestEntryColumns(int format_version, const std::vector<PartitionColumn>& partition) {
    auto data_file =
        std::make_shared<const std::vector<Column<DataFileRow>>>(DataFileColumns(format_version, partition));
    using Row = EntryRow;
    std::vector<Column<Row>> c;
    c.push_back({0, "status", "\"int\"", false,
                 [](AvroEncoder& e, const Row& r) { e.WriteInt(static_cast<int32_t>(r.entry->status)); }});
    // v1 requires the snapshot id; v2+ may leave it to inheritance, but Java writes it, and so do we.
    c.push_back({1, "snapshot_id", "\"long\"", format_version >= 2, [format_version](AvroEncoder& e, const Row& r) {
                     if (format_version >= 2) e.WriteUnionBranch(1);
                     e.WriteLong(r.snapshot_id);
                 }});
    if (format_version >= 2) {
        c.push_back({3, "sequence_number", "\"long\"", true,
                     [](AvroEncoder& e, const Row& r) { WriteOptionalLong(e, r.entry->sequence_number); }});
        c.push_back({4, "file_sequence_number", "\"long\"", true,
                     [](AvroEncoder& e, const Row& r) { WriteOptionalLong(e, r.entry->file_sequence_number); }});
    }
    c.push_back({2, "data_file", RecordJsonOf("r2", *data_file), false, [data_file](AvroEncoder& e, const Row& r) {
                     for (const auto& column : *data_file) column.write(e, r.file);
                 }});
    return c;
}

struct ListRow {
    const ManifestFile* manifest = nullptr;
    std::optional<int64_t> first_row_id;
};

std::string FieldSummaryJson() {
    return RecordJson(
        "r508",
        {FieldJson(509, "contains_null", "\"boolean\"", false), FieldJson(518, "contains_nan", "\"boolean\"", true),
         FieldJson(510, "lower_bound", "\"bytes\"", true), FieldJson(511, "upper_bound", "\"bytes\"", true)});
}

std::vector<Column<ListRow>> ManifestFileColumns(int format_version) {
    using Row = ListRow;
    std::vector<Column<Row>> c;
    bool v2 = format_version >= 2;
    // v2+ requires the counts; v1 has them optional (null means unknown).
    auto count = [v2](int32_t id, std::string name, std::optional<int32_t> ManifestFile::*member) {
        return Column<Row>{id, std::move(name), "\"int\"", !v2, [v2, member, id](AvroEncoder& e, const Row& r) {
                               const std::optional<int32_t>& v = r.manifest->*member;
                               if (!v2) return WriteOptionalInt(e, v);
                               if (!v) {
                                   throw InternalError("Iceberg manifest list writer: " + r.manifest->path +
                                                       " has no value for field " + std::to_string(id) +
                                                       ", which format v2+ requires");
                               }
                               e.WriteInt(*v);
                           }};
    };
    auto rows = [v2](int32_t id, std::string name, std::optional<int64_t> ManifestFile::*member) {
        return Column<Row>{id, std::move(name), "\"long\"", !v2, [v2, member, id](AvroEncoder& e, const Row& r) {
                               const std::optional<int64_t>& v = r.manifest->*member;
                               if (!v2) return WriteOptionalLong(e, v);
                               if (!v) {
                                   throw InternalError("Iceberg manifest list writer: " + r.manifest->path +
                                                       " has no value for field " + std::to_string(id) +
                                                       ", which format v2+ requires");
                               }
                               e.WriteLong(*v);
                           }};
    };
    Column<Row> partitions{507, "partitions", ListJson(508, FieldSummaryJson()), true,
                           [](AvroEncoder& e, const Row& r) {
                               const auto& p = r.manifest->partitions;
                               if (!p) {
                                   e.WriteUnionBranch(0);
                                   return;
                               }
                               e.WriteUnionBranch(1);
                               if (!p->empty()) {
                                   e.StartBlock(static_cast<int64_t>(p->size()));
                                   for (const FieldSummary& s : *p) {
                                       e.WriteBoolean(s.contains_null);
                                       WriteOptionalBool(e, s.contains_nan);
                                       WriteOptionalBytes(e, s.lower_bound);
                                       WriteOptionalBytes(e, s.upper_bound);
                                   }
                               }
                               e.EndBlocks();
                           }};

    c.push_back({500, "manifest_path", "\"string\"", false,
                 [](AvroEncoder& e, const Row& r) { e.WriteString(r.manifest->path); }});
    c.push_back({501, "manifest_length", "\"long\"", false,
                 [](AvroEncoder& e, const Row& r) { e.WriteLong(r.manifest->length); }});
    c.push_back({502, "partition_spec_id", "\"int\"", false,
                 [](AvroEncoder& e, const Row& r) { e.WriteInt(r.manifest->partition_spec_id); }});
    if (v2) {
        c.push_back({517, "content", "\"int\"", false,
                     [](AvroEncoder& e, const Row& r) { e.WriteInt(static_cast<int32_t>(r.manifest->content)); }});
        c.push_back({515, "sequence_number", "\"long\"", false,
                     [](AvroEncoder& e, const Row& r) { e.WriteLong(r.manifest->sequence_number); }});
        c.push_back({516, "min_sequence_number", "\"long\"", false,
                     [](AvroEncoder& e, const Row& r) { e.WriteLong(r.manifest->min_sequence_number); }});
    }
    c.push_back({503, "added_snapshot_id", "\"long\"", false,
                 [](AvroEncoder& e, const Row& r) { e.WriteLong(r.manifest->added_snapshot_id); }});
    c.push_back(count(504, "added_files_count", &ManifestFile::added_files_count));
    c.push_back(count(505, "existing_files_count", &ManifestFile::existing_files_count));
    c.push_back(count(506, "deleted_files_count", &ManifestFile::deleted_files_count));
    if (!v2) c.push_back(partitions);  // v1 (Java's V1Metadata) lists the summaries before the row counts
    c.push_back(rows(512, "added_rows_count", &ManifestFile::added_rows_count));
    c.push_back(rows(513, "existing_rows_count", &ManifestFile::existing_rows_count));
    c.push_back(rows(514, "deleted_rows_count", &ManifestFile::deleted_rows_count));
    if (v2) c.push_back(partitions);
    c.push_back({519, "key_metadata", "\"bytes\"", true,
                 [](AvroEncoder& e, const Row& r) { WriteOptionalBytes(e, r.manifest->key_metadata); }});
    if (format_version >= 3) {
        c.push_back({520, "first_row_id", "\"long\"", true,
                     [](AvroEncoder& e, const Row& r) { WriteOptionalLong(e, r.first_row_id); }});
    }
    return c;
}

void CheckFormatVersion(int format_version, const char* who) {
    if (format_version < 1 || format_version > 3) {
        throw InternalError(std::string("Iceberg ") + who + ": unsupported format version " +
                            std::to_string(format_version));
    }
}

/// The "partition-spec" header value: the spec's fields array alone, as Java's
/// PartitionSpecParser.toJsonFields writes it.
std::string PartitionFieldsJson(const PartitionSpec& spec) {
    std::string out = "[";
    for (size_t i = 0; i < spec.fields.size(); ++i) {
        const PartitionField& f = spec.fields[i];
        if (i) out += ",";
        out += "{\"name\":";
        AppendJsonString(out, f.name);
        out += ",\"transform\":";
        AppendJsonString(out, f.transform.ToString());
        out += ",\"source-id\":" + std::to_string(f.source_id);
        if (f.source_ids.size() > 1) {
            out += ",\"source-ids\":[";
            for (size_t j = 0; j < f.source_ids.size(); ++j) {
                if (j) out += ",";
                out += std::to_string(f.source_ids[j]);
            }
            out += "]";
        }
        out += ",\"field-id\":" + std::to_string(f.field_id) + "}";
    }
    return out + "]";
}

}  // namespace

int32_t DecimalRequiredBytes(int precision) {
    // The largest precision that n bytes hold (the spec's minBytes table), for n = 1..16.
    static constexpr int kMaxPrecision[] = {2, 4, 6, 9, 11, 14, 16, 18, 21, 23, 26, 28, 31, 33, 35, 38};
    for (int n = 0; n < 16; ++n) {
        if (precision <= kMaxPrecision[n]) return n + 1;
    }
    throw InternalError("Iceberg: decimal precision " + std::to_string(precision) + " is beyond 38");
}

std::string ManifestEntryAvroSchema(int format_version, const PartitionSpec& spec, const Schema& schema) {
    CheckFormatVersion(format_version, "manifest writer");
    std::vector<PartitionColumn> partition = PartitionColumns(spec, schema);
    return RecordJsonOf("manifest_entry", ManifestEntryColumns(format_version, partition));
}

std::string ManifestListAvroSchema(int format_version) {
    CheckFormatVersion(format_version, "manifest list writer");
    return RecordJsonOf("manifest_file", ManifestFileColumns(format_version));
}

std::string WriteManifest(const ManifestWriterOptions& options, const std::vector<ManifestEntry>& entries,
                          ManifestFile* list_entry) {
    const int version = options.format_version;
    CheckFormatVersion(version, "manifest writer");
    if (version == 1 && options.content != ManifestContent::DATA) {
        throw InternalError("Iceberg manifest writer: format v1 has no delete manifests");
    }
    std::vector<PartitionColumn> partition = PartitionColumns(options.spec, options.schema);
    std::vector<Column<EntryRow>> columns = ManifestEntryColumns(version, partition);

    std::vector<std::pair<std::string, std::string>> metadata = {
        {"schema", options.schema_json},
        {"schema-id", std::to_string(options.schema.schema_id)},
        {"partition-spec", PartitionFieldsJson(options.spec)},
        {"partition-spec-id", std::to_string(options.spec.spec_id)},
        {"format-version", std::to_string(version)},
    };
    if (version >= 2) metadata.emplace_back("content", options.content == ManifestContent::DATA ? "data" : "deletes");
    avro::AvroContainerWriter writer(RecordJsonOf("manifest_entry", columns), std::move(metadata), options.codec);

    std::vector<SummaryBuilder> summaries(partition.size());
    int32_t files[3] = {0, 0, 0};  // by EntryStatus
    int64_t rows[3] = {0, 0, 0};
    std::optional<int64_t> min_sequence_number;

    EntryRow row;
    for (size_t n = 0; n < entries.size(); ++n) {
        const ManifestEntry& entry = entries[n];
        const DataFile& file = entry.file;
        std::string where = "entry " + std::to_string(n) + " (" + file.file_path + ")";
        auto fail = [&](const std::string& problem) {
            throw InternalError("Iceberg manifest writer: " + where + ": " + problem);
        };
        auto status = static_cast<int32_t>(entry.status);
        if (status < 0 || status > 2) fail("unknown status " + std::to_string(status));
        bool is_data = file.content == DataFileContent::DATA;
        if (is_data != (options.content == ManifestContent::DATA)) {
            fail(is_data ? "a data file in a delete manifest" : "a delete file in a data manifest");
        }
        if (file.content == DataFileContent::EQUALITY_DELETES && file.equality_ids.empty()) {
            fail("an equality delete file without equality ids");
        }
        if (version < 3 && (file.content_offset || file.content_size_in_bytes)) {
            fail("deletion vector fields need format v3");
        }
        if (version >= 2 && entry.status != EntryStatus::ADDED && !entry.sequence_number) {
            fail("an EXISTING or DELETED entry needs its data sequence number (only ADDED entries inherit one)");
        }
        if (file.partition.size() != partition.size()) {
            fail(std::to_string(file.partition.size()) + " partition values for a spec of " +
                 std::to_string(partition.size()) + " fields");
        }
        row.entry = &entry;
        row.snapshot_id = entry.snapshot_id.value_or(options.snapshot_id);
        row.file.file = &file;
        row.file.partition.clear();
        for (size_t i = 0; i < partition.size(); ++i) {
            if (file.partition[i].field_id != partition[i].field_id) {
                fail("partition value " + std::to_string(i) + " is for field id " +
                     std::to_string(file.partition[i].field_id) + ", but the spec's field is " +
                     std::to_string(partition[i].field_id));
            }
            row.file.partition.push_back(CheckPartitionValue(partition[i], file.partition[i].value, where));
            summaries[i].Add(partition[i], row.file.partition.back());
        }
        for (const auto& column : columns) column.write(writer.encoder(), row);
        writer.EndObject();

        files[status] += 1;
        rows[status] += file.record_count;
        if (entry.status != EntryStatus::DELETED) {
            int64_t seq = entry.sequence_number.value_or(options.sequence_number);
            if (!min_sequence_number || seq < *min_sequence_number) min_sequence_number = seq;
        }
    }
    std::string bytes = writer.Finish();

    if (list_entry != nullptr) {
        ManifestFile m;
        m.path = options.path;
        m.length = static_cast<int64_t>(bytes.size());
        m.partition_spec_id = options.spec.spec_id;
        m.content = options.content;
        m.sequence_number = version >= 2 ? options.sequence_number : 0;
        m.min_sequence_number = version >= 2 ? min_sequence_number.value_or(options.sequence_number) : 0;
        m.added_snapshot_id = options.snapshot_id;
        m.added_files_count = files[static_cast<int>(EntryStatus::ADDED)];
        m.existing_files_count = files[static_cast<int>(EntryStatus::EXISTING)];
        m.deleted_files_count = files[static_cast<int>(EntryStatus::DELETED)];
        m.added_rows_count = rows[static_cast<int>(EntryStatus::ADDED)];
        m.existing_rows_count = rows[static_cast<int>(EntryStatus::EXISTING)];
        m.deleted_rows_count = rows[static_cast<int>(EntryStatus::DELETED)];
        m.partitions.emplace();
        for (size_t i = 0; i < partition.size(); ++i) m.partitions->push_back(summaries[i].Build(partition[i]));
        m.format_version = version;
        *list_entry = std::move(m);
    }
    return bytes;
}

std::string WriteManifestList(int format_version, int64_t snapshot_id, std::optional<int64_t> parent_snapshot_id,
                              int64_t sequence_number, std::optional<int64_t> first_row_id,
                              const std::vector<ManifestFile>& manifests, int64_t* next_row_id,
                              const std::string& codec) {
    CheckFormatVersion(format_version, "manifest list writer");
    if (format_version >= 3 && !first_row_id) {
        throw InternalError("Iceberg manifest list writer: a v3 list needs the snapshot's first row id");
    }
    std::vector<std::pair<std::string, std::string>> metadata = {
        {"snapshot-id", std::to_string(snapshot_id)},
        {"parent-snapshot-id", parent_snapshot_id ? std::to_string(*parent_snapshot_id) : "null"},
    };
    if (format_version >= 2) metadata.emplace_back("sequence-number", std::to_string(sequence_number));
    if (format_version >= 3) metadata.emplace_back("first-row-id", std::to_string(*first_row_id));
    metadata.emplace_back("format-version", std::to_string(format_version));

    std::vector<Column<ListRow>> columns = ManifestFileColumns(format_version);
    avro::AvroContainerWriter writer(RecordJsonOf("manifest_file", columns), std::move(metadata), codec);
    int64_t next = first_row_id.value_or(0);
    for (const ManifestFile& m : manifests) {
        if (format_version == 1 && m.content != ManifestContent::DATA) {
            throw InternalError("Iceberg manifest list writer: " + m.path +
                                " is a delete manifest, which format v1 cannot list");
        }
        ListRow row{&m, m.first_row_id};
        if (format_version >= 3 && m.content == ManifestContent::DATA && !m.first_row_id) {
            if (!m.added_rows_count || !m.existing_rows_count) {
                throw InternalError("Iceberg manifest list writer: " + m.path +
                                    " needs its added and existing row counts to be given row ids");
            }
            row.first_row_id = next;
            if (__builtin_add_overflow(next, *m.added_rows_count + *m.existing_rows_count, &next)) {
                throw InternalError("Iceberg manifest list writer: row ids overflow a long");
            }
        }
        if (format_version < 3) row.first_row_id.reset();
        for (const auto& column : columns) column.write(writer.encoder(), row);
        writer.EndObject();
    }
    if (next_row_id != nullptr && first_row_id) *next_row_id = format_version >= 3 ? next : *first_row_id;
    return writer.Finish();
}

}  // namespace floe::iceberg
