#pragma once
/// Deleting a dropped table's files (DROP TABLE ... FORCE, and the REST catalog's purgeRequested):
/// only the files its metadata names that lie under the table's own location, whatever else the
/// metadata names, then the directories that leaves empty.

#include <string>
#include <vector>

#include "lake/iceberg/table_metadata.h"

namespace floe::iceberg {

/// The files of the table at `metadata_location` that a purge may delete: that metadata file,
/// the earlier ones of the metadata log, a hadoop table's version hint, and every snapshot's
/// manifest list, manifests, data and delete files, when they lie under `metadata.location`.
/// Collect them before the catalog forgets the table (a hadoop drop removes metadata/). An
/// unreadable manifest list or manifest is skipped (logged): its files stay as orphans.
std::vector<std::string> FilesToPurge(const std::string& metadata_location, const TableMetadata& metadata);

/// Deletes `files` (each on its own; a failure is logged and the rest go on), then, for a local
/// table, the directories under `location` that are left empty. Returns how many were deleted.
size_t PurgeFiles(const std::vector<std::string>& files, const std::string& location);

}  // namespace floe::iceberg
