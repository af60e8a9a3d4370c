#pragma once
/// information_schema: read-only tables whose rows the binder materializes from the catalog when
/// a query names them. Enough of MySQL's SCHEMATA, TABLES and COLUMNS for JDBC DatabaseMetaData.

#include <optional>
#include <string_view>

#include "binder/bound_query.h"
#include "catalog/catalog.h"

namespace floe {

/// The named information_schema table with its current rows, or nullopt if there is none.
std::optional<BoundValuesSource> InformationSchemaTable(Catalog& catalog, std::string_view table);
/// Names of the information_schema tables, upper-case as MySQL shows them.
std::vector<std::string> InformationSchemaTableNames();

}  // namespace floe
