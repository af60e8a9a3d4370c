#include "lake/iceberg/iceberg_types.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "common/exception.h"
#include "lake/iceberg/json_object_reader.h"

namespace floe::iceberg {

namespace {

struct PrimitiveName {
    std::string_view name;
    TypeKind kind;
};

constexpr PrimitiveName kPrimitiveNames[] = {
    {"boolean", TypeKind::BOOLEAN},
    {"int", TypeKind::INT},
    {"long", TypeKind::LONG},
    {"float", TypeKind::FLOAT},
    {"double", TypeKind::DOUBLE},
    {"date", TypeKind::DATE},
    {"time", TypeKind::TIME},
    {"timestamp", TypeKind::TIMESTAMP},
    {"timestamptz", TypeKind::TIMESTAMPTZ},
    {"timestamp_ns", TypeKind::TIMESTAMP_NS},
    {"timestamptz_ns", TypeKind::TIMESTAMPTZ_NS},
    {"string", TypeKind::STRING},
    {"uuid", TypeKind::UUID},
    {"binary", TypeKind::BINARY},
    {"unknown", TypeKind::UNKNOWN},
    {"variant", TypeKind::VARIANT},
    {"geometry", TypeKind::GEOMETRY},
    {"geography", TypeKind::GEOGRAPHY},
};

std::string_view Trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

std::optional<int64_t> ParseNumber(std::string_view s) {
    s = Trim(s);
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

const NestedField* FindIn(const std::vector<NestedField>& fields, int32_t id, int depth) {
    if (depth > kMaxTypeDepth) return nullptr;
    for (const NestedField& f : fields) {
        if (f.id == id) return &f;
        if (const NestedField* found = FindIn(f.type.fields, id, depth + 1)) return found;
    }
    return nullptr;
}

int32_t HighestIn(const std::vector<NestedField>& fields) {
    int32_t best = 0;
    for (const NestedField& f : fields) best = std::max({best, f.id, HighestIn(f.type.fields)});
    return best;
}

std::string FieldsToString(const std::vector<NestedField>& fields) {
    std::string out;
    for (size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ", ";
        out += std::to_string(fields[i].id) + ": " + fields[i].name + ": " +
               (fields[i].required ? "required " : "optional ") + fields[i].type.ToString();
    }
    return out;
}

NestedField ParseField(const JsonObjectReader& json, const std::string& id_key, const std::string& name,
                       const std::string& type_key, bool required, int depth) {
    NestedField f;
    f.id = json.Int32(id_key);
    f.name = name;
    f.required = required;
    f.type = ParseTypeJson(json.Required(type_key), json.what(), depth + 1);
    return f;
}

std::vector<NestedField> ParseStructFields(const JsonObjectReader& json, int depth) {
    std::vector<NestedField> fields;
    size_t i = 0;
    for (simdjson::dom::element e : json.Array("fields")) {
        JsonObjectReader field(e, json.what(), json.Path("fields") + "[" + std::to_string(i++) + "]");
        NestedField f;
        f.id = field.Int32("id");
        f.name = field.String("name");
        f.required = field.Bool("required");
        f.type = ParseTypeJson(field.Required("type"), json.what(), depth + 1);
        f.doc = field.OptionalString("doc").value_or("");
        // A null default is the same as none (spec "Default values").
        if (auto d = field.FindNonNull("initial-default")) f.initial_default_json = simdjson::minify(*d);
        if (auto d = field.FindNonNull("write-default")) f.write_default_json = simdjson::minify(*d);
        fields.push_back(std::move(f));
    }
    return fields;
}

}  // namespace

Type Type::Primitive(TypeKind kind) {
    Type t;
    t.kind = kind;
    return t;
}

Type Type::Decimal(int precision, int scale) {
    Type t = Primitive(TypeKind::DECIMAL);
    t.precision = precision;
    t.scale = scale;
    return t;
}

Type Type::Fixed(int64_t length) {
    Type t = Primitive(TypeKind::FIXED);
    t.length = length;
    return t;
}

const NestedField& Type::element() const {
    if (kind != TypeKind::LIST || fields.size() != 1)
        throw InternalError("Iceberg type " + ToString() + " is not a list");
    return fields[0];
}

const NestedField& Type::key() const {
    if (kind != TypeKind::MAP || fields.size() != 2)
        throw InternalError("Iceberg type " + ToString() + " is not a map");
    return fields[0];
}

const NestedField& Type::value() const {
    if (kind != TypeKind::MAP || fields.size() != 2)
        throw InternalError("Iceberg type " + ToString() + " is not a map");
    return fields[1];
}

std::string Type::ToString() const {
    switch (kind) {
        case TypeKind::DECIMAL:
            return "decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
        case TypeKind::FIXED:
            return "fixed[" + std::to_string(length) + "]";
        case TypeKind::GEOMETRY:
        case TypeKind::GEOGRAPHY: {
            std::string name = kind == TypeKind::GEOMETRY ? "geometry" : "geography";
            return geo_params.empty() ? name : name + "(" + geo_params + ")";
        }
        case TypeKind::STRUCT:
            return "struct<" + FieldsToString(fields) + ">";
        case TypeKind::LIST:
            return "list<" + (fields.empty() ? std::string("?") : fields[0].type.ToString()) + ">";
        case TypeKind::MAP:
            return "map<" + (fields.size() == 2 ? fields[0].type.ToString() + ", " + fields[1].type.ToString() : "?") +
                   ">";
        default:
            for (const PrimitiveName& p : kPrimitiveNames) {
                if (p.kind == kind) return std::string(p.name);
            }
            return "?";
    }
}

bool Type::operator==(const Type& other) const {
    return kind == other.kind && precision == other.precision && scale == other.scale && length == other.length &&
           geo_params == other.geo_params && fields == other.fields;
}

bool NestedField::operator==(const NestedField& other) const {
    return id == other.id && name == other.name && required == other.required && type == other.type;
}

const NestedField* Schema::FindField(int32_t id) const {
    return FindIn(fields, id, 0);
}

const NestedField* Schema::FindTopLevel(std::string_view name) const {
    const NestedField* folded = nullptr;
    for (const NestedField& f : fields) {
        if (f.name == name) return &f;
        if (!folded && f.name.size() == name.size() &&
            std::equal(f.name.begin(), f.name.end(), name.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            })) {
            folded = &f;
        }
    }
    return folded;
}

int32_t Schema::HighestFieldId() const {
    return HighestIn(fields);
}

LogicalType ToFloeType(const Type& type) {
    switch (type.kind) {
        case TypeKind::BOOLEAN:
            return TypeId::BOOLEAN;
        case TypeKind::INT:
            return TypeId::INT;
        case TypeKind::LONG:
            return TypeId::BIGINT;
        case TypeKind::FLOAT:
            return TypeId::FLOAT;
        case TypeKind::DOUBLE:
            return TypeId::DOUBLE;
        case TypeKind::DECIMAL:
            return LogicalType::Decimal(static_cast<uint8_t>(type.precision), static_cast<uint8_t>(type.scale));
        case TypeKind::DATE:
            return TypeId::DATE;
        case TypeKind::TIMESTAMP:
        case TypeKind::TIMESTAMPTZ:
        case TypeKind::TIMESTAMP_NS:
        case TypeKind::TIMESTAMPTZ_NS: {
            LogicalType t(TypeId::DATETIME);
            t.scale = 6;
            return t;
        }
        case TypeKind::TIME:
        case TypeKind::STRING:
        case TypeKind::UUID:
        case TypeKind::FIXED:
        case TypeKind::BINARY:
            return LogicalType::Varchar();
        case TypeKind::STRUCT:
        case TypeKind::LIST:
        case TypeKind::MAP:
        case TypeKind::VARIANT:
            return TypeId::JSON;
        case TypeKind::UNKNOWN:
            return TypeId::NULL_TYPE;
        case TypeKind::GEOMETRY:
        case TypeKind::GEOGRAPHY:
            return LogicalType::Varchar();  // WKB bytes
    }
    return TypeId::NULL_TYPE;
}

std::optional<Type> ParsePrimitiveType(std::string_view name) {
    name = Trim(name);
    for (const PrimitiveName& p : kPrimitiveNames) {
        if (name == p.name) return Type::Primitive(p.kind);
    }
    auto open = name.find('(');
    if (open != std::string_view::npos && name.back() == ')') {
        std::string_view head = Trim(name.substr(0, open));
        std::string_view args = name.substr(open + 1, name.size() - open - 2);
        if (head == "decimal") {
            auto comma = args.find(',');
            if (comma == std::string_view::npos) return std::nullopt;
            auto p = ParseNumber(args.substr(0, comma));
            auto s = ParseNumber(args.substr(comma + 1));
            // Floe's DECIMAL holds up to 38 digits, as does Iceberg's.
            if (!p || !s || *p < 1 || *p > 38 || *s < 0 || *s > *p) return std::nullopt;
            return Type::Decimal(static_cast<int>(*p), static_cast<int>(*s));
        }
        if (head == "geometry" || head == "geography") {
            Type t = Type::Primitive(head == "geometry" ? TypeKind::GEOMETRY : TypeKind::GEOGRAPHY);
            t.geo_params = std::string(Trim(args));
            return t;
        }
        return std::nullopt;
    }
    if (name.substr(0, 6) == "fixed[" && name.back() == ']') {
        auto len = ParseNumber(name.substr(6, name.size() - 7));
        if (!len || *len < 0 || *len > INT32_MAX) return std::nullopt;
        return Type::Fixed(*len);
    }
    return std::nullopt;
}

Type ParseTypeJson(simdjson::dom::element json, const std::string& what, int depth) {
    if (depth > kMaxTypeDepth) {
        throw IOError("'" + what + "': a type is nested more than " + std::to_string(kMaxTypeDepth) + " levels deep");
    }
    std::string_view name;
    if (json.get_string().get(name) == simdjson::SUCCESS) {
        auto t = ParsePrimitiveType(name);
        if (!t) throw IOError("'" + what + "': unknown Iceberg type '" + std::string(name) + "'");
        return *t;
    }
    JsonObjectReader obj(json, what, "type");
    std::string kind = obj.String("type");
    Type t;
    if (kind == "struct") {
        t.kind = TypeKind::STRUCT;
        t.fields = ParseStructFields(obj, depth);
    } else if (kind == "list") {
        t.kind = TypeKind::LIST;
        t.fields.push_back(ParseField(obj, "element-id", "element", "element", obj.Bool("element-required"), depth));
    } else if (kind == "map") {
        t.kind = TypeKind::MAP;
        t.fields.push_back(ParseField(obj, "key-id", "key", "key", true, depth));
        t.fields.push_back(ParseField(obj, "value-id", "value", "value", obj.Bool("value-required"), depth));
    } else {
        throw IOError("'" + what + "': unknown nested Iceberg type '" + kind + "'");
    }
    return t;
}

Schema ParseSchemaJson(simdjson::dom::element json, const std::string& what, int32_t default_schema_id) {
    JsonObjectReader obj(json, what, "schema");
    std::string kind = obj.String("type");
    if (kind != "struct") throw obj.Error("a schema must have type 'struct', not '" + kind + "'");
    Schema schema;
    schema.schema_id = obj.OptionalInt32("schema-id").value_or(default_schema_id);
    if (auto ids = obj.OptionalArray("identifier-field-ids")) {
        for (simdjson::dom::element e : *ids) {
            int64_t id = obj.AsInt(e, "identifier-field-ids");
            schema.identifier_field_ids.push_back(static_cast<int32_t>(id));
        }
    }
    schema.fields = ParseStructFields(obj, 0);
    return schema;
}

Schema ParseSchemaJson(std::string_view json_text, const std::string& what) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (auto err = parser.parse(json_text.data(), json_text.size()).get(doc); err) {
        throw IOError("'" + what + "': the schema is not valid JSON (" + simdjson::error_message(err) + ")");
    }
    return ParseSchemaJson(doc, what);
}

Type FromFloeType(const LogicalType& type, const std::string& column) {
    switch (type.id) {
        case TypeId::BOOLEAN:
            return Type::Primitive(TypeKind::BOOLEAN);
        case TypeId::TINYINT:
        case TypeId::SMALLINT:
        case TypeId::INT:
            return Type::Primitive(TypeKind::INT);
        case TypeId::BIGINT:
            return Type::Primitive(TypeKind::LONG);
        case TypeId::LARGEINT:
            return Type::Decimal(38, 0);
        case TypeId::FLOAT:
            return Type::Primitive(TypeKind::FLOAT);
        case TypeId::DOUBLE:
            return Type::Primitive(TypeKind::DOUBLE);
        case TypeId::DECIMAL:
            return Type::Decimal(type.precision, type.scale);
        case TypeId::DATE:
            return Type::Primitive(TypeKind::DATE);
        case TypeId::DATETIME:
            return Type::Primitive(TypeKind::TIMESTAMP);
        case TypeId::VARCHAR:
        case TypeId::JSON:
        case TypeId::NULL_TYPE:
            return Type::Primitive(TypeKind::STRING);
        default:
            throw NotSupportedError("column '" + column + "' has type " + type.ToString() +
                                    ", which Floe cannot store in an Iceberg table yet");
    }
}

}  // namespace floe::iceberg
