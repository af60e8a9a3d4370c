#include "parser/parser.h"

#include <fmt/format.h>

#include "common/ascii.h"
#include "common/exception.h"
#include "common/number_text.h"
#include "parser/lexer.h"
#include "parser/parser_impl.h"

namespace floe {

namespace {
constexpr int kMaxNesting = 200;  // keeps deep input far from the thread stack limit, also under ASan
/// The height an expression (or FROM clause, or set operation) may reach, counting parentheses,
/// function calls, subqueries and each link of an operator chain: the passes after the parser
/// recurse once or twice per level (DuckDB's max_expression_depth is 1000 too).
constexpr int kMaxExpressionDepth = 1000;
}  // namespace

bool IsReservedWord(std::string_view w) {
    static const char* kReserved[] = {
        "ALL",    "ALTER",   "AND",       "AS",     "ASC",    "BETWEEN",   "BY",     "CASE",   "CREATE",    "CROSS",
        "DELETE", "DESC",    "DISTINCT",  "DIV",    "DROP",   "ELSE",      "END",    "EXCEPT", "EXISTS",    "FALSE",
        "FOR",    "FROM",    "FULL",      "GROUP",  "HAVING", "IN",        "INNER",  "INSERT", "INTERSECT", "INTERVAL",
        "INTO",   "IS",      "JOIN",      "LEFT",   "LIKE",   "LIMIT",     "MINUS",  "MOD",    "NOT",       "NULL",
        "OFFSET", "ON",      "OR",        "ORDER",  "OUTER",  "REGEXP",    "RIGHT",  "RLIKE",  "SELECT",    "SET",
        "THEN",   "TRUE",    "UNION",     "UPDATE", "USING",  "VALUES",    "WHEN",   "WHERE",  "WITH",      "XOR",
        "SEMI",   "ANTI",    "QUALIFY",   "WINDOW", "OVER",   "PARTITION", "ROLLUP", "CUBE",   "GROUPING",  "USE",
        "SHOW",   "LATERAL", "RETURNING",
    };
    for (const char* k : kReserved) {
        if (AsciiEqualsIgnoreCase(w, k)) return true;
    }
    return false;
}

bool ParserImpl::IsKeywordAt(const Token& t, std::string_view kw) {
    return t.type == TokenType::IDENTIFIER && AsciiEqualsIgnoreCase(t.text, kw);
}

bool ParserImpl::AcceptKeyword(std::string_view kw) {
    if (!IsKeyword(kw)) return false;
    Advance();
    return true;
}

void ParserImpl::ExpectKeyword(std::string_view kw) {
    if (!AcceptKeyword(kw)) Error(std::string(kw));
}

bool ParserImpl::AcceptOp(std::string_view op) {
    if (!IsOp(op)) return false;
    Advance();
    return true;
}

void ParserImpl::ExpectOp(std::string_view op) {
    if (!AcceptOp(op)) Error("'" + std::string(op) + "'");
}

void ParserImpl::Error(const std::string& expected) const {
    const Token& t = Cur();
    std::string near = t.type == TokenType::END
                           ? "end of input"
                           : "'" + std::string(sql_.substr(t.offset, std::min<size_t>(t.end - t.offset, 40))) + "'";
    throw ParserError(fmt::format("line {}, column {}: syntax error at {}{}", t.line, t.column, near,
                                  expected.empty() ? "" : "; expected " + expected));
}

bool ParserImpl::IsIdentifierToken() const {
    const Token& t = Cur();
    if (t.type == TokenType::QUOTED_IDENTIFIER) return true;
    return t.type == TokenType::IDENTIFIER && !IsReservedWord(t.text);
}

void ParserImpl::ParseQualifiedName(std::string& qualifier, std::string& name, const char* what) {
    name = ParseIdentifier(what);
    if (AcceptOp(".")) {
        qualifier = std::move(name);
        name = ParseIdentifier(what);
    }
}

void ParserImpl::ParseTableName(std::string& catalog, std::string& database, std::string& table) {
    table = ParseIdentifier("a table name");
    if (AcceptOp(".")) {
        database = std::move(table);
        table = ParseIdentifier("a table name");
        if (AcceptOp(".")) {
            catalog = std::move(database);
            database = std::move(table);
            table = ParseIdentifier("a table name");
        }
    }
}

std::string ParserImpl::ParseIdentifier(const char* what) {
    if (!IsIdentifierToken()) Error(what);
    std::string v = Cur().text;
    Advance();
    return v;
}

std::string ParserImpl::ParseIdentifierOrString(const char* what) {
    if (Cur().type == TokenType::STRING) {
        std::string v = Cur().text;
        Advance();
        return v;
    }
    return ParseIdentifier(what);
}

void ParserImpl::EnterNesting() {
    if (++depth_ > kMaxNesting) {
        throw ParserError(fmt::format(
            "line {}, column {}: statement is nested too deeply (more than {} levels of parentheses or subqueries)",
            Cur().line, Cur().column, kMaxNesting));
    }
    peak_ = std::max(peak_, depth_);
}

int64_t ParserImpl::ParseIntegerToken(const char* what) const {
    auto v = ParseInt64(Cur().text);
    if (!v) Error(what);
    return *v;
}

void ParserImpl::CheckHeight(int height) const {
    if (height > kMaxExpressionDepth) {
        throw ParserError(fmt::format(
            "line {}, column {}: expression is nested too deeply (more than {} levels of operators, parentheses, "
            "function calls, joins or subqueries)",
            Cur().line, Cur().column, kMaxExpressionDepth));
    }
}

void ParserImpl::Chain::Link() {
    peak_ = Peak();
    ++links_;
    parser_.CheckHeight(peak_ + 1);
    parser_.peak_ = parser_.depth_;
}

std::vector<ast::StatementPtr> ParserImpl::ParseStatementList() {
    std::vector<ast::StatementPtr> out;
    while (true) {
        while (AcceptOp(";")) {
        }
        if (AtEnd()) break;
        out.push_back(ParseStatement());
        if (!AtEnd() && !IsOp(";")) Error("';' or end of statement");
    }
    return out;
}

ast::ExprPtr ParserImpl::ParseExpression() {
    EnterNesting();
    auto e = ParseOr();
    LeaveNesting();
    return e;
}

std::vector<ast::StatementPtr> Parser::ParseStatements(std::string_view sql) {
    ParserImpl p(sql, Lexer::Tokenize(sql));
    return p.ParseStatementList();
}

ast::StatementPtr Parser::ParseStatement(std::string_view sql) {
    ParserImpl p(sql, Lexer::Tokenize(sql));
    auto list = p.ParseStatementList();
    if (list.empty()) throw ParserError("Query was empty", ErrorCode::PARSE);
    if (list.size() > 1) throw ParserError("expected one statement, found " + std::to_string(list.size()));
    return std::move(list[0]);
}

ast::ExprPtr Parser::ParseExpression(std::string_view sql) {
    ParserImpl p(sql, Lexer::Tokenize(sql));
    auto e = p.ParseExpression();
    if (!p.AtEnd()) p.Error("end of expression");
    return e;
}

}  // namespace floe
