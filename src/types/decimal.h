#pragma once
/// DECIMAL(p,s) values are scaled integers: the value 12.34 in DECIMAL(10,2) is stored as 1234.
/// Floe keeps every decimal as int128 in Value and in columns for now (precision ≤ 38).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace floe {

using int128_t = __int128;

/// 10^n for n in 0..38.
int128_t Pow10(int n);
/// Formats `unscaled` / 10^scale, e.g. (1234, 2) -> "12.34", (-5, 3) -> "-0.005".
std::string FormatDecimal(int128_t unscaled, int scale);
/// Formats a 128-bit integer in decimal.
std::string FormatInt128(int128_t value);
/// Parses a decimal literal into an unscaled value at `scale`, rounding half away from zero.
/// Returns nullopt for malformed text or more than `precision` integer+fraction digits.
std::optional<int128_t> ParseDecimal(std::string_view text, int precision, int scale);
/// Parses a whole integer (optional sign, digits only) in [-2^127, 2^127 - 1], LARGEINT's range:
/// 39 digits, one more than DECIMAL(38) holds. Returns nullopt for anything else.
std::optional<int128_t> ParseInt128(std::string_view text);

}  // namespace floe
