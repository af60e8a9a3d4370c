#pragma once
/// Internal: the recursive-descent parser's state (token cursor, keyword helpers, errors). Split
/// over expression_parser.cpp, query_parser.cpp and statement_parser.cpp.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "parser/ast/statement.h"
#include "parser/token.h"

namespace floe {

class ParserImpl {
  public:
    ParserImpl(std::string_view sql, std::vector<Token> tokens) : sql_(sql), tokens_(std::move(tokens)) {}

    std::vector<ast::StatementPtr> ParseStatementList();
    ast::StatementPtr ParseStatement();
    ast::ExprPtr ParseExpression();
    bool AtEnd() const { return Cur().type == TokenType::END; }
    [[noreturn]] void Error(const std::string& expected) const;

  private:
    // Token helpers.
    const Token& Cur() const { return tokens_[pos_]; }
    const Token& PeekToken(size_t k = 1) const {
        return pos_ + k < tokens_.size() ? tokens_[pos_ + k] : tokens_.back();
    }
    void Advance() {
        if (pos_ + 1 < tokens_.size()) ++pos_;
    }
    bool IsKeyword(std::string_view kw) const { return IsKeywordAt(Cur(), kw); }
    static bool IsKeywordAt(const Token& t, std::string_view kw);
    bool AcceptKeyword(std::string_view kw);
    void ExpectKeyword(std::string_view kw);
    bool IsOp(std::string_view op) const { return Cur().type == TokenType::OPERATOR && Cur().text == op; }
    static bool IsOpAt(const Token& t, std::string_view op) { return t.type == TokenType::OPERATOR && t.text == op; }
    /// `PROPERTIES (`: the clause that ends CACHE SELECT's query, never an alias.
    bool AtPropertiesClause() const { return IsKeyword("PROPERTIES") && IsOpAt(PeekToken(), "("); }
    bool AcceptOp(std::string_view op);
    void ExpectOp(std::string_view op);
    /// An identifier (unquoted non-reserved word or quoted); errors otherwise.
    std::string ParseIdentifier(const char* what = "an identifier");
    /// `name` or `qualifier.name` (database.table, catalog.database): sets both, `qualifier`
    /// only when written.
    void ParseQualifiedName(std::string& qualifier, std::string& name, const char* what);
    /// `FOR VERSION AS OF ...` / `FOR TIMESTAMP AS OF ...` after a table name (nothing when absent).
    void ParseTimeTravel(ast::TimeTravel& travel);
    /// `[[catalog.]database.]table`.
    void ParseTableName(std::string& catalog, std::string& database, std::string& table);
    /// One item of PARTITION BY (col, ...): the column, and in `transform` its Iceberg transform.
    std::string ParsePartitionItem(std::string& transform);
    bool IsIdentifierToken() const;
    /// An identifier or a string literal (aliases, user names).
    std::string ParseIdentifierOrString(const char* what);
    ast::SourceLocation Loc() const { return {Cur().line, Cur().column}; }
    void EnterNesting();
    void LeaveNesting() { --depth_; }
    /// Throws when a tree would be `height` levels deep (more than kMaxExpressionDepth).
    void CheckHeight(int height) const;

    /// Counts the levels a tree built left-deep in a loop adds (`a + b + c`, `a IS NULL IS NULL`,
    /// `t1 JOIN t2 JOIN t3`, `q1 UNION q2 UNION q3`). The loop uses no stack of the parser's, but
    /// each link puts the tree built so far one level deeper, and the binder, the optimizer and
    /// the destructors recurse over it later; 20,000 `+ 1` overflowed the stack there. So every
    /// link counts against kMaxExpressionDepth, as every parenthesis does (peak_ keeps the
    /// deepest level reached).
    class Chain {
      public:
        /// Before the first operand.
        explicit Chain(ParserImpl& parser) : parser_(parser), outer_peak_(parser.peak_) {
            parser.peak_ = parser.depth_;
        }
        /// After an operator, before its right operand (if any): the tree so far becomes the
        /// left operand of a new node.
        void Link();
        /// The chain's height joins the enclosing tree's.
        ~Chain() { parser_.peak_ = std::max(outer_peak_, Peak()); }
        Chain(const Chain&) = delete;
        Chain& operator=(const Chain&) = delete;

      private:
        int Peak() const { return links_ == 0 ? parser_.peak_ : std::max(peak_, parser_.peak_) + 1; }
        ParserImpl& parser_;
        int outer_peak_;
        int peak_ = 0;  // deepest level of the tree before the last link
        int links_ = 0;
    };

    // Expressions (expression_parser.cpp).
    ast::ExprPtr ParseOr();
    ast::ExprPtr ParseXor();
    ast::ExprPtr ParseAnd();
    ast::ExprPtr ParseNot();
    ast::ExprPtr ParseComparison();
    ast::ExprPtr ParseBitOr();
    ast::ExprPtr ParseBitAnd();
    ast::ExprPtr ParseShift();
    ast::ExprPtr ParseAdditive();
    ast::ExprPtr ParseMultiplicative();
    ast::ExprPtr ParseBitXor();
    ast::ExprPtr ParseUnary();
    ast::ExprPtr ParsePostfix();
    ast::ExprPtr ParsePrimary();
    ast::ExprPtr ParseFunctionCall(std::string name, ast::SourceLocation loc);
    /// Where the -> of a lambda argument (x -> ..., (x, y) -> ...) starting here is, counted in
    /// tokens after the current one; 0 when no lambda starts here.
    size_t LambdaArrowAt() const;
    /// [e1, e2, ...] (at '['): array(e1, e2, ...).
    ast::ExprPtr ParseArrayLiteral(ast::SourceLocation loc);
    ast::ExprPtr ParseCase();
    ast::ExprPtr ParseCast(bool convert);
    ast::ExprPtr ParseInterval();
    /// The number at the cursor; `negative` when a '-' before it was consumed (one literal).
    ast::ExprPtr ParseNumber(bool negative = false);
    /// A DOUBLE literal's value; error 1367 when it is beyond DOUBLE's range (1e309).
    double ParseDoubleLiteral(const std::string& text) const;
    /// The INTEGER token at the cursor as an int64 (not consumed); a syntax error expecting
    /// `what` when it does not fit (std::stoll's out_of_range reached clients as 'stoll').
    int64_t ParseIntegerToken(const char* what) const;
    LogicalType ParseTypeName();
    /// A select list (expressions with optional aliases), also RETURNING's.
    std::vector<ast::SelectItem> ParseSelectItems();
    ast::ExprPtr MakeBinary(ast::BinaryOp op, ast::ExprPtr l, ast::ExprPtr r, ast::SourceLocation loc);
    /// `x op y op z ...` for an associative operator (OR, XOR, AND) built as a balanced tree, so
    /// that 10,000 OR-ed conditions make a tree 14 levels high instead of 10,000.
    ast::ExprPtr ParseAssociative(ast::BinaryOp op, bool (ParserImpl::*accept_operator)(),
                                  ast::ExprPtr (ParserImpl::*parse_operand)());
    bool AcceptOr();
    bool AcceptXor();
    bool AcceptAnd();
    /// `row op ANY|ALL (query)`, `row [NOT] IN (query)` as [NOT] EXISTS over the query's rows.
    ast::ExprPtr MakeRowSubquery(ast::ExprPtr row, ast::BinaryOp op, bool all, bool negated,
                                 std::unique_ptr<ast::QueryNode> query, ast::SourceLocation loc);

    // Queries (query_parser.cpp).
    ast::QueryNodePtr ParseQuery();
    /// The CTE list after WITH ([RECURSIVE] name [(cols)] AS (query), ...).
    std::vector<ast::CommonTableExpr> ParseWithList();
    /// The query after its WITH clause (whose CTEs it takes).
    ast::QueryNodePtr ParseQueryAfterWith(std::vector<ast::CommonTableExpr> ctes, ast::SourceLocation loc);
    ast::QueryNodePtr ParseSetOperation(int min_precedence);
    ast::QueryNodePtr ParseQueryTerm();
    std::unique_ptr<ast::SelectNode> ParseSelectBody();
    void ParseOrderLimit(ast::QueryNode& node);
    std::vector<ast::OrderByItem> ParseOrderByList();
    ast::TableRefPtr ParseFrom();
    ast::TableRefPtr ParseJoinedTable();
    ast::TableRefPtr ParseTableFactor();
    /// Whether a query starts at the cursor: SELECT, WITH, VALUES, or a '(' whose content is a
    /// query (a derived table, `(SELECT 1) UNION (SELECT 2)`).
    bool StartsQuery() const;
    /// Whether the tokens from `k` places ahead up to the ')' of the enclosing parenthesis are a
    /// query. Starting with a parenthesized query is not enough: `(SELECT 1) + 1` is an
    /// expression, `(SELECT 1) AS d JOIN t` a join; every parenthesized group it starts with
    /// must be followed by what continues a query (')', a set operator, ORDER BY, LIMIT).
    bool ContentIsQuery(size_t k) const;

    // Statements (statement_parser.cpp).
    ast::StatementPtr ParseSet();
    ast::StatementPtr ParseShow();
    ast::StatementPtr ParseCreate();
    ast::StatementPtr ParseDrop();
    ast::StatementPtr ParseAlter();
    /// The ALTER TABLE actions only Iceberg tables take (alter_table_parser.cpp); false, with
    /// nothing consumed, when the cursor is at none of them.
    bool ParseAlterIcebergAction(ast::AlterTableStatement& t);
    ast::StatementPtr ParseCreateView(bool or_replace, bool alter);
    ast::StatementPtr ParseCreateTable();
    ast::ColumnDefinition ParseColumnDefinition();
    ast::PartitionDesc ParsePartitionDesc();
    /// `OVER (...)` after a function call, if present.
    void ParseWindowSpec(ast::FunctionCallExpr& call);
    ast::PartitionDefinition ParsePartitionDefinition();
    std::optional<std::string> ParsePartitionValue();
    std::vector<std::string> ParsePartitionTuple();
    ast::StatementPtr ParseInsert();
    ast::StatementPtr ParseDelete();
    ast::StatementPtr ParseUpdate();
    /// MERGE INTO ... USING ... ON ... WHEN ... (merge_parser.cpp).
    ast::StatementPtr ParseMerge();
    // Materialized views and tasks (mv_parser.cpp); ParseMaterializedView starts at MATERIALIZED.
    ast::StatementPtr ParseMaterializedView(ast::MaterializedViewStatement::Action action);
    ast::StatementPtr ParseTask();
    void ParseRefreshScheme(ast::RefreshScheme& scheme);
    void ParseEveryClause(ast::RefreshScheme& scheme);
    ast::StatementPtr ParseTruncate();
    std::vector<ast::Assignment> ParseAssignments();
    std::vector<std::string> ParseColumnList();
    ast::UserIdentity ParseUser();
    // Access control (privilege_parser.cpp).
    ast::StatementPtr ParseGrant(bool revoke);
    ast::StatementPtr ParseRoleStatement(bool create);
    ast::StatementPtr ParseSetRole();
    /// `NONE | ALL | r, ...` of DEFAULT ROLE: "", "ALL" or names joined by commas.
    std::string ParseDefaultRoleSpec();
    /// A privilege's words ("SELECT", "CREATE TABLE", "ALL"), upper case.
    std::string ParsePrivilegeName();
    std::string ParsePasswordValue();
    /// `IDENTIFIED [WITH plugin] BY 'pw'`, or a mysql_native_password hash (`BY PASSWORD '*hash'`,
    /// `WITH mysql_native_password AS '*hash'`: `is_hash` set) after CREATE / ALTER USER's name.
    std::string ParseIdentifiedBy(bool* is_hash);
    /// CREATE / ALTER USER's account options, as many as follow.
    void ParseAccountOptions(ast::AccountOptions& options);
    std::vector<std::pair<std::string, std::string>> ParseProperties();
    /// After CREATE / ALTER / PAUSE / RESUME / STOP / SHOW [ALL]: the rest of a routine load statement.
    ast::StatementPtr ParseRoutineLoad(ast::RoutineLoadStatement::Action action);
    /// The statement text of tokens [from, pos_) (comments inside kept out only at the ends).
    std::string SourceTextFrom(size_t from) const;

    std::string_view sql_;
    std::vector<Token> tokens_;
    size_t pos_ = 0;
    int depth_ = 0;
    /// The deepest level (nesting levels plus links of operator chains) of the expression being
    /// measured by the innermost Chain or ParseAssociative.
    int peak_ = 0;
    uint32_t parameter_count_ = 0;
};

/// Words that cannot be used as unquoted identifiers (aliases, column names).
bool IsReservedWord(std::string_view word);

}  // namespace floe
