#include "server/mysql/handshake.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstring>
#include <random>

#include "common/exception.h"
#include "server/mysql/packet_codec.h"
#include "server/mysql/protocol.h"

namespace floe::mysql {

std::string MakeScramble() {
    unsigned char raw[kScrambleLength];
    if (RAND_bytes(raw, sizeof(raw)) != 1) {
        std::random_device rd;
        for (auto& b : raw) b = static_cast<unsigned char>(rd());
    }
    std::string out(kScrambleLength, '\0');
    for (size_t i = 0; i < kScrambleLength; ++i) out[i] = static_cast<char>(1 + raw[i] % 126);  // 1..126, never NUL
    return out;
}

std::string BuildHandshakeV10(uint32_t connection_id, std::string_view server_version, std::string_view scramble,
                              uint32_t capabilities, uint16_t status_flags) {
    PacketWriter w;
    w.WriteU8(10);
    w.WriteNullTerminated(server_version);
    w.WriteU32(connection_id);
    w.WriteBytes(scramble.substr(0, 8));
    w.WriteU8(0);
    w.WriteU16(static_cast<uint16_t>(capabilities & 0xFFFF));
    w.WriteU8(kCharsetUtf8mb4);
    w.WriteU16(status_flags);
    w.WriteU16(static_cast<uint16_t>(capabilities >> 16));
    w.WriteU8(static_cast<uint8_t>(kScrambleLength + 1));
    w.WriteZeros(10);
    w.WriteBytes(scramble.substr(8));
    w.WriteU8(0);
    w.WriteNullTerminated(kNativePasswordPlugin);
    return w.payload();
}

HandshakeResponse ParseHandshakeResponse(std::string_view payload) {
    PacketReader r(payload);
    HandshakeResponse h;
    h.capabilities = r.ReadU32();
    if (!(h.capabilities & kClientProtocol41)) {
        throw ProtocolError("client does not support protocol 4.1", ErrorCode::NOT_SUPPORTED);
    }
    h.max_packet_size = r.ReadU32();
    h.charset = r.ReadU8();
    r.Skip(23);
    h.user = std::string(r.ReadNullTerminated());
    if (h.capabilities & kClientPluginAuthLenencData) {
        h.auth_response = std::string(r.ReadLenencString());
    } else if (h.capabilities & kClientSecureConnection) {
        uint8_t n = r.ReadU8();
        h.auth_response = std::string(r.ReadBytes(n));
    } else {
        h.auth_response = std::string(r.ReadNullTerminated());
    }
    if ((h.capabilities & kClientConnectWithDb) && !r.AtEnd()) h.database = std::string(r.ReadNullTerminated());
    if ((h.capabilities & kClientPluginAuth) && !r.AtEnd()) h.auth_plugin = std::string(r.ReadNullTerminated());
    if ((h.capabilities & kClientConnectAttrs) && !r.AtEnd()) {
        uint64_t total = r.ReadLenencInt();
        if (total > r.remaining()) throw ProtocolError("malformed packet: connect attributes exceed the packet");
        PacketReader attrs(r.ReadBytes(static_cast<size_t>(total)));
        while (!attrs.AtEnd()) {
            std::string key(attrs.ReadLenencString());
            std::string value(attrs.ReadLenencString());
            h.attributes[key] = value;
        }
    }
    return h;
}

std::string BuildAuthSwitchRequest(std::string_view scramble) {
    return BuildAuthSwitchRequest(kNativePasswordPlugin, scramble);
}

std::string BuildAuthSwitchRequest(std::string_view plugin, std::string_view scramble) {
    PacketWriter w;
    w.WriteU8(0xFE);
    w.WriteNullTerminated(plugin);
    w.WriteBytes(scramble);
    w.WriteU8(0);
    return w.payload();
}

std::string BuildAuthMoreData(std::string_view data) {
    PacketWriter w;
    w.WriteU8(0x01);
    w.WriteBytes(data);
    return w.payload();
}

namespace {
void Sha1(const void* data, size_t n, unsigned char* out) {
    SHA1(static_cast<const unsigned char*>(data), n, out);
}

bool DecodeHex(std::string_view hex, unsigned char* out, size_t n) {
    if (hex.size() != n * 2) return false;
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    for (size_t i = 0; i < n; ++i) {
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = static_cast<unsigned char>(hi * 16 + lo);
    }
    return true;
}
}  // namespace

bool VerifyNativePassword(std::string_view stored, std::string_view scramble, std::string_view response) {
    if (stored.empty()) return response.empty();
    if (response.size() != SHA_DIGEST_LENGTH || stored.size() != 41 || stored[0] != '*') return false;
    unsigned char double_hash[SHA_DIGEST_LENGTH];
    if (!DecodeHex(stored.substr(1), double_hash, SHA_DIGEST_LENGTH)) return false;
    // response = SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))): recover SHA1(pw) and hash it again.
    std::string salted(scramble);
    salted.append(reinterpret_cast<const char*>(double_hash), SHA_DIGEST_LENGTH);
    unsigned char mask[SHA_DIGEST_LENGTH];
    Sha1(salted.data(), salted.size(), mask);
    unsigned char candidate[SHA_DIGEST_LENGTH];
    for (size_t i = 0; i < SHA_DIGEST_LENGTH; ++i) candidate[i] = static_cast<unsigned char>(response[i]) ^ mask[i];
    unsigned char check[SHA_DIGEST_LENGTH];
    Sha1(candidate, SHA_DIGEST_LENGTH, check);
    return CRYPTO_memcmp(check, double_hash, SHA_DIGEST_LENGTH) == 0;
}

std::string ScrambleNativePassword(std::string_view password, std::string_view scramble) {
    if (password.empty()) return "";
    unsigned char h1[SHA_DIGEST_LENGTH], h2[SHA_DIGEST_LENGTH], mask[SHA_DIGEST_LENGTH];
    Sha1(password.data(), password.size(), h1);
    Sha1(h1, SHA_DIGEST_LENGTH, h2);
    std::string salted(scramble);
    salted.append(reinterpret_cast<const char*>(h2), SHA_DIGEST_LENGTH);
    Sha1(salted.data(), salted.size(), mask);
    std::string out(SHA_DIGEST_LENGTH, '\0');
    for (size_t i = 0; i < SHA_DIGEST_LENGTH; ++i) out[i] = static_cast<char>(h1[i] ^ mask[i]);
    return out;
}

bool VerifyClearPassword(std::string_view stored, std::string_view password) {
    if (stored.empty() || password.empty()) return stored.empty() && password.empty();
    unsigned char double_hash[SHA_DIGEST_LENGTH];
    if (stored.size() != 41 || stored[0] != '*' || !DecodeHex(stored.substr(1), double_hash, SHA_DIGEST_LENGTH)) {
        return false;
    }
    unsigned char h1[SHA_DIGEST_LENGTH], h2[SHA_DIGEST_LENGTH];
    Sha1(password.data(), password.size(), h1);
    Sha1(h1, SHA_DIGEST_LENGTH, h2);
    return CRYPTO_memcmp(h2, double_hash, SHA_DIGEST_LENGTH) == 0;
}

bool VerifyCachingSha2Token(std::string_view stored, std::string_view scramble, std::string_view token) {
    unsigned char double_hash[SHA256_DIGEST_LENGTH];
    if (token.size() != SHA256_DIGEST_LENGTH || !DecodeHex(stored, double_hash, SHA256_DIGEST_LENGTH)) return false;
    // token = SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + scramble): recover SHA256(pw), hash it again.
    std::string salted(reinterpret_cast<const char*>(double_hash), SHA256_DIGEST_LENGTH);
    salted.append(scramble);
    unsigned char mask[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(salted.data()), salted.size(), mask);
    unsigned char candidate[SHA256_DIGEST_LENGTH];
    for (size_t i = 0; i < SHA256_DIGEST_LENGTH; ++i) candidate[i] = static_cast<unsigned char>(token[i]) ^ mask[i];
    unsigned char check[SHA256_DIGEST_LENGTH];
    SHA256(candidate, SHA256_DIGEST_LENGTH, check);
    return CRYPTO_memcmp(check, double_hash, SHA256_DIGEST_LENGTH) == 0;
}

std::string ScrambleCachingSha2(std::string_view password, std::string_view scramble) {
    if (password.empty()) return "";
    unsigned char h1[SHA256_DIGEST_LENGTH], h2[SHA256_DIGEST_LENGTH], mask[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(password.data()), password.size(), h1);
    SHA256(h1, SHA256_DIGEST_LENGTH, h2);
    std::string salted(reinterpret_cast<const char*>(h2), SHA256_DIGEST_LENGTH);
    salted.append(scramble);
    SHA256(reinterpret_cast<const unsigned char*>(salted.data()), salted.size(), mask);
    std::string out(SHA256_DIGEST_LENGTH, '\0');
    for (size_t i = 0; i < SHA256_DIGEST_LENGTH; ++i) out[i] = static_cast<char>(h1[i] ^ mask[i]);
    return out;
}

std::string XorWithScramble(std::string_view data, std::string_view scramble) {
    std::string out(data);
    if (scramble.empty()) return out;
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>(out[i] ^ scramble[i % scramble.size()]);
    return out;
}

}  // namespace floe::mysql
