#pragma once
/// SQL LIKE matching: `%` matches any run of characters, `_` exactly one UTF-8 character, and the
/// escape character (backslash by default) makes the next pattern character literal.

#include <string_view>

namespace floe {

bool LikeMatch(std::string_view text, std::string_view pattern, char escape = '\\', bool ignore_case = false);

}  // namespace floe
