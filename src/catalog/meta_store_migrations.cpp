// The meta store's schema, as an ordered list of migrations. Never edit a released migration:
// add a new one. Migration i takes the schema from version i-1 to i.
#include "catalog/meta_store.h"

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
    };
    return migrations;
}

}  // namespace floe
