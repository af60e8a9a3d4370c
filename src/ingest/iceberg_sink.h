#pragma once
/// Routine Load into an Iceberg table (CREATE ROUTINE LOAD ... ON catalog.db.table): each batch's
/// rows become Parquet data files committed as one append snapshot whose summary records the job
/// and the next Kafka offset of every partition the batch read:
///
///   floe.routine-load.job     = <job key>          (database.name#id of the job)
///   floe.routine-load.offsets = <partition>:<next offset>,...
///
/// The table itself is then the record of how far the job got. An Iceberg commit cannot join the
/// meta store's transaction, so after a crash between the two the consumer takes, per partition,
/// the newer of the meta store's offset and the one the newest snapshot of the job in the current
/// snapshot's ancestry records (CommittedOffsets): nothing is lost or loaded twice. Other writers
/// (Spark, another Floe, maintenance) may commit between two batches: the optimistic commit
/// retries on the new base (TableTransaction).
///
/// The same sink writes a job's dead-letter table (its summaries say how far the dead letters
/// got, so a batch replayed after a crash does not write them twice).

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "binder/table_schema.h"
#include "lake/external_catalogs.h"
#include "vector/chunk.h"

namespace floe {

namespace iceberg {
class DataFileWriter;
}

class IcebergSink {
  public:
    /// Summary keys of the snapshots a routine load commits.
    static constexpr const char* kJobKey = "floe.routine-load.job";
    static constexpr const char* kOffsetsKey = "floe.routine-load.offsets";
    /// The TableSchema property that marks an append-only target (LoadTransform: Debezium events
    /// are appended as a change log, deletes included).
    static constexpr const char* kChangeLogProperty = "floe.change_log";

    IcebergSink(ExternalCatalogs& externals, std::string catalog, std::string database, std::string table,
                std::string job_key);
    ~IcebergSink();

    /// Reads the table's current metadata and returns its columns as a Duplicate Key TableSchema
    /// (the types the data files take; required fields NOT NULL), for the batch's LoadTransform.
    /// Its properties hold kChangeLogProperty: Debezium events append to it as a change log.
    /// Throws CatalogError (no such table), NotSupportedError (a column type Floe cannot write).
    TableSchema Refresh();

    /// Writes the live rows of `rows` (full-width chunks in the schema Refresh returned) and
    /// commits them with `offsets` (partition -> next offset) in the snapshot summary. Nothing is
    /// committed when there are no rows. Returns the snapshot id (0: none). Throws
    /// iceberg::CommitFailedError / IOError; when the outcome is unknown the files are kept (a
    /// snapshot may list them) and CommittedOffsets tells afterwards.
    int64_t Commit(std::vector<Chunk>& rows, const std::map<int32_t, int64_t>& offsets);

    /// Per partition, the next offset the newest snapshot of this job in the current snapshot's
    /// ancestry records (empty: the job has not committed to this table, or its snapshots expired).
    /// Snapshots committed at or before `after_ms` (ALTER ROUTINE LOAD set the offsets since) are
    /// not considered.
    std::map<int32_t, int64_t> CommittedOffsets(int64_t after_ms = 0);

    /// catalog.database.table
    std::string name() const { return catalog_ + "." + database_ + "." + table_; }

    static std::string FormatOffsets(const std::map<int32_t, int64_t>& offsets);
    static std::map<int32_t, int64_t> ParseOffsets(const std::string& text);

  private:
    ExternalCatalogs& externals_;
    std::string catalog_, database_, table_, job_key_;
    iceberg::TableState state_;
    std::unique_ptr<iceberg::DataFileWriter> writer_;
};

}  // namespace floe
