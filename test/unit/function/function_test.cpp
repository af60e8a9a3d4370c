#include <gtest/gtest.h>

#include "common/exception.h"
#include "function/cast.h"
#include "function/function_registry.h"
#include "function/like_matcher.h"

namespace floe {

namespace {
Value Call(const std::string& name, const std::vector<Value>& args) {
    std::vector<LogicalType> types;
    for (const auto& a : args) types.push_back(a.type());
    BoundScalarFunction f = FunctionRegistry::Instance().BindScalar(name, types);
    std::vector<std::unique_ptr<Column>> cols;
    std::vector<const Column*> ptrs;
    for (size_t i = 0; i < args.size(); ++i) {
        auto c = std::make_unique<Column>(f.arg_types[i], 1);
        c->Append(CastValue(args[i], f.arg_types[i]));
        ptrs.push_back(c.get());
        cols.push_back(std::move(c));
    }
    Column out(f.return_type, 1);
    out.Resize(1);
    f.kernel(ptrs, 1, out);
    return out.GetValue(0);
}
}  // namespace

TEST(Functions, Arithmetic) {
    EXPECT_EQ(Call("add", {Value::Integer(2), Value::Integer(3)}).GetInt(), 5);
    EXPECT_EQ(Call("divide", {Value::Integer(7), Value::Integer(2)}).GetDouble(), 3.5);
    EXPECT_TRUE(Call("divide", {Value::Integer(7), Value::Integer(0)}).is_null());
    EXPECT_THROW(Call("add", {Value::Integer(INT64_MAX), Value::Integer(1)}), ExecutionError);
    Value d = Call("add", {Value::Decimal(15, 2, 1), Value::Integer(1)});
    EXPECT_EQ(d.ToString(), "2.5");
}

TEST(Functions, StringsAndUnknown) {
    EXPECT_EQ(Call("upper", {Value::Varchar("abc")}).GetString(), "ABC");
    EXPECT_EQ(Call("substr", {Value::Varchar("héllo"), Value::Integer(2), Value::Integer(2)}).GetString(), "él");
    EXPECT_THROW(FunctionRegistry::Instance().BindScalar("no_such_fn", {}), BinderError);
    EXPECT_THROW(Call("repeat", {Value::Varchar("x"), Value::Integer(1LL << 40)}), ExecutionError);
}

TEST(Functions, Like) {
    EXPECT_TRUE(LikeMatch("abc", "a%"));
    EXPECT_TRUE(LikeMatch("abc", "%c"));
    EXPECT_TRUE(LikeMatch("abc", "a_c"));
    EXPECT_FALSE(LikeMatch("abc", "a_"));
    EXPECT_TRUE(LikeMatch("a%c", "a\\%c"));
    EXPECT_FALSE(LikeMatch("abc", "a\\%c"));
    EXPECT_TRUE(LikeMatch("ABC", "abc", '\\', true));
    EXPECT_TRUE(LikeMatch("", "%"));
    EXPECT_TRUE(LikeMatch("aaaaaaaaab", "%a%a%a%b"));
}

TEST(Cast, Values) {
    EXPECT_EQ(CastValue(Value::Varchar("42"), TypeId::INT).GetInt(), 42);
    EXPECT_TRUE(CastValue(Value::Varchar("4x"), TypeId::INT).is_null());
    EXPECT_TRUE(CastValue(Value::Integer(300), TypeId::TINYINT).is_null());
    EXPECT_EQ(CastValue(Value::Double(2.5), LogicalType::Decimal(5, 1)).ToString(), "2.5");
    EXPECT_EQ(CastValue(Value::Varchar("2024-01-02"), TypeId::DATE).ToString(), "2024-01-02");
    EXPECT_EQ(CastValue(Value::Date(1), TypeId::DATETIME).ToString(), "1970-01-02 00:00:00");
    EXPECT_EQ(CastValue(Value::Decimal(-1999, 6, 3), TypeId::BIGINT).GetInt(), -1);
    EXPECT_EQ(ParseDoublePrefix("12abc"), 12.0);
    EXPECT_FALSE(ParseDoublePrefix("abc"));
}

}  // namespace floe
