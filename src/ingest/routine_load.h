#pragma once
/// Routine Load: continuous ingestion from Kafka (CREATE ROUTINE LOAD), on Stream Load's load
/// path. Each RUNNING job has a consumer (librdkafka) assigned to its topic's partitions at the
/// offsets the meta store holds; it gathers a micro-batch of messages (max_batch_rows,
/// max_batch_size, max_batch_interval), parses it (CSV: one row per message; JSON: an object, or
/// with strip_outer_array an array of them, per message), transforms it with the job's COLUMNS
/// and WHERE (LoadTransform, the engine's expressions) and loads it as one load transaction
/// whose meta-store commit also records the next offset of every partition and the job's
/// counters (exactly-once: after a crash the job resumes from the committed offsets, so no
/// message is lost or loaded twice).
///
/// Messages that do not parse or convert are kept (raw bytes, partition, offset, reason) in the
/// job's error table (information_schema.routine_load_errors) and counted against
/// max_error_number (per window of 10 x max_batch_rows rows) and max_filter_ratio; beyond them
/// the job pauses with a reason that names the message. Transient Kafka errors (broker down,
/// leader change, metadata timeouts, a topic that does not exist yet) are retried with backoff
/// while the job shows UNSTABLE; an offset that fell out of retention pauses the job and says so.
///
/// A job ON catalog.db.table loads into an Iceberg table instead (IcebergSink): each batch is an
/// append snapshot whose summary records the offsets it consumed; the meta store mirrors them
/// after the commit, and a consumer starting up takes the newer of the two (exactly once across a
/// crash between them). A dead-letter table (an Iceberg table: by default
/// `<table>__dead_letters` next to an Iceberg target; any job may name one with
/// `dead_letter_table`) takes the messages that do not parse or convert (and, with
/// `dead_letter_where` = true, those the WHERE drops): they never pause the job, and each
/// consumed offset lands in exactly one of the two tables.

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "binder/table_schema.h"
#include "catalog/catalog.h"
#include "ingest/load_manager.h"

namespace floe {

class ExternalCatalogs;

class RoutineLoadManager {
  public:
    /// `externals`: the instance's external catalogs (jobs into Iceberg tables); may be null.
    RoutineLoadManager(Catalog& catalog, LoadManager& loads, std::string data_dir,
                       ExternalCatalogs* externals = nullptr);

    struct TableName {
        std::string catalog, database, table;
        std::string ToString() const { return catalog + "." + database + "." + table; }
    };
    /// The job's dead-letter table (property dead_letter_table: table, database.table or
    /// catalog.database.table, resolved against an Iceberg target; a job into a hot table must
    /// name all three), or none. Throws LoadError when the name does not resolve.
    static std::optional<TableName> DeadLetterTable(const RoutineLoadJob& job);
    /// The columns of a dead-letter table Floe creates (CREATE TABLE column list).
    static const char* DeadLetterColumns();
    ~RoutineLoadManager();

    /// Starts the jobs the meta store has as NEED_SCHEDULE, RUNNING or UNSTABLE (after a restart).
    void Start();
    /// Stops every consumer (the jobs keep their states, and resume on the next Start).
    void Shutdown();

    /// CREATE ROUTINE LOAD: checks the table and the properties (the transform compiles against
    /// the table, the source names a broker list and a topic), records the job and starts it.
    /// Throws CatalogError / LoadError / BinderError with a message naming the problem.
    void Create(RoutineLoadJob job);
    /// Create's checks alone (the dead-letter table aside): the statement runs them before it
    /// creates the job's dead-letter table.
    void Check(const RoutineLoadJob& job);
    /// PAUSE / RESUME / STOP ROUTINE LOAD. A STOPPED job cannot be resumed.
    void Pause(const std::string& database, const std::string& name);
    void Resume(const std::string& database, const std::string& name);
    void Stop(const std::string& database, const std::string& name);
    /// ALTER ROUTINE LOAD of a PAUSED job: replaces the given load and source properties;
    /// kafka_partitions with kafka_offsets set those partitions' next offsets.
    void Alter(const std::string& database, const std::string& name, std::map<std::string, std::string> load,
               std::map<std::string, std::string> source);

    struct PartitionStatus {
        int32_t partition = 0;
        int64_t next_offset = 0;      // committed: the next message to load
        int64_t end_offset = -1;      // the partition's high watermark as last seen; -1: unknown
        int64_t last_message_ms = 0;  // timestamp of the last committed message (0: none yet)
    };
    struct JobStatus {
        RoutineLoadJob job;
        std::vector<PartitionStatus> partitions;
        bool consuming = false;  // consumers run for it now
        size_t consumers = 0;    // how many (desired_concurrent_number)
        int64_t batch_started_ms = 0;
        int64_t batches = 0;  // batches committed since the consumer started
        int64_t last_txn_id = 0;
        std::string kafka_error;  // the last transient Kafka error, when UNSTABLE
    };
    /// Every job of `database` (every database when empty), with its live Kafka position.
    std::vector<JobStatus> Status(const std::string& database);

  private:
    struct Worker;
    RoutineLoadJob Find(const std::string& database, const std::string& name);
    void StartWorker(int64_t job_id);
    /// Stops and joins the job's consumer, if one runs.
    void StopWorker(int64_t job_id);
    void Run(Worker& worker);
    /// The columns the job's target takes (a hot table's definition, an Iceberg table's schema).
    TableSchema TargetSchema(const RoutineLoadJob& job);

    Catalog& catalog_;
    LoadManager& loads_;
    std::string data_dir_;
    ExternalCatalogs* externals_;
    std::mutex mutex_;
    std::map<int64_t, std::shared_ptr<Worker>> workers_;
};

}  // namespace floe
