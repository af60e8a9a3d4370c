// Floe's Avro object container reader: files written by python3-avro (data/make_avro_samples.py)
// under every codec, and hand-made malformed containers that must fail with an IOError naming the
// file and the problem.
#include "lake/avro/avro_reader.h"

#include <gtest/gtest.h>
#include <snappy.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/exception.h"

namespace floe::avro {
namespace {

std::filesystem::path DataDir() {
    return std::filesystem::path(FLOE_SOURCE_DIR) / "test/unit/lake/data";
}

std::string ReadFile(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

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

const std::string kSync = "0123456789abcdef";

/// A container with the given schema and codec; each block is (object count, already-encoded data).
std::string Container(std::string_view schema, std::string_view codec,
                      const std::vector<std::pair<int64_t, std::string>>& blocks) {
    std::string out("Obj\x01", 4);
    out += Long(2) + Bytes("avro.schema") + Bytes(schema) + Bytes("avro.codec") + Bytes(codec) + Long(0);
    out += kSync;
    for (const auto& [count, data] : blocks) out += Long(count) + Bytes(data) + kSync;
    return out;
}

std::vector<Datum> ReadAll(const std::string& bytes, const std::string& what = "test.avro") {
    AvroContainerReader reader(bytes, what);
    std::vector<Datum> out;
    Datum d;
    while (reader.Next(d)) out.push_back(d);
    return out;
}

/// Runs `f`, expecting an IOError whose message contains `what` and `needle`.
template <typename F>
void ExpectIOError(F&& f, const std::string& needle, const std::string& what = "test.avro") {
    try {
        f();
        FAIL() << "no error; expected one mentioning '" << needle << "'";
    } catch (const IOError& e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find(what), std::string::npos) << msg;
        EXPECT_NE(msg.find(needle), std::string::npos) << msg;
    }
}

class AvroSampleTest : public ::testing::TestWithParam<std::string> {};

TEST_P(AvroSampleTest, DecodesEveryTypeWrittenByPythonAvro) {
    std::string codec = GetParam();
    auto path = DataDir() / ("sample_" + codec + ".avro");
    ASSERT_TRUE(std::filesystem::exists(path)) << path;
    AvroContainerReader reader(ReadFile(path), path.string());
    EXPECT_EQ(reader.codec(), codec);
    EXPECT_EQ(reader.Metadata("iceberg.note").value_or(""), "kept as bytes");

    const AvroNode& root = reader.schema().root();
    ASSERT_EQ(root.type, AvroType::RECORD);
    EXPECT_EQ(root.name, "floe.test.sample");
    ASSERT_EQ(root.fields.size(), 16u);
    for (size_t i = 0; i < root.fields.size(); ++i) EXPECT_TRUE(root.fields[i].field_id.has_value()) << i;
    EXPECT_EQ(root.FindFieldById(6), 5);
    EXPECT_EQ(root.FindFieldByName("inner"), 12);
    EXPECT_EQ(root.FindFieldById(999), -1);
    const AvroNode& arr = *root.fields[root.FindFieldById(10)].type;
    EXPECT_EQ(arr.type, AvroType::ARRAY);
    EXPECT_EQ(arr.element_id, 11);
    const AvroNode& map = *root.fields[root.FindFieldById(12)].type;
    EXPECT_EQ(map.type, AvroType::MAP);
    EXPECT_EQ(map.key_id, 13);
    EXPECT_EQ(map.value_id, 14);
    const AvroNode& inner = *root.fields[root.FindFieldById(16)].type;
    EXPECT_EQ(inner.name, "other.ns.inner_rec");
    EXPECT_EQ(inner.fields[0].type, root.fields[7].type);  // "floe.test.four" refers to the earlier fixed
    EXPECT_EQ(inner.fields[0].type->fixed_size, 4);
    EXPECT_EQ(inner.fields[1].field_id, 18);
    const AvroNode& dec = *root.fields[root.FindFieldById(19)].type;
    EXPECT_EQ(dec.logical_type, "decimal");
    EXPECT_EQ(dec.precision, 9);
    EXPECT_EQ(dec.scale, 2);
    EXPECT_EQ(root.fields[root.FindFieldById(20)].type->logical_type, "timestamp-micros");
    const AvroNode& kv = *root.fields[root.FindFieldById(21)].type;
    EXPECT_EQ(kv.logical_type, "map");
    EXPECT_EQ(kv.items->FindFieldById(23), 1);
    EXPECT_EQ(root.fields[root.FindFieldById(15)].type->NonNull().type, AvroType::STRING);
    EXPECT_EQ(reader.schema().FindNamed("floe.test.color")->symbols.size(), 3u);

    std::vector<Datum> rows;
    Datum d;
    while (reader.Next(d)) rows.push_back(d);
    ASSERT_EQ(rows.size(), 5u);
    for (int n = 0; n < 5; ++n) {
        SCOPED_TRACE("row " + std::to_string(n));
        const Datum& r = rows[n];
        ASSERT_EQ(r.kind, Datum::Kind::RECORD);
        EXPECT_EQ(r.FieldById(root, 1)->boolean, n % 2 == 0);
        EXPECT_EQ(r.FieldById(root, 2)->integer, -n * 1000 - 1);
        EXPECT_EQ(r.FieldById(root, 3)->integer, (int64_t{1} << 40) * n - 7);
        EXPECT_EQ(r.FieldById(root, 4)->kind, Datum::Kind::FLOAT);
        EXPECT_EQ(r.FieldById(root, 4)->real, 1.5 * n);
        EXPECT_EQ(r.FieldById(root, 5)->real, -0.25 * n);
        EXPECT_EQ(r.FieldById(root, 6)->bytes, "row " + std::to_string(n) + " \xc3\xa9");
        EXPECT_EQ(r.FieldById(root, 7)->bytes.size(), static_cast<size_t>(n));
        EXPECT_EQ(r.FieldById(root, 8)->bytes, std::string({char(n), char(n + 1), char(n + 2), char(n + 3)}));
        const char* colors[] = {"RED", "GREEN", "BLUE"};
        EXPECT_EQ(r.FieldById(root, 9)->kind, Datum::Kind::ENUM);
        EXPECT_EQ(r.FieldById(root, 9)->bytes, colors[n % 3]);
        EXPECT_EQ(r.FieldById(root, 9)->integer, n % 3);
        const Datum& a = *r.FieldById(root, 10);
        ASSERT_EQ(a.items.size(), static_cast<size_t>(n));
        for (int j = 0; j < n; ++j) EXPECT_EQ(a.items[j].integer, j);
        const Datum& m = *r.FieldById(root, 12);
        ASSERT_EQ(m.entries.size(), static_cast<size_t>(n % 3));
        for (int j = 0; j < n % 3; ++j) {
            EXPECT_EQ(m.entries[j].key, "k" + std::to_string(j));
            EXPECT_EQ(m.entries[j].value.integer, j * n);
        }
        const Datum& u = *r.FieldByName(root, "u");
        EXPECT_EQ(u.is_null(), n % 2 == 1);
        EXPECT_EQ(u.union_branch, n % 2 == 1 ? 0 : 1);
        if (!u.is_null()) {
            EXPECT_EQ(u.bytes, "u" + std::to_string(n));
        }
        const Datum& in = *r.FieldById(root, 16);
        EXPECT_EQ(in.FieldById(inner, 17)->bytes, std::string("\x00\xff\x10\x20", 4));
        EXPECT_EQ(in.FieldById(inner, 18)->is_null(), n == 0);
        if (n > 0) {
            EXPECT_EQ(in.FieldById(inner, 18)->integer, -n);
        }
        const std::string& unscaled = r.FieldById(root, 19)->bytes;
        ASSERT_EQ(unscaled.size(), 2u);
        EXPECT_EQ((static_cast<uint8_t>(unscaled[0]) << 8) | static_cast<uint8_t>(unscaled[1]), 1234 + n);
        EXPECT_EQ(r.FieldById(root, 20)->integer, 1700000000000000 + n);
        const Datum& pairs = *r.FieldById(root, 21);
        ASSERT_EQ(pairs.items.size(), static_cast<size_t>(n));
        for (int j = 0; j < n; ++j) {
            EXPECT_EQ(pairs.items[j].FieldById(*kv.items, 22)->integer, 100 + j);
            EXPECT_EQ(pairs.items[j].FieldByName(*kv.items, "value")->integer, j * 10);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Codecs, AvroSampleTest, ::testing::Values("null", "deflate", "snappy", "zstandard"));

TEST(AvroReaderTest, EveryTruncationAndByteFlipFailsCleanly) {
    for (const char* codec : {"null", "deflate", "snappy", "zstandard"}) {
        std::string file = ReadFile(DataDir() / (std::string("sample_") + codec + ".avro"));
        ASSERT_FALSE(file.empty());
        for (size_t n = 0; n < file.size(); ++n) {
            try {
                ReadAll(file.substr(0, n));
            } catch (const IOError&) {
            }
        }
        for (size_t i = 0; i < file.size(); ++i) {
            for (uint8_t x : {0x01, 0x80, 0xFF}) {
                std::string bad = file;
                bad[i] = static_cast<char>(bad[i] ^ x);
                try {
                    ReadAll(bad);
                } catch (const IOError&) {
                }
            }
        }
    }
}

TEST(AvroReaderTest, HeaderErrors) {
    ExpectIOError([] { ReadAll("PAR1...."); }, "magic");
    ExpectIOError([] { ReadAll(""); }, "magic");
    ExpectIOError([] { ReadAll(std::string("AGS1\0\0\x10\0", 8)); }, "encrypted");
    ExpectIOError([] { ReadAll(std::string("Obj\x01", 4) + Long(2) + Bytes("avro.schema")); }, "truncated");
    std::string no_sync = Container("\"long\"", "null", {});
    ExpectIOError([&] { ReadAll(no_sync.substr(0, no_sync.size() - 3)); }, "sync marker");
    ExpectIOError([] { ReadAll(Container("\"long\"", "bzip2", {})); }, "bzip2");
    ExpectIOError([] { ReadAll(Container("{\"type\":", "null", {})); }, "JSON");
    ExpectIOError([] { ReadAll(Container("\"nosuchtype\"", "null", {})); }, "nosuchtype");
    ExpectIOError([] { ReadAll(Container("{\"type\":\"record\",\"name\":\"r\"}", "null", {})); }, "fields");
    ExpectIOError(
        [] {
            ReadAll(Container(R"({"type":"record","name":"r","fields":[{"name":"a","type":"later"},)"
                              R"({"name":"b","type":{"type":"fixed","name":"later","size":1}}]})",
                              "null", {}));
        },
        "later");
    ExpectIOError([] { ReadAll(Container(R"(["null",["int"]])", "null", {})); }, "union");
    std::string deep;
    for (int i = 0; i < 70; ++i) deep += R"({"type":"array","items":)";
    deep += "\"int\"" + std::string(70, '}');
    ExpectIOError([&] { ReadAll(Container(deep, "null", {})); }, "deeper");
    // An empty file (no blocks) and a block of zero objects are fine.
    EXPECT_TRUE(ReadAll(Container("\"long\"", "null", {})).empty());
    EXPECT_TRUE(ReadAll(Container("\"long\"", "null", {{0, ""}})).empty());
}

TEST(AvroReaderTest, BlockAndValueErrors) {
    // Three longs in one block, then one in a second block.
    auto rows =
        ReadAll(Container("\"long\"", "null", {{3, Long(1) + Long(-2) + Long(INT64_MIN)}, {1, Long(INT64_MAX)}}));
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[1].integer, -2);
    EXPECT_EQ(rows[2].integer, INT64_MIN);
    EXPECT_EQ(rows[3].integer, INT64_MAX);

    // python-avro writes an unsigned id >= 2^63 as a 65-bit zig-zag value (2u+1): it reads as u's bits.
    {
        uint64_t u = 9876543210123456789ull;
        unsigned __int128 z = (static_cast<unsigned __int128>(u) << 1) | 1;
        std::string varint;
        while (z >= 0x80) {
            varint.push_back(static_cast<char>((z & 0x7F) | 0x80));
            z >>= 7;
        }
        varint.push_back(static_cast<char>(z));
        ASSERT_EQ(varint.size(), 10u);
        auto big = ReadAll(Container("\"long\"", "null", {{1, varint}}));
        ASSERT_EQ(big.size(), 1u);
        EXPECT_EQ(static_cast<uint64_t>(big[0].integer), u);
    }
    ExpectIOError([] { ReadAll(Container("\"long\"", "null", {{1, std::string(11, '\xff')}})); }, "varint");
    ExpectIOError([] { ReadAll(Container("\"long\"", "null", {{1, std::string(10, '\xff')}})); }, "varint");
    ExpectIOError([] { ReadAll(Container("\"int\"", "null", {{1, Long(int64_t{1} << 33)}})); }, "32-bit");
    ExpectIOError([] { ReadAll(Container("\"string\"", "null", {{2, Long(1) + "a"}})); }, "truncated");
    ExpectIOError([] { ReadAll(Container("\"long\"", "null", {{1, Long(1) + Long(2)}})); }, "bytes left");
    ExpectIOError([] { ReadAll(Container("\"long\"", "null", {{1000000000, Long(1)}})); }, "objects");
    ExpectIOError([] { ReadAll(Container("\"long\"", "null", {{-1, Long(1)}})); }, "negative");
    ExpectIOError([] { ReadAll(Container("\"string\"", "null", {{1, Long(100) + "abc"}})); }, "beyond the end");
    ExpectIOError([] { ReadAll(Container("\"string\"", "null", {{1, Long(-5)}})); }, "negative length");
    ExpectIOError([] { ReadAll(Container("\"boolean\"", "null", {{1, "\x02"}})); }, "boolean");
    ExpectIOError([] { ReadAll(Container(R"(["null","long"])", "null", {{1, Long(2)}})); }, "union branch 2");
    ExpectIOError([] { ReadAll(Container(R"(["null","long"])", "null", {{1, Long(-1)}})); }, "union branch -1");
    ExpectIOError(
        [] {
            ReadAll(Container(R"({"type":"enum","name":"e","symbols":["A"]})", "null", {{1, Long(1)}}));
        },
        "enum index 1");
    // Counts that would allocate absurd memory: a billion longs in a few bytes, 2^40 nulls in two.
    ExpectIOError(
        [] {
            ReadAll(Container(R"({"type":"array","items":"long"})", "null", {{1, Long(1000000000)}}));
        },
        "cannot fit");
    ExpectIOError(
        [] {
            ReadAll(Container(R"({"type":"array","items":"null"})", "null", {{1, Long(int64_t{1} << 40)}}));
        },
        "more than");
    ExpectIOError(
        [] {
            ReadAll(Container(R"({"type":"map","values":"null"})", "null", {{1, Long(INT64_MIN) + Long(0)}}));
        },
        "block count");
    // Negative array block counts carry a byte size.
    rows = ReadAll(Container(R"({"type":"array","items":"long"})", "null",
                             {{1, Long(-2) + Long(2) + Long(5) + Long(6) + Long(0)}}));
    ASSERT_EQ(rows.size(), 1u);
    ASSERT_EQ(rows[0].items.size(), 2u);
    EXPECT_EQ(rows[0].items[1].integer, 6);
    ExpectIOError(
        [] {
            ReadAll(Container(R"({"type":"array","items":"long"})", "null", {{1, Long(-2) + Long(99) + Long(5)}}));
        },
        "byte size");
    // A recursive schema: a linked list nested deeper than the limit.
    std::string list;
    for (int i = 0; i < 100; ++i) list += Long(1);
    list += Long(0);
    ExpectIOError(
        [&] {
            ReadAll(Container(R"({"type":"record","name":"node","fields":[{"name":"next","type":["null","node"]}]})",
                              "null", {{1, list}}));
        },
        "nested deeper");
    std::string short_list = Long(1) + Long(1) + Long(0);
    rows = ReadAll(Container(R"({"type":"record","name":"node","fields":[{"name":"next","type":["null","node"]}]})",
                             "null", {{1, short_list}}));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].items[0].union_branch, 1);
    EXPECT_TRUE(rows[0].items[0].items[0].items[0].is_null());
    // A wrong sync marker after a block.
    std::string file = Container("\"long\"", "null", {{1, Long(7)}, {1, Long(8)}});
    file[file.size() - 1] ^= 1;
    ExpectIOError([&] { ReadAll(file); }, "sync marker");
}

TEST(AvroReaderTest, Codecs) {
    std::string data = Long(42) + Long(-42);
    // snappy: the block plus a big-endian CRC-32 of the uncompressed bytes.
    std::string compressed;
    snappy::Compress(data.data(), data.size(), &compressed);
    uint32_t crc = crc32(0L, reinterpret_cast<const Bytef*>(data.data()), data.size());
    std::string block = compressed + std::string{char(crc >> 24), char(crc >> 16), char(crc >> 8), char(crc)};
    auto rows = ReadAll(Container("\"long\"", "snappy", {{2, block}}));
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[1].integer, -42);
    block.back() ^= 1;
    ExpectIOError([&] { ReadAll(Container("\"long\"", "snappy", {{2, block}})); }, "CRC");
    ExpectIOError([&] { ReadAll(Container("\"long\"", "snappy", {{2, "ab"}})); }, "snappy");
    // deflate: raw deflate, no zlib header; a truncated stream fails.
    z_stream z{};
    ASSERT_EQ(deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::string deflated(256, '\0');
    z.next_in = reinterpret_cast<Bytef*>(data.data());
    z.avail_in = data.size();
    z.next_out = reinterpret_cast<Bytef*>(deflated.data());
    z.avail_out = deflated.size();
    ASSERT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    deflated.resize(z.total_out);
    deflateEnd(&z);
    rows = ReadAll(Container("\"long\"", "deflate", {{2, deflated}}));
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].integer, 42);
    ExpectIOError([&] { ReadAll(Container("\"long\"", "deflate", {{2, deflated.substr(0, 2)}})); }, "deflate");
    ExpectIOError([&] { ReadAll(Container("\"long\"", "zstandard", {{2, "not zstd"}})); }, "zstd");
    // A deflate bomb: 100 MB of zeros in a few hundred kilobytes stops at the block limit.
    std::string zeros(kMaxBlockBytes + 1024, '\0');
    std::string bomb(zeros.size() / 500, '\0');
    z = z_stream{};
    ASSERT_EQ(deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = reinterpret_cast<Bytef*>(zeros.data());
    z.avail_in = zeros.size();
    z.next_out = reinterpret_cast<Bytef*>(bomb.data());
    z.avail_out = bomb.size();
    ASSERT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    bomb.resize(z.total_out);
    deflateEnd(&z);
    ExpectIOError([&] { ReadAll(Container("\"long\"", "deflate", {{1, bomb}})); }, "expands beyond");
}

}  // namespace
}  // namespace floe::avro
