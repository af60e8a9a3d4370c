#include "function/like_matcher.h"

#include "common/ascii.h"

namespace floe {

namespace {
size_t CharLen(std::string_view s, size_t i) {
    size_t j = i + 1;
    while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) ++j;
    return j - i;
}
}  // namespace

bool LikeMatch(std::string_view text, std::string_view pattern, char escape, bool ignore_case) {
    // Iterative matcher with backtracking to the last '%': linear for typical patterns.
    size_t t = 0, p = 0;
    size_t star_p = std::string_view::npos, star_t = 0;
    auto eq = [&](char a, char b) { return ignore_case ? AsciiToLower(a) == AsciiToLower(b) : a == b; };
    while (t < text.size()) {
        if (p < pattern.size()) {
            char pc = pattern[p];
            if (pc == '%') {
                star_p = ++p;
                star_t = t;
                continue;
            }
            if (pc == '_') {
                t += CharLen(text, t);
                ++p;
                continue;
            }
            if (pc == escape && p + 1 < pattern.size()) {
                if (eq(pattern[p + 1], text[t])) {
                    p += 2;
                    ++t;
                    continue;
                }
            } else if (eq(pc, text[t])) {
                ++p;
                ++t;
                continue;
            }
        }
        if (star_p == std::string_view::npos) return false;
        p = star_p;
        star_t += CharLen(text, star_t);
        t = star_t;
    }
    while (p < pattern.size() && pattern[p] == '%') ++p;
    return p == pattern.size();
}

}  // namespace floe
