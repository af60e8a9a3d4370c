#pragma once
/// SQL LIKE matching: `%` matches any run of characters, `_` exactly one UTF-8 character, and the
/// escape character (backslash by default) makes the next pattern character literal.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace floe {

bool LikeMatch(std::string_view text, std::string_view pattern, char escape = '\\', bool ignore_case = false);

/// A pattern of literal pieces between `%`s ('PROMO%', '%BRASS', '%special%requests%'), compiled
/// once and matched with substring search. Patterns with `_` or escapes are not compiled.
class LiteralLikePattern {
  public:
    /// nullopt when the pattern has `_` or an escape character.
    static std::optional<LiteralLikePattern> Compile(std::string_view pattern, char escape = '\\');
    bool Match(std::string_view text) const;

  private:
    std::vector<std::string> pieces_;  // the literal runs, in order (empty ones dropped)
    bool anchored_start_ = true;       // the pattern does not start with '%'
    bool anchored_end_ = true;         // nor end with it
};

}  // namespace floe
