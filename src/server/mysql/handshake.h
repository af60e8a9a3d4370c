#pragma once
/// The connection phase: the server's HandshakeV10 greeting, the client's HandshakeResponse41
/// (and the SSLRequest that precedes it when the client asks for TLS), and the verification of
/// mysql_native_password and caching_sha2_password answers.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace floe::mysql {

constexpr const char* kNativePasswordPlugin = "mysql_native_password";
constexpr const char* kCachingSha2Plugin = "caching_sha2_password";
constexpr size_t kScrambleLength = 20;
/// An SSLRequest is the first 32 bytes of a HandshakeResponse41 (capabilities, max packet,
/// charset, filler) with CLIENT_SSL set; TLS starts right after it.
constexpr size_t kSslRequestLength = 32;

/// caching_sha2_password's AuthMoreData statuses and the client's request for the RSA key.
constexpr uint8_t kFastAuthSuccess = 0x03;
constexpr uint8_t kPerformFullAuthentication = 0x04;
constexpr uint8_t kRequestPublicKey = 0x02;

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
/// Payload of an AuthSwitchRequest asking for `plugin` with `scramble`.
std::string BuildAuthSwitchRequest(std::string_view plugin, std::string_view scramble);
/// Payload of an AuthMoreData packet: 0x01 and `data`.
std::string BuildAuthMoreData(std::string_view data);

/// Checks a mysql_native_password response: `stored` is "*" + 40 hex digits of SHA1(SHA1(pw)),
/// or empty for an empty password (which accepts only an empty response).
bool VerifyNativePassword(std::string_view stored, std::string_view scramble, std::string_view response);
/// The client side of mysql_native_password (for tests): SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))).
std::string ScrambleNativePassword(std::string_view password, std::string_view scramble);

/// Checks caching_sha2_password's fast-path token SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) +
/// scramble) against `stored`, the 64 hex digits of SHA256(SHA256(pw)). False for an empty
/// `stored` (the verifier is not known yet: full authentication must prove the password).
bool VerifyCachingSha2Token(std::string_view stored, std::string_view scramble, std::string_view token);
/// The client side of caching_sha2_password's fast path (for tests).
std::string ScrambleCachingSha2(std::string_view password, std::string_view scramble);
/// `data` XOR the scramble repeated: how a clear-text password is masked before the client
/// encrypts it with the server's RSA key (and unmasked after the server decrypts it).
std::string XorWithScramble(std::string_view data, std::string_view scramble);
/// Whether `password` is the one whose mysql_native_password hash is `stored` (constant time).
bool VerifyClearPassword(std::string_view stored, std::string_view password);

}  // namespace floe::mysql
