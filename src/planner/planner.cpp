#include "planner/planner.h"

#include <algorithm>

#include "binder/binder.h"
#include "binder/expression_walker.h"
#include "common/exception.h"

namespace floe {

std::string ExpressionListToString(const std::vector<BoundExprPtr>& exprs) {
    std::string s;
    for (size_t i = 0; i < exprs.size(); ++i) s += (i ? ", " : "") + exprs[i]->ToString();
    return s;
}

std::string LogicalTableFunction::ToString() const {
    if (source) {
        std::string s = source->kind() + " SCAN " + source->name();
        if (column_ids.size() != source->columns().size()) {
            s += " [";
            for (size_t i = 0; i < column_ids.size(); ++i) {
                s += (i ? ", " : "") + source->columns()[column_ids[i]].name;
            }
            s += "]";
        }
        if (scan_plan && !scan_plan->pruning.empty()) s += " pruned: " + scan_plan->Describe();
        if (!zone_predicates.empty()) s += " filters: " + std::to_string(zone_predicates.size());
        return s;
    }
    if (name == "files") {
        std::string s =
            "FILES(" + std::to_string(files.size()) + " file" + (files.size() == 1 ? "" : "s") + ", columns ";
        for (size_t i = 0; i < column_ids.size(); ++i) s += (i ? "," : "") + std::to_string(column_ids[i]);
        s += ")";
        if (!zone_predicates.empty()) s += " row-group filters: " + std::to_string(zone_predicates.size());
        return s;
    }
    std::string s = "TABLE FUNCTION " + name + "(";
    for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i].ToString();
    return s + ")";
}

std::string LogicalGet::ToString() const {
    std::string s = "SCAN " + table;
    if (column_ids.size() != table_types.size()) {
        s += " [";
        for (size_t i = 0; i < column_ids.size(); ++i) {
            s += (i ? ", " : "") + (column_ids[i] == kRowIdColumn        ? std::string("row_id")
                                    : column_ids[i] == kRowOrdinalColumn ? std::string("rowid")
                                                                         : std::to_string(column_ids[i]));
        }
        s += "]";
    }
    size_t rowsets = version ? version->rowsets.size() : 0;
    if (!zone_predicates.empty()) {
        s += " zone maps [";
        for (size_t i = 0; i < zone_predicates.size(); ++i) {
            const auto& z = zone_predicates[i];
            std::string column =
                schema && z.column < schema->columns.size() ? schema->columns[z.column].name : std::to_string(z.column);
            s += (i ? ", " : "") + z.op + "(" + column + ", " + z.constant.ToSqlLiteral() + ")";
        }
        s += "]";
    }
    s += " (";
    if (partitions_total >= 0) {
        s += "partitions " + std::to_string(partitions_selected) + "/" + std::to_string(partitions_total) + ", ";
    }
    if (buckets_selected >= 0) {
        s += "buckets " + std::to_string(buckets_selected) + "/" + std::to_string(buckets_total) + ", ";
    }
    return s + std::to_string(rowsets) + " rowsets, " + std::to_string(row_count) + " rows)";
}

std::string LogicalExpand::ToString() const {
    return "EXPAND keys=[" + ExpressionListToString(keys) + "] sets=" + std::to_string(sets.size());
}

std::string LogicalWindow::ToString() const {
    std::string s = "WINDOW ";
    for (size_t i = 0; i < windows.size(); ++i) s += (i ? ", " : "") + windows[i].text;
    return s;
}

std::string LogicalAggregate::ToString() const {
    std::string s = "AGGREGATE keys=[" + ExpressionListToString(groups) + "] aggregates=[";
    for (size_t i = 0; i < aggregates.size(); ++i) {
        s += (i ? ", " : "") + aggregates[i].function.name + (aggregates[i].function.distinct ? "(DISTINCT " : "(") +
             ExpressionListToString(aggregates[i].args) + ")";
    }
    return s + "]";
}

std::string LogicalOrderBy::ToString() const {
    std::string s = "ORDER BY ";
    for (size_t i = 0; i < orders.size(); ++i) {
        s += (i ? ", " : "") + orders[i].expr->ToString() + (orders[i].ascending ? " ASC" : " DESC");
    }
    if (top_n) s += " TOP " + std::to_string(*top_n);
    return s;
}

std::string LogicalJoin::ToString() const {
    static const char* kNames[] = {"INNER", "LEFT", "RIGHT",  "FULL",       "CROSS",
                                   "SEMI",  "ANTI", "SINGLE", "RIGHT SEMI", "RIGHT ANTI"};
    std::string s = std::string(kNames[static_cast<int>(join_type)]) + " JOIN";
    if (!left_keys.empty()) {
        s += " keys=[";
        for (size_t i = 0; i < left_keys.size(); ++i) {
            s += (i ? ", " : "") + left_keys[i]->ToString() + " = " + right_keys[i]->ToString();
        }
        s += "]";
    }
    if (condition) s += " condition=" + condition->ToString();
    return s;
}

std::string PlanToString(const LogicalOperator& root) {
    std::string out;
    std::vector<std::pair<const LogicalOperator*, int>> stack{{&root, 0}};
    std::vector<const CteMaterialization*> shown;  // a CTE's plan is shown under its first scan
    while (!stack.empty()) {
        auto [op, depth] = stack.back();
        stack.pop_back();
        out += std::string(depth * 2, ' ') + op->ToString() + "\n";
        for (auto it = op->children.rbegin(); it != op->children.rend(); ++it) stack.push_back({it->get(), depth + 1});
        if (op->type == LogicalOperatorType::CTE_SCAN) {
            const CteMaterialization* cte = static_cast<const LogicalCteScan&>(*op).cte.get();
            if (std::find(shown.begin(), shown.end(), cte) == shown.end()) {
                shown.push_back(cte);
                stack.push_back({cte->plan.get(), depth + 1});
            }
        }
    }
    return out;
}

namespace {

LogicalOperatorPtr Stack(LogicalOperatorPtr parent, LogicalOperatorPtr child) {
    if (parent->types.empty()) parent->types = child->types;
    parent->children.push_back(std::move(child));
    return parent;
}

/// Wraps `plan` in a projection casting its columns to `types` when any differs.
LogicalOperatorPtr CastTo(LogicalOperatorPtr plan, const std::vector<LogicalType>& types) {
    if (plan->types == types) return plan;
    auto proj = std::make_unique<LogicalProjection>();
    for (size_t i = 0; i < types.size(); ++i) {
        BoundExprPtr ref = std::make_unique<BoundColumnRef>(i, plan->types[i], "#" + std::to_string(i));
        proj->expressions.push_back(AddCastIfNeeded(std::move(ref), types[i]));
    }
    proj->types = types;
    return Stack(std::move(proj), std::move(plan));
}

LogicalOperatorPtr DistinctOver(LogicalOperatorPtr plan) {
    auto agg = std::make_unique<LogicalAggregate>();
    for (size_t i = 0; i < plan->types.size(); ++i) {
        agg->groups.push_back(std::make_unique<BoundColumnRef>(i, plan->types[i], "#" + std::to_string(i)));
    }
    agg->types = plan->types;
    return Stack(std::move(agg), std::move(plan));
}

LogicalOperatorPtr OrderAndLimit(LogicalOperatorPtr plan, BoundQueryNode& node) {
    if (!node.order_by.empty()) {
        auto order = std::make_unique<LogicalOrderBy>();
        order->orders = std::move(node.order_by);
        plan = Stack(std::move(order), std::move(plan));
    }
    if (node.limit || node.offset > 0) {
        auto limit = std::make_unique<LogicalLimit>();
        limit->limit = node.limit;
        limit->offset = node.offset;
        plan = Stack(std::move(limit), std::move(plan));
    }
    return plan;
}

}  // namespace

LogicalOperatorPtr Planner::PlanQuery(BoundQueryNode& query) {
    if (query.kind == BoundQueryKind::SELECT) return PlanSelect(static_cast<BoundSelect&>(query));
    return PlanSetOperation(static_cast<BoundSetOperation&>(query));
}

LogicalOperatorPtr Planner::PlanTableRef(BoundTableRef& ref) {
    switch (ref.kind) {
        case BoundTableRefKind::VALUES: {
            auto& v = static_cast<BoundValuesRef&>(ref);
            auto values = std::make_unique<LogicalValues>();
            values->types = v.types;
            values->rows = std::move(v.rows);
            return values;
        }
        case BoundTableRefKind::TABLE_FUNCTION: {
            auto& t = static_cast<BoundTableFunctionRef&>(ref);
            auto tf = std::make_unique<LogicalTableFunction>();
            tf->name = t.name;
            tf->args = t.args;
            tf->types = t.types;
            tf->properties = t.properties;
            tf->files = t.files;
            tf->source = t.source;
            tf->file_types = t.types;
            for (size_t i = 0; i < t.types.size(); ++i) tf->column_ids.push_back(i);
            return tf;
        }
        case BoundTableRefKind::SUBQUERY: {
            auto& sub = static_cast<BoundSubqueryRef&>(ref);
            if (sub.cte && sub.cte->references >= 2) {
                // A CTE read more than once: planned once, computed once.
                auto& m = sub.cte->materialization;
                if (!m) {
                    m = std::make_shared<CteMaterialization>();
                    m->name = sub.cte->name;
                    m->plan = PlanQuery(*sub.query);
                }
                auto scan = std::make_unique<LogicalCteScan>();
                scan->cte = m;
                scan->types = m->plan->types;
                return scan;
            }
            return PlanQuery(*sub.query);
        }
        case BoundTableRefKind::RECURSIVE_CTE: {
            auto& r = static_cast<BoundRecursiveCteRef&>(ref);
            auto cte = std::make_unique<LogicalRecursiveCte>();
            cte->name = r.working->name;
            cte->all = r.all;
            cte->max_depth = r.max_depth;
            cte->working = r.working;
            cte->types = r.types;
            cte->children.push_back(CastTo(PlanQuery(*r.anchor), r.types));
            cte->children.push_back(CastTo(PlanQuery(*r.recursive), r.types));
            return cte;
        }
        case BoundTableRefKind::UNNEST: {
            auto& u = static_cast<BoundUnnestRef&>(ref);
            auto unnest = std::make_unique<LogicalUnnest>();
            unnest->types = u.types;
            unnest->outer = u.outer;
            unnest->arrays = std::move(u.arrays);
            unnest->children.push_back(PlanTableRef(*u.input));
            return unnest;
        }
        case BoundTableRefKind::WORKING_TABLE: {
            auto& w = static_cast<BoundWorkingTableRef&>(ref);
            auto scan = std::make_unique<LogicalWorkingTableScan>();
            scan->working = w.working;
            scan->types = w.types;
            return scan;
        }
        case BoundTableRefKind::TABLE_SCAN: {
            auto& t = static_cast<BoundTableScanRef&>(ref);
            auto get = std::make_unique<LogicalGet>();
            get->table = t.table;
            get->version = t.version;
            get->schema = t.schema;
            if (t.schema && t.schema->partitioned()) {
                get->partitions_total = get->partitions_selected = static_cast<int64_t>(t.version->partitions.size());
            }
            get->data_dir = t.data_dir;
            get->row_count = t.version->live_rows();
            get->types = t.types;
            get->table_types = t.types;
            if (t.row_id) get->table_types.pop_back();
            if (t.row_ordinal) get->table_types.pop_back();
            for (size_t i = 0; i < get->table_types.size(); ++i) get->column_ids.push_back(i);
            if (t.row_ordinal) get->column_ids.push_back(kRowOrdinalColumn);
            if (t.row_id) get->column_ids.push_back(kRowIdColumn);
            return get;
        }
        case BoundTableRefKind::JOIN: {
            auto& j = static_cast<BoundJoinRef&>(ref);
            auto join = std::make_unique<LogicalJoin>();
            join->join_type = j.join_type;
            join->left_keys = std::move(j.left_keys);
            join->right_keys = std::move(j.right_keys);
            join->null_safe = j.null_safe;
            join->condition = std::move(j.condition);
            join->types = j.types;
            join->children.push_back(PlanTableRef(*j.left));
            join->children.push_back(PlanTableRef(*j.right));
            return join;
        }
    }
    throw InternalError("unknown bound table reference");
}

LogicalOperatorPtr Planner::PlanSelect(BoundSelect& select) {
    LogicalOperatorPtr plan = PlanTableRef(*select.from);
    if (select.where) {
        auto filter = std::make_unique<LogicalFilter>();
        filter->condition = std::move(select.where);
        plan = Stack(std::move(filter), std::move(plan));
    }
    if (!select.grouping_sets.empty()) {
        // Expand each row per grouping set; the aggregate then groups by the expanded keys.
        size_t width = plan->types.size();
        size_t n = select.grouping_keys;
        auto expand = std::make_unique<LogicalExpand>();
        expand->types = plan->types;
        for (size_t j = 0; j < n; ++j) expand->types.push_back(select.group_by[j]->type);
        expand->types.push_back(TypeId::BIGINT);
        for (size_t j = 0; j < n; ++j) expand->types.push_back(TypeId::BIGINT);
        expand->sets = select.grouping_sets;
        for (size_t j = 0; j < n; ++j) {
            LogicalType type = select.group_by[j]->type;
            expand->keys.push_back(std::move(select.group_by[j]));
            select.group_by[j] = std::make_unique<BoundColumnRef>(width + j, type, expand->keys[j]->ToString());
        }
        for (size_t k = n; k < select.group_by.size(); ++k) {
            auto& ref = static_cast<BoundColumnRef&>(*select.group_by[k]);
            ref.index = width + n + (ref.index - kExpandBase);
        }
        plan = Stack(std::move(expand), std::move(plan));
    }
    if (select.aggregated) {
        auto agg = std::make_unique<LogicalAggregate>();
        for (auto& g : select.group_by) agg->types.push_back(g->type);
        for (auto& a : select.aggregates) agg->types.push_back(a.function.return_type);
        agg->groups = std::move(select.group_by);
        agg->aggregates = std::move(select.aggregates);
        plan = Stack(std::move(agg), std::move(plan));
        if (select.having) {
            auto filter = std::make_unique<LogicalFilter>();
            filter->condition = std::move(select.having);
            plan = Stack(std::move(filter), std::move(plan));
        }
    }
    if (!select.windows.empty()) {
        // Window results follow the input's columns: renumber the references to them.
        size_t width = plan->types.size();
        auto renumber = [width](BoundExpression& e) {
            RemapColumns(e, [width](size_t i) { return i >= kWindowBase ? width + (i - kWindowBase) : i; });
        };
        for (auto& e : select.select_list) renumber(*e);
        for (auto& o : select.order_by) renumber(*o.expr);
        auto window = std::make_unique<LogicalWindow>();
        window->types = plan->types;
        for (auto& w : select.windows) window->types.push_back(w.type);
        window->windows = std::move(select.windows);
        plan = Stack(std::move(window), std::move(plan));
    }
    auto projection = std::make_unique<LogicalProjection>();
    for (auto& e : select.select_list) projection->types.push_back(e->type);
    projection->expressions = std::move(select.select_list);
    if (select.distinct) {
        plan = Stack(std::move(projection), std::move(plan));
        plan = DistinctOver(std::move(plan));
        return OrderAndLimit(std::move(plan), select);
    }
    plan = OrderAndLimit(std::move(plan), select);
    auto types = projection->types;
    plan = Stack(std::move(projection), std::move(plan));
    plan->types = types;
    return plan;
}

LogicalOperatorPtr Planner::PlanSetOperation(BoundSetOperation& op) {
    std::vector<LogicalType> types;
    for (const auto& c : op.output) types.push_back(c.type);
    LogicalOperatorPtr left = CastTo(PlanQuery(*op.left), types);
    LogicalOperatorPtr right = CastTo(PlanQuery(*op.right), types);
    LogicalOperatorPtr plan;
    if (op.op == BoundSetOpType::UNION) {
        auto u = std::make_unique<LogicalUnionAll>();
        u->types = types;
        u->children.push_back(std::move(left));
        u->children.push_back(std::move(right));
        plan = std::move(u);
        if (!op.all) plan = DistinctOver(std::move(plan));
    } else {
        auto s = std::make_unique<LogicalSetOperation>();
        s->op = op.op;
        s->all = op.all;
        s->types = types;
        s->children.push_back(std::move(left));
        s->children.push_back(std::move(right));
        plan = std::move(s);
    }
    return OrderAndLimit(std::move(plan), op);
}

}  // namespace floe
