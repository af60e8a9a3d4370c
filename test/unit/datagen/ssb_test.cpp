// The Star Schema Benchmark generator at a small scale factor: cardinalities, keys, and the value
// rules of the SSB specification (cities, brand hierarchy, derived measures, dates), the flat
// table matching its dimensions, and reproducibility.
#include "ssb.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace floe::datagen {

namespace {

constexpr double kSf = 0.01;

std::vector<std::vector<std::string>> Rows(const std::string& table, uint64_t seed = 0) {
    std::vector<std::vector<std::string>> rows;
    GenerateSsb(table, kSf, seed, [&](const std::vector<std::string>& r) { rows.push_back(r); });
    return rows;
}

}  // namespace

TEST(SsbGeneratorTest, CardinalitiesAndWidths) {
    EXPECT_EQ(Rows("customer").size(), 300u);  // 30,000 x SF
    EXPECT_EQ(Rows("supplier").size(), 20u);   // 2,000 x SF
    EXPECT_EQ(Rows("part").size(), 200000u);   // 200,000 x floor(1 + log2 SF), at least one
    EXPECT_EQ(Rows("dates").size(), 2557u);    // 1992-01-01 .. 1998-12-31
    size_t lines = Rows("lineorder").size();   // orders (1,500,000 x SF) x 1..7 lines
    EXPECT_GT(lines, 15000u * 4 * 95 / 100);
    EXPECT_LT(lines, 15000u * 4 * 105 / 100);
    EXPECT_EQ(SsbRowCount("part", 4), 600000);
    for (const auto& t : SsbTables()) {
        auto rows = Rows(t.name);
        ASSERT_FALSE(rows.empty());
        EXPECT_EQ(rows[0].size(), t.columns.size()) << t.name;
        EXPECT_EQ(t.types.size(), t.columns.size()) << t.name;
    }
}

TEST(SsbGeneratorTest, ValueRules) {
    std::set<std::string> regions;
    for (const auto& c : Rows("customer")) {
        ASSERT_EQ(c[3].size(), 10u);  // first 9 characters of the nation, padded, and a digit
        EXPECT_EQ(c[3].substr(0, 9), (c[4] + "         ").substr(0, 9));
        EXPECT_TRUE(isdigit(static_cast<unsigned char>(c[3][9])));
        regions.insert(c[5]);
    }
    EXPECT_EQ(regions.size(), 5u);
    for (const auto& p : Rows("part")) {
        // MFGR#m, category MFGR#mc, brand MFGR#mcb with b in 1..40.
        ASSERT_EQ(p[2].size(), 6u);
        EXPECT_EQ(p[3].substr(0, 6), p[2]);
        EXPECT_EQ(p[4].substr(0, 7), p[3]);
        int brand = std::stoi(p[4].substr(7));
        EXPECT_GE(brand, 1);
        EXPECT_LE(brand, 40);
        EXPECT_EQ(p[1].substr(0, p[5].size()), p[5]);  // the name starts with the color
    }
    std::set<std::string> datekeys;
    for (const auto& d : Rows("dates")) datekeys.insert(d[0]);
    auto dates = Rows("dates");
    EXPECT_EQ(dates.front()[1], "January 1, 1992");
    EXPECT_EQ(dates.front()[2], "Wednesday");
    EXPECT_EQ(dates.back()[0], "19981231");
    EXPECT_EQ(dates[31][6], "Feb1992");
    std::map<std::string, std::set<std::string>> totals;  // order -> its lines' order totals
    for (const auto& l : Rows("lineorder")) {
        EXPECT_TRUE(datekeys.count(l[5])) << l[5];
        EXPECT_TRUE(datekeys.count(l[15])) << l[15];
        int64_t qty = std::stoll(l[8]), ext = std::stoll(l[9]), disc = std::stoll(l[11]), rev = std::stoll(l[12]);
        EXPECT_GE(qty, 1);
        EXPECT_LE(qty, 50);
        EXPECT_GE(disc, 0);
        EXPECT_LE(disc, 10);
        EXPECT_EQ(rev, ext * (100 - disc) / 100);
        EXPECT_LE(std::stoll(l[2]), 300);
        EXPECT_LE(std::stoll(l[4]), 20);
        EXPECT_GT(std::stoll(l[15]), std::stoll(l[5]));  // committed after ordered
        totals[l[0]].insert(l[10]);
    }
    for (const auto& [order, t] : totals) EXPECT_EQ(t.size(), 1u) << order;
}

TEST(SsbGeneratorTest, FlatTableMatchesDimensionsAndIsReproducible) {
    auto lines = Rows("lineorder");
    auto flat = Rows("lineorder_flat");
    ASSERT_EQ(lines.size(), flat.size());
    auto customers = Rows("customer");
    auto parts = Rows("part");
    for (size_t i = 0; i < lines.size(); i += 997) {
        const auto& l = lines[i];
        const auto& f = flat[i];
        EXPECT_EQ(f[0], l[5].substr(0, 4) + "-" + l[5].substr(4, 2) + "-" + l[5].substr(6, 2));
        EXPECT_EQ(f[1], l[0]);
        EXPECT_EQ(f[12], l[12]);
        const auto& c = customers[std::stoll(l[2]) - 1];
        EXPECT_EQ(f[19], c[3]);  // c_city
        const auto& p = parts[std::stoll(l[3]) - 1];
        EXPECT_EQ(f[33], p[4]);  // p_brand
    }
    EXPECT_EQ(Rows("customer", 0), customers);
    EXPECT_NE(Rows("customer", 1), customers);
}

}  // namespace floe::datagen
