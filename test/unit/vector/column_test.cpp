#include "vector/column.h"

#include <gtest/gtest.h>

#include "vector/chunk.h"

namespace floe {

TEST(StringView, InlineAndHeap) {
    StringHeap heap;
    StringView a = heap.Add("short");
    EXPECT_TRUE(a.IsInline());
    EXPECT_EQ(a.view(), "short");
    std::string long_text(100, 'x');
    StringView b = heap.Add(long_text);
    EXPECT_FALSE(b.IsInline());
    EXPECT_EQ(b.view(), long_text);
    EXPECT_EQ(heap.Add(long_text), b);
}

TEST(Column, AppendGetAndNulls) {
    Column c(TypeId::BIGINT, 2);
    for (int i = 0; i < 10000; ++i) c.Append(i % 7 == 0 ? Value::Null(TypeId::BIGINT) : Value::Integer(i));
    EXPECT_EQ(c.size(), 10000u);
    EXPECT_TRUE(c.IsNull(0));
    EXPECT_EQ(c.GetValue(5).GetInt(), 5);
    EXPECT_TRUE(c.HasNulls());
}

TEST(Column, StringsSurviveCopyAndCompare) {
    Column s(LogicalType::Varchar(), 4);
    s.Append(Value::Varchar(std::string(40, 'b')));
    s.Append(Value::Varchar("a"));
    Column t(LogicalType::Varchar(), 0);
    uint32_t rows[] = {1, 0};
    t.AppendRows(s, rows, 2);
    EXPECT_EQ(t.GetValue(0).GetString(), "a");
    EXPECT_EQ(t.GetValue(1).GetString(), std::string(40, 'b'));
    EXPECT_LT(t.CompareRows(0, t, 1), 0);
    EXPECT_EQ(t.CompareRows(1, s, 0), 0);
}

TEST(Chunk, SelectionVector) {
    Chunk chunk({TypeId::INT}, 8);
    chunk.SetSize(8);
    EXPECT_EQ(chunk.live_rows(), 8u);
    chunk.SetSelection(std::make_unique<SelectionVector>(SelectionVector{1, 5}));
    EXPECT_EQ(chunk.live_rows(), 2u);
    EXPECT_EQ(chunk.LiveRow(1), 5u);
}

}  // namespace floe
