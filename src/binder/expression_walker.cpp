#include "binder/expression_walker.h"

#include <algorithm>

#include "common/check.h"
#include "function/function_registry.h"

namespace floe {

void ForEachColumn(const BoundExpression& e, const std::function<void(size_t)>& fn) {
    switch (e.kind) {
        case BoundExprKind::COLUMN_REF:
            fn(static_cast<const BoundColumnRef&>(e).index);
            break;
        case BoundExprKind::CAST:
            ForEachColumn(*static_cast<const BoundCast&>(e).child, fn);
            break;
        case BoundExprKind::FUNCTION:
            for (const auto& a : static_cast<const BoundFunction&>(e).args) ForEachColumn(*a, fn);
            break;
        default:
            break;
    }
}

void ShiftColumns(BoundExpression& e, size_t offset) {
    switch (e.kind) {
        case BoundExprKind::COLUMN_REF:
            static_cast<BoundColumnRef&>(e).index -= offset;
            break;
        case BoundExprKind::CAST:
            ShiftColumns(*static_cast<BoundCast&>(e).child, offset);
            break;
        case BoundExprKind::FUNCTION:
            for (auto& a : static_cast<BoundFunction&>(e).args) ShiftColumns(*a, offset);
            break;
        default:
            break;
    }
}

void RemapColumns(BoundExpression& e, const std::function<size_t(size_t)>& map) {
    switch (e.kind) {
        case BoundExprKind::COLUMN_REF: {
            auto& c = static_cast<BoundColumnRef&>(e);
            c.index = map(c.index);
            break;
        }
        case BoundExprKind::CAST:
            RemapColumns(*static_cast<BoundCast&>(e).child, map);
            break;
        case BoundExprKind::FUNCTION:
            for (auto& a : static_cast<BoundFunction&>(e).args) RemapColumns(*a, map);
            break;
        default:
            break;
    }
}

BoundExprPtr SubstituteColumns(const BoundExpression& e, const std::function<BoundExprPtr(size_t)>& replace) {
    switch (e.kind) {
        case BoundExprKind::COLUMN_REF:
            return replace(static_cast<const BoundColumnRef&>(e).index);
        case BoundExprKind::CAST: {
            const auto& c = static_cast<const BoundCast&>(e);
            auto out = std::make_unique<BoundCast>(SubstituteColumns(*c.child, replace), c.type);
            out->nullable = c.nullable;
            return out;
        }
        case BoundExprKind::FUNCTION: {
            const auto& f = static_cast<const BoundFunction&>(e);
            auto out = std::make_unique<BoundFunction>(f.function);
            out->nullable = f.nullable;
            for (const auto& a : f.args) out->args.push_back(SubstituteColumns(*a, replace));
            if (f.lambda) out->lambda = f.lambda->Copy();  // reads its parameters, not the input
            return out;
        }
        default:
            return e.Copy();
    }
}

namespace {

bool IsCall(const BoundExpression& e, const char* name) {
    return e.kind == BoundExprKind::FUNCTION && static_cast<const BoundFunction&>(e).function.name == name &&
           static_cast<const BoundFunction&>(e).args.size() == 2;
}

void SplitDisjunction(BoundExprPtr e, std::vector<BoundExprPtr>& out) {
    if (IsCall(*e, "or")) {
        auto& f = static_cast<BoundFunction&>(*e);
        SplitDisjunction(std::move(f.args[0]), out);
        SplitDisjunction(std::move(f.args[1]), out);
        return;
    }
    out.push_back(std::move(e));
}

/// parts[begin, end) joined by `name` (and, or) as a balanced tree: a WHERE of 10,000 conjuncts
/// is split and joined again by the optimizer, and a left-deep chain that long overflows the
/// stack of the recursive passes. The left half takes the extra part, so three parts keep the
/// left-deep shape ((a, b), c).
BoundExprPtr CombineRange(std::vector<BoundExprPtr>& parts, size_t begin, size_t end, const char* name) {
    if (end - begin == 1) return std::move(parts[begin]);
    size_t mid = begin + (end - begin + 1) / 2;
    auto f = std::make_unique<BoundFunction>(
        FunctionRegistry::Instance().BindScalar(name, {TypeId::BOOLEAN, TypeId::BOOLEAN}));
    f->args.push_back(CombineRange(parts, begin, mid, name));
    f->args.push_back(CombineRange(parts, mid, end, name));
    f->height = std::max(f->args[0]->height, f->args[1]->height) + 1;
    return f;
}

BoundExprPtr Combine(std::vector<BoundExprPtr> parts, const char* name) {
    FLOE_CHECK(!parts.empty());
    return CombineRange(parts, 0, parts.size(), name);
}

/// Structural equality: the same columns (by position), constants, functions and casts.
bool SameExpression(const BoundExpression& a, const BoundExpression& b) {
    if (a.kind != b.kind || a.type != b.type) return false;
    switch (a.kind) {
        case BoundExprKind::COLUMN_REF:
            return static_cast<const BoundColumnRef&>(a).index == static_cast<const BoundColumnRef&>(b).index;
        case BoundExprKind::CONSTANT:
            return static_cast<const BoundConstant&>(a).value == static_cast<const BoundConstant&>(b).value;
        case BoundExprKind::CAST:
            return SameExpression(*static_cast<const BoundCast&>(a).child, *static_cast<const BoundCast&>(b).child);
        case BoundExprKind::FUNCTION: {
            const auto& x = static_cast<const BoundFunction&>(a);
            const auto& y = static_cast<const BoundFunction&>(b);
            if (x.function.name != y.function.name || x.args.size() != y.args.size()) return false;
            for (size_t i = 0; i < x.args.size(); ++i) {
                if (!SameExpression(*x.args[i], *y.args[i])) return false;
            }
            return true;
        }
    }
    return false;
}

/// (A AND B) OR (A AND C) is A AND (B OR C) (also in three-valued logic): conjuncts every
/// branch of a disjunction shares come out of it, so that a join condition repeated in each
/// branch (TPC-H Q19) becomes a join key instead of a filter over a cross product.
bool FactorDisjunction(BoundExprPtr& e, std::vector<BoundExprPtr>& out) {
    std::vector<BoundExprPtr> branches;
    SplitDisjunction(e->Copy(), branches);
    if (branches.size() < 2) return false;
    std::vector<std::vector<BoundExprPtr>> parts(branches.size());
    for (size_t b = 0; b < branches.size(); ++b) SplitConjunction(std::move(branches[b]), parts[b]);
    auto contains = [](const std::vector<BoundExprPtr>& list, const BoundExpression& x) {
        for (const auto& p : list) {
            if (p && SameExpression(*p, x)) return true;
        }
        return false;
    };
    std::vector<BoundExprPtr> common;
    for (const auto& p : parts[0]) {
        bool everywhere = true;
        for (size_t b = 1; b < parts.size() && everywhere; ++b) everywhere = contains(parts[b], *p);
        if (everywhere && !contains(common, *p)) common.push_back(p->Copy());
    }
    if (common.empty()) return false;
    std::vector<BoundExprPtr> rest;
    bool always = false;
    for (auto& branch : parts) {
        std::vector<BoundExprPtr> remaining;
        for (auto& p : branch) {
            if (!contains(common, *p)) remaining.push_back(std::move(p));
        }
        if (remaining.empty()) always = true;  // a branch that is just the common part: the rest is TRUE
        if (!always) rest.push_back(Combine(std::move(remaining), "and"));
    }
    for (auto& c : common) out.push_back(std::move(c));
    if (!always) out.push_back(Combine(std::move(rest), "or"));
    return true;
}

}  // namespace

void SplitConjunction(BoundExprPtr e, std::vector<BoundExprPtr>& out) {
    if (IsCall(*e, "and")) {
        auto& f = static_cast<BoundFunction&>(*e);
        SplitConjunction(std::move(f.args[0]), out);
        SplitConjunction(std::move(f.args[1]), out);
        return;
    }
    if (IsCall(*e, "or") && FactorDisjunction(e, out)) return;
    out.push_back(std::move(e));
}

BoundExprPtr CombineConjunction(std::vector<BoundExprPtr> parts) {
    return Combine(std::move(parts), "and");
}

std::string StructuralKey(const BoundExpression& e) {
    switch (e.kind) {
        case BoundExprKind::COLUMN_REF:
            return "#" + std::to_string(static_cast<const BoundColumnRef&>(e).index) + "::" + e.type.ToString();
        case BoundExprKind::CONSTANT:
            return static_cast<const BoundConstant&>(e).value.ToSqlLiteral() + "::" + e.type.ToString();
        case BoundExprKind::CAST:
            return "cast(" + StructuralKey(*static_cast<const BoundCast&>(e).child) + ")::" + e.type.ToString();
        case BoundExprKind::FUNCTION: {
            const auto& f = static_cast<const BoundFunction&>(e);
            std::string key = f.function.name + "(";
            for (size_t i = 0; i < f.args.size(); ++i) key += (i ? "," : "") + StructuralKey(*f.args[i]);
            return key + ")::" + e.type.ToString();
        }
    }
    return e.ToString() + "::" + e.type.ToString();
}

}  // namespace floe
