#include "server/mysql/handshake.h"

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "common/exception.h"
#include "server/mysql/packet_codec.h"
#include "server/mysql/protocol.h"

namespace floe::mysql {

TEST(Handshake, GreetingLayout) {
    std::string scramble = MakeScramble();
    ASSERT_EQ(scramble.size(), kScrambleLength);
    EXPECT_EQ(scramble.find('\0'), std::string::npos);
    std::string g = BuildHandshakeV10(42, "8.0.33-floe", scramble, kServerCapabilities, kStatusAutocommit);
    PacketReader r(g);
    EXPECT_EQ(r.ReadU8(), 10);
    EXPECT_EQ(r.ReadNullTerminated(), "8.0.33-floe");
    EXPECT_EQ(r.ReadU32(), 42u);
    EXPECT_EQ(r.ReadBytes(8), scramble.substr(0, 8));
    EXPECT_EQ(r.ReadU8(), 0);
    uint32_t caps = r.ReadU16();
    EXPECT_TRUE(caps & kClientLongPassword);  // bit 0: clients treat us as MySQL, not MariaDB
    r.ReadU8();
    EXPECT_EQ(r.ReadU16(), kStatusAutocommit);
    caps |= static_cast<uint32_t>(r.ReadU16()) << 16;
    EXPECT_EQ(caps, kServerCapabilities);
    EXPECT_FALSE(caps & kClientSsl);
    EXPECT_EQ(r.ReadU8(), 21);
    r.Skip(10);
    EXPECT_EQ(r.ReadBytes(12), scramble.substr(8));
    EXPECT_EQ(r.ReadU8(), 0);
    EXPECT_EQ(r.ReadNullTerminated(), "mysql_native_password");
}

std::string Response(uint32_t caps, std::string_view auth_field, bool with_db, bool with_attrs) {
    PacketWriter w;
    w.WriteU32(caps);
    w.WriteU32(1 << 24);
    w.WriteU8(45);
    w.WriteZeros(23);
    w.WriteNullTerminated("alice");
    w.WriteBytes(auth_field);
    if (with_db) w.WriteNullTerminated("sales");
    w.WriteNullTerminated("mysql_native_password");
    if (with_attrs) {
        PacketWriter a;
        a.WriteLenencString("_client_name");
        a.WriteLenencString("libmariadb");
        w.WriteLenencString(a.payload());
    }
    return w.payload();
}

TEST(Handshake, ParsesTheThreeAuthEncodings) {
    std::string auth(20, 'a');
    uint32_t base = kClientProtocol41 | kClientPluginAuth | kClientConnectWithDb | kClientConnectAttrs;
    PacketWriter lenenc;
    lenenc.WriteLenencString(auth);
    auto h1 = ParseHandshakeResponse(
        Response(base | kClientPluginAuthLenencData | kClientSecureConnection, lenenc.payload(), true, true));
    EXPECT_EQ(h1.user, "alice");
    EXPECT_EQ(h1.auth_response, auth);
    EXPECT_EQ(h1.database, "sales");
    EXPECT_EQ(h1.auth_plugin, "mysql_native_password");
    EXPECT_EQ(h1.attributes.at("_client_name"), "libmariadb");
    auto h2 = ParseHandshakeResponse(Response((base & ~kClientConnectWithDb) | kClientSecureConnection,
                                              std::string(1, '\x14') + auth, false, false));
    EXPECT_EQ(h2.auth_response, auth);
    EXPECT_FALSE(h2.database.has_value());
    auto h3 =
        ParseHandshakeResponse(Response(base & ~kClientConnectWithDb, "secret" + std::string(1, '\0'), false, false));
    EXPECT_EQ(h3.auth_response, "secret");
}

TEST(Handshake, RejectsMalformedResponses) {
    EXPECT_THROW(ParseHandshakeResponse(""), ProtocolError);
    EXPECT_THROW(ParseHandshakeResponse(std::string("\x00\x00\x00\x00", 4)), ProtocolError);  // pre-4.1
    std::string r = Response(kClientProtocol41 | kClientPluginAuthLenencData, std::string("\x30", 1), false, false);
    EXPECT_THROW(ParseHandshakeResponse(r), ProtocolError);  // auth length past the end
}

TEST(Handshake, NativePassword) {
    std::string scramble = MakeScramble();
    std::string stored = Catalog::NativePasswordHash("password");
    EXPECT_EQ(stored, "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
    EXPECT_TRUE(VerifyNativePassword(stored, scramble, ScrambleNativePassword("password", scramble)));
    EXPECT_FALSE(VerifyNativePassword(stored, scramble, ScrambleNativePassword("Password", scramble)));
    EXPECT_FALSE(VerifyNativePassword(stored, scramble, ""));
    EXPECT_TRUE(VerifyNativePassword("", scramble, ""));
    EXPECT_FALSE(VerifyNativePassword("", scramble, ScrambleNativePassword("x", scramble)));
    EXPECT_FALSE(VerifyNativePassword("*garbage", scramble, std::string(20, 'x')));
}

}  // namespace floe::mysql
