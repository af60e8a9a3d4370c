// Rewriting and presenting strings: translate, initcap, char, append_trailing_char_if_absent,
// null_or_empty, money_format, format (MySQL's FORMAT(x, d)), format_bytes, inet_aton, lower_utf8/upper_utf8, and
// StarRocks' names strleft/strright.
#include <fmt/format.h>

#include <locale.h>
#include <wctype.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

#include "common/exception.h"
#include "function/function_registry.h"
#include "function/simple_function.h"
#include "function/vector_executor.h"
#include "types/decimal.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;
const LogicalType kStr = LogicalType::Varchar();

// Splits s into UTF-8 characters (a stray continuation byte is a character of its own).
std::vector<std::string_view> Utf8Characters(std::string_view s) {
    std::vector<std::string_view> out;
    size_t p = 0;
    while (p < s.size()) {
        size_t q = p + 1;
        while (q < s.size() && (static_cast<unsigned char>(s[q]) & 0xC0) == 0x80) ++q;
        out.push_back(s.substr(p, q - p));
        p = q;
    }
    return out;
}

// translate(s, from, to): each character of s found in `from` becomes the character at the same
// place in `to`, or is dropped when `to` is shorter; the first occurrence in `from` wins.
std::string Translate(std::string_view s, std::string_view from, std::string_view to) {
    auto from_chars = Utf8Characters(from);
    auto to_chars = Utf8Characters(to);
    std::string o;
    o.reserve(s.size());
    for (std::string_view c : Utf8Characters(s)) {
        size_t k = 0;
        while (k < from_chars.size() && from_chars[k] != c) ++k;
        if (k == from_chars.size())
            o.append(c);
        else if (k < to_chars.size())
            o.append(to_chars[k]);
    }
    return o;
}

// initcap: the first letter of each word upper case, the others lower case; words are runs of
// letters and digits (ASCII; other bytes are left alone and separate words).
std::string InitCap(std::string_view s) {
    std::string o(s);
    bool start = true;
    for (auto& ch : o) {
        auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c)) {
            ch = static_cast<char>(start ? std::toupper(c) : std::tolower(c));
            start = false;
        } else {
            start = c >= 0x80 ? start : true;
        }
    }
    return o;
}

// 1234567.891 -> "1,234,567.89": the integer digits of `digits` (no sign) grouped by three.
std::string GroupThousands(std::string_view digits) {
    std::string o;
    size_t n = digits.size();
    for (size_t i = 0; i < n; ++i) {
        if (i > 0 && (n - i) % 3 == 0) o.push_back(',');
        o.push_back(digits[i]);
    }
    return o;
}

// An unscaled decimal at `scale` rounded half away from zero to `places` fraction digits, with
// its integer digits grouped by three (money_format: 2 places; format(x, d): d places).
std::string GroupedFixed(int128_t unscaled, int scale, int places) {
    if (scale > places) {
        int128_t div = Pow10(scale - places);
        int128_t q = unscaled / div, r = unscaled % div;
        if (r * 2 >= div) ++q;
        if (-r * 2 >= div) --q;
        unscaled = q;
    } else {
        unscaled *= Pow10(places - scale);
    }
    bool negative = unscaled < 0;
    std::string text = FormatInt128(negative ? -unscaled : unscaled);
    auto width = static_cast<size_t>(places) + 1;
    if (text.size() < width) text.insert(0, width - text.size(), '0');
    std::string o = negative ? "-" : "";
    o += GroupThousands(std::string_view(text).substr(0, text.size() - static_cast<size_t>(places)));
    if (places > 0) o += "." + text.substr(text.size() - static_cast<size_t>(places));
    return o;
}

std::string MoneyFormat(int128_t unscaled, int scale) {
    return GroupedFixed(unscaled, scale, 2);
}

// format(x, d): MySQL's FORMAT, '#,###.##' with d places (negative d is 0; at most 30, as
// MySQL). Integers and decimals are exact; a double goes through its shortest decimal text.
BoundScalarFunction BindFormat(const std::vector<LogicalType>& types) {
    if (types.size() != 2) throw BinderError("format() takes two arguments", ErrorCode::WRONG_ARGUMENTS);
    const LogicalType& t = types[0];
    BoundScalarFunction f;
    f.name = "format";
    f.return_type = kStr;
    int scale = 0;
    if (t.IsInteger() || t.id == TypeId::BOOLEAN) {
        f.arg_types = {TypeId::BIGINT, TypeId::BIGINT};
    } else if (t.id == TypeId::DECIMAL) {
        f.arg_types = {t, TypeId::BIGINT};
        scale = t.scale;
    } else if (t.IsNumeric() || t.IsString() || t.id == TypeId::NULL_TYPE) {
        f.arg_types = {TypeId::DOUBLE, TypeId::BIGINT};
        scale = -1;
    } else {
        throw BinderError("format() needs a number, not " + t.ToString(), ErrorCode::TYPE_MISMATCH);
    }
    TypeId id = f.arg_types[0].id;
    f.kernel = [scale, id](Args a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            bool n = a[0]->IsNull(i) || a[1]->IsNull(i);
            if (!n) {
                int places = static_cast<int>(std::clamp<int64_t>(a[1]->Data<int64_t>()[i], 0, 30));
                if (id == TypeId::BIGINT) {
                    out.SetString(i, GroupedFixed(a[0]->Data<int64_t>()[i], 0, places));
                } else if (id == TypeId::DECIMAL) {
                    out.SetString(i, GroupedFixed(a[0]->Data<int128_t>()[i], scale, places));
                } else {
                    double v = a[0]->Data<double>()[i];
                    std::string text = fmt::format("{}", v);
                    size_t dot = text.find('.');
                    int digits = dot == std::string::npos ? 0 : static_cast<int>(text.size() - dot - 1);
                    std::optional<int128_t> unscaled;
                    if (std::isfinite(v) && std::fabs(v) < 1e30 && text.find('e') == std::string::npos)
                        unscaled = ParseDecimal(text, 38, std::min(digits, 8));
                    n = !unscaled;
                    if (unscaled) out.SetString(i, GroupedFixed(*unscaled, std::min(digits, 8), places));
                }
            }
            out.SetNull(i, n);
        }
    };
    return f;
}

BoundScalarFunction BindMoneyFormat(const std::vector<LogicalType>& types) {
    if (types.size() != 1) throw BinderError("money_format() takes one argument", ErrorCode::WRONG_ARGUMENTS);
    const LogicalType& t = types[0];
    BoundScalarFunction f;
    f.name = "money_format";
    f.return_type = kStr;
    if (t.IsInteger() || t.id == TypeId::BOOLEAN) {
        f.arg_types = {TypeId::BIGINT};
        f.kernel = [](Args a, size_t rows, Column& out) {
            UnaryExecute<int64_t, std::string>(*a[0], rows, out, [](int64_t v) { return MoneyFormat(v, 0); });
        };
    } else if (t.id == TypeId::DECIMAL) {
        f.arg_types = {t};
        int scale = t.scale;
        f.kernel = [scale](Args a, size_t rows, Column& out) {
            UnaryExecute<int128_t, std::string>(*a[0], rows, out,
                                                [scale](int128_t v) { return MoneyFormat(v, scale); });
        };
    } else if (t.IsNumeric() || t.IsString() || t.id == TypeId::NULL_TYPE) {
        f.arg_types = {TypeId::DOUBLE};
        f.kernel = [](Args a, size_t rows, Column& out) {
            UnaryExecuteNullable<double, std::string>(*a[0], rows, out, [](double v, bool& n) {
                if (!std::isfinite(v) || std::fabs(v) >= 1e36) {
                    n = true;
                    return std::string();
                }
                // Through the shortest decimal text of v, so 1123.455 rounds as written (up).
                std::string text = fmt::format("{:.6f}", v);
                auto unscaled = ParseDecimal(text, 38, 6);
                return unscaled ? MoneyFormat(*unscaled, 6) : std::string();
            });
        };
    } else {
        throw BinderError("money_format() needs a number, not " + t.ToString(), ErrorCode::TYPE_MISMATCH);
    }
    return f;
}

/// lower_utf8/upper_utf8: Unicode simple case mapping of each character (through the C.UTF-8
/// locale's tables; ASCII only when the system lacks that locale). Invalid UTF-8 bytes are kept.
std::string CaseMapUtf8(std::string_view s, bool upper) {
    static const locale_t kLocale = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    std::string o;
    o.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        bool valid = len > 0 && i + len <= s.size();
        for (size_t k = 1; valid && k < len; ++k) valid = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
        if (!valid) {
            o.push_back(s[i++]);
            continue;
        }
        uint32_t cp = len == 1 ? c : c & (0x7F >> len);
        for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        uint32_t mapped = cp;
        if (kLocale != nullptr)
            mapped = static_cast<uint32_t>(upper ? towupper_l(static_cast<wint_t>(cp), kLocale)
                                                 : towlower_l(static_cast<wint_t>(cp), kLocale));
        else if (cp < 0x80)
            mapped =
                static_cast<uint32_t>(upper ? std::toupper(static_cast<int>(cp)) : std::tolower(static_cast<int>(cp)));
        if (mapped < 0x80) {
            o.push_back(static_cast<char>(mapped));
        } else if (mapped < 0x800) {
            o.push_back(static_cast<char>(0xC0 | (mapped >> 6)));
            o.push_back(static_cast<char>(0x80 | (mapped & 0x3F)));
        } else if (mapped < 0x10000) {
            o.push_back(static_cast<char>(0xE0 | (mapped >> 12)));
            o.push_back(static_cast<char>(0x80 | ((mapped >> 6) & 0x3F)));
            o.push_back(static_cast<char>(0x80 | (mapped & 0x3F)));
        } else {
            o.push_back(static_cast<char>(0xF0 | (mapped >> 18)));
            o.push_back(static_cast<char>(0x80 | ((mapped >> 12) & 0x3F)));
            o.push_back(static_cast<char>(0x80 | ((mapped >> 6) & 0x3F)));
            o.push_back(static_cast<char>(0x80 | (mapped & 0x3F)));
        }
        i += len;
    }
    return o;
}

std::string FormatBytes(int64_t bytes) {
    static const char* kUnits[] = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
    if (bytes < 1024) return fmt::format("{} B", bytes);
    double v = static_cast<double>(bytes);
    int unit = 0;
    while (v >= 1024.0 && unit < 6) {
        v /= 1024.0;
        ++unit;
    }
    return fmt::format("{:.2f} {}", v, kUnits[unit]);
}

}  // namespace

void RegisterStringFormatFunctions(FunctionRegistry& r) {
    r.AddScalar("format", BindFormat);
    r.AddScalar("translate",
                Overloads("translate", {{{kStr, kStr, kStr}, kStr, [](Args a, size_t rows, Column& out) {
                                             for (size_t i = 0; i < rows; ++i) {
                                                 bool n = a[0]->IsNull(i) || a[1]->IsNull(i) || a[2]->IsNull(i);
                                                 out.SetNull(i, n);
                                                 if (!n)
                                                     out.SetString(i, Translate(a[0]->Strings()[i].view(),
                                                                                a[1]->Strings()[i].view(),
                                                                                a[2]->Strings()[i].view()));
                                             }
                                         }}}));
    r.AddScalar("initcap", Overloads("initcap", {{{kStr}, kStr, [](Args a, size_t rows, Column& out) {
                                                      UnaryExecute<std::string_view, std::string>(*a[0], rows, out,
                                                                                                  InitCap);
                                                  }}}));
    // char(n1, n2, ...): the bytes of each integer (big-endian, leading zero bytes dropped), as
    // MySQL; NULL arguments are skipped.
    r.AddScalar("char", Overloads("char", {{{TypeId::BIGINT},
                                            kStr,
                                            [](Args a, size_t rows, Column& out) {
                                                std::string buf;
                                                for (size_t i = 0; i < rows; ++i) {
                                                    buf.clear();
                                                    for (const Column* c : a) {
                                                        if (c->IsNull(i)) continue;
                                                        auto v = static_cast<uint32_t>(c->Data<int64_t>()[i]);
                                                        bool started = false;
                                                        for (int shift = 24; shift >= 0; shift -= 8) {
                                                            auto byte = static_cast<char>((v >> shift) & 0xFF);
                                                            if (byte != 0 || started || shift == 0) {
                                                                buf.push_back(byte);
                                                                started = true;
                                                            }
                                                        }
                                                    }
                                                    out.SetNull(i, false);
                                                    out.SetString(i, buf);
                                                }
                                            },
                                            true}}));
    r.AddScalar("append_trailing_char_if_absent",
                Overloads("append_trailing_char_if_absent",
                          {{{kStr, kStr}, kStr, [](Args a, size_t rows, Column& out) {
                                BinaryExecuteNullable<std::string_view, std::string_view, std::string>(
                                    *a[0], *a[1], rows, out, [](std::string_view s, std::string_view c, bool& n) {
                                        // StarRocks: the trailing character must be one character.
                                        if (Utf8Characters(c).size() != 1) {
                                            n = true;
                                            return std::string();
                                        }
                                        if (s.empty() || (s.size() >= c.size() && s.substr(s.size() - c.size()) == c))
                                            return std::string(s);
                                        return std::string(s) + std::string(c);
                                    });
                            }}}));
    r.AddScalar("null_or_empty",
                Overloads("null_or_empty", {{{kStr}, TypeId::BOOLEAN, [](Args a, size_t rows, Column& out) {
                                                 for (size_t i = 0; i < rows; ++i) {
                                                     out.SetNull(i, false);
                                                     out.Data<uint8_t>()[i] =
                                                         a[0]->IsNull(i) || a[0]->Strings()[i].size() == 0;
                                                 }
                                             }}}));
    r.AddScalar("money_format", BindMoneyFormat);
    r.AddScalar("format_bytes",
                Overloads("format_bytes", {{{TypeId::BIGINT}, kStr, [](Args a, size_t rows, Column& out) {
                                                UnaryExecuteNullable<int64_t, std::string>(
                                                    *a[0], rows, out, [](int64_t v, bool& n) {
                                                        n = v < 0;
                                                        return n ? std::string() : FormatBytes(v);
                                                    });
                                            }}}));
    // inet_aton('a.b.c.d'): the address as a number; NULL when it is not dotted-quad IPv4.
    r.AddScalar("inet_aton", Overloads("inet_aton", {{{kStr}, TypeId::BIGINT, [](Args a, size_t rows, Column& out) {
                                                          UnaryExecuteNullable<std::string_view, int64_t>(
                                                              *a[0], rows, out, [](std::string_view s, bool& n) {
                                                                  int64_t value = 0;
                                                                  int parts = 0;
                                                                  while (true) {
                                                                      size_t dot = s.find('.');
                                                                      std::string_view p = s.substr(0, dot);
                                                                      int64_t v = 0;
                                                                      if (p.empty() || p.size() > 3) n = true;
                                                                      for (char c : p) {
                                                                          if (c < '0' || c > '9') n = true;
                                                                          v = v * 10 + (c - '0');
                                                                      }
                                                                      if (n || v > 255 || ++parts > 4) {
                                                                          n = true;
                                                                          return int64_t{0};
                                                                      }
                                                                      value = value * 256 + v;
                                                                      if (dot == std::string_view::npos) break;
                                                                      s.remove_prefix(dot + 1);
                                                                  }
                                                                  n = parts != 4;
                                                                  return value;
                                                              });
                                                      }}}));
    for (bool upper : {false, true}) {
        const char* name = upper ? "upper_utf8" : "lower_utf8";
        r.AddScalar(name, Overloads(name, {{{kStr}, kStr, [upper](Args a, size_t rows, Column& out) {
                                                UnaryExecute<std::string_view, std::string>(
                                                    *a[0], rows, out,
                                                    [upper](std::string_view s) { return CaseMapUtf8(s, upper); });
                                            }}}));
    }
    r.AddAlias("strleft", "left");
    r.AddAlias("strright", "right");
}

}  // namespace floe
