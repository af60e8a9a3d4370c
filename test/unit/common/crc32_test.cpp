#include "common/crc32.h"

#include <gtest/gtest.h>

#include <string>

namespace floe {

TEST(Crc32Test, KnownVectors) {
    EXPECT_EQ(Crc32("", 0), 0u);
    EXPECT_EQ(Crc32("123456789", 9), 0xCBF43926u);
    std::string a = "The quick brown fox jumps over the lazy dog";
    EXPECT_EQ(Crc32(a.data(), a.size()), 0x414FA339u);
}

TEST(Crc32Test, IncrementalEqualsWhole) {
    std::string s(100000, '\0');
    for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>(i * 31 + 7);
    uint32_t whole = Crc32(s.data(), s.size());
    uint32_t part = Crc32(s.data(), 12345);
    part = Crc32(s.data() + 12345, s.size() - 12345, part);
    EXPECT_EQ(whole, part);
    s[500] ^= 1;
    EXPECT_NE(Crc32(s.data(), s.size()), whole);
}

}  // namespace floe
