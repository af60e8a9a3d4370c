#include "optimizer/rules/in_list_sets.h"

#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace floe {

namespace {

constexpr size_t kMinimumItems = 16;

/// Structural equality of two bound expressions.
bool Same(const BoundExpression& a, const BoundExpression& b) {
    if (a.kind != b.kind || !(a.type == b.type)) return false;
    switch (a.kind) {
        case BoundExprKind::COLUMN_REF:
            return static_cast<const BoundColumnRef&>(a).index == static_cast<const BoundColumnRef&>(b).index;
        case BoundExprKind::CONSTANT:
            return static_cast<const BoundConstant&>(a).value == static_cast<const BoundConstant&>(b).value;
        case BoundExprKind::CAST:
            return Same(*static_cast<const BoundCast&>(a).child, *static_cast<const BoundCast&>(b).child);
        case BoundExprKind::FUNCTION: {
            const auto& fa = static_cast<const BoundFunction&>(a);
            const auto& fb = static_cast<const BoundFunction&>(b);
            if (fa.function.name != fb.function.name || fa.args.size() != fb.args.size() || fa.lambda || fb.lambda ||
                !fa.function.deterministic) {
                return false;
            }
            for (size_t i = 0; i < fa.args.size(); ++i) {
                if (!Same(*fa.args[i], *fb.args[i])) return false;
            }
            return true;
        }
    }
    return false;
}

bool IsFunction(const BoundExpression& e, const char* name, size_t args) {
    if (e.kind != BoundExprKind::FUNCTION) return false;
    const auto& f = static_cast<const BoundFunction&>(e);
    return f.function.name == name && f.args.size() == args && !f.lambda;
}

/// The equalities `x = constant` an OR tree is made of; false when it has another leaf.
bool Leaves(const BoundExpression& e, std::vector<const BoundFunction*>& out) {
    if (IsFunction(e, "or", 2)) {
        const auto& f = static_cast<const BoundFunction&>(e);
        return Leaves(*f.args[0], out) && Leaves(*f.args[1], out);
    }
    if (!IsFunction(e, "equal", 2)) return false;
    const auto& f = static_cast<const BoundFunction&>(e);
    if (f.args[1]->kind != BoundExprKind::CONSTANT) return false;
    if (static_cast<const BoundConstant&>(*f.args[1]).value.is_null()) return false;
    out.push_back(&f);
    return true;
}

bool StringType(const LogicalType& t) {
    return t.id == TypeId::VARCHAR;
}

bool IntegerType(const LogicalType& t) {
    switch (t.id) {
        case TypeId::TINYINT:
        case TypeId::SMALLINT:
        case TypeId::INT:
        case TypeId::BIGINT:
        case TypeId::DATE:
        case TypeId::DATETIME:
            return true;
        default:
            return false;
    }
}

int64_t IntegerAt(const Column& c, size_t row, uint32_t width) {
    switch (width) {
        case 1:
            return c.Data<int8_t>()[row];
        case 2:
            return c.Data<int16_t>()[row];
        case 4:
            return c.Data<int32_t>()[row];
        default:
            return c.Data<int64_t>()[row];
    }
}

/// `in_set(x)` for the equalities' constants.
BoundExprPtr MakeInSet(BoundExprPtr x, const std::vector<const BoundFunction*>& leaves, bool nullable) {
    const LogicalType type = x->type;
    BoundScalarFunction fn;
    fn.name = "in_set";
    fn.arg_types = {type};
    fn.return_type = LogicalType(TypeId::BOOLEAN);
    fn.deterministic = true;
    auto write = [](Column& result, size_t row, bool hit) { result.Data<uint8_t>()[row] = hit ? 1 : 0; };
    if (StringType(type)) {
        auto values = std::make_shared<std::vector<std::string>>();
        for (const BoundFunction* f : leaves) {
            values->push_back(static_cast<const BoundConstant&>(*f->args[1]).value.GetString());
        }
        auto set = std::make_shared<std::unordered_set<std::string_view>>(values->begin(), values->end());
        fn.kernel = [values, set, write](const std::vector<const Column*>& args, size_t rows, Column& result) {
            const Column& c = *args[0];
            const StringView* s = c.Strings();
            for (size_t i = 0; i < rows; ++i) {
                bool null = c.IsNull(i);
                result.SetNull(i, null);
                write(result, i, !null && set->count(s[i].view()) > 0);
            }
        };
    } else {
        auto set = std::make_shared<std::unordered_set<int64_t>>();
        for (const BoundFunction* f : leaves)
            set->insert(static_cast<const BoundConstant&>(*f->args[1]).value.GetInt());
        const uint32_t width = type.PhysicalSize();
        fn.kernel = [set, width, write](const std::vector<const Column*>& args, size_t rows, Column& result) {
            const Column& c = *args[0];
            for (size_t i = 0; i < rows; ++i) {
                bool null = c.IsNull(i);
                result.SetNull(i, null);
                write(result, i, !null && set->count(IntegerAt(c, i, width)) > 0);
            }
        };
    }
    auto f = std::make_unique<BoundFunction>(std::move(fn));
    f->height = x->height + 1;
    f->args.push_back(std::move(x));
    f->nullable = nullable;
    return f;
}

void Convert(BoundExprPtr& e) {
    if (!e) return;
    if (e->kind == BoundExprKind::CAST) {
        Convert(static_cast<BoundCast&>(*e).child);
        return;
    }
    if (e->kind != BoundExprKind::FUNCTION) return;
    auto& f = static_cast<BoundFunction&>(*e);
    if (IsFunction(*e, "or", 2)) {
        std::vector<const BoundFunction*> leaves;
        if (Leaves(*e, leaves) && leaves.size() >= kMinimumItems) {
            const BoundExpression& x = *leaves.front()->args[0];
            bool same = StringType(x.type) || IntegerType(x.type);
            for (const BoundFunction* leaf : leaves) {
                same = same && Same(*leaf->args[0], x) && leaf->args[1]->type == x.type;
            }
            if (same) {
                e = MakeInSet(x.Copy(), leaves, e->nullable);
                return;
            }
        }
    }
    for (auto& a : f.args) Convert(a);
}

void Visit(LogicalOperator& op) {
    switch (op.type) {
        case LogicalOperatorType::FILTER:
            Convert(static_cast<LogicalFilter&>(op).condition);
            break;
        case LogicalOperatorType::PROJECTION:
            for (auto& e : static_cast<LogicalProjection&>(op).expressions) Convert(e);
            break;
        case LogicalOperatorType::JOIN: {
            auto& j = static_cast<LogicalJoin&>(op);
            if (j.condition) Convert(j.condition);
            break;
        }
        default:
            break;
    }
    for (auto& child : op.children) Visit(*child);
}

}  // namespace

LogicalOperatorPtr InListSets::Apply(LogicalOperatorPtr plan) {
    Visit(*plan);
    return plan;
}

}  // namespace floe
