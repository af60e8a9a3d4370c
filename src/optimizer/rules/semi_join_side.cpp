#include "optimizer/rules/semi_join_side.h"

#include "binder/expression_walker.h"
#include "optimizer/rules/join_order.h"

namespace floe {

namespace {

/// Swap when the streamed (right) side is this many times the hashed (left) one.
constexpr double kRatio = 4;

/// Swaps a join's inputs (and keys); its residual condition read (left ++ right), after the swap
/// its input is (right ++ left).
void SwapInputs(LogicalJoin& join, BoundJoinType type) {
    const size_t left_width = join.children[0]->types.size();
    const size_t right_width = join.children[1]->types.size();
    if (join.condition) {
        RemapColumns(*join.condition, [&](size_t i) { return i < left_width ? i + right_width : i - left_width; });
    }
    std::swap(join.children[0], join.children[1]);
    std::swap(join.left_keys, join.right_keys);
    join.join_type = type;
}

/// LEFT JOIN whose preserved (left) side is the small one: hash it instead, as a RIGHT JOIN of
/// the swapped inputs (unmatched build rows come out at the end), under a projection that puts
/// the columns back in their order.
void SwapLeftJoin(LogicalOperatorPtr& op) {
    auto& join = static_cast<LogicalJoin&>(*op);
    const size_t left_width = join.children[0]->types.size();
    const size_t right_width = join.children[1]->types.size();
    SwapInputs(join, BoundJoinType::RIGHT);
    std::vector<LogicalType> swapped = join.children[0]->types;
    swapped.insert(swapped.end(), join.children[1]->types.begin(), join.children[1]->types.end());
    std::vector<LogicalType> original = join.types;
    join.types = swapped;
    auto project = std::make_unique<LogicalProjection>();
    for (size_t i = 0; i < left_width + right_width; ++i) {
        size_t from = i < left_width ? i + right_width : i - left_width;
        project->expressions.push_back(std::make_unique<BoundColumnRef>(from, swapped[from], "#" + std::to_string(i)));
    }
    project->types = original;
    project->children.push_back(std::move(op));
    op = std::move(project);
}

/// A semi or anti join over an inner join (through a projection of columns) whose keys read one
/// input of that inner join only filters that input: it moves down onto it, so the inner join
/// sees the filtered rows instead of filtering its result (TPC-H Q18: the join of 6M lineitem rows
/// with orders no longer runs before the IN-subquery keeps 57 of them). Returns true if moved.
bool PushSemiJoin(LogicalOperatorPtr& op) {
    auto& semi = static_cast<LogicalJoin&>(*op);
    if (semi.condition || semi.left_keys.empty()) return false;
    LogicalOperator* target = semi.children[0].get();
    LogicalProjection* project = nullptr;
    if (target->type == LogicalOperatorType::PROJECTION) {
        project = static_cast<LogicalProjection*>(target);
        target = project->children[0].get();
    }
    if (target->type != LogicalOperatorType::JOIN) return false;
    auto& inner = static_cast<LogicalJoin&>(*target);
    if (inner.join_type != BoundJoinType::INNER) return false;
    const size_t left_width = inner.children[0]->types.size();
    // The inner join's output column each key column is.
    auto source = [&](size_t i) -> size_t {
        if (!project) return i;
        if (i >= project->expressions.size() || project->expressions[i]->kind != BoundExprKind::COLUMN_REF) {
            return SIZE_MAX;
        }
        return static_cast<const BoundColumnRef&>(*project->expressions[i]).index;
    };
    int side = -1;
    bool mixed = false;
    for (const auto& key : semi.left_keys) {
        ForEachColumn(*key, [&](size_t i) {
            size_t from = source(i);
            int s = from == SIZE_MAX ? -2 : (from < left_width ? 0 : 1);
            if (side == -1) side = s;
            if (s != side || s == -2) mixed = true;
        });
    }
    if (mixed || side < 0) return false;
    for (auto& key : semi.left_keys) {
        RemapColumns(*key, [&](size_t i) { return source(i) - (side == 1 ? left_width : 0); });
    }
    auto moved = std::make_unique<LogicalJoin>();
    moved->join_type = semi.join_type;
    moved->left_keys = std::move(semi.left_keys);
    moved->right_keys = std::move(semi.right_keys);
    moved->null_safe = std::move(semi.null_safe);
    moved->types = inner.children[side]->types;
    moved->children.push_back(std::move(inner.children[side]));
    moved->children.push_back(std::move(semi.children[1]));
    inner.children[side] = std::move(moved);
    LogicalOperatorPtr rest = std::move(semi.children[0]);
    op = std::move(rest);
    return true;
}

void Visit(LogicalOperatorPtr& op) {
    for (auto& child : op->children) Visit(child);
    if (op->type != LogicalOperatorType::JOIN) return;
    auto* candidate = static_cast<LogicalJoin*>(op.get());
    if ((candidate->join_type == BoundJoinType::SEMI || candidate->join_type == BoundJoinType::ANTI) &&
        PushSemiJoin(op)) {
        Visit(op);  // the moved join may go further down (and choose its side there)
        return;
    }
    auto& join = static_cast<LogicalJoin&>(*op);
    if (join.join_type == BoundJoinType::LEFT && !join.left_keys.empty() &&
        EstimateCardinality(*join.children[1]) >= kRatio * EstimateCardinality(*join.children[0])) {
        SwapLeftJoin(op);
        return;
    }
    if ((join.join_type != BoundJoinType::SEMI && join.join_type != BoundJoinType::ANTI) || join.left_keys.empty()) {
        return;
    }
    double left = EstimateCardinality(*join.children[0]);
    double right = EstimateCardinality(*join.children[1]);
    if (right < kRatio * left) return;
    SwapInputs(join, join.join_type == BoundJoinType::SEMI ? BoundJoinType::RIGHT_SEMI : BoundJoinType::RIGHT_ANTI);
}

}  // namespace

LogicalOperatorPtr SemiJoinSide::Apply(LogicalOperatorPtr plan) {
    Visit(plan);
    return plan;
}

}  // namespace floe
