// CREATE TABLE, DROP TABLE and INSERT: the statements that define base tables and load them.
// Every INSERT is one load transaction: its rows are written to a new segment file, made durable,
// and only then recorded as a rowset in the meta store, so a statement's rows become visible all
// at once or not at all.
#include <fmt/format.h>

#include <chrono>
#include <random>

#include "binder/binder.h"
#include "binder/table_schema.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "execution/executor.h"
#include "execution/expression_executor.h"
#include "execution/physical_planner.h"
#include "function/cast.h"
#include "optimizer/optimizer.h"
#include "planner/planner.h"
#include "server/instance.h"
#include "server/session.h"
#include "server/statement_executor.h"
#include "storage/segment.h"
#include "types/date_time.h"

namespace floe {

namespace {

std::string TableDatabase(Session& session, const std::string& named) {
    std::string db = named.empty() ? session.current_database() : named;
    if (db.empty()) throw CatalogError("No database selected", ErrorCode::NO_DATABASE_SELECTED);
    if (AsciiEqualsIgnoreCase(db, kInformationSchema)) {
        throw CatalogError("Access denied: information_schema is read-only", ErrorCode::DB_ACCESS_DENIED);
    }
    return db;
}

/// The base table (not a view) `database`.`name`, or the MySQL "doesn't exist" error.
TableInfo BaseTable(Session& session, const std::string& database, const std::string& name) {
    std::string db = TableDatabase(session, database);
    auto table = session.instance().catalog().GetTable(db, name);
    if (!table || table->kind != "TABLE") {
        throw CatalogError("Table '" + db + "." + name + "' doesn't exist", ErrorCode::UNKNOWN_TABLE);
    }
    return *table;
}

std::string NewSegmentName() {
    static std::mt19937_64 rng(std::random_device{}());
    static std::mutex mu;
    std::lock_guard<std::mutex> lock(mu);
    auto now = std::chrono::system_clock::now().time_since_epoch().count();
    return fmt::format("{:x}_{:016x}.seg", now, rng());
}

/// Casts `input` to `type`, failing on values that cannot be converted (rather than storing NULL).
std::shared_ptr<Column> CastForInsert(const std::shared_ptr<Column>& input, size_t rows, const LogicalType& type,
                                      const std::string& column_name) {
    if (input->type() == type || (input->type().IsString() && type.IsString())) return input;
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
    std::string db = TableDatabase(session_, s.database);
    std::string definition = CanonicalCreateTable(s);
    session_.instance().catalog().CreateTable(db, s.name, definition, s.if_not_exists);
    return QueryResult{};
}

QueryResult StatementExecutor::DropTable(const ast::DropTableStatement& s) {
    std::string db = TableDatabase(session_, s.database);
    for (const auto& path : session_.instance().catalog().DropTable(db, s.name, s.if_exists)) {
        RemoveSegmentFile(session_.instance().options().data_dir + "/" + path);
    }
    return QueryResult{};
}

QueryResult StatementExecutor::CreateIndex(const ast::CreateIndexStatement& s) {
    TableInfo table = BaseTable(session_, s.database, s.table);
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
    TableInfo table = BaseTable(session_, s.database, s.table);
    session_.instance().catalog().DropIndex(table.id, s.name);
    return QueryResult{};
}

QueryResult StatementExecutor::Insert(const ast::InsertStatement& s) {
    Catalog& catalog = session_.instance().catalog();
    std::string db = TableDatabase(session_, s.database);
    auto table = catalog.GetTable(db, s.table);
    if (!table) throw CatalogError("Table '" + db + "." + s.table + "' doesn't exist", ErrorCode::UNKNOWN_TABLE);
    if (table->kind != "TABLE") {
        throw CatalogError("'" + db + "." + s.table + "' is a view; INSERT needs a table", ErrorCode::NOT_SUPPORTED);
    }
    TableSchema schema = ParseTableDefinition(table->definition);
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
                if (row.size() != targets.size()) {
                    throw BinderError("Column count doesn't match value count at row " + std::to_string(start + r + 1),
                                      ErrorCode::WRONG_VALUE_COUNT);
                }
                for (size_t c = 0; c < row.size(); ++c) {
                    const TableColumn& col = schema.columns[targets[c]];
                    Value v;
                    if (row[c]->kind == ast::ExprKind::COLUMN_REF &&
                        static_cast<const ast::ColumnRefExpr&>(*row[c]).parts == std::vector<std::string>{"DEFAULT"}) {
                        v = col.default_current_timestamp ? Value::Datetime(session_.statement_start_micros())
                                                          : col.default_value.value_or(Value::Null());
                    } else {
                        Binder binder(context_);
                        v = ExpressionExecutor::EvaluateConstant(*binder.BindConstantExpression(*row[c]));
                    }
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
    } else {
        Binder binder(context_);
        auto bound = binder.BindQuery(*s.query);
        if (bound->output.size() != targets.size()) {
            throw BinderError("Column count doesn't match value count: " + std::to_string(targets.size()) +
                                  " columns, the query returns " + std::to_string(bound->output.size()),
                              ErrorCode::WRONG_VALUE_COUNT);
        }
        LogicalOperatorPtr plan = Optimizer::Optimize(Planner::PlanQuery(*bound));
        PhysicalOperatorPtr physical = PhysicalPlanner::Plan(*plan);
        source = Executor::Run(*physical);
    }
    // Full-width chunks in the table's column order, with defaults for columns not listed.
    std::vector<Chunk> rows_out;
    size_t total = 0;
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
            Value d = col.default_current_timestamp ? Value::Datetime(session_.statement_start_micros())
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
        total += full.live_rows();
        rows_out.push_back(std::move(full));
    }
    QueryResult result;
    std::string label = s.label.empty()
                            ? fmt::format("insert_{:x}", std::chrono::system_clock::now().time_since_epoch().count())
                            : s.label;
    if (total == 0) {
        result.info = "{'label':'" + label + "', 'status':'VISIBLE', 'txnId':'0'}";
        return result;
    }
    std::string relative = "data/" + std::to_string(table->id) + "/" + NewSegmentName();
    std::string absolute = session_.instance().options().data_dir + "/" + relative;
    SegmentWriter writer(absolute, schema.Types());
    for (const auto& c : rows_out) writer.Append(c);
    uint64_t size = writer.Finish();
    int64_t rowset_id;
    try {
        rowset_id =
            catalog.CommitRowset(table->id, relative, static_cast<int64_t>(total), static_cast<int64_t>(size), label);
    } catch (...) {
        RemoveSegmentFile(absolute);
        throw;
    }
    result.affected_rows = total;
    result.info = "{'label':'" + label + "', 'status':'VISIBLE', 'txnId':'" + std::to_string(rowset_id) + "'}";
    return result;
}

}  // namespace floe
