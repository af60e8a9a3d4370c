#pragma once
/// Expressions after binding: names resolved to input column indexes, functions resolved to
/// kernels, implicit casts made explicit. Every node knows its result type.

#include <memory>
#include <string>
#include <vector>

#include "function/scalar_function.h"
#include "types/logical_type.h"
#include "types/value.h"

namespace floe {

enum class BoundExprKind : uint8_t { CONSTANT, COLUMN_REF, FUNCTION, CAST };

struct BoundExpression {
    BoundExpression(BoundExprKind k, LogicalType t) : kind(k), type(t) {}
    virtual ~BoundExpression() = default;
    BoundExprKind kind;
    LogicalType type;
    /// Whether the result can be NULL (drives the NOT_NULL flag of result columns).
    bool nullable = true;
    /// Levels of the tree from this node down, as far as the binder keeps count (casts and the
    /// functions it makes): it refuses trees higher than kMaxBoundExpressionDepth, since every
    /// pass after it recurses over them (a CASE of 20,000 WHENs is 20,000 nested if()).
    uint32_t height = 1;
    virtual std::string ToString() const = 0;
    virtual std::unique_ptr<BoundExpression> Copy() const = 0;
};
using BoundExprPtr = std::unique_ptr<BoundExpression>;

struct BoundConstant : BoundExpression {
    explicit BoundConstant(Value v) : BoundExpression(BoundExprKind::CONSTANT, v.type()), value(std::move(v)) {
        nullable = value.is_null();
    }
    Value value;
    std::string ToString() const override { return value.ToSqlLiteral(); }
    BoundExprPtr Copy() const override { return std::make_unique<BoundConstant>(value); }
};

/// Reads column `index` of the operator's input chunk.
struct BoundColumnRef : BoundExpression {
    BoundColumnRef(size_t idx, LogicalType t, std::string n)
        : BoundExpression(BoundExprKind::COLUMN_REF, t), index(idx), name(std::move(n)) {}
    size_t index;
    std::string name;
    std::string ToString() const override { return name; }
    BoundExprPtr Copy() const override {
        auto c = std::make_unique<BoundColumnRef>(index, type, name);
        c->nullable = nullable;
        return c;
    }
};

struct BoundFunction : BoundExpression {
    explicit BoundFunction(BoundScalarFunction f)
        : BoundExpression(BoundExprKind::FUNCTION, f.return_type), function(std::move(f)) {}
    BoundScalarFunction function;
    std::vector<BoundExprPtr> args;
    /// A lambda's body (array_map(x -> x + 1, arr), ...): it reads columns of its own, one per
    /// parameter (column k is the elements of array argument k), never the input's. The executor
    /// evaluates it over all the rows' elements and hands the kernel its result as one more argument.
    BoundExprPtr lambda;
    std::string ToString() const override {
        std::string s = function.name + "(";
        if (lambda) s += "lambda " + lambda->ToString() + (args.empty() ? "" : ", ");
        for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i]->ToString();
        return s + ")";
    }
    BoundExprPtr Copy() const override {
        auto c = std::make_unique<BoundFunction>(function);
        c->nullable = nullable;
        c->height = height;
        for (const auto& a : args) c->args.push_back(a->Copy());
        if (lambda) c->lambda = lambda->Copy();
        return c;
    }
};

struct BoundCast : BoundExpression {
    BoundCast(BoundExprPtr c, LogicalType to) : BoundExpression(BoundExprKind::CAST, to), child(std::move(c)) {
        height = child->height + 1;
    }
    BoundExprPtr child;
    std::string ToString() const override { return "CAST(" + child->ToString() + " AS " + type.ToString() + ")"; }
    BoundExprPtr Copy() const override {
        auto c = std::make_unique<BoundCast>(child->Copy(), type);
        c->nullable = nullable;
        return c;
    }
};

}  // namespace floe
