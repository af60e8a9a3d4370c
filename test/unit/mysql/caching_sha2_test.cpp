#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "server/mysql/handshake.h"

namespace floe::mysql {

TEST(CachingSha2, FastPathTokenMatchesOnlyItsPassword) {
    std::string scramble = MakeScramble();
    std::string stored = Catalog::Sha2PasswordHash("s3cret");
    std::string token = ScrambleCachingSha2("s3cret", scramble);
    ASSERT_EQ(token.size(), 32u);
    EXPECT_TRUE(VerifyCachingSha2Token(stored, scramble, token));
    EXPECT_FALSE(VerifyCachingSha2Token(stored, scramble, ScrambleCachingSha2("secret", scramble)));
    EXPECT_FALSE(VerifyCachingSha2Token(stored, MakeScramble(), token));  // another connection's nonce
    EXPECT_FALSE(VerifyCachingSha2Token(stored, scramble, token.substr(0, 31)));
    // An unknown verifier never passes the fast path (full authentication must prove the password).
    EXPECT_FALSE(VerifyCachingSha2Token("", scramble, token));
    EXPECT_FALSE(VerifyCachingSha2Token("not hex", scramble, token));
}

TEST(CachingSha2, KnownVector) {
    // SHA256("pw") XOR SHA256(SHA256(SHA256("pw")) || nonce) with nonce = 20 x 'a', computed by
    // Python's hashlib (what MySQL clients send).
    std::string nonce(20, 'a');
    std::string token = ScrambleCachingSha2("pw", nonce);
    static const char* kHex = "0123456789abcdef";
    std::string hex;
    for (unsigned char c : token) {
        hex.push_back(kHex[c >> 4]);
        hex.push_back(kHex[c & 15]);
    }
    EXPECT_EQ(hex, "96d284b65803b92cfe59752d9b3fab639f6e1648c25b6a9004d7ff62a92406ae");
    EXPECT_TRUE(VerifyCachingSha2Token(Catalog::Sha2PasswordHash("pw"), nonce, token));
    EXPECT_EQ(ScrambleCachingSha2("", nonce), "");
}

TEST(CachingSha2, ScrambleMaskIsItsOwnInverse) {
    std::string scramble = MakeScramble();
    std::string clear("a password longer than the twenty-byte nonce", 45);
    clear.push_back('\0');
    std::string masked = XorWithScramble(clear, scramble);
    EXPECT_NE(masked, clear);
    EXPECT_EQ(XorWithScramble(masked, scramble), clear);
}

TEST(CachingSha2, ClearPasswordAgainstTheNativeHash) {
    std::string stored = Catalog::NativePasswordHash("pw");
    EXPECT_TRUE(VerifyClearPassword(stored, "pw"));
    EXPECT_FALSE(VerifyClearPassword(stored, "pW"));
    EXPECT_FALSE(VerifyClearPassword(stored, ""));
    EXPECT_TRUE(VerifyClearPassword("", ""));
    EXPECT_FALSE(VerifyClearPassword("", "pw"));
    EXPECT_FALSE(VerifyClearPassword("*garbage", "pw"));
}

TEST(CachingSha2, AuthPackets) {
    std::string scramble(20, 'x');
    std::string sw = BuildAuthSwitchRequest(kCachingSha2Plugin, scramble);
    EXPECT_EQ(sw,
              std::string("\xFE") + "caching_sha2_password" + std::string(1, '\0') + scramble + std::string(1, '\0'));
    EXPECT_EQ(BuildAuthMoreData(std::string(1, '\x03')), std::string("\x01\x03", 2));
}

}  // namespace floe::mysql
