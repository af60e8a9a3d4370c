#pragma once
/// Floe as an Iceberg REST catalog server (open-api rest-catalog-open-api.yaml) for its external
/// Iceberg catalogs: Spark, Trino, pyiceberg, DuckDB, iceberg-js (and another Floe) attach to
/// http://host:<http-port>/iceberg with warehouse = the name of a Floe catalog.
///
/// Routes (under /iceberg): GET /v1/config?warehouse=<catalog> (answers overrides.prefix =
/// <catalog> and the endpoints served); /v1/<catalog>/namespaces (GET with parent and paging,
/// POST), /namespaces/{ns} (GET, HEAD, DELETE), /namespaces/{ns}/tables (GET, POST with
/// stage-create), /tables/{t} (GET -> LoadTableResult, HEAD, POST commit, DELETE with
/// purgeRequested), /tables/{t}/metrics (204); POST /v1/oauth/tokens (client credentials:
/// client_id = a Floe user, client_secret = its password). Namespace properties updates and
/// renames answer 501 (the hadoop and jdbc backends cannot do them atomically).
///
/// Commits: the table's current metadata is loaded, the request's requirements checked and its
/// updates applied (lake/iceberg/table_updates.h), and the result swapped in through the backend
/// catalog's CommitTable; a lost race is re-tried on the new current metadata while the
/// requirements still hold, then answered 409 CommitFailedException.
///
/// Authentication: a bearer token from /v1/oauth/tokens (random, kept in memory for an hour), or
/// Basic auth as a Floe user, under the same login limits as the MySQL port; else 401.
/// Privileges as for SQL: USAGE on the catalog to read; CREATE DATABASE / DROP on it for
/// namespaces; ALTER on it for tables (403 ForbiddenException otherwise). Every file is read and
/// written through the backends, which keep to --file-roots.
///
/// Errors: {"error":{"message","type","code"}} with Iceberg Java's exception names.

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace floe {

class Instance;

struct IcebergRestRequest {
    std::string method;  ///< GET, HEAD, POST, DELETE, ...
    std::string target;  ///< the request target, "/iceberg/v1/..." with its query
    std::string authorization;
    /// The X-Iceberg-Access-Delegation header ("vended-credentials" asks for storage credentials).
    std::string access_delegation;
    std::string body;
    std::string peer;  ///< the client's address (login limits, messages)
};

struct IcebergRestResponse {
    int status = 200;
    std::string body;  ///< JSON (empty for 204 and HEAD)
    std::string content_type = "application/json";
};

class IcebergRestHandler {
  public:
    explicit IcebergRestHandler(Instance& instance);

    /// Whether `target` is for this handler (/iceberg or below it).
    static bool Handles(std::string_view target);

    /// Answers one request; never throws.
    IcebergRestResponse Handle(const IcebergRestRequest& request);

  private:
    struct Token {
        std::string user;
        std::chrono::steady_clock::time_point expires;
    };

    IcebergRestResponse Route(const IcebergRestRequest& request, const std::string& path,
                              const std::map<std::string, std::string>& query);
    IcebergRestResponse IssueToken(const IcebergRestRequest& request);
    /// The authenticated user; throws the 401 error otherwise.
    std::string Authenticate(const IcebergRestRequest& request);
    void CheckPassword(const std::string& user, const std::string& password, const std::string& peer);

    Instance& instance_;
    std::mutex mutex_;
    std::map<std::string, Token> tokens_;
};

}  // namespace floe
