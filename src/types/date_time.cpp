#include "types/date_time.h"

#include <fmt/format.h>

#include <cctype>

namespace floe {

int32_t DaysFromCivil(int32_t y, uint32_t m, uint32_t d) {
    // Howard Hinnant's days_from_civil algorithm (public domain description of the calendar math).
    y -= m <= 2;
    const int32_t era = (y >= 0 ? y : y - 399) / 400;
    const uint32_t yoe = static_cast<uint32_t>(y - era * 400);
    const uint32_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int32_t>(doe) - 719468;
}

CivilDate CivilFromDays(int32_t z) {
    z += 719468;
    const int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    const uint32_t doe = static_cast<uint32_t>(z - era * 146097);
    const uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int32_t y = static_cast<int32_t>(yoe) + era * 400;
    const uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const uint32_t mp = (5 * doy + 2) / 153;
    const uint32_t d = doy - (153 * mp + 2) / 5 + 1;
    const uint32_t m = mp < 10 ? mp + 3 : mp - 9;
    return CivilDate{y + (m <= 2), m, d};
}

bool IsValidCivil(int32_t y, uint32_t m, uint32_t d) {
    if (y < 0 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
    static const uint32_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    uint32_t max = kDays[m - 1];
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && leap) max = 29;
    return d <= max;
}

namespace {
// Reads up to `max_digits` digits; returns false if none.
bool ReadNumber(std::string_view s, size_t& pos, int max_digits, uint32_t& out) {
    size_t start = pos;
    out = 0;
    while (pos < s.size() && pos - start < static_cast<size_t>(max_digits) && std::isdigit((unsigned char)s[pos])) {
        out = out * 10 + (s[pos] - '0');
        ++pos;
    }
    return pos > start;
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && std::isspace((unsigned char)s.front())) s.remove_prefix(1);
    while (!s.empty() && std::isspace((unsigned char)s.back())) s.remove_suffix(1);
    return s;
}

bool AllDigits(std::string_view s) {
    for (char c : s) {
        if (!std::isdigit((unsigned char)c)) return false;
    }
    return !s.empty();
}

// Parses the date part; leaves pos after it.
bool ParseDatePart(std::string_view s, size_t& pos, int32_t& days) {
    uint32_t y, m, d;
    if (!ReadNumber(s, pos, 4, y)) return false;
    if (pos >= s.size() || (s[pos] != '-' && s[pos] != '/')) return false;
    ++pos;
    if (!ReadNumber(s, pos, 2, m)) return false;
    if (pos >= s.size() || (s[pos] != '-' && s[pos] != '/')) return false;
    ++pos;
    if (!ReadNumber(s, pos, 2, d)) return false;
    if (!IsValidCivil(static_cast<int32_t>(y), m, d)) return false;
    days = DaysFromCivil(static_cast<int32_t>(y), m, d);
    return true;
}
}  // namespace

std::optional<int32_t> ParseDate(std::string_view text) {
    std::string_view s = Trim(text);
    if (s.size() == 8 && AllDigits(s)) {
        uint32_t y = std::stoi(std::string(s.substr(0, 4))), m = std::stoi(std::string(s.substr(4, 2))),
                 d = std::stoi(std::string(s.substr(6, 2)));
        if (!IsValidCivil(static_cast<int32_t>(y), m, d)) return std::nullopt;
        return DaysFromCivil(static_cast<int32_t>(y), m, d);
    }
    size_t pos = 0;
    int32_t days;
    if (!ParseDatePart(s, pos, days)) return std::nullopt;
    if (pos != s.size()) {
        // MySQL accepts a datetime string as a date when the time is all zeros; keep it strict otherwise.
        auto dt = ParseDatetime(s);
        if (!dt || *dt % kMicrosPerDay != 0) return std::nullopt;
    }
    return days;
}

std::optional<int64_t> ParseDatetime(std::string_view text) {
    // The common case first: "YYYY-MM-DD HH:MM:SS" exactly.
    if (text.size() == 19 && text[4] == '-' && text[7] == '-' && (text[10] == ' ' || text[10] == 'T') &&
        text[13] == ':' && text[16] == ':') {
        auto two = [&](size_t at, uint32_t& out) {
            unsigned a = static_cast<unsigned char>(text[at]) - '0', b = static_cast<unsigned char>(text[at + 1]) - '0';
            out = a * 10 + b;
            return a <= 9 && b <= 9;
        };
        uint32_t y1, y2, m, d, hh, mi, ss;
        if (two(0, y1) && two(2, y2) && two(5, m) && two(8, d) && two(11, hh) && two(14, mi) && two(17, ss)) {
            int32_t y = static_cast<int32_t>(y1 * 100 + y2);
            if (!IsValidCivil(y, m, d) || hh > 23 || mi > 59 || ss > 59) return std::nullopt;
            // Consecutive rows mostly share a day: remember the last one.
            thread_local int32_t last_ymd = -1, last_days = 0;
            int32_t ymd = y * 10000 + static_cast<int32_t>(m * 100 + d);
            if (ymd != last_ymd) {
                last_days = DaysFromCivil(y, m, d);
                last_ymd = ymd;
            }
            return static_cast<int64_t>(last_days) * kMicrosPerDay + (hh * 3600LL + mi * 60LL + ss) * kMicrosPerSecond;
        }
    }
    std::string_view s = Trim(text);
    if (s.size() == 14 && AllDigits(s)) {
        auto num = [&](size_t off, size_t len) {
            return static_cast<uint32_t>(std::stoi(std::string(s.substr(off, len))));
        };
        uint32_t y = num(0, 4), m = num(4, 2), d = num(6, 2), hh = num(8, 2), mi = num(10, 2), ss = num(12, 2);
        if (!IsValidCivil(static_cast<int32_t>(y), m, d) || hh > 23 || mi > 59 || ss > 59) return std::nullopt;
        return DaysFromCivil(static_cast<int32_t>(y), m, d) * kMicrosPerDay +
               (hh * 3600LL + mi * 60LL + ss) * kMicrosPerSecond;
    }
    size_t pos = 0;
    int32_t days;
    if (!ParseDatePart(s, pos, days)) return std::nullopt;
    int64_t micros = static_cast<int64_t>(days) * kMicrosPerDay;
    if (pos == s.size()) return micros;
    if (s[pos] != ' ' && s[pos] != 'T') return std::nullopt;
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == 'T')) ++pos;
    uint32_t hh = 0, mi = 0, ss = 0;
    if (!ReadNumber(s, pos, 2, hh)) return std::nullopt;
    if (pos < s.size() && s[pos] == ':') {
        ++pos;
        if (!ReadNumber(s, pos, 2, mi)) return std::nullopt;
        if (pos < s.size() && s[pos] == ':') {
            ++pos;
            if (!ReadNumber(s, pos, 2, ss)) return std::nullopt;
        }
    }
    if (hh > 23 || mi > 59 || ss > 59) return std::nullopt;
    int64_t frac = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        int digits = 0;
        while (pos < s.size() && std::isdigit((unsigned char)s[pos])) {
            if (digits < 6) {
                frac = frac * 10 + (s[pos] - '0');
                ++digits;
            }
            ++pos;
        }
        while (digits < 6) {
            frac *= 10;
            ++digits;
        }
    }
    if (pos != s.size()) return std::nullopt;
    return micros + (hh * 3600LL + mi * 60LL + ss) * kMicrosPerSecond + frac;
}

std::string FormatDate(int32_t days) {
    CivilDate c = CivilFromDays(days);
    return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

std::string FormatDatetime(int64_t micros, int fraction_digits) {
    int64_t days = micros / kMicrosPerDay;
    int64_t rem = micros % kMicrosPerDay;
    if (rem < 0) {
        rem += kMicrosPerDay;
        days -= 1;
    }
    CivilDate c = CivilFromDays(static_cast<int32_t>(days));
    int64_t secs = rem / kMicrosPerSecond;
    std::string out = fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", c.year, c.month, c.day, secs / 3600,
                                  (secs / 60) % 60, secs % 60);
    if (fraction_digits > 0) {
        std::string frac = fmt::format("{:06}", rem % kMicrosPerSecond);
        out.push_back('.');
        out.append(frac.substr(0, fraction_digits > 6 ? 6 : fraction_digits));
    }
    return out;
}

std::optional<TruncUnit> ParseTruncUnit(std::string_view unit) {
    static constexpr std::pair<std::string_view, TruncUnit> kUnits[] = {
        {"second", TruncUnit::SECOND},   {"minute", TruncUnit::MINUTE}, {"hour", TruncUnit::HOUR},
        {"day", TruncUnit::DAY},         {"week", TruncUnit::WEEK},     {"month", TruncUnit::MONTH},
        {"quarter", TruncUnit::QUARTER}, {"year", TruncUnit::YEAR}};
    for (const auto& [name, u] : kUnits) {
        if (name.size() != unit.size()) continue;
        bool same = true;
        for (size_t i = 0; i < name.size() && same; ++i) {
            same = name[i] == static_cast<char>(std::tolower(static_cast<unsigned char>(unit[i])));
        }
        if (same) return u;
    }
    return std::nullopt;
}

int64_t DateTruncMicros(TruncUnit unit, int64_t micros) {
    int64_t days = micros / kMicrosPerDay - ((micros % kMicrosPerDay != 0) && micros < 0);
    int64_t in_day = micros - days * kMicrosPerDay;
    switch (unit) {
        case TruncUnit::SECOND:
            return micros - (in_day % kMicrosPerSecond);
        case TruncUnit::MINUTE:
            return micros - (in_day % (60 * kMicrosPerSecond));
        case TruncUnit::HOUR:
            return micros - (in_day % (3600 * kMicrosPerSecond));
        case TruncUnit::DAY:
            return days * kMicrosPerDay;
        case TruncUnit::WEEK: {
            int64_t monday_offset = ((days % 7) + 10) % 7;  // 1970-01-01 was a Thursday
            return (days - monday_offset) * kMicrosPerDay;
        }
        default:
            break;
    }
    CivilDate c = CivilFromDays(static_cast<int32_t>(days));
    if (unit == TruncUnit::MONTH) return int64_t{DaysFromCivil(c.year, c.month, 1)} * kMicrosPerDay;
    if (unit == TruncUnit::QUARTER) return int64_t{DaysFromCivil(c.year, (c.month - 1) / 3 * 3 + 1, 1)} * kMicrosPerDay;
    return int64_t{DaysFromCivil(c.year, 1, 1)} * kMicrosPerDay;
}

std::optional<int64_t> DateTruncMicros(std::string_view unit, int64_t micros) {
    auto u = ParseTruncUnit(unit);
    if (!u) return std::nullopt;
    return DateTruncMicros(*u, micros);
}

}  // namespace floe
