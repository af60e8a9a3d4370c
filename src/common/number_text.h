#pragma once
/// Numbers written as text by users (HTTP headers, properties, options): parsed whole and
/// strictly, so that "-1", "10abc" or "" is an error the caller reports rather than a wrapped or
/// half-read value (std::stoul("-1") is 18446744073709551615).

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

namespace floe {

/// The text without spaces and tabs around it.
inline std::string_view TrimNumberText(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// A whole decimal integer (optional sign), or nullopt when the text is anything else or overflows.
inline std::optional<int64_t> ParseInt64(std::string_view text) {
    std::string_view s = TrimNumberText(text);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty()) return std::nullopt;
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

/// A whole finite decimal number, or nullopt.
inline std::optional<double> ParseFiniteDouble(std::string_view text) {
    std::string_view s = TrimNumberText(text);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty()) return std::nullopt;
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

}  // namespace floe
