#include "lake/avro/avro_reader.h"

#include <simdjson.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#include "common/exception.h"

namespace floe::avro {

namespace {

constexpr std::string_view kMagic("Obj\x01", 4);
constexpr std::string_view kEncryptedMagic("AGS1", 4);
constexpr size_t kSyncSize = 16;

[[noreturn]] void Fail(const std::string& what, const std::string& problem) {
    throw IOError(what + ": " + problem);
}

/// Reads Avro's binary encoding from a byte range. `where` completes error messages ("the header",
/// "block 3").
class Decoder {
  public:
    Decoder(std::string_view data, const std::string& what, std::string where)
        : data_(data), what_(what), where_(std::move(where)) {}

    size_t remaining() const { return data_.size() - pos_; }
    size_t position() const { return pos_; }

    [[noreturn]] void Error(const std::string& problem) const {
        Fail(what_, where_ + ", byte " + std::to_string(pos_) + ": " + problem);
    }

    /// A zig-zag varint of at most 10 bytes. A 10th byte of 2 or 3 makes a 65-bit zig-zag value, which
    /// writers with arbitrary-precision integers (python-avro) produce for unsigned 64-bit ids of 2^63
    /// and more: it reads as the 64 bits of that unsigned value, as the table metadata reader reads
    /// such ids from JSON.
    int64_t ReadLong() {
        uint64_t value = 0;
        for (int i = 0; i < 10; ++i) {
            if (pos_ >= data_.size()) Error("truncated varint (the data ends inside a number)");
            auto byte = static_cast<uint8_t>(data_[pos_++]);
            if (i == 9) {
                if (byte > 3) Error("varint longer than 10 bytes or beyond 64 bits");
                value |= static_cast<uint64_t>(byte & 1) << 63;
                if (byte & 2) return static_cast<int64_t>((value >> 1) | (uint64_t{1} << 63));
                break;
            }
            value |= static_cast<uint64_t>(byte & 0x7F) << (7 * i);
            if ((byte & 0x80) == 0) break;
        }
        return static_cast<int64_t>((value >> 1) ^ (~(value & 1) + 1));
    }

    int32_t ReadInt() {
        int64_t v = ReadLong();
        if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
            Error("int value " + std::to_string(v) + " is out of the 32-bit range");
        }
        return static_cast<int32_t>(v);
    }

    std::string_view ReadFixed(uint64_t n) {
        if (n > remaining()) {
            Error("a value of " + std::to_string(n) + " bytes goes beyond the end (" + std::to_string(remaining()) +
                  " bytes remain)");
        }
        std::string_view out = data_.substr(pos_, n);
        pos_ += n;
        return out;
    }

    std::string_view ReadBytes() {
        int64_t n = ReadLong();
        if (n < 0) Error("negative length " + std::to_string(n));
        return ReadFixed(static_cast<uint64_t>(n));
    }

    uint64_t ReadLittleEndian(int n) {
        std::string_view b = ReadFixed(n);
        uint64_t v = 0;
        for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[i]);
        return v;
    }

    /// Reads the count of the next array or map block: 0 ends the value. A negative count is
    /// followed by the block's byte size, which is checked and otherwise ignored.
    uint64_t ReadBlockCount() {
        int64_t count = ReadLong();
        if (count >= 0) return static_cast<uint64_t>(count);
        if (count == std::numeric_limits<int64_t>::min()) Error("invalid block count " + std::to_string(count));
        int64_t size = ReadLong();
        if (size < 0 || static_cast<uint64_t>(size) > remaining()) {
            Error("block byte size " + std::to_string(size) + " does not fit the remaining " +
                  std::to_string(remaining()) + " bytes");
        }
        return static_cast<uint64_t>(-count);
    }

  private:
    std::string_view data_;
    size_t pos_ = 0;
    const std::string& what_;
    std::string where_;
};

bool IsPrimitiveName(std::string_view name, AvroType& type) {
    static constexpr std::pair<std::string_view, AvroType> kPrimitives[] = {
        {"null", AvroType::NULL_TYPE}, {"boolean", AvroType::BOOLEAN}, {"int", AvroType::INT},
        {"long", AvroType::LONG},      {"float", AvroType::FLOAT},     {"double", AvroType::DOUBLE},
        {"bytes", AvroType::BYTES},    {"string", AvroType::STRING},
    };
    for (const auto& [n, t] : kPrimitives) {
        if (n == name) {
            type = t;
            return true;
        }
    }
    return false;
}

size_t SaturatingAdd(size_t a, size_t b) {
    return a > std::numeric_limits<size_t>::max() - b ? a : a + b;
}

}  // namespace

std::string_view AvroTypeName(AvroType type) {
    switch (type) {
        case AvroType::NULL_TYPE:
            return "null";
        case AvroType::BOOLEAN:
            return "boolean";
        case AvroType::INT:
            return "int";
        case AvroType::LONG:
            return "long";
        case AvroType::FLOAT:
            return "float";
        case AvroType::DOUBLE:
            return "double";
        case AvroType::BYTES:
            return "bytes";
        case AvroType::STRING:
            return "string";
        case AvroType::RECORD:
            return "record";
        case AvroType::ENUM:
            return "enum";
        case AvroType::ARRAY:
            return "array";
        case AvroType::MAP:
            return "map";
        case AvroType::UNION:
            return "union";
        case AvroType::FIXED:
            return "fixed";
    }
    return "?";
}

int AvroNode::FindFieldById(int32_t field_id) const {
    for (size_t i = 0; i < fields.size(); ++i) {
        if (fields[i].field_id == field_id) return static_cast<int>(i);
    }
    return -1;
}

int AvroNode::FindFieldByName(std::string_view field_name) const {
    for (size_t i = 0; i < fields.size(); ++i) {
        if (fields[i].name == field_name) return static_cast<int>(i);
    }
    return -1;
}

int AvroNode::NullBranch() const {
    if (type != AvroType::UNION) return -1;
    for (size_t i = 0; i < branches.size(); ++i) {
        if (branches[i]->type == AvroType::NULL_TYPE) return static_cast<int>(i);
    }
    return -1;
}

const AvroNode& AvroNode::NonNull() const {
    if (type != AvroType::UNION || branches.size() != 2) return *this;
    if (branches[0]->type == AvroType::NULL_TYPE) return *branches[1];
    if (branches[1]->type == AvroType::NULL_TYPE) return *branches[0];
    return *this;
}

const Datum* Datum::FieldById(const AvroNode& schema, int32_t field_id) const {
    if (kind != Kind::RECORD) return nullptr;
    int i = schema.FindFieldById(field_id);
    if (i < 0 || static_cast<size_t>(i) >= items.size()) return nullptr;
    return &items[i];
}

const Datum* Datum::FieldByName(const AvroNode& schema, std::string_view field_name) const {
    if (kind != Kind::RECORD) return nullptr;
    int i = schema.FindFieldByName(field_name);
    if (i < 0 || static_cast<size_t>(i) >= items.size()) return nullptr;
    return &items[i];
}

const AvroNode* AvroSchema::FindNamed(std::string_view full_name) const {
    auto it = named_.find(full_name);
    return it == named_.end() ? nullptr : it->second;
}

// ---------------------------------------------------------------------------------------------
// Schema parsing
// ---------------------------------------------------------------------------------------------

/// Builds an AvroSchema from its JSON form. Named types may be referenced only after (or, for a
/// record's own fields, inside) their definition.
class SchemaParser {
  public:
    SchemaParser(AvroSchema& schema, const std::string& what) : schema_(schema), what_(what) {}

    const AvroNode* Parse(simdjson::dom::element e, const std::string& enclosing_namespace, int depth) {
        if (depth > kMaxDepth) Error("the schema nests deeper than " + std::to_string(kMaxDepth) + " levels");
        switch (e.type()) {
            case simdjson::dom::element_type::STRING:
                return ParseName(String(e, "a type name"), enclosing_namespace);
            case simdjson::dom::element_type::ARRAY:
                return ParseUnion(e.get_array().value_unsafe(), enclosing_namespace, depth);
            case simdjson::dom::element_type::OBJECT:
                return ParseObject(e.get_object().value_unsafe(), enclosing_namespace, depth);
            default:
                Error("a schema must be a type name, an object or a union array");
        }
    }

  private:
    [[noreturn]] void Error(const std::string& problem) const { Fail(what_, "invalid Avro schema: " + problem); }

    AvroNode* NewNode(AvroType type) {
        schema_.nodes_.push_back(std::make_unique<AvroNode>());
        AvroNode* node = schema_.nodes_.back().get();
        node->type = type;
        return node;
    }

    std::string_view String(simdjson::dom::element e, const char* role) const {
        std::string_view s;
        if (e.get_string().get(s) != simdjson::SUCCESS) Error(std::string(role) + " must be a string");
        return s;
    }

    std::optional<simdjson::dom::element> Attribute(simdjson::dom::object o, std::string_view key) const {
        simdjson::dom::element e;
        if (o[key].get(e) != simdjson::SUCCESS) return std::nullopt;
        return e;
    }

    /// An integer attribute such as "field-id" or "size"; absent → nullopt.
    std::optional<int64_t> IntAttribute(simdjson::dom::object o, std::string_view key) const {
        auto e = Attribute(o, key);
        if (!e) return std::nullopt;
        int64_t v = 0;
        if (e->get_int64().get(v) != simdjson::SUCCESS)
            Error("attribute \"" + std::string(key) + "\" must be an integer");
        return v;
    }

    std::optional<int32_t> IdAttribute(simdjson::dom::object o, std::string_view key) const {
        auto v = IntAttribute(o, key);
        if (!v) return std::nullopt;
        if (*v < std::numeric_limits<int32_t>::min() || *v > std::numeric_limits<int32_t>::max()) {
            Error("\"" + std::string(key) + "\" " + std::to_string(*v) + " is out of the int range");
        }
        return static_cast<int32_t>(*v);
    }

    const AvroNode* ParseName(std::string_view name, const std::string& enclosing_namespace) {
        AvroType type;
        if (IsPrimitiveName(name, type)) {
            AvroNode* node = NewNode(type);
            node->min_encoded_size = PrimitiveSize(type);
            return node;
        }
        if (name.find('.') == std::string_view::npos && !enclosing_namespace.empty()) {
            if (const AvroNode* n = schema_.FindNamed(enclosing_namespace + "." + std::string(name))) return n;
        }
        if (const AvroNode* n = schema_.FindNamed(name)) return n;
        Error("unknown type name '" + std::string(name) + "' (a named type must be defined before it is used)");
    }

    static size_t PrimitiveSize(AvroType type) {
        switch (type) {
            case AvroType::NULL_TYPE:
                return 0;
            case AvroType::FLOAT:
                return 4;
            case AvroType::DOUBLE:
                return 8;
            default:
                return 1;
        }
    }

    const AvroNode* ParseUnion(simdjson::dom::array a, const std::string& ns, int depth) {
        AvroNode* node = NewNode(AvroType::UNION);
        node->min_encoded_size = 1;
        for (simdjson::dom::element b : a) {
            const AvroNode* branch = Parse(b, ns, depth + 1);
            if (branch->type == AvroType::UNION) Error("a union may not directly contain another union");
            node->branches.push_back(branch);
        }
        if (node->branches.empty()) Error("a union must have at least one branch");
        return node;
    }

    /// Registers a named type under its full name; returns the namespace its children inherit.
    std::string Register(AvroNode* node, simdjson::dom::object o, const std::string& enclosing_namespace) {
        auto name_attr = Attribute(o, "name");
        if (!name_attr) Error(std::string(AvroTypeName(node->type)) + " without a \"name\"");
        std::string name(String(*name_attr, "\"name\""));
        if (name.empty()) Error(std::string(AvroTypeName(node->type)) + " with an empty name");
        std::string ns;
        if (size_t dot = name.rfind('.'); dot != std::string::npos) {
            ns = name.substr(0, dot);
        } else {
            if (auto ns_attr = Attribute(o, "namespace"); ns_attr && !ns_attr->is_null()) {
                ns = std::string(String(*ns_attr, "\"namespace\""));
            } else {
                ns = enclosing_namespace;
            }
            if (!ns.empty()) name = ns + "." + name;
        }
        AvroType ignored;
        if (IsPrimitiveName(name, ignored)) Error("a named type may not be called '" + name + "'");
        if (!schema_.named_.emplace(name, node).second) Error("the type name '" + name + "' is defined twice");
        node->name = name;
        return ns;
    }

    const AvroNode* ParseObject(simdjson::dom::object o, const std::string& ns, int depth) {
        auto type_attr = Attribute(o, "type");
        if (!type_attr) Error("an object schema has no \"type\"");
        std::string_view logical;
        if (auto l = Attribute(o, "logicalType")) logical = String(*l, "\"logicalType\"");

        if (!type_attr->is_string()) {
            // {"type": {...}} or {"type": [...]}: the nested schema itself.
            return Parse(*type_attr, ns, depth + 1);
        }
        std::string_view type_name = String(*type_attr, "\"type\"");
        AvroType primitive;
        AvroNode* node = nullptr;
        if (IsPrimitiveName(type_name, primitive)) {
            node = NewNode(primitive);
            node->min_encoded_size = PrimitiveSize(primitive);
        } else if (type_name == "record" || type_name == "error") {
            node = NewNode(AvroType::RECORD);
            std::string inner_ns = Register(node, o, ns);
            auto fields = Attribute(o, "fields");
            simdjson::dom::array field_array;
            if (!fields || fields->get_array().get(field_array) != simdjson::SUCCESS) {
                Error("record '" + node->name + "' has no \"fields\" array");
            }
            size_t min_size = 0;
            for (simdjson::dom::element f : field_array) {
                simdjson::dom::object fo;
                if (f.get_object().get(fo) != simdjson::SUCCESS)
                    Error("a field of '" + node->name + "' is not an object");
                AvroField field;
                auto fname = Attribute(fo, "name");
                if (!fname) Error("a field of '" + node->name + "' has no \"name\"");
                field.name = std::string(String(*fname, "a field name"));
                auto ftype = Attribute(fo, "type");
                if (!ftype) Error("field '" + field.name + "' of '" + node->name + "' has no \"type\"");
                field.type = Parse(*ftype, inner_ns, depth + 1);
                field.field_id = IdAttribute(fo, "field-id");
                min_size = SaturatingAdd(min_size, field.type->min_encoded_size);
                node->fields.push_back(std::move(field));
            }
            node->min_encoded_size = min_size;
        } else if (type_name == "enum") {
            node = NewNode(AvroType::ENUM);
            Register(node, o, ns);
            auto symbols = Attribute(o, "symbols");
            simdjson::dom::array symbol_array;
            if (!symbols || symbols->get_array().get(symbol_array) != simdjson::SUCCESS) {
                Error("enum '" + node->name + "' has no \"symbols\" array");
            }
            for (simdjson::dom::element s : symbol_array) node->symbols.emplace_back(String(s, "an enum symbol"));
            node->min_encoded_size = 1;
        } else if (type_name == "array") {
            node = NewNode(AvroType::ARRAY);
            auto items = Attribute(o, "items");
            if (!items) Error("an array schema has no \"items\"");
            node->items = Parse(*items, ns, depth + 1);
            node->element_id = IdAttribute(o, "element-id");
            node->min_encoded_size = 1;
        } else if (type_name == "map") {
            node = NewNode(AvroType::MAP);
            auto values = Attribute(o, "values");
            if (!values) Error("a map schema has no \"values\"");
            node->items = Parse(*values, ns, depth + 1);
            node->key_id = IdAttribute(o, "key-id");
            node->value_id = IdAttribute(o, "value-id");
            node->min_encoded_size = 1;
        } else if (type_name == "fixed") {
            node = NewNode(AvroType::FIXED);
            Register(node, o, ns);
            auto size = IntAttribute(o, "size");
            if (!size || *size < 0 || *size > std::numeric_limits<int32_t>::max()) {
                Error("fixed '" + node->name + "' needs a non-negative \"size\"");
            }
            node->fixed_size = *size;
            node->min_encoded_size = static_cast<size_t>(*size);
        } else {
            // {"type": "SomeNamedType"}: a reference. Annotations on a reference are ignored.
            return ParseName(type_name, ns);
        }
        node->logical_type = std::string(logical);
        if (auto p = IntAttribute(o, "precision"))
            node->precision = static_cast<int>(std::clamp<int64_t>(*p, -1, 1 << 20));
        if (auto s = IntAttribute(o, "scale")) node->scale = static_cast<int>(std::clamp<int64_t>(*s, -1, 1 << 20));
        return node;
    }

    AvroSchema& schema_;
    const std::string& what_;
};

AvroSchema AvroSchema::Parse(std::string_view json, const std::string& what) {
    simdjson::dom::parser parser;
    simdjson::padded_string padded(json);
    simdjson::dom::element root;
    if (auto error = parser.parse(padded).get(root); error != simdjson::SUCCESS) {
        Fail(what, std::string("the Avro schema is not valid JSON: ") + simdjson::error_message(error));
    }
    AvroSchema schema;
    SchemaParser p(schema, what);
    schema.root_ = p.Parse(root, "", 1);
    return schema;
}

// ---------------------------------------------------------------------------------------------
// Value decoding
// ---------------------------------------------------------------------------------------------

namespace {

struct ValueDecoder {
    Decoder& in;
    size_t values = 0;

    void Count(uint64_t n) {
        if (n > kMaxValuesPerObject - values) {
            in.Error("one object holds more than " + std::to_string(kMaxValuesPerObject) + " values");
        }
        values += n;
    }

    /// Refuses a count of elements whose minimal encodings cannot fit in the remaining bytes.
    void CheckFits(uint64_t count, size_t min_size) {
        if (min_size > 0 && count > in.remaining() / min_size) {
            in.Error("a block of " + std::to_string(count) + " elements cannot fit the remaining " +
                     std::to_string(in.remaining()) + " bytes");
        }
        Count(count);
    }

    void Decode(const AvroNode& node, Datum& out, int depth) {
        if (depth > kMaxDepth) in.Error("values nested deeper than " + std::to_string(kMaxDepth) + " levels");
        out.union_branch = -1;
        switch (node.type) {
            case AvroType::NULL_TYPE:
                out.kind = Datum::Kind::NULL_VALUE;
                return;
            case AvroType::BOOLEAN: {
                auto b = static_cast<uint8_t>(in.ReadFixed(1)[0]);
                if (b > 1) in.Error("boolean byte " + std::to_string(b) + " is neither 0 nor 1");
                out.kind = Datum::Kind::BOOLEAN;
                out.boolean = b == 1;
                return;
            }
            case AvroType::INT:
                out.kind = Datum::Kind::INT;
                out.integer = in.ReadInt();
                return;
            case AvroType::LONG:
                out.kind = Datum::Kind::LONG;
                out.integer = in.ReadLong();
                return;
            case AvroType::FLOAT:
                out.kind = Datum::Kind::FLOAT;
                out.real = std::bit_cast<float>(static_cast<uint32_t>(in.ReadLittleEndian(4)));
                return;
            case AvroType::DOUBLE:
                out.kind = Datum::Kind::DOUBLE;
                out.real = std::bit_cast<double>(in.ReadLittleEndian(8));
                return;
            case AvroType::BYTES:
            case AvroType::STRING:
                out.kind = node.type == AvroType::BYTES ? Datum::Kind::BYTES : Datum::Kind::STRING;
                out.bytes.assign(in.ReadBytes());
                return;
            case AvroType::FIXED:
                out.kind = Datum::Kind::FIXED;
                out.bytes.assign(in.ReadFixed(static_cast<uint64_t>(node.fixed_size)));
                return;
            case AvroType::ENUM: {
                int32_t index = in.ReadInt();
                if (index < 0 || static_cast<size_t>(index) >= node.symbols.size()) {
                    in.Error("enum index " + std::to_string(index) + " is out of range for '" + node.name + "' (" +
                             std::to_string(node.symbols.size()) + " symbols)");
                }
                out.kind = Datum::Kind::ENUM;
                out.integer = index;
                out.bytes = node.symbols[index];
                return;
            }
            case AvroType::RECORD:
                out.kind = Datum::Kind::RECORD;
                Count(node.fields.size());
                out.items.clear();
                out.items.resize(node.fields.size());
                for (size_t i = 0; i < node.fields.size(); ++i) Decode(*node.fields[i].type, out.items[i], depth + 1);
                return;
            case AvroType::ARRAY: {
                out.kind = Datum::Kind::ARRAY;
                out.items.clear();
                while (uint64_t count = in.ReadBlockCount()) {
                    CheckFits(count, node.items->min_encoded_size);
                    size_t start = out.items.size();
                    out.items.resize(start + count);
                    for (size_t i = start; i < out.items.size(); ++i) Decode(*node.items, out.items[i], depth + 1);
                }
                return;
            }
            case AvroType::MAP: {
                out.kind = Datum::Kind::MAP;
                out.entries.clear();
                while (uint64_t count = in.ReadBlockCount()) {
                    CheckFits(count, SaturatingAdd(1, node.items->min_encoded_size));
                    size_t start = out.entries.size();
                    out.entries.resize(start + count);
                    for (size_t i = start; i < out.entries.size(); ++i) {
                        out.entries[i].key.assign(in.ReadBytes());
                        Decode(*node.items, out.entries[i].value, depth + 1);
                    }
                }
                return;
            }
            case AvroType::UNION: {
                int64_t branch = in.ReadLong();
                if (branch < 0 || static_cast<uint64_t>(branch) >= node.branches.size()) {
                    in.Error("union branch " + std::to_string(branch) + " is out of range (" +
                             std::to_string(node.branches.size()) + " branches)");
                }
                Decode(*node.branches[branch], out, depth + 1);
                out.union_branch = static_cast<int32_t>(branch);
                return;
            }
        }
    }
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Container
// ---------------------------------------------------------------------------------------------

AvroContainerReader::AvroContainerReader(std::string bytes, std::string what)
    : bytes_(std::move(bytes)), what_(std::move(what)) {
    std::string_view file(bytes_);
    if (file.substr(0, 4) == kEncryptedMagic) {
        Fail(what_, "the file is encrypted (AES-GCM stream, magic AGS1); encrypted Iceberg metadata is not supported");
    }
    if (file.size() < kMagic.size() || file.substr(0, 4) != kMagic) {
        Fail(what_, "not an Avro object container file (the magic \"Obj\\x01\" is missing)");
    }
    Decoder header(file.substr(kMagic.size()), what_, "the header");
    while (uint64_t count = header.ReadBlockCount()) {
        if (count > header.remaining() / 2)
            header.Error("metadata count " + std::to_string(count) + " exceeds the file");
        for (uint64_t i = 0; i < count; ++i) {
            std::string key(header.ReadBytes());
            std::string value(header.ReadBytes());
            metadata_.insert_or_assign(std::move(key), std::move(value));
        }
    }
    if (header.remaining() < kSyncSize) header.Error("the file ends before the sync marker");
    sync_ = std::string(header.ReadFixed(kSyncSize));
    file_pos_ = kMagic.size() + header.position();

    auto schema = Metadata("avro.schema");
    if (!schema) Fail(what_, "the header has no avro.schema");
    schema_ = AvroSchema::Parse(*schema, what_);

    codec_ = std::string(Metadata("avro.codec").value_or("null"));
    if (codec_.empty()) codec_ = "null";
    if (codec_ != "null" && codec_ != "deflate" && codec_ != "snappy" && codec_ != "zstandard") {
        Fail(what_, "unsupported Avro codec '" + codec_ + "' (supported: null, deflate, snappy, zstandard)");
    }
}

std::optional<std::string_view> AvroContainerReader::Metadata(std::string_view key) const {
    auto it = metadata_.find(std::string(key));
    if (it == metadata_.end()) return std::nullopt;
    return std::string_view(it->second);
}

bool AvroContainerReader::LoadBlock() {
    if (file_pos_ >= bytes_.size()) return false;
    ++block_index_;
    std::string where = "block " + std::to_string(block_index_) + " (at byte " + std::to_string(file_pos_) + ")";
    Decoder in(std::string_view(bytes_).substr(file_pos_), what_, where);
    int64_t count = in.ReadLong();
    int64_t size = in.ReadLong();
    if (count < 0) in.Error("negative object count " + std::to_string(count));
    if (size < 0 || static_cast<uint64_t>(size) > in.remaining() ||
        in.remaining() - static_cast<uint64_t>(size) < kSyncSize) {
        in.Error("the block claims " + std::to_string(size) + " bytes plus its sync marker, but " +
                 std::to_string(in.remaining()) + " bytes remain (the file is truncated)");
    }
    std::string_view data = in.ReadFixed(static_cast<uint64_t>(size));
    if (in.ReadFixed(kSyncSize) != sync_) in.Error("wrong sync marker after the block (the file is corrupt)");
    file_pos_ += in.position();

    Decompress(data);
    size_t min_size = schema_.root().min_encoded_size;
    uint64_t max_objects = min_size > 0 ? block_.size() / min_size : kMaxValuesPerObject;
    if (static_cast<uint64_t>(count) > max_objects) {
        in.Error("the block claims " + std::to_string(count) + " objects, more than its " +
                 std::to_string(block_.size()) + " bytes can hold");
    }
    if (count == 0 && !block_.empty())
        in.Error("a block of no objects holds " + std::to_string(block_.size()) + " bytes");
    block_remaining_ = count;
    block_pos_ = 0;
    return true;
}

void AvroContainerReader::Decompress(std::string_view compressed) {
    std::string where = what_ + ": block " + std::to_string(block_index_);
    if (codec_ == "null") {
        block_ = compressed;
        return;
    }
    block_buffer_.clear();
    if (codec_ == "deflate") {
        z_stream z{};
        if (inflateInit2(&z, -15) != Z_OK) throw IOError(where + ": inflateInit2 failed");
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
        z.avail_in = static_cast<uInt>(compressed.size());
        size_t produced = 0;
        block_buffer_.resize(std::min(kMaxBlockBytes, std::max<size_t>(4096, compressed.size() * 4)));
        int rc = Z_OK;
        while (true) {
            if (produced == block_buffer_.size()) {
                if (block_buffer_.size() >= kMaxBlockBytes) {
                    inflateEnd(&z);
                    throw IOError(where + ": the deflate data expands beyond " + std::to_string(kMaxBlockBytes) +
                                  " bytes");
                }
                block_buffer_.resize(std::min(kMaxBlockBytes, block_buffer_.size() * 2));
            }
            z.next_out = reinterpret_cast<Bytef*>(block_buffer_.data() + produced);
            z.avail_out = static_cast<uInt>(block_buffer_.size() - produced);
            rc = inflate(&z, Z_NO_FLUSH);
            produced = block_buffer_.size() - z.avail_out;
            if (rc == Z_STREAM_END) break;
            if (rc == Z_BUF_ERROR && z.avail_out > 0) rc = Z_DATA_ERROR;  // no progress: input ended early
            if (rc != Z_OK && rc != Z_BUF_ERROR) {
                std::string msg = z.msg ? z.msg : "truncated data";
                inflateEnd(&z);
                throw IOError(where + ": corrupt deflate data (" + msg + ")");
            }
        }
        inflateEnd(&z);
        block_buffer_.resize(produced);
    } else if (codec_ == "snappy") {
        if (compressed.size() < 4) throw IOError(where + ": a snappy block shorter than its 4-byte CRC");
        std::string_view payload = compressed.substr(0, compressed.size() - 4);
        size_t n = 0;
        if (!snappy::GetUncompressedLength(payload.data(), payload.size(), &n)) {
            throw IOError(where + ": corrupt snappy data (bad length header)");
        }
        if (n > kMaxBlockBytes) {
            throw IOError(where + ": the snappy data claims " + std::to_string(n) + " bytes, more than the " +
                          std::to_string(kMaxBlockBytes) + " allowed");
        }
        block_buffer_.resize(n);
        if (!snappy::RawUncompress(payload.data(), payload.size(), block_buffer_.data())) {
            throw IOError(where + ": corrupt snappy data");
        }
        const auto* c = reinterpret_cast<const uint8_t*>(compressed.data() + payload.size());
        uint32_t expected = (uint32_t{c[0]} << 24) | (uint32_t{c[1]} << 16) | (uint32_t{c[2]} << 8) | c[3];
        auto actual = static_cast<uint32_t>(
            crc32(0L, reinterpret_cast<const Bytef*>(block_buffer_.data()), static_cast<uInt>(block_buffer_.size())));
        if (actual != expected) throw IOError(where + ": snappy block CRC-32 mismatch (the block is corrupt)");
    } else {  // zstandard
        ZSTD_DStream* z = ZSTD_createDStream();
        if (z == nullptr) throw IOError(where + ": cannot create a zstd stream");
        ZSTD_initDStream(z);
        ZSTD_inBuffer input{compressed.data(), compressed.size(), 0};
        block_buffer_.resize(std::min(kMaxBlockBytes, std::max<size_t>(4096, compressed.size() * 4)));
        size_t produced = 0;
        size_t rc = 0;
        while (true) {
            if (produced == block_buffer_.size()) {
                if (block_buffer_.size() >= kMaxBlockBytes) {
                    ZSTD_freeDStream(z);
                    throw IOError(where + ": the zstd data expands beyond " + std::to_string(kMaxBlockBytes) +
                                  " bytes");
                }
                block_buffer_.resize(std::min(kMaxBlockBytes, block_buffer_.size() * 2));
            }
            ZSTD_outBuffer output{block_buffer_.data(), block_buffer_.size(), produced};
            rc = ZSTD_decompressStream(z, &output, &input);
            produced = output.pos;
            if (ZSTD_isError(rc)) {
                std::string msg = ZSTD_getErrorName(rc);
                ZSTD_freeDStream(z);
                throw IOError(where + ": corrupt zstd data (" + msg + ")");
            }
            if (input.pos == input.size && produced < block_buffer_.size()) break;  // all input used, output flushed
        }
        ZSTD_freeDStream(z);
        if (rc != 0) throw IOError(where + ": truncated zstd data");
        block_buffer_.resize(produced);
    }
    block_ = block_buffer_;
}

bool AvroContainerReader::Next(Datum& out) {
    while (block_remaining_ == 0) {
        if (!LoadBlock()) return false;
    }
    Decoder in(block_.substr(block_pos_), what_, "block " + std::to_string(block_index_));
    ValueDecoder decoder{in};
    decoder.Decode(schema_.root(), out, 1);
    block_pos_ += in.position();
    --block_remaining_;
    if (block_remaining_ == 0 && block_pos_ != block_.size()) {
        Fail(what_, "block " + std::to_string(block_index_) + " has " + std::to_string(block_.size() - block_pos_) +
                        " bytes left after its last object (the data does not match the schema)");
    }
    return true;
}

}  // namespace floe::avro
