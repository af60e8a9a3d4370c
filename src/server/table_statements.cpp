// CREATE TABLE, DROP TABLE, INSERT, DELETE, UPDATE and TRUNCATE (ALTER TABLE: alter_table_statements.cpp): the
// statements that define base tables and change their rows. Every write is one load transaction of the LoadManager
// (ingest/): its rows are written to a new segment file, made durable, and committed with any delete-vector marks in
// one meta-store transaction, so a statement's changes become visible all at once or not at all. Writers of a table
// hold its lock from reading the rows they change to the commit.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <set>
#include <unordered_set>

#include "binder/binder.h"
#include "binder/partitioning.h"
#include "binder/table_schema.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "execution/executor.h"
#include "execution/expression_executor.h"
#include "execution/physical_planner.h"
#include "function/cast.h"
#include "optimizer/optimizer.h"
#include "parser/parser.h"
#include "planner/planner.h"
#include "server/instance.h"
#include "server/session.h"
#include "server/statement_executor.h"
#include "server/table_access.h"
#include "server/tiering_service.h"
#include "storage/segment.h"
#include "types/date_time.h"

namespace floe {

std::string TableDatabase(Session& session, const std::string& named) {
    std::string db = named.empty() ? session.current_database() : named;
    if (db.empty()) throw CatalogError("No database selected", ErrorCode::NO_DATABASE_SELECTED);
    if (AsciiEqualsIgnoreCase(db, kInformationSchema)) {
        throw CatalogError("Access denied: information_schema is read-only", ErrorCode::DB_ACCESS_DENIED);
    }
    return db;
}

/// The base table (not a view) `database`.`name` that a statement needing `privilege` on it
/// names: the MySQL "doesn't exist" error, or StarRocks' denial when the privilege is not held.
TableInfo BaseTable(Session& session, const std::string& database, const std::string& name,
                    std::string_view privilege) {
    std::string db = TableDatabase(session, database);
    auto table = session.instance().catalog().GetTable(db, name);
    if (!table || table->kind != "TABLE") {
        throw CatalogError("Table '" + db + "." + name + "' doesn't exist", ErrorCode::UNKNOWN_TABLE);
    }
    RefuseMaterializedView(session, *table, privilege);
    session.RequirePrivilege(privilege, ClientContext::TableObject(*table));
    return *table;
}

void RefuseMaterializedView(Session& session, const TableInfo& table, std::string_view statement) {
    if (!session.instance().catalog().GetMaterializedView(table.id)) return;
    throw NotSupportedError("'" + table.database + "." + table.name +
                            "' is a materialized view: " + std::string(statement) +
                            " cannot change it (its rows come from REFRESH MATERIALIZED VIEW; DROP MATERIALIZED VIEW "
                            "removes it)");
}

namespace {

/// The database `database` names (or the current one) where a statement needs `privilege` on it
/// ("CREATE TABLE", "CREATE VIEW").
std::string RequireDatabase(Session& session, const std::string& database, std::string_view privilege) {
    std::string db = TableDatabase(session, database);
    auto info = session.instance().catalog().GetDatabase(db);
    if (!info) throw CatalogError("Unknown database '" + db + "'", ErrorCode::UNKNOWN_DATABASE);
    session.RequirePrivilege(privilege, ClientContext::DatabaseObject(*info));
    return db;
}

/// A value of type `from` may be stored in a column of type `to` only when CAST(from AS to) is
/// defined: every INSERT path asks this before converting (as the binder does for CAST).
void CheckStorable(const LogicalType& from, const LogicalType& to, const std::string& column_name) {
    if (from.id == TypeId::NULL_TYPE || from == to || CanCast(from, to)) return;
    throw BinderError(
        "column '" + column_name + "' is " + to.ToString() + ": a " + from.ToString() + " value cannot be stored in it",
        ErrorCode::TYPE_MISMATCH);
}

/// The query's output columns, from `first` on, may be stored in the table's `targets` columns:
/// checked once the query is bound, so a wrong type fails even when no row would be written.
void CheckStorableOutput(const BoundQueryNode& query, size_t first, const std::vector<int>& targets,
                         const TableSchema& schema) {
    for (size_t i = 0; i < targets.size() && first + i < query.output.size(); ++i) {
        const TableColumn& col = schema.columns[targets[i]];
        CheckStorable(query.output[first + i].type, col.type, col.name);
    }
}

/// Casts `input` to `type`, failing on values that cannot be converted (rather than storing NULL).
std::shared_ptr<Column> CastForInsert(const std::shared_ptr<Column>& input, size_t rows, const LogicalType& type,
                                      const std::string& column_name) {
    CheckStorable(input->type(), type, column_name);
    if (input->type().IsString() && type.IsString()) {
        // VARCHAR(n): at most n bytes (as StarRocks counts them).
        if (type.length > 0) {
            for (size_t r = 0; r < rows; ++r) {
                if (!input->IsNull(r) && input->Strings()[r].size() > type.length) {
                    throw ConversionError(
                        "Data too long for column '" + column_name + "' at row " + std::to_string(r + 1) + ": " +
                            std::to_string(input->Strings()[r].size()) + " bytes for " + type.ToString(),
                        ErrorCode::DATA_TOO_LONG);
                }
            }
        }
        return input;
    }
    if (input->type() == type) return input;
    auto out = std::make_shared<Column>(type, rows);
    out->Resize(rows);
    CastColumn(*input, rows, *out);
    for (size_t r = 0; r < rows; ++r) {
        if (!input->IsNull(r) && out->IsNull(r)) {
            throw ConversionError("Incorrect " + type.ToString() + " value: '" + input->GetValue(r).ToString() +
                                      "' for column '" + column_name + "' at row " + std::to_string(r + 1),
                                  ErrorCode::BAD_FIELD_VALUE);
        }
    }
    return out;
}

}  // namespace

QueryResult StatementExecutor::CreateTable(const ast::CreateTableStatement& s) {
    if (std::string external = ExternalCatalogOf(s.catalog); !external.empty()) return IcebergCreateTable(s, external);
    if (!s.partition.transforms.empty()) {
        throw NotSupportedError(
            "partition transforms (bucket, truncate, year, month, day, hour) are for Iceberg tables; hot tables are "
            "partitioned by columns, date_trunc or time_slice");
    }
    if (s.as_query) return CreateTableAs(s);
    std::string db = RequireDatabase(session_, s.database, "CREATE TABLE");
    for (const auto& [k, v] : s.properties) {
        if (AsciiEqualsIgnoreCase(k, "compression") && !ParseCodec(v)) {
            throw BinderError("compression '" + v + "' is not one of LZ4, ZSTD, NONE", ErrorCode::WRONG_ARGUMENTS);
        }
    }
    std::string definition = CanonicalCreateTable(s);
    TableSchema schema = ParseTableDefinition(definition);
    std::vector<PartitionInfo> partitions = ResolvePartitions(schema, s.partition.partitions, {});
    if (s.or_replace) {
        // The new definition is valid (above); the old table (or view) goes, then the new one comes.
        auto old = session_.instance().catalog().GetTable(db, s.name);
        if (old && old->kind == "VIEW") {
            throw CatalogError("'" + db + "." + s.name + "' is a view; CREATE OR REPLACE TABLE replaces tables",
                               ErrorCode::NOT_SUPPORTED);
        }
        if (old) {
            ast::DropTableStatement drop;
            drop.database = db;
            drop.name = s.name;
            DropTable(drop);
        }
    }
    session_.instance().catalog().CreateTable(db, s.name, definition, s.if_not_exists, partitions);
    return QueryResult{};
}

QueryResult StatementExecutor::DropTable(const ast::DropTableStatement& s) {
    if (std::string external = ExternalCatalogOf(s.catalog); !external.empty()) return IcebergDropTable(s, external);
    std::string db = TableDatabase(session_, s.database);
    // Writers and compaction of the table finish first.
    auto table = session_.instance().catalog().GetTable(db, s.name);
    if (table && session_.instance().catalog().GetMaterializedView(table->id)) {
        throw NotSupportedError("'" + db + "." + s.name +
                                "' is a materialized view; drop it with DROP MATERIALIZED VIEW");
    }
    if (table) session_.RequirePrivilege("DROP", ClientContext::TableObject(*table));
    std::optional<LoadManager::TableLock> lock;
    if (table && table->kind == "TABLE") lock.emplace(session_.instance().loads().LockTable(table->id));
    session_.instance().catalog().DropTable(db, s.name, s.if_exists);
    if (table) session_.instance().loads().ForgetTable(table->id);
    session_.instance().access().Invalidate();  // its grants went with it (and its id may come back)
    return QueryResult{};
}

QueryResult StatementExecutor::CreateIndex(const ast::CreateIndexStatement& s) {
    TableInfo table = BaseTable(session_, s.database, s.table, "ALTER");
    TableSchema schema = ParseTableDefinition(table.definition);
    std::string columns;
    for (const auto& c : s.columns) {
        int idx = schema.Find(c);
        if (idx < 0) throw BinderError("Key column '" + c + "' doesn't exist in table", ErrorCode::UNKNOWN_COLUMN);
        columns += (columns.empty() ? "" : ",") + schema.columns[idx].name;
    }
    session_.instance().catalog().CreateIndex(table.id, s.name, columns,
                                              s.using_type.empty() ? "BITMAP" : s.using_type);
    return QueryResult{};
}

QueryResult StatementExecutor::DropIndex(const ast::DropIndexStatement& s) {
    TableInfo table = BaseTable(session_, s.database, s.table, "ALTER");
    session_.instance().catalog().DropIndex(table.id, s.name);
    return QueryResult{};
}

/// Full-width chunks in the table's column order from `source` (one column per target column):
/// values cast to the column types, defaults for columns not listed, NOT NULL enforced.
std::vector<Chunk> ToTableRows(std::vector<Chunk>& source, const std::vector<int>& targets, const TableSchema& schema,
                               int64_t now_micros) {
    std::vector<Chunk> out;
    for (auto& chunk : source) {
        size_t n = chunk.size();
        std::vector<std::shared_ptr<Column>> cols(schema.columns.size());
        for (size_t c = 0; c < targets.size(); ++c) {
            const TableColumn& col = schema.columns[targets[c]];
            cols[targets[c]] = CastForInsert(chunk.shared_column(c), n, col.type, col.name);
        }
        for (size_t i = 0; i < schema.columns.size(); ++i) {
            if (cols[i]) continue;
            const TableColumn& col = schema.columns[i];
            Value d = col.default_current_timestamp ? Value::Datetime(now_micros)
                                                    : col.default_value.value_or(Value::Null(col.type));
            auto filled = std::make_shared<Column>(col.type, n);
            filled->Resize(n);
            for (size_t r = 0; r < n; ++r) filled->SetValue(r, d);
            cols[i] = std::move(filled);
        }
        Chunk full;
        for (auto& c : cols) full.AddColumn(std::move(c));
        full.SetSize(n);
        if (chunk.selection()) full.SetSelection(std::make_unique<SelectionVector>(*chunk.selection()));
        for (size_t i = 0; i < schema.columns.size(); ++i) {
            if (schema.columns[i].nullable) continue;
            for (size_t k = 0; k < full.live_rows(); ++k) {
                if (full.column(i).IsNull(full.LiveRow(k))) {
                    throw ConversionError("Column '" + schema.columns[i].name + "' cannot be null",
                                          ErrorCode::BAD_NULL);
                }
            }
        }
        out.push_back(std::move(full));
    }
    return out;
}

namespace {

/// RETURNING: a select list evaluated over rows of a table (full-width chunks in the table's
/// column order) as they are written or deleted; the result set of the statement.
class Returning {
  public:
    Returning(ClientContext& context, const std::vector<ast::SelectItem>& items, const TableInfo& table,
              const TableSchema& schema, const std::string& alias = "")
        : table_(alias.empty() ? table.name : alias), database_(table.database) {
        std::vector<ScopeColumn> scope;
        for (const auto& c : schema.columns) scope.push_back({table_, c.name, c.type, c.nullable});
        for (const auto& item : items) {
            if (item.expr->kind == ast::ExprKind::STAR) {
                for (size_t i = 0; i < schema.columns.size(); ++i) {
                    const auto& c = schema.columns[i];
                    exprs_.push_back(std::make_unique<BoundColumnRef>(i, c.type, c.name));
                    columns_.push_back({c.name, c.name, table_, table.name, database_, c.type, c.nullable});
                }
                continue;
            }
            Binder binder(context);
            BoundExprPtr e = binder.BindExpression(*item.expr, scope);
            std::string name =
                !item.alias.empty() ? item.alias : (!item.text.empty() ? item.text : item.expr->ToString());
            columns_.push_back({name, "", "", "", database_, e->type, true});
            exprs_.push_back(std::move(e));
        }
    }
    bool empty() const { return exprs_.empty(); }
    void Add(const Chunk& rows) {
        if (exprs_.empty() || rows.live_rows() == 0) return;
        Chunk out;
        for (const auto& e : exprs_) out.AddColumn(ExpressionExecutor::Evaluate(*e, rows, rows.size()));
        out.SetSize(rows.size());
        if (rows.selection()) out.SetSelection(std::make_unique<SelectionVector>(*rows.selection()));
        chunks_.push_back(std::move(out));
    }
    QueryResult Result() {
        QueryResult r;
        r.has_result_set = true;
        r.columns = columns_;
        r.chunks = std::move(chunks_);
        return r;
    }

  private:
    std::string table_, database_;
    std::vector<BoundExprPtr> exprs_;
    std::vector<ResultColumn> columns_;
    std::vector<Chunk> chunks_;
};

/// Runs `physical` and loads its rows (one column per target column) into `table` through a
/// batch writer, a batch per 32 MiB of rows or million rows: an INSERT ... SELECT or UPDATE never
/// holds all of its rows. `options.record`, when set, gets the row counts. Returns the load and the row count.
std::pair<LoadResult, size_t> LoadQueryResult(Session& session, PhysicalOperator& physical, const TableInfo& table,
                                              const TableSchema& schema, const std::vector<int>& targets,
                                              LoadOptions& options, Returning* returning = nullptr) {
    auto writer = session.instance().loads().StartLoad(table, schema, options);
    constexpr size_t kBatchRows = size_t{1} << 20;
    constexpr size_t kBatchBytes = size_t{32} << 20;
    std::vector<Chunk> pending, batch;
    size_t pending_rows = 0, pending_bytes = 0, total = 0;
    auto flush = [&] {
        batch = ToTableRows(pending, targets, schema, session.statement_start_micros());
        pending.clear();
        pending_rows = pending_bytes = 0;
        if (returning) {
            for (const auto& c : batch) returning->Add(c);
        }
        writer->Add(batch);
    };
    Executor::Run(
        physical,
        [&](Chunk& chunk) {
            pending_rows += chunk.live_rows();
            // The rows' bytes, strings counted by length (they may live in a scan's cached heap).
            for (size_t c = 0; c < chunk.column_count(); ++c) {
                const Column& col = chunk.column(c);
                pending_bytes += chunk.size() * (col.type().PhysicalSize() + 1);
                if (!col.type().HasStringHeap()) continue;
                const StringView* views = col.Strings();
                for (size_t r = 0; r < chunk.size(); ++r) pending_bytes += views[r].IsInline() ? 0 : views[r].size();
            }
            total += chunk.live_rows();
            pending.push_back(std::move(chunk));
            if (pending_rows >= kBatchRows || pending_bytes >= kBatchBytes) flush();
        },
        session.interrupted_flag(), session.PipelineDop());
    if (!pending.empty()) flush();
    if (options.record) options.record->total_rows = options.record->loaded_rows = static_cast<int64_t>(total);
    return {writer->Commit(), total};
}

/// Runs `SELECT <select> FROM db.table [WHERE where]` (the WHERE taken from a statement's AST) and
/// returns its chunks. With `row_id`, the table's scan exposes `__row_id`.
/// Lends a statement's WITH clause to the query a write runs for it, for the query's lifetime.
class CteLoan {
  public:
    CteLoan(const std::vector<ast::CommonTableExpr>& owner, std::vector<ast::CommonTableExpr>& query)
        : owner_(const_cast<std::vector<ast::CommonTableExpr>&>(owner)), query_(query) {
        owner_.swap(query_);
    }
    ~CteLoan() { owner_.swap(query_); }
    CteLoan(const CteLoan&) = delete;
    CteLoan& operator=(const CteLoan&) = delete;

  private:
    std::vector<ast::CommonTableExpr>& owner_;
    std::vector<ast::CommonTableExpr>& query_;
};

/// Lends a statement's extra FROM tables (DELETE ... USING, UPDATE ... FROM) to the query a write
/// runs for it, for the loan's lifetime: the query's FROM becomes its table CROSS JOIN them (the
/// WHERE relates them).
class JoinLoan {
  public:
    JoinLoan(const ast::TableRefPtr& owner, ast::TableRefPtr& from) : owner_(const_cast<ast::TableRefPtr&>(owner)) {
        if (!owner_) return;
        auto cross = std::make_unique<ast::JoinTableRef>();
        cross->join_type = ast::JoinType::CROSS;
        cross->left = std::move(from);
        cross->right = std::move(owner_);
        join_ = cross.get();
        from = std::move(cross);
    }
    ~JoinLoan() {
        if (join_) owner_ = std::move(join_->right);
    }
    JoinLoan(const JoinLoan&) = delete;
    JoinLoan& operator=(const JoinLoan&) = delete;

  private:
    ast::TableRefPtr& owner_;
    ast::JoinTableRef* join_ = nullptr;
};

}  // namespace

std::vector<Chunk> RunTableQuery(ClientContext& context, const std::string& db, const std::string& table,
                                 const std::string& select, const ast::ExprPtr& where, bool row_id,
                                 std::shared_ptr<const TableVersion> pinned, const ast::TableRefPtr* using_from,
                                 const std::vector<ast::CommonTableExpr>* ctes, const std::string& alias) {
    ast::StatementPtr parsed =
        Parser::ParseStatement("SELECT " + select + " FROM " + QuoteIdentifier(db) + "." + QuoteIdentifier(table) +
                               (alias.empty() ? "" : " AS " + QuoteIdentifier(alias)));
    auto& node = static_cast<ast::SelectNode&>(*static_cast<ast::SelectStatement&>(*parsed).query);
    std::vector<ast::CommonTableExpr> no_ctes;
    CteLoan loan(ctes ? *ctes : no_ctes, node.ctes);
    // Borrow the statement's WHERE (and USING tables) for binding; binding copies what it needs.
    auto& borrowed = const_cast<ast::ExprPtr&>(where);
    node.where = std::move(borrowed);
    const ast::TableRefPtr no_tables;
    JoinLoan join(using_from ? *using_from : no_tables, node.from);
    auto give_back = [&] { borrowed = std::move(node.where); };
    std::unique_ptr<BoundQueryNode> bound;
    try {
        Binder binder(context);
        if (row_id) binder.ExposeRowId(db, table);
        if (pinned) binder.PinTableVersion(pinned);
        // The statement that reads its own table here checked its privilege on it already.
        if (auto target = context.catalog().GetTable(db, table)) {
            binder.SetWriteTarget(target->id);
            binder.ReadHotTierOnly(target->id);  // the statement changes the hot rows it reads
        }
        bound = binder.BindQuery(node);
    } catch (...) {
        give_back();
        throw;
    }
    give_back();
    LogicalOperatorPtr plan = Optimizer::Optimize(Planner::PlanQuery(*bound));
    PhysicalOperatorPtr physical = PhysicalPlanner::Plan(*plan);
    return Executor::Run(*physical);
}

namespace {

/// The part of a version in the named partitions.
std::shared_ptr<const TableVersion> RestrictToPartitions(const TableVersion& version,
                                                         const std::vector<std::string>& names) {
    auto out = std::make_shared<TableVersion>();
    out->table_id = version.table_id;
    out->definition = version.definition;
    std::set<int64_t> ids;
    for (const auto& n : names) {
        const PartitionInfo* p = version.FindPartition(n);
        ids.insert(p->id);
        out->partitions.push_back(*p);
    }
    for (const auto& r : version.rowsets) {
        if (ids.count(r.partition_id)) out->rowsets.push_back(r);
    }
    return out;
}

QueryResult LoadInfo(const LoadResult& load, size_t affected) {
    QueryResult result;
    result.affected_rows = affected;
    result.info = "{'label':'" + load.label + "', 'status':'VISIBLE', 'txnId':'" + std::to_string(load.txn_id) + "'}";
    return result;
}

}  // namespace

/// The table's schema as of now; call with the table's write lock held, so it cannot change.
TableSchema CurrentSchema(Session& session, const TableInfo& table) {
    return ParseTableDefinition(session.instance().catalog().GetTableVersion(table.id)->definition);
}

namespace {

/// The canonical names of the partitions a statement names; errors for unknown ones.
std::vector<std::string> CheckPartitions(Session& session, const TableInfo& table, const TableSchema& schema,
                                         const std::vector<std::string>& names) {
    if (names.empty()) return {};
    if (!schema.partitioned()) {
        throw BinderError("table '" + table.name + "' is not partitioned; PARTITION (...) does not apply",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    auto version = session.instance().catalog().GetTableVersion(table.id);
    std::vector<std::string> out;
    for (const auto& n : names) {
        const PartitionInfo* p = version->FindPartition(n);
        if (!p) {
            throw CatalogError("Unknown partition '" + n + "' in table '" + table.name + "'", ErrorCode::UNKNOWN_TABLE);
        }
        out.push_back(p->name);
    }
    return out;
}

}  // namespace

namespace {
/// Statements that replace a tiered table's hot rows wholesale would leave its cold rows behind.
void RefuseIfTiered(Session& session, const TableInfo& table, const char* what) {
    auto v = session.instance().catalog().GetTableVersion(table.id);
    if (v->tier && v->tier->boundary) {
        throw NotSupportedError(std::string(what) + " of tiered table '" + table.name + "' is not supported yet: its " +
                                "history is in " + v->tier->ColdName() + "; DELETE the rows instead");
    }
}
}  // namespace

QueryResult StatementExecutor::Insert(const ast::InsertStatement& s) {
    if (s.into_files) return InsertIntoFiles(s);
    if (std::string external = ExternalCatalogOf(s.catalog); !external.empty()) return IcebergInsert(s, external);
    std::string db = TableDatabase(session_, s.database);
    auto found = session_.instance().catalog().GetTable(db, s.table);
    if (!found) throw CatalogError("Table '" + db + "." + s.table + "' doesn't exist", ErrorCode::UNKNOWN_TABLE);
    if (found->kind != "TABLE") {
        throw CatalogError("'" + db + "." + s.table + "' is a view; INSERT needs a table", ErrorCode::NOT_SUPPORTED);
    }
    const TableInfo& table = *found;
    const MvRefreshWrite* refresh = session_.mv_refresh_write();
    if (refresh && refresh->mv_id != table.id) refresh = nullptr;
    if (!refresh) RefuseMaterializedView(session_, table, "INSERT");
    if (!refresh) session_.RequirePrivilege("INSERT", ClientContext::TableObject(table));
    if (!s.returning.empty()) session_.RequirePrivilege("SELECT", ClientContext::TableObject(table));
    auto lock = session_.instance().loads().LockTable(table.id);
    TableSchema schema = CurrentSchema(session_, table);
    Returning returning(context_, s.returning, table, schema);
    if (s.by_name && s.query->kind == ast::QueryNodeKind::VALUES) {
        throw BinderError("INSERT ... BY NAME needs a query whose columns are named, not VALUES", ErrorCode::PARSE);
    }
    if (s.or_replace && schema.keys_type != ast::KeysType::PRIMARY) {
        throw NotSupportedError("INSERT OR REPLACE needs a PRIMARY KEY table (whose inserts replace rows by key); '" +
                                table.name + "' is " + KeysTypeName(schema.keys_type) + " KEY");
    }
    LoadOptions options;
    options.partitions = CheckPartitions(session_, table, schema, s.partitions);
    if (refresh) {
        // A materialized view's refresh: it replaces the MV (or the partitions it names) and
        // records the base state it read in the same commit.
        options.partitions = refresh->partitions;
        options.overwrite_named_partitions = refresh->partial;
        options.also = refresh->also;
    }
    std::vector<int> targets;
    if (s.columns.empty()) {
        for (size_t i = 0; i < schema.columns.size(); ++i) targets.push_back(static_cast<int>(i));
    } else {
        for (const auto& name : s.columns) {
            int idx = schema.Find(name);
            if (idx < 0) throw BinderError("Unknown column '" + name + "' in 'field list'", ErrorCode::UNKNOWN_COLUMN);
            for (int t : targets) {
                if (t == idx) throw BinderError("Column '" + name + "' specified twice", ErrorCode::WRONG_ARGUMENTS);
            }
            targets.push_back(idx);
        }
    }
    options.label = s.label;
    options.overwrite = s.overwrite;
    if (s.overwrite) RefuseIfTiered(session_, table, "INSERT OVERWRITE");
    if (!s.on_duplicate_key_update.empty()) {
        // MySQL's upsert: existing keys change only the named columns. Floe supports the form
        // writers use, `col = VALUES(col)`, on Primary Key tables.
        if (schema.keys_type != ast::KeysType::PRIMARY) {
            throw NotSupportedError("ON DUPLICATE KEY UPDATE needs a PRIMARY KEY table; '" + table.name + "' is " +
                                    KeysTypeName(schema.keys_type) + " KEY");
        }
        if (s.overwrite) throw BinderError("INSERT OVERWRITE cannot have ON DUPLICATE KEY UPDATE", ErrorCode::PARSE);
        options.update_columns.assign(schema.columns.size(), false);
        for (size_t k = 0; k < schema.key_columns.size(); ++k) options.update_columns[k] = true;
        for (const auto& a : s.on_duplicate_key_update) {
            int idx = schema.Find(a.column);
            if (idx < 0) {
                throw BinderError("Unknown column '" + a.column + "' in 'field list'", ErrorCode::UNKNOWN_COLUMN);
            }
            bool values_of_same = false;
            if (a.value->kind == ast::ExprKind::FUNCTION_CALL) {
                const auto& call = static_cast<const ast::FunctionCallExpr&>(*a.value);
                if (AsciiEqualsIgnoreCase(call.name, "values") && call.args.size() == 1 &&
                    call.args[0]->kind == ast::ExprKind::COLUMN_REF) {
                    const auto& parts = static_cast<const ast::ColumnRefExpr&>(*call.args[0]).parts;
                    values_of_same = AsciiEqualsIgnoreCase(parts.back(), a.column);
                }
            }
            if (!values_of_same) {
                throw NotSupportedError("ON DUPLICATE KEY UPDATE supports `col = VALUES(col)` assignments; '" +
                                        a.column + "' is assigned something else");
            }
            bool in_insert = false;
            for (int t : targets) in_insert |= t == idx;
            if (!in_insert) {
                throw BinderError("VALUES(" + a.column + ") names a column the INSERT does not list",
                                  ErrorCode::UNKNOWN_COLUMN);
            }
            options.update_columns[idx] = true;
        }
    }
    // The source rows, one column per target column.
    std::vector<Chunk> source;
    if (s.query->kind == ast::QueryNodeKind::VALUES) {
        const auto& values = static_cast<const ast::ValuesNode&>(*s.query);
        std::vector<LogicalType> types;
        for (int t : targets) types.push_back(schema.columns[t].type);
        for (size_t start = 0; start < values.rows.size(); start += kChunkCapacity) {
            size_t n = std::min(kChunkCapacity, values.rows.size() - start);
            Chunk chunk(types, n);
            chunk.SetSize(n);
            for (size_t r = 0; r < n; ++r) {
                const auto& row = values.rows[start + r];
                // VALUES () (and DEFAULT VALUES): every target column takes its default.
                if (row.size() != targets.size() && !row.empty()) {
                    throw BinderError("Column count doesn't match value count at row " + std::to_string(start + r + 1),
                                      ErrorCode::WRONG_VALUE_COUNT);
                }
                for (size_t c = 0; c < targets.size(); ++c) {
                    const TableColumn& col = schema.columns[targets[c]];
                    Value v;
                    if (row.empty() || (row[c]->kind == ast::ExprKind::COLUMN_REF &&
                                        static_cast<const ast::ColumnRefExpr&>(*row[c]).parts ==
                                            std::vector<std::string>{"DEFAULT"})) {
                        v = col.default_current_timestamp ? Value::Datetime(session_.statement_start_micros())
                                                          : col.default_value.value_or(Value::Null());
                    } else {
                        Binder binder(context_);
                        v = ExpressionExecutor::EvaluateConstant(*binder.BindConstantExpression(*row[c]));
                    }
                    if (!v.is_null()) CheckStorable(v.type(), col.type, col.name);
                    Value typed = v.is_null() ? Value::Null(col.type) : CastValue(v, col.type);
                    if (!v.is_null() && typed.is_null()) {
                        throw ConversionError("Incorrect " + col.type.ToString() + " value: '" + v.ToString() +
                                                  "' for column '" + col.name + "' at row " +
                                                  std::to_string(start + r + 1),
                                              ErrorCode::BAD_FIELD_VALUE);
                    }
                    chunk.column(c).SetValue(r, typed);
                }
            }
            source.push_back(std::move(chunk));
        }
    }
    // Every INSERT is a load job with a label (given or generated), listed by SHOW LOAD; a label
    // that already finished is refused.
    if (options.label.empty()) options.label = LoadManager::NewLabel("insert");
    LoadRecord record;
    record.kind = "INSERT";
    record.label = options.label;
    options.record = record;
    if (s.query->kind != ast::QueryNodeKind::VALUES) {
        // The query's rows stream into the table in batches.
        Binder binder(context_);
        auto bound = binder.BindQuery(*s.query);
        if (s.by_name) {
            targets.clear();
            for (const auto& out : bound->output) {
                int idx = schema.Find(out.name);
                if (idx < 0) {
                    throw BinderError("INSERT ... BY NAME: the query's column '" + out.name + "' is not a column of '" +
                                          table.name + "'",
                                      ErrorCode::UNKNOWN_COLUMN);
                }
                for (int t : targets) {
                    if (t == idx)
                        throw BinderError("Column '" + out.name + "' specified twice", ErrorCode::WRONG_ARGUMENTS);
                }
                targets.push_back(idx);
            }
        }
        if (bound->output.size() != targets.size()) {
            throw BinderError("Column count doesn't match value count: " + std::to_string(targets.size()) +
                                  " columns, the query returns " + std::to_string(bound->output.size()),
                              ErrorCode::WRONG_VALUE_COUNT);
        }
        CheckStorableOutput(*bound, 0, targets, schema);
        LogicalOperatorPtr plan = Optimizer::Optimize(Planner::PlanQuery(*bound));
        PhysicalOperatorPtr physical = PhysicalPlanner::Plan(*plan);
        auto [load, total] = LoadQueryResult(session_, *physical, table, schema, targets, options, &returning);
        return returning.empty() ? LoadInfo(load, total) : returning.Result();
    }
    std::vector<Chunk> rows = ToTableRows(source, targets, schema, session_.statement_start_micros());
    size_t total = 0;
    for (const auto& c : rows) total += c.live_rows();
    options.record->total_rows = options.record->loaded_rows = static_cast<int64_t>(total);
    for (const auto& c : rows) returning.Add(c);
    LoadResult load = session_.instance().loads().Load(table, schema, rows, options);
    return returning.empty() ? LoadInfo(load, total) : returning.Result();
}

QueryResult StatementExecutor::Delete(const ast::DeleteStatement& s) {
    if (std::string external = ExternalCatalogOf(s.catalog); !external.empty()) return IcebergDelete(s, external);
    TableInfo table = BaseTable(session_, s.database, s.table, "DELETE");
    auto lock = session_.instance().loads().LockTable(table.id);
    TableSchema schema = CurrentSchema(session_, table);
    std::vector<std::string> partitions = CheckPartitions(session_, table, schema, s.partitions);
    std::string select = "__row_id";
    if (schema.keys_type == ast::KeysType::PRIMARY) {
        for (const auto& k : schema.key_columns) select += ", " + QuoteIdentifier(k);
    }
    // RETURNING reads the deleted rows: every column, after the ones the delete needs.
    if (!s.returning.empty()) session_.RequirePrivilege("SELECT", ClientContext::TableObject(table));
    Returning returning(context_, s.returning, table, schema, s.alias);
    const size_t returned_from = schema.keys_type == ast::KeysType::PRIMARY ? 1 + schema.key_columns.size() : 1;
    const std::string& qualifier = s.alias.empty() ? table.name : s.alias;
    if (!returning.empty()) {
        for (const auto& c : schema.columns)
            select += ", " + QuoteIdentifier(qualifier) + "." + QuoteIdentifier(c.name);
    }
    if (s.using_from && (schema.keys_type == ast::KeysType::AGGREGATE || schema.keys_type == ast::KeysType::UNIQUE)) {
        throw BinderError(std::string("DELETE ... USING on an ") + KeysTypeName(schema.keys_type) +
                              " KEY table is not supported (its rows merge by key)",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    if (s.where && (schema.keys_type == ast::KeysType::AGGREGATE || schema.keys_type == ast::KeysType::UNIQUE)) {
        // Rows merge by key, so only conditions on the key decide which merged rows go.
        std::vector<ScopeColumn> keys;
        for (size_t k = 0; k < schema.key_columns.size(); ++k) {
            keys.push_back({qualifier, schema.columns[k].name, schema.columns[k].type, schema.columns[k].nullable});
        }
        try {
            Binder binder(context_);
            binder.BindExpression(*s.where, keys);
        } catch (const BinderError& e) {
            throw BinderError(std::string("DELETE on an ") + KeysTypeName(schema.keys_type) +
                                  " KEY table may only filter on key columns: " + e.what(),
                              ErrorCode::WRONG_ARGUMENTS);
        }
    }
    std::shared_ptr<const TableVersion> pinned;
    if (!partitions.empty())
        pinned = RestrictToPartitions(*session_.instance().catalog().GetTableVersion(table.id), partitions);
    std::vector<Chunk> rows = RunTableQuery(context_, table.database, table.name, select, s.where, true, pinned,
                                            &s.using_from, &s.ctes, s.alias);
    // A tiered table: rows of the cold tier that match go too (in the same statement, under the
    // same write lock).
    std::shared_ptr<const TableVersion> tiered = session_.instance().catalog().GetTableVersion(table.id);
    bool has_cold = tiered->tier && tiered->tier->mode != "external" && tiered->tier->snapshot_id >= 0;
    if (has_cold && (s.using_from || !s.returning.empty() || !s.ctes.empty())) {
        throw NotSupportedError("DELETE ... USING / WITH / RETURNING on tiered table '" + table.name +
                                "' is not supported yet: use a plain WHERE");
    }
    LoadResult load = session_.instance().loads().DeleteRows(table, schema, rows, "");
    if (has_cold && partitions.empty()) {
        int64_t cold = session_.instance().tiering().DeleteCold(session_, context_, table, s.where, s.alias);
        load.deleted_rows += cold;
    }
    if (returning.empty()) return LoadInfo(load, load.deleted_rows);
    std::unordered_set<int64_t> seen;  // USING may match a row several times: it is returned once
    for (const auto& chunk : rows) {
        Chunk deleted;
        for (size_t c = returned_from; c < chunk.column_count(); ++c) deleted.AddColumn(chunk.shared_column(c));
        deleted.SetSize(chunk.size());
        auto keep = std::make_unique<SelectionVector>();
        for (size_t i = 0; i < chunk.live_rows(); ++i) {
            uint32_t r = chunk.LiveRow(i);
            if (seen.insert(chunk.column(0).Data<int64_t>()[r]).second) keep->push_back(r);
        }
        deleted.SetSelection(std::move(keep));
        returning.Add(deleted);
    }
    return returning.Result();
}

QueryResult StatementExecutor::Update(const ast::UpdateStatement& s) {
    if (std::string external = ExternalCatalogOf(s.catalog); !external.empty()) return IcebergUpdate(s, external);
    TableInfo table = BaseTable(session_, s.database, s.table, "UPDATE");
    auto lock = session_.instance().loads().LockTable(table.id);
    TableSchema schema = CurrentSchema(session_, table);
    const bool duplicate = schema.keys_type == ast::KeysType::DUPLICATE;
    if (schema.keys_type != ast::KeysType::PRIMARY && !duplicate) {
        throw NotSupportedError("UPDATE needs a PRIMARY KEY or DUPLICATE KEY table; '" + table.name + "' is " +
                                KeysTypeName(schema.keys_type) + " KEY (its rows merge by key)");
    }
    if (auto v = session_.instance().catalog().GetTableVersion(table.id);
        duplicate && v->tier && v->tier->mode != "external" && v->tier->snapshot_id >= 0) {
        throw NotSupportedError("UPDATE of tiered Duplicate Key table '" + table.name +
                                "' is not supported yet (its cold rows have no key to replace them by); DELETE and "
                                "INSERT the rows instead");
    }
    // Primary Key tables: UPDATE is an upsert of the changed rows: SELECT every column, the
    // assigned ones computed from the old values, and load the result over the old rows.
    // Duplicate Key tables have no key to upsert by: the same rows are loaded and the old ones
    // (by their row ids) deleted in the same commit.
    std::vector<const ast::Expr*> assigned(schema.columns.size(), nullptr);
    for (const auto& a : s.assignments) {
        int idx = schema.Find(a.column);
        if (idx < 0) throw BinderError("Unknown column '" + a.column + "' in 'field list'", ErrorCode::UNKNOWN_COLUMN);
        if (!duplicate && static_cast<size_t>(idx) < schema.key_columns.size()) {
            throw BinderError("primary key column '" + schema.columns[idx].name + "' cannot be updated",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        if (assigned[idx]) {
            throw BinderError("Column '" + a.column + "' is assigned twice", ErrorCode::WRONG_ARGUMENTS);
        }
        assigned[idx] = a.value.get();
    }
    std::string select = duplicate ? "__row_id" : "";
    const std::string& qualifier = s.alias.empty() ? table.name : s.alias;  // FROM tables may share names
    for (size_t i = 0; i < schema.columns.size(); ++i) {
        select +=
            (select.empty() ? "" : ", ") + QuoteIdentifier(qualifier) + "." + QuoteIdentifier(schema.columns[i].name);
    }
    const size_t first = duplicate ? 1 : 0;  // the select-list position of the first column
    // The assigned expressions bind against the table's columns in the query below.
    ast::StatementPtr parsed = Parser::ParseStatement("SELECT " + select + " FROM " + QuoteIdentifier(table.database) +
                                                      "." + QuoteIdentifier(table.name) +
                                                      (s.alias.empty() ? "" : " AS " + QuoteIdentifier(s.alias)));
    auto& node = static_cast<ast::SelectNode&>(*static_cast<ast::SelectStatement&>(*parsed).query);
    CteLoan loan(s.ctes, node.ctes);
    JoinLoan join(s.from, node.from);  // UPDATE ... FROM
    auto& where = const_cast<ast::ExprPtr&>(s.where);
    std::vector<ast::ExprPtr*> borrowed;
    for (const auto& a : s.assignments) {
        int idx = schema.Find(a.column);
        auto& item = node.select_list[first + idx];
        if (a.value->kind == ast::ExprKind::COLUMN_REF &&
            static_cast<const ast::ColumnRefExpr&>(*a.value).parts == std::vector<std::string>{"DEFAULT"}) {
            // SET c = DEFAULT: the column's default.
            const TableColumn& col = schema.columns[idx];
            auto literal = std::make_unique<ast::LiteralExpr>();
            literal->value = col.default_current_timestamp ? Value::Datetime(session_.statement_start_micros())
                                                           : col.default_value.value_or(Value::Null(col.type));
            item.expr = std::move(literal);
            borrowed.push_back(nullptr);
            continue;
        }
        std::swap(item.expr, const_cast<ast::ExprPtr&>(a.value));
        borrowed.push_back(&const_cast<ast::ExprPtr&>(a.value));
    }
    node.where = std::move(where);
    auto give_back = [&] {
        where = std::move(node.where);
        for (size_t i = 0; i < s.assignments.size(); ++i) {
            if (borrowed[i])
                std::swap(node.select_list[first + schema.Find(s.assignments[i].column)].expr, *borrowed[i]);
        }
    };
    std::unique_ptr<BoundQueryNode> bound;
    try {
        Binder binder(context_);
        if (duplicate) binder.ExposeRowId(table.database, table.name);
        binder.SetWriteTarget(table.id);  // UPDATE was checked above; FROM tables need SELECT
        bound = binder.BindQuery(node);
    } catch (...) {
        give_back();
        throw;
    }
    give_back();
    std::vector<int> targets;
    for (size_t i = 0; i < schema.columns.size(); ++i) targets.push_back(static_cast<int>(i));
    CheckStorableOutput(*bound, first, targets, schema);
    LogicalOperatorPtr plan = Optimizer::Optimize(Planner::PlanQuery(*bound));
    PhysicalOperatorPtr physical = PhysicalPlanner::Plan(*plan);
    LoadOptions options;
    if (!s.returning.empty()) session_.RequirePrivilege("SELECT", ClientContext::TableObject(table));
    Returning returning(context_, s.returning, table, schema, s.alias);
    if (!duplicate) {
        auto [load, total] = LoadQueryResult(session_, *physical, table, schema, targets, options, &returning);
        return returning.empty() ? LoadInfo(load, total) : returning.Result();
    }
    // The new versions of the rows, and the positions of the old ones.
    std::vector<Chunk> source;
    for (Chunk& chunk : Executor::Run(*physical, session_.interrupted_flag(), session_.PipelineDop())) {
        Chunk values;
        // A row that FROM matches more than once is updated once (by its first match).
        auto keep = std::make_unique<SelectionVector>();
        for (size_t i = 0; i < chunk.live_rows(); ++i) {
            uint32_t r = chunk.LiveRow(i);
            int64_t id = chunk.column(0).Data<int64_t>()[r];
            if (options.deletes[id >> 32].addChecked(static_cast<uint32_t>(id & 0xffffffff))) keep->push_back(r);
        }
        for (size_t c = 1; c < chunk.column_count(); ++c) values.AddColumn(chunk.shared_column(c));
        values.SetSize(chunk.size());
        values.SetSelection(std::move(keep));
        source.push_back(std::move(values));
    }
    std::vector<Chunk> rows = ToTableRows(source, targets, schema, session_.statement_start_micros());
    size_t total = 0;
    for (const auto& c : rows) total += c.live_rows();
    if (total == 0) return returning.empty() ? LoadInfo(LoadResult{}, 0) : returning.Result();
    for (const auto& c : rows) returning.Add(c);
    LoadResult load = session_.instance().loads().Load(table, schema, rows, options);
    return returning.empty() ? LoadInfo(load, total) : returning.Result();
}

QueryResult StatementExecutor::Truncate(const ast::TruncateStatement& s) {
    TableInfo table = BaseTable(session_, s.database, s.table, "DELETE");
    RefuseIfTiered(session_, table, "TRUNCATE TABLE");
    auto lock = session_.instance().loads().LockTable(table.id);
    TableSchema schema = CurrentSchema(session_, table);
    std::vector<std::string> partitions = CheckPartitions(session_, table, schema, s.partitions);
    session_.instance().loads().Truncate(table, "", partitions);
    return QueryResult{};
}

QueryResult StatementExecutor::CreateTableAs(const ast::CreateTableStatement& s) {
    // The columns (names and types) come from the query; the clauses given apply as written.
    std::string db = RequireDatabase(session_, s.database, "CREATE TABLE");
    if (session_.instance().catalog().GetTable(db, s.name)) {
        if (s.if_not_exists) return QueryResult{};
        if (s.or_replace) {
            throw NotSupportedError(
                "CREATE OR REPLACE TABLE ... AS SELECT over an existing table is not supported "
                "(the query may read it); DROP TABLE first, or INSERT OVERWRITE it");
        }
        throw CatalogError("Table '" + s.name + "' already exists", ErrorCode::TABLE_EXISTS);
    }
    if (!s.columns.empty()) {
        throw NotSupportedError("CREATE TABLE ... AS SELECT takes its columns from the query; drop the column list");
    }
    Binder binder(context_);
    auto bound = binder.BindQuery(*s.as_query);
    ast::CreateTableStatement create;
    create.database = s.database;
    create.name = s.name;
    create.if_not_exists = s.if_not_exists;
    create.keys_type = s.keys_type;
    create.key_columns = s.key_columns;
    create.comment = s.comment;
    create.partition = s.partition;
    create.distribution_columns = s.distribution_columns;
    create.random_distribution = s.random_distribution;
    create.buckets = s.buckets;
    create.order_by = s.order_by;
    create.properties = s.properties;
    for (const auto& out : bound->output) {
        ast::ColumnDefinition c;
        c.name = out.name;
        c.type = out.type.id == TypeId::NULL_TYPE ? LogicalType::Varchar() : out.type;
        c.nullable = true;
        create.columns.push_back(std::move(c));
    }
    std::string definition = CanonicalCreateTable(create);
    TableSchema schema = ParseTableDefinition(definition);
    std::vector<PartitionInfo> partitions = ResolvePartitions(schema, create.partition.partitions, {});
    session_.instance().catalog().CreateTable(db, s.name, definition, false, partitions);
    // Then load the query's rows, as INSERT INTO t <query> would.
    ast::InsertStatement insert;
    insert.database = s.database;
    insert.table = s.name;
    auto& borrowed = const_cast<ast::QueryNodePtr&>(s.as_query);
    insert.query = std::move(borrowed);
    QueryResult result;
    try {
        result = Insert(insert);
    } catch (...) {
        borrowed = std::move(insert.query);
        session_.instance().catalog().DropTable(db, s.name, true);
        throw;
    }
    borrowed = std::move(insert.query);
    return result;
}

}  // namespace floe
