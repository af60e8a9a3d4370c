#include "format/csv/csv_reader.h"

#include <gtest/gtest.h>

namespace floe {

namespace {

struct Read {
    std::vector<std::vector<std::string>> rows;  // "\\N" for NULL
    std::vector<CsvRowError> errors;
};

Read ReadAll(std::string_view data, CsvOptions options, size_t columns) {
    Read out;
    CsvReader reader(data, options, columns);
    Chunk chunk;
    while (reader.Next(chunk, out.errors)) {
        for (size_t r = 0; r < chunk.size(); ++r) {
            std::vector<std::string> row;
            for (size_t c = 0; c < columns; ++c) {
                const Column& col = chunk.column(c);
                row.push_back(col.IsNull(r) ? "\\N" : std::string(col.Strings()[r].view()));
            }
            out.rows.push_back(std::move(row));
        }
    }
    return out;
}

}  // namespace

// The vectorized path (one-byte separators, fields referencing the input) and the general path
// give the same rows and the same errors.
TEST(CsvReaderTest, FastAndGeneralPathsAgree) {
    std::string data;
    for (int i = 0; i < 10000; ++i) {
        if (i % 997 == 5) {
            data += "short,row\n";  // wrong column count
        } else if (i % 1009 == 7) {
            data += "a,b,c,d\n";  // too many fields
        } else {
            data += std::to_string(i) + ",name-with-a-long-text-" + std::to_string(i % 13) + "," +
                    (i % 5 == 0 ? "\\N" : std::to_string(i * 0.5)) + "\n";
        }
    }
    data += "last,row,no-newline";
    CsvOptions fast;
    fast.column_separator = ",";
    fast.reference_input = true;
    CsvOptions general = fast;
    general.reference_input = false;
    Read a = ReadAll(data, fast, 3), b = ReadAll(data, general, 3);
    ASSERT_EQ(a.rows.size(), b.rows.size());
    EXPECT_EQ(a.rows, b.rows);
    ASSERT_EQ(a.errors.size(), b.errors.size());
    for (size_t i = 0; i < a.errors.size(); ++i) {
        EXPECT_EQ(a.errors[i].line, b.errors[i].line);
        EXPECT_EQ(a.errors[i].reason, b.errors[i].reason);
        EXPECT_EQ(a.errors[i].raw, b.errors[i].raw);
    }
    EXPECT_EQ(a.rows.back(), (std::vector<std::string>{"last", "row", "no-newline"}));
    EXPECT_EQ(a.rows[0][2], "\\N");
    EXPECT_EQ(a.errors.size(), 11u + 10u);
    EXPECT_EQ(a.errors[0].line, 6u);
    EXPECT_EQ(a.errors[0].raw, "short,row");
}

TEST(CsvReaderTest, EmptyInputTrailingDelimiterAndHeader) {
    CsvOptions o;
    o.column_separator = "|";
    o.reference_input = true;
    EXPECT_TRUE(ReadAll("", o, 2).rows.empty());
    EXPECT_EQ(ReadAll("a|b\n", o, 2).rows.size(), 1u);
    o.skip_header = 1;
    Read r = ReadAll("h1|h2\nx|y\n\n", o, 2);
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.rows[0][1], "y");
    ASSERT_EQ(r.errors.size(), 1u);  // the empty line has one field
    EXPECT_EQ(r.errors[0].line, 3u);
}

TEST(CsvReaderTest, EncloseAndEscape) {
    CsvOptions o;
    o.column_separator = ",";
    o.enclose = '"';
    o.escape = '\\';
    Read r = ReadAll("\"a,b\",\"say \"\"hi\"\"\"\nx\\,y,z\n\"open,1\n", o, 2);
    ASSERT_EQ(r.rows.size(), 2u);
    EXPECT_EQ(r.rows[0][0], "a,b");
    EXPECT_EQ(r.rows[0][1], "say \"hi\"");
    EXPECT_EQ(r.rows[1][0], "x,y");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_NE(r.errors[0].reason.find("unterminated"), std::string::npos);
}

}  // namespace floe
