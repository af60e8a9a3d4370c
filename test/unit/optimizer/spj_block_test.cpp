// The pieces of the SPJ normal form the MV rewrite decides with: value intervals (is the query's
// range within the MV's?) and column classes.
#include "optimizer/rules/spj_block.h"

#include <gtest/gtest.h>

namespace floe {

namespace {

ValueInterval Interval(std::initializer_list<std::pair<const char*, int64_t>> conjuncts) {
    ValueInterval v;
    for (const auto& [op, c] : conjuncts) EXPECT_TRUE(v.Narrow(op, Value::Integer(c)));
    return v;
}

}  // namespace

TEST(SpjBlockTest, IntervalsNarrowToTheTighterBound) {
    ValueInterval v = Interval({{"greater", 4}, {"greater_equal", 4}, {"less_equal", 10}, {"less", 12}});
    EXPECT_EQ(v.ToString(), "> 4 and <= 10");
    EXPECT_EQ(Interval({{"greater_equal", 4}, {"greater", 4}}).ToString(), "> 4");
    EXPECT_EQ(Interval({{"equal", 7}}).ToString(), ">= 7 and <= 7");
    EXPECT_EQ(ValueInterval().ToString(), "any value");
}

TEST(SpjBlockTest, WithinComparesBoundsAndTheirInclusion) {
    ValueInterval mv = Interval({{"greater", 4}});
    EXPECT_TRUE(Interval({{"greater", 4}}).Within(mv));
    EXPECT_TRUE(Interval({{"greater_equal", 5}}).Within(mv));
    EXPECT_TRUE(Interval({{"equal", 9}}).Within(mv));
    EXPECT_FALSE(Interval({{"greater_equal", 4}}).Within(mv));  // 4 itself is not in the MV
    EXPECT_FALSE(Interval({{"greater", 1}}).Within(mv));
    EXPECT_FALSE(ValueInterval().Within(mv));  // unbounded
    EXPECT_FALSE(Interval({{"less", 10}}).Within(mv));
    EXPECT_TRUE(Interval({{"greater", 5}, {"less", 10}}).Within(mv));
    EXPECT_TRUE(mv.Within(ValueInterval()));
    EXPECT_TRUE(Interval({{"greater", 4}}).SameAs(mv));
    EXPECT_FALSE(Interval({{"greater", 5}}).SameAs(mv));
}

TEST(SpjBlockTest, ValuesOfOtherKindsDoNotCompare) {
    EXPECT_EQ(CompareValues(Value::Integer(1), Value::Integer(2)), -1);
    EXPECT_EQ(CompareValues(Value::Varchar("b"), Value::Varchar("a")), 1);
    EXPECT_EQ(CompareValues(Value::Date(10), Value::Date(10)), 0);
    EXPECT_FALSE(CompareValues(Value::Date(10), Value::Datetime(10)).has_value());
    EXPECT_FALSE(CompareValues(Value::Decimal(100, 10, 2), Value::Decimal(100, 10, 1)).has_value());
    EXPECT_FALSE(CompareValues(Value::Double(0.0 / 0.0), Value::Double(1)).has_value());
    EXPECT_FALSE(CompareValues(Value::Null(), Value::Integer(1)).has_value());
    // An interval cannot take a bound it cannot compare with the one it has.
    ValueInterval v;
    EXPECT_TRUE(v.Narrow("greater", Value::Date(3)));
    EXPECT_FALSE(v.Narrow("greater", Value::Datetime(3)));
}

TEST(SpjBlockTest, ColumnClassesKeepTheSmallestColumnAsRepresentative) {
    ColumnClasses c(6);
    c.Union(4, 2);
    c.Union(5, 4);
    EXPECT_EQ(c.Find(5), 2u);
    EXPECT_EQ(c.Find(2), 2u);
    EXPECT_EQ(c.Find(3), 3u);
    EXPECT_EQ(c.Members(4), (std::vector<size_t>{2, 4, 5}));
    c.Union(0, 5);
    EXPECT_EQ(c.Find(4), 0u);
}

}  // namespace floe
