#pragma once
/// Iceberg catalogs: where a table's current metadata file is found. A catalog answers four
/// questions (which namespaces, which tables in one, whether a namespace exists, and which
/// metadata file is current for a table) and nothing else: reading that file, remapping the paths
/// it names and planning scans belong to the callers.
///
/// A catalog is declared by the StarRocks statement
///   CREATE EXTERNAL CATALOG c PROPERTIES ('type'='iceberg', 'iceberg.catalog.type'='hadoop', ...)
/// and built by OpenIcebergCatalog() from those properties. Opening only validates them: no file
/// is read and no database is contacted until the first question, so a catalog that cannot be
/// reached fails the queries that use it (with an IOError naming the warehouse or the URI, never
/// a password), not the CREATE statement.
///
/// Backends: HadoopCatalog (a warehouse directory in Iceberg Java's HadoopCatalog layout),
/// JdbcCatalog (the iceberg_tables / iceberg_namespace_properties tables of Iceberg Java's
/// JdbcCatalog and pyiceberg's SqlCatalog, in SQLite or PostgreSQL) and RestCatalog (an Iceberg
/// REST catalog server, rest_catalog.h). A catalog object may be used from several threads at once.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/exception.h"

namespace floe::iceberg {

struct TableMetadata;

/// A commit that lost a race: the table's current metadata is no longer the file the change was
/// built on (or, for a create, the table already exists). The committer reloads the table,
/// re-validates its change and retries; the message names the table.
class CommitFailedError : public Exception {
  public:
    explicit CommitFailedError(std::string message) : Exception(ErrorCode::IO, std::move(message)) {}
};

/// One change of a table's metadata, as the catalog swaps it in.
struct TableCommit {
    std::string ns;
    std::string table;
    /// The metadata file the change was built on; nullopt creates the table (which must not exist).
    std::optional<std::string> base_location;
    /// The table's complete new metadata. Where its file goes is the catalog's choice (hadoop: the
    /// table directory's metadata/; jdbc: `write.metadata.path`, else <location>/metadata/).
    const TableMetadata* metadata = nullptr;
    /// The metadata at `base_location` (null for a create): a REST catalog sends the difference
    /// (requirements and updates) instead of a file.
    const TableMetadata* base = nullptr;
};
/// Which service keeps the catalog.
enum class CatalogType { HADOOP, JDBC, REST };

/// The PROPERTIES of CREATE EXTERNAL CATALOG, checked and normalised: each setting accepts the
/// StarRocks key ('iceberg.catalog.uri') and Iceberg's own one ('uri'). Keys Floe does not use
/// yet (aws.s3.*, hive.*, ...) are kept in `all` so later features can read them.
struct CatalogProperties {
    CatalogType type = CatalogType::HADOOP;
    /// 'iceberg.catalog.warehouse' / 'warehouse': the warehouse root. Required for hadoop.
    std::string warehouse;
    /// 'iceberg.catalog.uri' / 'uri': 'jdbc:sqlite:<path>' or 'jdbc:postgresql://host:port/db'
    /// (jdbc), the catalog's base URL 'http[s]://host[:port][/path]' (rest). Required for both.
    /// For rest, 'warehouse' is whatever the server expects in GET /v1/config?warehouse=.
    std::string uri;
    /// 'iceberg.catalog.jdbc.user' / 'jdbc.user'; overrides a user named in the URI.
    std::optional<std::string> user;
    /// 'iceberg.catalog.jdbc.password' / 'jdbc.password'. Never appears in a message.
    std::optional<std::string> password;
    /// rest: 'iceberg.catalog.security' / 'security': "none" or "oauth2" (the default when a token
    /// or a credential is given).
    std::string security;
    /// rest: 'iceberg.catalog.oauth2.token' / 'token': a static bearer token. Never in a message.
    std::optional<std::string> token;
    /// rest: 'iceberg.catalog.oauth2.credential' / 'credential': 'client_id:client_secret' (or a
    /// bare secret) exchanged for a token at the OAuth2 server. Never in a message.
    std::optional<std::string> credential;
    /// rest: 'iceberg.catalog.oauth2.scope' / 'scope' (default "catalog").
    std::string scope = "catalog";
    /// rest: 'iceberg.catalog.oauth2.server-uri' / 'oauth2-server-uri' (default <uri>/v1/oauth/tokens).
    std::string oauth2_server_uri;
    /// Every property as given.
    std::map<std::string, std::string> all;

    /// Checks `properties`: 'type' must be 'iceberg' when present; 'iceberg.catalog.type' one of
    /// hadoop (or filesystem), jdbc and rest; the setting the type needs must be present. Throws
    /// BinderError naming the property, or NotSupportedError for a catalog type Floe does not
    /// serve yet (hive, glue).
    static CatalogProperties Parse(const std::map<std::string, std::string>& properties);
};

/// One Iceberg catalog. Namespaces are named with their levels joined by '.' ("db" or "a.b").
class IcebergCatalog {
  public:
    explicit IcebergCatalog(std::string name) : name_(std::move(name)) {}
    virtual ~IcebergCatalog() = default;
    IcebergCatalog(const IcebergCatalog&) = delete;
    IcebergCatalog& operator=(const IcebergCatalog&) = delete;

    /// The Floe catalog's name (the JDBC layout's catalog_name column).
    const std::string& name() const { return name_; }

    /// Every namespace, sorted.
    virtual std::vector<std::string> ListNamespaces() = 0;
    /// Whether `ns` exists (an empty namespace counts).
    virtual bool NamespaceExists(const std::string& ns) = 0;
    /// The tables of `ns`, sorted. Throws CatalogError when the namespace does not exist.
    virtual std::vector<std::string> ListTables(const std::string& ns) = 0;
    /// The current metadata file of `ns`.`table` as the catalog records it (a local path for
    /// hadoop, the stored string for jdbc, the server's `metadata-location` for rest), or nullopt
    /// when there is no such table.
    virtual std::optional<std::string> TableMetadataLocation(const std::string& ns, const std::string& table) = 0;
    /// The metadata at `metadata_location` when the catalog already holds it parsed (a REST
    /// server sends it with the location), so the caller need not read the file; nullopt (the
    /// default) means: read the file.
    virtual std::optional<std::shared_ptr<const TableMetadata>> LoadTableMetadata(
        const std::string& metadata_location) {
        (void)metadata_location;
        return std::nullopt;
    }

    // ---- Changes. The default implementations throw NotSupportedError naming the catalog. ----

    /// Creates namespace `ns` with `properties` (kept where the backend can keep them). Throws
    /// CatalogError (ErrorCode::DATABASE_EXISTS) when it exists.
    virtual void CreateNamespace(const std::string& ns, const std::map<std::string, std::string>& properties);
    /// Drops namespace `ns`. Throws CatalogError when it does not exist or still holds tables.
    virtual void DropNamespace(const std::string& ns);
    /// Where a new table's files go when CREATE TABLE names no location (no trailing '/'):
    /// hadoop: <warehouse>/<ns levels>/<table>; jdbc: <warehouse>/<ns levels>/<table>, Iceberg
    /// Java's default. Throws BinderError when the catalog has no warehouse to put it in.
    virtual std::string DefaultTableLocation(const std::string& ns, const std::string& table);
    /// Writes `commit.metadata` as the table's next metadata file under <location>/metadata/ and
    /// swaps it in atomically (hadoop: v<N+1>.metadata.json created only if absent, then
    /// version-hint.text; jdbc: <NNNNN>-<uuid>.metadata.json, then a compare-and-swap UPDATE of
    /// metadata_location, or an INSERT for a create). Returns the new metadata location. Throws
    /// CommitFailedError when the table is no longer at `base_location` (or exists, for a create);
    /// the file written for the failed attempt is removed. Other failures throw IOError; when it
    /// is unknown whether the swap happened the written file is kept.
    virtual std::string CommitTable(const TableCommit& commit);
    /// Removes `ns`.`table` from the catalog; its files stay (the caller purges them). Throws
    /// CatalogError when there is no such table.
    virtual void DropTable(const std::string& ns, const std::string& table);

  private:
    std::string name_;
};

/// The catalog `properties` describe (see CatalogProperties::Parse for the errors). Nothing is
/// read or contacted here.
std::unique_ptr<IcebergCatalog> OpenIcebergCatalog(const std::string& catalog_name,
                                                   const std::map<std::string, std::string>& properties);

}  // namespace floe::iceberg
