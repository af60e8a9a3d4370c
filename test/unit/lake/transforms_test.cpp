// Partition transforms (spec Appendix B hash vectors, truncate, temporal ordinals with floor
// semantics), inclusive projections, and the binary/JSON single-value serializations.
#include "lake/iceberg/transforms.h"

#include <gtest/gtest.h>

#include "common/exception.h"
#include "lake/iceberg/single_value.h"
#include "types/date_time.h"

using namespace floe;
using namespace floe::iceberg;

namespace {

Type T(TypeKind kind) {
    return Type::Primitive(kind);
}

int64_t Micros(const char* text) {
    auto v = ParseDatetime(text);
    EXPECT_TRUE(v) << text;
    return v.value_or(0);
}

Value Ts(const char* text) {
    return Value::Datetime(Micros(text));
}

Value Day(const char* text) {
    return Value::Date(*ParseDate(text));
}

Value Int(int64_t v) {
    return Value::Integer(v, TypeId::INT);
}

std::string Hex(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    for (unsigned char c : bytes) {
        s.push_back(kHex[c >> 4]);
        s.push_back(kHex[c & 15]);
    }
    return s;
}

}  // namespace

TEST(TransformsTest, ParseAndPrint) {
    EXPECT_EQ(ParseTransform("identity").kind, TransformKind::IDENTITY);
    Transform b = ParseTransform("bucket[16]");
    EXPECT_EQ(b.kind, TransformKind::BUCKET);
    EXPECT_EQ(b.param, 16);
    EXPECT_EQ(b.ToString(), "bucket[16]");
    Transform t = ParseTransform("truncate[10]");
    EXPECT_EQ(t.kind, TransformKind::TRUNCATE);
    EXPECT_EQ(t.param, 10);
    EXPECT_EQ(ParseTransform("year").kind, TransformKind::YEAR);
    EXPECT_EQ(ParseTransform("month").kind, TransformKind::MONTH);
    EXPECT_EQ(ParseTransform("day").kind, TransformKind::DAY);
    EXPECT_EQ(ParseTransform("hour").kind, TransformKind::HOUR);
    EXPECT_EQ(ParseTransform("void").kind, TransformKind::VOID);
    for (const char* bad : {"bucket[0]", "bucket[]", "bucket[x]", "truncate[-1]", "zorder", "bucket[16", ""}) {
        Transform u = ParseTransform(bad);
        EXPECT_EQ(u.kind, TransformKind::UNKNOWN) << bad;
        EXPECT_EQ(u.ToString(), bad);
    }
    EXPECT_EQ(TransformResultType(ParseTransform("day"), T(TypeKind::TIMESTAMP)).kind, TypeKind::DATE);
    EXPECT_EQ(TransformResultType(ParseTransform("hour"), T(TypeKind::TIMESTAMPTZ)).kind, TypeKind::INT);
    EXPECT_EQ(TransformResultType(ParseTransform("bucket[4]"), T(TypeKind::STRING)).kind, TypeKind::INT);
    EXPECT_EQ(TransformResultType(ParseTransform("truncate[4]"), T(TypeKind::STRING)).kind, TypeKind::STRING);
    EXPECT_FALSE(CanTransform(ParseTransform("hour"), T(TypeKind::DATE)));
    EXPECT_FALSE(CanTransform(ParseTransform("bucket[2]"), T(TypeKind::FLOAT)));
    EXPECT_FALSE(CanTransform(ParseTransform("truncate[2]"), T(TypeKind::UUID)));
    EXPECT_TRUE(CanTransform(ParseTransform("void"), T(TypeKind::FLOAT)));
}

// Spec Appendix B: "32-bit Hash Requirements".
TEST(TransformsTest, BucketHashSpecVectors) {
    EXPECT_EQ(BucketHash(T(TypeKind::INT), Int(34)), 2017239379);
    EXPECT_EQ(BucketHash(T(TypeKind::LONG), Value::Integer(34)), 2017239379);
    EXPECT_EQ(BucketHash(Type::Decimal(9, 2), Value::Decimal(1420, 9, 2)), -500754589);
    EXPECT_EQ(BucketHash(T(TypeKind::DATE), Day("2017-11-16")), -653330422);
    EXPECT_EQ(BucketHash(T(TypeKind::TIME), Value::Varchar("22:31:08")), -662762989);
    EXPECT_EQ(BucketHash(T(TypeKind::TIMESTAMP), Ts("2017-11-16 22:31:08")), -2047944441);
    EXPECT_EQ(BucketHash(T(TypeKind::TIMESTAMP), Ts("2017-11-16 22:31:08.000001")), -1207196810);
    // timestamptz 2017-11-16T14:31:08-08:00 is the same instant.
    EXPECT_EQ(BucketHash(T(TypeKind::TIMESTAMPTZ), Ts("2017-11-16 22:31:08")), -2047944441);
    // Nanosecond timestamps hash their microseconds (the reader already holds micros).
    EXPECT_EQ(BucketHash(T(TypeKind::TIMESTAMP_NS), Ts("2017-11-16 22:31:08")), -2047944441);
    EXPECT_EQ(BucketHash(T(TypeKind::TIMESTAMPTZ_NS), Ts("2017-11-16 22:31:08.000001")), -1207196810);
    EXPECT_EQ(BucketHash(T(TypeKind::STRING), Value::Varchar("iceberg")), 1210000089);
    EXPECT_EQ(BucketHash(T(TypeKind::UUID), Value::Varchar("f79c3e09-677c-4bbd-a479-3f349cb785e7")), 1488055340);
    EXPECT_EQ(BucketHash(Type::Fixed(4), Value::Varchar(std::string("\x00\x01\x02\x03", 4))), -188683207);
    EXPECT_EQ(BucketHash(T(TypeKind::BINARY), Value::Varchar(std::string("\x00\x01\x02\x03", 4))), -188683207);
    EXPECT_THROW(BucketHash(T(TypeKind::DOUBLE), Value::Double(1.0)), ConversionError);
}

TEST(TransformsTest, Bucket) {
    Transform b = ParseTransform("bucket[16]");
    // (2017239379 & INT_MAX) % 16
    EXPECT_EQ(ApplyTransform(b, T(TypeKind::INT), Int(34)), Int(2017239379 % 16));
    EXPECT_EQ(ApplyTransform(b, T(TypeKind::STRING), Value::Varchar("iceberg")), Int(1210000089 % 16));
    // A negative hash is masked, not negated.
    EXPECT_EQ(ApplyTransform(b, T(TypeKind::DATE), Day("2017-11-16")), Int((-653330422 & 0x7FFFFFFF) % 16));
    EXPECT_TRUE(ApplyTransform(b, T(TypeKind::INT), Value::Null(TypeId::INT)).is_null());
    EXPECT_EQ(ApplyTransform(ParseTransform("bucket[1]"), T(TypeKind::LONG), Value::Integer(-5)), Int(0));
}

TEST(TransformsTest, Truncate) {
    Transform t10 = ParseTransform("truncate[10]");
    EXPECT_EQ(ApplyTransform(t10, T(TypeKind::INT), Int(1)), Int(0));
    EXPECT_EQ(ApplyTransform(t10, T(TypeKind::INT), Int(-1)), Int(-10));
    EXPECT_EQ(ApplyTransform(t10, T(TypeKind::INT), Int(10)), Int(10));
    EXPECT_EQ(ApplyTransform(t10, T(TypeKind::LONG), Value::Integer(-11)), Value::Integer(-20));
    EXPECT_EQ(ApplyTransform(ParseTransform("truncate[50]"), Type::Decimal(9, 2), Value::Decimal(1065, 9, 2)),
              Value::Decimal(1050, 9, 2));
    EXPECT_EQ(ApplyTransform(ParseTransform("truncate[50]"), Type::Decimal(9, 2), Value::Decimal(-1, 9, 2)),
              Value::Decimal(-50, 9, 2));
    Transform t3 = ParseTransform("truncate[3]");
    EXPECT_EQ(ApplyTransform(t3, T(TypeKind::STRING), Value::Varchar("iceberg")), Value::Varchar("ice"));
    EXPECT_EQ(ApplyTransform(t3, T(TypeKind::STRING), Value::Varchar("ab")), Value::Varchar("ab"));
    // Code points, not bytes: "ä€😀x" keeps its three first characters (2 + 3 + 4 bytes).
    EXPECT_EQ(ApplyTransform(t3, T(TypeKind::STRING), Value::Varchar("\xC3\xA4\xE2\x82\xAC\xF0\x9F\x98\x80x")),
              Value::Varchar("\xC3\xA4\xE2\x82\xAC\xF0\x9F\x98\x80"));
    EXPECT_EQ(ApplyTransform(t3, T(TypeKind::BINARY), Value::Varchar(std::string("\x00\x01\x02\x03", 4))),
              Value::Varchar(std::string("\x00\x01\x02", 3)));
    EXPECT_THROW(ApplyTransform(t3, T(TypeKind::UUID), Value::Varchar("x")), ConversionError);
    EXPECT_THROW(ApplyTransform(t3, T(TypeKind::INT), Value::Varchar("x")), ConversionError);
}

TEST(TransformsTest, TemporalOrdinals) {
    Transform year = ParseTransform("year"), month = ParseTransform("month"), day = ParseTransform("day"),
              hour = ParseTransform("hour");
    Type ts = T(TypeKind::TIMESTAMP), date = T(TypeKind::DATE);
    EXPECT_EQ(ApplyTransform(year, date, Day("2017-11-16")), Int(47));
    EXPECT_EQ(ApplyTransform(month, date, Day("2017-11-16")), Int(47 * 12 + 10));
    EXPECT_EQ(ApplyTransform(day, date, Day("2017-11-16")), Day("2017-11-16"));
    EXPECT_EQ(ApplyTransform(year, ts, Ts("2017-11-16 22:31:08")), Int(47));
    EXPECT_EQ(ApplyTransform(month, ts, Ts("2017-11-16 22:31:08")), Int(574));
    EXPECT_EQ(ApplyTransform(day, ts, Ts("2017-11-16 22:31:08")), Day("2017-11-16"));
    EXPECT_EQ(ApplyTransform(hour, ts, Ts("1970-01-01 01:00:00")), Int(1));
    // One microsecond before the epoch is in year, month, day and hour -1 (floor, not truncation).
    Value before = Value::Datetime(-1);
    EXPECT_EQ(ApplyTransform(year, ts, before), Int(-1));
    EXPECT_EQ(ApplyTransform(month, ts, before), Int(-1));
    EXPECT_EQ(ApplyTransform(day, ts, before), Value::Date(-1));
    EXPECT_EQ(ApplyTransform(hour, ts, before), Int(-1));
    EXPECT_EQ(ApplyTransform(month, date, Day("1969-01-31")), Int(-12));
    EXPECT_EQ(ApplyTransform(year, date, Day("1968-12-31")), Int(-2));
    EXPECT_THROW(ApplyTransform(hour, date, Day("2017-11-16")), ConversionError);
    EXPECT_TRUE(ApplyTransform(ParseTransform("void"), ts, Ts("2017-11-16 22:31:08")).is_null());
    EXPECT_EQ(ApplyTransform(ParseTransform("identity"), ts, Ts("2017-11-16 22:31:08")), Ts("2017-11-16 22:31:08"));
}

TEST(TransformsTest, ProjectDay) {
    Transform day = ParseTransform("day");
    Type ts = T(TypeKind::TIMESTAMP);
    auto p = ProjectInclusive(day, ts, PredicateOp::GT_EQ, Ts("2017-11-16 10:00:00"));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->op, PredicateOp::GT_EQ);
    EXPECT_EQ(p->value, Day("2017-11-16"));
    // ts > the last microsecond of a day: the next day on.
    p = ProjectInclusive(day, ts, PredicateOp::GT, Ts("2017-11-16 23:59:59.999999"));
    EXPECT_EQ(p->op, PredicateOp::GT_EQ);
    EXPECT_EQ(p->value, Day("2017-11-17"));
    // ts < midnight: the day before at most (exact boundary).
    p = ProjectInclusive(day, ts, PredicateOp::LT, Ts("2017-11-17 00:00:00"));
    EXPECT_EQ(p->op, PredicateOp::LT_EQ);
    EXPECT_EQ(p->value, Day("2017-11-16"));
    p = ProjectInclusive(day, ts, PredicateOp::LT_EQ, Ts("2017-11-17 00:00:00"));
    EXPECT_EQ(p->value, Day("2017-11-17"));
    p = ProjectInclusive(day, ts, PredicateOp::EQ, Ts("2017-11-16 10:00:00"));
    EXPECT_EQ(p->op, PredicateOp::EQ);
    EXPECT_EQ(p->value, Day("2017-11-16"));
    EXPECT_FALSE(ProjectInclusive(day, ts, PredicateOp::NOT_EQ, Ts("2017-11-16 10:00:00")));
    p = ProjectInclusive(day, ts, PredicateOp::IS_NULL, Value());
    EXPECT_EQ(p->op, PredicateOp::IS_NULL);
    p = ProjectInclusive(day, ts, PredicateOp::NOT_NULL, Value());
    EXPECT_EQ(p->op, PredicateOp::NOT_NULL);
    // Pre-1970: widened for old writers' off-by-one values.
    p = ProjectInclusive(day, ts, PredicateOp::LT, Ts("1969-12-31 00:00:00"));
    EXPECT_EQ(p->op, PredicateOp::LT_EQ);
    EXPECT_EQ(p->value, Value::Date(-1));  // day(x - 1us) = -2, then + 1
    p = ProjectInclusive(day, ts, PredicateOp::EQ, Ts("1969-12-31 12:00:00"));
    EXPECT_EQ(p->op, PredicateOp::IN);
    EXPECT_EQ(p->values, (std::vector<Value>{Value::Date(-1), Value::Date(0)}));
    p = ProjectInclusive(day, ts, PredicateOp::GT_EQ, Ts("1969-12-31 12:00:00"));
    EXPECT_EQ(p->value, Value::Date(-1));
    // Dates: one unit is one day.
    p = ProjectInclusive(ParseTransform("month"), T(TypeKind::DATE), PredicateOp::LT, Day("2017-12-01"));
    EXPECT_EQ(p->op, PredicateOp::LT_EQ);
    EXPECT_EQ(p->value, Int(574));
    p = ProjectInclusive(ParseTransform("year"), T(TypeKind::DATE), PredicateOp::GT, Day("2017-12-31"));
    EXPECT_EQ(p->op, PredicateOp::GT_EQ);
    EXPECT_EQ(p->value, Int(48));
    p = ProjectInclusive(ParseTransform("hour"), ts, PredicateOp::IN,
                         std::vector<Value>{Ts("1970-01-01 01:10:00"), Ts("1970-01-01 01:20:00"), Value()});
    EXPECT_EQ(p->op, PredicateOp::IN);
    EXPECT_EQ(p->values, (std::vector<Value>{Int(1)}));
}

TEST(TransformsTest, ProjectBucketIdentityVoid) {
    Transform b = ParseTransform("bucket[16]");
    Type i = T(TypeKind::INT);
    auto p = ProjectInclusive(b, i, PredicateOp::EQ, Int(34));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->op, PredicateOp::EQ);
    EXPECT_EQ(p->value, Int(2017239379 % 16));
    for (PredicateOp op :
         {PredicateOp::LT, PredicateOp::LT_EQ, PredicateOp::GT, PredicateOp::GT_EQ, PredicateOp::NOT_EQ}) {
        EXPECT_FALSE(ProjectInclusive(b, i, op, Int(34)));
    }
    p = ProjectInclusive(b, i, PredicateOp::IN, std::vector<Value>{Int(34), Int(34)});
    EXPECT_EQ(p->op, PredicateOp::IN);
    EXPECT_EQ(p->values.size(), 1u);
    p = ProjectInclusive(b, i, PredicateOp::IS_NULL, Value());
    EXPECT_EQ(p->op, PredicateOp::IS_NULL);

    Transform id = ParseTransform("identity");
    p = ProjectInclusive(id, i, PredicateOp::NOT_EQ, Int(5));
    EXPECT_EQ(p->op, PredicateOp::NOT_EQ);
    EXPECT_EQ(p->value, Int(5));
    p = ProjectInclusive(id, i, PredicateOp::LT, Int(5));
    EXPECT_EQ(p->op, PredicateOp::LT);

    EXPECT_FALSE(ProjectInclusive(ParseTransform("void"), i, PredicateOp::EQ, Int(5)));
    EXPECT_FALSE(ProjectInclusive(ParseTransform("void"), i, PredicateOp::IS_NULL, Value()));
    EXPECT_FALSE(ProjectInclusive(ParseTransform("zorder"), i, PredicateOp::EQ, Int(5)));
    // A constant of the wrong type cannot prune; it never throws.
    EXPECT_FALSE(ProjectInclusive(b, i, PredicateOp::EQ, Value::Varchar("34")));
    EXPECT_FALSE(ProjectInclusive(ParseTransform("day"), T(TypeKind::TIMESTAMP), PredicateOp::EQ, Int(3)));
}

TEST(TransformsTest, ProjectTruncate) {
    Transform t10 = ParseTransform("truncate[10]");
    Type i = T(TypeKind::INT);
    auto p = ProjectInclusive(t10, i, PredicateOp::LT, Int(10));
    EXPECT_EQ(p->op, PredicateOp::LT_EQ);
    EXPECT_EQ(p->value, Int(0));
    p = ProjectInclusive(t10, i, PredicateOp::LT_EQ, Int(10));
    EXPECT_EQ(p->value, Int(10));
    p = ProjectInclusive(t10, i, PredicateOp::GT, Int(9));
    EXPECT_EQ(p->op, PredicateOp::GT_EQ);
    EXPECT_EQ(p->value, Int(10));
    p = ProjectInclusive(t10, i, PredicateOp::GT_EQ, Int(9));
    EXPECT_EQ(p->value, Int(0));
    p = ProjectInclusive(t10, i, PredicateOp::EQ, Int(-1));
    EXPECT_EQ(p->op, PredicateOp::EQ);  // no legacy widening for truncate
    EXPECT_EQ(p->value, Int(-10));
    p = ProjectInclusive(ParseTransform("truncate[50]"), Type::Decimal(9, 2), PredicateOp::LT,
                         Value::Decimal(1050, 9, 2));
    EXPECT_EQ(p->value, Value::Decimal(1000, 9, 2));

    Transform t3 = ParseTransform("truncate[3]");
    Type s = T(TypeKind::STRING);
    p = ProjectInclusive(t3, s, PredicateOp::GT_EQ, Value::Varchar("abcdef"));
    EXPECT_EQ(p->op, PredicateOp::GT_EQ);
    EXPECT_EQ(p->value, Value::Varchar("abc"));
    p = ProjectInclusive(t3, s, PredicateOp::GT, Value::Varchar("abcdef"));
    EXPECT_EQ(p->op, PredicateOp::GT_EQ);
    EXPECT_EQ(p->value, Value::Varchar("abc"));
    p = ProjectInclusive(t3, s, PredicateOp::LT, Value::Varchar("abcdef"));
    EXPECT_EQ(p->op, PredicateOp::LT_EQ);
    EXPECT_EQ(p->value, Value::Varchar("abc"));
    p = ProjectInclusive(t3, s, PredicateOp::EQ, Value::Varchar("ab"));
    EXPECT_EQ(p->op, PredicateOp::EQ);
    EXPECT_EQ(p->value, Value::Varchar("ab"));
    p = ProjectInclusive(t3, s, PredicateOp::IN, std::vector<Value>{Value::Varchar("abcd"), Value::Varchar("abcz")});
    EXPECT_EQ(p->values, (std::vector<Value>{Value::Varchar("abc")}));
    EXPECT_FALSE(ProjectInclusive(t3, s, PredicateOp::NOT_EQ, Value::Varchar("ab")));
}

TEST(SingleValueTest, DecodeBound) {
    auto le32 = [](int32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); };
    auto le64 = [](int64_t v) { return std::string(reinterpret_cast<const char*>(&v), 8); };
    EXPECT_EQ(DecodeBound(T(TypeKind::INT), le32(-7)), Int(-7));
    EXPECT_EQ(DecodeBound(T(TypeKind::LONG), le64(1LL << 40)), Value::Integer(1LL << 40));
    EXPECT_EQ(DecodeBound(T(TypeKind::LONG), le32(5)), Value::Integer(5));  // written as int
    EXPECT_EQ(DecodeBound(T(TypeKind::BOOLEAN), std::string(1, '\x01')), Value::Boolean(true));
    EXPECT_EQ(DecodeBound(T(TypeKind::BOOLEAN), std::string(1, '\x00')), Value::Boolean(false));
    float f = 1.5f;
    double d = -2.25;
    EXPECT_EQ(DecodeBound(T(TypeKind::FLOAT), std::string(reinterpret_cast<const char*>(&f), 4)), Value::Float(1.5f));
    EXPECT_EQ(DecodeBound(T(TypeKind::DOUBLE), std::string(reinterpret_cast<const char*>(&d), 8)),
              Value::Double(-2.25));
    EXPECT_EQ(DecodeBound(T(TypeKind::DOUBLE), std::string(reinterpret_cast<const char*>(&f), 4)), Value::Double(1.5));
    EXPECT_EQ(DecodeBound(Type::Decimal(9, 2), std::string("\x05\x8C", 2)), Value::Decimal(1420, 9, 2));
    EXPECT_EQ(DecodeBound(Type::Decimal(9, 2), std::string("\xFA\x74", 2)), Value::Decimal(-1420, 9, 2));
    EXPECT_EQ(DecodeBound(T(TypeKind::DATE), le32(17486)), Day("2017-11-16"));
    EXPECT_EQ(DecodeBound(T(TypeKind::TIME), le64(81068000000)), Value::Varchar("22:31:08"));
    EXPECT_EQ(DecodeBound(T(TypeKind::TIME), le64(81068000001)), Value::Varchar("22:31:08.000001"));
    EXPECT_EQ(DecodeBound(T(TypeKind::TIMESTAMP), le64(Micros("2017-11-16 22:31:08"))), Ts("2017-11-16 22:31:08"));
    EXPECT_EQ(DecodeBound(T(TypeKind::TIMESTAMPTZ_NS), le64(-1)), Value::Datetime(-1));  // floor
    EXPECT_EQ(DecodeBound(T(TypeKind::TIMESTAMP_NS), le64(1999)), Value::Datetime(1));
    EXPECT_EQ(DecodeBound(T(TypeKind::TIMESTAMP), le32(1)), Value::Datetime(kMicrosPerDay));  // was a date
    EXPECT_EQ(DecodeBound(T(TypeKind::STRING), "iceberg"), Value::Varchar("iceberg"));
    std::string uuid("\xf7\x9c\x3e\x09\x67\x7c\x4b\xbd\xa4\x79\x3f\x34\x9c\xb7\x85\xe7", 16);
    EXPECT_EQ(DecodeBound(T(TypeKind::UUID), uuid), Value::Varchar("f79c3e09-677c-4bbd-a479-3f349cb785e7"));
    EXPECT_EQ(DecodeBound(Type::Fixed(2), "ab"), Value::Varchar("ab"));
    // Wrong lengths are not values.
    EXPECT_FALSE(DecodeBound(T(TypeKind::INT), "abc"));
    EXPECT_FALSE(DecodeBound(T(TypeKind::LONG), "abcdefg"));
    EXPECT_FALSE(DecodeBound(T(TypeKind::UUID), "abc"));
    EXPECT_FALSE(DecodeBound(Type::Fixed(3), "ab"));
    EXPECT_FALSE(DecodeBound(T(TypeKind::BOOLEAN), ""));
    EXPECT_FALSE(DecodeBound(Type::Decimal(9, 2), std::string(17, '\x01')));
    EXPECT_FALSE(DecodeBound(Type::Decimal(9, 2), ""));
    EXPECT_FALSE(DecodeBound(T(TypeKind::TIME), le64(-1)));
    EXPECT_FALSE(DecodeBound(T(TypeKind::VARIANT), "x"));
}

TEST(SingleValueTest, EncodeBoundRoundTrips) {
    EXPECT_EQ(Hex(*EncodeBound(Type::Decimal(9, 2), Value::Decimal(1420, 9, 2))), "058c");
    EXPECT_EQ(Hex(*EncodeBound(Type::Decimal(9, 2), Value::Decimal(-1, 9, 2))), "ff");
    EXPECT_EQ(Hex(*EncodeBound(Type::Decimal(9, 2), Value::Decimal(128, 9, 2))), "0080");
    EXPECT_EQ(Hex(*EncodeBound(Type::Decimal(9, 2), Value::Decimal(0, 9, 2))), "00");
    EXPECT_EQ(Hex(*EncodeBound(Type::Decimal(9, 2), Value::Decimal(-129, 9, 2))), "ff7f");
    EXPECT_EQ(Hex(*EncodeBound(T(TypeKind::UUID), Value::Varchar("f79c3e09-677c-4bbd-a479-3f349cb785e7"))),
              "f79c3e09677c4bbda4793f349cb785e7");
    struct Case {
        Type type;
        Value value;
    };
    const Case cases[] = {
        {T(TypeKind::INT), Int(-3)},
        {T(TypeKind::LONG), Value::Integer(INT64_MIN)},
        {T(TypeKind::DATE), Day("1960-02-29")},
        {T(TypeKind::TIME), Value::Varchar("00:00:00.000123")},
        {T(TypeKind::TIMESTAMP), Ts("1900-01-01 00:00:00.5")},
        {T(TypeKind::TIMESTAMP_NS), Ts("2262-01-01 00:00:00")},
        {T(TypeKind::STRING), Value::Varchar("ä")},
        {T(TypeKind::BOOLEAN), Value::Boolean(true)},
        {T(TypeKind::DOUBLE), Value::Double(0.1)},
        {Type::Decimal(38, 0), Value::Decimal(-Pow10(37), 38, 0)},
    };
    for (const Case& c : cases) {
        auto bytes = EncodeBound(c.type, c.value);
        ASSERT_TRUE(bytes) << c.type.ToString();
        EXPECT_EQ(DecodeBound(c.type, *bytes), c.value) << c.type.ToString();
    }
    EXPECT_FALSE(EncodeBound(T(TypeKind::INT), Value::Null(TypeId::INT)));
}

TEST(SingleValueTest, JsonSingleValues) {
    auto parse = [](const Type& t, const char* json) { return ParseJsonSingleValue(t, json, "t.json"); };
    EXPECT_EQ(parse(T(TypeKind::BOOLEAN), "true"), Value::Boolean(true));
    EXPECT_EQ(parse(T(TypeKind::INT), "34"), Int(34));
    EXPECT_EQ(parse(T(TypeKind::LONG), "-34"), Value::Integer(-34));
    EXPECT_EQ(parse(T(TypeKind::FLOAT), "1.5"), Value::Float(1.5f));
    EXPECT_EQ(parse(T(TypeKind::DOUBLE), "2"), Value::Double(2.0));
    EXPECT_EQ(parse(Type::Decimal(9, 2), "\"14.20\""), Value::Decimal(1420, 9, 2));
    EXPECT_EQ(parse(Type::Decimal(22, 0), "\"2E+20\""), Value::Decimal(200 * Pow10(18), 22, 0));
    EXPECT_EQ(parse(T(TypeKind::DATE), "\"2017-11-16\""), Day("2017-11-16"));
    EXPECT_EQ(parse(T(TypeKind::TIME), "\"22:31:08.123456\""), Value::Varchar("22:31:08.123456"));
    EXPECT_EQ(parse(T(TypeKind::TIMESTAMP), "\"2017-11-16T22:31:08.123456\""), Ts("2017-11-16 22:31:08.123456"));
    EXPECT_EQ(parse(T(TypeKind::TIMESTAMPTZ), "\"2017-11-16T22:31:08.123456+00:00\""),
              Ts("2017-11-16 22:31:08.123456"));
    EXPECT_EQ(parse(T(TypeKind::TIMESTAMPTZ), "\"2017-11-16T14:31:08-08:00\""), Ts("2017-11-16 22:31:08"));
    EXPECT_EQ(parse(T(TypeKind::TIMESTAMP_NS), "\"2017-11-16T22:31:08.123456789\""), Ts("2017-11-16 22:31:08.123456"));
    EXPECT_EQ(parse(T(TypeKind::TIMESTAMPTZ_NS), "\"2017-11-16T22:31:08.123456789+00:00\""),
              Ts("2017-11-16 22:31:08.123456"));
    EXPECT_EQ(parse(T(TypeKind::STRING), "\"iceberg\""), Value::Varchar("iceberg"));
    EXPECT_EQ(parse(T(TypeKind::UUID), "\"F79C3E09-677C-4BBD-A479-3F349CB785E7\""),
              Value::Varchar("f79c3e09-677c-4bbd-a479-3f349cb785e7"));
    EXPECT_EQ(parse(T(TypeKind::BINARY), "\"0001ff\""), Value::Varchar(std::string("\x00\x01\xff", 3)));
    EXPECT_EQ(parse(Type::Fixed(2), "\"0a0b\""), Value::Varchar("\x0a\x0b"));
    EXPECT_TRUE(parse(T(TypeKind::INT), "null").is_null());
    for (auto [type, json] :
         std::vector<std::pair<Type, const char*>>{{T(TypeKind::INT), "\"1\""},
                                                   {T(TypeKind::INT), "4294967296"},
                                                   {T(TypeKind::DATE), "\"2017-13-01\""},
                                                   {Type::Fixed(3), "\"0a0b\""},
                                                   {T(TypeKind::BINARY), "\"0g\""},
                                                   {T(TypeKind::UUID), "\"abc\""},
                                                   {T(TypeKind::TIMESTAMPTZ), "\"2017-11-16T22:31:08\""},
                                                   {T(TypeKind::VARIANT), "1"},
                                                   {T(TypeKind::INT), "{"}}) {
        EXPECT_THROW(ParseJsonSingleValue(type, json, "t.json"), IOError) << json;
    }
    // Nested values: structs keyed by field id in JSON become objects keyed by name.
    Schema s = ParseSchemaJson(
        R"({"type":"struct","fields":[{"id":1,"name":"s","required":false,"type":{"type":"struct","fields":[
            {"id":2,"name":"a","required":false,"type":"int"},
            {"id":3,"name":"b","required":false,"type":"string","initial-default":"x"},
            {"id":4,"name":"m","required":false,"type":{"type":"map","key-id":5,"key":"string","value-id":6,"value-required":false,"value":"date"}},
            {"id":7,"name":"l","required":false,"type":{"type":"list","element-id":8,"element-required":false,"element":"long"}}]}}]})",
        "s.json");
    const Type& st = s.fields[0].type;
    EXPECT_EQ(ParseJsonSingleValue(st, R"({"2":1,"4":{"keys":["k"],"values":["2017-11-16"]},"7":[1,null]})", "t"),
              Value::Json(R"({"a":1,"b":"x","m":{"k":"2017-11-16"},"l":[1,null]})"));
    EXPECT_EQ(ParseJsonSingleValue(st, "{}", "t"), Value::Json(R"({"a":null,"b":"x","m":null,"l":null})"));
}

TEST(SingleValueTest, TimeAndUuidText) {
    EXPECT_EQ(ParseTimeOfDay("22:31:08"), std::optional<int64_t>(81068000000));
    EXPECT_EQ(ParseTimeOfDay("22:31"), std::optional<int64_t>(81060000000));
    EXPECT_EQ(ParseTimeOfDay("00:00:00.1"), std::optional<int64_t>(100000));
    EXPECT_FALSE(ParseTimeOfDay("24:00:00"));
    EXPECT_FALSE(ParseTimeOfDay("12:00:00."));
    EXPECT_FALSE(ParseTimeOfDay("12:00:00.1234567890"));
    EXPECT_EQ(FormatTimeOfDay(81068000001), "22:31:08.000001");
    EXPECT_FALSE(UuidFromText("f79c3e09-677c-4bbd-a479-3f349cb785e"));
}
