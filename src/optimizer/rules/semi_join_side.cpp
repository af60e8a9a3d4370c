#include "optimizer/rules/semi_join_side.h"

#include "binder/expression_walker.h"
#include "optimizer/rules/join_order.h"

namespace floe {

namespace {

/// Swap when the streamed (right) side is this many times the hashed (left) one.
constexpr double kRatio = 4;

/// LEFT JOIN whose preserved (left) side is the small one: hash it instead, as a RIGHT JOIN of
/// the swapped inputs (unmatched build rows come out at the end), under a projection that puts
/// the columns back in their order.
void SwapLeftJoin(LogicalOperatorPtr& op) {
    auto& join = static_cast<LogicalJoin&>(*op);
    const size_t left_width = join.children[0]->types.size();
    const size_t right_width = join.children[1]->types.size();
    if (join.condition) {
        RemapColumns(*join.condition, [&](size_t i) { return i < left_width ? i + right_width : i - left_width; });
    }
    std::swap(join.children[0], join.children[1]);
    std::swap(join.left_keys, join.right_keys);
    join.join_type = BoundJoinType::RIGHT;
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

void Visit(LogicalOperatorPtr& op) {
    for (auto& child : op->children) Visit(child);
    if (op->type != LogicalOperatorType::JOIN) return;
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
    const size_t left_width = join.children[0]->types.size();
    const size_t right_width = join.children[1]->types.size();
    // The residual condition reads (left ++ right); after the swap its input is (right ++ left).
    if (join.condition) {
        RemapColumns(*join.condition, [&](size_t i) { return i < left_width ? i + right_width : i - left_width; });
    }
    std::swap(join.children[0], join.children[1]);
    std::swap(join.left_keys, join.right_keys);
    join.join_type = join.join_type == BoundJoinType::SEMI ? BoundJoinType::RIGHT_SEMI : BoundJoinType::RIGHT_ANTI;
}

}  // namespace

LogicalOperatorPtr SemiJoinSide::Apply(LogicalOperatorPtr plan) {
    Visit(plan);
    return plan;
}

}  // namespace floe
