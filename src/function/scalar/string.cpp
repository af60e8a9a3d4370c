// String functions. Lengths and positions count UTF-8 characters unless the name says bytes
// (length/octet_length count bytes, as in MySQL).
#include <algorithm>
#include <cctype>
#include <string>

#include "common/exception.h"
#include "function/function_registry.h"
#include "function/simple_function.h"
#include "function/vector_executor.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;
const LogicalType kStr = LogicalType::Varchar();
constexpr size_t kMaxStringResult = 64 * 1024 * 1024;  // bigger results are an error, not an OOM

size_t Utf8CharLength(std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

// Byte offset of the `chars`-th character (0-based); s.size() when past the end.
size_t Utf8Offset(std::string_view s, size_t chars) {
    size_t i = 0;
    while (i < s.size() && chars > 0) {
        ++i;
        while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
        --chars;
    }
    return i;
}

std::string Substr(std::string_view s, int64_t pos, int64_t len) {
    int64_t n = static_cast<int64_t>(Utf8CharLength(s));
    if (pos == 0 || len <= 0) return "";
    int64_t start = pos > 0 ? pos - 1 : n + pos;
    if (start < 0 || start >= n) return "";
    int64_t end = std::min(n, start + len);
    size_t b = Utf8Offset(s, static_cast<size_t>(start));
    size_t e = Utf8Offset(s, static_cast<size_t>(end));
    return std::string(s.substr(b, e - b));
}

void CheckSize(size_t n, const char* fn) {
    if (n > kMaxStringResult) {
        throw ExecutionError(std::string("result of ") + fn + "() is larger than 64 MB", ErrorCode::OUT_OF_RANGE);
    }
}

template <typename Op>
ScalarKernel StringUnary(Op op) {
    return
        [op](Args a, size_t rows, Column& out) { UnaryExecute<std::string_view, std::string>(*a[0], rows, out, op); };
}

ScalarKernel Concat(bool with_separator) {
    return [with_separator](Args a, size_t rows, Column& out) {
        std::string buf;
        for (size_t i = 0; i < rows; ++i) {
            buf.clear();
            bool is_null = false;
            bool first = true;
            size_t start = with_separator ? 1 : 0;
            if (with_separator && a[0]->IsNull(i)) is_null = true;
            for (size_t k = start; k < a.size() && !is_null; ++k) {
                if (a[k]->IsNull(i)) {
                    if (with_separator) continue;  // concat_ws skips NULLs
                    is_null = true;
                    break;
                }
                if (with_separator && !first) buf.append(a[0]->Strings()[i].view());
                buf.append(a[k]->Strings()[i].view());
                first = false;
            }
            out.SetNull(i, is_null);
            if (!is_null) {
                CheckSize(buf.size(), "concat");
                out.SetString(i, buf);
            }
        }
    };
}

std::string Pad(std::string_view s, int64_t len, std::string_view pad, bool left, bool& is_null) {
    if (len < 0) {
        is_null = true;
        return "";
    }
    CheckSize(static_cast<size_t>(len), "lpad");
    int64_t n = static_cast<int64_t>(Utf8CharLength(s));
    if (len <= n) return std::string(s.substr(0, Utf8Offset(s, static_cast<size_t>(len))));
    if (pad.empty()) {
        is_null = true;
        return "";
    }
    std::string fill;
    int64_t need = len - n;
    int64_t pad_chars = static_cast<int64_t>(Utf8CharLength(pad));
    while (need >= pad_chars) {
        fill.append(pad);
        need -= pad_chars;
    }
    fill.append(pad.substr(0, Utf8Offset(pad, static_cast<size_t>(need))));
    return left ? fill + std::string(s) : std::string(s) + fill;
}

}  // namespace

void RegisterStringFunctions(FunctionRegistry& r) {
    r.AddScalar("concat", Overloads("concat", {{{kStr}, kStr, Concat(false), true}}));
    r.AddScalar("concat_ws", Overloads("concat_ws", {{{kStr, kStr}, kStr, Concat(true), true}}));
    r.AddScalar("length", Overloads("length", {{{kStr}, TypeId::BIGINT, [](Args a, size_t rows, Column& out) {
                                                    UnaryExecute<std::string_view, int64_t>(
                                                        *a[0], rows, out, [](std::string_view s) {
                                                            return static_cast<int64_t>(s.size());
                                                        });
                                                }}}));
    r.AddAlias("octet_length", "length");
    r.AddScalar("char_length", Overloads("char_length", {{{kStr}, TypeId::BIGINT, [](Args a, size_t rows, Column& out) {
                                                              UnaryExecute<std::string_view, int64_t>(
                                                                  *a[0], rows, out, [](std::string_view s) {
                                                                      return static_cast<int64_t>(Utf8CharLength(s));
                                                                  });
                                                          }}}));
    r.AddAlias("character_length", "char_length");
    r.AddScalar("upper",
                Overloads("upper", {{{kStr}, kStr, StringUnary([](std::string_view s) {
                                         std::string o(s);
                                         for (auto& c : o)
                                             c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                                         return o;
                                     })}}));
    r.AddAlias("ucase", "upper");
    r.AddScalar("lower",
                Overloads("lower", {{{kStr}, kStr, StringUnary([](std::string_view s) {
                                         std::string o(s);
                                         for (auto& c : o)
                                             c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                                         return o;
                                     })}}));
    r.AddAlias("lcase", "lower");
    r.AddScalar("reverse", Overloads("reverse", {{{kStr}, kStr, StringUnary([](std::string_view s) {
                                                      // Reverse by UTF-8 characters.
                                                      std::string o;
                                                      o.reserve(s.size());
                                                      size_t end = s.size();
                                                      while (end > 0) {
                                                          size_t start = end - 1;
                                                          while (start > 0 &&
                                                                 (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80)
                                                              --start;
                                                          o.append(s.substr(start, end - start));
                                                          end = start;
                                                      }
                                                      return o;
                                                  })}}));
    auto trim_kernel = [](bool l, bool rt) {
        return StringUnary([l, rt](std::string_view s) {
            while (l && !s.empty() && s.front() == ' ') s.remove_prefix(1);
            while (rt && !s.empty() && s.back() == ' ') s.remove_suffix(1);
            return std::string(s);
        });
    };
    auto trim_chars_kernel = [](bool l, bool rt) {
        return [l, rt](Args a, size_t rows, Column& out) {
            BinaryExecute<std::string_view, std::string_view, std::string>(
                *a[0], *a[1], rows, out, [l, rt](std::string_view s, std::string_view t) {
                    if (t.empty()) return std::string(s);
                    while (l && s.size() >= t.size() && s.substr(0, t.size()) == t) s.remove_prefix(t.size());
                    while (rt && s.size() >= t.size() && s.substr(s.size() - t.size()) == t) s.remove_suffix(t.size());
                    return std::string(s);
                });
        };
    };
    r.AddScalar("trim", Overloads("trim", {{{kStr}, kStr, trim_kernel(true, true)},
                                           {{kStr, kStr}, kStr, trim_chars_kernel(true, true)}}));
    r.AddScalar("ltrim", Overloads("ltrim", {{{kStr}, kStr, trim_kernel(true, false)},
                                             {{kStr, kStr}, kStr, trim_chars_kernel(true, false)}}));
    r.AddScalar("rtrim", Overloads("rtrim", {{{kStr}, kStr, trim_kernel(false, true)},
                                             {{kStr, kStr}, kStr, trim_chars_kernel(false, true)}}));
    auto substr2 = [](Args a, size_t rows, Column& out) {
        BinaryExecute<std::string_view, int64_t, std::string>(
            *a[0], *a[1], rows, out, [](std::string_view s, int64_t p) { return Substr(s, p, INT64_MAX / 2); });
    };
    auto substr3 = [](Args a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            bool n = a[0]->IsNull(i) || a[1]->IsNull(i) || a[2]->IsNull(i);
            out.SetNull(i, n);
            if (!n)
                out.SetString(i, Substr(a[0]->Strings()[i].view(), a[1]->Data<int64_t>()[i], a[2]->Data<int64_t>()[i]));
        }
    };
    r.AddScalar("substr", Overloads("substr", {{{kStr, TypeId::BIGINT}, kStr, substr2},
                                               {{kStr, TypeId::BIGINT, TypeId::BIGINT}, kStr, substr3}}));
    r.AddAlias("substring", "substr");
    r.AddAlias("mid", "substr");
    r.AddScalar("left", Overloads("left", {{{kStr, TypeId::BIGINT}, kStr, [](Args a, size_t rows, Column& out) {
                                                BinaryExecute<std::string_view, int64_t, std::string>(
                                                    *a[0], *a[1], rows, out, [](std::string_view s, int64_t n) {
                                                        return n <= 0 ? std::string()
                                                                      : std::string(s.substr(0, Utf8Offset(s, n)));
                                                    });
                                            }}}));
    r.AddScalar("right", Overloads("right", {{{kStr, TypeId::BIGINT}, kStr, [](Args a, size_t rows, Column& out) {
                                                  BinaryExecute<std::string_view, int64_t, std::string>(
                                                      *a[0], *a[1], rows, out, [](std::string_view s, int64_t n) {
                                                          int64_t len = static_cast<int64_t>(Utf8CharLength(s));
                                                          if (n <= 0) return std::string();
                                                          if (n >= len) return std::string(s);
                                                          return std::string(s.substr(Utf8Offset(s, len - n)));
                                                      });
                                              }}}));
    r.AddScalar("repeat", Overloads("repeat", {{{kStr, TypeId::BIGINT}, kStr, [](Args a, size_t rows, Column& out) {
                                                    BinaryExecute<std::string_view, int64_t, std::string>(
                                                        *a[0], *a[1], rows, out, [](std::string_view s, int64_t n) {
                                                            if (n <= 0) return std::string();
                                                            CheckSize(s.size() * static_cast<size_t>(n), "repeat");
                                                            std::string o;
                                                            o.reserve(s.size() * n);
                                                            for (int64_t k = 0; k < n; ++k) o.append(s);
                                                            return o;
                                                        });
                                                }}}));
    r.AddScalar("space", Overloads("space", {{{TypeId::BIGINT}, kStr, [](Args a, size_t rows, Column& out) {
                                                  UnaryExecute<int64_t, std::string>(*a[0], rows, out, [](int64_t n) {
                                                      if (n <= 0) return std::string();
                                                      CheckSize(static_cast<size_t>(n), "space");
                                                      return std::string(static_cast<size_t>(n), ' ');
                                                  });
                                              }}}));
    r.AddScalar("replace", Overloads("replace", {{{kStr, kStr, kStr}, kStr, [](Args a, size_t rows, Column& out) {
                                                      for (size_t i = 0; i < rows; ++i) {
                                                          bool n =
                                                              a[0]->IsNull(i) || a[1]->IsNull(i) || a[2]->IsNull(i);
                                                          out.SetNull(i, n);
                                                          if (n) continue;
                                                          std::string_view s = a[0]->Strings()[i].view();
                                                          std::string_view from = a[1]->Strings()[i].view();
                                                          std::string_view to = a[2]->Strings()[i].view();
                                                          if (from.empty()) {
                                                              out.SetString(i, s);
                                                              continue;
                                                          }
                                                          std::string o;
                                                          size_t pos = 0;
                                                          while (true) {
                                                              size_t hit = s.find(from, pos);
                                                              if (hit == std::string_view::npos) break;
                                                              o.append(s.substr(pos, hit - pos));
                                                              o.append(to);
                                                              pos = hit + from.size();
                                                          }
                                                          o.append(s.substr(pos));
                                                          CheckSize(o.size(), "replace");
                                                          out.SetString(i, o);
                                                      }
                                                  }}}));
    auto locate = [](Args a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            bool n = a[0]->IsNull(i) || a[1]->IsNull(i) || (a.size() > 2 && a[2]->IsNull(i));
            out.SetNull(i, n);
            if (n) continue;
            std::string_view needle = a[0]->Strings()[i].view();
            std::string_view hay = a[1]->Strings()[i].view();
            int64_t start = a.size() > 2 ? a[2]->Data<int64_t>()[i] : 1;
            int64_t result = 0;
            if (start >= 1) {
                size_t from = Utf8Offset(hay, static_cast<size_t>(start - 1));
                size_t hit = hay.find(needle, from);
                if (hit != std::string_view::npos && from <= hay.size()) {
                    result = static_cast<int64_t>(Utf8CharLength(hay.substr(0, hit))) + 1;
                }
            }
            out.Data<int64_t>()[i] = result;
        }
    };
    r.AddScalar("locate", Overloads("locate", {{{kStr, kStr}, TypeId::BIGINT, locate},
                                               {{kStr, kStr, TypeId::BIGINT}, TypeId::BIGINT, locate}}));
    r.AddScalar("instr", Overloads("instr", {{{kStr, kStr}, TypeId::BIGINT, [locate](Args a, size_t rows, Column& out) {
                                                  std::vector<const Column*> swapped{a[1], a[0]};
                                                  locate(swapped, rows, out);
                                              }}}));
    auto pad = [](bool left) {
        return [left](Args a, size_t rows, Column& out) {
            for (size_t i = 0; i < rows; ++i) {
                bool n = a[0]->IsNull(i) || a[1]->IsNull(i) || a[2]->IsNull(i);
                std::string v;
                if (!n)
                    v = Pad(a[0]->Strings()[i].view(), a[1]->Data<int64_t>()[i], a[2]->Strings()[i].view(), left, n);
                out.SetNull(i, n);
                if (!n) out.SetString(i, v);
            }
        };
    };
    r.AddScalar("lpad", Overloads("lpad", {{{kStr, TypeId::BIGINT, kStr}, kStr, pad(true)}}));
    r.AddScalar("rpad", Overloads("rpad", {{{kStr, TypeId::BIGINT, kStr}, kStr, pad(false)}}));
    r.AddScalar(
        "ascii",
        Overloads("ascii", {{{kStr}, TypeId::INT, [](Args a, size_t rows, Column& out) {
                                 UnaryExecute<std::string_view, int32_t>(*a[0], rows, out, [](std::string_view s) {
                                     return s.empty() ? 0 : static_cast<int32_t>(static_cast<unsigned char>(s[0]));
                                 });
                             }}}));
    r.AddScalar("split_part",
                Overloads("split_part", {{{kStr, kStr, TypeId::BIGINT}, kStr, [](Args a, size_t rows, Column& out) {
                                              for (size_t i = 0; i < rows; ++i) {
                                                  bool n = a[0]->IsNull(i) || a[1]->IsNull(i) || a[2]->IsNull(i);
                                                  std::string_view s = n ? "" : a[0]->Strings()[i].view();
                                                  std::string_view d = n ? "" : a[1]->Strings()[i].view();
                                                  int64_t k = n ? 0 : a[2]->Data<int64_t>()[i];
                                                  if (!n && (d.empty() || k <= 0)) n = true;
                                                  std::string_view part;
                                                  if (!n) {
                                                      size_t pos = 0;
                                                      for (int64_t p = 1;; ++p) {
                                                          size_t hit = s.find(d, pos);
                                                          if (p == k) {
                                                              part = s.substr(pos, hit == std::string_view::npos
                                                                                       ? std::string_view::npos
                                                                                       : hit - pos);
                                                              break;
                                                          }
                                                          if (hit == std::string_view::npos) {
                                                              n = true;
                                                              break;
                                                          }
                                                          pos = hit + d.size();
                                                      }
                                                  }
                                                  out.SetNull(i, n);
                                                  if (!n) out.SetString(i, part);
                                              }
                                          }}}));
    r.AddScalar("starts_with",
                Overloads("starts_with", {{{kStr, kStr}, TypeId::BOOLEAN, [](Args a, size_t rows, Column& out) {
                                               BinaryExecute<std::string_view, std::string_view, bool>(
                                                   *a[0], *a[1], rows, out, [](std::string_view s, std::string_view p) {
                                                       return s.substr(0, p.size()) == p;
                                                   });
                                           }}}));
    r.AddScalar("ends_with",
                Overloads("ends_with", {{{kStr, kStr}, TypeId::BOOLEAN, [](Args a, size_t rows, Column& out) {
                                             BinaryExecute<std::string_view, std::string_view, bool>(
                                                 *a[0], *a[1], rows, out, [](std::string_view s, std::string_view p) {
                                                     return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
                                                 });
                                         }}}));
    r.AddScalar("strcmp", Overloads("strcmp", {{{kStr, kStr}, TypeId::INT, [](Args a, size_t rows, Column& out) {
                                                    BinaryExecute<std::string_view, std::string_view, int32_t>(
                                                        *a[0], *a[1], rows, out,
                                                        [](std::string_view x, std::string_view y) {
                                                            int c = x.compare(y);
                                                            return c < 0 ? -1 : (c > 0 ? 1 : 0);
                                                        });
                                                }}}));
}

}  // namespace floe
