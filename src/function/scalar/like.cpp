// LIKE pattern matching (like(text, pattern) and like(text, pattern, escape)).
#include "function/function_registry.h"
#include "function/like_matcher.h"
#include "function/simple_function.h"
#include "function/vector_executor.h"

namespace floe {

void RegisterLikeFunctions(FunctionRegistry& r) {
    const LogicalType str = LogicalType::Varchar();
    auto kernel = [](const std::vector<const Column*>& a, size_t rows, Column& out) {
        // A pattern the same on every row (a constant) without `_` or escapes: compiled once.
        if (a.size() == 2 && rows > 0 && !a[1]->IsNull(0)) {
            const StringView* patterns = a[1]->Strings();
            bool constant = true;
            for (size_t i = 1; i < rows && constant; ++i) constant = !a[1]->IsNull(i) && patterns[i] == patterns[0];
            std::optional<LiteralLikePattern> compiled;
            if (constant) compiled = LiteralLikePattern::Compile(patterns[0].view());
            if (compiled) {
                const StringView* texts = a[0]->Strings();
                for (size_t i = 0; i < rows; ++i) {
                    bool n = a[0]->IsNull(i);
                    out.SetNull(i, n);
                    out.Data<uint8_t>()[i] = !n && compiled->Match(texts[i].view()) ? 1 : 0;
                }
                return;
            }
        }
        for (size_t i = 0; i < rows; ++i) {
            bool n = a[0]->IsNull(i) || a[1]->IsNull(i) || (a.size() > 2 && a[2]->IsNull(i));
            out.SetNull(i, n);
            if (n) continue;
            char escape = '\\';
            if (a.size() > 2) {
                std::string_view e = a[2]->Strings()[i].view();
                escape = e.empty() ? '\0' : e[0];
            }
            out.Data<uint8_t>()[i] = LikeMatch(a[0]->Strings()[i].view(), a[1]->Strings()[i].view(), escape) ? 1 : 0;
        }
    };
    r.AddScalar("like",
                Overloads("like", {{{str, str}, TypeId::BOOLEAN, kernel}, {{str, str, str}, TypeId::BOOLEAN, kernel}}));
}

}  // namespace floe
