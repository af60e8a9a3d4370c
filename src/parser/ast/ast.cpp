// ToString for AST nodes (re-printed SQL) and out-of-line members.
#include "common/ascii.h"
#include "parser/ast/statement.h"

namespace floe::ast {

namespace {
const char* BinaryOpText(BinaryOp op) {
    switch (op) {
        case BinaryOp::ADD:
            return "+";
        case BinaryOp::SUBTRACT:
            return "-";
        case BinaryOp::MULTIPLY:
            return "*";
        case BinaryOp::DIVIDE:
            return "/";
        case BinaryOp::INT_DIVIDE:
            return "DIV";
        case BinaryOp::MODULO:
            return "%";
        case BinaryOp::EQUAL:
            return "=";
        case BinaryOp::NOT_EQUAL:
            return "!=";
        case BinaryOp::LESS:
            return "<";
        case BinaryOp::LESS_EQUAL:
            return "<=";
        case BinaryOp::GREATER:
            return ">";
        case BinaryOp::GREATER_EQUAL:
            return ">=";
        case BinaryOp::NULL_SAFE_EQUAL:
            return "<=>";
        case BinaryOp::AND:
            return "AND";
        case BinaryOp::OR:
            return "OR";
        case BinaryOp::XOR:
            return "XOR";
        case BinaryOp::BIT_AND:
            return "&";
        case BinaryOp::BIT_OR:
            return "|";
        case BinaryOp::BIT_XOR:
            return "^";
        case BinaryOp::SHIFT_LEFT:
            return "<<";
        case BinaryOp::SHIFT_RIGHT:
            return ">>";
    }
    return "?";
}
}  // namespace

std::string LiteralExpr::ToString() const {
    return value.ToSqlLiteral();
}

std::string ColumnRefExpr::ToString() const {
    std::string s;
    for (size_t i = 0; i < parts.size(); ++i) s += (i ? "." : "") + parts[i];
    return s;
}

std::string StarExpr::ToString() const {
    return qualifier.empty() ? "*" : qualifier + ".*";
}

std::string FunctionCallExpr::ToString() const {
    std::string s = name + "(";
    if (distinct) s += "DISTINCT ";
    if (star) s += "*";
    for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i]->ToString();
    s += ")";
    if (over) {
        s += " OVER (";
        for (size_t i = 0; i < over->partition_by.size(); ++i) {
            s += (i ? ", " : "PARTITION BY ") + over->partition_by[i]->ToString();
        }
        for (size_t i = 0; i < over->order_by.size(); ++i) {
            s += std::string(i ? ", " : (over->partition_by.empty() ? "ORDER BY " : " ORDER BY ")) +
                 over->order_by[i].expr->ToString() + (over->order_by[i].ascending ? "" : " DESC");
        }
        s += ")";
    }
    return s;
}

std::string UnaryExpr::ToString() const {
    switch (op) {
        case UnaryOp::NOT:
            return "NOT " + operand->ToString();
        case UnaryOp::NEGATE:
            return "-" + operand->ToString();
        case UnaryOp::PLUS:
            return "+" + operand->ToString();
        case UnaryOp::BIT_NOT:
            return "~" + operand->ToString();
    }
    return operand->ToString();
}

std::string BinaryExpr::ToString() const {
    return "(" + left->ToString() + " " + BinaryOpText(op) + " " + right->ToString() + ")";
}

std::string CaseExpr::ToString() const {
    std::string s = "CASE";
    if (operand) s += " " + operand->ToString();
    for (const auto& [w, t] : when_then) s += " WHEN " + w->ToString() + " THEN " + t->ToString();
    if (else_expr) s += " ELSE " + else_expr->ToString();
    return s + " END";
}

std::string CastExpr::ToString() const {
    return "CAST(" + expr->ToString() + " AS " + target.ToString() + ")";
}

std::string RowExpr::ToString() const {
    std::string s = "(";
    for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + items[i]->ToString();
    return s + ")";
}

std::string LambdaExpr::ToString() const {
    std::string s = params.size() == 1 ? params[0] : "(";
    if (params.size() != 1) {
        for (size_t i = 0; i < params.size(); ++i) s += (i ? ", " : "") + params[i];
        s += ")";
    }
    return s + " -> " + body->ToString();
}

std::string InListExpr::ToString() const {
    std::string s = expr->ToString() + (negated ? " NOT IN (" : " IN (");
    for (size_t i = 0; i < list.size(); ++i) s += (i ? ", " : "") + list[i]->ToString();
    return s + ")";
}

std::string BetweenExpr::ToString() const {
    return expr->ToString() + (negated ? " NOT BETWEEN " : " BETWEEN ") + low->ToString() + " AND " + high->ToString();
}

std::string IsNullExpr::ToString() const {
    return expr->ToString() + (negated ? " IS NOT NULL" : " IS NULL");
}

std::string LikeExpr::ToString() const {
    return expr->ToString() + (negated ? " NOT" : "") + (regexp ? " REGEXP " : " LIKE ") + pattern->ToString();
}

std::string VariableExpr::ToString() const {
    switch (scope) {
        case VariableScope::USER:
            return "@" + name;
        case VariableScope::DEFAULT:
            return "@@" + name;
        case VariableScope::SESSION:
            return "@@session." + name;
        case VariableScope::GLOBAL:
            return "@@global." + name;
    }
    return name;
}

std::string ParameterExpr::ToString() const {
    return "?";
}

std::string IntervalExpr::ToString() const {
    return "INTERVAL " + value->ToString() + " " + unit;
}

SubqueryExpr::SubqueryExpr() : Expr(ExprKind::SUBQUERY) {}
SubqueryExpr::~SubqueryExpr() = default;

std::string SubqueryExpr::ToString() const {
    switch (subquery_kind) {
        case SubqueryKind::EXISTS:
            return negated ? "NOT EXISTS (subquery)" : "EXISTS (subquery)";
        case SubqueryKind::IN:
            return lhs->ToString() + (negated ? " NOT IN (subquery)" : " IN (subquery)");
        default:
            return "(subquery)";
    }
}

SubqueryTableRef::SubqueryTableRef() : TableRef(TableRefKind::SUBQUERY) {}
SubqueryTableRef::~SubqueryTableRef() = default;

}  // namespace floe::ast
