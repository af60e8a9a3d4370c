#pragma once
/// The external catalogs of a Floe instance (CREATE EXTERNAL CATALOG), opened on first use from
/// their definitions in the meta store: names to databases, tables, and TableSources. A catalog
/// that cannot be reached fails the statements that use it, never the server. Table metadata
/// files are immutable, so parsed metadata is cached by path; each query still asks the catalog
/// which file is current, so a commit by another writer is seen by the next query.
/// Thread-safe.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "io/s3_client.h"
#include "lake/iceberg/iceberg_table.h"
#include "lake/iceberg/table_transaction.h"

namespace floe {

namespace iceberg {
class IcebergCatalog;
}

class ExternalCatalogs {
  public:
    explicit ExternalCatalogs(Catalog& catalog);
    ~ExternalCatalogs();

    /// Checks a definition before it is stored (type and the properties it needs); throws
    /// BinderError / NotSupportedError naming the property.
    static void Validate(const ExternalCatalogInfo& info);
    /// Forgets an opened catalog (after DROP CATALOG).
    void Forget(const std::string& name);

    std::vector<std::string> ListDatabases(const std::string& catalog);
    bool DatabaseExists(const std::string& catalog, const std::string& database);
    std::vector<std::string> ListTables(const std::string& catalog, const std::string& database);
    /// The table at the snapshot `selector` names. Throws CatalogError (unknown catalog, database
    /// or table), IOError (unreadable metadata).
    std::shared_ptr<iceberg::IcebergTable> OpenTable(const std::string& catalog, const std::string& database,
                                                     const std::string& table,
                                                     const iceberg::SnapshotSelector& selector);

    /// The Iceberg catalog `name` (for DDL and commits). Throws CatalogError when unknown.
    std::shared_ptr<iceberg::IcebergCatalog> IcebergCatalogFor(const std::string& name);
    /// The current metadata of `catalog`.`database`.`table` for a write. Throws CatalogError
    /// (unknown catalog, database or table), IOError (unreadable metadata), NotSupportedError when
    /// the table is read through a location rewrite (a moved or copied table: writing would put
    /// files where its metadata does not say).
    iceberg::TableState LoadForWrite(const std::string& catalog, const std::string& database, const std::string& table);
    /// Remembers metadata a commit just wrote, so the next read need not parse it.
    void Remember(const iceberg::TableState& state);

  private:
    struct Opened {
        std::shared_ptr<iceberg::IcebergCatalog> catalog;
        std::vector<std::pair<std::string, std::string>> rewrites;
        /// The catalog's aws.s3.* / s3.* settings, registered for the buckets its tables live in.
        std::optional<S3Config> s3;
    };
    Opened Get(const std::string& name);
    /// The metadata at `path`: cached, else as the catalog hands it over (REST), else read.
    std::shared_ptr<const iceberg::TableMetadata> LoadMetadata(iceberg::IcebergCatalog& catalog,
                                                               const std::string& path);

    Catalog& catalog_;
    std::mutex mutex_;
    std::map<std::string, Opened> opened_;
    std::map<std::string, std::shared_ptr<const iceberg::TableMetadata>> metadata_cache_;
};

}  // namespace floe
