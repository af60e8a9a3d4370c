#pragma once
/// A client session: its user, current database, variables and prepared statements. It drives
/// each statement down the road parse → bind → plan → optimize → execute and returns a
/// QueryResult; the protocol layer only encodes. Methods throw floe::Exception subclasses for
/// any error a client can cause; the caller turns them into ERR packets and keeps the session.
/// A session is used by one thread at a time.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "binder/client_context.h"
#include "catalog/access_control.h"
#include "catalog/catalog.h"
#include "catalog/table_source.h"
#include "common/progress.h"
#include "lake/iceberg/table_transaction.h"
#include "parser/ast/statement.h"
#include "server/query_result.h"
#include "server/session_variables.h"
#include "types/value.h"

namespace floe {

class Instance;
struct PreparedStatement;
namespace ast {
struct Statement;
struct QueryNode;
struct SetStatement;
}  // namespace ast

/// A query bound (not run) for a materialized view: its output columns, and the tables it reads
/// through views and subqueries: hot tables as "db.table", external ones as "catalog.db.table"
/// with their state (mv/mv_state.h) at the snapshot bound.
struct QueryDescription {
    std::vector<ResultColumn> output;
    std::vector<std::string> hot_bases;
    std::vector<MvBasePartition> external_states;
    /// The column each external base's tracked partitions partition (IcebergBaseState).
    std::map<std::string, std::string> external_partition_columns;
    bool deterministic = true;  // no rand(), uuid(), now() ...
};

/// A refresh's write into its MV's storage table (only such a write may change an MV): which
/// partitions it replaces (empty: all), and the meta-store changes that commit with the rows.
struct MvRefreshWrite {
    int64_t mv_id = 0;
    bool partial = false;  // replace only `partitions` (rows may also create new ones)
    std::vector<std::string> partitions;
    std::function<void(MetaStore&)> also;
};

/// What COM_STMT_PREPARE answers.
struct PreparedStatementInfo {
    uint32_t id = 0;
    uint32_t parameter_count = 0;
    std::vector<ResultColumn> columns;  // may be empty when not known before execution
};

/// What a session is doing, for SHOW PROCESSLIST and the console (a copy: safe to keep).
struct SessionActivity {
    bool running = false;  // a statement runs (else the session waits for its next command)
    std::string query_id;
    std::string statement;               // the running statement, or the last one
    std::string database;                // the current database
    int64_t since_ms = 0;                // unix ms: when the statement started, or the session went idle
    std::shared_ptr<Progress> progress;  // the running statement's (null when idle)
};

/// MySQL server status bits the session owns (SERVER_STATUS_*).
constexpr uint16_t kServerStatusInTrans = 0x0001;
constexpr uint16_t kServerStatusAutocommit = 0x0002;

class Session {
  public:
    Session(Instance& instance, uint32_t connection_id, std::string user, std::string host);
    ~Session();

    uint32_t connection_id() const { return connection_id_; }
    const std::string& user() const { return user_; }
    /// The query id of the statement before the running one (last_query_id()).
    const std::string& last_query_id() const { return last_query_id_; }
    const std::string& host() const { return host_; }
    const std::string& current_database() const { return current_database_; }
    /// The catalog unqualified names resolve in: empty for default_catalog, else an external one.
    const std::string& current_catalog() const { return current_catalog_; }
    /// SET CATALOG / USE catalog.db (checks that it exists and USAGE on it); clears the database.
    void SetCurrentCatalog(const std::string& catalog);
    /// A table of an external catalog for a query (USAGE on the catalog needed unless
    /// `check_privileges` is false: the cold tier of a tiered table).
    std::shared_ptr<const TableSource> OpenExternalTable(const std::string& catalog, const std::string& database,
                                                         const std::string& table, const ast::TimeTravel& travel,
                                                         bool check_privileges = true);

    /// COM_INIT_DB / USE: throws CatalogError(UNKNOWN_DATABASE) when it does not exist.
    void SetCurrentDatabase(std::string_view database);

    /// COM_QUERY: runs every `;`-separated statement and returns one result per statement.
    std::vector<QueryResult> ExecuteMulti(std::string_view sql);
    /// Runs exactly one statement.
    QueryResult Execute(std::string_view sql);

    /// COM_STMT_PREPARE / EXECUTE / CLOSE / RESET.
    PreparedStatementInfo Prepare(std::string_view sql);
    QueryResult ExecutePrepared(uint32_t statement_id, const std::vector<Value>& params);
    void ClosePrepared(uint32_t statement_id);
    /// Throws UNKNOWN_STATEMENT for an unknown id.
    void ResetPrepared(uint32_t statement_id);

    /// COM_FIELD_LIST: the columns of a table in the current database (definitions only).
    std::vector<ResultColumn> FieldList(std::string_view table, std::string_view wildcard);

    /// SERVER_STATUS_* flags for OK/EOF packets.
    uint16_t StatusFlags() const;

    SessionVariables& variables() { return variables_; }
    Instance& instance() { return instance_; }

    /// Whether statements keep profiles (SHOW PROFILELIST); the console's polling does not.
    void set_keep_profiles(bool keep) { keep_profiles_ = keep; }
    /// When the session began (unix ms).
    int64_t connected_ms() const { return connected_ms_; }
    /// What the session is doing; safe from any thread.
    SessionActivity activity() const;
    /// Stops the running statement if it is `query_id` (KILL QUERY 'id'); false when it is not
    /// running (any more). Safe from any thread.
    bool InterruptQuery(const std::string& query_id);
    /// Asks a running statement to stop (KILL QUERY); safe from any thread.
    void Interrupt() { interrupted_.store(true); }
    /// Polled by running statements (KILL QUERY).
    const std::atomic<bool>* interrupted_flag() const { return &interrupted_; }
    /// Threads a query's pipelines may use: pipeline_dop, 0 = every core.
    size_t PipelineDop() const;

    /// Runs one parsed statement; `params` are the values of its `?` placeholders.
    /// Runs one statement under its own memory tracker (limit: query_mem_limit / exec_mem_limit).
    QueryResult ExecuteStatement(const ast::Statement& statement, const std::vector<Value>* params);
    QueryResult DispatchStatement(const ast::Statement& statement, const std::vector<Value>* params);
    int64_t StatementMemoryLimit() const;

    /// Statement start time (DATETIME micros), fixed for the statement being run.
    int64_t statement_start_micros() const { return statement_start_micros_; }

    /// Access control: what the user holds with its active roles (re-read when grants change).
    const PrivilegeSet& Privileges();
    std::shared_ptr<const PrivilegeSet> SharedPrivileges();
    /// Some privilege on `object` (for a materialized view's table: on the table or the MV).
    bool CanSee(const PrivilegeObject& object);
    /// Throws StarRocks' denial (5203) naming the privilege, the object and the roles.
    void RequirePrivilege(std::string_view privilege, const PrivilegeObject& object);
    /// The active roles (public not listed), and the granted ones that are not active.
    const std::vector<std::string>& active_roles() const { return active_roles_; }
    std::vector<std::string> InactiveRoles();
    /// SET ROLE: replaces the active roles (each must be granted to the user).
    void SetActiveRoles(std::vector<std::string> roles);
    bool in_transaction() const { return in_transaction_; }

    /// Binds `sql` (a query) as this session's user, without running it.
    QueryDescription DescribeQuery(std::string_view sql);
    /// Tiering (tiering_service.cpp): runs the query `sql` with `pinned` as the version of the hot
    /// table it reads, writes its rows (the Iceberg table's columns in order) into the Iceberg
    /// table `catalog`.`db`.`table` at `state`, and commits them in one snapshot after `prepare`
    /// has added to the transaction. Returns the new snapshot's id and the rows written.
    /// `file_per_partition`: each partition's rows go to one writer (one file up to the target
    /// size; writers of different partitions run in parallel) — compaction.
    std::pair<int64_t, int64_t> CopyIntoIceberg(const std::string& sql, std::shared_ptr<const TableVersion> pinned,
                                                const std::string& catalog, const std::string& db,
                                                const std::string& table, const iceberg::TableState& state,
                                                const std::function<void(iceberg::TableTransaction&)>& prepare,
                                                bool file_per_partition = false);
    /// Queries of this session read `version` as its table's version (tiering's checks of one
    /// partition); null: the current versions.
    void set_pinned_read(std::shared_ptr<const TableVersion> version) { pinned_read_ = std::move(version); }
    /// Set by an MV refresh around its INSERT OVERWRITE; null otherwise.
    const MvRefreshWrite* mv_refresh_write() const { return mv_refresh_write_ ? &*mv_refresh_write_ : nullptr; }
    void set_mv_refresh_write(std::optional<MvRefreshWrite> write) { mv_refresh_write_ = std::move(write); }
    /// An incremental MV refresh's hold on its base table's scans (binder/client_context.h).
    DeltaScan* delta_scan() { return delta_scan_ ? &*delta_scan_ : nullptr; }
    void set_delta_scan(std::optional<DeltaScan> delta) { delta_scan_ = std::move(delta); }

  private:
    /// Sets current_database_ (and the copy other threads read in activity()).
    void SetDatabaseName(std::string database);
    QueryResult ExecuteSelect(const ast::QueryNode& query, const std::vector<Value>* params);
    /// CACHE SELECT: runs the query through the data cache and returns StarRocks' summary row.
    QueryResult ExecuteCacheSelect(const ast::SelectStatement& statement, const std::vector<Value>* params);
    QueryResult ExecuteSet(const ast::SetStatement& statement, const std::vector<Value>* params);

    Instance& instance_;
    uint32_t connection_id_;
    std::string user_;
    std::string host_;
    std::string current_database_;
    std::string current_catalog_;
    SessionVariables variables_;
    bool in_transaction_ = false;
    uint32_t next_statement_id_ = 1;
    std::map<uint32_t, std::unique_ptr<PreparedStatement>> prepared_;
    std::atomic<bool> interrupted_{false};
    int64_t statement_start_micros_ = 0;
    /// Runs `run` (one client call) and writes its audit record: text (passwords masked), state,
    /// error, time and rows returned.
    template <typename Run>
    auto Audited(std::string_view text, Run&& run) -> decltype(run());
    int64_t audit_statements_ = 0;
    /// The audit record's query id of the statement running (its profile's id), and of the one before.
    std::string current_query_id_;
    std::string last_query_id_;
    std::string current_statement_;
    int64_t connected_ms_ = 0;
    bool keep_profiles_ = true;
    mutable std::mutex activity_mutex_;
    SessionActivity activity_;
    std::vector<std::string> active_roles_;
    std::shared_ptr<const PrivilegeSet> privileges_;
    uint64_t privileges_generation_ = 0;
    std::optional<MvRefreshWrite> mv_refresh_write_;
    std::optional<DeltaScan> delta_scan_;
    std::shared_ptr<const TableVersion> pinned_read_;
};

}  // namespace floe
