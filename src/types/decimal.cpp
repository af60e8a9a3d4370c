#include "types/decimal.h"

#include <algorithm>
#include <cctype>

namespace floe {

namespace {
struct Pow10Table {
    int128_t v[39];
    constexpr Pow10Table() : v() {
        v[0] = 1;
        for (int i = 1; i < 39; ++i) v[i] = v[i - 1] * 10;
    }
};
constexpr Pow10Table kPow10;
}  // namespace

int128_t Pow10(int n) {
    if (n >= 0 && n < 39) return kPow10.v[n];
    int128_t v = 1;
    for (int i = 0; i < n; ++i) v *= 10;
    return v;
}

std::string FormatInt128(int128_t value) {
    if (value == 0) return "0";
    bool neg = value < 0;
    unsigned __int128 u = neg ? -static_cast<unsigned __int128>(value) : static_cast<unsigned __int128>(value);
    std::string digits;
    while (u > 0) {
        digits.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
        u /= 10;
    }
    if (neg) digits.push_back('-');
    std::reverse(digits.begin(), digits.end());
    return digits;
}

std::string FormatDecimal(int128_t unscaled, int scale) {
    if (scale == 0) return FormatInt128(unscaled);
    bool neg = unscaled < 0;
    unsigned __int128 u = neg ? -static_cast<unsigned __int128>(unscaled) : static_cast<unsigned __int128>(unscaled);
    std::string digits = FormatInt128(static_cast<int128_t>(u));
    if (static_cast<int>(digits.size()) <= scale) digits.insert(0, scale - digits.size() + 1, '0');
    digits.insert(digits.size() - scale, 1, '.');
    if (neg) digits.insert(0, 1, '-');
    return digits;
}

std::optional<int128_t> ParseInt128(std::string_view s) {
    bool neg = false;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s.remove_prefix(1);
    }
    if (s.empty()) return std::nullopt;
    using uint128_t = unsigned __int128;
    const uint128_t limit = (uint128_t{1} << 127) - (neg ? 0 : 1);  // |min| = max + 1
    uint128_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        auto digit = static_cast<uint128_t>(c - '0');
        if (v > (limit - digit) / 10) return std::nullopt;
        v = v * 10 + digit;
    }
    // -2^127 has no positive int128; negate in unsigned arithmetic.
    return neg ? static_cast<int128_t>(~v + 1) : static_cast<int128_t>(v);
}

std::optional<int128_t> ParseDecimal(std::string_view s, int precision, int scale) {
    while (!s.empty() && std::isspace((unsigned char)s.front())) s.remove_prefix(1);
    while (!s.empty() && std::isspace((unsigned char)s.back())) s.remove_suffix(1);
    if (s.empty()) return std::nullopt;
    bool neg = false;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        s.remove_prefix(1);
    }
    int128_t int_part = 0;
    int int_digits = 0;
    size_t i = 0;
    bool any = false;
    while (i < s.size() && std::isdigit((unsigned char)s[i])) {
        if (int_part != 0 || s[i] != '0') ++int_digits;
        if (int_digits > 38) return std::nullopt;  // before multiplying: 39 digits overflow int128
        int_part = int_part * 10 + (s[i] - '0');
        ++i;
        any = true;
    }
    int128_t frac = 0;
    int frac_digits = 0;
    bool round_up = false;
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && std::isdigit((unsigned char)s[i])) {
            if (frac_digits < scale) {
                frac = frac * 10 + (s[i] - '0');
                ++frac_digits;
            } else if (frac_digits == scale) {
                round_up = s[i] >= '5';
                ++frac_digits;
            }
            ++i;
            any = true;
        }
    }
    if (!any) return std::nullopt;
    int exponent = 0;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) return std::nullopt;  // callers route exponents to DOUBLE
    if (i != s.size()) return std::nullopt;
    (void)exponent;
    if (int_digits > precision - scale) return std::nullopt;
    int used_frac = std::min(frac_digits, scale);
    int128_t value = int_part * Pow10(scale) + frac * Pow10(scale - used_frac);
    if (round_up) value += 1;
    if (value >= Pow10(precision)) return std::nullopt;
    return neg ? -value : value;
}

}  // namespace floe
