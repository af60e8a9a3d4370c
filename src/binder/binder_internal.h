#pragma once
/// Helpers the binder's source files share (not part of the binder's interface).

#include <fmt/format.h>

#include <memory>
#include <optional>
#include <string>

#include "parser/ast/expression.h"

namespace floe::binder_internal {

/// "line L, column C: ", the prefix of a binder error about `loc`.
inline std::string At(const ast::SourceLocation& loc) {
    return fmt::format("line {}, column {}: ", loc.line, loc.column);
}

/// Whether `e` calls an aggregate (or, with `windows`, a window function) outside a subquery. A
/// window call is not an aggregate itself, but what it reads may contain one.
bool ContainsAggregate(const ast::Expr& e, bool windows = false);

}  // namespace floe::binder_internal

namespace floe {
struct BoundExpression;
}

namespace floe::binder_internal {

/// The value of a constant integer expression (a literal, maybe negated, or one that casts to
/// an integer), for LIMIT, OFFSET and table function arguments; BinderError naming `what`
/// otherwise.
int64_t ConstantInteger(const BoundExpression& e, const std::string& what, const ast::SourceLocation& loc);

/// COALESCE never evaluates the arguments after one that is a non-NULL constant: they are
/// dropped (the whole call when it is the first), so they may read columns that are not GROUP
/// BY keys (SQLite, MySQL and PostgreSQL accept `COALESCE(5, col)` in a grouped select list).
/// GROUP BY keys are compared with select items in this form on both sides.
void DropDeadCoalesceArguments(std::unique_ptr<BoundExpression>& e);

/// The select-list position an ORDER BY or GROUP BY item names: a non-negative integer literal
/// (MySQL reads `ORDER BY -1` as an expression). One beyond int64 (a LARGEINT literal) comes back
/// as INT64_MAX, beyond every list. nullopt for anything else.
std::optional<int64_t> PositionLiteral(const ast::Expr& e);

/// An integer constant's value when it fits an int64 (a LARGEINT may not); nullopt otherwise.
std::optional<int64_t> SmallIntegerValue(const Value& v);

}  // namespace floe::binder_internal
