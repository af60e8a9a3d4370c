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

TEST(Column, EncodingMarksLastUntilTheColumnChanges) {
    auto dict = std::make_shared<Column>(LogicalType::Varchar(), 2);
    dict->Append(Value::Varchar("a"));
    dict->Append(Value::Varchar("b"));
    auto codes = std::make_shared<std::vector<uint16_t>>(std::vector<uint16_t>{1, 0, 1});
    Column c(LogicalType::Varchar(), 3);
    for (const char* v : {"b", "a", "b"}) c.Append(Value::Varchar(v));
    c.SetDictionary(dict, codes, codes->data());
    ASSERT_EQ(c.dictionary(), dict.get());
    EXPECT_EQ(c.codes()[2], 1u);
    c.Resize(3);  // the same rows: still coded
    EXPECT_NE(c.dictionary(), nullptr);
    c.Resize(2);  // fewer rows: still coded
    EXPECT_NE(c.dictionary(), nullptr);
    c.Append(Value::Varchar("c"));  // a row the dictionary does not have
    EXPECT_EQ(c.dictionary(), nullptr);
    EXPECT_EQ(c.codes(), nullptr);

    Column k(TypeId::BIGINT, 4);
    k.Resize(4);
    k.MarkConstant();
    EXPECT_TRUE(k.is_constant());
    k.SetValue(1, Value::Integer(5));  // row 1 differs now
    EXPECT_FALSE(k.is_constant());
    k.MarkConstant();
    k.Resize(8);  // new rows are zero, not row 0
    EXPECT_FALSE(k.is_constant());
}

TEST(Column, BorrowReadsInPlaceAndCopiesOnWrite) {
    auto src = std::make_shared<Column>(TypeId::BIGINT, 8);
    for (int i = 0; i < 8; ++i) src->Append(i == 3 ? Value::Null(TypeId::BIGINT) : Value::Integer(i * 10));
    auto strings = std::make_shared<Column>(LogicalType::Varchar(), 4);
    for (const char* v : {"alpha", "a much longer string than twelve bytes", "c", "d"}) {
        strings->Append(Value::Varchar(v));
    }
    Column slice(TypeId::BIGINT, 0);
    slice.Borrow(src, 2, 4);
    ASSERT_EQ(slice.size(), 4u);
    const Column& view = slice;
    const Column& source = *src;
    EXPECT_EQ(view.Data<int64_t>(), source.Data<int64_t>() + 2);  // read in place
    EXPECT_EQ(view.GetValue(0).GetInt(), 20);
    EXPECT_TRUE(view.IsNull(1));
    // A write copies: the source keeps its values.
    slice.SetValue(0, Value::Integer(-1));
    EXPECT_EQ(slice.GetValue(0).GetInt(), -1);
    EXPECT_EQ(src->GetValue(2).GetInt(), 20);
    Column grown(TypeId::BIGINT, 0);
    grown.Borrow(src, 0, 2);
    grown.Append(Value::Integer(7));  // growing copies too
    EXPECT_EQ(grown.size(), 3u);
    EXPECT_EQ(grown.GetValue(1).GetInt(), 10);
    EXPECT_EQ(grown.GetValue(2).GetInt(), 7);
    EXPECT_EQ(src->GetValue(2).GetInt(), 20);
    // Borrowed strings outlive the source's other owners.
    Column text(LogicalType::Varchar(), 0);
    text.Borrow(strings, 1, 2);
    strings.reset();
    EXPECT_EQ(text.GetValue(0).GetString(), "a much longer string than twelve bytes");
    EXPECT_EQ(text.GetValue(1).GetString(), "c");
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
