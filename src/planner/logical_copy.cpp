// Deep copies of logical plans (logical_operator.h: CopyPlan). Expressions are copied; what plans
// share by design stays shared: table versions and schemas, materialized CTEs, working tables.
#include "planner/logical_operator.h"

namespace floe {

namespace {

std::vector<BoundExprPtr> CopyAll(const std::vector<BoundExprPtr>& exprs) {
    std::vector<BoundExprPtr> out;
    out.reserve(exprs.size());
    for (const auto& e : exprs) out.push_back(e ? e->Copy() : nullptr);
    return out;
}

std::vector<BoundOrderBy> CopyOrders(const std::vector<BoundOrderBy>& orders) {
    std::vector<BoundOrderBy> out;
    for (const auto& o : orders) out.push_back({o.expr->Copy(), o.ascending, o.nulls_first});
    return out;
}

template <typename T>
std::unique_ptr<T> Shallow(const LogicalOperator& op) {
    const auto& src = static_cast<const T&>(op);
    auto out = std::make_unique<T>();
    out->types = src.types;
    return out;
}

}  // namespace

LogicalOperatorPtr CopyPlan(const LogicalOperator& op) {
    LogicalOperatorPtr out;
    switch (op.type) {
        case LogicalOperatorType::VALUES: {
            auto v = Shallow<LogicalValues>(op);
            for (const auto& row : static_cast<const LogicalValues&>(op).rows) v->rows.push_back(CopyAll(row));
            v->note = static_cast<const LogicalValues&>(op).note;
            out = std::move(v);
            break;
        }
        case LogicalOperatorType::TABLE_FUNCTION: {
            const auto& src = static_cast<const LogicalTableFunction&>(op);
            auto t = Shallow<LogicalTableFunction>(op);
            t->name = src.name;
            t->args = src.args;
            t->properties = src.properties;
            t->files = src.files;
            t->file_types = src.file_types;
            t->column_ids = src.column_ids;
            t->zone_predicates = src.zone_predicates;
            t->source = src.source;
            t->scan_plan = src.scan_plan;
            out = std::move(t);
            break;
        }
        case LogicalOperatorType::GET: {
            const auto& src = static_cast<const LogicalGet&>(op);
            auto g = Shallow<LogicalGet>(op);
            g->table = src.table;
            g->version = src.version;
            g->schema = src.schema;
            g->data_dir = src.data_dir;
            g->row_count = src.row_count;
            g->partitions_selected = src.partitions_selected;
            g->partitions_total = src.partitions_total;
            g->buckets_selected = src.buckets_selected;
            g->buckets_total = src.buckets_total;
            g->zone_predicates = src.zone_predicates;
            g->table_types = src.table_types;
            g->column_ids = src.column_ids;
            out = std::move(g);
            break;
        }
        case LogicalOperatorType::EXPAND: {
            const auto& src = static_cast<const LogicalExpand&>(op);
            auto e = Shallow<LogicalExpand>(op);
            e->keys = CopyAll(src.keys);
            e->sets = src.sets;
            out = std::move(e);
            break;
        }
        case LogicalOperatorType::WINDOW: {
            auto w = Shallow<LogicalWindow>(op);
            for (const auto& src : static_cast<const LogicalWindow&>(op).windows) {
                BoundWindow c;
                c.function = src.function;
                c.aggregate = src.aggregate;
                c.args = CopyAll(src.args);
                c.partition_by = CopyAll(src.partition_by);
                c.order_by = CopyOrders(src.order_by);
                c.has_frame = src.has_frame;
                c.rows = src.rows;
                c.start = src.start;
                c.end = src.end;
                c.offset = src.offset;
                c.type = src.type;
                c.text = src.text;
                w->windows.push_back(std::move(c));
            }
            out = std::move(w);
            break;
        }
        case LogicalOperatorType::FILTER: {
            auto f = Shallow<LogicalFilter>(op);
            f->condition = static_cast<const LogicalFilter&>(op).condition->Copy();
            out = std::move(f);
            break;
        }
        case LogicalOperatorType::PROJECTION: {
            auto p = Shallow<LogicalProjection>(op);
            p->expressions = CopyAll(static_cast<const LogicalProjection&>(op).expressions);
            out = std::move(p);
            break;
        }
        case LogicalOperatorType::AGGREGATE: {
            const auto& src = static_cast<const LogicalAggregate&>(op);
            auto a = Shallow<LogicalAggregate>(op);
            a->groups = CopyAll(src.groups);
            for (const auto& agg : src.aggregates) a->aggregates.push_back({agg.function, CopyAll(agg.args)});
            out = std::move(a);
            break;
        }
        case LogicalOperatorType::ORDER_BY: {
            const auto& src = static_cast<const LogicalOrderBy&>(op);
            auto o = Shallow<LogicalOrderBy>(op);
            o->orders = CopyOrders(src.orders);
            o->top_n = src.top_n;
            out = std::move(o);
            break;
        }
        case LogicalOperatorType::LIMIT: {
            const auto& src = static_cast<const LogicalLimit&>(op);
            auto l = Shallow<LogicalLimit>(op);
            l->limit = src.limit;
            l->offset = src.offset;
            out = std::move(l);
            break;
        }
        case LogicalOperatorType::JOIN: {
            const auto& src = static_cast<const LogicalJoin&>(op);
            auto j = Shallow<LogicalJoin>(op);
            j->join_type = src.join_type;
            j->left_keys = CopyAll(src.left_keys);
            j->right_keys = CopyAll(src.right_keys);
            j->null_safe = src.null_safe;
            if (src.condition) j->condition = src.condition->Copy();
            out = std::move(j);
            break;
        }
        case LogicalOperatorType::UNION_ALL:
            out = Shallow<LogicalUnionAll>(op);
            break;
        case LogicalOperatorType::SET_OPERATION: {
            const auto& src = static_cast<const LogicalSetOperation&>(op);
            auto s = Shallow<LogicalSetOperation>(op);
            s->op = src.op;
            s->all = src.all;
            out = std::move(s);
            break;
        }
        case LogicalOperatorType::CTE_SCAN: {
            auto c = Shallow<LogicalCteScan>(op);
            c->cte = static_cast<const LogicalCteScan&>(op).cte;
            out = std::move(c);
            break;
        }
        case LogicalOperatorType::RECURSIVE_CTE: {
            const auto& src = static_cast<const LogicalRecursiveCte&>(op);
            auto r = Shallow<LogicalRecursiveCte>(op);
            r->name = src.name;
            r->all = src.all;
            r->max_depth = src.max_depth;
            r->working = src.working;
            out = std::move(r);
            break;
        }
        case LogicalOperatorType::UNNEST: {
            const auto& src = static_cast<const LogicalUnnest&>(op);
            auto u = Shallow<LogicalUnnest>(op);
            u->arrays = CopyAll(src.arrays);
            u->outer = src.outer;
            out = std::move(u);
            break;
        }
        case LogicalOperatorType::WORKING_TABLE_SCAN: {
            auto w = Shallow<LogicalWorkingTableScan>(op);
            w->working = static_cast<const LogicalWorkingTableScan&>(op).working;
            out = std::move(w);
            break;
        }
    }
    for (const auto& child : op.children) out->children.push_back(CopyPlan(*child));
    return out;
}

}  // namespace floe
