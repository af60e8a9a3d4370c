#include "optimizer/rules/top_n.h"

namespace floe {

namespace {

void Visit(LogicalOperator& op) {
    if (op.type == LogicalOperatorType::LIMIT) {
        auto& limit = static_cast<LogicalLimit&>(op);
        LogicalOperator* below = op.children[0].get();
        if (below->type == LogicalOperatorType::PROJECTION) below = below->children[0].get();
        if (limit.limit && below->type == LogicalOperatorType::ORDER_BY) {
            auto& order = static_cast<LogicalOrderBy&>(*below);
            int64_t n = *limit.limit + limit.offset;
            if (!order.top_n || n < *order.top_n) order.top_n = n;
        }
    }
    for (auto& child : op.children) Visit(*child);
}

}  // namespace

LogicalOperatorPtr TopN::Apply(LogicalOperatorPtr plan) {
    Visit(*plan);
    return plan;
}

}  // namespace floe
