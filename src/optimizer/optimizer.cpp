#include "optimizer/optimizer.h"

#include <functional>

#include <memory>

#include "optimizer/mv_rewrite.h"
#include "optimizer/rules/column_pruning.h"
#include "optimizer/rules/constant_folding.h"
#include "optimizer/rules/filter_pushdown.h"
#include "optimizer/rules/in_list_sets.h"
#include "optimizer/rules/join_order.h"
#include "optimizer/rules/metadata_count.h"
#include "optimizer/rules/mv_rewrite.h"
#include "optimizer/rules/partition_pruning.h"
#include "optimizer/rules/remove_true_filter.h"
#include "optimizer/rules/scan_planning.h"
#include "optimizer/rules/semi_join_side.h"
#include "optimizer/rules/top_n.h"
#include "optimizer/rules/zone_map_filter.h"

namespace floe {

namespace {
// The ordered list of passes.
std::vector<std::unique_ptr<OptimizerPass>> MakePasses(MvRewriteContext* mv) {
    std::vector<std::unique_ptr<OptimizerPass>> passes;
    passes.push_back(std::make_unique<MvRewrite>(mv));
    passes.push_back(std::make_unique<FilterPushdown>());
    passes.push_back(std::make_unique<RemoveTrueFilter>());
    passes.push_back(std::make_unique<JoinOrder>());
    passes.push_back(std::make_unique<ColumnPruning>());
    passes.push_back(std::make_unique<TopN>());
    passes.push_back(std::make_unique<ConstantFolding>());
    passes.push_back(std::make_unique<PartitionPruning>());
    passes.push_back(std::make_unique<ZoneMapFilter>());
    passes.push_back(std::make_unique<ScanPlanning>());
    passes.push_back(std::make_unique<MetadataCount>());
    passes.push_back(std::make_unique<SemiJoinSide>());
    passes.push_back(std::make_unique<InListSets>());
    return passes;
}

LogicalOperatorPtr Run(LogicalOperatorPtr plan, const std::set<std::string>& disabled, MvRewriteContext* mv) {
    // Materialized CTEs are optimized once, on their own (their readers see all their rows).
    std::function<void(LogicalOperator&)> optimize_ctes = [&](LogicalOperator& op) {
        if (op.type == LogicalOperatorType::CTE_SCAN) {
            CteMaterialization& cte = *static_cast<LogicalCteScan&>(op).cte;
            if (!cte.optimized) {
                cte.optimized = true;
                cte.plan = Run(std::move(cte.plan), disabled, mv);
            }
        }
        for (auto& child : op.children) optimize_ctes(*child);
    };
    optimize_ctes(*plan);
    for (auto& pass : MakePasses(mv)) {
        if (disabled.count(pass->name())) continue;
        plan = pass->Apply(std::move(plan));
    }
    return plan;
}

}  // namespace

LogicalOperatorPtr Optimizer::Optimize(LogicalOperatorPtr plan, const std::set<std::string>& disabled,
                                       MvRewriteContext* mv) {
    if (mv && disabled.count("mv_rewrite")) {
        for (size_t i = 0; i < mv->candidates.size(); ++i) {
            mv->Reject(i, 100, "the mv_rewrite pass is switched off (optimizer_disabled_rules)");
        }
    }
    plan = Run(std::move(plan), disabled, mv);
    if (mv) mv->FinishReport();
    return plan;
}

std::vector<std::string> Optimizer::PassNames() {
    std::vector<std::string> names;
    for (auto& pass : MakePasses(nullptr)) names.push_back(pass->name());
    return names;
}

}  // namespace floe
