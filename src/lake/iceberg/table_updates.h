#pragma once
/// The REST catalog's commit model (open-api "CommitTableRequest"; Iceberg Java's
/// UpdateRequirement, MetadataUpdate and UpdateRequirements): a change of a table is sent as
/// requirements, which must hold on the table's current metadata (otherwise another writer won
/// and the commit fails with 409), and updates, which build the new metadata from the current.
///
/// Both directions live here:
///  - the server side: CheckTableRequirements + ApplyTableUpdates turn the current metadata and a
///    request into the next metadata (maintaining snapshot-log, metadata-log and last-updated-ms
///    the way Java's TableMetadata.Builder does);
///  - the client side: DiffForCommit(base, next) is the request that turns `base` into `next`, so
///    that ApplyTableUpdates(base, DiffForCommit(base, next)) equals `next` up to last-updated-ms
///    and the metadata log (which each server stamps itself).
///
/// A request Floe cannot understand (unknown requirement type or update action, malformed JSON,
/// an update that contradicts the table) throws InvalidTableUpdateError (HTTP 400); a requirement
/// that does not hold throws CommitFailedError (HTTP 409, the client reloads and retries).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/exception.h"
#include "lake/iceberg/iceberg_catalog.h"
#include "lake/iceberg/table_metadata.h"

namespace floe::iceberg {

/// A commit request that is not valid: unknown type/action, bad JSON, or an update that cannot
/// apply (a schema id that does not exist, a format-version downgrade, ...). The message names
/// the table and the entry ("updates[2]").
class InvalidTableUpdateError : public Exception {
  public:
    explicit InvalidTableUpdateError(std::string message) : Exception(ErrorCode::WRONG_ARGUMENTS, std::move(message)) {}
};

/// A commit as JSON arrays of requirement and update objects.
struct CommitDiff {
    std::string requirements = "[]";
    std::string updates = "[]";
};

/// Whether `requirements_json` holds an `assert-create` (the commit creates the table).
bool RequiresCreate(std::string_view requirements_json);

/// Checks every requirement of `requirements_json` against `current` (null: the table does not
/// exist). `table` names the table in messages. Throws CommitFailedError for a requirement that
/// does not hold, InvalidTableUpdateError for an unknown type or malformed JSON.
void CheckTableRequirements(std::string_view requirements_json, const TableMetadata* current, const std::string& table);

/// Applies `updates_json` to `current` (null: a create, starting from empty metadata) and returns
/// the next metadata. `current_location` is the file `current` was read from: it goes into the
/// metadata log (trimmed to `write.metadata.previous-versions-max`, 100). `now_ms` stamps
/// last-updated-ms (an added snapshot's timestamp when the change adds one, as Java does) and the
/// snapshot-log entry of a `main` change. Throws InvalidTableUpdateError (see the file comment),
/// or CommitFailedError when an added snapshot's sequence number is not above the table's.
TableMetadata ApplyTableUpdates(std::string_view updates_json, const TableMetadata* current,
                                const std::optional<std::string>& current_location, const std::string& table,
                                int64_t now_ms);

/// The requirements and updates that turn `base` into `next` (null `base`: a create, sent with
/// `assert-create` and the whole table as updates). Requirements: assert-table-uuid; for every
/// ref that changes, assert-ref-snapshot-id with the base's snapshot (null when it did not
/// exist); assert-last-assigned-field-id / assert-current-schema-id when schemas change,
/// assert-last-assigned-partition-id / assert-default-spec-id when specs change, and
/// assert-default-sort-order-id when the default order changes. Updates, in Java's order:
/// assign-uuid, upgrade-format-version, add-schema + set-current-schema, add-spec +
/// set-default-spec, add-sort-order + set-default-sort-order, set-location, set-properties,
/// remove-properties, add-snapshot (each new one), remove-snapshots, set-snapshot-ref /
/// remove-snapshot-ref, set-/remove-statistics and set-/remove-partition-statistics.
CommitDiff DiffForCommit(const TableMetadata* base, const TableMetadata& next);

}  // namespace floe::iceberg
