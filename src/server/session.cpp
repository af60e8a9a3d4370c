#include "server/session.h"

#include <chrono>
#include <functional>
#include <set>

#include "binder/binder.h"
#include "binder/client_context.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "common/memory_tracker.h"
#include "common/worker_pool.h"
#include "execution/executor.h"
#include "execution/expression_executor.h"
#include "execution/operator/physical_file_scan.h"
#include "execution/operator/physical_table_scan.h"
#include "execution/physical_planner.h"
#include "optimizer/optimizer.h"
#include "parser/parser.h"
#include "planner/planner.h"
#include "server/instance.h"
#include "server/result_builder.h"
#include "server/statement_executor.h"

namespace floe {

/// A statement prepared with COM_STMT_PREPARE: the parsed tree is kept and bound anew on each
/// execution with the parameter values.
struct PreparedStatement {
    std::string sql;
    ast::StatementPtr statement;
    uint32_t parameter_count = 0;
};

namespace {

/// The session as the binder sees it.
class SessionClientContext : public ClientContext {
  public:
    explicit SessionClientContext(Session& s) : session_(s) {}
    Catalog& catalog() override { return session_.instance().catalog(); }
    const std::string& CurrentDatabase() const override { return session_.current_database(); }
    std::string UserAndHost() const override { return session_.user() + "@" + session_.host(); }
    uint32_t ConnectionId() const override { return session_.connection_id(); }
    Value GetVariable(ast::VariableScope scope, const std::string& name) const override {
        return session_.variables().Get(scope, name);
    }
    int64_t StatementStartMicros() const override { return session_.statement_start_micros(); }
    FilesDescription DescribeFiles(const std::vector<std::pair<std::string, std::string>>& properties) override {
        return floe::DescribeFiles(properties);
    }
    const std::string& DataDirectory() const override { return session_.instance().options().data_dir; }

  private:
    Session& session_;
};

int64_t NowMicros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

QueryResult Ok() {
    return QueryResult{};
}

/// Optimizer passes switched off with SET optimizer_disabled_rules = 'a,b'.
std::set<std::string> DisabledRules(const SessionVariables& vars) {
    std::set<std::string> out;
    std::string text = vars.Get(ast::VariableScope::DEFAULT, "optimizer_disabled_rules").ToString();
    size_t pos = 0;
    while (pos < text.size()) {
        size_t comma = text.find(',', pos);
        std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        while (!item.empty() && item.front() == ' ') item.erase(item.begin());
        while (!item.empty() && item.back() == ' ') item.pop_back();
        if (!item.empty()) out.insert(AsciiLower(item));
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return out;
}

}  // namespace

Session::Session(Instance& instance, uint32_t connection_id, std::string user, std::string host)
    : instance_(instance),
      connection_id_(connection_id),
      user_(std::move(user)),
      host_(std::move(host)),
      variables_(instance.globals()) {}

Session::~Session() = default;

void Session::SetCurrentDatabase(std::string_view database) {
    if (database.empty()) {
        current_database_.clear();
        return;
    }
    if (!AsciiEqualsIgnoreCase(database, kInformationSchema) && !instance_.catalog().DatabaseExists(database)) {
        throw CatalogError("Unknown database '" + std::string(database) + "'", ErrorCode::UNKNOWN_DATABASE);
    }
    current_database_ =
        AsciiEqualsIgnoreCase(database, kInformationSchema) ? std::string(kInformationSchema) : std::string(database);
}

std::vector<QueryResult> Session::ExecuteMulti(std::string_view sql) {
    interrupted_.store(false);
    std::vector<ast::StatementPtr> statements = Parser::ParseStatements(sql);
    std::vector<QueryResult> results;
    if (statements.empty()) throw ParserError("Query was empty", ErrorCode::PARSE);
    for (const auto& s : statements) {
        if (s->parameter_count > 0) {
            throw ParserError("'?' placeholders are only allowed in prepared statements", ErrorCode::PARSE);
        }
        results.push_back(ExecuteStatement(*s, nullptr));
    }
    return results;
}

QueryResult Session::Execute(std::string_view sql) {
    interrupted_.store(false);
    ast::StatementPtr statement = Parser::ParseStatement(sql);
    return ExecuteStatement(*statement, nullptr);
}

int64_t Session::StatementMemoryLimit() const {
    // query_mem_limit wins when set; exec_mem_limit is StarRocks' older name. 0 = only the server's limit.
    for (const char* name : {"query_mem_limit", "exec_mem_limit"}) {
        Value v = variables_.Get(ast::VariableScope::SESSION, name);
        if (!v.is_null() && v.ToString() != "0") return std::stoll(v.ToString());
    }
    return 0;
}

size_t Session::PipelineDop() const {
    // pipeline_dop as StarRocks has it: 0 = the machine decides (every core of the worker pool).
    Value v = variables_.Get(ast::VariableScope::SESSION, "pipeline_dop");
    int64_t dop = v.is_null() ? 0 : std::stoll(v.ToString());
    size_t cores = WorkerPool::Instance().parallelism();
    return dop <= 0 ? cores : std::min<size_t>(static_cast<size_t>(dop), cores);
}

QueryResult Session::ExecuteStatement(const ast::Statement& statement, const std::vector<Value>* params) {
    MemoryTracker tracker("this statement", StatementMemoryLimit(), nullptr,
                          "SET query_mem_limit = <bytes> changes it; 0 leaves only the server's limit");
    ScopedMemoryTracker attach(&tracker);
    try {
        return DispatchStatement(statement, params);
    } catch (const std::bad_alloc&) {
        throw OutOfMemoryError(tracker.DescribeExceeded(MemoryTracker::LastRefused()));
    }
}

QueryResult Session::DispatchStatement(const ast::Statement& statement, const std::vector<Value>* params) {
    statement_start_micros_ = NowMicros();
    SessionClientContext context(*this);
    StatementExecutor executor(*this, context);
    using K = ast::StatementKind;
    switch (statement.kind) {
        case K::SELECT:
            return ExecuteSelect(*static_cast<const ast::SelectStatement&>(statement).query, params);
        case K::EXPLAIN: {
            const auto& e = static_cast<const ast::ExplainStatement&>(statement);
            if (e.statement->kind != K::SELECT) throw NotSupportedError("EXPLAIN supports SELECT statements only");
            Binder binder(context, params);
            auto bound = binder.BindQuery(*static_cast<const ast::SelectStatement&>(*e.statement).query);
            LogicalOperatorPtr plan = Optimizer::Optimize(Planner::PlanQuery(*bound), DisabledRules(variables_));
            ResultBuilder rb;
            rb.AddColumn("Explain String", LogicalType::Varchar(1024));
            std::string text = PlanToString(*plan);
            if (e.analyze) {
                // Run the query, then report what each scan read and skipped.
                PhysicalOperatorPtr physical = PhysicalPlanner::Plan(*plan);
                size_t rows = 0;
                for (const auto& chunk : Executor::Run(*physical, &interrupted_, PipelineDop())) {
                    rows += chunk.live_rows();
                }
                while (!text.empty() && text.back() == '\n') text.pop_back();
                std::function<void(PhysicalOperator&)> visit = [&](PhysicalOperator& op) {
                    if (op.type() == PhysicalOperatorType::TABLE_SCAN) {
                        const auto& scan = static_cast<PhysicalTableScan&>(op);
                        const auto& st = scan.stats();
                        text += "\nSCANNED " + scan.table_name() + ": rowsets " + std::to_string(st.rowsets_read) +
                                " read, " + std::to_string(st.rowsets_skipped) + " skipped; pages " +
                                std::to_string(st.pages_read) + " read, " + std::to_string(st.pages_skipped) +
                                " skipped; " + std::to_string(st.rows_read) + " rows read";
                        size_t dropped = 0;
                        for (const auto& f : scan.runtime_filters()) dropped += f->rows_filtered.load();
                        if (!scan.runtime_filters().empty()) {
                            text += "; runtime filter: " + std::to_string(dropped) + " rows dropped";
                        }
                    }
                    if (op.type() == PhysicalOperatorType::TABLE_FUNCTION && op.name() == "FILE_SCAN") {
                        const auto& st = static_cast<PhysicalFileScan&>(op).stats();
                        text += "\nSCANNED FILES: " + std::to_string(st.files) + " files; row groups " +
                                std::to_string(st.row_groups_read) + " read, " + std::to_string(st.row_groups_skipped) +
                                " skipped; " + std::to_string(st.rows_read) + " rows read";
                        if (st.rows_skipped > 0) {
                            text += ", " + std::to_string(st.rows_skipped) + " skipped by the page index";
                        }
                        if (st.rows_filtered > 0) {
                            text += "; " + std::to_string(st.rows_filtered) +
                                    " rows filtered while decoding (late materialization)";
                        }
                        if (st.bloom_skipped > 0) {
                            text += "; " + std::to_string(st.bloom_skipped) + " row groups ruled out by bloom filters";
                        }
                    }
                    for (auto& child : op.children()) visit(*child);
                };
                visit(*physical);
                text += "\nRESULT " + std::to_string(rows) + " rows";
                MemoryTracker::FlushThread();
                if (MemoryTracker* t = MemoryTracker::Current()) text += "\nPEAK MEMORY " + FormatBytes(t->peak());
            }
            size_t pos = 0;
            while (pos < text.size()) {
                size_t nl = text.find('\n', pos);
                rb.AddRow({Value::Varchar(text.substr(pos, nl - pos))});
                pos = nl == std::string::npos ? text.size() : nl + 1;
            }
            return rb.Build();
        }
        case K::SET:
            return ExecuteSet(static_cast<const ast::SetStatement&>(statement), params);
        case K::SET_PASSWORD:
            return executor.SetPassword(static_cast<const ast::SetPasswordStatement&>(statement));
        case K::SHOW:
            return executor.Show(static_cast<const ast::ShowStatement&>(statement));
        case K::USE: {
            const auto& u = static_cast<const ast::UseStatement&>(statement);
            if (!u.catalog.empty() && !AsciiEqualsIgnoreCase(u.catalog, "default_catalog")) {
                throw CatalogError("Unknown catalog '" + u.catalog + "'", ErrorCode::UNKNOWN_DATABASE);
            }
            SetCurrentDatabase(u.database);
            return Ok();
        }
        case K::CREATE_DATABASE:
            return executor.CreateDatabase(static_cast<const ast::CreateDatabaseStatement&>(statement));
        case K::DROP_DATABASE:
            return executor.DropDatabase(static_cast<const ast::DropDatabaseStatement&>(statement));
        case K::CREATE_USER:
            return executor.CreateUser(static_cast<const ast::CreateUserStatement&>(statement));
        case K::ALTER_USER:
            return executor.AlterUser(static_cast<const ast::AlterUserStatement&>(statement));
        case K::DROP_USER:
            return executor.DropUser(static_cast<const ast::DropUserStatement&>(statement));
        case K::TRANSACTION: {
            // Statements commit individually (each load is its own transaction); BEGIN/COMMIT/ROLLBACK are
            // accepted so drivers that wrap work in transactions keep working.
            const auto& t = static_cast<const ast::TransactionStatement&>(statement);
            in_transaction_ = t.transaction == ast::TransactionKind::BEGIN;
            return Ok();
        }
        case K::KILL:
            return executor.Kill(static_cast<const ast::KillStatement&>(statement));
        case K::CREATE_VIEW:
            return executor.CreateView(static_cast<const ast::CreateViewStatement&>(statement));
        case K::DROP_VIEW:
            return executor.DropView(static_cast<const ast::DropViewStatement&>(statement));
        case K::CREATE_TABLE:
            return executor.CreateTable(static_cast<const ast::CreateTableStatement&>(statement));
        case K::DROP_TABLE:
            return executor.DropTable(static_cast<const ast::DropTableStatement&>(statement));
        case K::INSERT:
            return executor.Insert(static_cast<const ast::InsertStatement&>(statement));
        case K::DELETE:
            return executor.Delete(static_cast<const ast::DeleteStatement&>(statement));
        case K::UPDATE:
            return executor.Update(static_cast<const ast::UpdateStatement&>(statement));
        case K::TRUNCATE:
            return executor.Truncate(static_cast<const ast::TruncateStatement&>(statement));
        case K::ALTER_TABLE:
            return executor.AlterTable(static_cast<const ast::AlterTableStatement&>(statement));
        case K::ROUTINE_LOAD:
            return executor.RoutineLoad(static_cast<const ast::RoutineLoadStatement&>(statement));
        case K::CREATE_INDEX:
            return executor.CreateIndex(static_cast<const ast::CreateIndexStatement&>(statement));
        case K::DROP_INDEX:
            return executor.DropIndex(static_cast<const ast::DropIndexStatement&>(statement));
    }
    throw NotSupportedError("statement is not supported");
}

QueryResult Session::ExecuteSelect(const ast::QueryNode& query, const std::vector<Value>* params) {
    SessionClientContext context(*this);
    Binder binder(context, params);
    auto bound = binder.BindQuery(query);
    QueryResult result;
    result.has_result_set = true;
    for (const auto& c : bound->output) {
        result.columns.push_back({c.name, c.org_name, c.table, c.org_table, c.schema, c.type, c.nullable});
    }
    LogicalOperatorPtr plan = Optimizer::Optimize(Planner::PlanQuery(*bound), DisabledRules(variables_));
    PhysicalOperatorPtr physical = PhysicalPlanner::Plan(*plan);
    result.chunks = Executor::Run(*physical, &interrupted_, PipelineDop());
    return result;
}

QueryResult Session::ExecuteSet(const ast::SetStatement& statement, const std::vector<Value>* params) {
    SessionClientContext context(*this);
    for (const auto& a : statement.assignments) {
        ast::VariableScope scope = a.scope == ast::SetScope::USER     ? ast::VariableScope::USER
                                   : a.scope == ast::SetScope::GLOBAL ? ast::VariableScope::GLOBAL
                                                                      : ast::VariableScope::SESSION;
        Value value;
        if (a.value->kind == ast::ExprKind::COLUMN_REF &&
            static_cast<const ast::ColumnRefExpr&>(*a.value).parts.size() == 1) {
            // A bare word: DEFAULT, ON, OFF, or a name such as a time zone or isolation level.
            const std::string& word = static_cast<const ast::ColumnRefExpr&>(*a.value).parts[0];
            if (AsciiEqualsIgnoreCase(word, "DEFAULT") && scope != ast::VariableScope::USER) {
                const SystemVariableDef* def = FindSystemVariable(a.name);
                if (!def)
                    throw ExecutionError("Unknown system variable '" + a.name + "'",
                                         ErrorCode::UNKNOWN_SYSTEM_VARIABLE);
                value = VariableValue(*def, def->default_value);
            } else {
                value = Value::Varchar(word);
            }
        } else {
            Binder binder(context, params);
            value = ExpressionExecutor::EvaluateConstant(*binder.BindConstantExpression(*a.value));
        }
        bool was_autocommit = variables_.autocommit();
        variables_.Set(scope, a.name, value);
        if (!was_autocommit && variables_.autocommit()) in_transaction_ = false;
    }
    return Ok();
}

PreparedStatementInfo Session::Prepare(std::string_view sql) {
    auto prepared = std::make_unique<PreparedStatement>();
    prepared->sql = std::string(sql);
    prepared->statement = Parser::ParseStatement(sql);
    prepared->parameter_count = prepared->statement->parameter_count;
    PreparedStatementInfo info;
    info.parameter_count = prepared->parameter_count;
    if (prepared->statement->kind == ast::StatementKind::SELECT) {
        // Describe the result with NULL parameters; types may change once real values are bound.
        try {
            SessionClientContext context(*this);
            std::vector<Value> nulls(prepared->parameter_count, Value::Null());
            Binder binder(context, &nulls);
            statement_start_micros_ = NowMicros();
            auto bound = binder.BindQuery(*static_cast<const ast::SelectStatement&>(*prepared->statement).query);
            for (const auto& c : bound->output) {
                info.columns.push_back({c.name, c.org_name, c.table, c.org_table, c.schema, c.type, c.nullable});
            }
        } catch (const Exception&) {
            if (prepared->parameter_count == 0) throw;  // a real error, not an artefact of NULL parameters
            info.columns.clear();
        }
    }
    info.id = next_statement_id_++;
    prepared_[info.id] = std::move(prepared);
    return info;
}

QueryResult Session::ExecutePrepared(uint32_t statement_id, const std::vector<Value>& params) {
    interrupted_.store(false);
    auto it = prepared_.find(statement_id);
    if (it == prepared_.end()) {
        throw ExecutionError(
            "Unknown prepared statement handler (" + std::to_string(statement_id) + ") given to EXECUTE",
            ErrorCode::UNKNOWN_STATEMENT);
    }
    if (params.size() != it->second->parameter_count) {
        throw ExecutionError("Incorrect arguments to EXECUTE: expected " + std::to_string(it->second->parameter_count) +
                                 " parameters, got " + std::to_string(params.size()),
                             ErrorCode::WRONG_PARAM_COUNT);
    }
    return ExecuteStatement(*it->second->statement, &params);
}

void Session::ClosePrepared(uint32_t statement_id) {
    prepared_.erase(statement_id);
}

void Session::ResetPrepared(uint32_t statement_id) {
    if (!prepared_.count(statement_id)) {
        throw ExecutionError("Unknown prepared statement handler (" + std::to_string(statement_id) + ") given to RESET",
                             ErrorCode::UNKNOWN_STATEMENT);
    }
}

std::vector<ResultColumn> Session::FieldList(std::string_view table, std::string_view wildcard) {
    std::vector<ResultColumn> out;
    if (current_database_.empty()) throw CatalogError("No database selected", ErrorCode::NO_DATABASE_SELECTED);
    if (AsciiEqualsIgnoreCase(current_database_, kInformationSchema)) {
        SessionClientContext context(*this);
        ast::ShowStatement show;
        show.show = ast::ShowKind::COLUMNS;
        show.table = std::string(table);
        show.database = current_database_;
        StatementExecutor executor(*this, context);
        QueryResult r = executor.Show(show);
        for (const auto& chunk : r.chunks) {
            for (size_t i = 0; i < chunk.live_rows(); ++i) {
                ResultColumn c;
                c.name = chunk.column(0).GetValue(chunk.LiveRow(i)).ToString();
                c.org_name = c.name;
                c.table = std::string(table);
                c.org_table = std::string(table);
                c.schema = current_database_;
                c.type = LogicalType::Varchar(64);
                out.push_back(std::move(c));
            }
        }
        (void)wildcard;
        return out;
    }
    throw CatalogError("Table '" + current_database_ + "." + std::string(table) + "' doesn't exist",
                       ErrorCode::UNKNOWN_TABLE);
}

uint16_t Session::StatusFlags() const {
    uint16_t flags = 0;
    if (variables_.autocommit()) flags |= kServerStatusAutocommit;
    if (in_transaction_) flags |= kServerStatusInTrans;
    return flags;
}

}  // namespace floe
