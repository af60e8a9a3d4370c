#include "binder/expression_walker.h"

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
            return out;
        }
        default:
            return e.Copy();
    }
}

void SplitConjunction(BoundExprPtr e, std::vector<BoundExprPtr>& out) {
    if (e->kind == BoundExprKind::FUNCTION) {
        auto& f = static_cast<BoundFunction&>(*e);
        if (f.function.name == "and" && f.args.size() == 2) {
            SplitConjunction(std::move(f.args[0]), out);
            SplitConjunction(std::move(f.args[1]), out);
            return;
        }
    }
    out.push_back(std::move(e));
}

BoundExprPtr CombineConjunction(std::vector<BoundExprPtr> parts) {
    FLOE_CHECK(!parts.empty());
    BoundExprPtr result = std::move(parts[0]);
    for (size_t i = 1; i < parts.size(); ++i) {
        auto f = std::make_unique<BoundFunction>(
            FunctionRegistry::Instance().BindScalar("and", {TypeId::BOOLEAN, TypeId::BOOLEAN}));
        f->args.push_back(std::move(result));
        f->args.push_back(std::move(parts[i]));
        result = std::move(f);
    }
    return result;
}

}  // namespace floe
