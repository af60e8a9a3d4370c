// Calendar functions: week numbers in MySQL's eight modes (week, weekofyear, week_iso, yearweek),
// weekday/day_of_week_iso, dayname/monthname, last_day, makedate, next_day/previous_day,
// to_days/from_days, time_to_sec/sec_to_time, str_to_date and the unix-time variants in
// milliseconds. DATE arguments arrive as DATETIME (the binder casts), days are counted from
// 1970-01-01 as in types/date_time.h.
#include <fmt/format.h>

#include <cctype>
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
constexpr int32_t kDaysFromYearZero = 719528;  // MySQL's TO_DAYS('1970-01-01')
constexpr const char* kMonthNames[] = {"January", "February", "March",     "April",   "May",      "June",
                                       "July",    "August",   "September", "October", "November", "December"};
constexpr const char* kDayNames[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

LogicalType DatetimeWithMicros() {
    LogicalType t = TypeId::DATETIME;
    t.scale = 6;  // shows the fractional digits
    return t;
}

int32_t DaysOf(int64_t dt) {
    return static_cast<int32_t>(dt / kMicrosPerDay - (dt % kMicrosPerDay < 0 ? 1 : 0));
}

/// 0 = Monday .. 6 = Sunday (1970-01-01 was a Thursday).
int WeekdayMondayZero(int32_t days) {
    return static_cast<int>(((days % 7) + 10) % 7);
}

int DaysInYear(int32_t y) {
    return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 366 : 365;
}

/// MySQL's week number. Mode bits: 1 = weeks start on Monday, 2 = weeks 1..53 (a date before
/// week 1 belongs to the previous year's last week, `year` says which year), 4 = week 1 is the
/// first with 4 or more days in the year (when not set: the first that starts in the year) —
/// for Sunday-first modes bit 4 is read inverted, as MySQL does.
int WeekNumber(int32_t days, int mode, int32_t& year) {
    bool monday_first = mode & 1;
    bool week_year = mode & 2;
    bool first_weekday = ((mode & 4) != 0) != !monday_first;  // week 1 starts on the first first-day
    CivilDate c = CivilFromDays(days);
    year = c.year;
    int32_t first = DaysFromCivil(c.year, 1, 1);
    int wd = monday_first ? WeekdayMondayZero(first) : (WeekdayMondayZero(first) + 1) % 7;
    if (c.month == 1 && static_cast<int>(c.day) <= 7 - wd) {
        if (!week_year && ((first_weekday && wd != 0) || (!first_weekday && wd >= 4))) return 0;
        week_year = true;
        --year;
        int len = DaysInYear(year);
        first -= len;
        wd = (wd + 53 * 7 - len) % 7;
    }
    int32_t since;
    if ((first_weekday && wd != 0) || (!first_weekday && wd >= 4))
        since = days - (first + (7 - wd));
    else
        since = days - (first - wd);
    if (week_year && since >= 52 * 7) {
        wd = (wd + DaysInYear(year)) % 7;
        if ((!first_weekday && wd < 4) || (first_weekday && wd == 0)) {
            ++year;
            return 1;
        }
    }
    return since / 7 + 1;
}

template <typename Op>
FunctionSignature DayFunction(LogicalType result, Op op) {
    return {{TypeId::DATETIME}, result, [op](Args a, size_t rows, Column& out) {
                for (size_t i = 0; i < rows; ++i) {
                    bool n = a[0]->IsNull(i);
                    out.SetNull(i, n);
                    if (!n) op(DaysOf(a[0]->Data<int64_t>()[i]), out, i);
                }
            }};
}

ScalarFunctionBinder WeekBinder(std::string name, bool year_week, int fixed_mode) {
    auto kernel = [year_week, fixed_mode](Args a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            bool n = a[0]->IsNull(i) || (a.size() > 1 && a[1]->IsNull(i));
            out.SetNull(i, n);
            if (n) continue;
            int mode = fixed_mode >= 0 ? fixed_mode : a.size() > 1 ? static_cast<int>(a[1]->Data<int64_t>()[i] & 7) : 0;
            int32_t year;
            int32_t days = DaysOf(a[0]->Data<int64_t>()[i]);
            if (year_week) {
                int week = WeekNumber(days, mode | 2, year);
                out.Data<int32_t>()[i] = year * 100 + week;
            } else {
                out.Data<int32_t>()[i] = WeekNumber(days, mode, year);
            }
        }
    };
    if (fixed_mode >= 0) return Overloads(name, {{{TypeId::DATETIME}, TypeId::INT, kernel}});
    return Overloads(
        name, {{{TypeId::DATETIME}, TypeId::INT, kernel}, {{TypeId::DATETIME, TypeId::BIGINT}, TypeId::INT, kernel}});
}

/// next_day/previous_day's day argument: 'Mo', 'Mon' or 'Monday' (any case); -1 when unknown.
int ParseWeekday(std::string_view s) {
    std::string lower = AsciiLower(std::string(s));
    for (int d = 0; d < 7; ++d) {
        std::string name = AsciiLower(std::string(kDayNames[d]));
        if (lower == name || lower == name.substr(0, 3) || lower == name.substr(0, 2)) return d;
    }
    return -1;
}

ScalarKernel NextDay(bool forward) {
    return [forward](Args a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            bool n = a[0]->IsNull(i) || a[1]->IsNull(i);
            out.SetNull(i, n);
            if (n) continue;
            int target = ParseWeekday(a[1]->Strings()[i].view());
            if (target < 0) {
                throw ExecutionError(std::string(forward ? "next_day" : "previous_day") + "(): '" +
                                         std::string(a[1]->Strings()[i].view()) + "' is not a day of the week",
                                     ErrorCode::WRONG_ARGUMENTS);
            }
            int32_t days = DaysOf(a[0]->Data<int64_t>()[i]);
            int wd = WeekdayMondayZero(days);
            int step = forward ? (target - wd + 7) % 7 : (wd - target + 7) % 7;
            if (step == 0) step = 7;
            out.Data<int32_t>()[i] = forward ? days + step : days - step;
        }
    };
}

// time_to_sec('[-]H:MM:SS[.f]') or of a datetime's time of day (the part after a space).
std::optional<int64_t> TimeToSeconds(std::string_view s) {
    size_t space = s.find(' ');
    if (space != std::string_view::npos) s = s.substr(space + 1);
    bool negative = !s.empty() && s.front() == '-';
    if (negative) s.remove_prefix(1);
    int64_t parts[3] = {0, 0, 0};
    int k = 0;
    bool digits = false;
    for (char c : s) {
        if (c >= '0' && c <= '9') {
            parts[k] = parts[k] * 10 + (c - '0');
            digits = true;
            if (parts[k] > 100000000) return std::nullopt;
        } else if (c == ':' && k < 2 && digits) {
            ++k;
            digits = false;
        } else if (c == '.') {
            break;
        } else {
            return std::nullopt;
        }
    }
    if (!digits || k == 0 || parts[1] > 59 || parts[2] > 59) return std::nullopt;
    int64_t v = parts[0] * 3600 + parts[1] * 60 + parts[2];
    return negative ? -v : v;
}

std::string SecondsToTime(int64_t secs) {
    // MySQL's TIME range is -838:59:59 .. 838:59:59; values outside are clamped.
    constexpr int64_t kMax = 838 * 3600 + 59 * 60 + 59;
    secs = std::clamp(secs, -kMax, kMax);
    bool negative = secs < 0;
    if (negative) secs = -secs;
    return fmt::format("{}{:02}:{:02}:{:02}", negative ? "-" : "", secs / 3600, secs / 60 % 60, secs % 60);
}

// str_to_date: parses `s` with MySQL's date_format specifiers. Returns nullopt when the text does
// not match or the date is invalid.
std::optional<int64_t> ParseWithFormat(std::string_view s, std::string_view f) {
    int64_t year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, micros = 0, yday = -1;
    bool pm = false, has_ampm = false;
    size_t p = 0;
    auto skip_spaces = [&] {
        while (p < s.size() && std::isspace(static_cast<unsigned char>(s[p]))) ++p;
    };
    auto number = [&](int max_digits, int64_t& v) {
        size_t start = p;
        v = 0;
        while (p < s.size() && p - start < static_cast<size_t>(max_digits) && s[p] >= '0' && s[p] <= '9')
            v = v * 10 + (s[p++] - '0');
        return p > start;
    };
    auto name = [&](const char* const* names, int count, bool abbreviated, int64_t& v) {
        for (int k = 0; k < count; ++k) {
            std::string full = names[k];
            std::string want = abbreviated ? full.substr(0, 3) : full;
            if (s.size() - p >= want.size() && AsciiLower(std::string(s.substr(p, want.size()))) == AsciiLower(want)) {
                p += want.size();
                v = k;
                return true;
            }
        }
        return false;
    };
    for (size_t i = 0; i < f.size(); ++i) {
        if (f[i] != '%' || i + 1 == f.size()) {
            if (std::isspace(static_cast<unsigned char>(f[i]))) {
                skip_spaces();
                continue;
            }
            if (p >= s.size() || s[p] != f[i]) return std::nullopt;
            ++p;
            continue;
        }
        char spec = f[++i];
        int64_t v = 0;
        bool ok = true;
        switch (spec) {
            case 'Y':
                ok = number(4, year);
                break;
            case 'y':
                ok = number(2, v);
                year = v < 70 ? 2000 + v : 1900 + v;
                break;
            case 'm':
            case 'c':
                ok = number(2, month);
                break;
            case 'd':
            case 'e':
                ok = number(2, day);
                break;
            case 'H':
            case 'k':
            case 'h':
            case 'I':
            case 'l':
                ok = number(2, hour);
                break;
            case 'i':
                ok = number(2, minute);
                break;
            case 's':
            case 'S':
                ok = number(2, second);
                break;
            case 'f': {
                size_t start = p;
                ok = number(6, micros);
                for (size_t k = p - start; k < 6; ++k) micros *= 10;
                break;
            }
            case 'j':
                ok = number(3, yday);
                break;
            case 'p':
                if (s.size() - p >= 2) {
                    std::string ap = AsciiLower(std::string(s.substr(p, 2)));
                    ok = ap == "am" || ap == "pm";
                    pm = ap == "pm";
                    has_ampm = true;
                    p += 2;
                } else {
                    ok = false;
                }
                break;
            case 'M':
            case 'b':
                ok = name(kMonthNames, 12, spec == 'b', v);
                month = v + 1;
                break;
            case 'W':
            case 'a':
                ok = name(kDayNames, 7, spec == 'a', v);  // parsed, not used
                break;
            case 'T':
                ok = number(2, hour) && p < s.size() && s[p++] == ':' && number(2, minute) && p < s.size() &&
                     s[p++] == ':' && number(2, second);
                break;
            case '%':
                ok = p < s.size() && s[p++] == '%';
                break;
            default:
                return std::nullopt;  // %U %u %V %v %X %x %w %r and others are not supported
        }
        if (!ok) return std::nullopt;
    }
    if (has_ampm) {
        if (hour < 1 || hour > 12) return std::nullopt;
        hour = hour % 12 + (pm ? 12 : 0);
    }
    if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
    int32_t days;
    if (yday >= 0) {
        if (yday < 1 || yday > DaysInYear(static_cast<int32_t>(year))) return std::nullopt;
        days = DaysFromCivil(static_cast<int32_t>(year), 1, 1) + static_cast<int32_t>(yday) - 1;
    } else {
        if (year > 9999 ||
            !IsValidCivil(static_cast<int32_t>(year), static_cast<uint32_t>(month), static_cast<uint32_t>(day)))
            return std::nullopt;
        days = DaysFromCivil(static_cast<int32_t>(year), static_cast<uint32_t>(month), static_cast<uint32_t>(day));
    }
    return days * kMicrosPerDay + ((hour * 60 + minute) * 60 + second) * kMicrosPerSecond + micros;
}

}  // namespace

void RegisterDatetimeCalendarFunctions(FunctionRegistry& r) {
    r.AddScalar("week", WeekBinder("week", false, -1));
    r.AddScalar("weekofyear", WeekBinder("weekofyear", false, 3));
    r.AddScalar("week_iso", WeekBinder("week_iso", false, 3));
    r.AddScalar("yearweek", WeekBinder("yearweek", true, -1));
    r.AddScalar("weekday", Overloads("weekday", {DayFunction(TypeId::INT, [](int32_t d, Column& out, size_t i) {
                                         out.Data<int32_t>()[i] = WeekdayMondayZero(d);
                                     })}));
    r.AddScalar("day_of_week_iso",
                Overloads("day_of_week_iso", {DayFunction(TypeId::INT, [](int32_t d, Column& out, size_t i) {
                              out.Data<int32_t>()[i] = WeekdayMondayZero(d) + 1;
                          })}));
    r.AddScalar("dayname", Overloads("dayname", {DayFunction(kStr, [](int32_t d, Column& out, size_t i) {
                                         out.SetString(i, kDayNames[WeekdayMondayZero(d)]);
                                     })}));
    r.AddScalar("monthname", Overloads("monthname", {DayFunction(kStr, [](int32_t d, Column& out, size_t i) {
                                           out.SetString(i, kMonthNames[CivilFromDays(d).month - 1]);
                                       })}));
    // last_day(d[, 'month'|'quarter'|'year']): the last day of d's month (or quarter, year).
    auto last_day = [](Args a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            bool n = a[0]->IsNull(i) || (a.size() > 1 && a[1]->IsNull(i));
            out.SetNull(i, n);
            if (n) continue;
            CivilDate c = CivilFromDays(DaysOf(a[0]->Data<int64_t>()[i]));
            std::string unit = a.size() > 1 ? AsciiLower(std::string(a[1]->Strings()[i].view())) : "month";
            uint32_t last_month;
            if (unit == "month")
                last_month = c.month;
            else if (unit == "quarter")
                last_month = (c.month - 1) / 3 * 3 + 3;
            else if (unit == "year")
                last_month = 12;
            else
                throw ExecutionError("last_day(): unknown unit '" + unit + "' (month, quarter, year)",
                                     ErrorCode::WRONG_ARGUMENTS);
            int32_t y = c.year;
            // The day before the first of the following month.
            int32_t next = last_month == 12 ? DaysFromCivil(y + 1, 1, 1) : DaysFromCivil(y, last_month + 1, 1);
            out.Data<int32_t>()[i] = next - 1;
        }
    };
    r.AddScalar("last_day", Overloads("last_day", {{{TypeId::DATETIME}, TypeId::DATE, last_day},
                                                   {{TypeId::DATETIME, kStr}, TypeId::DATE, last_day}}));
    // makedate(year, day_of_year): NULL for a day of year <= 0 or a year outside 0..9999.
    r.AddScalar(
        "makedate",
        Overloads("makedate", {{{TypeId::BIGINT, TypeId::BIGINT}, TypeId::DATE, [](Args a, size_t rows, Column& out) {
                                    BinaryExecuteNullable<int64_t, int64_t, int32_t>(
                                        *a[0], *a[1], rows, out, [](int64_t y, int64_t d, bool& n) {
                                            if (y < 0 || y > 9999 || d <= 0 || d > 3660000) {
                                                n = true;
                                                return int32_t{0};
                                            }
                                            int64_t days = DaysFromCivil(static_cast<int32_t>(y), 1, 1) + d - 1;
                                            if (days >= DaysFromCivil(10000, 1, 1)) n = true;
                                            return static_cast<int32_t>(days);
                                        });
                                }}}));
    r.AddScalar("next_day", Overloads("next_day", {{{TypeId::DATETIME, kStr}, TypeId::DATE, NextDay(true)}}));
    r.AddScalar("previous_day", Overloads("previous_day", {{{TypeId::DATETIME, kStr}, TypeId::DATE, NextDay(false)}}));
    r.AddScalar("to_days", Overloads("to_days", {DayFunction(TypeId::INT, [](int32_t d, Column& out, size_t i) {
                                         out.Data<int32_t>()[i] = d + kDaysFromYearZero;
                                     })}));
    r.AddScalar("from_days",
                Overloads("from_days", {{{TypeId::BIGINT}, TypeId::DATE, [](Args a, size_t rows, Column& out) {
                                             UnaryExecuteNullable<int64_t, int32_t>(
                                                 *a[0], rows, out, [](int64_t v, bool& n) {
                                                     int64_t d = v - kDaysFromYearZero;
                                                     // Day numbers before year 1 (and past 9999) have no date.
                                                     n = v < 366 || d >= DaysFromCivil(10000, 1, 1);
                                                     return static_cast<int32_t>(n ? 0 : d);
                                                 });
                                         }}}));
    r.AddScalar("time_to_sec", Overloads("time_to_sec", {{{kStr}, TypeId::BIGINT, [](Args a, size_t rows, Column& out) {
                                                              UnaryExecuteNullable<std::string_view, int64_t>(
                                                                  *a[0], rows, out, [](std::string_view s, bool& n) {
                                                                      auto v = TimeToSeconds(s);
                                                                      n = !v;
                                                                      return v.value_or(0);
                                                                  });
                                                          }}}));
    r.AddScalar("sec_to_time", Overloads("sec_to_time", {{{TypeId::BIGINT}, kStr, [](Args a, size_t rows, Column& out) {
                                                              UnaryExecute<int64_t, std::string>(*a[0], rows, out,
                                                                                                 SecondsToTime);
                                                          }}}));
    r.AddScalar("str_to_date",
                Overloads("str_to_date", {{{kStr, kStr}, TypeId::DATETIME, [](Args a, size_t rows, Column& out) {
                                               BinaryExecuteNullable<std::string_view, std::string_view, int64_t>(
                                                   *a[0], *a[1], rows, out,
                                                   [](std::string_view s, std::string_view f, bool& n) {
                                                       auto v = ParseWithFormat(s, f);
                                                       n = !v;
                                                       return v.value_or(0);
                                                   });
                                           }}}));
    r.AddAlias("str2date", "str_to_date");
    r.AddAlias("add_months", "months_add");
    // Unix time in milliseconds, UTC.
    r.AddScalar("to_unixtime_milliseconds",
                Overloads("to_unixtime_milliseconds",
                          {{{TypeId::DATETIME}, TypeId::BIGINT, [](Args a, size_t rows, Column& out) {
                                UnaryExecute<int64_t, int64_t>(
                                    *a[0], rows, out, [](int64_t dt) { return dt / 1000 - (dt % 1000 < 0 ? 1 : 0); });
                            }}}));
    r.AddScalar("unixtime_to_datetime_ntz",
                Overloads("unixtime_to_datetime_ntz",
                          {{{TypeId::BIGINT}, TypeId::DATETIME, [](Args a, size_t rows, Column& out) {
                                UnaryExecuteNullable<int64_t, int64_t>(*a[0], rows, out, [](int64_t secs, bool& n) {
                                    n = secs < DaysFromCivil(0, 1, 1) * int64_t{86400} || secs > 253402300799LL;
                                    return n ? 0 : secs * kMicrosPerSecond;
                                });
                            }}}));
    // to_datetime_ntz(unix_ts[, scale]): seconds (scale 0), milliseconds (3) or microseconds (6)
    // since the epoch as a UTC DATETIME; NULL for another scale or outside years 1..9999.
    auto to_datetime_ntz = [](Args a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            bool n = a[0]->IsNull(i) || (a.size() > 1 && a[1]->IsNull(i));
            int64_t v = n ? 0 : a[0]->Data<int64_t>()[i];
            int64_t scale = a.size() > 1 && !n ? a[1]->Data<int64_t>()[i] : 0;
            int64_t micros = 0;
            if (!n) {
                int64_t per = scale == 0 ? kMicrosPerSecond : scale == 3 ? 1000 : scale == 6 ? 1 : 0;
                n = per == 0 || __builtin_mul_overflow(v, per, &micros) ||
                    micros < int64_t{DaysFromCivil(1, 1, 1)} * kMicrosPerDay ||
                    micros >= int64_t{DaysFromCivil(10000, 1, 1)} * kMicrosPerDay;
            }
            out.SetNull(i, n);
            if (!n) out.Data<int64_t>()[i] = micros;
        }
    };
    r.AddScalar(
        "to_datetime_ntz",
        Overloads("to_datetime_ntz", {{{TypeId::BIGINT}, TypeId::DATETIME, to_datetime_ntz},
                                      {{TypeId::BIGINT, TypeId::BIGINT}, DatetimeWithMicros(), to_datetime_ntz}}));
    // to_iso8601: a DATE as YYYY-MM-DD, a DATETIME as YYYY-MM-DDTHH:MM:SS.ffffff.
    r.AddScalar("to_iso8601", [](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (types.size() != 1) throw BinderError("to_iso8601() takes one argument", ErrorCode::WRONG_ARGUMENTS);
        bool date = types[0].id == TypeId::DATE;
        BoundScalarFunction f;
        f.name = "to_iso8601";
        f.arg_types = {date ? LogicalType(TypeId::DATE) : LogicalType(TypeId::DATETIME)};
        f.return_type = kStr;
        f.kernel = [date](Args a, size_t rows, Column& out) {
            for (size_t i = 0; i < rows; ++i) {
                bool n = a[0]->IsNull(i);
                out.SetNull(i, n);
                if (n) continue;
                if (date) {
                    out.SetString(i, FormatDate(a[0]->Data<int32_t>()[i]));
                } else {
                    std::string text = FormatDatetime(a[0]->Data<int64_t>()[i], 6);
                    if (text.size() > 10) text[10] = 'T';
                    out.SetString(i, text);
                }
            }
        };
        return f;
    });
    // timediff(a, b): a - b as a TIME text [-]HH:MM:SS (MySQL's TIME range, clamped).
    r.AddScalar(
        "timediff",
        Overloads("timediff", {{{TypeId::DATETIME, TypeId::DATETIME}, kStr, [](Args a, size_t rows, Column& out) {
                                    BinaryExecute<int64_t, int64_t, std::string>(
                                        *a[0], *a[1], rows, out,
                                        [](int64_t x, int64_t y) { return SecondsToTime((x - y) / kMicrosPerSecond); });
                                }}}));
    r.AddScalar("timestamp",
                Overloads("timestamp", {{{TypeId::DATETIME}, TypeId::DATETIME, [](Args a, size_t rows, Column& out) {
                                             UnaryExecute<int64_t, int64_t>(*a[0], rows, out,
                                                                            [](int64_t dt) { return dt; });
                                         }}}));
}

}  // namespace floe
