#pragma once
/// An Iceberg REST catalog client (open-api rest-catalog-open-api.yaml; Iceberg Java's
/// RESTSessionCatalog): CREATE EXTERNAL CATALOG c PROPERTIES ('type'='iceberg',
/// 'iceberg.catalog.type'='rest', 'iceberg.catalog.uri'='https://host/api/catalog', ...).
///
/// The first request asks GET <uri>/v1/config?warehouse=<warehouse> for the server's `prefix`
/// (overrides win over defaults); every route is then <uri>/v1/<prefix>/... . Namespaces are
/// named with their levels joined by '.' on Floe's side and by %1F in paths. Lists follow
/// `next-page-token`.
///
/// Authentication: a static bearer token ('iceberg.catalog.oauth2.token'), or OAuth2 client
/// credentials ('iceberg.catalog.oauth2.credential' = 'id:secret') exchanged at
/// 'iceberg.catalog.oauth2.server-uri' (default <uri>/v1/oauth/tokens) for a token that is renewed
/// before it expires and once more when the server answers 401. TLS certificates are verified.
///
/// Commits send DiffForCommit(base, next) (table_updates.h) to POST .../tables/{t}: a 409 is a
/// lost race (CommitFailedError); a 5xx, a timeout or a broken connection leaves the outcome
/// unknown (IOError saying so), so the caller keeps what it wrote. A create is sent as a commit
/// with `assert-create` and the whole table as updates (Java's create transaction), so the table
/// gets exactly the uuid, ids and location Floe chose; a server that refuses that route (404 or
/// 501) gets a plain create request instead, and then assigns its own uuid.
///
/// DefaultTableLocation asks the server where a new table would go (a stage-create, which creates
/// nothing), else uses the namespace's `location` property; when neither answers it returns ""
/// and the create then lets the server choose.
///
/// Errors name the catalog URI and the route, never a token or secret.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <simdjson.h>

#include "lake/iceberg/iceberg_catalog.h"
#include "lake/iceberg/table_metadata.h"

namespace floe::iceberg {

class RestCatalog : public IcebergCatalog {
  public:
    RestCatalog(std::string name, CatalogProperties properties);
    ~RestCatalog() override;

    /// Checks that `uri` is an http:// or https:// URL; BinderError naming it otherwise.
    static void CheckUri(const std::string& uri);

    std::vector<std::string> ListNamespaces() override;
    bool NamespaceExists(const std::string& ns) override;
    std::vector<std::string> ListTables(const std::string& ns) override;
    std::optional<std::string> TableMetadataLocation(const std::string& ns, const std::string& table) override;
    std::optional<std::shared_ptr<const TableMetadata>> LoadTableMetadata(
        const std::string& metadata_location) override;

    void CreateNamespace(const std::string& ns, const std::map<std::string, std::string>& properties) override;
    void DropNamespace(const std::string& ns) override;
    std::string DefaultTableLocation(const std::string& ns, const std::string& table) override;
    std::string CommitTable(const TableCommit& commit) override;
    void DropTable(const std::string& ns, const std::string& table) override;

    /// One HTTP answer.
    struct Response {
        long status = 0;
        std::string body;
    };

  private:
    /// `method` on <uri>/v1/<prefix>/<route> (route without a leading '/'; `query` without '?').
    /// Throws IOError when no answer came (naming the route and whether a commit's outcome is
    /// unknown is up to the caller).
    Response Call(const std::string& method, const std::string& route, const std::string& query = "",
                  const std::string& body = "");
    Response Send(const std::string& method, const std::string& url, const std::string& body,
                  const std::string& content_type, bool authenticate);
    /// Reads /v1/config once.
    void Configure();
    /// The Authorization header value ("" for none).
    std::string Authorization(bool renew);
    /// An IOError / CatalogError for an unexpected answer: "Iceberg REST catalog '<uri>': GET
    /// <route>: 404 NoSuchTableException: <message>".
    [[noreturn]] void Fail(const std::string& method, const std::string& route, const Response& r,
                           const std::string& context = "");
    std::string NamespacePath(const std::string& ns) const;
    std::string TablePath(const std::string& ns, const std::string& table) const;
    /// Remembers the metadata of a LoadTableResult / commit answer; returns its location.
    std::optional<std::string> Remember(const std::string& body, const std::string& what);
    /// Vended credentials (the client asks with `X-Iceberg-Access-Delegation: vended-credentials`):
    /// S3 settings in the answer's `storage-credentials` (per prefix) or `config` (for the table's
    /// location) are registered for those locations (io/s3_file_system.h), so the table's files
    /// are read and written with them.
    void RegisterVendedCredentials(simdjson::dom::element answer);
    std::string CreateWithoutCommitRoute(const TableCommit& commit);

    CatalogProperties properties_;
    std::string uri_;  ///< without a trailing '/'
    std::mutex mutex_;
    bool configured_ = false;
    std::string prefix_;
    std::string token_;             ///< fetched or static
    int64_t token_expires_ms_ = 0;  ///< 0: never (a static token)
    /// Metadata the server sent, by location (a few recent entries).
    std::map<std::string, std::shared_ptr<const TableMetadata>> metadata_;
};

}  // namespace floe::iceberg
