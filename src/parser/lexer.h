#pragma once
/// Splits SQL text into tokens with their line and column. Handles MySQL quoting and escapes,
/// comments (`-- `, `#`, `/* */`) and executable comments (`/*! ... */`, whose content is code).

#include <string_view>
#include <vector>

#include "parser/token.h"

namespace floe {

class Lexer {
  public:
    /// Tokenizes all of `sql`; the last token is END. Throws ParserError for unterminated strings,
    /// identifiers or comments, naming the line and column where they start.
    static std::vector<Token> Tokenize(std::string_view sql);
};

}  // namespace floe
