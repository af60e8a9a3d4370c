#include "function/like_matcher.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace floe {
namespace {

TEST(LiteralLikePatternTest, AgreesWithTheGeneralMatcher) {
    std::mt19937 rng(5);
    const char alphabet[] = "ab%";
    for (int trial = 0; trial < 20000; ++trial) {
        std::string pattern, text;
        for (size_t i = rng() % 7; i > 0; --i) pattern += alphabet[rng() % 3];
        for (size_t i = rng() % 8; i > 0; --i) text += alphabet[rng() % 2];
        auto compiled = LiteralLikePattern::Compile(pattern);
        ASSERT_TRUE(compiled.has_value()) << pattern;
        EXPECT_EQ(compiled->Match(text), LikeMatch(text, pattern)) << "'" << text << "' LIKE '" << pattern << "'";
    }
    EXPECT_FALSE(LiteralLikePattern::Compile("a_b").has_value());
    EXPECT_FALSE(LiteralLikePattern::Compile("a\\%").has_value());
    auto q13 = LiteralLikePattern::Compile("%special%requests%");
    EXPECT_TRUE(q13->Match("carefully special pending requests wake"));
    EXPECT_FALSE(q13->Match("requests that are special"));
}

}  // namespace
}  // namespace floe
