// Finding and cutting parts of strings: substring_index, strpos, find_in_set, field, split (to an
// ARRAY<VARCHAR>), the URL functions (parse_url, url_extract_host, url_extract_parameter) and
// ngram_search (n-gram similarity) and tokenize (english and standard tokenizers).
// Positions count UTF-8 characters, as in string.cpp.
#include <cctype>
#include <string>
#include <unordered_map>

#include "common/ascii.h"
#include "common/exception.h"
#include "function/function_registry.h"
#include "function/simple_function.h"
#include "function/vector_executor.h"
#include "types/array.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;
const LogicalType kStr = LogicalType::Varchar();

size_t Utf8Chars(std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

bool AnyNull(Args a, size_t i) {
    for (const Column* c : a) {
        if (c->IsNull(i)) return true;
    }
    return false;
}

// substring_index(s, delim, count): the part before the count-th delimiter (count > 0, from the
// left) or after the count-th from the right (count < 0); all of s when there are fewer.
std::string_view SubstringIndex(std::string_view s, std::string_view d, int64_t count) {
    if (count == 0 || d.empty()) return {};
    if (count > 0) {
        size_t pos = 0;
        for (int64_t k = 0; k < count; ++k) {
            size_t hit = s.find(d, pos);
            if (hit == std::string_view::npos) return s;
            if (k + 1 == count) return s.substr(0, hit);
            pos = hit + d.size();
        }
        return s;
    }
    size_t end = s.size();  // occurrences must lie within s[0, end)
    for (int64_t k = 0; k < -count; ++k) {
        if (end < d.size()) return s;
        size_t hit = s.rfind(d, end - d.size());
        if (hit == std::string_view::npos) return s;
        if (k + 1 == -count) return s.substr(hit + d.size());
        end = hit;
    }
    return s;
}

// strpos(s, sub, instance): 1-based character position of the instance-th occurrence (from the
// end when negative), 0 when there is none.
int64_t StrPos(std::string_view s, std::string_view sub, int64_t instance) {
    if (instance == 0) return 0;
    size_t hit = std::string_view::npos;
    if (instance > 0) {
        size_t pos = 0;
        for (int64_t k = 0; k < instance; ++k) {
            hit = s.find(sub, pos);
            if (hit == std::string_view::npos) return 0;
            pos = hit + 1;
        }
    } else {
        size_t from = s.size();
        for (int64_t k = 0; k < -instance; ++k) {
            if (s.size() < sub.size()) return 0;
            hit = s.rfind(sub, std::min(from, s.size() - sub.size()));
            if (hit == std::string_view::npos) return 0;
            if (hit == 0 && k + 1 < -instance) return 0;
            from = hit - 1;
        }
    }
    return static_cast<int64_t>(Utf8Chars(s.substr(0, hit))) + 1;
}

struct UrlParts {
    bool valid = false;
    std::string_view protocol, authority, userinfo, host, port, path, query, ref;
    bool has_query = false, has_ref = false, has_userinfo = false;
};

// Splits scheme://[userinfo@]host[:port][/path][?query][#ref]; anything without "://" is not a URL.
UrlParts ParseUrl(std::string_view url) {
    UrlParts u;
    size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos || scheme_end == 0) return u;
    u.protocol = url.substr(0, scheme_end);
    std::string_view rest = url.substr(scheme_end + 3);
    size_t hash = rest.find('#');
    if (hash != std::string_view::npos) {
        u.has_ref = true;
        u.ref = rest.substr(hash + 1);
        rest = rest.substr(0, hash);
    }
    size_t question = rest.find('?');
    if (question != std::string_view::npos) {
        u.has_query = true;
        u.query = rest.substr(question + 1);
        rest = rest.substr(0, question);
    }
    size_t slash = rest.find('/');
    u.authority = rest.substr(0, slash);
    u.path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    std::string_view hostport = u.authority;
    size_t at = hostport.rfind('@');
    if (at != std::string_view::npos) {
        u.has_userinfo = true;
        u.userinfo = hostport.substr(0, at);
        hostport = hostport.substr(at + 1);
    }
    size_t colon = hostport.rfind(':');
    if (colon != std::string_view::npos && hostport.find(']', colon) == std::string_view::npos) {
        u.port = hostport.substr(colon + 1);
        hostport = hostport.substr(0, colon);
    }
    u.host = hostport;
    u.valid = !u.host.empty();
    return u;
}

int HexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Decodes a form-encoded query value (RFC 1866 8.2.1: '+' is a space, %XX a byte).
std::string FormDecode(std::string_view s) {
    std::string o;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            o.push_back(' ');
        } else if (s[i] == '%' && i + 2 < s.size() && HexDigit(s[i + 1]) >= 0 && HexDigit(s[i + 2]) >= 0) {
            o.push_back(static_cast<char>(HexDigit(s[i + 1]) * 16 + HexDigit(s[i + 2])));
            i += 2;
        } else {
            o.push_back(s[i]);
        }
    }
    return o;
}

// The value of the first `name` parameter of the query; nullopt when absent.
std::optional<std::string> QueryParameter(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        size_t eq = pair.find('=');
        std::string_view key = pair.substr(0, eq);
        if (FormDecode(key) == name) {
            return eq == std::string_view::npos ? std::string() : FormDecode(pair.substr(eq + 1));
        }
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

ScalarKernel ParseUrlKernel() {
    return [](Args a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            bool n = AnyNull(a, i);
            std::string value;
            if (!n) {
                UrlParts u = ParseUrl(a[0]->Strings()[i].view());
                std::string_view part = a[1]->Strings()[i].view();
                n = !u.valid;
                if (!n) {
                    if (part == "PROTOCOL") {
                        value = u.protocol;
                    } else if (part == "HOST") {
                        value = u.host;
                    } else if (part == "PATH") {
                        value = u.path;
                    } else if (part == "QUERY") {
                        n = !u.has_query;
                        value = u.query;
                        if (!n && a.size() > 2) {  // parse_url(url, 'QUERY', key), as Hive
                            auto p = QueryParameter(u.query, a[2]->Strings()[i].view());
                            n = !p;
                            if (p) value = *p;
                        }
                    } else if (part == "REF") {
                        n = !u.has_ref;
                        value = u.ref;
                    } else if (part == "AUTHORITY") {
                        value = u.authority;
                    } else if (part == "FILE") {
                        value = std::string(u.path) + (u.has_query ? "?" + std::string(u.query) : "");
                    } else if (part == "USERINFO") {
                        n = !u.has_userinfo;
                        value = u.userinfo;
                    } else if (part == "PORT") {
                        n = u.port.empty();
                        value = u.port;
                    } else {
                        throw ExecutionError("parse_url(): unknown part '" + std::string(part) +
                                                 "' (PROTOCOL, HOST, PATH, QUERY, REF, AUTHORITY, FILE, USERINFO)",
                                             ErrorCode::WRONG_ARGUMENTS);
                    }
                }
            }
            out.SetNull(i, n);
            if (!n) out.SetString(i, value);
        }
    };
}

/// ngram_search: the share of the needle's n-grams (bytes, counted with repeats) that the haystack
/// also holds, 0 when either is shorter than n or the haystack is longer than 2^15 bytes.
ScalarKernel NgramSearch(bool ignore_case) {
    return [ignore_case](Args a, size_t rows, Column& out) {
        constexpr size_t kMaxLength = size_t{1} << 15;
        std::unordered_map<std::string_view, int64_t> grams;
        std::string hay_buf, needle_buf;
        for (size_t i = 0; i < rows; ++i) {
            bool n = a[0]->IsNull(i) || a[1]->IsNull(i) || a[2]->IsNull(i);
            out.SetNull(i, n);
            if (n) continue;
            std::string_view hay = a[0]->Strings()[i].view(), needle = a[1]->Strings()[i].view();
            int64_t gram = a[2]->Data<int64_t>()[i];
            if (gram <= 0)
                throw ExecutionError("ngram_search(): gram_num must be positive", ErrorCode::WRONG_ARGUMENTS);
            if (needle.size() > kMaxLength) {
                throw ExecutionError("ngram_search(): the needle is longer than 32768 bytes",
                                     ErrorCode::WRONG_ARGUMENTS);
            }
            if (ignore_case) {
                hay_buf = AsciiLower(std::string(hay));
                needle_buf = AsciiLower(std::string(needle));
                hay = hay_buf;
                needle = needle_buf;
            }
            auto g = static_cast<size_t>(gram);
            double similarity = 0;
            if (hay.size() <= kMaxLength && hay.size() >= g && needle.size() >= g) {
                grams.clear();
                for (size_t k = 0; k + g <= hay.size(); ++k) ++grams[hay.substr(k, g)];
                size_t total = needle.size() - g + 1, found = 0;
                for (size_t k = 0; k + g <= needle.size(); ++k) {
                    auto it = grams.find(needle.substr(k, g));
                    if (it != grams.end() && it->second > 0) {
                        --it->second;
                        ++found;
                    }
                }
                similarity = static_cast<double>(found) / static_cast<double>(total);
            }
            out.Data<double>()[i] = similarity;
        }
    };
}

/// The code point of the UTF-8 sequence at s[i] (advancing i), or the byte itself when malformed.
uint32_t NextCodePoint(std::string_view s, size_t& i) {
    auto c = static_cast<unsigned char>(s[i++]);
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    uint32_t cp = extra == 0 ? c : c & (0x3F >> extra);
    for (int k = 0; k < extra && i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
    return cp;
}

bool IsIdeograph(uint32_t cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0xAC00 && cp <= 0xD7AF);
}

/// tokenize('english' | 'standard', text): words, ASCII letters lowercased. english: runs of ASCII letters and
/// digits. standard: runs of letters, digits and '_' (non-ASCII letters included), each CJK, kana or
/// hangul character a token of its own. Other tokenizers ('chinese' needs a dictionary) are errors.
std::vector<std::string> Tokenize(std::string_view tokenizer, std::string_view text) {
    bool english = AsciiEqualsIgnoreCase(tokenizer, "english");
    if (!english && !AsciiEqualsIgnoreCase(tokenizer, "standard")) {
        throw ExecutionError("tokenize(): unsupported tokenizer '" + std::string(tokenizer) + "' (english, standard)",
                             ErrorCode::NOT_SUPPORTED);
    }
    std::vector<std::string> tokens;
    std::string word;
    auto flush = [&] {
        if (!word.empty()) tokens.push_back(std::move(word));
        word.clear();
    };
    for (size_t i = 0; i < text.size();) {
        size_t start = i;
        uint32_t cp = NextCodePoint(text, i);
        if (cp < 0x80) {
            auto c = static_cast<unsigned char>(cp);
            if (std::isalnum(c) || (!english && c == '_')) {
                word.push_back(static_cast<char>(std::tolower(c)));
            } else {
                flush();
            }
        } else if (english) {
            flush();
        } else if (IsIdeograph(cp)) {
            flush();
            tokens.emplace_back(text.substr(start, i - start));
        } else if (cp >= 0x2000 && cp <= 0x2BFF) {  // punctuation, symbols, arrows
            flush();
        } else {
            word.append(text.substr(start, i - start));
        }
    }
    flush();
    return tokens;
}

}  // namespace

void RegisterStringSearchFunctions(FunctionRegistry& r) {
    r.AddScalar(
        "tokenize",
        Overloads("tokenize", {{{kStr, kStr}, LogicalType::Array(kStr), [](Args a, size_t rows, Column& out) {
                                    ArrayBuilder b(kStr);
                                    for (size_t i = 0; i < rows; ++i) {
                                        bool n = a[0]->IsNull(i) || a[1]->IsNull(i);
                                        out.SetNull(i, n);
                                        if (n) continue;
                                        for (auto& t : Tokenize(a[0]->Strings()[i].view(), a[1]->Strings()[i].view()))
                                            b.Append(Value::Varchar(std::move(t)));
                                        out.SetString(i, b.Finish());
                                    }
                                }}}));
    r.AddScalar("ngram_search",
                Overloads("ngram_search", {{{kStr, kStr, TypeId::BIGINT}, TypeId::DOUBLE, NgramSearch(false)}}));
    r.AddScalar("ngram_search_case_insensitive",
                Overloads("ngram_search_case_insensitive",
                          {{{kStr, kStr, TypeId::BIGINT}, TypeId::DOUBLE, NgramSearch(true)}}));
    r.AddScalar(
        "substring_index",
        Overloads("substring_index", {{{kStr, kStr, TypeId::BIGINT}, kStr, [](Args a, size_t rows, Column& out) {
                                           for (size_t i = 0; i < rows; ++i) {
                                               bool n = AnyNull(a, i);
                                               out.SetNull(i, n);
                                               if (!n)
                                                   out.SetString(i, SubstringIndex(a[0]->Strings()[i].view(),
                                                                                   a[1]->Strings()[i].view(),
                                                                                   a[2]->Data<int64_t>()[i]));
                                           }
                                       }}}));
    auto strpos = [](Args a, size_t rows, Column& out) {
        for (size_t i = 0; i < rows; ++i) {
            bool n = AnyNull(a, i);
            out.SetNull(i, n);
            if (!n)
                out.Data<int64_t>()[i] = StrPos(a[0]->Strings()[i].view(), a[1]->Strings()[i].view(),
                                                a.size() > 2 ? a[2]->Data<int64_t>()[i] : 1);
        }
    };
    r.AddScalar("strpos", Overloads("strpos", {{{kStr, kStr}, TypeId::BIGINT, strpos},
                                               {{kStr, kStr, TypeId::BIGINT}, TypeId::BIGINT, strpos}}));
    // find_in_set(s, list): 1-based index of s in the comma-separated list, 0 when absent.
    r.AddScalar("find_in_set",
                Overloads("find_in_set", {{{kStr, kStr}, TypeId::BIGINT, [](Args a, size_t rows, Column& out) {
                                               BinaryExecute<std::string_view, std::string_view, int64_t>(
                                                   *a[0], *a[1], rows, out, [](std::string_view s, std::string_view l) {
                                                       if (s.find(',') != std::string_view::npos) return int64_t{0};
                                                       int64_t idx = 1;
                                                       while (true) {
                                                           size_t comma = l.find(',');
                                                           if (l.substr(0, comma) == s) return idx;
                                                           if (comma == std::string_view::npos) return int64_t{0};
                                                           l.remove_prefix(comma + 1);
                                                           ++idx;
                                                       }
                                                   });
                                           }}}));
    // field(s, s1, s2, ...): 1-based index of the first si equal to s; 0 when none (or s NULL).
    r.AddScalar("field", Overloads("field", {{{kStr, kStr},
                                              TypeId::BIGINT,
                                              [](Args a, size_t rows, Column& out) {
                                                  for (size_t i = 0; i < rows; ++i) {
                                                      int64_t idx = 0;
                                                      if (!a[0]->IsNull(i)) {
                                                          std::string_view s = a[0]->Strings()[i].view();
                                                          for (size_t k = 1; k < a.size() && idx == 0; ++k) {
                                                              if (!a[k]->IsNull(i) && a[k]->Strings()[i].view() == s)
                                                                  idx = static_cast<int64_t>(k);
                                                          }
                                                      }
                                                      out.SetNull(i, false);
                                                      out.Data<int64_t>()[i] = idx;
                                                  }
                                              },
                                              true}}));
    // split(s, delim): ARRAY<VARCHAR> of the parts; an empty delimiter splits into characters.
    r.AddScalar(
        "split",
        Overloads("split", {{{kStr, kStr}, LogicalType::Array(kStr), [](Args a, size_t rows, Column& out) {
                                 ArrayBuilder b(kStr);
                                 for (size_t i = 0; i < rows; ++i) {
                                     if (AnyNull(a, i)) {
                                         out.SetNull(i, true);
                                         continue;
                                     }
                                     std::string_view s = a[0]->Strings()[i].view();
                                     std::string_view d = a[1]->Strings()[i].view();
                                     if (d.empty()) {
                                         size_t p = 0;
                                         while (p < s.size()) {
                                             size_t q = p + 1;
                                             while (q < s.size() && (static_cast<unsigned char>(s[q]) & 0xC0) == 0x80)
                                                 ++q;
                                             b.Append(Value::Varchar(std::string(s.substr(p, q - p))));
                                             p = q;
                                         }
                                     } else {
                                         while (true) {
                                             size_t hit = s.find(d);
                                             b.Append(Value::Varchar(std::string(s.substr(0, hit))));
                                             if (hit == std::string_view::npos) break;
                                             s.remove_prefix(hit + d.size());
                                         }
                                     }
                                     out.SetNull(i, false);
                                     out.SetString(i, b.Finish());
                                 }
                             }}}));
    r.AddScalar("parse_url", Overloads("parse_url", {{{kStr, kStr}, kStr, ParseUrlKernel()},
                                                     {{kStr, kStr, kStr}, kStr, ParseUrlKernel()}}));
    r.AddScalar("url_extract_host",
                Overloads("url_extract_host", {{{kStr}, kStr, [](Args a, size_t rows, Column& out) {
                                                    UnaryExecuteNullable<std::string_view, std::string_view>(
                                                        *a[0], rows, out, [](std::string_view s, bool& n) {
                                                            UrlParts u = ParseUrl(s);
                                                            n = !u.valid;
                                                            return u.host;
                                                        });
                                                }}}));
    r.AddScalar("url_extract_parameter",
                Overloads("url_extract_parameter",
                          {{{kStr, kStr}, kStr, [](Args a, size_t rows, Column& out) {
                                BinaryExecuteNullable<std::string_view, std::string_view, std::string>(
                                    *a[0], *a[1], rows, out, [](std::string_view url, std::string_view name, bool& n) {
                                        size_t q = url.find('?');
                                        if (q == std::string_view::npos) {
                                            n = true;
                                            return std::string();
                                        }
                                        std::string_view query = url.substr(q + 1);
                                        query = query.substr(0, query.find('#'));
                                        auto v = QueryParameter(query, name);
                                        n = !v;
                                        return v ? *v : std::string();
                                    });
                            }}}));
}

}  // namespace floe
