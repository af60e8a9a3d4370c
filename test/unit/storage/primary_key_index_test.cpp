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

// Fixed-size keys, then a key of another size (the arena switches to offsets), many rowsets, and
// enough erases to compact the arena while growing.
TEST(PrimaryKeyIndexTest, FixedThenVariableKeysAndCompaction) {
    PrimaryKeyIndex index;
    std::map<std::string, RowLocation> reference;
    auto key8 = [](uint64_t v) { return std::string(reinterpret_cast<const char*>(&v), 8); };
    for (uint64_t i = 0; i < 50000; ++i) {
        RowLocation at{static_cast<int64_t>(i / 1000) * 7 - 3, static_cast<uint32_t>(i)};
        index.Set(key8(i), at);
        reference[key8(i)] = at;
    }
    for (uint64_t i = 0; i < 50000; i += 3) {
        index.Erase(key8(i));
        reference.erase(key8(i));
    }
    index.Set("short", RowLocation{-1, 1});
    reference["short"] = RowLocation{-1, 1};
    for (uint64_t i = 100000; i < 300000; ++i) {  // grows (and compacts) with variable-size keys present
        RowLocation at{static_cast<int64_t>(i % 13), static_cast<uint32_t>(i)};
        std::string k = i % 2 ? key8(i) : "v" + std::to_string(i);
        index.Set(k, at);
        reference[k] = at;
        if (i % 5 == 0) {
            index.Erase(k);
            reference.erase(k);
        }
    }
    EXPECT_EQ(index.size(), reference.size());
    for (const auto& [key, at] : reference) {
        const RowLocation* found = index.Find(key);
        ASSERT_NE(found, nullptr);
        EXPECT_EQ(found->rowset_id, at.rowset_id);
        EXPECT_EQ(found->row, at.row);
    }
    EXPECT_EQ(index.Find(key8(3)), nullptr);
    EXPECT_LT(index.MemoryBytes(), size_t{64} << 20);
}

}  // namespace floe
