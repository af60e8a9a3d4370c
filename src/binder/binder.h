#pragma once
/// The binder turns AST statements into bound form: it resolves names against the catalog and
/// the FROM scope, types every expression, resolves functions, inserts implicit casts, and folds
/// session facts (DATABASE(), @@vars, prepared-statement parameters) into constants. Errors name
/// the position and the problem ("line 1, column 8: unknown column 'amout'; did you mean 'amount'?").

#include <string>
#include <vector>

#include "binder/bound_query.h"
#include "binder/client_context.h"
#include "parser/ast/statement.h"

namespace floe {

/// One column visible to expressions: its table alias and name and its input index.
struct ScopeColumn {
    std::string table;
    std::string name;
    LogicalType type;
    bool nullable = true;
};

class Binder {
  public:
    /// `params` are the values of `?` placeholders (nullptr: every placeholder binds as NULL).
    Binder(ClientContext& context, const std::vector<Value>* params = nullptr);

    BoundSelect BindSelect(const ast::QueryNode& query);
    /// Binds an expression that may only use constants, variables and functions (SET values).
    BoundExprPtr BindConstantExpression(const ast::Expr& expr);
    /// Binds an expression over the given columns.
    BoundExprPtr BindExpression(const ast::Expr& expr, const std::vector<ScopeColumn>& scope);

  private:
    BoundExprPtr Bind(const ast::Expr& expr);
    BoundExprPtr BindColumnRef(const ast::ColumnRefExpr& ref);
    BoundExprPtr BindFunctionCall(const ast::FunctionCallExpr& call);
    BoundExprPtr BindBinary(const ast::BinaryExpr& expr);
    BoundExprPtr BindCase(const ast::CaseExpr& expr);
    /// Resolves `name` in the registry for the bound args and wraps args in casts as needed.
    BoundExprPtr MakeFunction(const std::string& name, std::vector<BoundExprPtr> args, const ast::Expr& at);
    BoundExprPtr MakeIntervalAdd(BoundExprPtr date, const ast::IntervalExpr& interval, bool subtract);
    void BindFrom(const ast::TableRef& ref, BoundSelect& select);

    ClientContext& context_;
    const std::vector<Value>* params_;
    std::vector<ScopeColumn> scope_;
};

/// Adds an explicit cast when `expr` is not already of type `to`.
BoundExprPtr AddCastIfNeeded(BoundExprPtr expr, const LogicalType& to);

}  // namespace floe
