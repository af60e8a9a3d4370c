// Binding of aggregate calls in an aggregated SELECT (the select list, HAVING and ORDER BY over the
// aggregation's output): aggregate functions, GROUPING(), and expressions over group keys.
#include <fmt/format.h>

#include "binder/binder.h"
#include "binder/binder_internal.h"
#include "binder/expression_walker.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "function/aggregate/ordered_aggregate.h"
#include "function/function_registry.h"

namespace floe {

namespace binder_internal {

bool ContainsAggregate(const ast::Expr& e, bool windows) {
    using K = ast::ExprKind;
    switch (e.kind) {
        case K::FUNCTION_CALL: {
            const auto& f = static_cast<const ast::FunctionCallExpr&>(e);
            if (f.over) {
                if (windows) return true;
                for (const auto& p : f.over->partition_by) {
                    if (ContainsAggregate(*p)) return true;
                }
                for (const auto& o : f.over->order_by) {
                    if (ContainsAggregate(*o.expr)) return true;
                }
            } else if (FunctionRegistry::Instance().IsAggregate(f.name)) {
                return true;
            }
            for (const auto& a : f.args) {
                if (ContainsAggregate(*a, windows)) return true;
            }
            return false;
        }
        case K::UNARY:
            return ContainsAggregate(*static_cast<const ast::UnaryExpr&>(e).operand, windows);
        case K::BINARY: {
            const auto& b = static_cast<const ast::BinaryExpr&>(e);
            return ContainsAggregate(*b.left, windows) || ContainsAggregate(*b.right, windows);
        }
        case K::CASE: {
            const auto& c = static_cast<const ast::CaseExpr&>(e);
            if (c.operand && ContainsAggregate(*c.operand, windows)) return true;
            if (c.else_expr && ContainsAggregate(*c.else_expr, windows)) return true;
            for (const auto& [w, t] : c.when_then) {
                if (ContainsAggregate(*w, windows) || ContainsAggregate(*t, windows)) return true;
            }
            return false;
        }
        case K::CAST:
            return ContainsAggregate(*static_cast<const ast::CastExpr&>(e).expr);
        case K::IN_LIST: {
            const auto& in = static_cast<const ast::InListExpr&>(e);
            if (ContainsAggregate(*in.expr)) return true;
            for (const auto& x : in.list) {
                if (ContainsAggregate(*x)) return true;
            }
            return false;
        }
        case K::BETWEEN: {
            const auto& b = static_cast<const ast::BetweenExpr&>(e);
            return ContainsAggregate(*b.expr) || ContainsAggregate(*b.low) || ContainsAggregate(*b.high);
        }
        case K::IS_NULL:
            return ContainsAggregate(*static_cast<const ast::IsNullExpr&>(e).expr);
        case K::ROW:
            for (const auto& item : static_cast<const ast::RowExpr&>(e).items) {
                if (ContainsAggregate(*item)) return true;
            }
            return false;
        case K::LIKE: {
            const auto& l = static_cast<const ast::LikeExpr&>(e);
            return ContainsAggregate(*l.expr) || ContainsAggregate(*l.pattern);
        }
        default:
            return false;
    }
}

}  // namespace binder_internal

using binder_internal::At;
using binder_internal::ContainsAggregate;
using binder_internal::DropDeadCoalesceArguments;

namespace {

/// Whether `e` is a constant that is not NULL (through casts and negation).
bool KnownNotNull(const BoundExpression& e) {
    if (e.kind == BoundExprKind::CONSTANT) return !static_cast<const BoundConstant&>(e).value.is_null();
    if (e.kind == BoundExprKind::CAST) return KnownNotNull(*static_cast<const BoundCast&>(e).child);
    if (e.kind == BoundExprKind::FUNCTION) {
        const auto& f = static_cast<const BoundFunction&>(e);
        return f.function.name == "negate" && f.args.size() == 1 && KnownNotNull(*f.args[0]);
    }
    return false;
}

}  // namespace

void binder_internal::DropDeadCoalesceArguments(BoundExprPtr& e) {
    if (e->kind == BoundExprKind::CAST) {
        DropDeadCoalesceArguments(static_cast<BoundCast&>(*e).child);
        return;
    }
    if (e->kind != BoundExprKind::FUNCTION) return;
    auto& f = static_cast<BoundFunction&>(*e);
    for (auto& a : f.args) DropDeadCoalesceArguments(a);
    if (f.function.name != "coalesce") return;
    for (size_t i = 0; i < f.args.size(); ++i) {
        if (!KnownNotNull(*f.args[i])) continue;
        if (i == 0) {
            BoundExprPtr value = std::move(f.args[0]);
            if (value->type != f.type) value = std::make_unique<BoundCast>(std::move(value), f.type);
            e = std::move(value);
            return;
        }
        f.args.resize(i + 1);
        return;
    }
}

namespace {

/// Replaces the parts of `e` (bound over the FROM columns) that are GROUP BY keys with references
/// to the keys; false if a FROM column is read outside every key.
bool MapGroupKeys(BoundExprPtr& e, const std::vector<std::string>& group_texts,
                  const std::vector<LogicalType>& group_types) {
    std::string key = StructuralKey(*e);
    for (size_t i = 0; i < group_texts.size(); ++i) {
        if (group_texts[i] == key) {
            e = std::make_unique<BoundColumnRef>(i, group_types[i], e->ToString());
            return true;
        }
    }
    switch (e->kind) {
        case BoundExprKind::CONSTANT:
            return true;
        case BoundExprKind::COLUMN_REF:
            return static_cast<const BoundColumnRef&>(*e).index >= kCorrelatedBase;
        case BoundExprKind::CAST:
            return MapGroupKeys(static_cast<BoundCast&>(*e).child, group_texts, group_types);
        case BoundExprKind::FUNCTION:
            for (auto& a : static_cast<BoundFunction&>(*e).args) {
                if (!MapGroupKeys(a, group_texts, group_types)) return false;
            }
            return true;
    }
    return false;
}

}  // namespace

BoundExprPtr Binder::BindAggregated(const ast::Expr& expr) {
    AggregateContext& agg = *aggregate_context_;
    if (having_aliases_ && expr.kind == ast::ExprKind::COLUMN_REF &&
        static_cast<const ast::ColumnRefExpr&>(expr).parts.size() == 1) {
        const std::string& name = static_cast<const ast::ColumnRefExpr&>(expr).parts[0];
        bool is_column = false;
        for (const auto& c : agg.from_scope) is_column |= AsciiEqualsIgnoreCase(c.name, name) && !c.qualified_only;
        if (!is_column) {
            for (const auto& item : *having_aliases_) {
                if (!AsciiEqualsIgnoreCase(item.alias, name)) continue;
                auto* saved = having_aliases_;
                having_aliases_ = nullptr;  // an alias's expression names FROM columns only
                BoundExprPtr e = BindAggregated(*item.expr);
                having_aliases_ = saved;
                return e;
            }
        }
    }
    if (expr.kind == ast::ExprKind::FUNCTION_CALL && static_cast<const ast::FunctionCallExpr&>(expr).over) {
        return BindPlain(expr);  // a window over the aggregation output
    }
    if (expr.kind == ast::ExprKind::FUNCTION_CALL &&
        (AsciiEqualsIgnoreCase(static_cast<const ast::FunctionCallExpr&>(expr).name, "grouping") ||
         AsciiEqualsIgnoreCase(static_cast<const ast::FunctionCallExpr&>(expr).name, "grouping_id"))) {
        // grouping_id(a, b, ...) is StarRocks' name for the bit vector GROUPING(a, b, ...) gives.
        return BindGroupingCall(static_cast<const ast::FunctionCallExpr&>(expr));
    }
    if (expr.kind == ast::ExprKind::FUNCTION_CALL &&
        FunctionRegistry::Instance().IsAggregate(static_cast<const ast::FunctionCallExpr&>(expr).name)) {
        return BindAggregateCall(static_cast<const ast::FunctionCallExpr&>(expr));
    }
    if (!ContainsAggregate(expr, true)) {
        // Bind it as a plain expression over the FROM columns and look for an equal GROUP BY key.
        auto* saved = aggregate_context_;
        aggregate_context_ = nullptr;
        auto saved_scope = scope_;
        scope_ = agg.from_scope;
        BoundExprPtr plain;
        try {
            plain = BindPlain(expr);
        } catch (const BinderError&) {
            aggregate_context_ = saved;
            scope_ = std::move(saved_scope);
            if (!having_aliases_) throw;
            return BindPlain(expr);  // it may name select-list aliases: its parts bind one by one
        }
        aggregate_context_ = saved;
        scope_ = std::move(saved_scope);
        DropDeadCoalesceArguments(plain);
        std::string key = StructuralKey(*plain);
        for (size_t i = 0; i < agg.group_texts.size(); ++i) {
            if (agg.group_texts[i] == key) {
                return std::make_unique<BoundColumnRef>(i, agg.group_types[i], plain->ToString());
            }
        }
        bool reads_columns = false;
        ForEachColumn(*plain, [&](size_t i) { reads_columns |= i < kCorrelatedBase; });
        if (!reads_columns) return plain;
        if (MapGroupKeys(plain, agg.group_texts, agg.group_types)) return plain;
        if (expr.kind == ast::ExprKind::COLUMN_REF) {
            throw BinderError(At(expr.location) + "'" + expr.ToString() +
                                  "' must be an aggregate expression or appear in GROUP BY clause",
                              ErrorCode::WRONG_ARGUMENTS);
        }
    }
    return BindPlain(expr);  // children come back here one by one
}

BoundExprPtr Binder::BindGroupingCall(const ast::FunctionCallExpr& call) {
    AggregateContext& agg = *aggregate_context_;
    if (call.args.empty())
        throw BinderError(At(call.location) + "GROUPING() needs a GROUP BY key", ErrorCode::WRONG_ARGUMENTS);
    BoundExprPtr result;
    for (size_t i = 0; i < call.args.size(); ++i) {
        auto* saved = aggregate_context_;
        aggregate_context_ = nullptr;
        auto saved_scope = scope_;
        scope_ = agg.from_scope;
        BoundExprPtr plain = BindPlain(*call.args[i]);
        aggregate_context_ = saved;
        scope_ = std::move(saved_scope);
        DropDeadCoalesceArguments(plain);  // as the keys' texts are
        size_t n = agg.grouping_keys ? agg.grouping_keys : agg.group_texts.size();
        size_t j = std::find(agg.group_texts.begin(), agg.group_texts.begin() + static_cast<std::ptrdiff_t>(n),
                             StructuralKey(*plain)) -
                   agg.group_texts.begin();
        if (j >= n) {
            throw BinderError(At(call.args[i]->location) + "GROUPING() arguments must be GROUP BY keys",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        // A plain GROUP BY rolls nothing up: the flag is 0.
        BoundExprPtr flag = agg.grouping_keys ? BoundExprPtr(std::make_unique<BoundColumnRef>(
                                                    n + 1 + j, TypeId::BIGINT, "grouping(" + plain->ToString() + ")"))
                                              : BoundExprPtr(std::make_unique<BoundConstant>(Value::Integer(0)));
        flag->nullable = false;
        if (!result) {
            result = std::move(flag);
        } else {
            std::vector<BoundExprPtr> shift;
            shift.push_back(std::move(result));
            shift.push_back(std::make_unique<BoundConstant>(Value::Integer(2)));
            std::vector<BoundExprPtr> sum;
            sum.push_back(MakeFunction("multiply", std::move(shift), call));
            sum.push_back(std::move(flag));
            result = MakeFunction("add", std::move(sum), call);
        }
    }
    result->nullable = false;
    return result;
}

BoundExprPtr Binder::BindAggregateCall(const ast::FunctionCallExpr& call) {
    AggregateContext& agg = *aggregate_context_;
    auto* saved = aggregate_context_;
    aggregate_context_ = nullptr;
    auto saved_scope = scope_;
    scope_ = agg.from_scope;
    std::vector<BoundExprPtr> args;
    for (const auto& a : call.args) {
        if (ContainsAggregate(*a)) {
            throw BinderError(At(a->location) + "aggregate function calls cannot be nested",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        args.push_back(BindPlain(*a));
    }
    if (call.separator) args.push_back(std::make_unique<BoundConstant>(Value::Varchar(*call.separator)));
    // ORDER BY inside the call: the keys follow the arguments (ordered_aggregate.h).
    std::vector<BoundExprPtr> order_keys;
    std::vector<AggregateOrderKey> order;
    for (const auto& item : call.order_by) {
        if (ContainsAggregate(*item.expr)) {
            throw BinderError(At(item.expr->location) + "aggregate function calls cannot be nested",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        order_keys.push_back(BindPlain(*item.expr));
        order.push_back({item.ascending, item.nulls_first.value_or(item.ascending)});
    }
    aggregate_context_ = saved;
    scope_ = std::move(saved_scope);
    const std::string name = AsciiLower(call.name);
    // The aggregate `name`(args), computed once however often the query names it.
    auto aggregate = [&](const std::string& name, std::vector<BoundExprPtr> args, bool distinct,
                         bool star) -> BoundExprPtr {
        std::vector<LogicalType> types;
        for (const auto& a : args) types.push_back(a->type);
        BoundAggregateFunction fn;
        try {
            fn = FunctionRegistry::Instance().BindAggregate(name, types, distinct);
        } catch (const Exception& e) {
            throw BinderError(At(call.location) + e.what(), e.code());
        }
        for (size_t i = 0; i < args.size(); ++i) args[i] = AddCastIfNeeded(std::move(args[i]), fn.arg_types[i]);
        std::string text = name + (distinct ? "(DISTINCT " : "(");
        // Identity by structure (t1.x and t2.x print alike); `text` names the result column.
        std::string key = text;
        for (size_t i = 0; i < args.size(); ++i) {
            text += (i ? ", " : "") + args[i]->ToString();
            key += (i ? ", " : "") + StructuralKey(*args[i]);
        }
        if (!order_keys.empty() && fn.make_states) {
            std::vector<LogicalType> key_types;
            for (size_t k = 0; k < order_keys.size(); ++k) {
                std::string direction = std::string(order[k].ascending ? " ASC" : " DESC") +
                                        (order[k].nulls_first ? " NULLS FIRST" : " NULLS LAST");
                text += (k ? ", " : " ORDER BY ") + order_keys[k]->ToString() + direction;
                key += (k ? ", " : " ORDER BY ") + StructuralKey(*order_keys[k]) + direction;
                key_types.push_back(order_keys[k]->type);
                args.push_back(std::move(order_keys[k]));
            }
            order_keys.clear();
            fn = MakeOrderedAggregate(std::move(fn), key_types, order);
        }
        text += star ? "*)" : ")";
        key += star ? "*)" : ")";
        size_t index = agg.aggregate_texts.size();
        for (size_t i = 0; i < agg.aggregate_texts.size(); ++i) {
            if (agg.aggregate_texts[i] == key) index = i;
        }
        LogicalType type = fn.return_type;
        if (index == agg.aggregate_texts.size()) {
            agg.aggregate_texts.push_back(key);
            BoundAggregate a;
            a.function = std::move(fn);
            a.args = std::move(args);
            agg.aggregates->push_back(std::move(a));
        }
        auto ref = std::make_unique<BoundColumnRef>(agg.group_texts.size() + index, type, text);
        ref->nullable = name != "count";
        return ref;
    };
    // sum(x + c) over integers is sum(x) + c * count(x): one sum however many constants a query
    // adds (ClickBench Q29 sums ResolutionWidth + 0..89).
    if (name == "sum" && !call.distinct && call.order_by.empty() && args.size() == 1 &&
        args[0]->kind == BoundExprKind::FUNCTION) {
        auto& f = static_cast<BoundFunction&>(*args[0]);
        bool add = f.function.name == "add", subtract = f.function.name == "subtract";
        if ((add || subtract) && f.args.size() == 2 && f.type.IsInteger()) {
            int constant_side = f.args[1]->kind == BoundExprKind::CONSTANT          ? 1
                                : add && f.args[0]->kind == BoundExprKind::CONSTANT ? 0
                                                                                    : -1;
            if (constant_side >= 0) {
                const Value& c = static_cast<const BoundConstant&>(*f.args[constant_side]).value;
                const BoundExpression& x = *f.args[1 - constant_side];
                auto small = [](const LogicalType& t) { return t.IsInteger() && t.id != TypeId::LARGEINT; };
                if (!c.is_null() && small(c.type()) && small(x.type)) {
                    LogicalType result = FunctionRegistry::Instance().BindAggregate("sum", {f.type}, false).return_type;
                    std::vector<BoundExprPtr> sum_args, count_args;
                    sum_args.push_back(x.Copy());
                    count_args.push_back(x.Copy());
                    BoundExprPtr sum = aggregate("sum", std::move(sum_args), false, false);
                    BoundExprPtr count = aggregate("count", std::move(count_args), false, false);
                    int64_t k = c.GetInt() * (subtract ? -1 : 1);
                    std::vector<BoundExprPtr> times;
                    times.push_back(std::make_unique<BoundConstant>(Value::Integer(k)));
                    times.push_back(std::move(count));
                    std::vector<BoundExprPtr> plus;
                    plus.push_back(std::move(sum));
                    plus.push_back(MakeFunction("multiply", std::move(times), call));
                    return AddCastIfNeeded(MakeFunction("add", std::move(plus), call), result);
                }
            }
        }
    }
    return aggregate(name, std::move(args), call.distinct, call.star);
}

}  // namespace floe
