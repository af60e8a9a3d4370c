#include "server/mv_incremental.h"

#include <map>

#include "common/ascii.h"
#include "function/function_registry.h"
#include "mv/mv_state.h"
#include "parser/ast/statement.h"
#include "parser/parser.h"

namespace floe {

namespace {

/// Whether `e` calls an aggregate or window function or holds a subquery anywhere (`what` says
/// which), looking through the expression kinds a select item is built from.
bool Contains(const ast::Expr* e, std::string& what) {
    if (!e) return false;
    using K = ast::ExprKind;
    switch (e->kind) {
        case K::FUNCTION_CALL: {
            const auto& f = static_cast<const ast::FunctionCallExpr&>(*e);
            if (f.over) {
                what = "a window function (" + f.name + ")";
                return true;
            }
            if (FunctionRegistry::Instance().IsAggregate(f.name)) {
                what = "an aggregate inside an expression (" + f.name + ")";
                return true;
            }
            for (const auto& a : f.args) {
                if (Contains(a.get(), what)) return true;
            }
            return false;
        }
        case K::SUBQUERY:
            what = "a subquery";
            return true;
        case K::UNARY:
            return Contains(static_cast<const ast::UnaryExpr&>(*e).operand.get(), what);
        case K::BINARY: {
            const auto& b = static_cast<const ast::BinaryExpr&>(*e);
            return Contains(b.left.get(), what) || Contains(b.right.get(), what);
        }
        case K::CASE: {
            const auto& c = static_cast<const ast::CaseExpr&>(*e);
            if (Contains(c.operand.get(), what) || Contains(c.else_expr.get(), what)) return true;
            for (const auto& [w, t] : c.when_then) {
                if (Contains(w.get(), what) || Contains(t.get(), what)) return true;
            }
            return false;
        }
        case K::CAST:
            return Contains(static_cast<const ast::CastExpr&>(*e).expr.get(), what);
        case K::IN_LIST: {
            const auto& in = static_cast<const ast::InListExpr&>(*e);
            if (Contains(in.expr.get(), what)) return true;
            for (const auto& x : in.list) {
                if (Contains(x.get(), what)) return true;
            }
            return false;
        }
        case K::BETWEEN: {
            const auto& b = static_cast<const ast::BetweenExpr&>(*e);
            return Contains(b.expr.get(), what) || Contains(b.low.get(), what) || Contains(b.high.get(), what);
        }
        case K::IS_NULL:
            return Contains(static_cast<const ast::IsNullExpr&>(*e).expr.get(), what);
        case K::LIKE: {
            const auto& l = static_cast<const ast::LikeExpr&>(*e);
            return Contains(l.expr.get(), what) || Contains(l.pattern.get(), what) || Contains(l.escape.get(), what);
        }
        case K::ROW:
            for (const auto& x : static_cast<const ast::RowExpr&>(*e).items) {
                if (Contains(x.get(), what)) return true;
            }
            return false;
        case K::INTERVAL:
            return Contains(static_cast<const ast::IntervalExpr&>(*e).value.get(), what);
        default:
            return false;
    }
}

/// The function merging two partial results of aggregate call `f`, or "" when it has none.
std::string MergeFunction(const ast::FunctionCallExpr& f) {
    if (f.distinct || f.over || !f.order_by.empty()) return "";
    static const std::map<std::string, std::string> merges = {{"sum", "sum"},
                                                              {"count", "sum"},
                                                              {"min", "min"},
                                                              {"max", "max"},
                                                              {"bitmap_union", "bitmap_union"},
                                                              {"hll_union", "hll_union"}};
    auto it = merges.find(AsciiLower(f.name));
    return it == merges.end() ? "" : it->second;
}

}  // namespace

IncrementalShape AnalyzeIncremental(const std::string& query, std::string& why_not) {
    IncrementalShape shape;
    why_not.clear();
    ast::StatementPtr stmt;
    try {
        stmt = Parser::ParseStatement(query);
    } catch (const std::exception& e) {
        why_not = e.what();
        return shape;
    }
    if (stmt->kind != ast::StatementKind::SELECT) {
        why_not = "its definition is not a query";
        return shape;
    }
    const auto& node = *static_cast<const ast::SelectStatement&>(*stmt).query;
    if (node.kind != ast::QueryNodeKind::SELECT) {
        why_not = "it is a UNION, INTERSECT, EXCEPT or VALUES";
        return shape;
    }
    const auto& select = static_cast<const ast::SelectNode&>(node);
    if (!select.ctes.empty()) {
        why_not = "it has a WITH clause";
    } else if (!select.order_by.empty() || select.limit || select.offset) {
        why_not = "it has ORDER BY or LIMIT";
    } else if (select.distinct) {
        why_not = "it is SELECT DISTINCT";
    } else if (!select.from || select.from->kind != ast::TableRefKind::BASE) {
        why_not = "it does not read exactly one table (joins and derived tables are recomputed)";
    } else if (select.grouping != ast::GroupingKind::PLAIN) {
        why_not = "it groups by ROLLUP, CUBE or GROUPING SETS";
    } else if (select.having) {
        why_not = "it has HAVING";
    }
    std::string what;
    if (why_not.empty() && Contains(select.where.get(), what)) why_not = "its WHERE has " + what;
    if (!why_not.empty()) return shape;

    // Which items are mergeable aggregate calls.
    std::vector<std::string> merge(select.select_list.size());
    bool any_aggregate = !select.group_by.empty();
    for (size_t i = 0; i < select.select_list.size(); ++i) {
        const ast::Expr* e = select.select_list[i].expr.get();
        if (e->kind == ast::ExprKind::FUNCTION_CALL &&
            FunctionRegistry::Instance().IsAggregate(static_cast<const ast::FunctionCallExpr&>(*e).name)) {
            const auto& f = static_cast<const ast::FunctionCallExpr&>(*e);
            merge[i] = MergeFunction(f);
            if (merge[i].empty()) {
                why_not = "its column " + std::to_string(i + 1) + " (" + f.ToString() +
                          ") cannot be merged: only SUM, COUNT, MIN, MAX, BITMAP_UNION and HLL_UNION without "
                          "DISTINCT can";
                return shape;
            }
            for (const auto& a : f.args) {
                if (Contains(a.get(), what)) {
                    why_not = "its column " + std::to_string(i + 1) + " has " + what;
                    return shape;
                }
            }
            any_aggregate = true;
        } else if (e->kind == ast::ExprKind::STAR) {
            continue;
        } else if (Contains(e, what)) {
            why_not = "its column " + std::to_string(i + 1) + " has " + what;
            return shape;
        }
    }
    if (!any_aggregate) return shape;  // a projection: new rows' results are appended

    shape.aggregate = true;
    // Every other item must be a GROUP BY key, and every key an item (so that the MV's rows are
    // one per group and the groups can be matched).
    std::vector<bool> key_covered(select.group_by.size(), false);
    for (size_t i = 0; i < select.select_list.size(); ++i) {
        if (!merge[i].empty()) continue;
        const auto& item = select.select_list[i];
        if (item.expr->kind == ast::ExprKind::STAR) {
            why_not = "it selects * with GROUP BY";
            return shape;
        }
        bool is_key = false;
        std::string text = item.expr->ToString();
        for (size_t k = 0; k < select.group_by.size(); ++k) {
            const ast::Expr* g = select.group_by[k].get();
            bool same = g->ToString() == text;
            if (!same && g->kind == ast::ExprKind::COLUMN_REF && !item.alias.empty()) {
                const auto& parts = static_cast<const ast::ColumnRefExpr&>(*g).parts;
                same = parts.size() == 1 && AsciiEqualsIgnoreCase(parts[0], item.alias);
            }
            if (!same && g->kind == ast::ExprKind::LITERAL) same = g->ToString() == std::to_string(i + 1);
            if (same) {
                is_key = true;
                key_covered[k] = true;
            }
        }
        if (!is_key) {
            why_not = "its column " + std::to_string(i + 1) + " (" + text +
                      ") is neither a GROUP BY key nor a SUM, COUNT, MIN, MAX, BITMAP_UNION or HLL_UNION";
            return shape;
        }
    }
    for (size_t k = 0; k < key_covered.size(); ++k) {
        if (!key_covered[k]) {
            why_not = "its GROUP BY key " + select.group_by[k]->ToString() + " is not one of its columns";
            return shape;
        }
    }
    shape.merge = std::move(merge);
    return shape;
}

std::string IncrementalRefreshSql(const IncrementalShape& shape, const std::string& target,
                                  const std::vector<std::string>& columns, const std::string& query) {
    if (!shape.aggregate) return "INSERT INTO " + target + " SELECT * FROM (" + query + ") __mv_delta";
    // The MV's rows and the new rows' groups, combined group by group.
    std::string items, keys;
    for (size_t i = 0; i < columns.size(); ++i) {
        std::string col = "__mv_merge." + QuoteIdentifier(columns[i]);
        if (i) items += ", ";
        if (i < shape.merge.size() && !shape.merge[i].empty()) {
            items += shape.merge[i] + "(" + col + ")";
        } else {
            items += col;
            keys += (keys.empty() ? "" : ", ") + col;
        }
    }
    std::string sql = "INSERT OVERWRITE " + target + " SELECT " + items + " FROM (SELECT * FROM " + target +
                      " UNION ALL SELECT * FROM (" + query + ") __mv_delta) __mv_merge";
    if (!keys.empty()) sql += " GROUP BY " + keys;
    return sql;
}

std::vector<MvBasePartition> IcebergBaseState(const std::string& name, const iceberg::IcebergTable& table,
                                              std::string* partition_column) {
    std::vector<MvBasePartition> out;
    const std::string& uuid = table.metadata().table_uuid;
    std::string snapshot = table.snapshot() ? std::to_string(table.snapshot()->snapshot_id) : "";
    out.push_back(mv::ExternalTableState(name, uuid, snapshot));
    if (auto tracked = table.PartitionsForTracking()) {
        for (const auto& p : tracked->partitions) {
            MvBasePartition b;
            b.base = name;
            b.base_id = uuid;
            b.partition = p.name;
            b.fingerprint = p.fingerprint;
            b.lower = p.lower;
            b.upper = p.upper;
            out.push_back(std::move(b));
        }
        if (partition_column) *partition_column = tracked->source_column;
    }
    return out;
}

std::optional<IncrementalBase> FindIncrementalBase(Catalog& catalog, const std::vector<std::string>& hot_bases,
                                                   const std::vector<MvBasePartition>& external_states) {
    IncrementalBase b;
    if (hot_bases.size() == 1 && external_states.empty()) {
        const std::string& name = hot_bases[0];
        size_t dot = name.find('.');
        if (dot == std::string::npos) return std::nullopt;
        auto table = catalog.GetTable(name.substr(0, dot), name.substr(dot + 1));
        if (!table) return std::nullopt;
        b.key = std::to_string(table->id);
        b.name = name;
        b.table_id = table->id;
        b.before = catalog.GetTableVersion(table->id);
        b.position = b.before->data_sequence;
        return b;
    }
    if (!hot_bases.empty() || external_states.empty()) return std::nullopt;
    const MvBasePartition& table = external_states[0];  // the table's entry: its snapshot
    if (table.base_id.empty()) return std::nullopt;
    for (const auto& p : external_states) {
        if (p.base != table.base) return std::nullopt;
    }
    b.key = "iceberg:" + table.base_id;
    b.name = table.base;
    b.external = table.base;
    try {
        b.position = table.fingerprint == "empty" ? 0 : std::stoll(table.fingerprint);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    return b;
}

}  // namespace floe
