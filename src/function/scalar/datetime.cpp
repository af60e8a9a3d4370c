// Date and time functions. DATETIME has no time zone; conversions to and from unix time use UTC
// until session time zones arrive.
#include <fmt/format.h>

#include "common/exception.h"
#include "function/function_registry.h"
#include "function/simple_function.h"
#include "function/vector_executor.h"
#include "types/date_time.h"
#include "types/time_zone.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;

struct Parts {
    CivilDate date;
    int64_t hour, minute, second, micros;
};

Parts Split(int64_t dt) {
    int64_t days = dt / kMicrosPerDay;
    int64_t rem = dt % kMicrosPerDay;
    if (rem < 0) {
        rem += kMicrosPerDay;
        --days;
    }
    int64_t secs = rem / kMicrosPerSecond;
    return {CivilFromDays(static_cast<int32_t>(days)), secs / 3600, (secs / 60) % 60, secs % 60,
            rem % kMicrosPerSecond};
}

int64_t DaysOf(int64_t dt) {
    return dt / kMicrosPerDay - (dt % kMicrosPerDay < 0 ? 1 : 0);
}

template <typename Op>
FunctionSignature DatetimePart(Op op) {
    return {{TypeId::DATETIME}, TypeId::INT, [op](Args a, size_t rows, Column& out) {
                UnaryExecute<int64_t, int32_t>(*a[0], rows, out,
                                               [op](int64_t dt) { return static_cast<int32_t>(op(Split(dt))); });
            }};
}

int64_t AddMonths(int64_t dt, int64_t months, bool& is_null) {
    Parts p = Split(dt);
    // Months since 0000-01; anything outside years 0..9999 is NULL. (Checked before dividing:
    // total / 12 truncates towards zero, so -11..-1 months once passed for year 0 with a month
    // <= 0 that the clamp loop below then never left.)
    int64_t total;
    if (__builtin_add_overflow(static_cast<int64_t>(p.date.year) * 12 + (p.date.month - 1), months, &total) ||
        total < 0 || total >= int64_t{10000} * 12) {
        is_null = true;
        return 0;
    }
    int64_t y = total / 12;
    auto m = static_cast<uint32_t>(total % 12) + 1;
    uint32_t d = p.date.day;
    while (!IsValidCivil(static_cast<int32_t>(y), m, d)) --d;  // clamp to month end
    return DaysFromCivil(static_cast<int32_t>(y), m, d) * kMicrosPerDay + (dt - DaysOf(dt) * kMicrosPerDay);
}

// `unit_micros` == 0 means months (times `unit_months`).
ScalarFunctionBinder MakeAdd(int64_t unit_micros, int64_t unit_months, int sign) {
    return [=](const std::vector<LogicalType>& types) -> BoundScalarFunction {
        if (types.size() != 2) throw BinderError("date arithmetic takes two arguments", ErrorCode::WRONG_ARGUMENTS);
        bool keep_date = types[0].id == TypeId::DATE && (unit_micros == 0 || unit_micros % kMicrosPerDay == 0);
        BoundScalarFunction f;
        f.arg_types = {TypeId::DATETIME, TypeId::BIGINT};
        f.return_type = keep_date ? LogicalType(TypeId::DATE) : LogicalType(TypeId::DATETIME);
        f.kernel = [=](Args a, size_t rows, Column& out) {
            for (size_t i = 0; i < rows; ++i) {
                bool n = a[0]->IsNull(i) || a[1]->IsNull(i);
                int64_t r = 0;
                if (!n) {
                    int64_t dt = a[0]->Data<int64_t>()[i];
                    int64_t k, months;
                    if (__builtin_mul_overflow(a[1]->Data<int64_t>()[i], sign, &k)) {
                        n = true;
                    } else if (unit_micros == 0) {
                        if (__builtin_mul_overflow(k, unit_months, &months))
                            n = true;
                        else
                            r = AddMonths(dt, months, n);
                    } else {
                        int64_t delta;
                        if (__builtin_mul_overflow(k, unit_micros, &delta) || __builtin_add_overflow(dt, delta, &r))
                            n = true;
                    }
                    if (!n &&
                        (r < DaysFromCivil(0, 1, 1) * kMicrosPerDay || r >= DaysFromCivil(10000, 1, 1) * kMicrosPerDay))
                        n = true;
                }
                out.SetNull(i, n);
                if (n) continue;
                if (keep_date)
                    out.Data<int32_t>()[i] = static_cast<int32_t>(DaysOf(r));
                else
                    out.Data<int64_t>()[i] = r;
            }
        };
        return f;
    };
}

std::string FormatWithPattern(int64_t dt, std::string_view fmt_text) {
    static const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                    "July",    "August",   "September", "October", "November", "December"};
    static const char* kDays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
    Parts p = Split(dt);
    int64_t days = DaysOf(dt);
    int weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday; 0 = Sunday
    std::string out;
    for (size_t i = 0; i < fmt_text.size(); ++i) {
        char c = fmt_text[i];
        if (c != '%' || i + 1 == fmt_text.size()) {
            out.push_back(c);
            continue;
        }
        char s = fmt_text[++i];
        switch (s) {
            case 'Y':
                out += fmt::format("{:04}", p.date.year);
                break;
            case 'y':
                out += fmt::format("{:02}", p.date.year % 100);
                break;
            case 'm':
                out += fmt::format("{:02}", p.date.month);
                break;
            case 'c':
                out += fmt::format("{}", p.date.month);
                break;
            case 'd':
                out += fmt::format("{:02}", p.date.day);
                break;
            case 'e':
                out += fmt::format("{}", p.date.day);
                break;
            case 'H':
                out += fmt::format("{:02}", p.hour);
                break;
            case 'k':
                out += fmt::format("{}", p.hour);
                break;
            case 'h':
            case 'I':
                out += fmt::format("{:02}", (p.hour + 11) % 12 + 1);
                break;
            case 'l':
                out += fmt::format("{}", (p.hour + 11) % 12 + 1);
                break;
            case 'i':
                out += fmt::format("{:02}", p.minute);
                break;
            case 's':
            case 'S':
                out += fmt::format("{:02}", p.second);
                break;
            case 'f':
                out += fmt::format("{:06}", p.micros);
                break;
            case 'p':
                out += p.hour < 12 ? "AM" : "PM";
                break;
            case 'M':
                out += kMonths[p.date.month - 1];
                break;
            case 'b':
                out += std::string(kMonths[p.date.month - 1]).substr(0, 3);
                break;
            case 'W':
                out += kDays[weekday];
                break;
            case 'a':
                out += std::string(kDays[weekday]).substr(0, 3);
                break;
            case 'w':
                out += fmt::format("{}", weekday);
                break;
            case 'j':
                out += fmt::format("{:03}", days - DaysFromCivil(p.date.year, 1, 1) + 1);
                break;
            case 'T':
                out += fmt::format("{:02}:{:02}:{:02}", p.hour, p.minute, p.second);
                break;
            case 'r':
                out += fmt::format("{:02}:{:02}:{:02} {}", (p.hour + 11) % 12 + 1, p.minute, p.second,
                                   p.hour < 12 ? "AM" : "PM");
                break;
            case '%':
                out.push_back('%');
                break;
            default:
                out.push_back(s);
                break;
        }
    }
    return out;
}

BoundScalarFunction BindDateTrunc(const std::vector<LogicalType>& types) {
    if (types.size() != 2) throw BinderError("date_trunc() takes two arguments", ErrorCode::WRONG_ARGUMENTS);
    BoundScalarFunction f;
    f.arg_types = {LogicalType::Varchar(), TypeId::DATETIME};
    f.return_type = types[1].id == TypeId::DATE ? LogicalType(TypeId::DATE) : LogicalType(TypeId::DATETIME);
    bool as_date = types[1].id == TypeId::DATE;
    f.kernel = [as_date](Args a, size_t rows, Column& out) {
        // The unit is nearly always a constant: parsed again only when its text changes.
        std::string last_text;
        TruncUnit unit = TruncUnit::DAY;
        bool parsed = false;
        for (size_t i = 0; i < rows; ++i) {
            bool n = a[0]->IsNull(i) || a[1]->IsNull(i);
            out.SetNull(i, n);
            if (n) continue;
            std::string_view text = a[0]->Strings()[i].view();
            if (!parsed || text != last_text) {
                auto u = ParseTruncUnit(text);
                if (!u) {
                    throw ExecutionError("date_trunc(): unknown unit '" + std::string(text) + "'",
                                         ErrorCode::WRONG_ARGUMENTS);
                }
                unit = *u;
                last_text = std::string(text);
                parsed = true;
            }
            int64_t r = DateTruncMicros(unit, a[1]->Data<int64_t>()[i]);
            if (as_date)
                out.Data<int32_t>()[i] = static_cast<int32_t>(DaysOf(r));
            else
                out.Data<int64_t>()[i] = r;
        }
    };
    return f;
}

}  // namespace

void RegisterDatetimeFunctions(FunctionRegistry& r) {
    r.AddScalar("year", Overloads("year", {DatetimePart([](const Parts& p) { return p.date.year; })}));
    r.AddScalar("month", Overloads("month", {DatetimePart([](const Parts& p) { return p.date.month; })}));
    r.AddScalar("day", Overloads("day", {DatetimePart([](const Parts& p) { return p.date.day; })}));
    r.AddAlias("dayofmonth", "day");
    r.AddScalar("quarter",
                Overloads("quarter", {DatetimePart([](const Parts& p) { return (p.date.month - 1) / 3 + 1; })}));
    r.AddScalar("hour", Overloads("hour", {DatetimePart([](const Parts& p) { return p.hour; })}));
    r.AddScalar("minute", Overloads("minute", {DatetimePart([](const Parts& p) { return p.minute; })}));
    r.AddScalar("second", Overloads("second", {DatetimePart([](const Parts& p) { return p.second; })}));
    r.AddScalar("dayofweek",
                Overloads("dayofweek", {{{TypeId::DATETIME}, TypeId::INT, [](Args a, size_t rows, Column& out) {
                                             UnaryExecute<int64_t, int32_t>(*a[0], rows, out, [](int64_t dt) {
                                                 return static_cast<int32_t>(((DaysOf(dt) % 7) + 11) % 7 + 1);
                                             });
                                         }}}));
    r.AddScalar(
        "dayofyear",
        Overloads("dayofyear", {{{TypeId::DATETIME}, TypeId::INT, [](Args a, size_t rows, Column& out) {
                                     UnaryExecute<int64_t, int32_t>(*a[0], rows, out, [](int64_t dt) {
                                         Parts p = Split(dt);
                                         return static_cast<int32_t>(DaysOf(dt) - DaysFromCivil(p.date.year, 1, 1) + 1);
                                     });
                                 }}}));
    r.AddScalar("date", Overloads("date", {{{TypeId::DATETIME}, TypeId::DATE, [](Args a, size_t rows, Column& out) {
                                                UnaryExecute<int64_t, int32_t>(*a[0], rows, out, [](int64_t dt) {
                                                    return static_cast<int32_t>(DaysOf(dt));
                                                });
                                            }}}));
    r.AddAlias("to_date", "date");
    r.AddScalar("datediff",
                Overloads("datediff",
                          {{{TypeId::DATETIME, TypeId::DATETIME}, TypeId::INT, [](Args a, size_t rows, Column& out) {
                                BinaryExecute<int64_t, int64_t, int32_t>(
                                    *a[0], *a[1], rows, out,
                                    [](int64_t x, int64_t y) { return static_cast<int32_t>(DaysOf(x) - DaysOf(y)); });
                            }}}));
    r.AddScalar(
        "date_format",
        Overloads(
            "date_format",
            {{{TypeId::DATETIME, LogicalType::Varchar()}, LogicalType::Varchar(), [](Args a, size_t rows, Column& out) {
                  BinaryExecute<int64_t, std::string_view, std::string>(
                      *a[0], *a[1], rows, out, [](int64_t dt, std::string_view f) { return FormatWithPattern(dt, f); });
              }}}));
    r.AddScalar("unix_timestamp",
                Overloads("unix_timestamp", {{{TypeId::DATETIME}, TypeId::BIGINT, [](Args a, size_t rows, Column& out) {
                                                  UnaryExecute<int64_t, int64_t>(*a[0], rows, out, [](int64_t dt) {
                                                      return dt / kMicrosPerSecond -
                                                             (dt % kMicrosPerSecond < 0 ? 1 : 0);
                                                  });
                                              }}}));
    auto from_unix = [](Args a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            bool n = a[0]->IsNull(i) || (a.size() > 1 && a[1]->IsNull(i));
            int64_t secs = n ? 0 : a[0]->Data<int64_t>()[i];
            if (secs < 0 || secs > 253402300799LL) n = true;
            out.SetNull(i, n);
            if (n) continue;
            int64_t dt = secs * kMicrosPerSecond;
            out.SetString(i, a.size() > 1 ? FormatWithPattern(dt, a[1]->Strings()[i].view()) : FormatDatetime(dt));
        }
    };
    r.AddScalar(
        "from_unixtime",
        Overloads("from_unixtime", {{{TypeId::BIGINT}, LogicalType::Varchar(), from_unix},
                                    {{TypeId::BIGINT, LogicalType::Varchar()}, LogicalType::Varchar(), from_unix}}));
    // The same in a time zone other than UTC: the binder calls these with the session's zone as
    // the last argument (a constant).
    auto zone_of = [](const Column& c) -> TimeZone {
        std::string_view name = c.IsNull(0) ? std::string_view("UTC") : c.Strings()[0].view();
        auto tz = TimeZone::Find(name);
        if (!tz) throw ExecutionError("Unknown or incorrect time zone: '" + std::string(name) + "'");
        return *tz;
    };
    auto from_unix_in_zone = [zone_of](Args a, size_t rows, Column& out) {
        TimeZone tz = zone_of(*a.back());
        bool with_format = a.size() > 2;
        for (size_t i = 0; i < rows; ++i) {
            bool n = a[0]->IsNull(i) || (with_format && a[1]->IsNull(i));
            int64_t secs = n ? 0 : a[0]->Data<int64_t>()[i];
            if (secs < 0 || secs > 253402300799LL) n = true;
            out.SetNull(i, n);
            if (n) continue;
            int64_t dt = tz.ToLocal(secs * kMicrosPerSecond);
            out.SetString(i, with_format ? FormatWithPattern(dt, a[1]->Strings()[i].view()) : FormatDatetime(dt));
        }
    };
    r.AddScalar("__from_unixtime_in_zone",
                Overloads("from_unixtime",
                          {{{TypeId::BIGINT, LogicalType::Varchar()}, LogicalType::Varchar(), from_unix_in_zone},
                           {{TypeId::BIGINT, LogicalType::Varchar(), LogicalType::Varchar()},
                            LogicalType::Varchar(),
                            from_unix_in_zone}}));
    r.AddScalar(
        "__unix_timestamp_in_zone",
        Overloads(
            "unix_timestamp",
            {{{TypeId::DATETIME, LogicalType::Varchar()}, TypeId::BIGINT, [zone_of](Args a, size_t rows, Column& out) {
                  TimeZone tz = zone_of(*a[1]);
                  UnaryExecute<int64_t, int64_t>(*a[0], rows, out, [&](int64_t dt) {
                      int64_t utc = tz.ToUtc(dt);
                      return utc / kMicrosPerSecond - (utc % kMicrosPerSecond < 0 ? 1 : 0);
                  });
              }}}));
    // Unix time in milliseconds (from_unixtime_ms: 'YYYY-MM-DD HH:MM:SS', the milliseconds dropped;
    // from_unixtime_milliseconds: '%Y-%m-%d %H:%i:%s.%f' or a date_format pattern) and
    // unixtime_to_datetime / to_datetime(ts[, scale 0|3|6]) as a DATETIME, each in the session's
    // time zone: the binder appends the zone and calls the __..._in_zone variant when it is not UTC.
    // Out of range (or an unknown scale) is NULL.
    for (bool in_zone : {false, true}) {
        auto zone = [zone_of, in_zone](Args a) { return in_zone ? zone_of(*a.back()) : TimeZone::Utc(); };
        size_t extra = in_zone ? 1 : 0;
        auto sig = [&](std::vector<LogicalType> args, LogicalType result, ScalarKernel k) {
            if (in_zone) args.push_back(LogicalType::Varchar());
            return FunctionSignature{std::move(args), std::move(result), std::move(k)};
        };
        auto from_ms = [zone, extra](bool fraction) {
            return [zone, extra, fraction](Args a, size_t rows, Column& out) {
                TimeZone tz = zone(a);
                bool with_format = a.size() > 1 + extra;
                for (size_t i = 0; i < rows; ++i) {
                    bool n = a[0]->IsNull(i) || (with_format && a[1]->IsNull(i));
                    int64_t ms = n ? 0 : a[0]->Data<int64_t>()[i];
                    if (ms < 0 || ms > 253402300799999LL) n = true;
                    out.SetNull(i, n);
                    if (n) continue;
                    int64_t dt = tz.ToLocal(ms * 1000);
                    if (with_format) {
                        out.SetString(i, FormatWithPattern(dt, a[1]->Strings()[i].view()));
                    } else {
                        out.SetString(i, fraction ? FormatWithPattern(dt, "%Y-%m-%d %H:%i:%s.%f")
                                                  : FormatDatetime(dt - dt % kMicrosPerSecond));
                    }
                }
            };
        };
        auto to_datetime = [zone, extra](Args a, size_t rows, Column& out) {
            TimeZone tz = zone(a);
            bool with_scale = a.size() > 1 + extra;
            for (size_t i = 0; i < rows; ++i) {
                bool n = a[0]->IsNull(i) || (with_scale && a[1]->IsNull(i));
                int64_t v = n ? 0 : a[0]->Data<int64_t>()[i];
                int64_t scale = with_scale && !n ? a[1]->Data<int64_t>()[i] : 0;
                int64_t micros = 0;
                if (!n) {
                    int64_t per = scale == 0 ? kMicrosPerSecond : scale == 3 ? 1000 : scale == 6 ? 1 : 0;
                    n = per == 0 || __builtin_mul_overflow(v, per, &micros);
                    if (!n) micros = tz.ToLocal(micros);
                    n = n || micros < int64_t{DaysFromCivil(1, 1, 1)} * kMicrosPerDay ||
                        micros >= int64_t{DaysFromCivil(10000, 1, 1)} * kMicrosPerDay;
                }
                out.SetNull(i, n);
                if (!n) out.Data<int64_t>()[i] = micros;
            }
        };
        LogicalType with_micros = TypeId::DATETIME;
        with_micros.scale = 6;
        std::string prefix = in_zone ? "__" : "", suffix = in_zone ? "_in_zone" : "";
        for (const char* name : {"from_unixtime_ms", "from_unixtime_milliseconds"}) {
            bool fraction = std::string_view(name) == "from_unixtime_milliseconds";
            std::vector<FunctionSignature> sigs = {sig({TypeId::BIGINT}, LogicalType::Varchar(), from_ms(fraction))};
            if (fraction)
                sigs.push_back(
                    sig({TypeId::BIGINT, LogicalType::Varchar()}, LogicalType::Varchar(), from_ms(fraction)));
            r.AddScalar(prefix + name + suffix, Overloads(name, std::move(sigs)));
        }
        for (const char* name : {"unixtime_to_datetime", "to_datetime"}) {
            r.AddScalar(prefix + name + suffix,
                        Overloads(name, {sig({TypeId::BIGINT}, TypeId::DATETIME, to_datetime),
                                         sig({TypeId::BIGINT, TypeId::BIGINT}, with_micros, to_datetime)}));
        }
    }
    // convert_tz(dt, from, to): NULL when a zone is unknown (as MySQL).
    r.AddScalar("convert_tz",
                Overloads("convert_tz", {{{TypeId::DATETIME, LogicalType::Varchar(), LogicalType::Varchar()},
                                          TypeId::DATETIME,
                                          [](Args a, size_t rows, Column& out) {
                                              std::optional<TimeZone> from, to;
                                              std::string from_name, to_name;
                                              for (size_t i = 0; i < rows; ++i) {
                                                  bool n = a[0]->IsNull(i) || a[1]->IsNull(i) || a[2]->IsNull(i);
                                                  if (!n) {
                                                      std::string_view f = a[1]->Strings()[i].view(),
                                                                       t = a[2]->Strings()[i].view();
                                                      if (!from || f != from_name) {
                                                          from = TimeZone::Find(f);
                                                          from_name = std::string(f);
                                                      }
                                                      if (!to || t != to_name) {
                                                          to = TimeZone::Find(t);
                                                          to_name = std::string(t);
                                                      }
                                                      n = !from || !to;
                                                      if (!n) {
                                                          out.Data<int64_t>()[i] =
                                                              to->ToLocal(from->ToUtc(a[0]->Data<int64_t>()[i]));
                                                      } else {
                                                          from.reset();
                                                          to.reset();
                                                      }
                                                  }
                                                  out.SetNull(i, n);
                                              }
                                          }}}));
    struct Unit {
        const char* name;
        int64_t micros;
        int64_t months;
    };
    const Unit units[] = {{"years", 0, 12},
                          {"quarters", 0, 3},
                          {"months", 0, 1},
                          {"weeks", 7 * kMicrosPerDay, 0},
                          {"days", kMicrosPerDay, 0},
                          {"hours", 3600 * kMicrosPerSecond, 0},
                          {"minutes", 60 * kMicrosPerSecond, 0},
                          {"seconds", kMicrosPerSecond, 0},
                          {"milliseconds", 1000, 0},
                          {"microseconds", 1, 0}};
    for (const Unit& u : units) {
        r.AddScalar(std::string(u.name) + "_add", MakeAdd(u.micros, u.months, 1));
        r.AddScalar(std::string(u.name) + "_sub", MakeAdd(u.micros, u.months, -1));
    }
    r.AddScalar("date_trunc", BindDateTrunc);
}

}  // namespace floe
