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

std::optional<LiteralLikePattern> LiteralLikePattern::Compile(std::string_view pattern, char escape) {
    LiteralLikePattern p;
    std::string piece;
    for (char c : pattern) {
        if (c == '_' || (escape && c == escape)) return std::nullopt;
        if (c == '%') {
            if (!piece.empty()) p.pieces_.push_back(std::move(piece));
            piece.clear();
            continue;
        }
        piece += c;
    }
    if (!piece.empty()) p.pieces_.push_back(std::move(piece));
    p.anchored_start_ = pattern.empty() || pattern.front() != '%';
    p.anchored_end_ = pattern.empty() || pattern.back() != '%';
    return p;
}

bool LiteralLikePattern::Match(std::string_view text) const {
    if (pieces_.empty()) return !(anchored_start_ && anchored_end_) || text.empty();
    size_t first = 0, last = pieces_.size();
    size_t from = 0, to = text.size();
    if (anchored_start_) {
        if (text.substr(0, pieces_[0].size()) != pieces_[0]) return false;
        from = pieces_[0].size();
        first = 1;
    }
    if (anchored_end_ && last > first) {
        const std::string& tail = pieces_.back();
        if (to - from < tail.size() || text.substr(to - tail.size()) != tail) return false;
        to -= tail.size();
        --last;
    } else if (anchored_end_ && pieces_.size() == 1 && anchored_start_) {
        return text.size() == pieces_[0].size();  // no '%' at all: equality
    }
    for (size_t i = first; i < last; ++i) {
        size_t at = text.substr(0, to).find(pieces_[i], from);
        if (at == std::string_view::npos) return false;
        from = at + pieces_[i].size();
    }
    return true;
}

}  // namespace floe
