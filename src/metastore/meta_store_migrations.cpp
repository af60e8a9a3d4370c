// The meta store's schema, as an ordered list of migrations. Never edit a released migration:
// add a new one. Migration i takes the schema from version i-1 to i.
#include "metastore/meta_store.h"

namespace floe {

const std::vector<std::string_view>& MetaStoreMigrations() {
    static const std::vector<std::string_view> migrations = {
        // 1: databases, users (root with an empty password), global variables.
        R"(
        CREATE TABLE databases(
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            create_time INTEGER NOT NULL,
            properties TEXT);
        CREATE TABLE users(
            name TEXT NOT NULL,
            host TEXT NOT NULL,
            auth_string TEXT NOT NULL,
            create_time INTEGER,
            PRIMARY KEY(name, host));
        INSERT INTO users(name, host, auth_string, create_time) VALUES('root', '%', '', strftime('%s','now'));
        CREATE TABLE global_variables(name TEXT PRIMARY KEY, value TEXT NOT NULL);
        )",
        // 2: tables (definitions as text until the storage engine defines its schema).
        R"(
        CREATE TABLE tables(
            id INTEGER PRIMARY KEY,
            database_id INTEGER NOT NULL REFERENCES databases(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            definition TEXT NOT NULL,
            create_time INTEGER NOT NULL,
            UNIQUE(database_id, name));
        )",
        // 3: declared column names of views (newline-separated).
        R"(
        ALTER TABLE tables ADD COLUMN column_names TEXT;
        )",
        // 4: rowsets: one per committed load of a table, pointing at its segment file.
        R"(
        CREATE TABLE rowsets(
            id INTEGER PRIMARY KEY,
            table_id INTEGER NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            row_count INTEGER NOT NULL,
            size INTEGER NOT NULL,
            label TEXT,
            create_time INTEGER NOT NULL);
        CREATE INDEX rowsets_by_table ON rowsets(table_id);
        )",
        // 5: secondary indexes declared on tables (column lists; storage builds them later).
        R"(
        CREATE TABLE table_indexes(
            table_id INTEGER NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            columns TEXT NOT NULL,
            index_type TEXT NOT NULL,
            PRIMARY KEY(table_id, name));
        )",
        // 6: delete vectors: the rows of a rowset deleted since it was written (DELETE, and upserts
        // into Primary Key tables), as a portable-format roaring bitmap of row positions.
        R"(
        ALTER TABLE rowsets ADD COLUMN deletes BLOB;
        )",
        // 7: partitions of partitioned tables; a rowset belongs to one (NULL: unpartitioned).
        // Range bounds are canonical value texts (NULL: unbounded); list values are tuples
        // separated by \x1e whose values are separated by \x1f.
        R"(
        CREATE TABLE partitions(
            id INTEGER PRIMARY KEY,
            table_id INTEGER NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            lower TEXT,
            upper TEXT,
            list_values TEXT,
            create_time INTEGER NOT NULL,
            UNIQUE(table_id, name));
        ALTER TABLE rowsets ADD COLUMN partition_id INTEGER REFERENCES partitions(id);
        )",
        // 8: load jobs by label (per database): a FINISHED label is committed with its load's data,
        // so a retried load with the same label is refused instead of loading twice.
        R"(
        CREATE TABLE loads(
            database_id INTEGER NOT NULL REFERENCES databases(id) ON DELETE CASCADE,
            label TEXT NOT NULL,
            table_name TEXT NOT NULL,
            kind TEXT NOT NULL,
            state TEXT NOT NULL,
            txn_id INTEGER,
            total_rows INTEGER NOT NULL DEFAULT 0,
            loaded_rows INTEGER NOT NULL DEFAULT 0,
            filtered_rows INTEGER NOT NULL DEFAULT 0,
            unselected_rows INTEGER NOT NULL DEFAULT 0,
            load_bytes INTEGER NOT NULL DEFAULT 0,
            error_msg TEXT,
            error_url TEXT,
            create_time INTEGER NOT NULL,
            finish_time INTEGER,
            PRIMARY KEY(database_id, label));
        )",
        // Statistics: estimated distinct values per column of each rowset ("12,5,3000").
        R"(
        ALTER TABLE rowsets ADD COLUMN distinct_counts TEXT;
        )",
        // Routine Load jobs: their properties (scope 'load': columns, where, format, ...; scope
        // 'source': kafka_broker_list, kafka_topic, property.*), state and counters, the next Kafka
        // offset of each partition (committed with the rows of each batch), and the messages that
        // could not be loaded (raw bytes, partition, offset, reason).
        R"(
        CREATE TABLE routine_loads(
            id INTEGER PRIMARY KEY,
            database_id INTEGER NOT NULL REFERENCES databases(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            table_name TEXT NOT NULL,
            state TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            create_time INTEGER NOT NULL,
            pause_time INTEGER NOT NULL DEFAULT 0,
            end_time INTEGER NOT NULL DEFAULT 0,
            loaded_rows INTEGER NOT NULL DEFAULT 0,
            filtered_rows INTEGER NOT NULL DEFAULT 0,
            unselected_rows INTEGER NOT NULL DEFAULT 0,
            received_bytes INTEGER NOT NULL DEFAULT 0,
            committed_batches INTEGER NOT NULL DEFAULT 0,
            last_commit_time INTEGER NOT NULL DEFAULT 0,
            last_error TEXT NOT NULL DEFAULT '',
            UNIQUE(database_id, name));
        CREATE TABLE routine_load_properties(
            job_id INTEGER NOT NULL REFERENCES routine_loads(id) ON DELETE CASCADE,
            scope TEXT NOT NULL,
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY(job_id, scope, name));
        CREATE TABLE routine_load_offsets(
            job_id INTEGER NOT NULL REFERENCES routine_loads(id) ON DELETE CASCADE,
            partition INTEGER NOT NULL,
            next_offset INTEGER NOT NULL,
            PRIMARY KEY(job_id, partition));
        CREATE TABLE routine_load_errors(
            id INTEGER PRIMARY KEY,
            job_id INTEGER NOT NULL REFERENCES routine_loads(id) ON DELETE CASCADE,
            partition INTEGER NOT NULL,
            message_offset INTEGER NOT NULL,
            reason TEXT NOT NULL,
            message BLOB NOT NULL,
            message_text TEXT NOT NULL,
            time INTEGER NOT NULL);
        CREATE INDEX routine_load_errors_job ON routine_load_errors(job_id, id);
        )",
        // Hash buckets: the bucket of its table each rowset holds (0 for tables with one bucket).
        R"(
        ALTER TABLE rowsets ADD COLUMN bucket INTEGER NOT NULL DEFAULT 0;
        )",
        // Access control: a user's caching_sha2_password verifier (hex SHA256(SHA256(password))),
        // login limits (FAILED_LOGIN_ATTEMPTS, PASSWORD_LOCK_TIME in days, -1 unbounded; ACCOUNT
        // LOCK; max_user_connections, 0 unlimited) and default roles ('' none, 'ALL', or names
        // joined by commas); roles, role grants (to users and roles) and privilege grants. Grants
        // name their object by id (a table or database dropped and created again does not keep
        // them): object_db is a database id (-1: all databases), object_id a table id (-1: all
        // tables of the kind), object_name the name for catalogs, users and functions.
        R"(
        ALTER TABLE users ADD COLUMN sha2_auth TEXT NOT NULL DEFAULT '';
        ALTER TABLE users ADD COLUMN failed_login_attempts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE users ADD COLUMN password_lock_days INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE users ADD COLUMN account_locked INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE users ADD COLUMN max_user_connections INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE users ADD COLUMN default_roles TEXT NOT NULL DEFAULT '';
        CREATE TABLE roles(
            name TEXT PRIMARY KEY,
            builtin INTEGER NOT NULL DEFAULT 0,
            create_time INTEGER NOT NULL DEFAULT 0);
        INSERT INTO roles(name, builtin) VALUES ('root', 1), ('cluster_admin', 1), ('db_admin', 1),
            ('user_admin', 1), ('security_admin', 1), ('public', 1);
        CREATE TABLE role_grants(
            grantee_kind TEXT NOT NULL,
            grantee TEXT NOT NULL,
            role TEXT NOT NULL REFERENCES roles(name) ON DELETE CASCADE,
            PRIMARY KEY(grantee_kind, grantee, role));
        INSERT INTO role_grants(grantee_kind, grantee, role) VALUES ('USER', 'root', 'root');
        CREATE TABLE privilege_grants(
            grantee_kind TEXT NOT NULL,
            grantee TEXT NOT NULL,
            object_type TEXT NOT NULL,
            object_db INTEGER NOT NULL DEFAULT -1,
            object_id INTEGER NOT NULL DEFAULT -1,
            object_name TEXT NOT NULL DEFAULT '',
            privilege TEXT NOT NULL,
            grantable INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY(grantee_kind, grantee, object_type, object_db, object_id, object_name, privilege));
        UPDATE users SET default_roles = 'root' WHERE name = 'root';
        )",
        // Grants go with what they name: a dropped table, view, database, user or role takes its
        // grants along (ids can be used again, and a new object must not inherit old grants).
        R"(
        CREATE TRIGGER grants_of_dropped_table AFTER DELETE ON tables BEGIN
            DELETE FROM privilege_grants
            WHERE object_type IN ('TABLE', 'VIEW', 'MATERIALIZED VIEW') AND object_id = OLD.id;
        END;
        CREATE TRIGGER grants_of_dropped_database AFTER DELETE ON databases BEGIN
            DELETE FROM privilege_grants WHERE object_db = OLD.id;
        END;
        CREATE TRIGGER grants_of_dropped_user AFTER DELETE ON users BEGIN
            DELETE FROM privilege_grants WHERE grantee_kind = 'USER' AND grantee = OLD.name;
            DELETE FROM privilege_grants WHERE object_type = 'USER' AND object_name = OLD.name;
            DELETE FROM role_grants WHERE grantee_kind = 'USER' AND grantee = OLD.name;
        END;
        CREATE TRIGGER grants_of_dropped_role AFTER DELETE ON roles BEGIN
            DELETE FROM privilege_grants WHERE grantee_kind = 'ROLE' AND grantee = OLD.name;
            DELETE FROM role_grants WHERE (grantee_kind = 'ROLE' AND grantee = OLD.name) OR role = OLD.name;
        END;
        )",
        // External catalogs (CREATE EXTERNAL CATALOG): the type ('iceberg') and the properties,
        // one row each; a dropped catalog takes its properties and grants along.
        R"(
        CREATE TABLE external_catalogs(
            name TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            comment TEXT NOT NULL DEFAULT '',
            create_time INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE external_catalog_properties(
            catalog TEXT NOT NULL REFERENCES external_catalogs(name) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY(catalog, key));
        CREATE TRIGGER grants_of_dropped_catalog AFTER DELETE ON external_catalogs BEGIN
            DELETE FROM privilege_grants WHERE object_type = 'CATALOG' AND object_name = OLD.name;
        END;
        )",
        // Asynchronous materialized views (their data is the hot table of the same id), the state
        // of the base tables each refresh read (per base partition: a fingerprint of its rowsets),
        // and the task scheduler's tasks and runs (MV refreshes are tasks too).
        R"(
        CREATE TABLE materialized_views(
            table_id INTEGER PRIMARY KEY REFERENCES tables(id) ON DELETE CASCADE,
            definition TEXT NOT NULL,
            query TEXT NOT NULL,
            refresh_type TEXT NOT NULL,
            refresh_moment TEXT NOT NULL,
            start_time INTEGER NOT NULL DEFAULT 0,
            interval_seconds INTEGER NOT NULL DEFAULT 0,
            partition_column TEXT NOT NULL DEFAULT '',
            partition_unit TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1,
            inactive_reason TEXT NOT NULL DEFAULT '',
            inactive_by_user INTEGER NOT NULL DEFAULT 0,
            creator TEXT NOT NULL DEFAULT '',
            create_time INTEGER NOT NULL DEFAULT 0,
            refreshed INTEGER NOT NULL DEFAULT 0,
            refresh_time INTEGER NOT NULL DEFAULT 0,
            last_start INTEGER NOT NULL DEFAULT 0,
            last_finish INTEGER NOT NULL DEFAULT 0,
            last_state TEXT NOT NULL DEFAULT '',
            last_force INTEGER NOT NULL DEFAULT 0,
            last_mv_partitions TEXT NOT NULL DEFAULT '',
            last_base_partitions TEXT NOT NULL DEFAULT '',
            last_error_code INTEGER NOT NULL DEFAULT 0,
            last_error TEXT NOT NULL DEFAULT '',
            last_process_ms INTEGER NOT NULL DEFAULT 0,
            last_rows INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE mv_properties(
            table_id INTEGER NOT NULL REFERENCES materialized_views(table_id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY(table_id, key));
        CREATE TABLE mv_base_partitions(
            table_id INTEGER NOT NULL REFERENCES materialized_views(table_id) ON DELETE CASCADE,
            base TEXT NOT NULL,
            base_id TEXT NOT NULL,
            partition TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            lower TEXT,
            upper TEXT,
            PRIMARY KEY(table_id, base, partition));
        CREATE TABLE tasks(
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            database TEXT NOT NULL DEFAULT '',
            catalog TEXT NOT NULL DEFAULT '',
            definition TEXT NOT NULL,
            kind TEXT NOT NULL,
            mv_id INTEGER NOT NULL DEFAULT 0,
            schedule_start INTEGER NOT NULL DEFAULT 0,
            interval_seconds INTEGER NOT NULL DEFAULT 0,
            priority INTEGER NOT NULL DEFAULT 0,
            retries INTEGER NOT NULL DEFAULT 0,
            properties TEXT NOT NULL DEFAULT '',
            creator TEXT NOT NULL DEFAULT '',
            create_time INTEGER NOT NULL,
            state TEXT NOT NULL DEFAULT 'ACTIVE',
            last_schedule INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE task_runs(
            id INTEGER PRIMARY KEY,
            task_id INTEGER NOT NULL,
            task_name TEXT NOT NULL,
            query_id TEXT NOT NULL,
            state TEXT NOT NULL,
            create_time INTEGER NOT NULL,
            start_time INTEGER NOT NULL DEFAULT 0,
            finish_time INTEGER NOT NULL DEFAULT 0,
            database TEXT NOT NULL DEFAULT '',
            catalog TEXT NOT NULL DEFAULT '',
            definition TEXT NOT NULL DEFAULT '',
            error_code INTEGER NOT NULL DEFAULT 0,
            error_message TEXT NOT NULL DEFAULT '',
            progress TEXT NOT NULL DEFAULT '',
            extra_message TEXT NOT NULL DEFAULT '',
            properties TEXT NOT NULL DEFAULT '',
            attempt INTEGER NOT NULL DEFAULT 0,
            priority INTEGER NOT NULL DEFAULT 0,
            not_before INTEGER NOT NULL DEFAULT 0,
            force INTEGER NOT NULL DEFAULT 0,
            partition_start TEXT NOT NULL DEFAULT '',
            partition_end TEXT NOT NULL DEFAULT '');
        CREATE INDEX task_runs_by_task ON task_runs(task_id);
        )",
        // The data version of each partition of a table (partition_id 0: an unpartitioned table;
        // -1: the table's last version number): bumped by every commit that changes the
        // partition's rows, not by compaction, so materialized views see what really changed.
        R"(
        CREATE TABLE data_versions(
            table_id INTEGER NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
            partition_id INTEGER NOT NULL,
            version INTEGER NOT NULL,
            PRIMARY KEY(table_id, partition_id));
        )",
        // Tiering (ALTER TABLE ... SET ("tiering.cold_table" = ...)): a hot table's cold Iceberg
        // table, its policy, and the boundary with the cold snapshot queries read, changed only
        // together with the table's rowsets (one transaction).
        R"(
        CREATE TABLE tiering(
            table_id INTEGER PRIMARY KEY REFERENCES tables(id) ON DELETE CASCADE,
            cold_catalog TEXT NOT NULL,
            cold_database TEXT NOT NULL,
            cold_table TEXT NOT NULL,
            cold_uuid TEXT NOT NULL DEFAULT '',
            mode TEXT NOT NULL DEFAULT 'copy',
            move_after TEXT NOT NULL,
            move_after_seconds INTEGER NOT NULL,
            partition_column TEXT NOT NULL,
            boundary TEXT,
            snapshot_id INTEGER NOT NULL DEFAULT -1,
            tombstones TEXT NOT NULL DEFAULT '');
        )",
        // Iceberg table upkeep (server/lake_maintenance.h): every maintenance action, manual or
        // automatic, with what it did; information_schema.iceberg_maintenance_log shows them.
        R"(
        CREATE TABLE lake_maintenance_log(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            start_time INTEGER NOT NULL,
            finish_time INTEGER NOT NULL,
            catalog_name TEXT NOT NULL,
            database_name TEXT NOT NULL,
            table_name TEXT NOT NULL,
            action TEXT NOT NULL,
            trigger TEXT NOT NULL,
            state TEXT NOT NULL,
            files_in INTEGER NOT NULL DEFAULT 0,
            bytes_in INTEGER NOT NULL DEFAULT 0,
            files_out INTEGER NOT NULL DEFAULT 0,
            bytes_out INTEGER NOT NULL DEFAULT 0,
            snapshot_id INTEGER,
            message TEXT NOT NULL DEFAULT '');
        CREATE INDEX lake_maintenance_log_by_table ON lake_maintenance_log(catalog_name, database_name, table_name);
        )",
        // A view's SQL SECURITY: NULL or 'NONE' (read with the view's own SELECT) or 'INVOKER'.
        R"(
        ALTER TABLE tables ADD COLUMN security TEXT;
        )",
        // Primary Key tables: the merge_condition value of each key a conditional load deleted, so
        // an older upsert that arrives later (a replay, another partition) does not bring it back.
        R"(
        CREATE TABLE pk_delete_fences(
            table_id INTEGER NOT NULL,
            key BLOB NOT NULL,
            position INTEGER NOT NULL,
            time INTEGER NOT NULL,
            PRIMARY KEY(table_id, key));
        )",
        // Incremental MV refresh: the data sequences of the commits whose rows each rowset holds,
        // and per MV the sequence of each base table it consumed up to.
        R"(
        ALTER TABLE rowsets ADD COLUMN seq_lo INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE rowsets ADD COLUMN seq_hi INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE materialized_views ADD COLUMN incremental_state TEXT;
        )",
    };
    return migrations;
}

}  // namespace floe
