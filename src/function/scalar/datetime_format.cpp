// Date/time text in other engines' notations: Joda-Time patterns (jodatime_format,
// str_to_jodatime), Teradata formats (to_tera_date, to_tera_timestamp), ISO 8601 dates
// (from_iso8601_date: calendar, week and ordinal forms) and MySQL's TIME_FORMAT over a time of day.
// Text that does not fit its format is NULL; a format that is itself invalid is an error.
#include <fmt/format.h>

#include <optional>
#include <string>

#include "common/ascii.h"
#include "common/exception.h"
#include "function/function_registry.h"
#include "function/simple_function.h"
#include "function/vector_executor.h"
#include "types/date_time.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;
const LogicalType kStr = LogicalType::Varchar();
constexpr const char* kMonthNames[] = {"January", "February", "March",     "April",   "May",      "June",
                                       "July",    "August",   "September", "October", "November", "December"};
constexpr const char* kDayNames[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

int64_t FloorDiv(int64_t a, int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

/// 0 = Monday .. 6 = Sunday (1970-01-01 was a Thursday).
int WeekdayMondayZero(int64_t days) {
    return static_cast<int>(((days + 3) % 7 + 7) % 7);
}

/// The Monday that starts ISO week 1 of `year` (the week holding 4 January).
int64_t IsoWeekOneMonday(int32_t year) {
    int64_t jan4 = DaysFromCivil(year, 1, 4);
    return jan4 - WeekdayMondayZero(jan4);
}

/// The ISO week-numbering year and week of a day.
std::pair<int32_t, int> IsoWeek(int64_t days) {
    int32_t year = CivilFromDays(static_cast<int32_t>(days)).year;
    int64_t start = IsoWeekOneMonday(year + 1);
    if (days >= start) return {year + 1, 1};
    start = IsoWeekOneMonday(year);
    if (days < start) {
        --year;
        start = IsoWeekOneMonday(year);
    }
    return {year, static_cast<int>((days - start) / 7 + 1)};
}

struct Fields {
    int64_t year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, micros = 0;
};

Fields SplitDatetime(int64_t dt) {
    int64_t days = FloorDiv(dt, kMicrosPerDay), rem = dt - days * kMicrosPerDay;
    CivilDate d = CivilFromDays(static_cast<int32_t>(days));
    int64_t secs = rem / kMicrosPerSecond;
    return {d.year, d.month, d.day, secs / 3600, secs / 60 % 60, secs % 60, rem % kMicrosPerSecond};
}

std::optional<int64_t> Assemble(const Fields& f) {
    if (f.year < 0 || f.year > 9999 || f.month < 1 || f.month > 12 || f.day < 1 || f.hour > 23 || f.minute > 59 ||
        f.second > 59 ||
        !IsValidCivil(static_cast<int32_t>(f.year), static_cast<uint32_t>(f.month), static_cast<uint32_t>(f.day)))
        return std::nullopt;
    int64_t days =
        DaysFromCivil(static_cast<int32_t>(f.year), static_cast<uint32_t>(f.month), static_cast<uint32_t>(f.day));
    return days * kMicrosPerDay + ((f.hour * 60 + f.minute) * 60 + f.second) * kMicrosPerSecond + f.micros;
}

/// Two-digit years as MySQL reads them: 00-69 are 2000-2069, 70-99 are 1970-1999.
int64_t TwoDigitYear(int64_t yy) {
    return yy < 70 ? 2000 + yy : 1900 + yy;
}

bool IsPatternLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/// A Joda pattern cut into runs of one letter ("yyyy", "MM") and literal text.
struct JodaToken {
    char letter = 0;  // 0: literal
    int count = 0;
    std::string literal;
};

std::vector<JodaToken> TokenizeJoda(std::string_view p) {
    std::vector<JodaToken> out;
    for (size_t i = 0; i < p.size();) {
        char c = p[i];
        if (IsPatternLetter(c)) {
            size_t j = i;
            while (j < p.size() && p[j] == c) ++j;
            static constexpr std::string_view kKnown = "GCYyxMdDeEaHkKhmsSwzZ";
            if (kKnown.find(c) == std::string_view::npos) {
                throw ExecutionError("Illegal pattern component: " + std::string(p.substr(i, j - i)),
                                     ErrorCode::WRONG_ARGUMENTS);
            }
            out.push_back({c, static_cast<int>(j - i), {}});
            i = j;
        } else if (c == '\'') {
            // '' is a quote; 'text' is literal text ('' inside it a quote).
            std::string lit;
            size_t j = i + 1;
            if (j < p.size() && p[j] == '\'') {
                lit = "'";
                j++;
            } else {
                while (j < p.size()) {
                    if (p[j] == '\'') {
                        if (j + 1 < p.size() && p[j + 1] == '\'') {
                            lit.push_back('\'');
                            j += 2;
                            continue;
                        }
                        ++j;
                        break;
                    }
                    lit.push_back(p[j++]);
                }
            }
            if (!out.empty() && out.back().letter == 0)
                out.back().literal += lit;
            else
                out.push_back({0, 0, lit});
            i = j;
        } else {
            if (!out.empty() && out.back().letter == 0)
                out.back().literal.push_back(c);
            else
                out.push_back({0, 0, std::string(1, c)});
            ++i;
        }
    }
    return out;
}

std::string Padded(int64_t v, int width) {
    return fmt::format("{:0{}}", v, width);
}

std::string JodaFormat(int64_t dt, const std::vector<JodaToken>& tokens) {
    Fields f = SplitDatetime(dt);
    int64_t days = FloorDiv(dt, kMicrosPerDay);
    int weekday = WeekdayMondayZero(days);
    std::string out;
    for (const auto& t : tokens) {
        int n = t.count;
        switch (t.letter) {
            case 0:
                out += t.literal;
                break;
            case 'G':
                out += "AD";
                break;
            case 'C':
                out += Padded(f.year / 100, n);
                break;
            case 'Y':
            case 'y':
            case 'x': {
                int64_t y = t.letter == 'x' ? IsoWeek(days).first : f.year;
                out += n == 2 ? Padded(y % 100, 2) : Padded(y, n);
                break;
            }
            case 'M':
                if (n >= 4)
                    out += kMonthNames[f.month - 1];
                else if (n == 3)
                    out += std::string(kMonthNames[f.month - 1]).substr(0, 3);
                else
                    out += Padded(f.month, n);
                break;
            case 'd':
                out += Padded(f.day, n);
                break;
            case 'D':
                out += Padded(days - DaysFromCivil(static_cast<int32_t>(f.year), 1, 1) + 1, n);
                break;
            case 'e':
                out += Padded(weekday + 1, n);
                break;
            case 'E':
                out += n >= 4 ? std::string(kDayNames[weekday]) : std::string(kDayNames[weekday]).substr(0, 3);
                break;
            case 'a':
                out += f.hour < 12 ? "AM" : "PM";
                break;
            case 'H':
                out += Padded(f.hour, n);
                break;
            case 'k':
                out += Padded(f.hour == 0 ? 24 : f.hour, n);
                break;
            case 'K':
                out += Padded(f.hour % 12, n);
                break;
            case 'h':
                out += Padded((f.hour + 11) % 12 + 1, n);
                break;
            case 'm':
                out += Padded(f.minute, n);
                break;
            case 's':
                out += Padded(f.second, n);
                break;
            case 'S': {
                std::string digits = Padded(f.micros, 6);
                out += n <= 6 ? digits.substr(0, static_cast<size_t>(n)) : digits + std::string(n - 6, '0');
                break;
            }
            case 'w':
                out += Padded(IsoWeek(days).second, n);
                break;
            case 'z':
                out += "UTC";
                break;
            case 'Z':
                out += n == 1 ? "+0000" : "+00:00";
                break;
        }
    }
    return out;
}

/// Reads up to `max_digits` digits (at least one) at `pos`.
std::optional<int64_t> ReadNumber(std::string_view s, size_t& pos, size_t max_digits, size_t* read = nullptr) {
    size_t start = pos;
    int64_t v = 0;
    while (pos < s.size() && pos - start < max_digits && s[pos] >= '0' && s[pos] <= '9') v = v * 10 + (s[pos++] - '0');
    if (read) *read = pos - start;
    if (pos == start) return std::nullopt;
    return v;
}

/// Matches one of `names` (whole or its first three letters), case-insensitively; returns its index.
std::optional<int> ReadName(std::string_view s, size_t& pos, const char* const* names, int count) {
    for (bool whole : {true, false}) {
        for (int k = 0; k < count; ++k) {
            std::string_view name = names[k];
            if (!whole) name = name.substr(0, 3);
            if (s.size() - pos >= name.size() && AsciiEqualsIgnoreCase(s.substr(pos, name.size()), name)) {
                pos += name.size();
                return k;
            }
        }
    }
    return std::nullopt;
}

std::optional<int64_t> JodaParse(std::string_view s, const std::vector<JodaToken>& tokens) {
    Fields f;
    size_t pos = 0;
    std::optional<bool> pm;
    for (size_t k = 0; k < tokens.size(); ++k) {
        const JodaToken& t = tokens[k];
        const JodaToken* next = k + 1 < tokens.size() ? &tokens[k + 1] : nullptr;
        bool next_numeric = next && next->letter != 0 &&
                            (std::string_view("CYyxdDeHkKhmsSw").find(next->letter) != std::string_view::npos ||
                             (next->letter == 'M' && next->count < 3));
        // Adjacent numeric fields (yyyyMMdd) take exactly their width; others read greedily.
        size_t width = next_numeric ? static_cast<size_t>(t.count) : 9;
        switch (t.letter) {
            case 0:
                if (s.substr(pos, t.literal.size()) != t.literal) return std::nullopt;
                pos += t.literal.size();
                break;
            case 'M':
                if (t.count >= 3) {
                    auto m = ReadName(s, pos, kMonthNames, 12);
                    if (!m) return std::nullopt;
                    f.month = *m + 1;
                    break;
                }
                [[fallthrough]];
            case 'Y':
            case 'y':
            case 'x':
            case 'C':
            case 'd':
            case 'D':
            case 'e':
            case 'H':
            case 'k':
            case 'K':
            case 'h':
            case 'm':
            case 's':
            case 'w': {
                size_t read = 0;
                auto v = ReadNumber(s, pos, width, &read);
                if (!v) return std::nullopt;
                switch (t.letter) {
                    case 'Y':
                    case 'y':
                    case 'x':
                        f.year = t.count == 2 && read == 2 ? TwoDigitYear(*v) : *v;
                        break;
                    case 'M':
                        f.month = *v;
                        break;
                    case 'd':
                        f.day = *v;
                        break;
                    case 'H':
                    case 'K':
                        f.hour = *v;
                        break;
                    case 'k':
                        f.hour = *v == 24 ? 0 : *v;
                        break;
                    case 'h':
                        f.hour = *v == 12 ? 0 : *v;
                        break;
                    case 'm':
                        f.minute = *v;
                        break;
                    case 's':
                        f.second = *v;
                        break;
                    default:  // century, day of year or week, weekday: read and not used
                        break;
                }
                break;
            }
            case 'S': {
                size_t read = 0;
                auto v = ReadNumber(s, pos, next_numeric ? static_cast<size_t>(t.count) : 9, &read);
                if (!v) return std::nullopt;
                int64_t micros = *v;
                for (size_t d = read; d < 6; ++d) micros *= 10;
                for (size_t d = 6; d < read; ++d) micros /= 10;
                f.micros = micros;
                break;
            }
            case 'E':
                if (!ReadName(s, pos, kDayNames, 7)) return std::nullopt;
                break;
            case 'a':
                if (s.size() - pos >= 2 && AsciiEqualsIgnoreCase(s.substr(pos, 2), "AM")) {
                    pm = false;
                } else if (s.size() - pos >= 2 && AsciiEqualsIgnoreCase(s.substr(pos, 2), "PM")) {
                    pm = true;
                } else {
                    return std::nullopt;
                }
                pos += 2;
                break;
            case 'G':
                if (s.size() - pos < 2 || !AsciiEqualsIgnoreCase(s.substr(pos, 2), "AD")) return std::nullopt;
                pos += 2;
                break;
            default:  // zones: not kept by DATETIME
                return std::nullopt;
        }
    }
    if (pos != s.size()) return std::nullopt;
    if (pm) {
        if (f.hour > 12) return std::nullopt;
        f.hour = f.hour % 12 + (*pm ? 12 : 0);
    }
    return Assemble(f);
}

bool IsTeraPunctuation(char c) {
    return c == ' ' || c == '\r' || c == '\n' || c == '\t' || c == '-' || c == '/' || c == ',' || c == '.' ||
           c == ';' || c == ':';
}

/// Teradata's to_timestamp formats: yyyy yy mm dd hh hh24 mi ss am pm, punctuation between.
std::optional<int64_t> TeraParse(std::string_view s, std::string_view format) {
    Fields f;
    bool twelve_hour = false;
    std::optional<bool> pm;
    size_t pos = 0;
    auto starts = [&](size_t i, std::string_view word) {
        return format.size() - i >= word.size() && AsciiEqualsIgnoreCase(format.substr(i, word.size()), word);
    };
    for (size_t i = 0; i < format.size();) {
        if (IsTeraPunctuation(format[i])) {
            while (pos < s.size() && IsTeraPunctuation(s[pos])) ++pos;
            ++i;
            continue;
        }
        std::optional<int64_t> v;
        if (starts(i, "yyyy")) {
            if (!(v = ReadNumber(s, pos, 4))) return std::nullopt;
            f.year = *v;
            i += 4;
        } else if (starts(i, "yy")) {
            if (!(v = ReadNumber(s, pos, 2))) return std::nullopt;
            f.year = TwoDigitYear(*v);
            i += 2;
        } else if (starts(i, "mm")) {
            if (!(v = ReadNumber(s, pos, 2))) return std::nullopt;
            f.month = *v;
            i += 2;
        } else if (starts(i, "dd")) {
            if (!(v = ReadNumber(s, pos, 2))) return std::nullopt;
            f.day = *v;
            i += 2;
        } else if (starts(i, "hh24")) {
            if (!(v = ReadNumber(s, pos, 2))) return std::nullopt;
            f.hour = *v;
            i += 4;
        } else if (starts(i, "hh")) {
            if (!(v = ReadNumber(s, pos, 2)) || *v < 1 || *v > 12) return std::nullopt;
            f.hour = *v;
            twelve_hour = true;
            i += 2;
        } else if (starts(i, "mi")) {
            if (!(v = ReadNumber(s, pos, 2))) return std::nullopt;
            f.minute = *v;
            i += 2;
        } else if (starts(i, "ss")) {
            if (!(v = ReadNumber(s, pos, 2))) return std::nullopt;
            f.second = *v;
            i += 2;
        } else if (starts(i, "am") || starts(i, "pm")) {
            if (s.size() - pos < 2) return std::nullopt;
            std::string_view word = s.substr(pos, 2);
            if (AsciiEqualsIgnoreCase(word, "am"))
                pm = false;
            else if (AsciiEqualsIgnoreCase(word, "pm"))
                pm = true;
            else
                return std::nullopt;
            pos += 2;
            i += 2;
        } else {
            throw ExecutionError(
                "invalid Teradata format '" + std::string(format) + "' at '" + std::string(format.substr(i)) + "'",
                ErrorCode::WRONG_ARGUMENTS);
        }
    }
    if (pos != s.size()) return std::nullopt;
    if (twelve_hour) f.hour = f.hour % 12 + (pm.value_or(false) ? 12 : 0);
    return Assemble(f);
}

/// ISO 8601 dates: YYYY-MM-DD, YYYY-Www, YYYY-Www-D, YYYY-DDD.
std::optional<int32_t> ParseIsoDate(std::string_view s) {
    auto digits = [&](size_t at, size_t n) -> std::optional<int64_t> {
        if (at + n > s.size()) return std::nullopt;
        int64_t v = 0;
        for (size_t i = at; i < at + n; ++i) {
            if (s[i] < '0' || s[i] > '9') return std::nullopt;
            v = v * 10 + (s[i] - '0');
        }
        return v;
    };
    auto year = digits(0, 4);
    if (!year || s.size() < 8 || s[4] != '-') return std::nullopt;
    auto y = static_cast<int32_t>(*year);
    if (s[5] == 'W') {
        auto week = digits(6, 2);
        if (!week || (s.size() != 8 && s.size() != 10)) return std::nullopt;
        int64_t weekday = 1;
        if (s.size() == 10) {
            auto d = digits(9, 1);
            if (s[8] != '-' || !d || *d < 1 || *d > 7) return std::nullopt;
            weekday = *d;
        }
        int64_t weeks_in_year = (IsoWeekOneMonday(y + 1) - IsoWeekOneMonday(y)) / 7;
        if (*week < 1 || *week > weeks_in_year) return std::nullopt;
        return static_cast<int32_t>(IsoWeekOneMonday(y) + (*week - 1) * 7 + weekday - 1);
    }
    if (s.size() == 8) {
        auto ordinal = digits(5, 3);
        int days_in_year = DaysFromCivil(y + 1, 1, 1) - DaysFromCivil(y, 1, 1);
        if (!ordinal || *ordinal < 1 || *ordinal > days_in_year) return std::nullopt;
        return static_cast<int32_t>(DaysFromCivil(y, 1, 1) + *ordinal - 1);
    }
    auto month = digits(5, 2), day = digits(8, 2);
    if (s.size() != 10 || s[7] != '-' || !month || !day ||
        !IsValidCivil(y, static_cast<uint32_t>(*month), static_cast<uint32_t>(*day)))
        return std::nullopt;
    return DaysFromCivil(y, static_cast<uint32_t>(*month), static_cast<uint32_t>(*day));
}

/// A time of day (or any duration) in microseconds from 'HH:MM:SS[.ffffff]', '[-]HHH:MM:SS' or a
/// datetime text (its time of day).
std::optional<int64_t> ParseTimeText(std::string_view s) {
    if (auto dt = ParseDatetime(s); dt && s.size() > 8) {
        int64_t rem = *dt - FloorDiv(*dt, kMicrosPerDay) * kMicrosPerDay;
        return rem;
    }
    size_t pos = 0;
    bool negative = !s.empty() && s[0] == '-';
    if (negative) ++pos;
    auto h = ReadNumber(s, pos, 3);
    if (!h || pos >= s.size() || s[pos++] != ':') return std::nullopt;
    auto m = ReadNumber(s, pos, 2);
    if (!m || *m > 59) return std::nullopt;
    int64_t sec = 0, micros = 0;
    if (pos < s.size()) {
        if (s[pos++] != ':') return std::nullopt;
        auto sv = ReadNumber(s, pos, 2);
        if (!sv || *sv > 59) return std::nullopt;
        sec = *sv;
        if (pos < s.size() && s[pos] == '.') {
            ++pos;
            size_t read = 0;
            auto fv = ReadNumber(s, pos, 6, &read);
            if (!fv) return std::nullopt;
            micros = *fv;
            for (size_t d = read; d < 6; ++d) micros *= 10;
        }
        if (pos != s.size()) return std::nullopt;
    }
    int64_t v = ((*h * 60 + *m) * 60 + sec) * kMicrosPerSecond + micros;
    return negative ? -v : v;
}

/// MySQL's TIME_FORMAT: hour, minute, second and fraction specifiers; date specifiers give NULL.
std::optional<std::string> TimeFormat(int64_t t, std::string_view format) {
    std::string out;
    if (t < 0) {
        out.push_back('-');
        t = -t;
    }
    int64_t hours = t / (3600 * kMicrosPerSecond), minutes = t / (60 * kMicrosPerSecond) % 60,
            seconds = t / kMicrosPerSecond % 60, micros = t % kMicrosPerSecond;
    int64_t h12 = (hours % 24 + 11) % 12 + 1;
    const char* meridian = hours % 24 < 12 ? "AM" : "PM";
    for (size_t i = 0; i < format.size(); ++i) {
        if (format[i] != '%' || i + 1 == format.size()) {
            out.push_back(format[i]);
            continue;
        }
        char c = format[++i];
        switch (c) {
            case 'H':
                out += Padded(hours, 2);
                break;
            case 'k':
                out += std::to_string(hours);
                break;
            case 'h':
            case 'I':
                out += Padded(h12, 2);
                break;
            case 'l':
                out += std::to_string(h12);
                break;
            case 'i':
                out += Padded(minutes, 2);
                break;
            case 's':
            case 'S':
                out += Padded(seconds, 2);
                break;
            case 'f':
                out += Padded(micros, 6);
                break;
            case 'p':
                out += meridian;
                break;
            case 'T':
                out += fmt::format("{:02}:{:02}:{:02}", hours, minutes, seconds);
                break;
            case 'r':
                out += fmt::format("{:02}:{:02}:{:02} {}", h12, minutes, seconds, meridian);
                break;
            case 'a':
            case 'b':
            case 'c':
            case 'D':
            case 'd':
            case 'e':
            case 'j':
            case 'M':
            case 'm':
            case 'U':
            case 'u':
            case 'V':
            case 'v':
            case 'W':
            case 'w':
            case 'X':
            case 'x':
            case 'Y':
            case 'y':
                return std::nullopt;
            default:
                out.push_back(c);
                break;
        }
    }
    return out;
}

/// A kernel over (text-or-datetime, pattern) whose pattern is usually a constant: it is parsed
/// once per distinct pattern.
template <typename Compile, typename Apply>
ScalarKernel PatternKernel(Compile compile, Apply apply) {
    return [compile, apply](Args a, size_t rows, Column& out) {
        std::optional<std::string> last;
        decltype(compile(std::string_view())) compiled{};
        for (size_t i = 0; i < rows; ++i) {
            bool n = a[0]->IsNull(i) || a[1]->IsNull(i);
            if (!n) {
                std::string_view p = a[1]->Strings()[i].view();
                if (!last || *last != p) {
                    compiled = compile(p);
                    last = std::string(p);
                }
                n = !apply(*a[0], i, compiled, out);
            }
            out.SetNull(i, n);
        }
    };
}

}  // namespace

void RegisterDatetimeFormatFunctions(FunctionRegistry& r) {
    auto joda_format = PatternKernel(TokenizeJoda, [](const Column& c, size_t i, const auto& tokens, Column& out) {
        std::string s = JodaFormat(c.Data<int64_t>()[i], tokens);
        if (s.size() > 128) return false;  // StarRocks' limit
        out.SetString(i, s);
        return true;
    });
    r.AddScalar("jodatime_format", Overloads("jodatime_format", {{{TypeId::DATETIME, kStr}, kStr, joda_format}}));
    r.AddScalar("str_to_jodatime",
                Overloads("str_to_jodatime",
                          {{{kStr, kStr},
                            // DATETIME as StarRocks returns it (fractions are kept in the value:
                            // date_format(.., '%f') shows them).
                            TypeId::DATETIME,
                            PatternKernel(TokenizeJoda, [](const Column& c, size_t i, const auto& tokens, Column& out) {
                                auto v = JodaParse(c.Strings()[i].view(), tokens);
                                if (v) out.Data<int64_t>()[i] = *v;
                                return v.has_value();
                            })}}));
    auto tera = [](bool as_date) {
        return PatternKernel([](std::string_view p) { return std::string(p); },
                             [as_date](const Column& c, size_t i, const std::string& format, Column& out) {
                                 auto v = TeraParse(c.Strings()[i].view(), format);
                                 if (!v) return false;
                                 if (as_date)
                                     out.Data<int32_t>()[i] = static_cast<int32_t>(FloorDiv(*v, kMicrosPerDay));
                                 else
                                     out.Data<int64_t>()[i] = *v;
                                 return true;
                             });
    };
    r.AddScalar("to_tera_date", Overloads("to_tera_date", {{{kStr, kStr}, TypeId::DATE, tera(true)}}));
    r.AddScalar("to_tera_timestamp", Overloads("to_tera_timestamp", {{{kStr, kStr}, TypeId::DATETIME, tera(false)}}));
    r.AddScalar("from_iso8601_date",
                Overloads("from_iso8601_date", {{{kStr}, TypeId::DATE, [](Args a, size_t rows, Column& out) {
                                                     UnaryExecuteNullable<std::string_view, int32_t>(
                                                         *a[0], rows, out, [](std::string_view s, bool& n) {
                                                             auto d = ParseIsoDate(s);
                                                             n = !d;
                                                             return d.value_or(0);
                                                         });
                                                 }}}));
    r.AddScalar("time_format", Overloads("time_format", {{{kStr, kStr}, kStr, [](Args a, size_t rows, Column& out) {
                                                              for (size_t i = 0; i < rows; ++i) {
                                                                  bool n = a[0]->IsNull(i) || a[1]->IsNull(i);
                                                                  std::optional<std::string> text;
                                                                  if (!n) {
                                                                      auto t = ParseTimeText(a[0]->Strings()[i].view());
                                                                      if (t)
                                                                          text =
                                                                              TimeFormat(*t, a[1]->Strings()[i].view());
                                                                  }
                                                                  out.SetNull(i, !text);
                                                                  if (text) out.SetString(i, *text);
                                                              }
                                                          }}}));
}

}  // namespace floe
