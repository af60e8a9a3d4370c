#include "server/session.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <set>
#include <type_traits>

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
#include "execution/query_profile.h"
#include "io/data_cache.h"
#include "lake/iceberg/iceberg_table.h"
#include "lake/iceberg/metadata_tables.h"
#include "mv/mv_state.h"
#include "optimizer/optimizer.h"
#include "parser/parser.h"
#include "planner/planner.h"
#include "server/instance.h"
#include "server/lake_maintenance.h"
#include "server/mv_candidates.h"
#include "server/mv_incremental.h"
#include "server/mv_statements.h"
#include "server/result_builder.h"
#include "server/statement_executor.h"
#include "server/tiering_service.h"

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
    std::string CurrentCatalog() const override {
        return session_.current_catalog().empty() ? std::string(kDefaultCatalog) : session_.current_catalog();
    }
    std::shared_ptr<const TableSource> OpenTable(const std::string& catalog, const std::string& database,
                                                 const std::string& table, const ast::TimeTravel& travel,
                                                 bool check_privileges = true) override {
        return session_.OpenExternalTable(catalog, database, table, travel, check_privileges);
    }
    TableRows OpenMetadataTable(const std::string& catalog, const std::string& database, const std::string& table,
                                const std::string& kind, const ast::TimeTravel& travel) override {
        auto source = session_.OpenExternalTable(catalog, database, table, travel);
        return iceberg::MetadataTable(static_cast<const iceberg::IcebergTable&>(*source), kind);
    }
    std::string UserAndHost() const override { return session_.user() + "@" + session_.host(); }
    uint32_t ConnectionId() const override { return session_.connection_id(); }
    std::string LastQueryId() const override { return session_.last_query_id(); }
    std::optional<std::string> QueryProfileText(const std::string& query_id) override {
        auto profile = session_.instance().profiles().Find(query_id);
        if (!profile) return std::nullopt;
        if (profile->user != session_.user() && !HasPrivilege("OPERATE", ClientContext::SystemObject())) {
            return std::nullopt;
        }
        std::string text = "Query ID: " + profile->query_id + "\nState: " + profile->state +
                           "  Total: " + std::to_string(profile->duration_ms) +
                           "ms  Peak memory: " + FormatBytes(profile->peak_memory_bytes) + "\n";
        for (const auto& line : profile->lines) text += line + "\n";
        return text;
    }
    Value GetVariable(ast::VariableScope scope, const std::string& name) const override {
        return session_.variables().Get(scope, name);
    }
    int64_t StatementStartMicros() const override { return session_.statement_start_micros(); }
    FilesDescription DescribeFiles(const std::vector<std::pair<std::string, std::string>>& properties) override {
        return floe::DescribeFiles(properties);
    }
    const std::string& DataDirectory() const override { return session_.instance().options().data_dir; }
    void RequirePrivilege(std::string_view privilege, const PrivilegeObject& object) override {
        session_.RequirePrivilege(privilege, object);
    }
    bool CanSee(const PrivilegeObject& object) override { return session_.CanSee(object); }
    bool HasPrivilege(std::string_view privilege, const PrivilegeObject& object) override {
        return session_.Privileges().Has(privilege, object);
    }
    AccessControl& access() override { return session_.instance().access(); }
    std::string UserName() const override { return session_.user(); }
    std::vector<std::string> ActiveRoles() const override { return session_.active_roles(); }
    std::vector<std::vector<Value>> AuditRows() override {
        const bool everyone = session_.Privileges().Has("OPERATE", SystemObject());
        std::vector<std::vector<Value>> rows;
        auto text = [](const std::string& s) { return Value::Varchar(s); };
        for (const auto& r : session_.instance().audit().Recent()) {
            if (!everyone && r.user != session_.user()) continue;
            rows.push_back({text(r.query_id),
                            Value::Datetime(r.timestamp_ms * 1000),
                            text(r.query_type),
                            text(r.client),
                            text(r.user),
                            text(r.authorized_user),
                            text(""),
                            text(r.catalog),
                            text(r.db),
                            text(r.state),
                            Value::Integer(r.error_code),
                            Value::Integer(r.time_ms),
                            Value::Integer(r.scan_bytes),
                            Value::Integer(r.scan_rows),
                            Value::Integer(r.return_rows),
                            Value::Integer(0),
                            Value::Integer(r.mem_cost_bytes),
                            Value::Integer(r.stmt_id),
                            Value::Boolean(r.is_query),
                            text("127.0.0.1"),
                            text(r.stmt),
                            text(""),
                            Value::Double(0),
                            Value::Double(0),
                            text(r.error_message)});
        }
        return rows;
    }
    bool CanSeeDatabase(int64_t database_id) override { return session_.Privileges().HasAnyInDatabase(database_id); }
    DeltaScan* delta_scan() override { return session_.delta_scan(); }
    bool ServerTable(std::string_view name, BoundValuesSource& out) override {
        MvRows rows;
        if (name == "MATERIALIZED_VIEWS") {
            rows = MaterializedViewRows(session_, "", false);
        } else if (name == "TASKS") {
            rows = TaskRows(session_, false);
        } else if (name == "TASK_RUNS") {
            rows = TaskRows(session_, true);
        } else if (name == "TIERING") {
            rows = session_.instance().tiering().Rows(session_, "");
        } else if (name == "ICEBERG_TABLE_HEALTH") {
            rows = session_.instance().lake().HealthRows(session_, "", "");
        } else if (name == "ICEBERG_MAINTENANCE_LOG") {
            rows = session_.instance().lake().LogRows(session_);
        } else {
            return false;
        }
        out.names = std::move(rows.names);
        out.types = std::move(rows.types);
        out.rows = std::move(rows.rows);
        return true;
    }

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

/// The materialized views a query bound through `observed` may be answered from (null: none).
std::unique_ptr<MvRewriteContext> MvContextFor(ClientContext& context, const MvBindingContext& observed) {
    std::unique_ptr<MvRewriteContext> mv = BuildMvRewriteContext(context);
    if (mv && observed.read_time()) {
        mv->query_not_rewritable =
            "the query reads the current date or time (NOW(), CURRENT_DATE), which is not deterministic";
    }
    return mv;
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
      variables_(instance.globals()) {
    active_roles_ = instance_.access().DefaultRoles(user_);
    connected_ms_ =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    activity_.since_ms = connected_ms_;
}

Session::~Session() = default;

std::shared_ptr<const PrivilegeSet> Session::SharedPrivileges() {
    AccessControl& access = instance_.access();
    uint64_t generation = access.generation();
    if (!privileges_ || generation != privileges_generation_) {
        // Roles revoked since SET ROLE stop counting.
        std::vector<std::string> granted = access.GrantedRoles(user_);
        std::vector<std::string> still;
        for (const auto& r : active_roles_) {
            if (std::find(granted.begin(), granted.end(), r) != granted.end()) still.push_back(r);
        }
        active_roles_ = std::move(still);
        privileges_ = access.Effective(user_, active_roles_);
        privileges_generation_ = generation;
    }
    return privileges_;
}

const PrivilegeSet& Session::Privileges() {
    return *SharedPrivileges();
}

std::vector<std::string> Session::InactiveRoles() {
    std::vector<std::string> out;
    for (const auto& r : instance_.access().GrantedRoles(user_)) {
        if (std::find(active_roles_.begin(), active_roles_.end(), r) == active_roles_.end()) out.push_back(r);
    }
    return out;
}

bool Session::CanSee(const PrivilegeObject& object) {
    if (Privileges().HasAny(object)) return true;
    if (object.type != ObjectType::TABLE || object.id <= 0) return false;
    if (!instance_.catalog().GetMaterializedView(object.id)) return false;
    PrivilegeObject mv = object;
    mv.type = ObjectType::MATERIALIZED_VIEW;
    return Privileges().HasAny(mv);
}

void Session::RequirePrivilege(std::string_view privilege, const PrivilegeObject& object) {
    if (Privileges().Has(privilege, object)) return;
    // A materialized view's storage is a table: privileges granted ON MATERIALIZED VIEW apply to it.
    if (object.type == ObjectType::TABLE && object.id > 0 && instance_.catalog().GetMaterializedView(object.id)) {
        PrivilegeObject mv = object;
        mv.type = ObjectType::MATERIALIZED_VIEW;
        if (Privileges().Has(privilege, mv)) return;
        std::vector<std::string> active = active_roles_;
        active.push_back("public");
        ThrowPrivilegeDenied(privilege, mv, active, InactiveRoles());
    }
    std::vector<std::string> active = active_roles_;
    active.push_back("public");
    ThrowPrivilegeDenied(privilege, object, active, InactiveRoles());
}

void Session::SetActiveRoles(std::vector<std::string> roles) {
    std::vector<std::string> granted = instance_.access().GrantedRoles(user_);
    for (const auto& r : roles) {
        if (AsciiEqualsIgnoreCase(r, "public")) continue;
        if (std::find(granted.begin(), granted.end(), r) == granted.end()) {
            throw PermissionError("Role '" + r + "' is not granted to user '" + user_ + "'",
                                  ErrorCode::PRIVILEGE_DENIED);
        }
    }
    roles.erase(std::remove_if(roles.begin(), roles.end(),
                               [](const std::string& r) { return AsciiEqualsIgnoreCase(r, "public"); }),
                roles.end());
    active_roles_ = std::move(roles);
    privileges_.reset();
}

void Session::SetCurrentCatalog(const std::string& catalog) {
    if (catalog.empty() || AsciiEqualsIgnoreCase(catalog, kDefaultCatalog)) {
        if (!current_catalog_.empty()) SetDatabaseName("");
        current_catalog_.clear();
        return;
    }
    if (!instance_.catalog().GetExternalCatalog(catalog)) {
        throw CatalogError("Unknown catalog '" + catalog + "'", ErrorCode::UNKNOWN_DATABASE);
    }
    RequirePrivilege("USAGE", ClientContext::CatalogObject(catalog));
    if (current_catalog_ != catalog) SetDatabaseName("");
    current_catalog_ = catalog;
}

void Session::SetCurrentDatabase(std::string_view database) {
    if (database.empty()) {
        SetDatabaseName("");
        return;
    }
    if (!current_catalog_.empty()) {
        if (!instance_.external_catalogs().DatabaseExists(current_catalog_, std::string(database))) {
            throw CatalogError("Unknown database '" + current_catalog_ + "." + std::string(database) + "'",
                               ErrorCode::UNKNOWN_DATABASE);
        }
        SetDatabaseName(std::string(database));
        return;
    }
    if (!AsciiEqualsIgnoreCase(database, kInformationSchema)) {
        auto db = instance_.catalog().GetDatabase(database);
        if (!db) throw CatalogError("Unknown database '" + std::string(database) + "'", ErrorCode::UNKNOWN_DATABASE);
        // USE needs some privilege in the database (MySQL's error, naming user and database).
        if (!Privileges().HasAnyInDatabase(db->id)) {
            throw PermissionError(
                "Access denied for user '" + user_ + "'@'" + host_ + "' to database '" + std::string(database) + "'",
                ErrorCode::DB_ACCESS_DENIED);
        }
    }
    SetDatabaseName(AsciiEqualsIgnoreCase(database, kInformationSchema) ? std::string(kInformationSchema)
                                                                        : std::string(database));
}

void Session::SetDatabaseName(std::string database) {
    std::lock_guard<std::mutex> lock(activity_mutex_);
    activity_.database = database;
    current_database_ = std::move(database);
}

template <typename Run>
auto Session::Audited(std::string_view text, Run&& run) -> decltype(run()) {
    AuditRecord record;
    record.query_id = AuditLog::NewQueryId();
    record.client = host_;
    record.user = user_;
    record.authorized_user = "'" + user_ + "'@'%'";
    record.db = current_database_;
    record.stmt_id = ++audit_statements_;
    record.stmt = AuditLog::MaskPasswords(text.substr(0, 1 << 20));
    if (!current_query_id_.empty()) last_query_id_ = current_query_id_;
    current_query_id_ = record.query_id;
    current_statement_ = record.stmt.substr(0, 4096);
    auto progress = std::make_shared<Progress>();
    const int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    // A KILL QUERY from now on stops this statement (one that came before it applied to the last).
    interrupted_.store(false);
    {
        std::lock_guard<std::mutex> lock(activity_mutex_);
        activity_.running = true;
        activity_.query_id = record.query_id;
        activity_.statement = current_statement_;
        activity_.since_ms = now_ms;
        activity_.progress = progress;
    }
    // A statement a background job runs reports into the job's progress.
    ScopedProgress report(progress.get());
    // Every plan the statement runs adds its tree to the statement's profile.
    ProfileCollector collector;
    ScopedProfileCollector collecting(keep_profiles_ ? &collector : nullptr);
    auto started = std::chrono::steady_clock::now();
    auto finish = [&] {
        if (!collector.empty()) {
            QueryProfile profile;
            profile.query_id = record.query_id;
            profile.user = user_;
            profile.database = record.db;
            profile.statement = current_statement_;
            profile.state = record.state == "ERR" ? "Error" : "Finished";
            profile.start_ms = now_ms;
            profile.duration_ms =
                std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
                    .count();
            profile.peak_memory_bytes = collector.peak_memory_bytes();
            profile.lines = collector.TakeLines();
            instance_.profiles().Add(std::move(profile));
        }
        {
            std::lock_guard<std::mutex> lock(activity_mutex_);
            activity_.running = false;
            activity_.progress.reset();
            activity_.since_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
        }
        record.time_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
        instance_.metrics().Observe(record);
        instance_.audit().Add(std::move(record));
    };
    try {
        auto result = run();
        auto account = [&](const QueryResult& r) {
            record.is_query |= r.has_result_set;
            record.return_rows += static_cast<int64_t>(r.has_result_set ? r.RowCount() : 0);
        };
        if constexpr (std::is_same_v<decltype(result), QueryResult>) {
            account(result);
        } else {
            for (const auto& r : result) account(r);
        }
        record.state = record.is_query ? "EOF" : "OK";
        finish();
        return result;
    } catch (const Exception& e) {
        record.state = "ERR";
        record.error_code = MysqlErrno(e.code());
        record.error_message = e.what();
        finish();
        throw;
    } catch (const std::exception& e) {
        record.state = "ERR";
        record.error_code = MysqlErrno(ErrorCode::INTERNAL);
        record.error_message = e.what();
        finish();
        throw;
    }
}

SessionActivity Session::activity() const {
    std::lock_guard<std::mutex> lock(activity_mutex_);
    return activity_;
}

bool Session::InterruptQuery(const std::string& query_id) {
    std::lock_guard<std::mutex> lock(activity_mutex_);
    if (!activity_.running || activity_.query_id != query_id) return false;
    interrupted_.store(true);
    return true;
}

std::vector<QueryResult> Session::ExecuteMulti(std::string_view sql) {
    return Audited(sql, [&] {
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
    });
}

QueryResult Session::Execute(std::string_view sql) {
    return Audited(sql, [&] {
        ast::StatementPtr statement = Parser::ParseStatement(sql);
        return ExecuteStatement(*statement, nullptr);
    });
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
    // Scans this statement plans read remote files through the data cache unless the session
    // turned enable_scan_datacache off.
    Value use_cache = variables_.Get(ast::VariableScope::SESSION, "enable_scan_datacache");
    ScanDataCacheScope cache_scope(use_cache.is_null() || use_cache.GetInt() != 0);
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
        case K::SELECT: {
            const auto& select = static_cast<const ast::SelectStatement&>(statement);
            if (select.cache_warmup) return ExecuteCacheSelect(select, params);
            return ExecuteSelect(*select.query, params);
        }
        case K::EXPLAIN: {
            const auto& e = static_cast<const ast::ExplainStatement&>(statement);
            if (e.statement->kind != K::SELECT) throw NotSupportedError("EXPLAIN supports SELECT statements only");
            MvBindingContext observed(context, true);
            Binder binder(observed, params);
            auto bound = binder.BindQuery(*static_cast<const ast::SelectStatement&>(*e.statement).query);
            std::unique_ptr<MvRewriteContext> mv = MvContextFor(context, observed);
            LogicalOperatorPtr plan =
                Optimizer::Optimize(Planner::PlanQuery(*bound), DisabledRules(variables_), mv.get());
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
                    std::string scanned = ScanSummary(op);
                    if (!scanned.empty()) text += "\n" + scanned;
                    for (auto& child : op.children()) visit(*child);
                };
                visit(*physical);
                text += "\nRESULT " + std::to_string(rows) + " rows";
                MemoryTracker::FlushThread();
                if (MemoryTracker* t = MemoryTracker::Current()) text += "\nPEAK MEMORY " + FormatBytes(t->peak());
            }
            if (mv) {
                // Which materialized views answered the query, and why the others did not.
                if (!text.empty() && text.back() != '\n') text += "\n";
                text += MvReportText(*mv);
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
            if (!u.catalog.empty()) {
                std::string saved_catalog = current_catalog_, saved_db = current_database_;
                SetCurrentCatalog(u.catalog);
                try {
                    SetCurrentDatabase(u.database);
                } catch (...) {
                    current_catalog_ = saved_catalog;
                    SetDatabaseName(saved_db);
                    throw;
                }
                return Ok();
            }
            SetCurrentDatabase(u.database);
            return Ok();
        }
        case K::CREATE_CATALOG:
        case K::DROP_CATALOG:
        case K::SET_CATALOG:
            return executor.CatalogStatement(statement);
        case K::GRANT:
            return executor.Grant(static_cast<const ast::GrantStatement&>(statement));
        case K::CREATE_ROLE:
        case K::DROP_ROLE:
            return executor.RoleDdl(static_cast<const ast::RoleStatement&>(statement));
        case K::SET_ROLE:
            return executor.SetRole(static_cast<const ast::SetRoleStatement&>(statement));
        case K::SET_DEFAULT_ROLE:
            return executor.SetDefaultRole(static_cast<const ast::SetDefaultRoleStatement&>(statement));
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
        case K::ANALYZE_PROFILE: {
            // A kept profile: the user's own queries, anyone's with OPERATE.
            const auto& a = static_cast<const ast::AnalyzeProfileStatement&>(statement);
            auto profile = instance_.profiles().Find(a.query_id);
            if (profile && profile->user != user_) {
                SessionClientContext context(*this);
                if (!context.HasPrivilege("OPERATE", ClientContext::SystemObject())) profile.reset();
            }
            if (!profile) {
                throw CatalogError("no profile of query '" + a.query_id + "' is kept (SHOW PROFILELIST lists them)",
                                   ErrorCode::WRONG_ARGUMENTS);
            }
            ResultBuilder rb;
            rb.AddColumn("Explain String", LogicalType::Varchar(1024));
            rb.AddRow({Value::Varchar("Query ID: " + profile->query_id)});
            rb.AddRow({Value::Varchar("State: " + profile->state + "  Total: " + std::to_string(profile->duration_ms) +
                                      "ms  Peak memory: " + FormatBytes(profile->peak_memory_bytes) +
                                      "  User: " + profile->user + "  Default Db: " + profile->database)});
            rb.AddRow({Value::Varchar("Sql Statement: " + profile->statement.substr(0, 1000))});
            for (const auto& line : profile->lines) rb.AddRow({Value::Varchar(line)});
            return rb.Build();
        }
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
        case K::MERGE:
            return executor.Merge(static_cast<const ast::MergeStatement&>(statement));
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
        case K::MATERIALIZED_VIEW:
            return executor.MaterializedView(static_cast<const ast::MaterializedViewStatement&>(statement));
        case K::TASK:
            return executor.Task(static_cast<const ast::TaskStatement&>(statement));
    }
    throw NotSupportedError("statement is not supported");
}

std::pair<int64_t, int64_t> Session::CopyIntoIceberg(const std::string& sql, std::shared_ptr<const TableVersion> pinned,
                                                     const std::string& catalog, const std::string& db,
                                                     const std::string& table, const iceberg::TableState& state,
                                                     const std::function<void(iceberg::TableTransaction&)>& prepare,
                                                     bool file_per_partition) {
    ast::StatementPtr statement = Parser::ParseStatement(sql);
    if (statement->kind != ast::StatementKind::SELECT) throw BinderError("not a query: " + sql);
    statement_start_micros_ = NowMicros();
    interrupted_ = false;
    SessionClientContext context(*this);
    StatementExecutor executor(*this, context);
    Binder binder(context, nullptr);
    binder.PinTableVersion(std::move(pinned));
    auto bound = binder.BindQuery(*static_cast<const ast::SelectStatement&>(*statement).query);
    int64_t snapshot = -1;
    QueryResult r = executor.IcebergWrite(catalog, db, table, state, *bound, {}, false, false, &prepare, &snapshot,
                                          file_per_partition);
    return {snapshot, static_cast<int64_t>(r.affected_rows)};
}

QueryDescription Session::DescribeQuery(std::string_view sql) {
    ast::StatementPtr statement = Parser::ParseStatement(sql);
    if (statement->kind != ast::StatementKind::SELECT) throw BinderError("not a query: " + std::string(sql));
    statement_start_micros_ = NowMicros();
    SessionClientContext context(*this);
    Binder binder(context, nullptr);
    auto bound = binder.BindQuery(*static_cast<const ast::SelectStatement&>(*statement).query);
    QueryDescription out;
    for (const auto& c : bound->output) {
        out.output.push_back({c.name, c.org_name, c.table, c.org_table, c.schema, c.type, c.nullable});
    }
    LogicalOperatorPtr plan = Planner::PlanQuery(*bound);
    std::set<std::string> seen;
    std::function<void(const LogicalOperator&)> visit = [&](const LogicalOperator& op) {
        if (op.type == LogicalOperatorType::GET) {
            const auto& get = static_cast<const LogicalGet&>(op);
            if (seen.insert(get.table).second) out.hot_bases.push_back(get.table);
        } else if (op.type == LogicalOperatorType::TABLE_FUNCTION) {
            const auto& fn = static_cast<const LogicalTableFunction&>(op);
            if (fn.source && seen.insert(fn.source->name()).second) {
                if (const auto* ice = dynamic_cast<const iceberg::IcebergTable*>(fn.source.get())) {
                    std::string column;
                    for (auto& p : IcebergBaseState(fn.source->name(), *ice, &column)) {
                        out.external_states.push_back(std::move(p));
                    }
                    if (!column.empty()) out.external_partition_columns[fn.source->name()] = column;
                } else {
                    out.external_states.push_back(mv::ExternalTableState(fn.source->name(), "", ""));
                }
            }
        } else if (op.type == LogicalOperatorType::CTE_SCAN) {
            const auto& cte = *static_cast<const LogicalCteScan&>(op).cte;
            if (cte.plan && seen.insert("\x01"
                                        "cte:" +
                                        cte.name)
                                .second)
                visit(*cte.plan);
        }
        for (const auto& child : op.children) visit(*child);
    };
    visit(*plan);
    return out;
}

QueryResult Session::ExecuteSelect(const ast::QueryNode& query, const std::vector<Value>* params) {
    SessionClientContext context(*this);
    MvBindingContext observed(context, true);
    Binder binder(observed, params);
    if (pinned_read_) binder.PinTableVersion(pinned_read_);
    auto bound = binder.BindQuery(query);
    QueryResult result;
    result.has_result_set = true;
    for (const auto& c : bound->output) {
        result.columns.push_back({c.name, c.org_name, c.table, c.org_table, c.schema, c.type, c.nullable});
    }
    std::unique_ptr<MvRewriteContext> mv = MvContextFor(context, observed);
    LogicalOperatorPtr plan = Optimizer::Optimize(Planner::PlanQuery(*bound), DisabledRules(variables_), mv.get());
    RequireMvRewrite(context, mv.get());
    PhysicalOperatorPtr physical = PhysicalPlanner::Plan(*plan);
    // Its profile is kept by Audited (the executor adds the plan's tree to the statement's).
    result.chunks = Executor::Run(*physical, &interrupted_, PipelineDop());
    return result;
}

namespace {

/// Sizes as StarRocks' CACHE SELECT prints them: "0B", "512.00KB", "1.21GB".
std::string CacheSizeText(uint64_t bytes) {
    const char* units[] = {"B", "KB", "MB", "GB", "TB"};
    double v = static_cast<double>(bytes);
    size_t u = 0;
    while (v >= 1024 && u + 1 < std::size(units)) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    if (u == 0) {
        std::snprintf(buf, sizeof(buf), "%lluB", static_cast<unsigned long long>(bytes));
    } else {
        std::snprintf(buf, sizeof(buf), "%.2f%s", v, units[u]);
    }
    return buf;
}

}  // namespace

QueryResult Session::ExecuteCacheSelect(const ast::SelectStatement& statement, const std::vector<Value>* params) {
    for (const auto& [key, value] : statement.cache_properties) {
        if (!AsciiEqualsIgnoreCase(key, "verbose")) {
            throw BinderError("CACHE SELECT property '" + key + "' is not supported (Floe knows 'verbose')",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        (void)value;
    }
    if (!DataCache::Global().enabled()) {
        throw ExecutionError("CACHE SELECT needs the data cache: it is off (SET GLOBAL datacache_enable = true)",
                             ErrorCode::NOT_SUPPORTED);
    }
    // What this statement read and wrote through the cache: the server's totals before and
    // after, since binding (FILES() footers, Iceberg metadata) reads through the cache as well as
    // the scans. Concurrent statements' cache traffic is counted too.
    const DataCacheCounters& totals = DataCache::Global().totals();
    uint64_t read = totals.bytes_from_cache.load(), written = totals.bytes_written.load();
    uint64_t writes = totals.writes.load(), write_micros = totals.write_micros.load();
    {
        ScanDataCacheScope through_cache(true);  // a warm-up fills the cache whatever the session says
        SessionClientContext context(*this);
        Binder binder(context, params);
        auto bound = binder.BindQuery(*statement.query);
        LogicalOperatorPtr plan = Optimizer::Optimize(Planner::PlanQuery(*bound), DisabledRules(variables_));
        PhysicalOperatorPtr physical = PhysicalPlanner::Plan(*plan);
        for (const auto& chunk : Executor::Run(*physical, &interrupted_, PipelineDop())) (void)chunk;
    }
    read = totals.bytes_from_cache.load() - read;
    written = totals.bytes_written.load() - written;
    writes = totals.writes.load() - writes;
    write_micros = totals.write_micros.load() - write_micros;
    DataCache::Usage usage = DataCache::Global().usage();
    uint64_t quota = usage.disk_limit + usage.mem_limit;
    double percent = quota == 0 ? 0.0 : 100.0 * static_cast<double>(usage.disk_used + usage.mem_used) / quota;
    char avg[32], total[32];
    std::snprintf(avg, sizeof(avg), "%.2fms", writes == 0 ? 0.0 : write_micros / 1000.0 / writes);
    std::snprintf(total, sizeof(total), "%.2f%%", percent);
    ResultBuilder rb;
    rb.AddColumn("READ_CACHE_SIZE");
    rb.AddColumn("WRITE_CACHE_SIZE");
    rb.AddColumn("AVG_WRITE_CACHE_TIME");
    rb.AddColumn("TOTAL_CACHE_USAGE");
    rb.AddRow({Value::Varchar(CacheSizeText(read)), Value::Varchar(CacheSizeText(written)), Value::Varchar(avg),
               Value::Varchar(total)});
    return rb.Build();
}

QueryResult Session::ExecuteSet(const ast::SetStatement& statement, const std::vector<Value>* params) {
    SessionClientContext context(*this);
    for (const auto& a : statement.assignments) {
        ast::VariableScope scope = a.scope == ast::SetScope::USER     ? ast::VariableScope::USER
                                   : a.scope == ast::SetScope::GLOBAL ? ast::VariableScope::GLOBAL
                                                                      : ast::VariableScope::SESSION;
        // SET GLOBAL changes every session's defaults: the OPERATE privilege (StarRocks).
        if (scope == ast::VariableScope::GLOBAL) RequirePrivilege("OPERATE", ClientContext::SystemObject());
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
    return Audited(it->second->sql, [&] { return ExecuteStatement(*it->second->statement, &params); });
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
