#include <gtest/gtest.h>

#include "types/decimal.h"
#include "types/logical_type.h"
#include "types/value.h"

namespace floe {

TEST(Decimal, FormatAndParse) {
    EXPECT_EQ(FormatDecimal(1234, 2), "12.34");
    EXPECT_EQ(FormatDecimal(-5, 3), "-0.005");
    EXPECT_EQ(FormatDecimal(0, 2), "0.00");
    EXPECT_EQ(ParseDecimal("12.345", 10, 2), 1235);  // rounds half away from zero
    EXPECT_EQ(ParseDecimal("-12.345", 10, 2), -1235);
    EXPECT_EQ(ParseDecimal("1", 3, 2), 100);
    EXPECT_FALSE(ParseDecimal("100", 3, 2));  // too many integer digits
    EXPECT_FALSE(ParseDecimal("1x", 10, 2));
    EXPECT_EQ(FormatInt128(Pow10(38) - 1), std::string(38, '9'));
}

TEST(Value, ToString) {
    EXPECT_EQ(Value::Integer(-42).ToString(), "-42");
    EXPECT_EQ(Value::Double(0.5).ToString(), "0.5");
    EXPECT_EQ(Value::Double(3.0).ToString(), "3");
    EXPECT_EQ(Value::Decimal(125, 5, 2).ToString(), "1.25");
    EXPECT_EQ(Value::Date(0).ToString(), "1970-01-01");
    EXPECT_EQ(Value::Null().ToString(), "NULL");
    EXPECT_EQ(Value::Varchar("it's").ToSqlLiteral(), "'it\\'s'");
}

TEST(LogicalType, CommonSuperType) {
    EXPECT_EQ(CommonSuperType(TypeId::INT, TypeId::BIGINT), LogicalType(TypeId::BIGINT));
    EXPECT_EQ(CommonSuperType(TypeId::INT, TypeId::DOUBLE), LogicalType(TypeId::DOUBLE));
    EXPECT_EQ(CommonSuperType(TypeId::NULL_TYPE, TypeId::DATE), LogicalType(TypeId::DATE));
    EXPECT_EQ(CommonSuperType(LogicalType::Decimal(5, 2), LogicalType::Decimal(10, 4)), LogicalType::Decimal(10, 4));
    EXPECT_EQ(CommonSuperType(TypeId::DATE, LogicalType::Varchar()), LogicalType(TypeId::DATE));
    EXPECT_EQ(LogicalType::Decimal(10, 2).ToString(), "DECIMAL(10,2)");
}

}  // namespace floe
