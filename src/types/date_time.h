#pragma once
/// DATE (int32 days since 1970-01-01) and DATETIME (int64 microseconds since 1970-01-01 00:00:00,
/// no time zone) conversions, proleptic Gregorian calendar.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace floe {

struct CivilDate {
    int32_t year;
    uint32_t month;  // 1..12
    uint32_t day;    // 1..31
};

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400LL * kMicrosPerSecond;

int32_t DaysFromCivil(int32_t y, uint32_t m, uint32_t d);
CivilDate CivilFromDays(int32_t days);
bool IsValidCivil(int32_t y, uint32_t m, uint32_t d);

/// Parses 'YYYY-MM-DD' (also 'YYYYMMDD'); a time part after the date is rejected.
std::optional<int32_t> ParseDate(std::string_view text);
/// Parses 'YYYY-MM-DD[ HH:MM:SS[.ffffff]]' (also 'T' as separator, and 'YYYYMMDDHHMMSS').
std::optional<int64_t> ParseDatetime(std::string_view text);

std::string FormatDate(int32_t days);
/// 'YYYY-MM-DD HH:MM:SS', with '.ffffff' appended when `fraction_digits` > 0 (0..6).
std::string FormatDatetime(int64_t micros, int fraction_digits = 0);
/// date_trunc(unit, datetime) on micros: second, minute, hour, day, week (Monday), month, quarter
/// or year (lower case); nullopt for another unit. Non-decreasing in `micros`.
std::optional<int64_t> DateTruncMicros(std::string_view unit, int64_t micros);
enum class TruncUnit : uint8_t { SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER, YEAR };
/// A date_trunc unit, case-insensitive; nullopt for another word.
std::optional<TruncUnit> ParseTruncUnit(std::string_view unit);
int64_t DateTruncMicros(TruncUnit unit, int64_t micros);

}  // namespace floe
