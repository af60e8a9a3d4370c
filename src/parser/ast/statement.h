#pragma once
/// Statement nodes of the AST. Queries are trees of QueryNodes (SELECT, set operations, VALUES),
/// each carrying its own CTEs, ORDER BY and LIMIT so subqueries and set operands keep theirs.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parser/ast/expression.h"

namespace floe::ast {

// ---------------------------------------------------------------- table references

enum class TableRefKind : uint8_t { BASE, SUBQUERY, JOIN, TABLE_FUNCTION };

struct TableRef {
    explicit TableRef(TableRefKind k) : kind(k) {}
    virtual ~TableRef() = default;
    TableRefKind kind;
    SourceLocation location;
    std::string alias;                        // empty when none
    std::vector<std::string> column_aliases;  // `AS t(a, b)`: names for its first columns
};
using TableRefPtr = std::unique_ptr<TableRef>;

/// `[[catalog.]db.]table [AS alias]`; `dual` is a base ref with name "dual".
/// `FOR VERSION AS OF <snapshot id | 'branch' | 'tag'>` or `FOR TIMESTAMP AS OF '<datetime>'`
/// after a table name (Iceberg time travel; Trino's and Impala's FOR SYSTEM_VERSION / SYSTEM_TIME too).
struct TimeTravel {
    enum class Kind : uint8_t { NONE, VERSION, TIMESTAMP };
    Kind kind = Kind::NONE;
    std::string value;     // the snapshot id's digits, the ref name, or the timestamp text
    bool numeric = false;  // VERSION given as a number (a snapshot id)
    /// Read the version with the table's current schema (Floe's own reads of a tiered table's cold
    /// tier, which follow renames by field id), not the schema it was written with. Not SQL.
    bool current_schema = false;
    /// Read only what the snapshots after this one appended (an incremental MV refresh;
    /// iceberg::SnapshotSelector::appended_after). Not SQL.
    std::optional<int64_t> appended_after;
};

struct BaseTableRef : TableRef {
    BaseTableRef() : TableRef(TableRefKind::BASE) {}
    std::string catalog;
    std::string database;
    std::string table;
    TimeTravel time_travel;
};

struct SubqueryTableRef : TableRef {
    SubqueryTableRef();
    ~SubqueryTableRef() override;
    std::unique_ptr<QueryNode> query;
};

enum class JoinType : uint8_t { INNER, LEFT, RIGHT, FULL, CROSS, LEFT_SEMI, LEFT_ANTI };

struct JoinTableRef : TableRef {
    JoinTableRef() : TableRef(TableRefKind::JOIN) {}
    JoinType join_type = JoinType::INNER;
    TableRefPtr left;
    TableRefPtr right;
    ExprPtr condition;                       // ON; null for CROSS / comma joins
    std::vector<std::string> using_columns;  // USING (...)
};

/// `generate_series(1, 10)`, `numbers(100)`, `FILES("path" = ...)` in FROM.
struct TableFunctionRef : TableRef {
    TableFunctionRef() : TableRef(TableRefKind::TABLE_FUNCTION) {}
    std::string name;  // lower-cased
    std::vector<ExprPtr> args;
    std::vector<std::pair<std::string, std::string>> properties;  // FILES("k" = "v", ...)
};

// ---------------------------------------------------------------- queries

enum class QueryNodeKind : uint8_t { SELECT, SET_OPERATION, VALUES };

struct CommonTableExpr {
    std::string name;
    std::vector<std::string> column_names;
    std::unique_ptr<QueryNode> query;
    /// WITH RECURSIVE: the query may read the CTE itself (anchor UNION [ALL] recursive part).
    bool recursive = false;
};

struct QueryNode {
    explicit QueryNode(QueryNodeKind k) : kind(k) {}
    virtual ~QueryNode() = default;
    QueryNodeKind kind;
    SourceLocation location;
    std::vector<CommonTableExpr> ctes;
    std::vector<OrderByItem> order_by;
    ExprPtr limit;   // null when absent; `LIMIT a, b` sets offset = a, limit = b
    ExprPtr offset;  // null when absent
};
using QueryNodePtr = std::unique_ptr<QueryNode>;

struct SelectItem {
    ExprPtr expr;
    std::string alias;  // empty when none
    /// The item's exact source text (trimmed), MySQL's label for an item without alias.
    std::string text;
};

enum class GroupingKind : uint8_t { PLAIN, ROLLUP, CUBE, GROUPING_SETS };

struct SelectNode : QueryNode {
    SelectNode() : QueryNode(QueryNodeKind::SELECT) {}
    bool distinct = false;
    std::vector<SelectItem> select_list;
    TableRefPtr from;  // null without FROM; comma lists become CROSS joins
    ExprPtr where;
    GroupingKind grouping = GroupingKind::PLAIN;
    std::vector<ExprPtr> group_by;
    std::vector<std::vector<ExprPtr>> grouping_sets;  // GROUPING SETS ((a, b), (a), ())
    ExprPtr having;
};

enum class SetOpType : uint8_t { UNION, INTERSECT, EXCEPT };

struct SetOperationNode : QueryNode {
    SetOperationNode() : QueryNode(QueryNodeKind::SET_OPERATION) {}
    SetOpType op = SetOpType::UNION;
    bool all = false;
    QueryNodePtr left;
    QueryNodePtr right;
};

/// `VALUES (1, 'a'), (2, 'b')` as a query.
struct ValuesNode : QueryNode {
    ValuesNode() : QueryNode(QueryNodeKind::VALUES) {}
    std::vector<std::vector<ExprPtr>> rows;
};

// ---------------------------------------------------------------- statements

enum class StatementKind : uint8_t {
    SELECT,
    EXPLAIN,
    SET,
    SET_PASSWORD,
    SHOW,
    USE,
    CREATE_DATABASE,
    DROP_DATABASE,
    CREATE_USER,
    ALTER_USER,
    DROP_USER,
    TRANSACTION,
    KILL,
    CREATE_VIEW,
    DROP_VIEW,
    CREATE_TABLE,
    DROP_TABLE,
    INSERT,
    CREATE_INDEX,
    DROP_INDEX,
    DELETE,
    UPDATE,
    TRUNCATE,
    ALTER_TABLE,
    ROUTINE_LOAD,
    GRANT,  // GRANT and REVOKE
    CREATE_ROLE,
    DROP_ROLE,
    SET_ROLE,
    SET_DEFAULT_ROLE,
    CREATE_CATALOG,
    DROP_CATALOG,
    SET_CATALOG,
    MERGE,
    MATERIALIZED_VIEW,  // CREATE / DROP / ALTER / REFRESH / CANCEL REFRESH MATERIALIZED VIEW
    TASK,               // SUBMIT TASK, DROP TASK
    ANALYZE_PROFILE,    // ANALYZE PROFILE FROM 'query_id'
};

struct Statement {
    explicit Statement(StatementKind k) : kind(k) {}
    virtual ~Statement() = default;
    StatementKind kind;
    SourceLocation location;
    /// Number of `?` placeholders in the statement.
    uint32_t parameter_count = 0;
};
using StatementPtr = std::unique_ptr<Statement>;

struct SelectStatement : Statement {
    SelectStatement() : Statement(StatementKind::SELECT) {}
    QueryNodePtr query;
    /// StarRocks' warm-up `CACHE SELECT ... [PROPERTIES (...)]`: the query reads its remote files
    /// through the data cache and the statement returns a summary row instead of the rows.
    bool cache_warmup = false;
    std::vector<std::pair<std::string, std::string>> cache_properties;
};

struct ExplainStatement : Statement {
    ExplainStatement() : Statement(StatementKind::EXPLAIN) {}
    bool analyze = false;
    bool verbose = false;
    StatementPtr statement;
};

enum class SetScope : uint8_t { SESSION, GLOBAL, USER };

struct SetAssignment {
    SetScope scope = SetScope::SESSION;
    std::string name;  // lower-cased for system variables
    ExprPtr value;     // `DEFAULT` parses as a ColumnRefExpr with the single part "DEFAULT"
};

/// `SET a = 1, @@session.b = 2, @u := 3`, `SET NAMES x [COLLATE y]` (becomes assignments of
/// character_set_client, character_set_connection, character_set_results and, with COLLATE,
/// collation_connection), `SET CHARACTER SET x`, `SET TRANSACTION ...` (accepted, no assignments).
struct SetStatement : Statement {
    SetStatement() : Statement(StatementKind::SET) {}
    std::vector<SetAssignment> assignments;
};

struct UserIdentity {
    std::string name;
    std::string host = "%";
};

/// `SET PASSWORD [FOR user] = PASSWORD('x')` or `= 'x'`.
struct SetPasswordStatement : Statement {
    SetPasswordStatement() : Statement(StatementKind::SET_PASSWORD) {}
    std::optional<UserIdentity> user;  // unset: the current user
    std::string password;              // plain text
};

enum class ShowKind : uint8_t {
    DATABASES,  // SHOW DATABASES | SCHEMAS
    TABLES,     // SHOW [FULL] TABLES [FROM db]
    VARIABLES,  // SHOW [GLOBAL|SESSION] VARIABLES
    STATUS,     // SHOW [GLOBAL|SESSION] STATUS
    COLUMNS,    // SHOW [FULL] COLUMNS|FIELDS FROM t [FROM db], DESC[RIBE] t
    CREATE_TABLE,
    CREATE_DATABASE,
    PARTITIONS,  // SHOW PARTITIONS FROM [db.]t
    LOAD,        // SHOW LOAD [FROM db]
    FUNCTIONS,   // SHOW [BUILTIN] [FULL] FUNCTIONS [LIKE ...]
    WARNINGS,
    ERRORS,
    PROCESSLIST,
    ENGINES,
    CHARSET,
    COLLATION,
    GRANTS,
    USERS,  // not MySQL; lists Floe's users
    TABLE_STATUS,
    PLUGINS,
    INDEX,
    ROLES,               // SHOW ROLES
    CATALOGS,            // SHOW CATALOGS
    CREATE_CATALOG,      // SHOW CREATE CATALOG c
    MATERIALIZED_VIEWS,  // SHOW MATERIALIZED VIEWS [FROM db] [LIKE | WHERE]
    TIERING,             // SHOW TIERING [FROM db] [LIKE | WHERE]: tiered tables' boundaries and moves
    ICEBERG_HEALTH,      // SHOW ICEBERG TABLE HEALTH [FROM catalog[.db]] [LIKE | WHERE]
    DATA,                // SHOW DATA [FROM db[.table]]: bytes and rows per table
    PROFILELIST,         // SHOW PROFILELIST [LIMIT n]: recent queries' profiles
};

/// `SHOW ... [FROM|IN db] [LIKE 'pattern' | WHERE expr]`.
struct ShowStatement : Statement {
    ShowStatement() : Statement(StatementKind::SHOW) {}
    ShowKind show = ShowKind::DATABASES;
    bool full = false;
    bool global = false;          // SHOW GLOBAL VARIABLES|STATUS
    std::string catalog;          // FROM catalog.db, catalog.db.table; SHOW CREATE CATALOG's name
    std::string database;         // FROM db (also from `db.table`)
    std::string table;            // COLUMNS / CREATE TABLE / INDEX target
    std::string grants_for_user;  // SHOW GRANTS FOR 'u'@'h'
    std::string grants_for_role;  // SHOW GRANTS FOR ROLE r
    std::optional<std::string> like;
    ExprPtr where;
    std::optional<int64_t> limit;  // SHOW PROFILELIST LIMIT n
};

/// `CREATE EXTERNAL CATALOG [IF NOT EXISTS] c [COMMENT '...'] PROPERTIES ("type" = "iceberg", ...)`.
struct CreateCatalogStatement : Statement {
    CreateCatalogStatement() : Statement(StatementKind::CREATE_CATALOG) {}
    std::string name;
    bool if_not_exists = false;
    std::string comment;
    std::vector<std::pair<std::string, std::string>> properties;
};

struct DropCatalogStatement : Statement {
    DropCatalogStatement() : Statement(StatementKind::DROP_CATALOG) {}
    std::string name;
    bool if_exists = false;
};

/// `SET CATALOG c`: the catalog unqualified database names resolve in.
struct SetCatalogStatement : Statement {
    SetCatalogStatement() : Statement(StatementKind::SET_CATALOG) {}
    std::string name;
};

struct UseStatement : Statement {
    UseStatement() : Statement(StatementKind::USE) {}
    std::string catalog;  // `USE catalog.db`; empty for the default catalog
    std::string database;
};

struct CreateDatabaseStatement : Statement {
    CreateDatabaseStatement() : Statement(StatementKind::CREATE_DATABASE) {}
    std::string catalog;  // CREATE DATABASE c.db: a database of an external catalog
    std::string name;
    bool if_not_exists = false;
    std::vector<std::pair<std::string, std::string>> properties;
};

struct DropDatabaseStatement : Statement {
    DropDatabaseStatement() : Statement(StatementKind::DROP_DATABASE) {}
    std::string catalog;
    std::string name;
    bool if_exists = false;
    bool force = false;
};

/// MySQL 8's account options of CREATE / ALTER USER (`WITH MAX_USER_CONNECTIONS n`,
/// `FAILED_LOGIN_ATTEMPTS n`, `PASSWORD_LOCK_TIME {n | UNBOUNDED}`, `ACCOUNT {LOCK | UNLOCK}`);
/// unset options keep their value (ALTER) or default (CREATE).
struct AccountOptions {
    std::optional<int64_t> failed_login_attempts;
    std::optional<int64_t> password_lock_days;  // -1: UNBOUNDED
    std::optional<bool> account_locked;
    std::optional<int64_t> max_user_connections;  // 0: unlimited

    bool any() const { return failed_login_attempts || password_lock_days || account_locked || max_user_connections; }
};

/// `CREATE USER [IF NOT EXISTS] 'u'[@'h'] [IDENTIFIED [WITH plugin] BY [PASSWORD] 'x'] [DEFAULT ROLE ...]
/// [account options]`.
struct CreateUserStatement : Statement {
    CreateUserStatement() : Statement(StatementKind::CREATE_USER) {}
    UserIdentity user;
    bool if_not_exists = false;
    std::optional<std::string> password;  // plain text, or a hash when password_is_hash
    /// IDENTIFIED BY PASSWORD '*hash' / WITH mysql_native_password AS '*hash': `password` is a
    /// mysql_native_password hash ("*" and 40 upper-case hex digits, or "" for none).
    bool password_is_hash = false;
    AccountOptions account;
    /// DEFAULT ROLE: "" none, "ALL", or role names joined by commas.
    std::optional<std::string> default_roles;
};

/// `ALTER USER [IF EXISTS] 'u'[@'h'] [IDENTIFIED [WITH plugin] BY 'x'] [account options]`, and
/// StarRocks' `SET PROPERTY [FOR 'u'] 'max_user_connections' = 'n'` (an empty user name: the
/// session's own user).
struct AlterUserStatement : Statement {
    AlterUserStatement() : Statement(StatementKind::ALTER_USER) {}
    UserIdentity user;
    bool if_exists = false;
    std::optional<std::string> password;
    bool password_is_hash = false;  // as in CreateUserStatement
    AccountOptions account;
    /// DEFAULT ROLE {NONE | ALL | r, ...}: "" none, "ALL", or role names joined by commas.
    std::optional<std::string> default_roles;
};

struct DropUserStatement : Statement {
    DropUserStatement() : Statement(StatementKind::DROP_USER) {}
    UserIdentity user;
    bool if_exists = false;
};

enum class TransactionKind : uint8_t { BEGIN, COMMIT, ROLLBACK };

/// BEGIN [WORK], START TRANSACTION, COMMIT [WORK], ROLLBACK [WORK].
struct TransactionStatement : Statement {
    TransactionStatement() : Statement(StatementKind::TRANSACTION) {}
    TransactionKind transaction = TransactionKind::BEGIN;
};

/// `ANALYZE PROFILE FROM 'query_id' [, node_id ...]`: a kept query profile (node ids accepted,
/// the whole tree shown).
struct AnalyzeProfileStatement : Statement {
    AnalyzeProfileStatement() : Statement(StatementKind::ANALYZE_PROFILE) {}
    std::string query_id;
};

/// `KILL [CONNECTION|QUERY] id` and `KILL [QUERY] 'query_id'`.
struct KillStatement : Statement {
    KillStatement() : Statement(StatementKind::KILL) {}
    bool query_only = false;
    uint64_t connection_id = 0;
    std::string query_id;  // set: the running statement with this query id
};

/// `CREATE [OR REPLACE] VIEW [IF NOT EXISTS] [db.]v [(c1, ...)] [COMMENT '...'] AS query` and
/// `ALTER VIEW [db.]v [(c1, ...)] AS query` (alter = replace of an existing view).
struct CreateViewStatement : Statement {
    CreateViewStatement() : Statement(StatementKind::CREATE_VIEW) {}
    std::string database;
    std::string name;
    std::vector<std::string> column_names;
    bool or_replace = false;
    bool if_not_exists = false;
    bool alter = false;
    QueryNodePtr query;
    /// The query's source text, stored as the view's definition.
    std::string query_text;
    /// `SECURITY INVOKER` (true) or `SECURITY NONE` (false); unset: NONE for CREATE, the view's
    /// current setting for ALTER VIEW.
    std::optional<bool> security_invoker;
};

struct DropViewStatement : Statement {
    DropViewStatement() : Statement(StatementKind::DROP_VIEW) {}
    std::string database;
    std::string name;
    bool if_exists = false;
};

/// One column of CREATE TABLE.
struct ColumnDefinition {
    std::string name;
    LogicalType type;
    bool nullable = true;
    bool explicit_null = false;  // NULL / NOT NULL was written
    std::optional<Value> default_value;
    std::string aggregation;  // SUM, MAX, MIN, REPLACE, ... (Aggregate Key tables), upper-case
    std::string comment;
    bool primary_key = false;  // inline PRIMARY KEY (generic SQL)
};

enum class KeysType : uint8_t { DUPLICATE, AGGREGATE, UNIQUE, PRIMARY };

/// `CREATE TABLE [IF NOT EXISTS] [db.]t (cols) [ENGINE = olap] [DUPLICATE|AGGREGATE|UNIQUE|PRIMARY
/// KEY (cols)] [COMMENT '...'] [PARTITION BY ...] [DISTRIBUTED BY HASH(cols) [BUCKETS n] | RANDOM
/// [BUCKETS n]] [ORDER BY (cols)] [PROPERTIES ("k" = "v", ...)]`.
/// How a table is partitioned (StarRocks' partition_desc).
enum class PartitionKind : uint8_t {
    NONE,
    RANGE,            // PARTITION BY RANGE(col) (...)
    LIST,             // PARTITION BY LIST(col, ...) (...)
    TIME_EXPRESSION,  // PARTITION BY date_trunc('unit', col): ranges created on load
    COLUMNS,          // PARTITION BY col[, col]: list partitions created on load
};

/// One partition, or a batch of them, of a RANGE or LIST description. Values are the literal
/// texts as written; the binder types them.
struct PartitionDefinition {
    std::string name;
    bool less_than = false;                           // VALUES LESS THAN (upper); the lower bound is the previous upper
    std::optional<std::string> lower;                 // VALUES [(lower), (upper))
    std::optional<std::string> upper;                 // nullopt with less_than: MAXVALUE
    std::vector<std::vector<std::string>> in_values;  // VALUES IN (...): one tuple per value
    // START ("s") END ("e") EVERY (INTERVAL n unit | n): a batch of range partitions.
    bool batch = false;
    std::string start, end;
    int64_t every = 0;
    std::string every_unit;  // empty for integer ranges
    bool if_not_exists = false;
};

struct PartitionDesc {
    PartitionKind kind = PartitionKind::NONE;
    std::vector<std::string> columns;
    /// COLUMNS: the Iceberg transform of each column ("identity", "bucket[16]", "truncate[4]",
    /// "year", "month", "day", "hour", "void"), when PARTITION BY used a transform expression
    /// such as bucket(id, 16) or day(ts); empty when every item was a plain column.
    std::vector<std::string> transforms;
    std::string time_unit;  // TIME_EXPRESSION: hour, day, week, month or year
    std::vector<PartitionDefinition> partitions;
};

struct CreateTableStatement : Statement {
    CreateTableStatement() : Statement(StatementKind::CREATE_TABLE) {}
    std::string catalog;  // CREATE TABLE c.db.t: a table of an external catalog
    std::string database;
    std::string name;
    bool if_not_exists = false;
    bool or_replace = false;  // CREATE OR REPLACE TABLE: an existing table is dropped first
    std::vector<ColumnDefinition> columns;
    std::optional<KeysType> keys_type;
    std::vector<std::string> key_columns;
    std::string comment;
    PartitionDesc partition;
    std::vector<std::string> distribution_columns;
    bool random_distribution = false;
    int64_t buckets = 0;  // 0 = automatic
    std::vector<std::string> order_by;
    std::vector<std::pair<std::string, std::string>> properties;
    QueryNodePtr as_query;  // CREATE TABLE ... AS SELECT: columns and rows come from it
};

/// `CREATE INDEX name ON [db.]t (c [ASC|DESC], ...) [USING BITMAP] [COMMENT '...']`.
struct CreateIndexStatement : Statement {
    CreateIndexStatement() : Statement(StatementKind::CREATE_INDEX) {}
    std::string name;
    std::string database;
    std::string table;
    std::vector<std::string> columns;
    std::string using_type;  // BITMAP, or empty
};

/// `DROP INDEX name ON [db.]t`.
struct DropIndexStatement : Statement {
    DropIndexStatement() : Statement(StatementKind::DROP_INDEX) {}
    std::string name;
    std::string database;
    std::string table;
};

struct DropTableStatement : Statement {
    DropTableStatement() : Statement(StatementKind::DROP_TABLE) {}
    std::string catalog;
    std::string database;
    std::string name;
    bool if_exists = false;
    bool force = false;
};

/// `INSERT INTO [db.]t [(cols)] VALUES (...), ... | query`. OVERWRITE arrives with partitions.
/// `col = expr` of UPDATE ... SET and INSERT ... ON DUPLICATE KEY UPDATE.
struct Assignment {
    std::string column;
    ExprPtr value;
    SourceLocation location;
};

/// `INSERT {INTO | OVERWRITE} [db.]t [WITH LABEL l] [(cols)] {VALUES ... | query}
///  [ON DUPLICATE KEY UPDATE col = VALUES(col), ...]`.
struct InsertStatement : Statement {
    InsertStatement() : Statement(StatementKind::INSERT) {}
    std::string catalog;  // INSERT INTO c.db.t: a table of an external catalog
    std::string database;
    std::string table;
    std::vector<std::string> columns;
    std::string label;
    bool overwrite = false;
    bool or_replace = false;              // INSERT OR REPLACE: Primary Key tables only (where every INSERT is one)
    bool by_name = false;                 // INSERT INTO t BY NAME SELECT ...: the query's column names pick the targets
    std::vector<std::string> partitions;  // INSERT OVERWRITE t PARTITION(p, ...)
    QueryNodePtr query;                   // VALUES arrive as a ValuesNode
    std::vector<Assignment> on_duplicate_key_update;
    std::vector<SelectItem> returning;  // RETURNING (MariaDB, PostgreSQL): the written rows
    /// INSERT INTO FILES("path" = ..., "format" = ...) SELECT ...: an export, not a table write.
    bool into_files = false;
    std::vector<std::pair<std::string, std::string>> files;
};

/// `DELETE FROM [db.]t [PARTITION (p, ...)] [WHERE cond]`.
struct DeleteStatement : Statement {
    DeleteStatement() : Statement(StatementKind::DELETE) {}
    std::string catalog;
    std::string database;
    std::string table;
    std::string alias;  // DELETE FROM t AS x: the name the WHERE and RETURNING use
    std::vector<std::string> partitions;
    /// DELETE FROM t USING a, b WHERE ...: the rows of t that the WHERE matches with rows of these.
    TableRefPtr using_from;
    ExprPtr where;                      // null: every row
    std::vector<SelectItem> returning;  // RETURNING: the deleted rows
    std::vector<CommonTableExpr> ctes;  // WITH ... DELETE: visible to USING and WHERE
};

/// `UPDATE [db.]t SET col = expr, ... [WHERE cond]`.
struct UpdateStatement : Statement {
    UpdateStatement() : Statement(StatementKind::UPDATE) {}
    std::string catalog;
    std::string database;
    std::string table;
    std::string alias;  // UPDATE t AS x SET ...: the name the SET and WHERE expressions use
    std::vector<Assignment> assignments;
    std::vector<SelectItem> returning;  // RETURNING: the rows as updated
    /// UPDATE t SET ... FROM a, b WHERE ... (StarRocks, PostgreSQL): the rows of t the WHERE
    /// matches with rows of these; the SET expressions may read them.
    TableRefPtr from;
    ExprPtr where;
    std::vector<CommonTableExpr> ctes;  // WITH ... UPDATE: visible to FROM, SET and WHERE
};

/// What a WHEN clause of MERGE does with its rows.
enum class MergeAction : uint8_t { UPDATE, DELETE, INSERT };

/// `WHEN [NOT] MATCHED [AND cond] THEN UPDATE SET ... | DELETE | INSERT [(cols)] VALUES (...)`.
struct MergeClause {
    bool matched = true;  // WHEN MATCHED (else WHEN NOT MATCHED [BY TARGET])
    ExprPtr condition;    // AND cond; null when absent
    MergeAction action = MergeAction::UPDATE;
    bool star = false;                        // UPDATE SET * / INSERT *: the source's columns by name
    std::vector<Assignment> assignments;      // UPDATE SET col = expr, ...
    std::vector<std::string> insert_columns;  // INSERT (cols); empty: every column in order
    std::vector<ExprPtr> insert_values;       // INSERT ... VALUES (exprs)
    SourceLocation location;
};

/// `MERGE INTO [[catalog.]db.]t [[AS] alias] USING source [[AS] alias] ON cond WHEN ... [WHEN ...]`
/// (SQL:2003, Spark, Trino): the clauses are tried in order for each joined row and the first
/// whose condition holds applies; a target row changed by more than one source row is an error.
struct MergeStatement : Statement {
    MergeStatement() : Statement(StatementKind::MERGE) {}
    std::string catalog;
    std::string database;
    std::string table;
    std::string alias;   // MERGE INTO t AS x: the name the ON and the clauses use
    TableRefPtr source;  // a table, or a derived table (with its alias)
    ExprPtr on;
    std::vector<MergeClause> clauses;
};

/// `ALTER TABLE [[catalog.]db.]t <action>`: COMPACT (merge the table's rowsets now), ADD PARTITION(S),
/// DROP PARTITION(S), ADD COLUMN, DROP COLUMN, MODIFY COLUMN; and, for Iceberg tables (StarRocks'
/// grammar), RENAME COLUMN a TO b, ADD / DROP PARTITION COLUMN|FIELD transform, ..., SET ("k" =
/// "v", ...), CREATE [OR REPLACE] BRANCH|TAG, DROP BRANCH|TAG, EXECUTE procedure(args).
enum class AlterTableAction : uint8_t {
    COMPACT,
    ADD_PARTITION,
    DROP_PARTITION,
    ADD_COLUMN,
    DROP_COLUMN,
    MODIFY_COLUMN,
    RENAME_COLUMN,
    ADD_PARTITION_FIELD,
    DROP_PARTITION_FIELD,
    SET_PROPERTIES,
    CREATE_REF,
    DROP_REF,
    EXECUTE,
};
/// A branch or tag of CREATE / DROP BRANCH|TAG (Iceberg snapshot references).
struct AlterTableRef {
    bool tag = false;  // TAG, else BRANCH
    bool or_replace = false;
    bool if_not_exists = false;  // CREATE ... IF NOT EXISTS (DROP's IF EXISTS is if_exists)
    std::string name;
    std::optional<int64_t> snapshot_id;            // AS OF VERSION id
    std::optional<int64_t> max_ref_age_ms;         // RETAIN n DAYS|HOURS|MINUTES
    std::optional<int32_t> min_snapshots_to_keep;  // WITH SNAPSHOT RETENTION n SNAPSHOTS
    std::optional<int64_t> max_snapshot_age_ms;    // WITH SNAPSHOT RETENTION ... n DAYS|HOURS|MINUTES
};
/// A column of ALTER TABLE ADD/DROP/MODIFY COLUMN (DROP uses the name only).
struct AlterColumn {
    ColumnDefinition definition;
    bool first = false;  // FIRST
    std::string after;   // AFTER col
};
struct AlterTableStatement : Statement {
    AlterTableStatement() : Statement(StatementKind::ALTER_TABLE) {}
    std::string catalog;  // ALTER TABLE c.db.t: a table of an external catalog
    std::string database;
    std::string table;
    AlterTableAction action = AlterTableAction::COMPACT;
    std::vector<PartitionDefinition> partitions;  // ADD
    std::vector<std::string> partition_names;     // DROP
    bool if_exists = false;
    std::vector<AlterColumn> columns;  // ADD/DROP/MODIFY COLUMN; RENAME COLUMN's old name
    std::string new_name;              // RENAME COLUMN a TO new_name
    /// ADD/DROP PARTITION COLUMN: the source columns and their transforms ("identity",
    /// "bucket[16]", ...), as PartitionDesc holds them, and the AS names (empty when not given).
    std::vector<std::string> partition_columns;
    std::vector<std::string> partition_transforms;
    std::vector<std::string> partition_field_names;
    std::vector<std::pair<std::string, std::string>> properties;  // SET (...)
    AlterTableRef ref;                                            // CREATE / DROP BRANCH|TAG
    /// EXECUTE procedure(args): the name (lower case) and the arguments as (name or "", literal
    /// text); string literals without their quotes.
    std::string procedure;
    std::vector<std::pair<std::string, std::string>> procedure_arguments;
    /// EXECUTE procedure(...) WHERE <condition>: the condition's SQL text (empty: none).
    std::string procedure_where;
};

/// `TRUNCATE TABLE [db.]t [PARTITION (p, ...)]`.
struct TruncateStatement : Statement {
    TruncateStatement() : Statement(StatementKind::TRUNCATE) {}
    std::string database;
    std::string table;
    std::vector<std::string> partitions;
};

/// GRANT / REVOKE of privileges or of roles, in StarRocks' grammar (and the legacy `ON *.*`,
/// `ON db.*`, `ON db.t` forms):
///   GRANT privs ON SYSTEM | {CATALOG c,.. | ALL CATALOGS} | {DATABASE d,.. | ALL DATABASES}
///       | {TABLE t,.. | ALL TABLES IN {DATABASE d | ALL DATABASES}} (also VIEW, MATERIALIZED VIEW,
///       FUNCTION) | {GLOBAL FUNCTION f | RESOURCE GROUP g | ...} | USER u
///     TO {USER u | ROLE r | u} [WITH GRANT OPTION]
///   GRANT r1, r2 TO {USER u | ROLE r};   REVOKE ... FROM ...
struct GrantStatement : Statement {
    GrantStatement() : Statement(StatementKind::GRANT) {}
    bool revoke = false;
    std::vector<std::string> roles;       // a role grant when not empty
    std::vector<std::string> privileges;  // upper case, "ALL" for ALL [PRIVILEGES]
    std::string object_type;              // SYSTEM, CATALOG, DATABASE, TABLE, VIEW, ..., USER
    bool all_objects = false;             // ALL TABLES, ALL DATABASES, ...
    bool in_all_databases = false;        // ... IN ALL DATABASES
    std::string in_database;              // ... IN DATABASE d
    /// Named objects: (database, name) for tables, views and functions (database may be empty:
    /// the current one); ("", name) for everything else.
    std::vector<std::pair<std::string, std::string>> objects;
    std::string grantee_kind = "USER";  // USER or ROLE
    UserIdentity grantee;               // a role's name is in grantee.name
    bool with_grant_option = false;
};

/// `CREATE ROLE [IF NOT EXISTS] r [, ...]` and `DROP ROLE [IF EXISTS] r [, ...]`.
struct RoleStatement : Statement {
    explicit RoleStatement(StatementKind k) : Statement(k) {}
    bool if_clause = false;
    std::vector<std::string> roles;
};

/// `SET ROLE {DEFAULT | NONE | ALL [EXCEPT r, ...] | r, ...}`.
struct SetRoleStatement : Statement {
    SetRoleStatement() : Statement(StatementKind::SET_ROLE) {}
    enum class Mode : uint8_t { DEFAULT, NONE, ALL, LIST } mode = Mode::LIST;
    std::vector<std::string> roles;  // LIST: the roles; ALL: the ones EXCEPT names
};

/// `SET DEFAULT ROLE {NONE | ALL | r, ...} TO u`.
struct SetDefaultRoleStatement : Statement {
    SetDefaultRoleStatement() : Statement(StatementKind::SET_DEFAULT_ROLE) {}
    std::string roles;  // "" none, "ALL", or names joined by commas
    UserIdentity user;
};

/// CREATE / ALTER / PAUSE / RESUME / STOP ROUTINE LOAD and SHOW [ALL] ROUTINE LOAD [TASK].
struct RoutineLoadStatement : Statement {
    RoutineLoadStatement() : Statement(StatementKind::ROUTINE_LOAD) {}
    enum class Action : uint8_t { CREATE, ALTER, PAUSE, RESUME, STOP, SHOW, SHOW_TASK };
    Action action = Action::SHOW;
    std::string database;                       // of the job (FOR db.job, FROM db); empty: the session's
    std::string name;                           // the job; empty for SHOW of every job
    std::string table;                          // CREATE ... ON [[catalog.]database.]table
    std::string table_catalog, table_database;  // empty: the job's database in default_catalog
    bool all = false;                           // SHOW ALL: stopped and cancelled jobs too
    /// The load clauses as load properties, under Stream Load's header names: `columns` (the
    /// items' source text joined by ", "), `where` (source text), `column_separator`,
    /// `row_delimiter`, `partitions`; then PROPERTIES (...) as written (lower-case names).
    std::vector<std::pair<std::string, std::string>> load_properties;
    /// FROM KAFKA (...) (lower-case names); `source_type` is "KAFKA".
    std::string source_type;
    std::vector<std::pair<std::string, std::string>> source_properties;
};

/// `[ASYNC | MANUAL | INCREMENTAL] [START('yyyy-MM-dd HH:mm:ss')] EVERY (INTERVAL n unit)` of an
/// MV's REFRESH clause or a task's SCHEDULE.
struct RefreshScheme {
    bool given = false;
    std::string moment;      // IMMEDIATE, DEFERRED ("" when not written)
    std::string type;        // ASYNC, MANUAL, INCREMENTAL ("" when not written)
    std::string start;       // START('...') as written; "" when absent
    int64_t every = 0;       // EVERY (INTERVAL n unit): n; 0 when absent
    std::string every_unit;  // SECOND, MINUTE, HOUR, DAY, WEEK, MONTH (upper case)
};

/// Asynchronous materialized views:
/// `CREATE MATERIALIZED VIEW [IF NOT EXISTS] [db.]mv [(col [COMMENT ''], ...)] [COMMENT '']
///  [DISTRIBUTED BY ...] [REFRESH [IMMEDIATE|DEFERRED] [ASYNC | ASYNC [START (..)] EVERY (INTERVAL n
///  unit) | MANUAL | INCREMENTAL]] [PARTITION BY col | date_trunc('unit', col)] [ORDER BY (cols)]
///  [PROPERTIES (..)] AS query`; `DROP MATERIALIZED VIEW [IF EXISTS] mv`; `ALTER MATERIALIZED VIEW
///  mv {RENAME n | REFRESH scheme | ACTIVE | INACTIVE | SWAP WITH mv2 | SET ("k" = "v", ..)}`;
/// `REFRESH MATERIALIZED VIEW mv [PARTITION START ("a") END ("b")] [FORCE] [WITH {SYNC|ASYNC}
///  MODE]`; `CANCEL REFRESH MATERIALIZED VIEW mv [FORCE]`.
struct MaterializedViewStatement : Statement {
    MaterializedViewStatement() : Statement(StatementKind::MATERIALIZED_VIEW) {}
    enum class Action : uint8_t { CREATE, DROP, RENAME, ALTER_REFRESH, ACTIVE, INACTIVE, SWAP, SET, REFRESH, CANCEL };
    Action action = Action::CREATE;
    std::string database, name;
    bool if_not_exists = false, if_exists = false;
    // CREATE: the storage clauses (distribution, ORDER BY, PROPERTIES) and the query, in the
    // shape of CREATE TABLE ... AS SELECT; `column_names` renames the query's columns.
    std::unique_ptr<CreateTableStatement> table;
    std::vector<std::string> column_names;
    std::string partition_column, partition_unit;  // PARTITION BY col | date_trunc('unit', col)
    RefreshScheme refresh;
    std::string query_text;
    std::string new_name;      // RENAME n, SWAP WITH mv2
    std::string new_database;  // the database RENAME / SWAP WITH named ("": the MV's own)
    std::vector<std::pair<std::string, std::string>> properties;  // SET (...)
    // REFRESH
    std::string partition_start, partition_end;
    bool force = false;
    bool sync_mode = false;
};

/// `SUBMIT TASK [name] [SCHEDULE [START('..')] EVERY (INTERVAL n unit)] [PROPERTIES (..)] AS
/// statement`, `DROP TASK [IF EXISTS] name [FORCE]`, `EXECUTE TASK name`.
struct TaskStatement : Statement {
    TaskStatement() : Statement(StatementKind::TASK) {}
    enum class Action : uint8_t { SUBMIT, DROP, EXECUTE };
    Action action = Action::SUBMIT;
    std::string database, name;
    bool if_exists = false;
    RefreshScheme schedule;
    std::vector<std::pair<std::string, std::string>> properties;
    std::string definition;  // the statement after AS, as written
    StatementPtr statement;  // parsed, to check it is an INSERT, INSERT OVERWRITE or CTAS
};

}  // namespace floe::ast
