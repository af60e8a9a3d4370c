#pragma once
/// Base64 (RFC 4648, standard alphabet, '=' padding) for to_base64/from_base64 and the bitmap
/// functions that read and write bitmaps as base64 text.

#include <cstdint>
#include <string>
#include <string_view>

namespace floe {

inline constexpr char kBase64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

inline std::string ToBase64(std::string_view s) {
    std::string o;
    o.reserve((s.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < s.size(); i += 3) {
        uint32_t v = (static_cast<unsigned char>(s[i]) << 16) | (static_cast<unsigned char>(s[i + 1]) << 8) |
                     static_cast<unsigned char>(s[i + 2]);
        for (int k = 3; k >= 0; --k) o.push_back(kBase64Alphabet[(v >> (6 * k)) & 63]);
    }
    size_t rest = s.size() - i;
    if (rest > 0) {
        uint32_t v = static_cast<unsigned char>(s[i]) << 16;
        if (rest == 2) v |= static_cast<unsigned char>(s[i + 1]) << 8;
        o.push_back(kBase64Alphabet[(v >> 18) & 63]);
        o.push_back(kBase64Alphabet[(v >> 12) & 63]);
        o.push_back(rest == 2 ? kBase64Alphabet[(v >> 6) & 63] : '=');
        o.push_back('=');
    }
    return o;
}

inline int Base64Value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

// Decodes base64 with optional padding; false when a character or the length is invalid.
inline bool FromBase64(std::string_view s, std::string& o) {
    o.clear();
    while (!s.empty() && s.back() == '=') s.remove_suffix(1);
    if (s.size() % 4 == 1) return false;
    uint32_t acc = 0;
    int bits = 0;
    for (char c : s) {
        int v = Base64Value(c);
        if (v < 0) return false;
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            o.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    return true;
}

}  // namespace floe
