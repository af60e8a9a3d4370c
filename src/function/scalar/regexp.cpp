// Regular expressions (RE2): REGEXP / RLIKE (regexp), regexp_extract and regexp_replace.
// Patterns compile once per distinct pattern in a call (they are usually constants); an invalid
// pattern is an error naming it.
#include <re2/re2.h>

#include <memory>

#include "common/exception.h"
#include "function/function_registry.h"
#include "function/simple_function.h"
#include "function/vector_executor.h"

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
}

}  // namespace floe
