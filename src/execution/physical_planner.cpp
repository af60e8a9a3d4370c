#include "execution/physical_planner.h"

#include <algorithm>

#include "common/exception.h"
#include "execution/operator/physical_cte_scan.h"
#include "execution/operator/physical_expand.h"
#include "execution/operator/physical_file_scan.h"
#include "execution/operator/physical_filter.h"
#include "execution/operator/physical_hash_aggregate.h"
#include "execution/operator/physical_hash_join.h"
#include "execution/operator/physical_limit.h"
#include "execution/operator/physical_projection.h"
#include "execution/operator/physical_recursive_cte.h"
#include "execution/operator/physical_set_operation.h"
#include "execution/operator/physical_sort.h"
#include "execution/operator/physical_table_scan.h"
#include "execution/operator/physical_unnest.h"
#include "execution/operator/physical_values.h"
#include "execution/operator/physical_window.h"

namespace floe {

namespace {

/// The table scan that output column `column` of `op` comes from unchanged, through filters,
/// projections of columns and the probe side of joins (all in the same pipeline), or null.
PhysicalTableScan* ScanOfColumn(PhysicalOperator* op, size_t& column) {
    while (true) {
        switch (op->type()) {
            case PhysicalOperatorType::TABLE_SCAN:
                return static_cast<PhysicalTableScan*>(op);
            case PhysicalOperatorType::FILTER:
                op = op->children()[0].get();
                break;
            case PhysicalOperatorType::PROJECTION: {
                const auto& exprs = static_cast<PhysicalProjection*>(op)->expressions();
                if (column >= exprs.size() || exprs[column]->kind != BoundExprKind::COLUMN_REF) return nullptr;
                column = static_cast<const BoundColumnRef&>(*exprs[column]).index;
                op = op->children()[0].get();
                break;
            }
            case PhysicalOperatorType::HASH_JOIN:
                if (column >= op->children()[0]->types().size()) return nullptr;  // a build column
                op = op->children()[0].get();
                break;
            default:
                return nullptr;
        }
    }
}

/// The scan of a table source (an Iceberg table): the data files its plan kept. Equality deletes
/// need their key columns, so those the query does not read are read too and projected away.
PhysicalOperatorPtr PlanSourceScan(LogicalTableFunction& t) {
    std::shared_ptr<const ScanPlan> planned = t.scan_plan;
    if (!planned) {
        std::vector<ScanFilter> filters;
        for (const auto& z : t.zone_predicates) filters.push_back(ScanFilter{z.column, z.op, z.constant});
        planned = t.source->PlanScan(t.column_ids, filters);
    }
    auto plan = std::dynamic_pointer_cast<const iceberg::IcebergScanPlan>(planned);
    if (!plan) throw NotSupportedError(t.source->kind() + " tables cannot be scanned yet");
    std::vector<size_t> ids = t.column_ids;
    std::vector<LogicalType> types = t.types;
    for (const auto& d : plan->delete_files) {
        for (int c : d.equality_columns) {
            if (c < 0 || std::find(ids.begin(), ids.end(), static_cast<size_t>(c)) != ids.end()) continue;
            ids.push_back(static_cast<size_t>(c));
            types.push_back(plan->columns[static_cast<size_t>(c)].type);
        }
    }
    std::vector<LogicalType> table_types;
    for (const auto& c : plan->columns) table_types.push_back(c.type);
    auto scan =
        std::make_unique<PhysicalFileScan>(types, table_types, ids, std::vector<std::string>{}, FileProperties{});
    scan->SetIcebergPlan(plan);
    std::vector<PhysicalFileScan::RowGroupFilter> filters;
    for (const auto& z : t.zone_predicates) {
        auto op = ParseZoneOp(z.op);
        if (!op) continue;
        Value constant = z.constant;
        if (z.column < plan->local_time.size() && plan->local_time[z.column] && !constant.is_null()) {
            constant = Value::Datetime(plan->zone->ToUtc(constant.GetInt()));  // the files hold UTC
        }
        filters.push_back({z.column, *op, constant});
    }
    scan->SetRowGroupFilters(std::move(filters));
    if (ids.size() == t.column_ids.size()) return scan;
    std::vector<BoundExprPtr> keep;
    for (size_t i = 0; i < t.column_ids.size(); ++i) {
        keep.push_back(std::make_unique<BoundColumnRef>(i, t.types[i], plan->columns[t.column_ids[i]].name));
    }
    auto projection = std::make_unique<PhysicalProjection>(t.types, std::move(keep));
    projection->children().push_back(std::move(scan));
    return projection;
}

/// Hands a hash join's runtime filter to the scan its probe key comes from.
void PlaceRuntimeFilter(PhysicalHashJoin& join) {
    size_t column = join.ProbeKeyColumn();
    if (column == SIZE_MAX) return;
    PhysicalTableScan* scan = ScanOfColumn(join.children()[0].get(), column);
    if (!scan) return;
    if (auto filter = join.MakeRuntimeFilter(column)) scan->AddRuntimeFilter(std::move(filter));
}

}  // namespace

PhysicalOperatorPtr PhysicalPlanner::Plan(LogicalOperator& logical) {
    PhysicalOperatorPtr op;
    switch (logical.type) {
        case LogicalOperatorType::CTE_SCAN: {
            // The CTE's physical plan is made once, at its first read, and shared.
            CteMaterialization& cte = *static_cast<LogicalCteScan&>(logical).cte;
            if (!cte.physical) {
                auto result = std::make_shared<CteResult>();
                result->plan = Plan(*cte.plan);
                cte.physical = result;
            }
            return std::make_unique<PhysicalCteScan>(logical.types, std::static_pointer_cast<CteResult>(cte.physical));
        }
        case LogicalOperatorType::RECURSIVE_CTE: {
            // The anchor is planned now; the recursive part once per step, from copies.
            auto& r = static_cast<LogicalRecursiveCte&>(logical);
            return std::make_unique<PhysicalRecursiveCte>(r.types, r.name, r.all, r.max_depth, r.working,
                                                          Plan(*r.children[0]), std::move(r.children[1]));
        }
        case LogicalOperatorType::WORKING_TABLE_SCAN: {
            auto& w = static_cast<LogicalWorkingTableScan&>(logical);
            return std::make_unique<PhysicalCteScan>(w.types, std::static_pointer_cast<CteResult>(w.working->rows));
        }
        case LogicalOperatorType::VALUES: {
            auto& v = static_cast<LogicalValues&>(logical);
            return std::make_unique<PhysicalValues>(v.types, std::move(v.rows));
        }
        case LogicalOperatorType::TABLE_FUNCTION: {
            auto& t = static_cast<LogicalTableFunction&>(logical);
            if (t.source) return PlanSourceScan(t);
            if (t.name == "files") {
                auto scan =
                    std::make_unique<PhysicalFileScan>(t.types, t.file_types, t.column_ids, t.files, t.properties);
                std::vector<PhysicalFileScan::RowGroupFilter> filters;
                for (const auto& z : t.zone_predicates) {
                    if (auto op = ParseZoneOp(z.op)) filters.push_back({z.column, *op, z.constant});
                }
                scan->SetRowGroupFilters(std::move(filters));
                return scan;
            }
            if (t.name == "numbers") {
                return std::make_unique<PhysicalTableFunction>(t.types, 0, t.args[0].GetInt() - 1, 1);
            }
            int64_t step = t.args.size() > 2 ? t.args[2].GetInt() : 1;
            return std::make_unique<PhysicalTableFunction>(t.types, t.args[0].GetInt(), t.args[1].GetInt(), step);
        }
        case LogicalOperatorType::GET: {
            auto& g = static_cast<LogicalGet&>(logical);
            auto scan =
                std::make_unique<PhysicalTableScan>(g.types, g.table_types, g.column_ids, g.version, g.data_dir);
            std::vector<PhysicalTableScan::ZoneFilter> filters;
            for (const auto& z : g.zone_predicates) {
                if (auto op = ParseZoneOp(z.op)) filters.push_back({z.column, *op, z.constant});
            }
            scan->SetZoneFilters(std::move(filters));
            scan->SetTableName(g.table);
            scan->SetPruning(g.partitions_selected, g.partitions_total, g.buckets_selected, g.buckets_total);
            return scan;
        }
        case LogicalOperatorType::FILTER: {
            auto& f = static_cast<LogicalFilter&>(logical);
            op = std::make_unique<PhysicalFilter>(f.types, std::move(f.condition));
            break;
        }
        case LogicalOperatorType::PROJECTION: {
            auto& p = static_cast<LogicalProjection&>(logical);
            op = std::make_unique<PhysicalProjection>(p.types, std::move(p.expressions));
            break;
        }
        case LogicalOperatorType::AGGREGATE: {
            auto& a = static_cast<LogicalAggregate&>(logical);
            op = std::make_unique<PhysicalHashAggregate>(a.types, std::move(a.groups), std::move(a.aggregates));
            break;
        }
        case LogicalOperatorType::EXPAND: {
            auto& e = static_cast<LogicalExpand&>(logical);
            op = std::make_unique<PhysicalExpand>(e.types, std::move(e.keys), e.sets);
            break;
        }
        case LogicalOperatorType::WINDOW: {
            auto& w = static_cast<LogicalWindow&>(logical);
            op = std::make_unique<PhysicalWindow>(w.types, std::move(w.windows));
            break;
        }
        case LogicalOperatorType::ORDER_BY: {
            auto& o = static_cast<LogicalOrderBy&>(logical);
            op = std::make_unique<PhysicalSort>(o.types, std::move(o.orders), o.top_n);
            break;
        }
        case LogicalOperatorType::LIMIT: {
            auto& l = static_cast<LogicalLimit&>(logical);
            op = std::make_unique<PhysicalLimit>(l.types, l.limit, l.offset);
            break;
        }
        case LogicalOperatorType::JOIN: {
            auto& j = static_cast<LogicalJoin&>(logical);
            op = std::make_unique<PhysicalHashJoin>(j.types, j.join_type, j.children[0]->types, j.children[1]->types,
                                                    std::move(j.left_keys), std::move(j.right_keys),
                                                    std::move(j.condition), j.null_safe);
            break;
        }
        case LogicalOperatorType::UNION_ALL:
            op = std::make_unique<PhysicalUnionAll>(logical.types);
            break;
        case LogicalOperatorType::UNNEST: {
            auto& u = static_cast<LogicalUnnest&>(logical);
            op = std::make_unique<PhysicalUnnest>(u.types, std::move(u.arrays), u.outer);
            break;
        }
        case LogicalOperatorType::SET_OPERATION: {
            auto& s = static_cast<LogicalSetOperation&>(logical);
            op = std::make_unique<PhysicalSetOperation>(s.types, s.op, s.all);
            break;
        }
    }
    if (!op) throw InternalError("no physical operator for " + logical.ToString());
    for (auto& child : logical.children) op->children().push_back(Plan(*child));
    if (op->type() == PhysicalOperatorType::HASH_JOIN) PlaceRuntimeFilter(static_cast<PhysicalHashJoin&>(*op));
    return op;
}

}  // namespace floe
