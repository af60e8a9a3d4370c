// The ClickBench-like hits generator at a small scale factor: width, skew (CounterID 62 leads, most
// hits without a search phrase or an advertising engine), consistent derived columns, the literals
// the benchmark's point queries use, and reproducibility.
#include "hits.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace floe::datagen {

namespace {

std::vector<std::vector<std::string>> Rows(uint64_t seed = 0) {
    std::vector<std::vector<std::string>> rows;
    GenerateHits(0.01, seed, [&](const std::vector<std::string>& r) { rows.push_back(r); });
    return rows;
}

size_t Column(const std::string& name) {
    const auto& cols = HitsColumns();
    for (size_t i = 0; i < cols.size(); ++i) {
        if (cols[i].name == name) return i;
    }
    ADD_FAILURE() << name;
    return 0;
}

}  // namespace

TEST(HitsGeneratorTest, ShapeSkewAndConsistency) {
    auto rows = Rows();
    ASSERT_EQ(rows.size(), 10000u);
    EXPECT_EQ(HitsColumns().size(), 105u);
    std::map<std::string, int> counters, url_hash;
    int empty_phrase = 0, no_adv = 0, user3 = 0;
    const size_t counter = Column("CounterID"), time = Column("EventTime"), date = Column("EventDate"),
                 url = Column("URL"), hash = Column("URLHash"), phrase = Column("SearchPhrase"),
                 adv = Column("AdvEngineID"), user = Column("UserID"), engine = Column("SearchEngineID");
    for (const auto& r : rows) {
        ASSERT_EQ(r.size(), 105u);
        ++counters[r[counter]];
        EXPECT_EQ(r[time].substr(0, 10), r[date]);
        EXPECT_GE(r[date], "2013-07-01");
        EXPECT_LE(r[date], "2013-07-31");
        auto [it, fresh] = url_hash.emplace(r[url], std::stoi(r[hash].substr(r[hash].size() - 6)));
        EXPECT_EQ(it->second, std::stoi(r[hash].substr(r[hash].size() - 6))) << "one hash per URL";
        empty_phrase += r[phrase].empty();
        EXPECT_EQ(r[phrase].empty(), r[engine] == "0");
        no_adv += r[adv] == "0";
        user3 += r[user] == std::to_string(HitsUserId(3));
    }
    std::string top;
    int best = 0;
    for (const auto& [c, n] : counters) {
        if (n > best) best = n, top = c;
    }
    EXPECT_EQ(top, "62");
    EXPECT_GT(best, 500);  // about one hit in ten
    EXPECT_GT(empty_phrase, 8000);
    EXPECT_GT(no_adv, 9500);
    EXPECT_GT(user3, 0);
}

TEST(HitsGeneratorTest, Reproducible) {
    auto a = Rows(0);
    EXPECT_EQ(a, Rows(0));
    EXPECT_NE(a, Rows(1));
}

}  // namespace floe::datagen
