// MERGE INTO an Iceberg table: the statement's source joined to one snapshot of the target
// (`source LEFT JOIN target ON cond`, so a source row that matches nothing meets NULL target
// columns and a NULL _file), one query per WHEN clause. Each clause's query keeps the joined rows
// of its kind (matched or not) for which its condition holds and no earlier clause's of that kind
// does, so the clauses stay exclusive and in order. Matched rows that are updated or deleted become
// position deletes of their (_file, _pos); updated and inserted rows are written as new data
// files; everything commits in one snapshot. A target row updated or deleted for more than one
// source row is the standard's cardinality violation.
//
// The statement's expressions are lent to each query for binding and given back afterwards (AST
// nodes cannot be copied), so one condition can serve several queries in turn.
#include <fmt/format.h>

#include <functional>
#include <optional>
#include <set>

#include "binder/binder.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "execution/executor.h"
#include "execution/physical_planner.h"
#include "io/file_system.h"
#include "lake/external_catalogs.h"
#include "lake/iceberg/data_file_writer.h"
#include "lake/iceberg/table_transaction.h"
#include "optimizer/optimizer.h"
#include "parser/parser.h"
#include "planner/planner.h"
#include "server/iceberg_write_support.h"
#include "server/instance.h"
#include "server/session.h"
#include "server/statement_executor.h"

namespace floe {

namespace {

/// Moves a statement's expressions (or its source) into a query built for one step and moves them
/// back when the step is bound, or when it fails. A loan's slot must not move while lent: it is a
/// member of a heap-allocated node or an element of a vector that no longer grows.
class Loans {
  public:
    Loans() = default;
    Loans(const Loans&) = delete;
    Loans& operator=(const Loans&) = delete;
    ~Loans() { GiveBack(); }

    template <typename T>
    void Lend(const std::unique_ptr<T>& from, std::unique_ptr<T>& into) {
        auto* owner = const_cast<std::unique_ptr<T>*>(&from);
        into = std::move(*owner);
        returns_.push_back([owner, slot = &into] { *owner = std::move(*slot); });
    }

    void GiveBack() {
        for (auto it = returns_.rbegin(); it != returns_.rend(); ++it) (*it)();
        returns_.clear();
    }

  private:
    std::vector<std::function<void()>> returns_;
};

ast::ExprPtr ColumnRef(const std::string& qualifier, const std::string& name, ast::SourceLocation location = {}) {
    auto ref = std::make_unique<ast::ColumnRefExpr>();
    ref->location = location;
    if (!qualifier.empty()) ref->parts.push_back(qualifier);
    ref->parts.push_back(name);
    return ref;
}

ast::ExprPtr BooleanLiteral(bool value) {
    auto literal = std::make_unique<ast::LiteralExpr>();
    literal->value = Value::Boolean(value);
    return literal;
}

/// `left AND <right>` with `right` lent into the new node (left may be null: `right` alone,
/// still lent into a node: TRUE AND right).
ast::ExprPtr AndLent(ast::ExprPtr left, const ast::ExprPtr& right, Loans& loans) {
    auto node = std::make_unique<ast::BinaryExpr>();
    node->op = ast::BinaryOp::AND;
    node->left = left ? std::move(left) : BooleanLiteral(true);
    loans.Lend(right, node->right);
    return node;
}

ast::ExprPtr And(ast::ExprPtr left, ast::ExprPtr right) {
    if (!left) return right;
    auto node = std::make_unique<ast::BinaryExpr>();
    node->op = ast::BinaryOp::AND;
    node->left = std::move(left);
    node->right = std::move(right);
    return node;
}

/// CASE WHEN <condition> THEN FALSE ELSE TRUE END: true where the condition is false or NULL
/// (an earlier clause that does not apply), with the condition lent.
ast::ExprPtr NotApplying(const ast::ExprPtr& condition, Loans& loans) {
    auto node = std::make_unique<ast::CaseExpr>();
    node->when_then.reserve(1);
    node->when_then.emplace_back(nullptr, BooleanLiteral(false));
    loans.Lend(condition, node->when_then[0].first);
    node->else_expr = BooleanLiteral(true);
    return node;
}

/// The target of a MERGE as its queries read it.
struct MergeTarget {
    std::string catalog;
    std::string db;
    std::string table;
    std::optional<int64_t> snapshot;  // none: the table has no rows yet
    std::string qualifier;            // the statement's alias, else the table name
};

/// One select item of a clause's query: a statement expression lent (`lent`), else the column
/// `qualifier.column` (errors about it point at `location`, its clause).
struct MergeItem {
    const ast::ExprPtr* lent = nullptr;
    std::string qualifier;
    std::string column;
    ast::SourceLocation location;
};

/// Runs clause `k`'s query: `SELECT <items> FROM source LEFT JOIN target ON cond WHERE <the
/// joined row is of the clause's kind> AND NOT <an earlier clause of the kind applies> AND
/// <the clause's condition>`.
std::vector<Chunk> RunClauseQuery(ClientContext& context, Session& session, const ast::MergeStatement& s,
                                  const MergeTarget& target, size_t k, const std::vector<MergeItem>& items) {
    std::string sql = "SELECT 1 FROM (SELECT 1) AS merge_placeholder LEFT JOIN " + QuoteIdentifier(target.catalog) +
                      "." + QuoteIdentifier(target.db) + "." + QuoteIdentifier(target.table);
    if (target.snapshot) sql += " FOR VERSION AS OF " + std::to_string(*target.snapshot);
    sql += " AS " + QuoteIdentifier(target.qualifier) + " ON TRUE";
    ast::StatementPtr parsed = Parser::ParseStatement(sql);
    auto& node = static_cast<ast::SelectNode&>(*static_cast<ast::SelectStatement&>(*parsed).query);
    auto& join = static_cast<ast::JoinTableRef&>(*node.from);
    Loans loans;  // after `parsed`: the loans are given back while the query still holds them
    loans.Lend(s.source, join.left);
    loans.Lend(s.on, join.condition);
    node.select_list.clear();
    node.select_list.reserve(items.size());
    for (const auto& item : items) {
        ast::SelectItem si;
        si.text = item.lent ? "expr" : item.column;
        if (!item.lent) si.expr = ColumnRef(item.qualifier, item.column, item.location);
        node.select_list.push_back(std::move(si));
    }
    for (size_t i = 0; i < items.size(); ++i) {
        if (items[i].lent) loans.Lend(*items[i].lent, node.select_list[i].expr);
    }
    const ast::MergeClause& clause = s.clauses[k];
    auto kind = std::make_unique<ast::IsNullExpr>();
    kind->expr = ColumnRef(target.qualifier, "_file");
    kind->negated = clause.matched;
    ast::ExprPtr where = std::move(kind);
    for (size_t j = 0; j < k; ++j) {
        const ast::MergeClause& earlier = s.clauses[j];
        if (earlier.matched == clause.matched) where = And(std::move(where), NotApplying(earlier.condition, loans));
    }
    if (clause.condition) where = AndLent(std::move(where), clause.condition, loans);
    node.where = std::move(where);
    Binder binder(context);
    std::unique_ptr<BoundQueryNode> bound = binder.BindQuery(node);
    loans.GiveBack();
    LogicalOperatorPtr plan = Optimizer::Optimize(Planner::PlanQuery(*bound));
    PhysicalOperatorPtr physical = PhysicalPlanner::Plan(*plan);
    return Executor::Run(*physical, session.interrupted_flag(), session.PipelineDop());
}

std::string DatabaseFor(Session& session, const std::string& database, const std::string& catalog) {
    if (!database.empty()) return database;
    if (session.current_catalog() == catalog && !session.current_database().empty()) {
        return session.current_database();
    }
    throw CatalogError("No database selected in catalog '" + catalog + "'", ErrorCode::NO_DATABASE_SELECTED);
}

/// The name the clauses use for the source's columns (UPDATE SET *, INSERT *).
std::string SourceQualifier(const ast::TableRef& source) {
    if (!source.alias.empty()) return source.alias;
    if (source.kind == ast::TableRefKind::BASE) return static_cast<const ast::BaseTableRef&>(source).table;
    return "";
}

size_t FindColumn(const iceberg::Schema& schema, const std::string& name) {
    const iceberg::NestedField* f = schema.FindTopLevel(name);
    if (!f) throw BinderError("Unknown column '" + name + "' in 'field list'", ErrorCode::UNKNOWN_COLUMN);
    return static_cast<size_t>(f - schema.fields.data());
}

/// A clause's select items and, per table column, the item that feeds it (-1: NULL).
struct ClausePlan {
    std::vector<MergeItem> items;
    std::vector<int> source;
};

ClausePlan PlanClause(const ast::MergeClause& clause, const iceberg::Schema& schema, const MergeTarget& target,
                      const std::string& source_qualifier) {
    ClausePlan plan;
    const size_t n = schema.fields.size();
    plan.source.assign(n, -1);
    if (clause.star && source_qualifier.empty()) {
        throw BinderError(fmt::format("line {}, column {}: {} * needs a name for the MERGE's source; give the "
                                      "derived table an alias",
                                      clause.location.line, clause.location.column,
                                      clause.action == ast::MergeAction::INSERT ? "INSERT" : "UPDATE SET"),
                          ErrorCode::WRONG_ARGUMENTS);
    }
    if (clause.action != ast::MergeAction::INSERT) {
        // (_file, _pos) first: the rows to delete; then, for UPDATE, every column's new value.
        plan.items.push_back({nullptr, target.qualifier, "_file"});
        plan.items.push_back({nullptr, target.qualifier, "_pos"});
        if (clause.action == ast::MergeAction::DELETE) return plan;
        std::vector<const ast::ExprPtr*> assigned(n, nullptr);
        for (const auto& a : clause.assignments) {
            size_t c = FindColumn(schema, a.column);
            if (assigned[c])
                throw BinderError("Column '" + a.column + "' is assigned twice", ErrorCode::WRONG_ARGUMENTS);
            assigned[c] = &a.value;
        }
        for (size_t c = 0; c < n; ++c) {
            const std::string& name = schema.fields[c].name;
            if (clause.star) {
                plan.items.push_back({nullptr, source_qualifier, name, clause.location});
            } else if (assigned[c]) {
                plan.items.push_back({assigned[c], "", ""});
            } else {
                plan.items.push_back({nullptr, target.qualifier, name});
            }
            plan.source[c] = static_cast<int>(c) + 2;
        }
        return plan;
    }
    if (clause.star) {
        for (size_t c = 0; c < n; ++c) {
            plan.items.push_back({nullptr, source_qualifier, schema.fields[c].name, clause.location});
            plan.source[c] = static_cast<int>(c);
        }
        return plan;
    }
    std::vector<size_t> columns;
    if (clause.insert_columns.empty()) {
        for (size_t c = 0; c < n; ++c) columns.push_back(c);
    } else {
        for (const auto& name : clause.insert_columns) {
            size_t c = FindColumn(schema, name);
            if (plan.source[c] >= 0) {
                throw BinderError("Column '" + schema.fields[c].name + "' specified twice", ErrorCode::WRONG_ARGUMENTS);
            }
            plan.source[c] = static_cast<int>(columns.size());
            columns.push_back(c);
        }
    }
    if (clause.insert_values.size() != columns.size()) {
        throw BinderError(fmt::format("Column count doesn't match value count: {} columns, {} values", columns.size(),
                                      clause.insert_values.size()),
                          ErrorCode::WRONG_VALUE_COUNT);
    }
    for (size_t i = 0; i < columns.size(); ++i) {
        plan.source[columns[i]] = static_cast<int>(i);
        plan.items.push_back({&clause.insert_values[i], "", ""});
    }
    for (size_t c = 0; c < n; ++c) {
        if (plan.source[c] < 0 && schema.fields[c].required) {
            throw BinderError("Field '" + schema.fields[c].name + "' doesn't have a default value (it is required)",
                              ErrorCode::WRONG_ARGUMENTS);
        }
    }
    return plan;
}

}  // namespace

QueryResult StatementExecutor::Merge(const ast::MergeStatement& s) {
    std::string catalog = ExternalCatalogOf(s.catalog);
    if (catalog.empty()) {
        throw NotSupportedError("MERGE INTO '" + s.table +
                                "': MERGE is supported for Iceberg tables (MERGE INTO catalog.db.table of an "
                                "Iceberg catalog); for tables of the default catalog use INSERT into a Primary Key "
                                "table (an upsert), UPDATE and DELETE");
    }
    session_.RequirePrivilege("USAGE", ClientContext::CatalogObject(catalog));
    session_.RequirePrivilege("ALTER", ClientContext::CatalogObject(catalog));
    std::string db = DatabaseFor(session_, s.database, catalog);
    // As in Spark: a clause without condition catches every row of its kind, so it comes last.
    for (size_t k = 0; k < s.clauses.size(); ++k) {
        for (size_t j = 0; j < k; ++j) {
            if (s.clauses[j].matched == s.clauses[k].matched && !s.clauses[j].condition) {
                throw BinderError(fmt::format("line {}, column {}: only the last WHEN {}MATCHED clause can omit its "
                                              "condition (this one is never reached)",
                                              s.clauses[k].location.line, s.clauses[k].location.column,
                                              s.clauses[k].matched ? "" : "NOT "),
                                  ErrorCode::WRONG_ARGUMENTS);
            }
        }
    }
    auto& externals = session_.instance().external_catalogs();
    iceberg::TableState state = externals.LoadForWrite(catalog, db, s.table);
    const iceberg::TableMetadata& metadata = *state.metadata;
    const iceberg::Schema& schema = metadata.current_schema();
    bool changes_rows = false;
    for (const auto& clause : s.clauses) changes_rows |= clause.matched;
    if (changes_rows && metadata.format_version < 2) {
        throw NotSupportedError("MERGE INTO '" + catalog + "." + db + "." + s.table +
                                "': WHEN MATCHED updates or deletes rows, and Iceberg v1 tables cannot hold row "
                                "deletes; upgrade the table to format-version 2, or merge with WHEN NOT MATCHED THEN "
                                "INSERT only");
    }
    MergeTarget target;
    target.catalog = catalog;
    target.db = db;
    target.table = s.table;
    target.qualifier = s.alias.empty() ? s.table : s.alias;
    if (const iceberg::Snapshot* snapshot = metadata.current_snapshot()) target.snapshot = snapshot->snapshot_id;
    std::string source_qualifier = SourceQualifier(*s.source);
    std::vector<ClausePlan> plans;
    for (const auto& clause : s.clauses) plans.push_back(PlanClause(clause, schema, target, source_qualifier));

    iceberg::DataFileWriter writer(metadata, iceberg::RandomUuid());
    const std::vector<LogicalType>& types = writer.column_types();
    std::vector<Chunk> changed;  // the updated and deleted rows: (_file, _pos) first
    std::set<std::pair<std::string, int64_t>> seen;
    uint64_t inserted = 0, updated = 0, deleted = 0;
    QueryResult result;
    std::vector<std::string> written;
    std::optional<iceberg::TableTransaction> txn;
    try {
        for (size_t k = 0; k < s.clauses.size(); ++k) {
            const ast::MergeClause& clause = s.clauses[k];
            std::vector<Chunk> rows = RunClauseQuery(context_, session_, s, target, k, plans[k].items);
            for (auto& chunk : rows) {
                if (clause.action != ast::MergeAction::INSERT) {
                    for (size_t i = 0; i < chunk.live_rows(); ++i) {
                        uint32_t r = chunk.LiveRow(i);
                        std::pair<std::string, int64_t> row(std::string(chunk.column(0).Strings()[r].view()),
                                                            chunk.column(1).Data<int64_t>()[r]);
                        if (!seen.insert(std::move(row)).second) {
                            throw ExecutionError(
                                "MERGE matched a target row more than once: a row of '" + s.table +
                                    "' is matched by several source rows that update or delete it; make the ON "
                                    "condition match at most one source row per target row",
                                ErrorCode::SUBQUERY_ROWS);
                        }
                    }
                }
                switch (clause.action) {
                    case ast::MergeAction::DELETE:
                        deleted += chunk.live_rows();
                        break;
                    case ast::MergeAction::UPDATE:
                    case ast::MergeAction::INSERT: {
                        Chunk out = iceberg_write::ToTableRows(chunk, plans[k].source, schema, types);
                        (clause.action == ast::MergeAction::UPDATE ? updated : inserted) += out.live_rows();
                        writer.Append(out);
                        break;
                    }
                }
                if (clause.action != ast::MergeAction::INSERT) changed.push_back(std::move(chunk));
            }
        }
        std::vector<iceberg::DataFile> files = writer.Finish();
        result.affected_rows = inserted + updated + deleted;
        if (files.empty() && updated + deleted == 0) {
            result.info = "Rows inserted: 0  Updated: 0  Deleted: 0";
            return result;
        }
        auto c = externals.IcebergCatalogFor(catalog);
        iceberg::TableLoader reload = [&externals, catalog, db, table = s.table] {
            return externals.LoadForWrite(catalog, db, table);
        };
        txn.emplace(*c, db, s.table, state, reload);
        if (iceberg_write::CopyOnWrite(*state.metadata, "write.merge.mode")) {
            iceberg_write::StageRewrites(context_, catalog, db, s.table, changed, state, *txn, written);
        } else {
            iceberg_write::StageDeletes(changed, state, *txn, written);
        }
        if (!files.empty()) txn->AddDataFiles(std::move(files));
        iceberg::TableState committed = txn->Commit();
        externals.Remember(committed);
        result.info = fmt::format("Rows inserted: {}  Updated: {}  Deleted: {}  Snapshot: {}", inserted, updated,
                                  deleted, txn->snapshot_id());
    } catch (...) {
        // The files go unless the swap may have happened (then a snapshot may list them).
        if (!txn || !txn->outcome_unknown()) {
            writer.Abort();
            iceberg_write::DeleteQuietly(written);
        }
        throw;
    }
    return result;
}

}  // namespace floe
