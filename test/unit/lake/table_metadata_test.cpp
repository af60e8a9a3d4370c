// Iceberg table metadata: the Java and Rust reference vectors (valid and invalid), every metadata
// file of the duckdb-iceberg and Impala fixtures, gzip metadata, types, defaults and name mapping.
#include "lake/iceberg/table_metadata.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/exception.h"
#include "lake/iceberg/single_value.h"

namespace fs = std::filesystem;
using namespace floe;
using namespace floe::iceberg;

namespace {

fs::path Fixtures() {
    return fs::path(FLOE_SOURCE_DIR) / "../shared/fixtures/iceberg";
}
fs::path JavaVectors() {
    return Fixtures() / "metadata-vectors/apache-iceberg/core/src/test/resources";
}
fs::path RustVectors() {
    return Fixtures() / "metadata-vectors/iceberg-rust/crates/iceberg/testdata/table_metadata";
}

std::string ReadFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TableMetadata Parse(const fs::path& p) {
    return ParseTableMetadata(ReadFile(p), p.string());
}

/// The message of the IOError parsing `p` throws ("" when it parses).
std::string ErrorOf(const fs::path& p) {
    try {
        Parse(p);
    } catch (const IOError& e) {
        return e.what();
    }
    return "";
}

#define REQUIRE_FIXTURES()                                                        \
    if (!fs::exists(Fixtures())) GTEST_SKIP() << "no fixtures at " << Fixtures(); \
    static_assert(true)

}  // namespace

TEST(TableMetadataTest, JavaV1Valid) {
    REQUIRE_FIXTURES();
    TableMetadata m = Parse(JavaVectors() / "TableMetadataV1Valid.json");
    EXPECT_EQ(m.format_version, 1);
    EXPECT_EQ(m.table_uuid, "d20125c8-7284-442c-9aea-15fee620737c");
    EXPECT_EQ(m.location, "s3://bucket/test/location");
    EXPECT_EQ(m.last_updated_ms, 1602638573874);
    EXPECT_EQ(m.last_column_id, 3);
    EXPECT_EQ(m.last_sequence_number, 0);
    ASSERT_EQ(m.schemas.size(), 1u);
    EXPECT_EQ(m.current_schema_id, 0);
    const Schema& s = m.current_schema();
    ASSERT_EQ(s.fields.size(), 3u);
    EXPECT_EQ(s.fields[1].name, "y");
    EXPECT_EQ(s.fields[1].doc, "comment");
    EXPECT_TRUE(s.fields[1].required);
    EXPECT_EQ(s.fields[1].type.kind, TypeKind::LONG);
    ASSERT_EQ(m.partition_specs.size(), 1u);
    EXPECT_EQ(m.default_spec_id, 0);
    ASSERT_EQ(m.default_spec().fields.size(), 1u);
    EXPECT_EQ(m.default_spec().fields[0].field_id, 1000);
    EXPECT_EQ(m.default_spec().fields[0].source_id, 1);
    EXPECT_EQ(m.default_spec().fields[0].transform.kind, TransformKind::IDENTITY);
    EXPECT_EQ(m.last_partition_id, 1000);
    EXPECT_FALSE(m.current_snapshot_id.has_value());
    EXPECT_EQ(m.current_snapshot(), nullptr);
    EXPECT_TRUE(m.refs.empty());
    ASSERT_EQ(m.sort_orders.size(), 1u);  // unsorted implied
    EXPECT_TRUE(m.sort_orders[0].fields.empty());
}

TEST(TableMetadataTest, JavaV2Valid) {
    REQUIRE_FIXTURES();
    TableMetadata m = Parse(JavaVectors() / "TableMetadataV2Valid.json");
    EXPECT_EQ(m.format_version, 2);
    EXPECT_EQ(m.last_sequence_number, 34);
    ASSERT_EQ(m.schemas.size(), 2u);
    EXPECT_EQ(m.current_schema_id, 1);
    EXPECT_EQ(m.current_schema().identifier_field_ids, (std::vector<int32_t>{1, 2}));
    EXPECT_EQ(m.current_schema().fields.size(), 3u);
    EXPECT_EQ(m.default_sort_order_id, 3);
    ASSERT_EQ(m.sort_orders[0].fields.size(), 2u);
    EXPECT_EQ(m.sort_orders[0].fields[1].transform.kind, TransformKind::BUCKET);
    EXPECT_EQ(m.sort_orders[0].fields[1].transform.param, 4);
    EXPECT_FALSE(m.sort_orders[0].fields[1].ascending);
    EXPECT_FALSE(m.sort_orders[0].fields[1].nulls_first);
    ASSERT_EQ(m.snapshots.size(), 2u);
    ASSERT_TRUE(m.current_snapshot_id);
    EXPECT_EQ(*m.current_snapshot_id, 3055729675574597004);
    const Snapshot* current = m.current_snapshot();
    ASSERT_NE(current, nullptr);
    EXPECT_EQ(current->parent_snapshot_id, std::optional<int64_t>(3051729675574597004));
    EXPECT_EQ(current->sequence_number, 1);
    EXPECT_EQ(current->manifest_list, "s3://a/b/2.avro");
    EXPECT_EQ(current->operation(), "append");
    EXPECT_EQ(current->schema_id, std::optional<int32_t>(1));
    EXPECT_FALSE(m.snapshots[0].parent_snapshot_id.has_value());
    EXPECT_EQ(&m.SchemaFor(m.snapshots[0]), &m.current_schema());  // no schema-id: the current one
    ASSERT_EQ(m.snapshot_log.size(), 2u);
    EXPECT_EQ(m.snapshot_log[0].timestamp_ms, 1515100955770);
    EXPECT_EQ(m.SnapshotAsOf(1515100955770)->snapshot_id, 3051729675574597004);
    EXPECT_EQ(m.SnapshotAsOf(1555100955770)->snapshot_id, 3055729675574597004);
    EXPECT_EQ(m.SnapshotAsOf(1515100955769), nullptr);
    // No refs in the file: main is implied by the current snapshot.
    ASSERT_EQ(m.refs.count("main"), 1u);
    EXPECT_EQ(m.refs.at("main").snapshot_id, 3055729675574597004);
    EXPECT_EQ(m.refs.at("main").kind, SnapshotRef::Kind::BRANCH);
    EXPECT_FALSE(m.encrypted);
}

TEST(TableMetadataTest, JavaV2ValidMinimalAndV3ValidMinimal) {
    REQUIRE_FIXTURES();
    TableMetadata v2 = Parse(JavaVectors() / "TableMetadataV2ValidMinimal.json");
    EXPECT_EQ(v2.format_version, 2);
    EXPECT_TRUE(v2.snapshots.empty());
    TableMetadata v3 = Parse(JavaVectors() / "TableMetadataV3ValidMinimal.json");
    EXPECT_EQ(v3.format_version, 3);
    EXPECT_EQ(v3.next_row_id, std::optional<int64_t>(0));
    const NestedField* x = v3.current_schema().FindField(1);
    ASSERT_NE(x, nullptr);
    ASSERT_TRUE(x->initial_default_json);
    EXPECT_EQ(*x->initial_default_json, "1");
    EXPECT_EQ(ParseJsonSingleValue(x->type, *x->initial_default_json, "t"), Value::Integer(1, TypeId::BIGINT));
}

TEST(TableMetadataTest, StatisticsKeptRaw) {
    REQUIRE_FIXTURES();
    TableMetadata m = Parse(JavaVectors() / "TableMetadataStatisticsFiles.json");
    ASSERT_EQ(m.statistics_json.size(), 1u);
    EXPECT_NE(m.statistics_json[0].find("statistics-path"), std::string::npos);
    TableMetadata p = Parse(JavaVectors() / "TableMetadataPartitionStatisticsFiles.json");
    ASSERT_EQ(p.partition_statistics_json.size(), 1u);
}

TEST(TableMetadataTest, InvalidVectorsNameTheProblem) {
    REQUIRE_FIXTURES();
    struct Case {
        const char* file;
        const char* message;
    };
    const Case cases[] = {
        {"TableMetadataUnsupportedVersion.json", "unsupported Iceberg format version 42"},
        {"TableMetadataV2MissingSchemas.json", "'schemas' is missing"},
        {"TableMetadataV2MissingPartitionSpecs.json", "'partition-specs' is missing"},
        {"TableMetadataV2MissingLastPartitionId.json", "'last-partition-id' is missing"},
        {"TableMetadataV2MissingSortOrder.json", "'sort-orders' is missing"},
        {"TableMetadataV2CurrentSchemaNotFound.json", "current-schema-id 2 is not the id of any schema"},
        {"TableMetadataV1MissingSchemaType.json", "'schema.type' is missing"},
    };
    for (const fs::path& dir : {JavaVectors(), RustVectors()}) {
        for (const Case& c : cases) {
            if (!fs::exists(dir / c.file)) continue;
            std::string message = ErrorOf(dir / c.file);
            if (dir == RustVectors() && std::string(c.file) == "TableMetadataUnsupportedVersion.json") {
                // iceberg-rust's copy is a v3 file from before v3 support; it also lacks 'schemas'.
                EXPECT_NE(message.find("'schemas' is missing"), std::string::npos) << message;
                continue;
            }
            EXPECT_NE(message.find(c.message), std::string::npos) << c.file << ": " << message;
            EXPECT_NE(message.find(c.file), std::string::npos) << "the message names the file: " << message;
        }
    }
    EXPECT_NE(ErrorOf(RustVectors() / "TableMetadataV1NoValidSchema.json").find("current-schema-id"),
              std::string::npos);
}

TEST(TableMetadataTest, RustVectors) {
    REQUIRE_FIXTURES();
    TableMetadata compat = Parse(RustVectors() / "TableMetadataV1Compat.json");
    EXPECT_EQ(compat.format_version, 1);
    EXPECT_EQ(compat.last_partition_id, 999);
    EXPECT_TRUE(compat.default_spec().IsUnpartitioned());
    EXPECT_EQ(compat.current_schema().fields[1].type.kind, TypeKind::TIMESTAMPTZ);
    EXPECT_EQ(compat.current_snapshot()->operation(), "overwrite");
    EXPECT_EQ(compat.current_snapshot()->summary.at("total-records"), "3");
    EXPECT_EQ(compat.refs.at("main").snapshot_id, 917896971991367610);
    EXPECT_EQ(compat.metadata_log.size(), 1u);

    TableMetadata specs = Parse(RustVectors() / "TableMetadataV1PartitionSpecsWithoutDefaultId.json");
    EXPECT_EQ(specs.default_spec_id, 2);
    EXPECT_EQ(specs.default_spec().fields[0].name, "y");

    TableMetadata legacy = Parse(RustVectors() / "TableMetadataV1SchemasWithoutCurrentId.json");
    EXPECT_EQ(legacy.current_schema().fields.size(), 3u);

    TableMetadata enc = Parse(RustVectors() / "TableMetadataV3ValidEncryption.json");
    EXPECT_TRUE(enc.encrypted);
    EXPECT_EQ(enc.current_snapshot()->key_id, std::optional<std::string>("1fb95f04-7f98-4b1f-a08f-e810cfb907ff"));
    for (const char* f : {"TableMetadataV1Valid.json", "TableMetadataV2Valid.json", "TableMetadataV2ValidMinimal.json",
                          "TableMetadataV3ValidMinimal.json"}) {
        EXPECT_EQ(ErrorOf(RustVectors() / f), "") << f;
    }
}

TEST(TableMetadataTest, EveryFixtureMetadataFileParses) {
    REQUIRE_FIXTURES();
    size_t parsed = 0;
    for (const char* root : {"duckdb-iceberg", "impala"}) {
        for (const auto& entry : fs::recursive_directory_iterator(Fixtures() / root)) {
            std::string name = entry.path().filename().string();
            if (!entry.is_regular_file() || name[0] == '.' || name.find("metadata.json") == std::string::npos) {
                continue;
            }
            // Deliberately broken files of duckdb-iceberg's error tests.
            std::string path = entry.path().string();
            if (path.find("bad_data/") != std::string::npos ||
                path.find("big_query_error/metadata/v0.") != std::string::npos) {
                EXPECT_THROW(Parse(entry.path()), IOError) << path;
                continue;
            }
            try {
                TableMetadata m = Parse(entry.path());
                EXPECT_FALSE(m.schemas.empty());
                EXPECT_NE(m.FindSchema(m.current_schema_id), nullptr);
                for (const Schema& s : m.schemas) {
                    for (const NestedField& f : s.fields) (void)ToFloeType(f.type);
                }
                ++parsed;
            } catch (const Exception& e) {
                ADD_FAILURE() << e.what();
            }
        }
    }
    EXPECT_GT(parsed, 150u);
}

TEST(TableMetadataTest, GzipMetadataIsDetectedByMagic) {
    REQUIRE_FIXTURES();
    fs::path p = Fixtures() / "duckdb-iceberg/data/persistent/iceberg/lineitem_iceberg_gz/metadata/v2.gz.metadata.json";
    std::string bytes = ReadFile(p);
    ASSERT_GE(bytes.size(), 2u);
    EXPECT_EQ(static_cast<unsigned char>(bytes[0]), 0x1f);
    TableMetadata m = ParseTableMetadata(bytes, p.string());
    EXPECT_EQ(m.format_version, 1);
    EXPECT_FALSE(m.current_schema().fields.empty());
    ASSERT_NE(m.current_snapshot(), nullptr);
    // Truncated gzip is an error naming the file, not a crash.
    try {
        ParseTableMetadata(bytes.substr(0, bytes.size() / 2), "half.gz.metadata.json");
        FAIL();
    } catch (const IOError& e) {
        EXPECT_NE(std::string(e.what()).find("half.gz.metadata.json"), std::string::npos);
    }
}

TEST(TableMetadataTest, V1EmbeddedManifests) {
    REQUIRE_FIXTURES();
    fs::path dir = Fixtures() / "duckdb-iceberg/data/persistent/iceberg_v1_deprecated/default/legacy_v1/metadata";
    if (!fs::exists(dir / "v2.metadata.json")) GTEST_SKIP();
    TableMetadata m = Parse(dir / "v2.metadata.json");
    ASSERT_NE(m.current_snapshot(), nullptr);
    EXPECT_TRUE(m.current_snapshot()->manifest_list.empty());
    EXPECT_FALSE(m.current_snapshot()->manifests.empty());
}

TEST(TableMetadataTest, NameMappingFromFixture) {
    REQUIRE_FIXTURES();
    fs::path dir = Fixtures() / "duckdb-iceberg/data/persistent/column_mapping/warehouse/default.db/my_table/metadata";
    if (!fs::exists(dir)) GTEST_SKIP();
    size_t mapped = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".json") continue;
        TableMetadata m = Parse(entry.path());
        if (!m.name_mapping) continue;
        ++mapped;
        // Every top-level field of the schema is mapped to its id by its name.
        for (const NestedField& f : m.current_schema().fields) {
            EXPECT_EQ(m.name_mapping->FindId({f.name}), std::optional<int32_t>(f.id)) << f.name;
        }
    }
    EXPECT_EQ(mapped, 1u);
    // The map's children: key and value ids.
    TableMetadata t1 =
        Parse(Fixtures() / "duckdb-iceberg/data/persistent/name_mapping/warehouse_1/mydb/t1/metadata/v1.metadata.json");
    ASSERT_TRUE(t1.name_mapping);  // written as {"type":"struct","fields":[..]}
    EXPECT_EQ(t1.name_mapping->FindId({"col_a"}), std::optional<int32_t>(1));
    EXPECT_EQ(t1.name_mapping->FindId({"B"}), std::optional<int32_t>(2));
}

TEST(TableMetadataTest, NameMappingNestedAndAliases) {
    NameMapping mapping = ParseNameMapping(
        R"([{"field-id":1,"names":["id","record_id"]},
            {"field-id":2,"names":["data"]},
            {"field-id":3,"names":["location"],"fields":[
                {"field-id":4,"names":["latitude","lat"]},
                {"field-id":5,"names":["a.b"]}]},
            {"names":["unmapped"]}])",
        "m.json");
    EXPECT_EQ(mapping.FindId({"id"}), std::optional<int32_t>(1));
    EXPECT_EQ(mapping.FindId({"record_id"}), std::optional<int32_t>(1));
    EXPECT_EQ(mapping.FindId({"location", "lat"}), std::optional<int32_t>(4));
    EXPECT_EQ(mapping.FindId({"location", "a.b"}), std::optional<int32_t>(5));
    EXPECT_EQ(mapping.FindId({"location", "a"}), std::nullopt);
    EXPECT_EQ(mapping.FindId({"unmapped"}), std::nullopt);
    EXPECT_EQ(mapping.FindId({"nope"}), std::nullopt);
    EXPECT_THROW(ParseNameMapping(R"({"field-id":1})", "m.json"), IOError);
    EXPECT_THROW(ParseNameMapping(R"([{"field-id":1}])", "m.json"), IOError);
}

TEST(TableMetadataTest, MissingFieldsPerVersion) {
    const std::string base = R"({"format-version":2,"table-uuid":"u","location":"l","last-sequence-number":0,
        "last-updated-ms":1,"last-column-id":1,"current-schema-id":0,
        "schemas":[{"type":"struct","schema-id":0,"fields":[{"id":1,"name":"a","required":false,"type":"int"}]}],
        "default-spec-id":0,"partition-specs":[{"spec-id":0,"fields":[]}],"last-partition-id":999,
        "default-sort-order-id":0,"sort-orders":[{"order-id":0,"fields":[]}])";
    EXPECT_NO_THROW(ParseTableMetadata(base + "}", "t.json"));
    auto error = [&](const std::string& json) {
        try {
            ParseTableMetadata(json, "t.json");
        } catch (const IOError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_NE(error(base + R"(,"current-snapshot-id":5})").find("current-snapshot-id 5"), std::string::npos);
    EXPECT_EQ(error(base + R"(,"current-snapshot-id":-1})"), "");
    EXPECT_EQ(error(base + R"(,"current-snapshot-id":null})"), "");
    EXPECT_NE(error(base + R"(,"snapshots":[{"snapshot-id":1,"timestamp-ms":1,"manifest-list":"x","summary":{}}]})")
                  .find("snapshots[0].sequence-number"),
              std::string::npos);
    std::string v3 = base;
    v3.replace(v3.find("\"format-version\":2"), 18, "\"format-version\":3");
    EXPECT_EQ(error(v3 + "}"), "");  // next-row-id: lenient, see table_metadata.cpp
    EXPECT_EQ(error(v3 + R"(,"next-row-id":7})"), "");
    EXPECT_NE(error("{").find("not valid JSON"), std::string::npos);
    EXPECT_NE(error("[]").find("not a JSON object"), std::string::npos);
}

TEST(IcebergTypesTest, ParseAndMap) {
    const std::string schema_json = R"J({"type":"struct","schema-id":3,"fields":[
        {"id":1,"name":"Amount","required":true,"type":"decimal(16, 2)"},
        {"id":2,"name":"tags","required":false,"type":{"type":"list","element-id":5,"element-required":false,"element":"string"}},
        {"id":3,"name":"attrs","required":false,"type":{"type":"map","key-id":6,"key":"string","value-id":7,"value-required":true,
            "value":{"type":"struct","fields":[{"id":8,"name":"x","required":false,"type":"fixed[4]"}]}}},
        {"id":4,"name":"ts","required":false,"type":"timestamptz_ns"},
        {"id":9,"name":"g","required":false,"type":"geometry(srid:4326)"},
        {"id":10,"name":"t","required":false,"type":"time"}]})J";
    Schema s = ParseSchemaJson(schema_json, "s.json");
    EXPECT_EQ(s.schema_id, 3);
    EXPECT_EQ(s.HighestFieldId(), 10);
    EXPECT_EQ(s.fields[0].type, Type::Decimal(16, 2));
    EXPECT_EQ(ToFloeType(s.fields[0].type), LogicalType::Decimal(16, 2));
    EXPECT_EQ(ToFloeType(s.fields[1].type).id, TypeId::JSON);
    EXPECT_EQ(ToFloeType(s.fields[2].type).id, TypeId::JSON);
    EXPECT_EQ(ToFloeType(s.fields[3].type).id, TypeId::DATETIME);
    EXPECT_EQ(ToFloeType(s.fields[5].type).id, TypeId::VARCHAR);
    EXPECT_EQ(s.fields[4].type.kind, TypeKind::GEOMETRY);
    EXPECT_EQ(s.fields[4].type.ToString(), "geometry(srid:4326)");
    ASSERT_NE(s.FindField(8), nullptr);
    EXPECT_EQ(s.FindField(8)->name, "x");
    EXPECT_EQ(s.FindField(8)->type, Type::Fixed(4));
    EXPECT_EQ(s.FindField(5)->name, "element");
    EXPECT_FALSE(s.FindField(5)->required);
    EXPECT_TRUE(s.FindField(6)->required);
    EXPECT_EQ(s.FindField(42), nullptr);
    EXPECT_EQ(s.FindTopLevel("amount")->id, 1);
    EXPECT_EQ(s.FindTopLevel("AMOUNT")->id, 1);
    EXPECT_EQ(s.FindTopLevel("tag"), nullptr);
    EXPECT_EQ(s.fields[2].type.value().type.kind, TypeKind::STRUCT);
    EXPECT_EQ(s.fields[1].type.ToString(), "list<string>");

    EXPECT_THROW(
        ParseSchemaJson(R"({"type":"struct","fields":[{"id":1,"name":"a","required":true,"type":"int8"}]})", "s.json"),
        IOError);
    // A type nested deeper than the limit is refused, not a stack overflow.
    std::string deep = "\"int\"";
    for (int i = 0; i < 100; ++i) {
        deep = R"({"type":"list","element-id":1,"element-required":true,"element":)" + deep + "}";
    }
    EXPECT_THROW(
        ParseSchemaJson(R"({"type":"struct","fields":[{"id":1,"name":"a","required":true,"type":)" + deep + "}]}",
                        "s.json"),
        IOError);
}

TEST(IcebergTypesTest, DefaultsFromFixture) {
    REQUIRE_FIXTURES();
    fs::path dir =
        Fixtures() /
        "duckdb-iceberg/data/persistent/add_columns_with_defaults/default.db/add_columns_with_defaults/metadata";
    if (!fs::exists(dir)) GTEST_SKIP();
    size_t defaults = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".json") continue;
        TableMetadata m = Parse(entry.path());
        for (const Schema& s : m.schemas) {
            for (const NestedField& f : s.fields) {
                if (!f.initial_default_json) continue;
                Value v = ParseJsonSingleValue(f.type, *f.initial_default_json, entry.path().string());
                EXPECT_FALSE(v.is_null()) << f.name;
                EXPECT_EQ(v.type().id, ToFloeType(f.type).id) << f.name << " " << *f.initial_default_json;
                ++defaults;
            }
        }
    }
    EXPECT_GE(defaults, 10u);
}
