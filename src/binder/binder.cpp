#include "binder/binder.h"
#include "binder/binder_internal.h"

#include <fmt/format.h>

#include "binder/system_tables.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "function/cast.h"
#include "function/function_registry.h"
#include "types/date_time.h"
#include "types/time_zone.h"

namespace floe {

namespace {

using binder_internal::At;

size_t EditDistance(std::string_view a, std::string_view b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t sub = prev[j - 1] + (AsciiToLower(a[i - 1]) == AsciiToLower(b[j - 1]) ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

const char* BinaryFunctionName(ast::BinaryOp op) {
    switch (op) {
        case ast::BinaryOp::ADD:
            return "add";
        case ast::BinaryOp::SUBTRACT:
            return "subtract";
        case ast::BinaryOp::MULTIPLY:
            return "multiply";
        case ast::BinaryOp::DIVIDE:
            return "divide";
        case ast::BinaryOp::INT_DIVIDE:
            return "int_divide";
        case ast::BinaryOp::MODULO:
            return "modulo";
        case ast::BinaryOp::EQUAL:
            return "equal";
        case ast::BinaryOp::NOT_EQUAL:
            return "not_equal";
        case ast::BinaryOp::LESS:
            return "less";
        case ast::BinaryOp::LESS_EQUAL:
            return "less_equal";
        case ast::BinaryOp::GREATER:
            return "greater";
        case ast::BinaryOp::GREATER_EQUAL:
            return "greater_equal";
        case ast::BinaryOp::NULL_SAFE_EQUAL:
            return "null_safe_equal";
        case ast::BinaryOp::AND:
            return "and";
        case ast::BinaryOp::OR:
            return "or";
        case ast::BinaryOp::XOR:
            return "xor";
        default:
            return nullptr;
    }
}

// Maps an INTERVAL unit to the <unit>s_add function and a multiplier.
std::pair<std::string, int64_t> IntervalFunction(const std::string& unit, const ast::SourceLocation& loc) {
    std::string u = AsciiUpper(unit);
    if (u == "YEAR") return {"years", 1};
    if (u == "QUARTER") return {"quarters", 1};
    if (u == "MONTH") return {"months", 1};
    if (u == "WEEK") return {"weeks", 1};
    if (u == "DAY") return {"days", 1};
    if (u == "HOUR") return {"hours", 1};
    if (u == "MINUTE") return {"minutes", 1};
    if (u == "SECOND") return {"seconds", 1};
    if (u == "MILLISECOND") return {"milliseconds", 1};
    if (u == "MICROSECOND") return {"microseconds", 1};
    throw BinderError(At(loc) + "unsupported INTERVAL unit '" + unit + "'", ErrorCode::NOT_SUPPORTED);
}

}  // namespace

BoundExprPtr AddCastIfNeeded(BoundExprPtr expr, const LogicalType& to) {
    if (expr->type == to) return expr;
    if (to.id == TypeId::VARCHAR && expr->type.id == TypeId::VARCHAR) return expr;  // lengths do not matter
    if (!CanCast(expr->type, to)) {
        throw BinderError("cannot cast " + expr->type.ToString() + " to " + to.ToString(), ErrorCode::TYPE_MISMATCH);
    }
    bool nullable = expr->nullable;
    auto cast = std::make_unique<BoundCast>(std::move(expr), to);
    cast->nullable = nullable || !to.IsString();
    return cast;
}

Binder::Binder(ClientContext& context, const std::vector<Value>* params) : context_(context), params_(params) {}

BoundExprPtr Binder::BindConstantExpression(const ast::Expr& expr) {
    scope_.clear();
    return Bind(expr);
}

BoundExprPtr Binder::BindExpression(const ast::Expr& expr, const std::vector<ScopeColumn>& scope) {
    scope_ = scope;
    return Bind(expr);
}

BoundExprPtr Binder::Bind(const ast::Expr& expr) {
    if (aggregate_context_) return BindAggregated(expr);
    return BindPlain(expr);
}

BoundExprPtr Binder::BindPlain(const ast::Expr& expr) {
    switch (expr.kind) {
        case ast::ExprKind::LITERAL:
            return std::make_unique<BoundConstant>(static_cast<const ast::LiteralExpr&>(expr).value);
        case ast::ExprKind::COLUMN_REF:
            return BindColumnRef(static_cast<const ast::ColumnRefExpr&>(expr));
        case ast::ExprKind::STAR:
            throw BinderError(At(expr.location) + "'*' is only allowed in the select list", ErrorCode::PARSE);
        case ast::ExprKind::FUNCTION_CALL:
            return BindFunctionCall(static_cast<const ast::FunctionCallExpr&>(expr));
        case ast::ExprKind::UNARY: {
            const auto& u = static_cast<const ast::UnaryExpr&>(expr);
            std::vector<BoundExprPtr> args;
            args.push_back(Bind(*u.operand));
            switch (u.op) {
                case ast::UnaryOp::PLUS:
                    return std::move(args[0]);
                case ast::UnaryOp::NOT:
                    return MakeFunction("not", std::move(args), expr);
                case ast::UnaryOp::NEGATE: {
                    // Fold negative literals so that -9223372036854775808 stays a BIGINT.
                    if (args[0]->kind == BoundExprKind::CONSTANT) {
                        const Value& v = static_cast<BoundConstant&>(*args[0]).value;
                        if (v.type().id == TypeId::LARGEINT && v.GetInt128() == static_cast<int128_t>(INT64_MAX) + 1) {
                            return std::make_unique<BoundConstant>(Value::Integer(INT64_MIN));
                        }
                        // -2 is a constant too (round(x, -2) narrows its result by it).
                        if (v.type().id == TypeId::BIGINT && !v.is_null() && v.GetInt() != INT64_MIN) {
                            return std::make_unique<BoundConstant>(Value::Integer(-v.GetInt()));
                        }
                    }
                    return MakeFunction("negate", std::move(args), expr);
                }
                case ast::UnaryOp::BIT_NOT:
                    throw NotSupportedError(At(expr.location) + "operator '~' is not supported yet");
            }
            break;
        }
        case ast::ExprKind::BINARY:
            return BindBinary(static_cast<const ast::BinaryExpr&>(expr));
        case ast::ExprKind::CASE:
            return BindCase(static_cast<const ast::CaseExpr&>(expr));
        case ast::ExprKind::CAST: {
            const auto& c = static_cast<const ast::CastExpr&>(expr);
            BoundExprPtr child = Bind(*c.expr);
            if (!CanCast(child->type, c.target)) {
                throw BinderError(
                    At(expr.location) + "cannot cast " + child->type.ToString() + " to " + c.target.ToString(),
                    ErrorCode::TYPE_MISMATCH);
            }
            if (child->type == c.target) return child;
            return std::make_unique<BoundCast>(std::move(child), c.target);
        }
        case ast::ExprKind::IN_LIST: {
            const auto& in = static_cast<const ast::InListExpr&>(expr);
            const bool row = in.expr->kind == ast::ExprKind::ROW;
            std::vector<BoundExprPtr> lhs_items = BindRowItems(*in.expr);
            BoundExprPtr lhs = row ? nullptr : std::move(lhs_items[0]);
            // One equality per item, OR-ed as a balanced tree: a list of 20,000 values is a tree
            // 15 levels high, which the recursive passes after the binder can walk.
            std::vector<BoundExprPtr> equalities;
            for (const auto& item : in.list) {
                BoundExprPtr eq;
                if (row) {
                    // (a, b) IN ((1, 2), (3, 4)): a row equality per item.
                    std::vector<BoundExprPtr> left;
                    for (const auto& l : lhs_items) left.push_back(l->Copy());
                    eq = CompareRows(ast::BinaryOp::EQUAL, std::move(left), BindRowItems(*item), *item);
                } else {
                    std::vector<BoundExprPtr> args;
                    args.push_back(lhs->Copy());
                    args.push_back(Bind(*item));
                    eq = MakeFunction("equal", std::move(args), expr);
                }
                equalities.push_back(std::move(eq));
            }
            BoundExprPtr result = MakeBalanced("or", equalities, 0, equalities.size(), expr);
            if (in.negated) {
                std::vector<BoundExprPtr> a;
                a.push_back(std::move(result));
                return MakeFunction("not", std::move(a), expr);
            }
            return result;
        }
        case ast::ExprKind::BETWEEN: {
            const auto& b = static_cast<const ast::BetweenExpr&>(expr);
            BoundExprPtr v = Bind(*b.expr);
            std::vector<BoundExprPtr> ge, le, both;
            ge.push_back(v->Copy());
            ge.push_back(Bind(*b.low));
            le.push_back(std::move(v));
            le.push_back(Bind(*b.high));
            both.push_back(MakeFunction("greater_equal", std::move(ge), expr));
            both.push_back(MakeFunction("less_equal", std::move(le), expr));
            BoundExprPtr r = MakeFunction("and", std::move(both), expr);
            if (!b.negated) return r;
            std::vector<BoundExprPtr> n;
            n.push_back(std::move(r));
            return MakeFunction("not", std::move(n), expr);
        }
        case ast::ExprKind::IS_NULL: {
            const auto& n = static_cast<const ast::IsNullExpr&>(expr);
            std::vector<BoundExprPtr> args;
            args.push_back(Bind(*n.expr));
            BoundExprPtr r = MakeFunction(n.negated ? "is_not_null" : "is_null", std::move(args), expr);
            r->nullable = false;
            return r;
        }
        case ast::ExprKind::LIKE: {
            const auto& l = static_cast<const ast::LikeExpr&>(expr);
            std::vector<BoundExprPtr> args;
            args.push_back(Bind(*l.expr));
            args.push_back(Bind(*l.pattern));
            if (l.escape && !l.regexp) args.push_back(Bind(*l.escape));
            BoundExprPtr r = MakeFunction(l.regexp ? "regexp" : "like", std::move(args), expr);
            if (!l.negated) return r;
            std::vector<BoundExprPtr> n;
            n.push_back(std::move(r));
            return MakeFunction("not", std::move(n), expr);
        }
        case ast::ExprKind::VARIABLE: {
            const auto& v = static_cast<const ast::VariableExpr&>(expr);
            try {
                return std::make_unique<BoundConstant>(context_.GetVariable(v.scope, v.name));
            } catch (const Exception& e) {
                throw BinderError(At(expr.location) + e.what(), e.code());
            }
        }
        case ast::ExprKind::PARAMETER: {
            const auto& p = static_cast<const ast::ParameterExpr&>(expr);
            if (!params_) return std::make_unique<BoundConstant>(Value::Null());
            if (p.index >= params_->size()) {
                throw BinderError(At(expr.location) + "not enough parameters for the prepared statement",
                                  ErrorCode::WRONG_PARAM_COUNT);
            }
            return std::make_unique<BoundConstant>((*params_)[p.index]);
        }
        case ast::ExprKind::INTERVAL:
            throw BinderError(At(expr.location) + "INTERVAL is only allowed in date arithmetic", ErrorCode::PARSE);
        case ast::ExprKind::SUBQUERY:
            return BindSubquery(static_cast<const ast::SubqueryExpr&>(expr));
        case ast::ExprKind::LAMBDA:
            throw BinderError(At(expr.location) + "a lambda " + expr.ToString() +
                                  " is only allowed as an argument of array_map, array_filter, all_match, "
                                  "any_match, none_match or array_sortby",
                              ErrorCode::WRONG_ARGUMENTS);
        case ast::ExprKind::ROW:
            throw BinderError(At(expr.location) + "a row " + expr.ToString() +
                                  " can only be compared with a row, an IN list of rows or a subquery",
                              ErrorCode::WRONG_ARGUMENTS);
    }
    throw InternalError("unhandled expression kind");
}

BoundExprPtr Binder::BindColumnRef(const ast::ColumnRefExpr& ref) {
    const std::string& name = ref.parts.back();
    std::string table = ref.parts.size() >= 2 ? ref.parts[ref.parts.size() - 2] : "";
    std::optional<size_t> found;
    // Real columns first; pseudo columns (rowid) only when no real column has the name.
    for (int pass = 0; pass < 2 && !found; ++pass) {
        for (size_t i = 0; i < scope_.size(); ++i) {
            if (scope_[i].hidden != (pass == 1)) continue;
            if (!AsciiEqualsIgnoreCase(scope_[i].name, name)) continue;
            if (!table.empty() && !AsciiEqualsIgnoreCase(scope_[i].table, table)) continue;
            if (table.empty() && scope_[i].qualified_only) continue;
            if (found) {
                throw BinderError(At(ref.location) + "Column '" + name + "' is ambiguous", ErrorCode::AMBIGUOUS_COLUMN);
            }
            found = i;
        }
    }
    // A column of an enclosing query: a correlated reference, numbered from kCorrelatedBase. The
    // nearest enclosing query that has the column wins; a query further out than the directly
    // enclosing one reaches this subquery through every query between, each of which reads it as
    // a correlated column of its own.
    for (size_t f = subquery_frames_.size(); !found && f-- > 0;) {
        SubqueryFrame& frame = subquery_frames_[f];
        std::optional<size_t> outer;
        for (size_t i = 0; i < frame.outer_scope.size(); ++i) {
            if (!AsciiEqualsIgnoreCase(frame.outer_scope[i].name, name)) continue;
            if (!table.empty() && !AsciiEqualsIgnoreCase(frame.outer_scope[i].table, table)) continue;
            if (table.empty() && frame.outer_scope[i].qualified_only) continue;
            if (outer)
                throw BinderError(At(ref.location) + "Column '" + name + "' is ambiguous", ErrorCode::AMBIGUOUS_COLUMN);
            outer = i;
        }
        if (!outer) continue;
        auto slot_of = [](SubqueryFrame& fr, size_t entry) {
            size_t slot = fr.correlated.size();
            for (size_t k = 0; k < fr.correlated.size(); ++k) {
                if (fr.correlated[k] == entry) slot = k;
            }
            if (slot == fr.correlated.size()) fr.correlated.push_back(entry);
            ++fr.uses;
            return slot;
        };
        size_t slot = slot_of(frame, *outer);
        for (size_t inner = f + 1; inner < subquery_frames_.size(); ++inner) {
            slot = slot_of(subquery_frames_[inner], kCorrelatedBase + slot);
        }
        return std::make_unique<BoundColumnRef>(kCorrelatedBase + slot, frame.outer_scope[*outer].type, name);
    }
    if (!found) {
        std::string message = At(ref.location) + "Unknown column '" + ref.ToString() + "' in 'field list'";
        size_t best = 3;
        std::string suggestion;
        for (const auto& c : scope_) {
            size_t d = EditDistance(c.name, name);
            if (d < best) {
                best = d;
                suggestion = c.name;
            }
        }
        if (!suggestion.empty()) message += "; did you mean '" + suggestion + "'?";
        throw BinderError(message, ErrorCode::UNKNOWN_COLUMN);
    }
    auto col = std::make_unique<BoundColumnRef>(*found, scope_[*found].type, scope_[*found].name);
    col->nullable = scope_[*found].nullable;
    return col;
}

BoundExprPtr Binder::MakeFunction(const std::string& name, std::vector<BoundExprPtr> args, const ast::Expr& at) {
    std::vector<LogicalType> types;
    for (const auto& a : args) types.push_back(a->type);
    BoundScalarFunction fn;
    try {
        fn = FunctionRegistry::Instance().BindScalar(name, types);
    } catch (const Exception& e) {
        throw BinderError(At(at.location) + e.what(), e.code());
    }
    bool nullable = false;
    for (size_t i = 0; i < args.size(); ++i) {
        nullable |= args[i]->nullable;
        try {
            args[i] = AddCastIfNeeded(std::move(args[i]), fn.arg_types[i]);
        } catch (const Exception& e) {
            throw BinderError(At(at.location) + name + "(): " + e.what(), e.code());
        }
    }
    auto f = std::make_unique<BoundFunction>(std::move(fn));
    f->args = std::move(args);
    f->nullable = true;  // division by zero, failed casts and out-of-range dates give NULL
    (void)nullable;
    for (const auto& a : f->args) f->height = std::max(f->height, a->height + 1);
    if (f->height > kMaxBoundExpressionDepth) {
        throw BinderError(At(at.location) + fmt::format("expression is nested too deeply (more than {} levels once "
                                                        "bound: each WHEN of a CASE and each value of a row "
                                                        "comparison adds one)",
                                                        kMaxBoundExpressionDepth),
                          ErrorCode::PARSE);
    }
    return f;
}

BoundExprPtr Binder::MakeBalanced(const char* name, std::vector<BoundExprPtr>& parts, size_t begin, size_t end,
                                  const ast::Expr& at) {
    if (end - begin == 1) return std::move(parts[begin]);
    size_t mid = begin + (end - begin + 1) / 2;
    std::vector<BoundExprPtr> args;
    args.push_back(MakeBalanced(name, parts, begin, mid, at));
    args.push_back(MakeBalanced(name, parts, mid, end, at));
    return MakeFunction(name, std::move(args), at);
}

BoundExprPtr Binder::MakeIntervalAdd(BoundExprPtr date, const ast::IntervalExpr& interval, bool subtract) {
    auto [unit, mult] = IntervalFunction(interval.unit, interval.location);
    std::vector<BoundExprPtr> args;
    if (date->type.IsString()) date = AddCastIfNeeded(std::move(date), TypeId::DATETIME);
    args.push_back(std::move(date));
    args.push_back(Bind(*interval.value));
    (void)mult;
    return MakeFunction(unit + (subtract ? "_sub" : "_add"), std::move(args), interval);
}

std::vector<BoundExprPtr> Binder::BindRowItems(const ast::Expr& expr) {
    std::vector<BoundExprPtr> items;
    if (expr.kind != ast::ExprKind::ROW) {
        items.push_back(Bind(expr));
        return items;
    }
    for (const auto& e : static_cast<const ast::RowExpr&>(expr).items) items.push_back(Bind(*e));
    return items;
}

BoundExprPtr Binder::CompareRows(ast::BinaryOp op, std::vector<BoundExprPtr> left, std::vector<BoundExprPtr> right,
                                 const ast::Expr& at) {
    if (left.size() != right.size()) {
        throw BinderError(At(at.location) + "a row of " + std::to_string(left.size()) + " values is compared with " +
                              std::to_string(right.size()) + " values",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    auto call = [&](const char* name, BoundExprPtr a, BoundExprPtr b) {
        std::vector<BoundExprPtr> args;
        args.push_back(std::move(a));
        args.push_back(std::move(b));
        return MakeFunction(name, std::move(args), at);
    };
    const size_t n = left.size();
    switch (op) {
        case ast::BinaryOp::EQUAL:
        case ast::BinaryOp::NULL_SAFE_EQUAL:
        case ast::BinaryOp::NOT_EQUAL: {
            // Equal when every pair is; different when any pair is (SQL's NULL logic included).
            const char* pair = op == ast::BinaryOp::NOT_EQUAL ? "not_equal"
                               : op == ast::BinaryOp::EQUAL   ? "equal"
                                                              : "null_safe_equal";
            const char* join = op == ast::BinaryOp::NOT_EQUAL ? "or" : "and";
            std::vector<BoundExprPtr> pairs;
            for (size_t i = 0; i < n; ++i) pairs.push_back(call(pair, std::move(left[i]), std::move(right[i])));
            return MakeBalanced(join, pairs, 0, n, at);
        }
        case ast::BinaryOp::LESS:
        case ast::BinaryOp::LESS_EQUAL:
        case ast::BinaryOp::GREATER:
        case ast::BinaryOp::GREATER_EQUAL: {
            // Lexicographic: (a1, a2) < (b1, b2) = a1 < b1 OR (a1 = b1 AND a2 < b2); the last
            // pair takes the operator itself (<= stays <=).
            const bool less = op == ast::BinaryOp::LESS || op == ast::BinaryOp::LESS_EQUAL;
            const char* strict = less ? "less" : "greater";
            BoundExprPtr result = call(BinaryFunctionName(op), std::move(left[n - 1]), std::move(right[n - 1]));
            for (size_t i = n - 1; i-- > 0;) {
                BoundExprPtr lt = call(strict, left[i]->Copy(), right[i]->Copy());
                BoundExprPtr eq = call("equal", std::move(left[i]), std::move(right[i]));
                result = call("or", std::move(lt), call("and", std::move(eq), std::move(result)));
            }
            return result;
        }
        default:
            throw BinderError(At(at.location) + "rows can only be compared (=, <>, <=>, <, <=, >, >=)",
                              ErrorCode::WRONG_ARGUMENTS);
    }
}

BoundExprPtr Binder::BindBinary(const ast::BinaryExpr& expr) {
    if (expr.left->kind == ast::ExprKind::ROW || expr.right->kind == ast::ExprKind::ROW) {
        return CompareRows(expr.op, BindRowItems(*expr.left), BindRowItems(*expr.right), expr);
    }
    if ((expr.op == ast::BinaryOp::ADD || expr.op == ast::BinaryOp::SUBTRACT) &&
        expr.right->kind == ast::ExprKind::INTERVAL) {
        return MakeIntervalAdd(Bind(*expr.left), static_cast<const ast::IntervalExpr&>(*expr.right),
                               expr.op == ast::BinaryOp::SUBTRACT);
    }
    if (expr.op == ast::BinaryOp::ADD && expr.left->kind == ast::ExprKind::INTERVAL) {
        return MakeIntervalAdd(Bind(*expr.right), static_cast<const ast::IntervalExpr&>(*expr.left), false);
    }
    const char* name = BinaryFunctionName(expr.op);
    if (!name) throw NotSupportedError(At(expr.location) + "bitwise operators are not supported yet");
    std::vector<BoundExprPtr> args;
    args.push_back(Bind(*expr.left));
    args.push_back(Bind(*expr.right));
    BoundExprPtr r = MakeFunction(name, std::move(args), expr);
    if (expr.op == ast::BinaryOp::NULL_SAFE_EQUAL) r->nullable = false;
    return r;
}

BoundExprPtr Binder::BindCase(const ast::CaseExpr& expr) {
    // CASE becomes nested if(): CASE WHEN c1 THEN r1 WHEN c2 THEN r2 ELSE e END = if(c1, r1, if(c2, r2, e)).
    BoundExprPtr operand = expr.operand ? Bind(*expr.operand) : nullptr;
    BoundExprPtr result = expr.else_expr ? Bind(*expr.else_expr) : std::make_unique<BoundConstant>(Value::Null());
    for (auto it = expr.when_then.rbegin(); it != expr.when_then.rend(); ++it) {
        BoundExprPtr cond;
        if (operand) {
            std::vector<BoundExprPtr> eq;
            eq.push_back(operand->Copy());
            eq.push_back(Bind(*it->first));
            cond = MakeFunction("equal", std::move(eq), expr);
        } else {
            cond = Bind(*it->first);
        }
        std::vector<BoundExprPtr> args;
        args.push_back(std::move(cond));
        args.push_back(Bind(*it->second));
        args.push_back(std::move(result));
        result = MakeFunction("if", std::move(args), expr);
    }
    return result;
}

BoundExprPtr Binder::BindWindowCall(const ast::FunctionCallExpr& call) {
    std::string name = AsciiLower(call.name);
    if (!call.order_by.empty()) {
        throw NotSupportedError(At(call.location) + "ORDER BY inside the call of window function " + name +
                                "() is not supported; order the window with OVER (ORDER BY ...)");
    }
    if (!windows_) {
        throw BinderError(At(call.location) + "window functions are allowed only in the select list and ORDER BY",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    // Parts of a window may not hold another window.
    auto* windows = windows_;
    windows_ = nullptr;
    BoundWindow w;
    w.function = name;
    w.text = call.ToString();
    try {
        for (const auto& a : call.args) w.args.push_back(Bind(*a));
        for (const auto& p : call.over->partition_by) w.partition_by.push_back(Bind(*p));
        for (const auto& o : call.over->order_by) {
            BoundOrderBy ob;
            ob.expr = Bind(*o.expr);
            ob.ascending = o.ascending;
            ob.nulls_first = o.nulls_first.value_or(o.ascending);
            w.order_by.push_back(std::move(ob));
        }
    } catch (...) {
        windows_ = windows;
        throw;
    }
    windows_ = windows;
    w.has_frame = call.over->has_frame;
    w.rows = call.over->rows;
    w.start = call.over->start;
    w.end = call.over->end;
    auto constant_int = [&](size_t i, int64_t fallback) -> int64_t {
        if (i >= w.args.size()) return fallback;
        std::optional<int64_t> v;
        if (w.args[i]->kind == BoundExprKind::CONSTANT) {
            v = binder_internal::SmallIntegerValue(static_cast<const BoundConstant&>(*w.args[i]).value);
        }
        if (!v) {
            throw BinderError(
                At(call.location) + name + "(): argument " + std::to_string(i + 1) + " must be an integer constant",
                ErrorCode::WRONG_ARGUMENTS);
        }
        return *v;
    };
    auto arity = [&](size_t lo, size_t hi) {
        if (w.args.size() < lo || w.args.size() > hi) {
            throw BinderError(At(call.location) + "wrong number of arguments for window function " + name + "()",
                              ErrorCode::WRONG_ARGUMENTS);
        }
    };
    if (name == "row_number" || name == "rank" || name == "dense_rank") {
        arity(0, 0);
        w.type = TypeId::BIGINT;
    } else if (name == "cume_dist" || name == "percent_rank") {
        arity(0, 0);
        w.type = TypeId::DOUBLE;
    } else if (name == "ntile") {
        arity(1, 1);
        w.offset = constant_int(0, 1);
        if (w.offset <= 0) throw BinderError(At(call.location) + "ntile() needs a positive number of buckets");
        w.args.clear();
        w.type = TypeId::BIGINT;
    } else if (name == "lag" || name == "lead") {
        arity(1, 3);
        w.offset = constant_int(1, 1);
        if (w.offset < 0) throw BinderError(At(call.location) + name + "() needs a non-negative offset");
        w.type = w.args[0]->type.id == TypeId::NULL_TYPE ? LogicalType(TypeId::BIGINT) : w.args[0]->type;
        w.args[0] = AddCastIfNeeded(std::move(w.args[0]), w.type);
        if (w.args.size() == 3) {
            w.args[1] = std::move(w.args[2]);
            w.args[1] = AddCastIfNeeded(std::move(w.args[1]), w.type);
            w.args.pop_back();
        } else if (w.args.size() == 2) {
            w.args.pop_back();
        }
    } else if (name == "first_value" || name == "last_value") {
        arity(1, 1);
        w.type = w.args[0]->type.id == TypeId::NULL_TYPE ? LogicalType(TypeId::BIGINT) : w.args[0]->type;
        w.args[0] = AddCastIfNeeded(std::move(w.args[0]), w.type);
    } else if (FunctionRegistry::Instance().IsAggregate(name)) {
        std::vector<LogicalType> types;
        for (const auto& a : w.args) types.push_back(a->type);
        try {
            w.aggregate = FunctionRegistry::Instance().BindAggregate(name, types, call.distinct);
        } catch (const Exception& e) {
            throw BinderError(At(call.location) + e.what(), e.code());
        }
        if (call.distinct) {
            throw NotSupportedError(At(call.location) + "DISTINCT in window aggregates is not supported");
        }
        for (size_t i = 0; i < w.args.size(); ++i) {
            w.args[i] = AddCastIfNeeded(std::move(w.args[i]), w.aggregate->arg_types[i]);
        }
        w.type = w.aggregate->return_type;
    } else {
        throw NotSupportedError(At(call.location) + "'" + name +
                                "' is not a window function (row_number, rank, dense_rank, cume_dist, "
                                "percent_rank, ntile, lag, lead, first_value, last_value, or an aggregate)");
    }
    if (w.has_frame && !w.rows &&
        (w.start.kind == ast::FrameBound::PRECEDING || w.start.kind == ast::FrameBound::FOLLOWING ||
         w.end.kind == ast::FrameBound::PRECEDING || w.end.kind == ast::FrameBound::FOLLOWING)) {
        throw NotSupportedError(At(call.location) + "RANGE frames with offsets are not supported; use ROWS");
    }
    LogicalType type = w.type;
    std::string text = w.text;
    size_t index = windows->size();
    windows->push_back(std::move(w));
    return std::make_unique<BoundColumnRef>(kWindowBase + index, type, text);
}

BoundExprPtr Binder::BindFunctionCall(const ast::FunctionCallExpr& call) {
    if (call.over) return BindWindowCall(call);
    std::string name = AsciiLower(call.name);
    auto constant = [&](Value v) -> BoundExprPtr {
        if (!call.args.empty()) {
            throw BinderError(At(call.location) + name + "() takes no arguments", ErrorCode::WRONG_ARGUMENTS);
        }
        auto c = std::make_unique<BoundConstant>(std::move(v));
        c->nullable = false;
        return c;
    };
    // Facts of the session and the statement fold to constants.
    if (name == "version")
        return constant(Value::Varchar(context_.GetVariable(ast::VariableScope::DEFAULT, "version").ToString()));
    if (name == "database" || name == "schema") {
        const std::string& db = context_.CurrentDatabase();
        BoundExprPtr c = constant(db.empty() ? Value::Null(LogicalType::Varchar()) : Value::Varchar(db));
        c->nullable = true;
        return c;
    }
    if (name == "user" || name == "current_user" || name == "session_user" || name == "system_user") {
        return constant(Value::Varchar(context_.UserAndHost()));
    }
    if (name == "connection_id") return constant(Value::Integer(context_.ConnectionId()));
    // StarRocks' last_query_id(): the id of the session's previous statement; get_query_profile(id):
    // its kept profile (the user's own queries, anyone's with OPERATE), NULL when there is none.
    if (name == "last_query_id" && call.args.empty()) {
        std::string id = context_.LastQueryId();
        BoundExprPtr c = constant(id.empty() ? Value::Null(LogicalType::Varchar()) : Value::Varchar(id));
        c->nullable = true;
        return c;
    }
    if (name == "get_query_profile" && call.args.size() == 1 && call.args[0]->kind == ast::ExprKind::LITERAL) {
        std::string id = static_cast<const ast::LiteralExpr&>(*call.args[0]).value.ToString();
        auto text = context_.QueryProfileText(id);
        auto c = std::make_unique<BoundConstant>(text ? Value::Varchar(*text) : Value::Null(LogicalType::Varchar()));
        c->nullable = true;
        return c;
    }
    if (name == "current_timezone") return constant(Value::Varchar(SessionTimeZone().name()));
    // StarRocks' catalog(), current_warehouse() (Floe has the one default warehouse) and
    // current_version() (the version without MySQL's prefix, as version_comment names it).
    if (name == "catalog") return constant(Value::Varchar(context_.CurrentCatalog()));
    if (name == "current_warehouse") return constant(Value::Varchar("default_warehouse"));
    if (name == "current_version") {
        std::string v = context_.GetVariable(ast::VariableScope::DEFAULT, "version").ToString();
        size_t floe = v.find("floe-");
        return constant(Value::Varchar(floe == std::string::npos ? v : v.substr(floe + 5)));
    }
    // StarRocks' role functions: the active roles ("NONE" when only public is), and whether one is.
    if (name == "current_role" && call.args.empty()) {
        std::string roles;
        for (const auto& r : context_.ActiveRoles()) roles += (roles.empty() ? "" : ", ") + r;
        return constant(Value::Varchar(roles.empty() ? "NONE" : roles));
    }
    if (name == "is_role_in_session" && call.args.size() == 1 && call.args[0]->kind == ast::ExprKind::LITERAL) {
        std::string wanted = static_cast<const ast::LiteralExpr&>(*call.args[0]).value.ToString();
        bool active = AsciiEqualsIgnoreCase(wanted, "public");
        for (const auto& r : context_.ActiveRoles()) active |= AsciiEqualsIgnoreCase(r, wanted);
        return constant(Value::Boolean(active));
    }
    // NOW() and its kin are the statement's start in the session's time zone; the UTC_ ones in UTC.
    bool utc = name.rfind("utc_", 0) == 0;
    auto local_now = [&]() {
        int64_t now = context_.StatementStartMicros();
        return utc ? now : SessionTimeZone().ToLocal(now);
    };
    if (name == "now" || name == "current_timestamp" || name == "localtime" || name == "localtimestamp" ||
        name == "sysdate" || name == "utc_timestamp") {
        int64_t now = local_now();
        if (!call.args.empty()) {
            // now(precision): keep the fraction digits.
            return constant(Value::Datetime(now));
        }
        return constant(Value::Datetime(now - now % kMicrosPerSecond));
    }
    if (name == "curdate" || name == "current_date" || name == "utc_date") {
        return constant(Value::Date(static_cast<int32_t>(local_now() / kMicrosPerDay)));
    }
    if (name == "curtime" || name == "current_time" || name == "utc_time") {
        int64_t secs = (local_now() % kMicrosPerDay) / kMicrosPerSecond;
        return constant(Value::Varchar(fmt::format("{:02}:{:02}:{:02}", secs / 3600, (secs / 60) % 60, secs % 60)));
    }
    if (name == "unix_timestamp" && call.args.empty()) {
        return constant(Value::Integer(context_.StatementStartMicros() / kMicrosPerSecond));
    }
    if (name == "last_insert_id" || name == "found_rows" || name == "row_count") {
        return constant(Value::Integer(0));
    }
    if (FunctionRegistry::Instance().IsAggregate(name)) {
        throw BinderError(At(call.location) + "aggregate function " + name + "() is not allowed here",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    if (name == "date_add" || name == "adddate" || name == "date_sub" || name == "subdate") {
        bool subtract = name == "date_sub" || name == "subdate";
        if (call.args.size() != 2) {
            throw BinderError(At(call.location) + name + "() takes two arguments", ErrorCode::WRONG_ARGUMENTS);
        }
        if (call.args[1]->kind == ast::ExprKind::INTERVAL) {
            return MakeIntervalAdd(Bind(*call.args[0]), static_cast<const ast::IntervalExpr&>(*call.args[1]), subtract);
        }
        std::vector<BoundExprPtr> args;
        BoundExprPtr d = Bind(*call.args[0]);
        if (d->type.IsString()) d = AddCastIfNeeded(std::move(d), TypeId::DATETIME);
        args.push_back(std::move(d));
        args.push_back(Bind(*call.args[1]));
        return MakeFunction(subtract ? "days_sub" : "days_add", std::move(args), call);
    }
    if (call.distinct || call.star) {
        throw BinderError(At(call.location) + "DISTINCT and * are only allowed in aggregate functions",
                          ErrorCode::PARSE);
    }
    for (const auto& a : call.args) {
        if (a->kind == ast::ExprKind::LAMBDA) return BindLambdaCall(call, name);
    }
    std::vector<BoundExprPtr> args;
    for (const auto& a : call.args) {
        if (a->kind == ast::ExprKind::INTERVAL &&
            (name == "time_slice" || name == "date_slice" || name == "convert_interval")) {
            // time_slice(dt, INTERVAL n unit[, boundary]) takes n and 'unit' as two arguments.
            const auto& interval = static_cast<const ast::IntervalExpr&>(*a);
            args.push_back(Bind(*interval.value));
            args.push_back(std::make_unique<BoundConstant>(Value::Varchar(AsciiLower(interval.unit))));
            continue;
        }
        if ((name == "time_slice" || name == "date_slice") && a->kind == ast::ExprKind::COLUMN_REF &&
            static_cast<const ast::ColumnRefExpr&>(*a).parts.size() == 1) {
            std::string word = AsciiLower(static_cast<const ast::ColumnRefExpr&>(*a).parts[0]);
            if (word == "floor" || word == "ceil") {  // the boundary keyword
                args.push_back(std::make_unique<BoundConstant>(Value::Varchar(word)));
                continue;
            }
        }
        if (name == "convert_interval" && a->kind == ast::ExprKind::COLUMN_REF &&
            static_cast<const ast::ColumnRefExpr&>(*a).parts.size() == 1) {
            // convert_interval(INTERVAL n unit, to_unit): the target unit is a bare word.
            std::string word = AsciiLower(static_cast<const ast::ColumnRefExpr&>(*a).parts[0]);
            args.push_back(std::make_unique<BoundConstant>(Value::Varchar(word)));
            continue;
        }
        if (a->kind == ast::ExprKind::INTERVAL) {
            throw BinderError(At(a->location) + "INTERVAL is only allowed in date arithmetic", ErrorCode::PARSE);
        }
        args.push_back(Bind(*a));
    }
    // Between instants and wall-clock times: in the session's time zone (UTC needs nothing).
    if ((name == "from_unixtime" && (args.size() == 1 || args.size() == 2)) ||
        (name == "unix_timestamp" && args.size() == 1) ||
        ((name == "from_unixtime_ms" || name == "from_unixtime_milliseconds" || name == "unixtime_to_datetime" ||
          name == "to_datetime") &&
         (args.size() == 1 || args.size() == 2))) {
        TimeZone zone = SessionTimeZone();
        if (!zone.is_utc()) {
            args.push_back(std::make_unique<BoundConstant>(Value::Varchar(zone.name())));
            return MakeFunction("__" + name + "_in_zone", std::move(args), call);
        }
    }
    // round(d, n) / truncate(d, n) of a DECIMAL with a constant n keep n fraction digits (MySQL:
    // round(1.005, 2) is 1.01, not 1.010). The kernel works at the argument's scale, since the
    // registry binds on types alone; the dropped digits are zeros, so the narrowing cast is exact.
    if ((name == "round" || name == "truncate") && args.size() == 2 && args[0]->type.id == TypeId::DECIMAL &&
        args[1]->kind == BoundExprKind::CONSTANT &&
        binder_internal::SmallIntegerValue(static_cast<const BoundConstant&>(*args[1]).value)) {
        int64_t digits = *binder_internal::SmallIntegerValue(static_cast<const BoundConstant&>(*args[1]).value);
        const LogicalType in = args[0]->type;
        BoundExprPtr result = MakeFunction(name, std::move(args), call);
        if (digits >= in.scale) return result;
        auto scale = static_cast<uint8_t>(std::max<int64_t>(digits, 0));
        int integer_digits = in.precision - in.scale + (name == "round" ? 1 : 0);  // round may carry
        auto precision = static_cast<uint8_t>(std::clamp(integer_digits + scale, 1, 38));
        return AddCastIfNeeded(std::move(result), LogicalType::Decimal(precision, scale));
    }
    return MakeFunction(name, std::move(args), call);
}

BoundExprPtr Binder::BindLambdaCall(const ast::FunctionCallExpr& call, const std::string& name) {
    // array_map(x -> f(x), arr) and its kin: the arrays bind as usual; the body binds over the
    // lambda's parameters alone (column k is the elements of array k), and the registry's
    // __lambda_<name> kernel gets the body's results as its last argument (see BoundFunction).
    const std::string kernel = "__lambda_" + name;
    if (!FunctionRegistry::Instance().FindScalar(kernel)) {
        throw BinderError(At(call.location) + name + "() does not take a lambda", ErrorCode::WRONG_ARGUMENTS);
    }
    const ast::LambdaExpr* lambda = nullptr;
    std::vector<BoundExprPtr> arrays;
    for (const auto& a : call.args) {
        if (a->kind == ast::ExprKind::LAMBDA) {
            if (lambda) throw BinderError(At(a->location) + name + "() takes one lambda", ErrorCode::WRONG_ARGUMENTS);
            lambda = static_cast<const ast::LambdaExpr*>(a.get());
            continue;
        }
        BoundExprPtr e = Bind(*a);
        if (e->type.id == TypeId::NULL_TYPE) e = AddCastIfNeeded(std::move(e), LogicalType::Array(TypeId::BIGINT));
        if (e->type.id != TypeId::ARRAY) {
            throw BinderError(
                At(a->location) + name + "() needs ARRAY arguments besides the lambda, not " + e->type.ToString(),
                ErrorCode::TYPE_MISMATCH);
        }
        arrays.push_back(std::move(e));
    }
    if (arrays.empty() || lambda->params.size() != arrays.size()) {
        throw BinderError(At(lambda->location) + "the lambda " + lambda->ToString() + " of " + name + "() takes " +
                              std::to_string(lambda->params.size()) + " parameters for " +
                              std::to_string(arrays.size()) + " arrays",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    std::vector<ScopeColumn> params;
    for (size_t k = 0; k < arrays.size(); ++k) params.push_back({"", lambda->params[k], arrays[k]->type.Element()});
    auto saved_scope = std::move(scope_);
    auto* saved_aggregates = aggregate_context_;
    auto* saved_windows = windows_;
    auto saved_frames = std::move(subquery_frames_);
    scope_ = std::move(params);
    aggregate_context_ = nullptr;
    windows_ = nullptr;
    subquery_frames_.clear();
    BoundExprPtr body;
    try {
        body = Bind(*lambda->body);
    } catch (...) {
        scope_ = std::move(saved_scope);
        aggregate_context_ = saved_aggregates;
        windows_ = saved_windows;
        subquery_frames_ = std::move(saved_frames);
        throw;
    }
    scope_ = std::move(saved_scope);
    aggregate_context_ = saved_aggregates;
    windows_ = saved_windows;
    subquery_frames_ = std::move(saved_frames);
    std::vector<LogicalType> types;
    for (const auto& a : arrays) types.push_back(a->type);
    types.push_back(body->type);
    BoundScalarFunction fn;
    try {
        fn = FunctionRegistry::Instance().BindScalar(kernel, types);
    } catch (const Exception& e) {
        throw BinderError(At(call.location) + e.what(), e.code());
    }
    fn.name = name;
    fn.deterministic = false;  // evaluated row by row with its lambda, never per dictionary entry
    auto f = std::make_unique<BoundFunction>(fn);
    for (size_t k = 0; k < arrays.size(); ++k)
        f->args.push_back(AddCastIfNeeded(std::move(arrays[k]), fn.arg_types[k]));
    f->lambda = AddCastIfNeeded(std::move(body), fn.arg_types.back());
    for (const auto& a : f->args) f->height = std::max(f->height, a->height + 1);
    f->height = std::max(f->height, f->lambda->height + 1);
    return f;
}

TimeZone Binder::SessionTimeZone() const {
    Value v = context_.GetVariable(ast::VariableScope::DEFAULT, "time_zone");
    if (v.is_null()) return TimeZone::Utc();
    std::string name = v.ToString();
    auto zone = TimeZone::Find(name);
    if (!zone) throw BinderError("Unknown or incorrect time zone: '" + name + "'", ErrorCode::UNKNOWN_TIME_ZONE);
    return *zone;
}

}  // namespace floe
