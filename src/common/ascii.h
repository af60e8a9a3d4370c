#pragma once
/// ASCII case handling for SQL identifiers and keywords, which are compared case-insensitively.

#include <string>
#include <string_view>

namespace floe {

inline char AsciiToLower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
inline char AsciiToUpper(char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
}

inline std::string AsciiLower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = AsciiToLower(c);
    return out;
}

inline std::string AsciiUpper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = AsciiToUpper(c);
    return out;
}

inline bool AsciiEqualsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (AsciiToLower(a[i]) != AsciiToLower(b[i])) return false;
    }
    return true;
}

/// Case-insensitive less-than, for ordered maps keyed by SQL names.
struct AsciiCaseLess {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const {
        size_t n = a.size() < b.size() ? a.size() : b.size();
        for (size_t i = 0; i < n; ++i) {
            char x = AsciiToLower(a[i]), y = AsciiToLower(b[i]);
            if (x != y) return x < y;
        }
        return a.size() < b.size();
    }
};

/// `name` as a backtick-quoted SQL identifier (backticks inside doubled), for SQL text Floe builds.
inline std::string QuoteIdentifier(std::string_view name) {
    std::string out = "`";
    for (char c : name) {
        if (c == '`') out.push_back('`');
        out.push_back(c);
    }
    return out + "`";
}

/// `text` as a single-quoted SQL string literal (quotes and backslashes escaped).
inline std::string QuoteString(std::string_view text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out + "'";
}

}  // namespace floe
