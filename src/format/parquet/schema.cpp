#include "format/parquet/schema.h"

#include <functional>

#include "common/exception.h"
#include "format/parquet/parquet_types.h"

namespace floe::parquet {

namespace pf = parquet_format;

namespace {

constexpr int kMaxDepth = 64;

std::string Dotted(const SchemaNode& n) {
    std::string path = n.name;
    for (const SchemaNode* p = n.parent; p && p->parent; p = p->parent) path = p->name + "." + path;
    return path;
}

/// Maps a leaf to its Floe type and conversion; sets `unsupported` for types Floe cannot read.
void MapLeaf(const pf::SchemaElement& e, SchemaNode& n, std::string& unsupported) {
    auto physical = n.physical;
    auto decimal = [&](int precision, int scale) {
        n.decimal_scale = scale;
        if (precision <= 0 || scale < 0 || scale > precision) {
            unsupported = "DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ") is not valid";
            return;
        }
        bool bytes = physical == PhysicalType::BYTE_ARRAY || physical == PhysicalType::FIXED_LEN_BYTE_ARRAY;
        if (precision > 38) {
            n.type = TypeId::DOUBLE;
            n.conversion = Conversion::DECIMAL_WIDE;
        } else {
            n.type = LogicalType::Decimal(static_cast<uint8_t>(precision), static_cast<uint8_t>(scale));
            n.conversion = bytes ? Conversion::DECIMAL_BYTES : Conversion::DECIMAL_INT;
        }
        if (!bytes && physical != PhysicalType::INT32 && physical != PhysicalType::INT64) {
            unsupported = "DECIMAL on this physical type is not valid";
        }
    };
    auto integer = [&](int bits, bool is_signed) {
        if (physical != PhysicalType::INT32 && physical != PhysicalType::INT64) {
            unsupported = "an INTEGER annotation on a non-integer column";
            return;
        }
        if (is_signed) {
            switch (bits) {
                case 8:
                    n.type = TypeId::TINYINT;
                    n.conversion = Conversion::INT8;
                    return;
                case 16:
                    n.type = TypeId::SMALLINT;
                    n.conversion = Conversion::INT16;
                    return;
                case 32:
                    n.type = TypeId::INT;
                    return;
                default:
                    n.type = TypeId::BIGINT;
                    return;
            }
        }
        switch (bits) {
            case 8:
                n.type = TypeId::SMALLINT;
                n.conversion = Conversion::UINT8;
                return;
            case 16:
                n.type = TypeId::INT;
                n.conversion = Conversion::UINT16;
                return;
            case 32:
                n.type = TypeId::BIGINT;
                n.conversion = Conversion::UINT32;
                return;
            default:
                n.type = TypeId::LARGEINT;
                n.conversion = Conversion::UINT64;
                return;
        }
    };
    auto timestamp = [&](Conversion unit) {
        if (physical != PhysicalType::INT64) {
            unsupported = "a TIMESTAMP annotation on a non-INT64 column";
            return;
        }
        n.type = TypeId::DATETIME;
        n.type.scale = unit == Conversion::MILLIS ? 3 : 6;  // the fraction digits shown
        n.conversion = unit;
    };
    auto time = [&](Conversion unit) {
        n.type = LogicalType::Varchar();
        n.conversion = unit;
    };
    // Defaults by physical type.
    switch (physical) {
        case PhysicalType::BOOLEAN:
            n.type = TypeId::BOOLEAN;
            break;
        case PhysicalType::INT32:
            n.type = TypeId::INT;
            break;
        case PhysicalType::INT64:
            n.type = TypeId::BIGINT;
            break;
        case PhysicalType::INT96:
            n.type = TypeId::DATETIME;
            n.type.scale = 6;
            n.conversion = Conversion::INT96;
            break;
        case PhysicalType::FLOAT:
            n.type = TypeId::FLOAT;
            break;
        case PhysicalType::DOUBLE:
            n.type = TypeId::DOUBLE;
            break;
        case PhysicalType::BYTE_ARRAY:
        case PhysicalType::FIXED_LEN_BYTE_ARRAY:
            n.type = LogicalType::Varchar();
            n.conversion = Conversion::BYTES;
            break;
    }
    if (e.__isset.logicalType) {
        const pf::LogicalType& lt = e.logicalType;
        if (lt.__isset.STRING || lt.__isset.ENUM || lt.__isset.BSON) return;
        if (lt.__isset.JSON) {
            n.type = TypeId::JSON;
            return;
        }
        if (lt.__isset.DECIMAL) return decimal(lt.DECIMAL.precision, lt.DECIMAL.scale);
        if (lt.__isset.DATE) {
            n.type = TypeId::DATE;
            n.conversion = Conversion::DATE;
            return;
        }
        if (lt.__isset.TIMESTAMP) {
            const auto& u = lt.TIMESTAMP.unit;
            return timestamp(u.__isset.MILLIS ? Conversion::MILLIS
                                              : (u.__isset.NANOS ? Conversion::NANOS : Conversion::MICROS));
        }
        if (lt.__isset.TIME) {
            const auto& u = lt.TIME.unit;
            return time(u.__isset.MILLIS ? Conversion::TIME_MILLIS
                                         : (u.__isset.NANOS ? Conversion::TIME_NANOS : Conversion::TIME_MICROS));
        }
        if (lt.__isset.INTEGER) return integer(lt.INTEGER.bitWidth, lt.INTEGER.isSigned);
        if (lt.__isset.UUID) {
            n.conversion = Conversion::UUID;
            if (physical != PhysicalType::FIXED_LEN_BYTE_ARRAY || n.type_length != 16)
                unsupported = "UUID is not FLBA(16)";
            return;
        }
        if (lt.__isset.FLOAT16) {
            n.type = TypeId::FLOAT;
            n.conversion = Conversion::FLOAT16;
            if (physical != PhysicalType::FIXED_LEN_BYTE_ARRAY || n.type_length != 2)
                unsupported = "FLOAT16 is not FLBA(2)";
            return;
        }
        if (lt.__isset.VARIANT) {
            unsupported = "the VARIANT logical type is not supported";
            return;
        }
        if (lt.__isset.GEOMETRY || lt.__isset.GEOGRAPHY) {
            unsupported = "geospatial types (GEOMETRY, GEOGRAPHY) are not supported";
            return;
        }
        if (lt.__isset.UNKNOWN) return;  // always NULL: keep the physical mapping
        // A logical type this reader does not know: fall back to the converted type, if any.
    }
    if (!e.__isset.converted_type) return;
    switch (e.converted_type) {
        case pf::ConvertedType::UTF8:
        case pf::ConvertedType::ENUM:
        case pf::ConvertedType::BSON:
        case pf::ConvertedType::INTERVAL:
            return;
        case pf::ConvertedType::JSON:
            n.type = TypeId::JSON;
            return;
        case pf::ConvertedType::DECIMAL:
            return decimal(e.precision, e.scale);
        case pf::ConvertedType::DATE:
            n.type = TypeId::DATE;
            n.conversion = Conversion::DATE;
            return;
        case pf::ConvertedType::TIME_MILLIS:
            return time(Conversion::TIME_MILLIS);
        case pf::ConvertedType::TIME_MICROS:
            return time(Conversion::TIME_MICROS);
        case pf::ConvertedType::TIMESTAMP_MILLIS:
            return timestamp(Conversion::MILLIS);
        case pf::ConvertedType::TIMESTAMP_MICROS:
            return timestamp(Conversion::MICROS);
        case pf::ConvertedType::UINT_8:
            return integer(8, false);
        case pf::ConvertedType::UINT_16:
            return integer(16, false);
        case pf::ConvertedType::UINT_32:
            return integer(32, false);
        case pf::ConvertedType::UINT_64:
            return integer(64, false);
        case pf::ConvertedType::INT_8:
            return integer(8, true);
        case pf::ConvertedType::INT_16:
            return integer(16, true);
        case pf::ConvertedType::INT_32:
            return integer(32, true);
        case pf::ConvertedType::INT_64:
            return integer(64, true);
        default:
            return;
    }
}

struct Builder {
    const std::vector<pf::SchemaElement>& elements;
    const std::string& what;
    FileSchema& schema;
    size_t next = 0;

    std::unique_ptr<SchemaNode> Node(SchemaNode* parent, int depth, int def, int rep) {
        if (depth > kMaxDepth) throw IOError(what + ": the schema nests deeper than " + std::to_string(kMaxDepth));
        if (next >= elements.size()) throw IOError(what + ": the schema has fewer elements than its groups declare");
        const pf::SchemaElement& e = elements[next++];
        auto n = std::make_unique<SchemaNode>();
        n->name = e.name;
        if (e.__isset.field_id) n->field_id = e.field_id;
        n->parent = parent;
        n->repetition = e.__isset.repetition_type ? static_cast<int>(e.repetition_type) : 0;
        if (n->repetition < 0 || n->repetition > 2) throw IOError(what + ": bad repetition type for '" + e.name + "'");
        if (parent) {
            if (n->repetition != 0) ++def;
            if (n->repetition == 2) ++rep;
        }
        bool group = e.__isset.num_children && e.num_children > 0;
        if (!group && parent && !e.__isset.type) {
            // A group with no children (an empty struct): no leaves to read.
            group = e.__isset.num_children;
            if (!group) throw IOError(what + ": schema element '" + e.name + "' has neither a type nor children");
        }
        if (!group) {
            n->is_leaf = true;
            n->physical = static_cast<PhysicalType>(e.type);
            if (static_cast<int>(n->physical) < 0 || static_cast<int>(n->physical) > 7) {
                throw IOError(what + ": schema element '" + e.name + "' has an unknown physical type");
            }
            n->type_length = e.__isset.type_length ? e.type_length : 0;
            if (n->physical == PhysicalType::FIXED_LEN_BYTE_ARRAY && n->type_length <= 0) {
                throw IOError(what + ": FIXED_LEN_BYTE_ARRAY column '" + e.name + "' has no length");
            }
            n->max_def = def;
            n->max_rep = rep;
            MapLeaf(e, *n, n->unsupported);
            n->leaf_index = static_cast<int>(schema.leaves.size());
            schema.leaves.push_back(n.get());
            return n;
        }
        if (e.__isset.converted_type) {
            n->is_list = e.converted_type == pf::ConvertedType::LIST;
            n->is_map =
                e.converted_type == pf::ConvertedType::MAP || e.converted_type == pf::ConvertedType::MAP_KEY_VALUE;
        }
        if (e.__isset.logicalType) {
            n->is_list = n->is_list || e.logicalType.__isset.LIST;
            n->is_map = n->is_map || e.logicalType.__isset.MAP;
        }
        int children = e.__isset.num_children ? e.num_children : 0;
        if (children < 0 || static_cast<size_t>(children) > elements.size() - next) {
            throw IOError(what + ": group '" + e.name + "' declares " + std::to_string(children) +
                          " children, more than the schema holds");
        }
        for (int i = 0; i < children; ++i) n->children.push_back(Node(n.get(), depth + 1, def, rep));
        return n;
    }
};

}  // namespace

FileSchema BuildSchema(const std::vector<pf::SchemaElement>& elements, const std::string& what) {
    FileSchema schema;
    if (elements.empty()) throw IOError(what + ": the schema is empty");
    Builder b{elements, what, schema};
    schema.root = b.Node(nullptr, 0, 0, 0);
    if (b.next != elements.size()) {
        throw IOError(what + ": the schema has " + std::to_string(elements.size() - b.next) +
                      " elements outside its root");
    }
    for (const auto& child : schema.root->children) {
        FileColumn c;
        c.name = child->name;
        c.field_id = child->field_id;
        c.node = child.get();
        std::function<void(const SchemaNode&)> check = [&](const SchemaNode& n) {
            if (n.is_leaf && !n.unsupported.empty() && c.unsupported.empty()) {
                c.unsupported = "column '" + Dotted(n) + "': " + n.unsupported;
            }
            for (const auto& k : n.children) check(*k);
        };
        check(*child);
        if (child->is_leaf && child->repetition != 2) {
            c.type = child->type;
        } else {
            c.nested = true;
            c.type = TypeId::JSON;
        }
        schema.columns.push_back(std::move(c));
    }
    return schema;
}

}  // namespace floe::parquet
