#pragma once
/// The JDBC Iceberg catalog: the two tables Iceberg Java's JdbcCatalog (JdbcUtil) and pyiceberg's
/// SqlCatalog keep in a relational database,
///   iceberg_tables(catalog_name, table_namespace, table_name, metadata_location,
///                  previous_metadata_location[, iceberg_type])
///   iceberg_namespace_properties(catalog_name, namespace, property_key, property_value)
/// kept here in SQLite (sqlite3) or PostgreSQL (libpq). One class
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
///
/// Changes are Iceberg Java's: the first change creates the two tables when they are missing
/// (CREATE TABLE IF NOT EXISTS; a SQLite file is created too); a namespace is its property rows
/// (creating one inserts 'exists' = 'true', as Java does); a commit writes
/// <metadata dir>/<NNNNN>-<uuid>.metadata.json and then INSERTs the table's row (a create) or swaps
/// metadata_location with a compare-and-swap UPDATE that must change exactly one row. The
/// metadata dir is the table property 'write.metadata.path' when set, else <location>/metadata.

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
    /// Iceberg Java's DDL for the two tables (schema V1), valid in SQLite and PostgreSQL. The first
    /// change runs them as CREATE TABLE IF NOT EXISTS.
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

    /// Inserts the namespace's property rows: ('exists', 'true') and `properties`, in one
    /// transaction. CatalogError (DATABASE_EXISTS) when the namespace exists.
    void CreateNamespace(const std::string& ns, const std::map<std::string, std::string>& properties) override;
    /// Deletes the namespace's property rows. CatalogError when it does not exist
    /// (DATABASE_NOT_EXISTS) or still holds tables, views or nested namespaces (WRONG_ARGUMENTS).
    void DropNamespace(const std::string& ns) override;
    /// <warehouse>/<ns levels>/<table> (Iceberg Java's JdbcCatalog default), from the catalog
    /// property 'warehouse' ('iceberg.catalog.warehouse'); BinderError naming it when absent.
    std::string DefaultTableLocation(const std::string& ns, const std::string& table) override;
    /// See the file comment. The new file is numbered after base_location's NNNNN- prefix (00001
    /// when it has none; 00000 for a create). CommitFailedError when the row already exists (a
    /// create) or the UPDATE changed no row (another writer won), after deleting the new file;
    /// CatalogError when a create names a namespace that does not exist. A database error during
    /// the swap throws IOError and keeps the file, since the swap may have happened.
    std::string CommitTable(const TableCommit& commit) override;
    /// Deletes the table's row (its files stay). CatalogError (UNKNOWN_TABLE) when there is none.
    void DropTable(const std::string& ns, const std::string& table) override;

    /// One database connection (SQLite or PostgreSQL); defined in jdbc_catalog.cpp.
    class Backend;

  private:
    /// The connection, opened (and the layout probed) on first use; the caller holds mutex_. With
    /// `for_change`, the catalog tables are created first when they are missing (once).
    Backend& Connected(bool for_change = false);
    /// Whether `ns` exists; the caller holds mutex_.
    bool NamespaceExistsLocked(Backend& backend, const std::string& ns);
    /// Every namespace, unsorted; the caller holds mutex_.
    std::vector<std::string> NamespacesLocked(Backend& backend);
    /// The condition that keeps views out, or "" for files without iceberg_type.
    std::string TableTypeFilter() const;

    CatalogProperties properties_;
    std::mutex mutex_;
    std::unique_ptr<Backend> backend_;
    bool has_type_column_ = false;
    bool has_namespace_properties_ = false;
    /// The catalog tables were checked (and created when missing) for a change.
    bool tables_ensured_ = false;
};

}  // namespace floe::iceberg
