#include "storage/segment.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/exception.h"

namespace floe {

class SegmentTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ =
            std::filesystem::temp_directory_path() / ("floe-segment-" + std::to_string(getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        path_ = (dir_ / "a.seg").string();
    }
    void TearDown() override {
        RemoveSegmentFile(path_);
        std::filesystem::remove_all(dir_);
    }
    /// rows: id BIGINT = i, name VARCHAR = "name-<i>-...." (long, so not inline), NULL every 7th.
    void Write(size_t rows) {
        SegmentWriter w(path_, types_);
        size_t done = 0;
        while (done < rows) {
            Chunk chunk(types_);
            size_t n = std::min(kChunkCapacity, rows - done);
            for (size_t i = 0; i < n; ++i) {
                size_t r = done + i;
                chunk.column(0).Append(Value::Integer(static_cast<int64_t>(r)));
                chunk.column(1).Append(r % 7 == 0 ? Value::Null(LogicalType::Varchar())
                                                  : Value::Varchar("name-" + std::to_string(r) + "-padding"));
            }
            chunk.SetSize(n);
            w.Append(chunk);
            done += n;
        }
        w.Finish();
    }
    void FlipByte(uint64_t offset) {
        std::fstream f(path_, std::ios::in | std::ios::out | std::ios::binary);
        f.seekg(static_cast<std::streamoff>(offset));
        char c;
        f.get(c);
        f.seekp(static_cast<std::streamoff>(offset));
        f.put(static_cast<char>(c ^ 0x40));
    }

    std::filesystem::path dir_;
    std::string path_;
    std::vector<LogicalType> types_ = {TypeId::BIGINT, LogicalType::Varchar()};
};

TEST_F(SegmentTest, RoundTripsColumnsAndProjections) {
    Write(10000);
    SegmentReader reader(path_, types_);
    ASSERT_EQ(reader.row_count(), 10000u);
    Chunk out;
    reader.Read(4096, 100, {1, 0}, out);
    ASSERT_EQ(out.column_count(), 2u);
    ASSERT_EQ(out.size(), 100u);
    EXPECT_EQ(out.column(1).GetValue(0).GetInt(), 4096);
    EXPECT_EQ(out.column(0).GetValue(0).ToString(), "name-4096-padding");
    EXPECT_TRUE(out.column(0).IsNull(4102 - 4096));  // 4102 = 7 * 586
    EXPECT_FALSE(out.column(0).IsNull(4103 - 4096));
    EXPECT_EQ(out.column(1).GetValue(99).GetInt(), 4195);
}

TEST_F(SegmentTest, StringsOutliveTheReader) {
    Write(100);
    Chunk out;
    {
        auto reader = std::make_shared<SegmentReader>(path_, types_);
        reader->Read(0, 100, {1}, out);
    }
    EXPECT_EQ(out.column(0).GetValue(99).ToString(), "name-99-padding");
}

TEST_F(SegmentTest, CorruptColumnBlockIsDetectedWhenLoaded) {
    Write(1000);
    FlipByte(12 + 5);                     // inside the first column's first page, after the header
    SegmentReader reader(path_, types_);  // the footer is intact
    EXPECT_NO_THROW(reader.column(1));
    try {
        reader.column(0);
        FAIL() << "corruption not detected";
    } catch (const IOError& e) {
        EXPECT_NE(std::string(e.what()).find("column 0 page 0: checksum mismatch"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(path_), std::string::npos);
    }
}

TEST_F(SegmentTest, CorruptFooterTruncationAndWrongSchemaAreRefused) {
    Write(1000);
    uint64_t size = std::filesystem::file_size(path_);
    FlipByte(size - 16 - 3);  // in the footer
    EXPECT_THROW(SegmentReader(path_, types_), IOError);
    FlipByte(size - 16 - 3);
    EXPECT_NO_THROW(SegmentReader(path_, types_));
    std::vector<LogicalType> wrong = {TypeId::BIGINT};
    EXPECT_THROW(SegmentReader(path_, wrong), IOError);
    std::filesystem::resize_file(path_, size - 5);
    EXPECT_THROW(SegmentReader(path_, types_), IOError);
    std::filesystem::resize_file(path_, 3);
    EXPECT_THROW(SegmentReader(path_, types_), IOError);
}

TEST_F(SegmentTest, CacheSharesReadersAndForgetsRemovedFiles) {
    Write(5000);
    auto a = OpenSegment(path_, types_);
    auto b = OpenSegment(path_, types_);
    EXPECT_EQ(a.get(), b.get());
    a->column(0);
    EXPECT_GE(SegmentCacheBytes(), 5000u * 8);
    RemoveSegmentFile(path_);
    EXPECT_FALSE(std::filesystem::exists(path_));
    Write(10);  // a new file under the same name is read afresh
    EXPECT_EQ(OpenSegment(path_, types_)->row_count(), 10u);
    SetSegmentCacheCapacity(0);  // everything beyond capacity is dropped
    EXPECT_EQ(SegmentCacheBytes(), 0u);
    SetSegmentCacheCapacity(size_t{4} << 30);
}

// Every encoding and codec round-trips, page by page, with exact zone maps.
TEST_F(SegmentTest, EncodingsCodecsAndZoneMapsRoundTrip) {
    std::vector<LogicalType> types = {
        TypeId::INT,  TypeId::BIGINT, TypeId::DOUBLE, LogicalType::Varchar(), LogicalType::Varchar(),
        TypeId::DATE, TypeId::BIGINT, TypeId::TINYINT};
    const size_t rows = 20000;  // three pages
    auto value = [](size_t c, size_t r) -> Value {
        switch (c) {
            case 0:  // small range with NULLs: frame of reference
                return r % 11 == 0 ? Value::Null(LogicalType(TypeId::INT))
                                   : Value::Integer(1000 + r % 100, TypeId::INT);
            case 1:  // the full 64-bit range: plain
                return Value::Integer(r % 2 ? INT64_MAX - static_cast<int64_t>(r)
                                            : INT64_MIN + static_cast<int64_t>(r));
            case 2:
                return Value::Double(static_cast<double>(r) / 3.0 - 100);
            case 3:  // few distinct strings: dictionary
                return Value::Varchar(r % 3 == 0 ? "red" : (r % 3 == 1 ? "green" : "a much longer blue value"));
            case 4:  // all distinct: plain
                return Value::Varchar("unique-" + std::to_string(r * 7919));
            case 5:
                return Value::Date(19000 + static_cast<int32_t>(r / 1000));
            case 6:  // constant: zero bits
                return Value::Integer(-42);
            default:  // all NULL
                return Value::Null(LogicalType(TypeId::TINYINT));
        }
    };
    for (PageCodec codec : {PageCodec::LZ4, PageCodec::ZSTD, PageCodec::NONE}) {
        RemoveSegmentFile(path_);
        SegmentWriter w(path_, types, codec);
        for (size_t done = 0; done < rows;) {
            Chunk chunk(types);
            size_t n = std::min(kChunkCapacity, rows - done);
            for (size_t i = 0; i < n; ++i) {
                for (size_t c = 0; c < types.size(); ++c) chunk.column(c).Append(value(c, done + i));
            }
            chunk.SetSize(n);
            w.Append(chunk);
            done += n;
        }
        uint64_t size = w.Finish();
        if (codec != PageCodec::NONE) {
            EXPECT_LT(size, rows * 40) << "pages should compress";
        }
        SegmentReader reader(path_, types);
        EXPECT_EQ(reader.format_version(), 2u);
        ASSERT_EQ(reader.page_count(), 3u);
        for (size_t c = 0; c < types.size(); ++c) {
            auto col = reader.column(c);
            for (size_t r = 0; r < rows; ++r) {
                ASSERT_EQ(col->GetValue(r).ToString(), value(c, r).ToString()) << "column " << c << " row " << r;
            }
        }
        const ZoneMap* z = reader.page_zone(0, 1);  // rows 8192..16383 of column 0
        ASSERT_NE(z, nullptr);
        EXPECT_EQ(z->kind, ZoneMap::INT);
        EXPECT_EQ(z->imin, 1000);
        EXPECT_EQ(z->imax, 1099);
        EXPECT_GT(z->null_count, 0u);
        EXPECT_EQ(reader.page_zone(5, 0)->imin, 19000);
        EXPECT_EQ(reader.page_zone(5, 0)->imax, 19008);
        EXPECT_EQ(reader.column_zone(5)->imax, 19019);
        EXPECT_EQ(reader.column_zone(3)->smin, "a much longer blue value");
        EXPECT_EQ(reader.column_zone(3)->smax, "red");
        EXPECT_EQ(reader.column_zone(7)->kind, ZoneMap::NONE);
        EXPECT_EQ(reader.column_zone(7)->null_count, rows);
        EXPECT_DOUBLE_EQ(reader.column_zone(2)->dmin, -100);
    }
}

// Frame-of-reference pages at every bit width from 1 to 63 (and the full 64-bit range, stored
// plain) read back exactly, with page sizes that do not fill whole 64-bit words.
TEST_F(SegmentTest, EveryBitWidthRoundTrips) {
    std::vector<LogicalType> types;
    for (int b = 1; b <= 64; ++b) types.push_back(TypeId::BIGINT);
    const size_t rows = 8192 + 777;
    auto value = [](size_t c, size_t r) -> int64_t {
        int bits = static_cast<int>(c) + 1;
        uint64_t mask = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
        uint64_t x = (r * 0x9E3779B97F4A7C15ULL) ^ (r >> 3);
        if (r == 5) x = mask;  // the top of the range: every page uses all the bits
        return static_cast<int64_t>((x & mask) + (bits == 64 ? 0 : -12345));
    };
    SegmentWriter w(path_, types, PageCodec::NONE);
    for (size_t done = 0; done < rows;) {
        Chunk chunk(types);
        size_t n = std::min(kChunkCapacity, rows - done);
        for (size_t i = 0; i < n; ++i) {
            for (size_t c = 0; c < types.size(); ++c) chunk.column(c).Append(Value::Integer(value(c, done + i)));
        }
        chunk.SetSize(n);
        w.Append(chunk);
        done += n;
    }
    w.Finish();
    SegmentReader reader(path_, types);
    for (size_t c = 0; c < types.size(); ++c) {
        auto col = reader.column(c);
        for (size_t r = 0; r < rows; ++r) {
            ASSERT_EQ(col->Data<int64_t>()[r], value(c, r)) << "bits " << c + 1 << " row " << r;
        }
    }
}

// Files in format version 1 (written by earlier releases) stay readable.
TEST_F(SegmentTest, Version1FilesStayReadable) {
    SegmentWriter w(path_, types_);
    w.WriteVersion1ForTesting();
    Chunk chunk(types_);
    chunk.column(0).Append(Value::Integer(7));
    chunk.column(1).Append(Value::Varchar("seven"));
    chunk.SetSize(1);
    w.Append(chunk);
    w.Finish();
    SegmentReader reader(path_, types_);
    EXPECT_EQ(reader.format_version(), 1u);
    EXPECT_EQ(reader.page_zone(0, 0), nullptr);
    EXPECT_EQ(reader.column(0)->GetValue(0).ToString(), "7");
    EXPECT_EQ(reader.column(1)->GetValue(0).ToString(), "seven");
}

}  // namespace floe
