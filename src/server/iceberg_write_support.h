#pragma once
/// What the statements that write Iceberg tables share (iceberg_statements.cpp defines them;
/// INSERT, UPDATE, DELETE, MERGE and ALTER use them): running a query against one snapshot with
/// the statement's own expressions, the live data files of a snapshot, staging position deletes
/// in a transaction, and shaping query rows into the table's columns.

#include <map>
#include <string>
#include <vector>

#include "lake/iceberg/table_transaction.h"
#include "parser/ast/statement.h"
#include "vector/chunk.h"

namespace floe {

class ClientContext;

namespace iceberg_write {

/// Runs `SELECT <prefix>, <items...> FROM catalog.db.table FOR VERSION AS OF <snapshot> [AS alias]
/// WHERE <where>`. `prefix` is SQL text (e.g. "_file, _pos"); `items` and `where` are the
/// statement's own expressions, lent to the query for binding and given back (the statement is
/// unchanged afterwards, also when binding fails). Returns every row.
std::vector<Chunk> RunSnapshotQuery(ClientContext& context, const std::string& catalog, const std::string& db,
                                    const std::string& table, int64_t snapshot, const std::string& alias,
                                    const std::string& prefix, const std::vector<const ast::ExprPtr*>& items,
                                    const ast::ExprPtr& where, bool check_privileges = true);

/// A live data file of a snapshot: its partition spec, partition tuple and row count.
struct LiveFile {
    int32_t spec_id = 0;
    std::vector<iceberg::PartitionValue> partition;
    int64_t record_count = 0;
};
/// The live data files of `state`'s current snapshot, by path as the manifests name them.
std::map<std::string, LiveFile> LiveDataFiles(const iceberg::TableState& state);

/// The rows (_file, _pos) that columns 0 and 1 of `chunks` name: per data file, the positions,
/// sorted and unique.
std::map<std::string, std::vector<int64_t>> PositionsOf(const std::vector<Chunk>& chunks);

/// Stages the deletion of the rows (_file, _pos) that columns 0 and 1 of `chunks` name: v2, one
/// position delete file per data file (in that file's partition); v3, one deletion vector per data
/// file absorbing its current one, all in one Puffin file; or the data file's removal when every
/// row of it goes. Paths of the files written are appended to `written` (for cleanup after a
/// failed commit). Returns the rows deleted (duplicates counted once). Throws NotSupportedError for
/// v1 tables (no row deletes). `remove_whole_files` false: a file whose every row goes still gets
/// a position-delete file (tiering: a commit that is later undone must only add files).
int64_t StageDeletes(const std::vector<Chunk>& chunks, const iceberg::TableState& state, iceberg::TableTransaction& txn,
                     std::vector<std::string>& written, bool remove_whole_files = true);

/// Which way a row change writes: the table property `write.delete.mode` (DELETE),
/// `write.update.mode` (UPDATE) or `write.merge.mode` (MERGE) set to "copy-on-write" rewrites the
/// data files holding changed rows; "merge-on-read" (Floe's default) writes delete files.
/// Another value throws BinderError naming the property.
bool CopyOnWrite(const iceberg::TableMetadata& metadata, const std::string& property);

/// Copy-on-write: like StageDeletes, but each data file holding a row of `chunks` is rewritten
/// without its deleted rows (the rows already deleted from it stay deleted) and removed, together
/// with the delete files that applied to it alone. Reads the files at `state`'s current snapshot
/// through `context` (catalog.db.table). The new files' paths go to `written`.
int64_t StageRewrites(ClientContext& context, const std::string& catalog, const std::string& db,
                      const std::string& table, const std::vector<Chunk>& chunks, const iceberg::TableState& state,
                      iceberg::TableTransaction& txn, std::vector<std::string>& written);

/// Deletes files a failed statement wrote (best effort: what remains is an orphan, which
/// remove_orphan_files cleans).
void DeleteQuietly(const std::vector<std::string>& paths);

/// Per column of `schema`: its write-default (format v3) as a Value, or NULL.
std::vector<Value> WriteDefaults(const iceberg::Schema& schema);

/// The table's columns (schema order, `types` = DataFileWriter::column_types()) from a query
/// chunk: column c is `chunk` column `source[c]` cast to types[c], or, when source[c] < 0, the
/// column's value in `defaults` (when given and not NULL), else NULL.
/// Throws ConversionError (1366) for a value that does not convert and (1048) for a NULL in a
/// required column. The chunk's selection is kept.
Chunk ToTableRows(const Chunk& chunk, const std::vector<int>& source, const iceberg::Schema& schema,
                  const std::vector<LogicalType>& types, const std::vector<Value>* defaults = nullptr);

}  // namespace iceberg_write

}  // namespace floe
