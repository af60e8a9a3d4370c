#pragma once
/// Tokens produced by the Lexer.

#include <cstdint>
#include <string>

namespace floe {

enum class TokenType : uint8_t {
    IDENTIFIER,         // unquoted word (keywords too; the parser decides)
    QUOTED_IDENTIFIER,  // `name`
    STRING,             // 'text' or "text" (escapes resolved)
    INTEGER,            // 123
    DECIMAL,            // 1.5, .5
    FLOAT,              // 1e3, 1.5e-2
    HEX_STRING,         // X'1F' / 0x1F (value holds the decoded bytes)
    OPERATOR,           // punctuation and operators, text holds the symbol
    PARAMETER,          // ?
    USER_VARIABLE,      // @name (text holds name)
    SYSTEM_VARIABLE,    // @@name, @@session.name (text holds the full name after @@)
    END,
};

struct Token {
    TokenType type = TokenType::END;
    std::string text;  // value for strings, identifiers (as written), symbols
    uint32_t line = 1;
    uint32_t column = 1;
    uint32_t offset = 0;  // byte offset in the statement text
    uint32_t end = 0;     // byte offset just past the token
};

}  // namespace floe
