#include "server/mysql/result_encoder.h"

#include <gtest/gtest.h>

#include <cstring>

#include "common/exception.h"
#include "server/mysql/binary_parameters.h"
#include "server/mysql/packet_codec.h"
#include "types/date_time.h"

namespace floe::mysql {

TEST(ResultEncoder, ColumnDefinitionPerType) {
    EXPECT_EQ(DescribeType(TypeId::BIGINT, true).type, ColumnType::LONGLONG);
    EXPECT_EQ(DescribeType(TypeId::INT, false).flags & kNotNullFlag, kNotNullFlag);
    EXPECT_EQ(DescribeType(LogicalType::Decimal(10, 3), true).decimals, 3);
    EXPECT_EQ(DescribeType(LogicalType::Varchar(10), true).charset, kCharsetUtf8);
    EXPECT_EQ(DescribeType(TypeId::DOUBLE, true).charset, kCharsetBinary);
    EXPECT_EQ(DescribeType(TypeId::DATE, true).type, ColumnType::DATE);
    ResultColumn c;
    c.name = "total";
    c.schema = "db";
    c.type = TypeId::BIGINT;
    std::string def = EncodeColumnDefinition(c);
    PacketReader r(def);
    EXPECT_EQ(r.ReadLenencString(), "def");
    EXPECT_EQ(r.ReadLenencString(), "db");
    r.ReadLenencString();
    r.ReadLenencString();
    EXPECT_EQ(r.ReadLenencString(), "total");
    r.ReadLenencString();
    EXPECT_EQ(r.ReadLenencInt(), 0x0cu);
    EXPECT_EQ(r.ReadU16(), kCharsetBinary);
    EXPECT_EQ(r.ReadU32(), 20u);
    EXPECT_EQ(r.ReadU8(), static_cast<uint8_t>(ColumnType::LONGLONG));
}

QueryResult SampleResult() {
    QueryResult q;
    q.has_result_set = true;
    q.columns.push_back({"i", "", "", "", "", TypeId::BIGINT, true});
    q.columns.push_back({"s", "", "", "", "", LogicalType::Varchar(), true});
    q.columns.push_back({"d", "", "", "", "", TypeId::DATETIME, true});
    Chunk chunk({TypeId::BIGINT, LogicalType::Varchar(), TypeId::DATETIME}, 2);
    chunk.SetSize(2);
    chunk.column(0).SetValue(0, Value::Integer(-7));
    chunk.column(1).SetValue(0, Value::Varchar("hi"));
    chunk.column(2).SetValue(0, Value::Datetime(*ParseDatetime("2024-01-02 03:04:05")));
    chunk.column(0).SetValue(1, Value::Null());
    chunk.column(1).SetValue(1, Value::Null());
    chunk.column(2).SetValue(1, Value::Null());
    q.chunks.push_back(std::move(chunk));
    return q;
}

// OK packets: affected rows, insert id, status, warnings, then the info text length-encoded (as
// MySQL servers write it; MariaDB's client rejects a bare string).
TEST(ResultEncoder, OkPacketInfoIsLengthEncoded) {
    std::string p = EncodeOk(3, 0, 0x0002, 0, "Records: 3");
    ASSERT_EQ(p.size(), 1u + 1 + 1 + 2 + 2 + 1 + 10);
    EXPECT_EQ(static_cast<uint8_t>(p[0]), 0x00);
    EXPECT_EQ(static_cast<uint8_t>(p[1]), 3);
    EXPECT_EQ(static_cast<uint8_t>(p[7]), 10);
    EXPECT_EQ(p.substr(8), "Records: 3");
    EXPECT_EQ(EncodeOk(0, 0, 0x0002, 0).size(), 7u);  // no info: nothing after the warnings
}

TEST(ResultEncoder, TextRows) {
    std::vector<std::string> rows;
    EncodeTextRows(SampleResult(), [&](const std::string& r) { rows.push_back(r); });
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0], std::string("\x02-7\x02hi\x13", 7) + "2024-01-02 03:04:05");
    EXPECT_EQ(rows[1], "\xfb\xfb\xfb");
}

TEST(ResultEncoder, BinaryRowsWithNullBitmap) {
    std::vector<std::string> rows;
    EncodeBinaryRows(SampleResult(), [&](const std::string& r) { rows.push_back(r); });
    ASSERT_EQ(rows.size(), 2u);
    PacketReader r(rows[0]);
    EXPECT_EQ(r.ReadU8(), 0);
    EXPECT_EQ(r.ReadU8(), 0);  // null bitmap: no NULLs
    EXPECT_EQ(static_cast<int64_t>(r.ReadU64()), -7);
    EXPECT_EQ(r.ReadLenencString(), "hi");
    EXPECT_EQ(r.ReadU8(), 7);
    EXPECT_EQ(r.ReadU16(), 2024);
    // Row 2: all three NULL -> bits 2, 3, 4 of the bitmap (offset 2).
    EXPECT_EQ(rows[1], std::string("\x00\x1c", 2));
}

TEST(BinaryParameters, DecodesEveryTypeAndRemembersTypes) {
    StatementParameters state;
    state.count = 6;
    PacketWriter w;
    w.WriteU8(0x17);
    w.WriteU32(5);
    w.WriteU8(0);
    w.WriteU32(1);
    w.WriteU8(0b00100000);  // param 5 is NULL
    w.WriteU8(1);
    for (ColumnType t : {ColumnType::LONGLONG, ColumnType::DOUBLE, ColumnType::VAR_STRING, ColumnType::DATE,
                         ColumnType::DATETIME, ColumnType::LONG}) {
        w.WriteU16(static_cast<uint16_t>(t));
    }
    w.WriteU64(static_cast<uint64_t>(-3));
    double d = 2.5;
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    w.WriteU64(bits);
    w.WriteLenencString("abc");
    w.WriteU8(4);
    w.WriteU16(2024);
    w.WriteU8(2);
    w.WriteU8(29);
    w.WriteU8(7);
    w.WriteU16(2024);
    w.WriteU8(1);
    w.WriteU8(2);
    w.WriteU8(3);
    w.WriteU8(4);
    w.WriteU8(5);
    EXPECT_EQ(PeekStatementId(w.payload()), 5u);
    ExecuteRequest req = DecodeExecute(w.payload(), state);
    ASSERT_EQ(req.params.size(), 6u);
    EXPECT_EQ(req.params[0].GetInt(), -3);
    EXPECT_EQ(req.params[1].GetDouble(), 2.5);
    EXPECT_EQ(req.params[2].GetString(), "abc");
    EXPECT_EQ(req.params[3].ToString(), "2024-02-29");
    EXPECT_EQ(req.params[4].ToString(), "2024-01-02 03:04:05");
    EXPECT_TRUE(req.params[5].is_null());
    // Unsigned LONGLONG beyond int64 and remembered types on a second execution.
    StatementParameters one;
    one.count = 1;
    PacketWriter u;
    u.WriteU8(0x17);
    u.WriteU32(1);
    u.WriteU8(0);
    u.WriteU32(1);
    u.WriteU8(0);
    u.WriteU8(1);
    u.WriteU16(static_cast<uint16_t>(ColumnType::LONGLONG) | 0x8000);
    u.WriteU64(~0ULL);
    EXPECT_EQ(DecodeExecute(u.payload(), one).params[0].ToString(), "18446744073709551615");
    PacketWriter again;
    again.WriteU8(0x17);
    again.WriteU32(1);
    again.WriteU8(0);
    again.WriteU32(1);
    again.WriteU8(0);
    again.WriteU8(0);  // types not re-sent
    again.WriteU64(5);
    EXPECT_EQ(DecodeExecute(again.payload(), one).params[0].ToString(), "5");
}

TEST(BinaryParameters, MalformedInputThrows) {
    StatementParameters state;
    state.count = 1;
    EXPECT_THROW(DecodeExecute(std::string("\x17\x01\x00", 3), state), ProtocolError);
    PacketWriter w;
    w.WriteU8(0x17);
    w.WriteU32(1);
    w.WriteU8(0);
    w.WriteU32(1);
    w.WriteU8(0);
    w.WriteU8(0);  // types never sent
    EXPECT_THROW(DecodeExecute(w.payload(), state), ProtocolError);
}

}  // namespace floe::mysql
