// Regular expressions (RE2): REGEXP / RLIKE (regexp), regexp_extract, regexp_replace,
// regexp_count, regexp_extract_all, regexp_split and regexp_instr.
// Patterns compile once per distinct pattern in a call (they are usually constants); an invalid
// pattern is an error naming it.
#include <re2/re2.h>

#include <memory>

#include "common/exception.h"
#include "function/function_registry.h"
#include "function/simple_function.h"
#include "function/vector_executor.h"
#include "types/array.h"

namespace floe {

namespace {

using Args = const std::vector<const Column*>&;

/// The compiled pattern of the last distinct pattern text seen by a kernel call.
class PatternCache {
  public:
    const RE2& Get(std::string_view pattern) {
        if (!re_ || pattern != text_) {
            text_ = std::string(pattern);
            RE2::Options options;
            options.set_log_errors(false);
            re_ = std::make_unique<RE2>(text_, options);
            if (!re_->ok()) {
                throw ConversionError("invalid regular expression '" + text_ + "': " + re_->error(),
                                      ErrorCode::WRONG_ARGUMENTS);
            }
        }
        return *re_;
    }

  private:
    std::string text_;
    std::unique_ptr<RE2> re_;
};

/// Calls fn(groups) for each successive non-overlapping match of `re` in `text` (an empty match
/// moves on by one character), with `ngroups` + 1 pieces (the whole match first); fn returns
/// false to stop.
template <typename Fn>
void ForEachMatch(const RE2& re, std::string_view text, int ngroups, size_t from, Fn fn) {
    std::vector<re2::StringPiece> groups(static_cast<size_t>(ngroups) + 1);
    re2::StringPiece input(text.data(), text.size());
    size_t pos = from;
    while (pos <= text.size()) {
        if (!re.Match(input, pos, text.size(), RE2::UNANCHORED, groups.data(), ngroups + 1)) break;
        if (!fn(groups)) break;
        size_t end = static_cast<size_t>(groups[0].data() - text.data()) + groups[0].size();
        if (groups[0].empty()) {
            // Step over one whole UTF-8 character.
            ++end;
            while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
        }
        pos = end;
    }
}

bool AnyNull(Args a, size_t i) {
    for (const Column* c : a) {
        if (c->IsNull(i)) return true;
    }
    return false;
}

size_t Utf8Chars(std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

}  // namespace

void RegisterRegexpFunctions(FunctionRegistry& r) {
    const LogicalType str = LogicalType::Varchar();
    r.AddScalar("regexp", Overloads("regexp", {{{str, str}, TypeId::BOOLEAN, [](Args a, size_t rows, Column& out) {
                                                    PatternCache cache;
                                                    BinaryExecute<std::string_view, std::string_view, bool>(
                                                        *a[0], *a[1], rows, out,
                                                        [&](std::string_view s, std::string_view p) {
                                                            return RE2::PartialMatch(s, cache.Get(p));
                                                        });
                                                }}}));
    r.AddAlias("regexp_like", "regexp");
    r.AddAlias("rlike", "regexp");
    r.AddScalar("regexp_extract",
                Overloads("regexp_extract",
                          {{{str, str, TypeId::BIGINT}, str, [](Args a, size_t rows, Column& out) {
                                // The `index`-th group of the first match ('' when nothing matches).
                                PatternCache cache;
                                for (size_t i = 0; i < rows; ++i) {
                                    bool n = a[0]->IsNull(i) || a[1]->IsNull(i) || a[2]->IsNull(i);
                                    out.SetNull(i, n);
                                    if (n) continue;
                                    const RE2& re = cache.Get(a[1]->Strings()[i].view());
                                    int64_t index = a[2]->Data<int64_t>()[i];
                                    if (index < 0 || index > re.NumberOfCapturingGroups()) {
                                        out.SetNull(i, true);
                                        continue;
                                    }
                                    std::vector<re2::StringPiece> groups(static_cast<size_t>(index) + 1);
                                    re2::StringPiece text(a[0]->Strings()[i].view().data(), a[0]->Strings()[i].size());
                                    if (re.Match(text, 0, text.size(), RE2::UNANCHORED, groups.data(),
                                                 static_cast<int>(groups.size()))) {
                                        out.SetString(i, std::string_view(groups[index].data(), groups[index].size()));
                                    } else {
                                        out.SetString(i, "");
                                    }
                                }
                            }}}));
    r.AddScalar("regexp_replace",
                Overloads("regexp_replace", {{{str, str, str}, str, [](Args a, size_t rows, Column& out) {
                                                  PatternCache cache;
                                                  for (size_t i = 0; i < rows; ++i) {
                                                      bool n = a[0]->IsNull(i) || a[1]->IsNull(i) || a[2]->IsNull(i);
                                                      out.SetNull(i, n);
                                                      if (n) continue;
                                                      std::string s(a[0]->Strings()[i].view());
                                                      RE2::GlobalReplace(&s, cache.Get(a[1]->Strings()[i].view()),
                                                                         a[2]->Strings()[i].view());
                                                      out.SetString(i, s);
                                                  }
                                              }}}));
    r.AddScalar("regexp_count",
                Overloads("regexp_count", {{{str, str}, TypeId::BIGINT, [](Args a, size_t rows, Column& out) {
                                                PatternCache cache;
                                                BinaryExecute<std::string_view, std::string_view, int64_t>(
                                                    *a[0], *a[1], rows, out,
                                                    [&](std::string_view s, std::string_view p) {
                                                        int64_t count = 0;
                                                        if (s.empty()) return count;
                                                        ForEachMatch(cache.Get(p), s, 0, 0, [&](const auto&) {
                                                            ++count;
                                                            return true;
                                                        });
                                                        return count;
                                                    });
                                            }}}));
    // regexp_extract_all(s, pattern[, group]): the group (default 1, or the whole match when the
    // pattern has no group) of every match, as ARRAY<VARCHAR>.
    auto extract_all = [](Args a, size_t rows, Column& out) {
        PatternCache cache;
        ArrayBuilder b(LogicalType::Varchar());
        for (size_t i = 0; i < rows; ++i) {
            if (AnyNull(a, i)) {
                out.SetNull(i, true);
                continue;
            }
            const RE2& re = cache.Get(a[1]->Strings()[i].view());
            int groups = re.NumberOfCapturingGroups();
            int64_t index = a.size() > 2 ? a[2]->Data<int64_t>()[i] : (groups > 0 ? 1 : 0);
            if (index < 0 || index > groups) {
                out.SetNull(i, true);
                continue;
            }
            ForEachMatch(re, a[0]->Strings()[i].view(), groups, 0, [&](const auto& g) {
                b.Append(Value::Varchar(std::string(g[index].data(), g[index].size())));
                return true;
            });
            out.SetNull(i, false);
            out.SetString(i, b.Finish());
        }
    };
    r.AddScalar("regexp_extract_all",
                Overloads("regexp_extract_all", {{{str, str}, LogicalType::Array(str), extract_all},
                                                 {{str, str, TypeId::BIGINT}, LogicalType::Array(str), extract_all}}));
    // regexp_split(s, pattern[, max_split]): the pieces between matches; an empty pattern splits
    // into characters; at most max_split pieces (the last keeps the rest).
    auto split = [](Args a, size_t rows, Column& out) {
        PatternCache cache;
        ArrayBuilder b(LogicalType::Varchar());
        for (size_t i = 0; i < rows; ++i) {
            if (AnyNull(a, i)) {
                out.SetNull(i, true);
                continue;
            }
            std::string_view s = a[0]->Strings()[i].view();
            int64_t max_split = a.size() > 2 ? a[2]->Data<int64_t>()[i] : -1;
            const RE2& re = cache.Get(a[1]->Strings()[i].view());
            size_t start = 0;
            int64_t pieces = 0;
            ForEachMatch(re, s, 0, 0, [&](const auto& g) {
                if (max_split > 0 && pieces + 1 >= max_split) return false;
                size_t at = static_cast<size_t>(g[0].data() - s.data());
                if (g[0].empty() && (at == 0 || at >= s.size())) return true;  // no empty edge pieces
                if (g[0].empty() && at == start) return true;
                b.Append(Value::Varchar(std::string(s.substr(start, at - start))));
                ++pieces;
                start = at + g[0].size();
                return true;
            });
            b.Append(Value::Varchar(std::string(s.substr(start))));
            out.SetNull(i, false);
            out.SetString(i, b.Finish());
        }
    };
    r.AddScalar("regexp_split",
                Overloads("regexp_split", {{{str, str}, LogicalType::Array(str), split},
                                           {{str, str, TypeId::BIGINT}, LogicalType::Array(str), split}}));
    // regexp_instr(s, pattern[, start[, occurrence]]) (MySQL): the 1-based character position of
    // the occurrence-th match at or after character `start`; 0 when there is none.
    auto instr = [](Args a, size_t rows, Column& out) {
        PatternCache cache;
        for (size_t i = 0; i < rows; ++i) {
            bool n = AnyNull(a, i);
            out.SetNull(i, n);
            if (n) continue;
            std::string_view s = a[0]->Strings()[i].view();
            int64_t start = a.size() > 2 ? a[2]->Data<int64_t>()[i] : 1;
            int64_t occurrence = a.size() > 3 ? a[3]->Data<int64_t>()[i] : 1;
            int64_t result = 0;
            if (start >= 1 && occurrence >= 1) {
                size_t from = 0;
                for (int64_t c = 1; c < start && from < s.size(); ++c) {
                    ++from;
                    while (from < s.size() && (static_cast<unsigned char>(s[from]) & 0xC0) == 0x80) ++from;
                }
                int64_t seen = 0;
                if (static_cast<size_t>(start - 1) <= Utf8Chars(s)) {
                    ForEachMatch(cache.Get(a[1]->Strings()[i].view()), s, 0, from, [&](const auto& g) {
                        if (++seen < occurrence) return true;
                        result = static_cast<int64_t>(Utf8Chars(s.substr(0, g[0].data() - s.data()))) + 1;
                        return false;
                    });
                }
            }
            out.Data<int64_t>()[i] = result;
        }
    };
    r.AddScalar("regexp_instr",
                Overloads("regexp_instr", {{{str, str}, TypeId::BIGINT, instr},
                                           {{str, str, TypeId::BIGINT}, TypeId::BIGINT, instr},
                                           {{str, str, TypeId::BIGINT, TypeId::BIGINT}, TypeId::BIGINT, instr}}));
}

}  // namespace floe
