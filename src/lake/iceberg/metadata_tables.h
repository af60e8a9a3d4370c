#pragma once
/// An Iceberg table's metadata tables, as Trino and StarRocks users query them (`t$snapshots`,
/// `t$history`, `t$refs`, `t$manifests`, `t$files`, `t$partitions`): rows computed from the
/// table's metadata file, its snapshot's manifest list and manifests. Map- and struct-valued
/// columns (summary, partition, bounds) are JSON.

#include <string>

#include "catalog/table_source.h"
#include "lake/iceberg/iceberg_table.h"

namespace floe::iceberg {

/// The rows of `table`'s metadata table `kind` ("snapshots", "history", "refs", "manifests",
/// "files", "partitions"); throws CatalogError for another kind.
TableRows MetadataTable(const IcebergTable& table, const std::string& kind);

}  // namespace floe::iceberg
