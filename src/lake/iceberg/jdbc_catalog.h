#pragma once
/// The JDBC Iceberg catalog: the two tables Iceberg Java's JdbcCatalog (JdbcUtil) and pyiceberg's
/// SqlCatalog keep in a relational database,
///   iceberg_tables(catalog_name, table_namespace, table_name, metadata_location,
///                  previous_metadata_location[, iceberg_type])
///   iceberg_namespace_properties(catalog_name, namespace, property_key, property_value)
/// read here from SQLite (sqlite3, the file opened read-only) or PostgreSQL (libpq). One class
/// serves both: the catalog's SQL text is shared and written with '?' placeholders, which the
/// PostgreSQL backend numbers ($1, $2, ...); values are always bound, never spliced into the text.
///
/// Rows belong to this catalog when catalog_name is the Floe catalog's name. A namespace is any
/// table_namespace of iceberg_tables or namespace of iceberg_namespace_properties. Rows whose
/// iceberg_type is 'VIEW' are views, not tables. pyiceberg's files lack the iceberg_type column
/// (Iceberg Java's V0 schema); the layout is probed once per connection.
///
/// The database is contacted on first use, not when the catalog is opened; a failed connection
/// throws IOError naming the URI (its password parameter masked) and never the password.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "lake/iceberg/iceberg_catalog.h"

namespace floe::iceberg {

class JdbcCatalog : public IcebergCatalog {
  public:
    /// Iceberg Java's DDL for the two tables (schema V1), valid in SQLite and PostgreSQL. Floe does
    /// not create them yet; tests and the integration fixture do.
    static constexpr const char* kCreateTablesSql =
        "CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) NOT NULL, "
        "table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000), previous_metadata_location "
        "VARCHAR(1000), iceberg_type VARCHAR(5), PRIMARY KEY (catalog_name, table_namespace, table_name))";
    static constexpr const char* kCreateNamespacePropertiesSql =
        "CREATE TABLE iceberg_namespace_properties (catalog_name VARCHAR(255) NOT NULL, namespace VARCHAR(255) "
        "NOT NULL, property_key VARCHAR(255), property_value VARCHAR(1000), PRIMARY KEY (catalog_name, namespace, "
        "property_key))";

    /// Throws BinderError naming 'iceberg.catalog.uri' when `uri` is neither
    /// 'jdbc:sqlite:<path>' nor 'jdbc:postgresql:[//host[:port][,...]/]db[?params]'.
    static void CheckUri(const std::string& uri);
    /// `uri` with the value of a password parameter replaced by "***", for messages.
    static std::string RedactUri(const std::string& uri);

    JdbcCatalog(std::string name, CatalogProperties properties);
    ~JdbcCatalog() override;

    std::vector<std::string> ListNamespaces() override;
    bool NamespaceExists(const std::string& ns) override;
    std::vector<std::string> ListTables(const std::string& ns) override;
    /// The stored metadata_location, unchanged (remapping it is the caller's job). Throws IOError
    /// when the row exists but holds no location.
    std::optional<std::string> TableMetadataLocation(const std::string& ns, const std::string& table) override;

    /// One database connection (SQLite or PostgreSQL); defined in jdbc_catalog.cpp.
    class Backend;

  private:
    /// The connection, opened (and the layout probed) on first use; the caller holds mutex_.
    Backend& Connected();
    /// The condition that keeps views out, or "" for files without iceberg_type.
    std::string TableTypeFilter() const;

    CatalogProperties properties_;
    std::mutex mutex_;
    std::unique_ptr<Backend> backend_;
    bool has_type_column_ = false;
    bool has_namespace_properties_ = false;
};

}  // namespace floe::iceberg
