#include "storage/primary_key_index.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace floe {

// The index agrees with std::map through inserts, repoints, erases and growth.
TEST(PrimaryKeyIndexTest, MatchesAReferenceMap) {
    PrimaryKeyIndex index;
    std::map<std::string, RowLocation> reference;
    std::mt19937_64 rng(42);
    for (int step = 0; step < 200000; ++step) {
        std::string key = "k" + std::to_string(rng() % 50000);
        if (step % 7 == 0) key += std::string(rng() % 40, 'x');  // some keys longer than a word
        switch (rng() % 4) {
            case 0:
                index.Erase(key);
                reference.erase(key);
                break;
            default: {
                RowLocation at{static_cast<int64_t>(rng() % 1000), static_cast<uint32_t>(step)};
                index.Set(key, at);
                reference[key] = at;
            }
        }
    }
    EXPECT_EQ(index.size(), reference.size());
    for (const auto& [key, at] : reference) {
        const RowLocation* found = index.Find(key);
        ASSERT_NE(found, nullptr) << key;
        EXPECT_EQ(found->rowset_id, at.rowset_id);
        EXPECT_EQ(found->row, at.row);
    }
    EXPECT_EQ(index.Find("absent"), nullptr);
    EXPECT_EQ(index.Find(""), nullptr);
    index.Set("", RowLocation{1, 2});
    ASSERT_NE(index.Find(""), nullptr);
    EXPECT_EQ(index.Find("")->row, 2u);
}

}  // namespace floe
