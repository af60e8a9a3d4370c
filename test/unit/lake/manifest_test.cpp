// Iceberg manifest lists and manifests: every Avro file of the shared fixtures decodes, per-snapshot
// file and row counts match _derived_snapshot_stats.json, and the inheritance rules hold on
// hand-made manifests.
#include "lake/iceberg/manifest.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "common/exception.h"

namespace floe::iceberg {
namespace {

namespace fs = std::filesystem;

fs::path FixtureDir() {
    return fs::path(FLOE_SOURCE_DIR) / "../shared/fixtures/iceberg";
}

std::string ReadFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string Gunzip(const std::string& in) {
    z_stream z{};
    EXPECT_EQ(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
    std::string out(in.size() * 20 + 1024, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = in.size();
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = out.size();
    EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
    out.resize(z.total_out);
    inflateEnd(&z);
    return out;
}

TEST(ManifestTest, EveryFixtureAvroFileDecodes) {
    if (!fs::exists(FixtureDir())) GTEST_SKIP() << "no fixtures at " << FixtureDir();
    int lists = 0, manifests = 0, entries = 0;
    for (const auto& f : fs::recursive_directory_iterator(FixtureDir())) {
        if (f.path().extension() != ".avro") continue;
        std::string path = f.path().string();
        std::string bytes = ReadFile(f.path());
        if (path.find("encrypted") != std::string::npos) {
            try {
                ReadManifestList(bytes, path, 3);
                ADD_FAILURE() << path << " decoded";
            } catch (const IOError& e) {
                EXPECT_NE(std::string(e.what()).find("encrypted"), std::string::npos) << e.what();
                EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
            }
            continue;
        }
        SCOPED_TRACE(path);
        std::string root;
        int version = 2;
        {
            avro::AvroContainerReader reader(bytes, path);
            root = reader.schema().root().name;
            version = reader.Metadata("format-version").value_or("2") == "1" ? 1 : 2;
        }
        try {
            if (root == "manifest_file") {
                auto list = ReadManifestList(bytes, path, version);
                ++lists;
                for (const ManifestFile& m : list) {
                    EXPECT_FALSE(m.path.empty());
                    EXPECT_GE(m.length, 0);  // generated_bounds writes 0
                    EXPECT_LE(m.min_sequence_number, m.sequence_number);
                }
            } else {
                ASSERT_EQ(root, "manifest_entry");
                ManifestFile from_list;
                from_list.added_snapshot_id = 77;
                from_list.sequence_number = 5;
                auto result = ReadManifestWithMetadata(bytes, path, from_list);
                ++manifests;
                for (const ManifestEntry& e : result.entries) {
                    ++entries;
                    EXPECT_TRUE(e.snapshot_id.has_value());
                    if (e.status == EntryStatus::ADDED) {
                        EXPECT_TRUE(e.sequence_number.has_value());
                    }
                    EXPECT_FALSE(e.file.file_path.empty());
                    EXPECT_TRUE(e.file.file_format == "PARQUET" || e.file.file_format == "PUFFIN" ||
                                e.file.file_format == "AVRO" || e.file.file_format == "ORC")
                        << e.file.file_format;
                    EXPECT_GE(e.file.record_count, 0);
                    for (const PartitionValue& p : e.file.partition) EXPECT_GE(p.field_id, 1000);
                }
            }
        } catch (const IOError& e) {
            ADD_FAILURE() << e.what();
        }
    }
    EXPECT_GE(lists, 100);
    EXPECT_GE(manifests, 100);
    EXPECT_GT(entries, 5000);
}

/// Per table of _derived_snapshot_stats.json: every snapshot's manifest list (from the current
/// metadata file) read, its manifests read, and the live files and rows counted.
TEST(ManifestTest, SnapshotCountsMatchDerivedStats) {
    if (!fs::exists(FixtureDir())) GTEST_SKIP() << "no fixtures at " << FixtureDir();
    simdjson::dom::parser parser;
    simdjson::dom::element stats = parser.load((FixtureDir() / "_derived_snapshot_stats.json").string());
    int snapshots_checked = 0;
    for (auto [table_key, table] : stats["tables"].get_object()) {
        fs::path table_dir = FixtureDir() / std::string(table_key);
        SCOPED_TRACE(std::string(table_key));
        std::unordered_map<std::string, fs::path> by_name;
        for (const auto& f : fs::recursive_directory_iterator(table_dir))
            by_name.emplace(f.path().filename(), f.path());
        auto find = [&](std::string_view written) -> std::optional<fs::path> {
            auto it = by_name.find(fs::path(written).filename().string());
            if (it == by_name.end()) return std::nullopt;
            return it->second;
        };
        int format_version = static_cast<int>(int64_t(table["format_version"]));
        auto metadata_path = find(std::string_view(table["current_metadata"]));
        ASSERT_TRUE(metadata_path) << table["current_metadata"];
        std::string metadata_text = ReadFile(*metadata_path);
        if (metadata_text.size() > 2 && metadata_text[0] == '\x1f' && metadata_text[1] == '\x8b') {
            metadata_text = Gunzip(metadata_text);
        }
        simdjson::dom::parser metadata_parser;
        simdjson::dom::element metadata = metadata_parser.parse(metadata_text);
        simdjson::dom::array snapshots;
        if (metadata["snapshots"].get(snapshots) != simdjson::SUCCESS) continue;
        for (simdjson::dom::element snapshot : snapshots) {
            uint64_t id = 0;
            ASSERT_EQ(snapshot["snapshot-id"].get(id), simdjson::SUCCESS);
            simdjson::dom::element expected;
            if (table["snapshots"][std::to_string(id)].get(expected) != simdjson::SUCCESS) continue;
            SCOPED_TRACE("snapshot " + std::to_string(id));
            std::vector<ManifestFile> manifests;
            std::string_view list_path;
            simdjson::dom::array embedded;
            if (snapshot["manifest-list"].get(list_path) == simdjson::SUCCESS) {
                auto list_file = find(list_path);
                if (!list_file) continue;  // one snapshot's list is missing upstream (MANIFEST.md)
                manifests = ReadManifestList(ReadFile(*list_file), list_file->string(), format_version);
            } else if (snapshot["manifests"].get(embedded) == simdjson::SUCCESS) {
                for (simdjson::dom::element m : embedded) {
                    ManifestFile mf;
                    mf.path = std::string(std::string_view(m));
                    mf.added_snapshot_id = static_cast<int64_t>(id);
                    manifests.push_back(mf);
                }
            }
            int64_t data_files = 0, data_records = 0, pos_files = 0, pos_records = 0, eq_files = 0, eq_records = 0;
            for (const ManifestFile& m : manifests) {
                auto manifest_file = find(m.path);
                ASSERT_TRUE(manifest_file) << m.path;
                for (const ManifestEntry& e : ReadManifest(ReadFile(*manifest_file), manifest_file->string(), m)) {
                    if (e.status == EntryStatus::DELETED) continue;
                    switch (e.file.content) {
                        case DataFileContent::DATA:
                            ++data_files;
                            data_records += e.file.record_count;
                            break;
                        case DataFileContent::POSITION_DELETES:
                            ++pos_files;
                            pos_records += e.file.record_count;
                            break;
                        case DataFileContent::EQUALITY_DELETES:
                            ++eq_files;
                            eq_records += e.file.record_count;
                            break;
                    }
                    EXPECT_TRUE(e.sequence_number.has_value());
                    if (format_version == 1) {
                        EXPECT_EQ(e.sequence_number.value_or(-1), 0);
                    }
                }
            }
            EXPECT_EQ(data_files, int64_t(expected["data_files"]));
            EXPECT_EQ(data_records, int64_t(expected["data_records"]));
            EXPECT_EQ(pos_files, int64_t(expected["pos_delete_files"]));
            EXPECT_EQ(pos_records, int64_t(expected["pos_delete_records"]));
            EXPECT_EQ(eq_files, int64_t(expected["eq_delete_files"]));
            EXPECT_EQ(eq_records, int64_t(expected["eq_delete_records"]));
            ++snapshots_checked;
        }
    }
    EXPECT_GE(snapshots_checked, 95);  // 97 snapshots in the fixtures of 2026-08
}

TEST(ManifestTest, IcebergRustManifestListVector) {
    fs::path dir = FixtureDir() / "metadata-vectors/iceberg-rust/crates/iceberg/testdata/manifests_lists";
    if (!fs::exists(dir)) GTEST_SKIP() << "no fixtures at " << dir;
    // v2-1 names the counts added_data_files_count (as v1 writers did), v2-2 added_files_count: the
    // same field ids, so the same result.
    for (const char* name : {"manifest-list-v2-1.avro", "manifest-list-v2-2.avro"}) {
        SCOPED_TRACE(name);
        auto list = ReadManifestList(ReadFile(dir / name), name, 2);
        ASSERT_EQ(list.size(), 1u);
        const ManifestFile& m = list[0];
        EXPECT_NE(m.path.find("people/metadata/"), std::string::npos);
        EXPECT_EQ(m.partition_spec_id, 0);
        EXPECT_EQ(m.content, ManifestContent::DATA);
        EXPECT_EQ(m.sequence_number, 1);
        EXPECT_EQ(m.min_sequence_number, 1);
        EXPECT_EQ(m.added_files_count, 1);
        EXPECT_EQ(m.existing_files_count, 0);
        EXPECT_EQ(m.deleted_files_count, 0);
        EXPECT_EQ(m.added_rows_count, 1);
        ASSERT_TRUE(m.partitions.has_value());
        EXPECT_TRUE(m.partitions->empty());
        EXPECT_FALSE(m.key_metadata.has_value());
    }
    EXPECT_EQ(ReadManifestList(ReadFile(dir / "manifest-list-v2-1.avro"), "x", 2)[0].added_snapshot_id,
              6653143792592159268);
    EXPECT_EQ(ReadManifestList(ReadFile(dir / "manifest-list-v2-1.avro"), "x", 2)[0].length, 6658);
}

TEST(ManifestTest, PartitionValuesAndStatsFromFixtures) {
    fs::path table = FixtureDir() / "duckdb-iceberg/data/persistent/hive_partitioned_table";
    if (!fs::exists(table)) GTEST_SKIP() << "no fixtures at " << table;
    // Every data file of this table is partitioned by event_date (field 1000, a date) and, under
    // the second spec, event_type (1001, a string); the stats maps are keyed by column id.
    int files = 0;
    for (const auto& f : fs::recursive_directory_iterator(table)) {
        std::string name = f.path().filename().string();
        if (f.path().extension() != ".avro" || name.rfind("snap-", 0) == 0) continue;
        ManifestFile from_list;
        for (const ManifestEntry& e : ReadManifest(ReadFile(f.path()), name, from_list)) {
            ASSERT_FALSE(e.file.partition.empty());
            EXPECT_EQ(e.file.partition[0].field_id, 1000);
            EXPECT_EQ(e.file.partition[0].name, "event_date");
            EXPECT_EQ(e.file.partition[0].value.kind, avro::Datum::Kind::INT);
            if (e.file.partition.size() > 1) {
                EXPECT_EQ(e.file.partition[1].field_id, 1001);
                EXPECT_EQ(e.file.partition[1].value.kind, avro::Datum::Kind::STRING);
            }
            EXPECT_FALSE(e.file.value_counts.empty());
            EXPECT_FALSE(e.file.lower_bounds.empty());
            for (const auto& [id, count] : e.file.value_counts) {
                EXPECT_GT(id, 0);
                EXPECT_GE(count, 0);
            }
            ++files;
        }
    }
    EXPECT_GT(files, 0);
}

// ---------------------------------------------------------------------------------------------
// Hand-made manifests for the inheritance rules.
// ---------------------------------------------------------------------------------------------

std::string Long(int64_t v) {
    auto u = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
    std::string out;
    while (u >= 0x80) {
        out.push_back(static_cast<char>((u & 0x7F) | 0x80));
        u >>= 7;
    }
    out.push_back(static_cast<char>(u));
    return out;
}
std::string Bytes(std::string_view s) {
    return Long(static_cast<int64_t>(s.size())) + std::string(s);
}

std::string Container(std::string_view schema, const std::vector<std::pair<std::string, std::string>>& meta,
                      int64_t count, const std::string& data) {
    const std::string sync = "SYNCSYNCSYNCSYNC";
    std::string out("Obj\x01", 4);
    out += Long(static_cast<int64_t>(meta.size()) + 1) + Bytes("avro.schema") + Bytes(schema);
    for (const auto& [k, v] : meta) out += Bytes(k) + Bytes(v);
    out += Long(0) + sync + Long(count) + Bytes(data) + sync;
    return out;
}

// A v2-style entry whose stats are a real Avro map (string keys) and whose ids are written in an
// unusual field order: binding is by id.
constexpr std::string_view kEntrySchema = R"({"type":"record","name":"manifest_entry","fields":[
  {"name":"snapshot_id","type":["null","long"],"field-id":1},
  {"name":"status","type":"int","field-id":0},
  {"name":"data_file","field-id":2,"type":{"type":"record","name":"r2","fields":[
    {"name":"file_path","type":"string","field-id":100},
    {"name":"file_format","type":"string","field-id":101},
    {"name":"content","type":"int","field-id":134},
    {"name":"partition","field-id":102,"type":{"type":"record","name":"r102","fields":[
      {"name":"b","type":["null","int"],"field-id":1001}]}},
    {"name":"record_count","type":"long","field-id":103},
    {"name":"file_size_in_bytes","type":"long","field-id":104},
    {"name":"null_value_counts","type":["null",{"type":"map","values":"long"}],"field-id":110},
    {"name":"first_row_id","type":["null","long"],"field-id":142}]}},
  {"name":"sequence_number","type":["null","long"],"field-id":3},
  {"name":"file_sequence_number","type":["null","long"],"field-id":4}]})";

std::string Entry(int64_t status, std::optional<int64_t> snapshot, std::optional<int64_t> seq,
                  std::optional<int64_t> file_seq, int64_t records, std::optional<int64_t> first_row_id,
                  int64_t content = 0) {
    auto nullable = [](std::optional<int64_t> v) { return v ? Long(1) + Long(*v) : Long(0); };
    std::string file = Bytes("s3://b/f.parquet") + Bytes("parquet") + Long(content) + (Long(1) + Long(7)) +
                       Long(records) + Long(1234) +
                       (Long(1) + Long(2) + Bytes("3") + Long(9) + Bytes("4") + Long(0) + Long(0)) +
                       nullable(first_row_id);
    return nullable(snapshot) + Long(status) + file + nullable(seq) + nullable(file_seq);
}

TEST(ManifestTest, InheritanceRules) {
    ManifestFile list;
    list.added_snapshot_id = 500;
    list.sequence_number = 12;
    list.first_row_id = 1000;
    std::string data = Entry(1, std::nullopt, std::nullopt, std::nullopt, 10, std::nullopt) +  // ADDED: inherits
                       Entry(0, 400, 3, 2, 20, 50) +                                           // EXISTING: explicit
                       Entry(0, 400, std::nullopt, std::nullopt, 5, std::nullopt) +  // EXISTING, null: stays null
                       Entry(2, 401, 4, 4, 7, std::nullopt) +                        // DELETED data file
                       Entry(1, std::nullopt, std::nullopt, std::nullopt, 9, std::nullopt, 1);  // a delete file
    auto manifest =
        ReadManifestWithMetadata(Container(kEntrySchema, {{"format-version", "2"}}, 5, data), "m.avro", list);
    const auto& e = manifest.entries;
    ASSERT_EQ(e.size(), 5u);
    EXPECT_EQ(manifest.metadata.at("format-version"), "2");
    EXPECT_EQ(e[0].status, EntryStatus::ADDED);
    EXPECT_EQ(e[0].snapshot_id, 500);
    EXPECT_EQ(e[0].sequence_number, 12);
    EXPECT_EQ(e[0].file_sequence_number, 12);
    EXPECT_EQ(e[0].file.first_row_id, 1000);
    EXPECT_EQ(e[0].file.file_format, "PARQUET");
    ASSERT_EQ(e[0].file.partition.size(), 1u);
    EXPECT_EQ(e[0].file.partition[0].field_id, 1001);
    EXPECT_EQ(e[0].file.partition[0].value.integer, 7);
    EXPECT_EQ(e[0].file.null_value_counts, (std::map<int32_t, int64_t>{{3, 9}, {4, 0}}));
    EXPECT_EQ(e[1].snapshot_id, 400);
    EXPECT_EQ(e[1].sequence_number, 3);
    EXPECT_EQ(e[1].file_sequence_number, 2);
    EXPECT_EQ(e[1].file.first_row_id, 50);
    EXPECT_FALSE(e[2].sequence_number.has_value());
    EXPECT_FALSE(e[2].file_sequence_number.has_value());
    EXPECT_EQ(e[2].file.first_row_id, 1010);  // 1000 + the 10 rows of the earlier null-id file
    EXPECT_EQ(e[3].status, EntryStatus::DELETED);
    EXPECT_EQ(e[3].file.first_row_id, 1015);
    EXPECT_EQ(e[4].file.content, DataFileContent::POSITION_DELETES);
    EXPECT_FALSE(e[4].file.first_row_id.has_value());
    EXPECT_EQ(e[4].sequence_number, 12);

    // A v1 manifest (by its header): every sequence number is 0.
    auto v1 = ReadManifest(Container(kEntrySchema, {{"format-version", "1"}}, 5, data), "m.avro", list);
    for (const ManifestEntry& entry : v1) {
        EXPECT_EQ(entry.sequence_number, 0);
        EXPECT_EQ(entry.file_sequence_number, 0);
    }
    // A manifest listed with sequence number 0 (written before an upgrade from v1): nulls read as 0.
    list.sequence_number = 0;
    auto upgraded = ReadManifest(Container(kEntrySchema, {}, 5, data), "m.avro", list);
    EXPECT_EQ(upgraded[2].sequence_number, 0);
}

TEST(ManifestTest, MalformedManifests) {
    ManifestFile list;
    auto expect_error = [&](const std::string& bytes, const std::string& needle) {
        try {
            ReadManifest(bytes, "bad.avro", list);
            ADD_FAILURE() << "no error; expected " << needle;
        } catch (const IOError& e) {
            EXPECT_NE(std::string(e.what()).find("bad.avro"), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
        }
    };
    expect_error(Container(kEntrySchema, {}, 1, Entry(7, 1, 1, 1, 1, std::nullopt)), "status");
    expect_error(Container("\"long\"", {}, 1, Long(1)), "root");
    expect_error(
        Container(R"({"type":"record","name":"manifest_entry","fields":[{"name":"status","type":"int","field-id":0}]})",
                  {}, 1, Long(1)),
        "id 2");
    expect_error(Container(kEntrySchema, {}, 1, Entry(1, 1, 1, 1, 1, std::nullopt, 5)), "content");
}

}  // namespace
}  // namespace floe::iceberg
