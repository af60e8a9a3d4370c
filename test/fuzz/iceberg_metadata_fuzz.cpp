// Fuzzes the Iceberg table metadata reader: gzip detection, the JSON walk with its per-version
// validation, schema types (nesting limit), partition specs, sort orders, refs, the name mapping
// property, and then what a reader does next with the result: Floe types, field lookups, default
// values, and the binary bounds and transforms of each partition source type (fed from the input
// bytes). Any input must either parse or throw floe::Exception; crashes, leaks, undefined
// behaviour and unbounded allocations are bugs. Seeded with small metadata files of the fixtures.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/exception.h"
#include "lake/iceberg/single_value.h"
#include "lake/iceberg/table_metadata.h"
#include "lake/iceberg/transforms.h"

namespace {

using namespace floe::iceberg;

void Exercise(const TableMetadata& m, std::string_view input) {
    for (const Schema& schema : m.schemas) {
        (void)schema.HighestFieldId();
        (void)schema.FindTopLevel("id");
        for (const NestedField& f : schema.fields) {
            (void)ToFloeType(f.type);
            (void)f.type.ToString();
            (void)schema.FindField(f.id);
            for (const auto& json : {f.initial_default_json, f.write_default_json}) {
                if (!json) continue;
                try {
                    (void)ParseJsonSingleValue(f.type, *json, "fuzz");
                } catch (const floe::Exception&) {
                }
            }
        }
    }
    const Schema& schema = m.current_schema();
    for (const PartitionSpec& spec : m.partition_specs) {
        for (const PartitionField& pf : spec.fields) {
            const NestedField* source = schema.FindField(pf.source_id);
            if (!source || !source->type.IsPrimitive()) continue;
            for (size_t length : {1, 2, 4, 8, 16}) {
                // The last bytes of the input: the JSON's own text rarely makes interesting values.
                if (input.size() < length) break;
                auto value = DecodeBound(source->type, input.substr(input.size() - length));
                if (!value) continue;
                try {
                    (void)ApplyTransform(pf.transform, source->type, *value);
                    (void)EncodeBound(source->type, *value);
                } catch (const floe::Exception&) {
                }
                for (PredicateOp op : {PredicateOp::EQ, PredicateOp::LT, PredicateOp::GT, PredicateOp::GT_EQ,
                                       PredicateOp::IN, PredicateOp::IS_NULL}) {
                    (void)ProjectInclusive(pf.transform, source->type, op, *value);
                }
            }
        }
    }
    if (m.name_mapping) (void)m.name_mapping->FindId({"a", "b"});
    for (const Snapshot& s : m.snapshots) (void)m.SchemaFor(s);
    (void)m.SnapshotAsOf(0);
}

/// Every primitive type's bound decoding and every transform and projection on the input's
/// bytes, whether or not they parse as metadata.
void ExerciseValues(std::string_view input) {
    static const TypeKind kKinds[] = {TypeKind::BOOLEAN,        TypeKind::INT,    TypeKind::LONG, TypeKind::FLOAT,
                                      TypeKind::DOUBLE,         TypeKind::DATE,   TypeKind::TIME, TypeKind::TIMESTAMP,
                                      TypeKind::TIMESTAMPTZ_NS, TypeKind::STRING, TypeKind::UUID, TypeKind::BINARY};
    static const char* const kTransforms[] = {"identity", "bucket[7]", "truncate[3]", "year",
                                              "month",    "day",       "hour",        "void"};
    if (input.size() > 64) return;
    std::vector<Type> types;
    for (TypeKind k : kKinds) types.push_back(Type::Primitive(k));
    types.push_back(Type::Decimal(38, 2));
    types.push_back(Type::Fixed(static_cast<int64_t>(input.size())));
    for (const Type& type : types) {
        auto value = DecodeBound(type, input);
        if (!value) continue;
        (void)EncodeBound(type, *value);
        for (const char* name : kTransforms) {
            Transform t = ParseTransform(name);
            try {
                (void)ApplyTransform(t, type, *value);
            } catch (const floe::Exception&) {
            }
            for (PredicateOp op : {PredicateOp::EQ, PredicateOp::LT, PredicateOp::LT_EQ, PredicateOp::GT,
                                   PredicateOp::GT_EQ, PredicateOp::IN, PredicateOp::NOT_EQ}) {
                (void)ProjectInclusive(t, type, op, *value);
            }
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    try {
        TableMetadata m = ParseTableMetadata(input, "fuzz.metadata.json");
        Exercise(m, input);
    } catch (const floe::Exception&) {
    }
    (void)ParseTransform(input.substr(0, 32));
    ExerciseValues(input);
    return 0;
}
