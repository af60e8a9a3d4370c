#include "execution/key_hash_table.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace floe {

namespace {
std::vector<uint32_t> Rows(size_t n) {
    std::vector<uint32_t> r(n);
    for (size_t i = 0; i < n; ++i) r[i] = static_cast<uint32_t>(i);
    return r;
}
}  // namespace

TEST(KeyHashTableTest, AssignsDenseIdsInFirstSeenOrderAcrossGrowth) {
    Column a(TypeId::BIGINT, 0), b(LogicalType::Varchar(), 0);
    const size_t n = 100000;
    for (size_t i = 0; i < n; ++i) {
        a.Append(Value::Integer(static_cast<int64_t>(i % 5000)));
        b.Append(Value::Varchar(i % 2 ? "odd-string-longer-than-inline" : "even"));
    }
    KeyHashTable table({TypeId::BIGINT, LogicalType::Varchar()});
    auto rows = Rows(n);
    std::vector<uint32_t> ids(n);
    table.FindOrInsert({&a, &b}, rows.data(), n, ids.data());
    EXPECT_EQ(table.size(), 5000u);  // i % 5000 decides i % 2, so 5000 distinct pairs
    for (size_t i = 0; i < 5000; ++i) EXPECT_EQ(ids[i], i);
    for (size_t i = 5000; i < n; ++i) ASSERT_EQ(ids[i], ids[i % 5000]);
    EXPECT_EQ(table.key_columns()[0]->GetValue(4999).GetInt(), 4999);
    EXPECT_EQ(table.key_columns()[1]->GetValue(1).ToString(), "odd-string-longer-than-inline");
}

TEST(KeyHashTableTest, NullsZerosAndNaNsAreOneKeyEach) {
    Column d(TypeId::DOUBLE, 0);
    d.Append(Value::Double(0.0));
    d.Append(Value::Double(-0.0));
    d.Append(Value::Null(TypeId::DOUBLE));
    d.Append(Value::Null(TypeId::DOUBLE));
    d.Append(Value::Double(std::numeric_limits<double>::quiet_NaN()));
    d.Append(Value::Double(-std::numeric_limits<double>::quiet_NaN()));
    d.Append(Value::Double(1.5));
    KeyHashTable table({TypeId::DOUBLE});
    auto rows = Rows(7);
    std::vector<uint32_t> ids(7);
    table.FindOrInsert({&d}, rows.data(), 7, ids.data());
    EXPECT_EQ(table.size(), 4u);
    EXPECT_EQ(ids[0], ids[1]);
    EXPECT_EQ(ids[2], ids[3]);
    EXPECT_EQ(ids[4], ids[5]);
    EXPECT_NE(ids[0], ids[2]);
}

TEST(KeyHashTableTest, FindDoesNotInsert) {
    Column build(TypeId::INT, 0), probe(TypeId::INT, 0);
    for (int i = 0; i < 10; ++i) build.Append(Value::Integer(i * 2, TypeId::INT));
    for (int i = 0; i < 10; ++i) probe.Append(Value::Integer(i, TypeId::INT));
    KeyHashTable table({TypeId::INT});
    auto rows = Rows(10);
    std::vector<uint32_t> ids(10);
    table.FindOrInsert({&build}, rows.data(), 10, ids.data());
    table.Find({&probe}, rows.data(), 10, ids.data());
    for (uint32_t i = 0; i < 10; ++i) {
        EXPECT_EQ(ids[i], i % 2 == 0 ? i / 2 : KeyHashTable::kNotFound) << i;
    }
    EXPECT_EQ(table.size(), 10u);
}

}  // namespace floe
