#pragma once
/// The connection phase: the server's HandshakeV10 greeting, the client's HandshakeResponse41,
/// and mysql_native_password verification.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace floe::mysql {

constexpr const char* kNativePasswordPlugin = "mysql_native_password";
constexpr size_t kScrambleLength = 20;

/// 20 random bytes without NUL (some clients treat the scramble as a C string).
std::string MakeScramble();

/// Payload of the HandshakeV10 packet.
std::string BuildHandshakeV10(uint32_t connection_id, std::string_view server_version, std::string_view scramble,
                              uint32_t capabilities, uint16_t status_flags);

struct HandshakeResponse {
    uint32_t capabilities = 0;
    uint32_t max_packet_size = 0;
    uint8_t charset = 0;
    std::string user;
    std::string auth_response;
    std::optional<std::string> database;
    std::string auth_plugin;
    std::map<std::string, std::string> attributes;
};

/// Parses HandshakeResponse41; throws ProtocolError on malformed input or a pre-4.1 client.
HandshakeResponse ParseHandshakeResponse(std::string_view payload);

/// Payload of an AuthSwitchRequest asking for mysql_native_password with `scramble`.
std::string BuildAuthSwitchRequest(std::string_view scramble);

/// Checks a mysql_native_password response: `stored` is "*" + 40 hex digits of SHA1(SHA1(pw)),
/// or empty for an empty password (which accepts only an empty response).
bool VerifyNativePassword(std::string_view stored, std::string_view scramble, std::string_view response);
/// The client side of mysql_native_password (for tests): SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))).
std::string ScrambleNativePassword(std::string_view password, std::string_view scramble);

}  // namespace floe::mysql
