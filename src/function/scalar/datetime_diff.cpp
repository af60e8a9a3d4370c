// Differences and slices of date/times: years_diff .. milliseconds_diff, date_diff(unit, a, b)
// timestampdiff(unit, start, end) and timestampadd(unit, n, dt) (whole units, truncated towards zero, months counted as
// MySQL's TIMESTAMPDIFF does: a month is complete when the later day and time of day are
// reached), and time_slice/date_slice (the binder turns their INTERVAL n unit argument into the
// two arguments n and 'unit'; slices start at 0001-01-01 00:00:00, as StarRocks documents), and
// convert_interval (an interval in another day-to-second unit).
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

enum class Unit { YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND };

std::optional<Unit> ParseUnit(std::string_view text) {
    std::string u = AsciiLower(std::string(text));
    if (!u.empty() && u.back() == 's') u.pop_back();  // 'days' as well as 'day'
    if (u == "year") return Unit::YEAR;
    if (u == "quarter") return Unit::QUARTER;
    if (u == "month") return Unit::MONTH;
    if (u == "week") return Unit::WEEK;
    if (u == "day") return Unit::DAY;
    if (u == "hour") return Unit::HOUR;
    if (u == "minute") return Unit::MINUTE;
    if (u == "second") return Unit::SECOND;
    if (u == "millisecond") return Unit::MILLISECOND;
    if (u == "microsecond") return Unit::MICROSECOND;
    return std::nullopt;
}

Unit RequireUnit(const char* fn, std::string_view text) {
    auto u = ParseUnit(text);
    if (!u) {
        throw ExecutionError(std::string(fn) + "(): unknown unit '" + std::string(text) +
                                 "' (year, quarter, month, week, day, hour, minute, second, millisecond)",
                             ErrorCode::WRONG_ARGUMENTS);
    }
    return *u;
}

int64_t FixedWidth(Unit u) {
    switch (u) {
        case Unit::WEEK:
            return 7 * kMicrosPerDay;
        case Unit::DAY:
            return kMicrosPerDay;
        case Unit::HOUR:
            return 3600 * kMicrosPerSecond;
        case Unit::MINUTE:
            return 60 * kMicrosPerSecond;
        case Unit::SECOND:
            return kMicrosPerSecond;
        case Unit::MILLISECOND:
            return 1000;
        case Unit::MICROSECOND:
            return 1;
        default:
            return 0;  // months, quarters, years
    }
}

int64_t FloorDiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

struct MonthPosition {
    int64_t months;        // year * 12 + month - 1
    int64_t within_month;  // micros since the start of the month
};

MonthPosition PositionOf(int64_t dt) {
    int64_t days = FloorDiv(dt, kMicrosPerDay);
    CivilDate c = CivilFromDays(static_cast<int32_t>(days));
    int64_t month_start = DaysFromCivil(c.year, c.month, 1);
    return {int64_t{c.year} * 12 + c.month - 1, dt - month_start * kMicrosPerDay};
}

// a - b in whole units.
int64_t Difference(Unit u, int64_t a, int64_t b) {
    int64_t width = FixedWidth(u);
    if (width != 0) return (a - b) / width;
    MonthPosition pa = PositionOf(a), pb = PositionOf(b);
    int64_t months = pa.months - pb.months;
    if (months > 0 && pa.within_month < pb.within_month) --months;
    if (months < 0 && pa.within_month > pb.within_month) ++months;
    return u == Unit::YEAR ? months / 12 : u == Unit::QUARTER ? months / 3 : months;
}

FunctionSignature FixedUnitDiff(Unit u) {
    return {{TypeId::DATETIME, TypeId::DATETIME}, TypeId::BIGINT, [u](Args a, size_t rows, Column& out) {
                BinaryExecute<int64_t, int64_t, int64_t>(*a[0], *a[1], rows, out,
                                                         [u](int64_t x, int64_t y) { return Difference(u, x, y); });
            }};
}

// unit, a, b -> a - b (date_diff) or unit, start, end -> end - start (timestampdiff).
ScalarKernel UnitDiff(const char* fn, bool end_minus_start) {
    return [fn, end_minus_start](Args a, size_t rows, Column& out) {
        std::string last_text;
        Unit unit = Unit::DAY;
        for (size_t i = 0; i < rows; ++i) {
            bool n = a[0]->IsNull(i) || a[1]->IsNull(i) || a[2]->IsNull(i);
            out.SetNull(i, n);
            if (n) continue;
            std::string_view text = a[0]->Strings()[i].view();
            if (last_text.empty() || text != last_text) {
                unit = RequireUnit(fn, text);
                last_text = std::string(text);
            }
            int64_t x = a[1]->Data<int64_t>()[i], y = a[2]->Data<int64_t>()[i];
            out.Data<int64_t>()[i] = end_minus_start ? Difference(unit, y, x) : Difference(unit, x, y);
        }
    };
}

const int64_t kOrigin = int64_t{DaysFromCivil(1, 1, 1)} * kMicrosPerDay;  // a Monday

// The start (or, with ceil, the end) of the n-unit slice holding dt.
std::optional<int64_t> Slice(int64_t dt, int64_t n, Unit u, bool ceil) {
    int64_t width = FixedWidth(u);
    if (width != 0) {
        int64_t step;
        if (__builtin_mul_overflow(width, n, &step)) return std::nullopt;
        int64_t start = kOrigin + FloorDiv(dt - kOrigin, step) * step;
        return ceil ? start + step : start;
    }
    int64_t per = u == Unit::YEAR ? 12 : u == Unit::QUARTER ? 3 : 1;
    int64_t step;
    if (__builtin_mul_overflow(per, n, &step)) return std::nullopt;
    int64_t months = PositionOf(dt).months - 12;  // since 0001-01
    int64_t start = FloorDiv(months, step) * step + (ceil ? step : 0) + 12;
    int64_t y = FloorDiv(start, 12);
    if (y < 0 || y > 9999) return std::nullopt;
    return int64_t{DaysFromCivil(static_cast<int32_t>(y), static_cast<uint32_t>(start - y * 12 + 1), 1)} *
           kMicrosPerDay;
}

// timestampadd(unit, n, dt): dt plus n units; months clamp to the end of a shorter month. NULL
// outside years 0..9999.
std::optional<int64_t> AddUnits(Unit u, int64_t n, int64_t dt) {
    int64_t width = FixedWidth(u);
    int64_t r;
    if (width != 0) {
        int64_t delta;
        if (__builtin_mul_overflow(n, width, &delta) || __builtin_add_overflow(dt, delta, &r)) return std::nullopt;
    } else {
        int64_t per = u == Unit::YEAR ? 12 : u == Unit::QUARTER ? 3 : 1;
        int64_t months;
        MonthPosition p = PositionOf(dt);
        if (__builtin_mul_overflow(n, per, &months) || __builtin_add_overflow(p.months, months, &months))
            return std::nullopt;
        if (months < 0 || months >= int64_t{10000} * 12) return std::nullopt;
        int64_t days = FloorDiv(dt, kMicrosPerDay);
        CivilDate c = CivilFromDays(static_cast<int32_t>(days));
        auto y = static_cast<int32_t>(months / 12);
        auto m = static_cast<uint32_t>(months % 12 + 1);
        uint32_t d = c.day;
        while (!IsValidCivil(y, m, d)) --d;
        r = int64_t{DaysFromCivil(y, m, d)} * kMicrosPerDay + (dt - days * kMicrosPerDay);
    }
    if (r < int64_t{DaysFromCivil(0, 1, 1)} * kMicrosPerDay || r >= int64_t{DaysFromCivil(10000, 1, 1)} * kMicrosPerDay)
        return std::nullopt;
    return r;
}

BoundScalarFunction BindSlice(const std::string& name, bool as_date, const std::vector<LogicalType>& types) {
    if (types.size() != 3 && types.size() != 4) {
        throw BinderError(name + "() takes a date/time, an INTERVAL and optionally FLOOR or CEIL",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    if (!types[0].IsTemporal() && !types[0].IsString() && types[0].id != TypeId::NULL_TYPE) {
        throw BinderError(name + "() needs a DATE or DATETIME, not " + types[0].ToString(), ErrorCode::TYPE_MISMATCH);
    }
    BoundScalarFunction f;
    f.name = name;
    f.arg_types = {TypeId::DATETIME, TypeId::BIGINT, kStr};
    if (types.size() == 4) f.arg_types.push_back(kStr);
    bool date_result = as_date || types[0].id == TypeId::DATE;
    f.return_type = date_result ? LogicalType(TypeId::DATE) : LogicalType(TypeId::DATETIME);
    f.kernel = [name, as_date, date_result](Args a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            bool n = a[0]->IsNull(i) || a[1]->IsNull(i) || a[2]->IsNull(i) || (a.size() > 3 && a[3]->IsNull(i));
            std::optional<int64_t> r;
            if (!n) {
                int64_t count = a[1]->Data<int64_t>()[i];
                if (count <= 0)
                    throw ExecutionError(name + "(): the interval must be positive", ErrorCode::WRONG_ARGUMENTS);
                Unit unit = RequireUnit(name.c_str(), a[2]->Strings()[i].view());
                if (as_date && FixedWidth(unit) != 0 && FixedWidth(unit) < kMicrosPerDay)
                    throw ExecutionError(name + "() slices by day, week, month, quarter or year",
                                         ErrorCode::WRONG_ARGUMENTS);
                bool ceil = false;
                if (a.size() > 3) {
                    std::string b = AsciiLower(std::string(a[3]->Strings()[i].view()));
                    if (b != "floor" && b != "ceil")
                        throw ExecutionError(name + "(): the boundary is FLOOR or CEIL, not '" + b + "'",
                                             ErrorCode::WRONG_ARGUMENTS);
                    ceil = b == "ceil";
                }
                r = Slice(a[0]->Data<int64_t>()[i], count, unit, ceil);
                n = !r;
            }
            out.SetNull(i, n);
            if (n) continue;
            if (date_result)
                out.Data<int32_t>()[i] = static_cast<int32_t>(FloorDiv(*r, kMicrosPerDay));
            else
                out.Data<int64_t>()[i] = *r;
        }
    };
    return f;
}

}  // namespace

void RegisterDatetimeDiffFunctions(FunctionRegistry& r) {
    struct Named {
        const char* name;
        Unit unit;
    };
    for (Named n : {Named{"years_diff", Unit::YEAR}, Named{"quarters_diff", Unit::QUARTER},
                    Named{"months_diff", Unit::MONTH}, Named{"weeks_diff", Unit::WEEK}, Named{"days_diff", Unit::DAY},
                    Named{"hours_diff", Unit::HOUR}, Named{"minutes_diff", Unit::MINUTE},
                    Named{"seconds_diff", Unit::SECOND}, Named{"milliseconds_diff", Unit::MILLISECOND}}) {
        r.AddScalar(n.name, Overloads(n.name, {FixedUnitDiff(n.unit)}));
    }
    r.AddScalar(
        "date_diff",
        Overloads("date_diff",
                  {{{kStr, TypeId::DATETIME, TypeId::DATETIME}, TypeId::BIGINT, UnitDiff("date_diff", false)}}));
    r.AddScalar(
        "timestampdiff",
        Overloads("timestampdiff",
                  {{{kStr, TypeId::DATETIME, TypeId::DATETIME}, TypeId::BIGINT, UnitDiff("timestampdiff", true)}}));
    r.AddScalar(
        "timestampadd",
        Overloads("timestampadd",
                  {{{kStr, TypeId::BIGINT, TypeId::DATETIME}, TypeId::DATETIME, [](Args a, size_t rows, Column& out) {
                        for (size_t i = 0; i < rows; ++i) {
                            bool n = a[0]->IsNull(i) || a[1]->IsNull(i) || a[2]->IsNull(i);
                            std::optional<int64_t> v;
                            if (!n) {
                                Unit u = RequireUnit("timestampadd", a[0]->Strings()[i].view());
                                v = AddUnits(u, a[1]->Data<int64_t>()[i], a[2]->Data<int64_t>()[i]);
                            }
                            out.SetNull(i, !v);
                            if (v) out.Data<int64_t>()[i] = *v;
                        }
                    }}}));
    // convert_interval(INTERVAL n unit, to_unit): the binder passes n, 'unit' and 'to_unit'. Day-to-
    // second units only; whole target units, truncated (1 second in days is 0).
    r.AddScalar("convert_interval",
                Overloads("convert_interval",
                          {{{TypeId::BIGINT, kStr, kStr}, TypeId::BIGINT, [](Args a, size_t rows, Column& out) {
                                for (size_t i = 0; i < rows; ++i) {
                                    bool n = a[0]->IsNull(i) || a[1]->IsNull(i) || a[2]->IsNull(i);
                                    out.SetNull(i, n);
                                    if (n) continue;
                                    int64_t from =
                                        FixedWidth(RequireUnit("convert_interval", a[1]->Strings()[i].view()));
                                    int64_t to = FixedWidth(RequireUnit("convert_interval", a[2]->Strings()[i].view()));
                                    if (from == 0 || to == 0) {
                                        throw ExecutionError(
                                            "convert_interval(): only day, hour, minute, second, millisecond and "
                                            "microsecond intervals convert",
                                            ErrorCode::WRONG_ARGUMENTS);
                                    }
                                    int64_t micros;
                                    if (__builtin_mul_overflow(a[0]->Data<int64_t>()[i], from, &micros)) {
                                        throw ExecutionError("convert_interval(): interval out of range",
                                                             ErrorCode::WRONG_ARGUMENTS);
                                    }
                                    out.Data<int64_t>()[i] = micros / to;
                                }
                            }}}));
    r.AddScalar("time_slice",
                [](const std::vector<LogicalType>& types) { return BindSlice("time_slice", false, types); });
    r.AddScalar("date_slice",
                [](const std::vector<LogicalType>& types) { return BindSlice("date_slice", true, types); });
}

}  // namespace floe
