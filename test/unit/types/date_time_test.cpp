#include "types/date_time.h"

#include <gtest/gtest.h>

namespace floe {

TEST(DateTime, CivilRoundTrip) {
    for (int32_t d = -800000; d < 3000000; d += 37) {
        CivilDate c = CivilFromDays(d);
        ASSERT_EQ(DaysFromCivil(c.year, c.month, c.day), d);
    }
    EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
    EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
}

TEST(DateTime, ParseDate) {
    EXPECT_EQ(ParseDate("1970-01-02"), 1);
    EXPECT_EQ(ParseDate("20240229"), DaysFromCivil(2024, 2, 29));
    EXPECT_EQ(ParseDate(" 2024-1-5 "), DaysFromCivil(2024, 1, 5));
    EXPECT_FALSE(ParseDate("2023-02-29"));
    EXPECT_FALSE(ParseDate("2024-13-01"));
    EXPECT_FALSE(ParseDate("abc"));
    EXPECT_FALSE(ParseDate("2024-01-01 10:00:00"));
    EXPECT_EQ(ParseDate("2024-01-01 00:00:00"), DaysFromCivil(2024, 1, 1));
}

TEST(DateTime, ParseAndFormatDatetime) {
    auto v = ParseDatetime("2024-03-05 14:07:09.123");
    ASSERT_TRUE(v);
    EXPECT_EQ(FormatDatetime(*v), "2024-03-05 14:07:09");
    EXPECT_EQ(FormatDatetime(*v, 6), "2024-03-05 14:07:09.123000");
    EXPECT_EQ(ParseDatetime("20240305140709"), ParseDatetime("2024-03-05T14:07:09"));
    EXPECT_FALSE(ParseDatetime("2024-03-05 24:00:00"));
    EXPECT_FALSE(ParseDatetime("2024-03-05 10:00:00x"));
    EXPECT_EQ(FormatDatetime(-1), "1969-12-31 23:59:59");
    EXPECT_EQ(FormatDate(-1), "1969-12-31");
}

}  // namespace floe
