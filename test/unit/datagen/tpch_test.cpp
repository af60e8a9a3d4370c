// The TPC-H-shaped generator at a small scale factor: cardinalities, key relationships and the
// value rules of the TPC-H specification (clause 4.2.3), and reproducibility.
#include "tpch.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace floe::datagen {

namespace {

constexpr double kSf = 0.01;

std::vector<std::vector<std::string>> Rows(const std::string& table, uint64_t seed = 0) {
    std::vector<std::vector<std::string>> rows;
    GenerateTpch(table, kSf, seed, [&](const std::vector<std::string>& r) { rows.push_back(r); });
    return rows;
}

int64_t Cents(const std::string& money) {
    return std::llround(std::stod(money) * 100);
}

}  // namespace

TEST(TpchGeneratorTest, Cardinalities) {
    EXPECT_EQ(Rows("region").size(), 5u);
    EXPECT_EQ(Rows("nation").size(), 25u);
    EXPECT_EQ(Rows("supplier").size(), 100u);
    EXPECT_EQ(Rows("part").size(), 2000u);
    EXPECT_EQ(Rows("partsupp").size(), 8000u);
    EXPECT_EQ(Rows("customer").size(), 1500u);
    EXPECT_EQ(Rows("orders").size(), 15000u);
    size_t lines = Rows("lineitem").size();
    EXPECT_GT(lines, 15000u * 4 * 95 / 100);  // 1..7 lines per order: 4 on average
    EXPECT_LT(lines, 15000u * 4 * 105 / 100);
    for (const auto& t : TpchTables()) {
        auto rows = Rows(t.name);
        ASSERT_FALSE(rows.empty());
        EXPECT_EQ(rows[0].size(), t.columns.size()) << t.name;
    }
}

TEST(TpchGeneratorTest, KeysAndRelationships) {
    auto parts = Rows("part");
    auto partsupp = Rows("partsupp");
    auto orders = Rows("orders");
    auto lines = Rows("lineitem");
    // Each part has four distinct suppliers.
    std::map<int64_t, std::set<int64_t>> suppliers;
    for (const auto& r : partsupp) suppliers[std::stoll(r[0])].insert(std::stoll(r[1]));
    ASSERT_EQ(suppliers.size(), 2000u);
    for (const auto& [p, s] : suppliers) {
        EXPECT_EQ(s.size(), 4u) << p;
        for (int64_t k : s) EXPECT_TRUE(k >= 1 && k <= 100);
    }
    // Order keys: 8 used in every 32; customers with a key divisible by 3 place no orders.
    std::map<int64_t, const std::vector<std::string>*> by_key;
    for (const auto& o : orders) {
        int64_t key = std::stoll(o[0]);
        EXPECT_LT((key - 1) % 32, 8) << key;
        EXPECT_NE(std::stoll(o[1]) % 3, 0);
        by_key[key] = &o;
    }
    // Line items: their part's suppliers, price = quantity * retail price, the date and flag rules.
    std::map<int64_t, int64_t> retail_of;
    for (const auto& p : parts) retail_of[std::stoll(p[0])] = Cents(p[7]);
    std::map<int64_t, int64_t> totals;  // order -> sum of the charges, 1/10000 cents
    std::map<int64_t, std::string> statuses;
    std::map<char, int> flags;
    for (const auto& l : lines) {
        int64_t order = std::stoll(l[0]), part = std::stoll(l[1]), supp = std::stoll(l[2]);
        ASSERT_TRUE(by_key.count(order));
        EXPECT_TRUE(suppliers[part].count(supp)) << "part " << part << " supplier " << supp;
        int64_t qty = std::stoll(l[4]);
        EXPECT_TRUE(qty >= 1 && qty <= 50);
        int64_t retail = retail_of[part];
        EXPECT_EQ(Cents(l[5]), qty * retail);
        EXPECT_EQ(retail, 90000 + ((part / 10) % 20001) + 100 * (part % 1000));
        int64_t discount = Cents(l[6]), tax = Cents(l[7]);
        EXPECT_TRUE(discount >= 0 && discount <= 10);
        EXPECT_TRUE(tax >= 0 && tax <= 8);
        EXPECT_TRUE(std::stoi(l[3]) >= 1 && std::stoi(l[3]) <= 7);
        const std::string& ship = l[10];
        const std::string& receipt = l[12];
        const std::string& orderdate = (*by_key[order])[4];
        EXPECT_GT(ship, orderdate);
        EXPECT_GT(receipt, ship);
        EXPECT_EQ(l[9], ship > "1995-06-17" ? "O" : "F");
        EXPECT_EQ(l[8] == "N", receipt > "1995-06-17") << receipt;
        flags[l[8][0]]++;
        totals[order] += Cents(l[5]) * (100 + tax) * (100 - discount);
        statuses[order] += l[9];
    }
    for (const auto& o : orders) {
        int64_t key = std::stoll(o[0]);
        EXPECT_EQ(Cents(o[3]), (totals[key] + 5000) / 10000) << key;
        const std::string& s = statuses[key];
        std::string expected = s.find('O') == std::string::npos ? "F" : (s.find('F') == std::string::npos ? "O" : "P");
        EXPECT_EQ(o[2], expected);
    }
    // About half the line items were received after CURRENTDATE; R and A split the rest.
    double n_share = static_cast<double>(flags['N']) / static_cast<double>(lines.size());
    EXPECT_GT(n_share, 0.40);
    EXPECT_LT(n_share, 0.60);
    EXPECT_GT(flags['R'], flags['A'] * 8 / 10);
}

TEST(TpchGeneratorTest, DomainsAndDistributions) {
    std::map<std::string, int> segments;
    for (const auto& c : Rows("customer")) {
        segments[c[6]]++;
        EXPECT_EQ(c[4].substr(0, 2), std::to_string(std::stoi(c[3]) + 10));  // phone country code
        double bal = std::stod(c[5]);
        EXPECT_TRUE(bal >= -999.99 && bal <= 9999.99);
        EXPECT_TRUE(c[7].size() >= 29 && c[7].size() <= 116);
    }
    EXPECT_EQ(segments.size(), 5u);
    for (const auto& [s, n] : segments) EXPECT_NEAR(n / 1500.0, 0.2, 0.04) << s;
    for (const auto& p : Rows("part")) {
        std::set<std::string> words;
        size_t start = 0;
        for (size_t i = 0; i <= p[1].size(); ++i) {
            if (i == p[1].size() || p[1][i] == ' ') {
                words.insert(p[1].substr(start, i - start));
                start = i + 1;
            }
        }
        EXPECT_EQ(words.size(), 5u) << p[1];
        EXPECT_EQ(p[3].substr(6, 1), p[2].substr(13, 1));  // Brand#MN goes with Manufacturer#M
        int size = std::stoi(p[5]);
        EXPECT_TRUE(size >= 1 && size <= 50);
    }
    auto a = Rows("orders", 7), b = Rows("orders", 7), c = Rows("orders", 8);
    EXPECT_EQ(a, b);  // reproducible
    EXPECT_NE(a, c);  // and the seed matters
}

}  // namespace floe::datagen
