#pragma once
/// Hand-written recursive-descent parser for the StarRocks/MySQL dialect. Parse errors throw
/// ParserError (errno 1064) whose message names the line, the column and the offending token:
/// "line 1, column 8: syntax error at 'FORM'; expected ...".

#include <string_view>
#include <vector>

#include "parser/ast/statement.h"

namespace floe {

class Parser {
  public:
    /// Parses one or more `;`-separated statements (a trailing `;` is allowed; empty input yields
    /// no statements).
    static std::vector<ast::StatementPtr> ParseStatements(std::string_view sql);
    /// Parses exactly one statement; anything else is a ParserError.
    static ast::StatementPtr ParseStatement(std::string_view sql);
    /// Parses a standalone expression (used by Stream Load columns and tests).
    static ast::ExprPtr ParseExpression(std::string_view sql);
};

}  // namespace floe
