#pragma once
/// Expression nodes of the AST, exactly as written: no names resolved, no types checked (the
/// binder does that). Every node records where it started in the statement text so later errors
/// can point at it.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "types/logical_type.h"
#include "types/value.h"

namespace floe::ast {

/// 1-based line and column of a node's first character in the statement text.
struct SourceLocation {
    uint32_t line = 1;
    uint32_t column = 1;
};

enum class ExprKind : uint8_t {
    LITERAL,
    COLUMN_REF,
    STAR,
    FUNCTION_CALL,
    UNARY,
    BINARY,
    CASE,
    CAST,
    IN_LIST,
    BETWEEN,
    IS_NULL,
    LIKE,
    VARIABLE,
    PARAMETER,
    INTERVAL,
    SUBQUERY,
    ROW,
    LAMBDA,
};

struct Expr {
    explicit Expr(ExprKind k) : kind(k) {}
    virtual ~Expr() = default;
    ExprKind kind;
    SourceLocation location;
    /// SQL text of the expression, re-printed from the tree (used for result column names).
    virtual std::string ToString() const = 0;
};
using ExprPtr = std::unique_ptr<Expr>;

/// A constant: integers are BIGINT (LARGEINT or DECIMAL when they do not fit), `1.5` is a
/// DECIMAL with the written precision/scale, `1e3` is DOUBLE, strings are VARCHAR, TRUE/FALSE are
/// BOOLEAN, `DATE '...'` / `TIMESTAMP '...'` / `DATETIME '...'` are typed, NULL is NULL_TYPE.
struct LiteralExpr : Expr {
    LiteralExpr() : Expr(ExprKind::LITERAL) {}
    Value value;
    std::string ToString() const override;
};

/// `a`, `t.a`, `db.t.a`, `catalog.db.t.a`; each part unquoted (backticks removed).
struct ColumnRefExpr : Expr {
    ColumnRefExpr() : Expr(ExprKind::COLUMN_REF) {}
    std::vector<std::string> parts;
    std::string ToString() const override;
};

/// `*` or `t.*` in a select list.
struct StarExpr : Expr {
    StarExpr() : Expr(ExprKind::STAR) {}
    std::string qualifier;  // empty for a bare *
    std::string ToString() const override;
};

/// ORDER BY item, also used inside window specifications.
struct OrderByItem {
    ExprPtr expr;
    bool ascending = true;
    std::optional<bool> nulls_first;  // unset: the default (NULLS FIRST for ASC, LAST for DESC)
};

/// One end of a window frame.
struct FrameBound {
    enum Kind : uint8_t { UNBOUNDED_PRECEDING, PRECEDING, CURRENT_ROW, FOLLOWING, UNBOUNDED_FOLLOWING };
    Kind kind = CURRENT_ROW;
    int64_t offset = 0;  // PRECEDING / FOLLOWING
};

/// `OVER ([PARTITION BY ...] [ORDER BY ...] [ROWS|RANGE frame])`.
struct WindowSpec {
    std::vector<ExprPtr> partition_by;
    std::vector<OrderByItem> order_by;
    bool has_frame = false;
    bool rows = true;  // ROWS (else RANGE)
    FrameBound start, end;
};

/// `f(args)`, `COUNT(*)`, `COUNT(DISTINCT a, b)`, and the keyword-called forms the parser maps to
/// calls: `CURRENT_DATE`, `CURRENT_TIMESTAMP`, `EXTRACT(unit FROM e)` -> extract('unit', e),
/// `TRIM([BOTH|LEADING|TRAILING] x FROM y)`, `SUBSTRING(x FROM a FOR b)`, `DATE_ADD(d, INTERVAL..)`.
struct FunctionCallExpr : Expr {
    FunctionCallExpr() : Expr(ExprKind::FUNCTION_CALL) {}
    std::string name;  // lower-cased
    std::vector<ExprPtr> args;
    bool distinct = false;
    bool star = false;  // COUNT(*)
    /// GROUP_CONCAT(... ORDER BY ... SEPARATOR ...) extras.
    std::vector<OrderByItem> order_by;
    std::optional<std::string> separator;
    /// A window function call: `f(...) OVER (...)`.
    std::shared_ptr<WindowSpec> over;
    std::string ToString() const override;
};

enum class UnaryOp : uint8_t { NOT, NEGATE, PLUS, BIT_NOT };

struct UnaryExpr : Expr {
    UnaryExpr() : Expr(ExprKind::UNARY) {}
    UnaryOp op = UnaryOp::NOT;
    ExprPtr operand;
    std::string ToString() const override;
};

enum class BinaryOp : uint8_t {
    ADD,
    SUBTRACT,
    MULTIPLY,
    DIVIDE,      // `/`
    INT_DIVIDE,  // DIV
    MODULO,      // % and MOD
    EQUAL,
    NOT_EQUAL,  // <> and !=
    LESS,
    LESS_EQUAL,
    GREATER,
    GREATER_EQUAL,
    NULL_SAFE_EQUAL,  // <=>
    AND,              // AND and &&
    OR,               // OR and ||
    XOR,
    BIT_AND,
    BIT_OR,
    BIT_XOR,
    SHIFT_LEFT,
    SHIFT_RIGHT,
};

struct BinaryExpr : Expr {
    BinaryExpr() : Expr(ExprKind::BINARY) {}
    BinaryOp op = BinaryOp::ADD;
    ExprPtr left;
    ExprPtr right;
    std::string ToString() const override;
};

struct CaseExpr : Expr {
    CaseExpr() : Expr(ExprKind::CASE) {}
    ExprPtr operand;  // CASE x WHEN ... ; null for searched CASE
    std::vector<std::pair<ExprPtr, ExprPtr>> when_then;
    ExprPtr else_expr;  // may be null
    std::string ToString() const override;
};

/// `CAST(e AS type)`, `CONVERT(e, type)`, and `e::type`. Target types: the SQL type names plus
/// MySQL's SIGNED [INTEGER] (BIGINT), UNSIGNED (LARGEINT), CHAR[(n)] (VARCHAR), BINARY (VARCHAR).
struct CastExpr : Expr {
    CastExpr() : Expr(ExprKind::CAST) {}
    ExprPtr expr;
    LogicalType target;
    std::string ToString() const override;
};

/// A row constructor `(a, b, ...)`: compared with another row (=, <>, <=>, lexicographic <, <=,
/// >, >=), with the rows of an IN list, or with a subquery's rows (IN, ANY, ALL).
struct RowExpr : Expr {
    RowExpr() : Expr(ExprKind::ROW) {}
    std::vector<ExprPtr> items;
    std::string ToString() const override;
};

/// `x -> body` or `(x, y) -> body`: a function argument of the array functions that take one
/// (array_map, array_filter, ...); the parameters stand for elements of the arrays.
struct LambdaExpr : Expr {
    LambdaExpr() : Expr(ExprKind::LAMBDA) {}
    std::vector<std::string> params;
    ExprPtr body;
    std::string ToString() const override;
};

struct InListExpr : Expr {
    InListExpr() : Expr(ExprKind::IN_LIST) {}
    ExprPtr expr;
    std::vector<ExprPtr> list;
    bool negated = false;
    std::string ToString() const override;
};

struct BetweenExpr : Expr {
    BetweenExpr() : Expr(ExprKind::BETWEEN) {}
    ExprPtr expr;
    ExprPtr low;
    ExprPtr high;
    bool negated = false;
    std::string ToString() const override;
};

struct IsNullExpr : Expr {
    IsNullExpr() : Expr(ExprKind::IS_NULL) {}
    ExprPtr expr;
    bool negated = false;  // IS NOT NULL
    std::string ToString() const override;
};

/// `a [NOT] LIKE p [ESCAPE e]` and `a [NOT] REGEXP|RLIKE p`.
struct LikeExpr : Expr {
    LikeExpr() : Expr(ExprKind::LIKE) {}
    ExprPtr expr;
    ExprPtr pattern;
    ExprPtr escape;  // may be null
    bool negated = false;
    bool regexp = false;
    std::string ToString() const override;
};

enum class VariableScope : uint8_t {
    USER,     // @name
    DEFAULT,  // @@name (session value, falling back to global)
    SESSION,  // @@session.name, @@local.name
    GLOBAL,   // @@global.name
};

struct VariableExpr : Expr {
    VariableExpr() : Expr(ExprKind::VARIABLE) {}
    VariableScope scope = VariableScope::DEFAULT;
    std::string name;  // lower-cased for system variables, as written for user variables
    std::string ToString() const override;
};

/// A `?` placeholder of a prepared statement; index counts from 0 in text order.
struct ParameterExpr : Expr {
    ParameterExpr() : Expr(ExprKind::PARAMETER) {}
    uint32_t index = 0;
    std::string ToString() const override;
};

/// `INTERVAL e unit` (unit upper-cased: DAY, HOUR, MINUTE, SECOND, MICROSECOND, WEEK, MONTH,
/// QUARTER, YEAR, ...).
struct IntervalExpr : Expr {
    IntervalExpr() : Expr(ExprKind::INTERVAL) {}
    ExprPtr value;
    std::string unit;
    std::string ToString() const override;
};

struct QueryNode;

enum class SubqueryKind : uint8_t { SCALAR, EXISTS, IN, ANY, ALL };

/// `(SELECT ...)`, `EXISTS (SELECT ...)`, `e [NOT] IN (SELECT ...)`, `e op ANY|ALL (SELECT ...)`.
struct SubqueryExpr : Expr {
    SubqueryExpr();
    ~SubqueryExpr() override;
    SubqueryKind subquery_kind = SubqueryKind::SCALAR;
    std::unique_ptr<QueryNode> query;
    ExprPtr lhs;                         // IN / ANY / ALL
    BinaryOp compare = BinaryOp::EQUAL;  // ANY / ALL
    bool negated = false;                // NOT IN, NOT EXISTS
    std::string ToString() const override;
};

}  // namespace floe::ast
