#include "server/http/iceberg_rest_handler.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "binder/client_context.h"
#include "catalog/access_control.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "common/json_text.h"
#include "common/logging.h"
#include "io/file_roots.h"
#include "io/file_system.h"
#include "io/s3_file_system.h"
#include "lake/external_catalogs.h"
#include "lake/iceberg/data_file_writer.h"
#include "lake/iceberg/iceberg_catalog.h"
#include "lake/iceberg/iceberg_table.h"
#include "lake/iceberg/manifest.h"
#include "lake/iceberg/metadata_writer.h"
#include "lake/iceberg/table_purge.h"
#include "lake/iceberg/table_transaction.h"
#include "lake/iceberg/table_updates.h"
#include "server/http/http_request.h"
#include "server/instance.h"

namespace floe {

namespace {

using iceberg::TableMetadata;

constexpr auto kTokenLifetime = std::chrono::seconds(3600);
constexpr size_t kMaxTokens = 100000;
constexpr int kCommitAttempts = 4;

/// An answer other than success: the HTTP status and Iceberg Java's exception name.
struct RestError {
    int status;
    std::string type;
    std::string message;
};

[[noreturn]] void Throw(int status, const char* type, std::string message) {
    throw RestError{status, type, std::move(message)};
}

IcebergRestResponse Json(int status, std::string body) {
    IcebergRestResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

IcebergRestResponse ErrorResponse(const RestError& e) {
    return Json(e.status, "{\"error\":{\"message\":" + JsonString(e.message) + ",\"type\":" + JsonString(e.type) +
                              ",\"code\":" + std::to_string(e.status) + "}}");
}

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string Decode(std::string_view s, bool plus_is_space) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
            i += 2;
        } else if (s[i] == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::map<std::string, std::string> ParseForm(std::string_view text) {
    std::map<std::string, std::string> out;
    size_t start = 0;
    while (start <= text.size()) {
        size_t amp = text.find('&', start);
        std::string_view pair =
            text.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
        if (!pair.empty()) {
            size_t eq = pair.find('=');
            std::string key = Decode(pair.substr(0, eq), true);
            out[key] = eq == std::string_view::npos ? "" : Decode(pair.substr(eq + 1), true);
        }
        if (amp == std::string_view::npos) break;
        start = amp + 1;
    }
    return out;
}

std::vector<std::string> Split(std::string_view s, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    while (true) {
        size_t at = s.find(sep, start);
        out.emplace_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
        if (at == std::string_view::npos) break;
        start = at + 1;
    }
    return out;
}

/// A namespace path segment (levels joined by 0x1F, already percent-decoded) as Floe's name.
std::string NamespaceName(const std::string& segment) {
    std::vector<std::string> levels = Split(segment, '\x1f');
    std::string out;
    for (const std::string& level : levels) {
        if (level.empty() || level.find('.') != std::string::npos) {
            Throw(400, "BadRequestException",
                  "namespace level '" + level + "' is not valid here (levels must be non-empty and contain no '.')");
        }
        if (!out.empty()) out += '.';
        out += level;
    }
    return out;
}

std::string LevelsJson(const std::string& ns) {
    std::string out = "[";
    for (const std::string& level : Split(ns, '.')) {
        if (out.size() > 1) out += ',';
        out += JsonString(level);
    }
    return out + "]";
}

struct Body {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    explicit Body(const std::string& text) {
        if (parser.parse(text).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
            Throw(400, "BadRequestException", "the request body is not a JSON object");
        }
    }
    std::optional<simdjson::dom::element> Find(const char* key) const {
        simdjson::dom::element e;
        if (doc[key].get(e) != simdjson::SUCCESS || e.is_null()) return std::nullopt;
        return e;
    }
    std::string String(const char* key, bool required = true) const {
        auto e = Find(key);
        std::string_view s;
        if (e && e->get_string().get(s) == simdjson::SUCCESS) return std::string(s);
        if (required) Throw(400, "BadRequestException", std::string("'") + key + "' is missing or not a string");
        return "";
    }
};

/// JSON of the spec / order objects clients send without their ids (unbound specs and orders).
std::string WithId(simdjson::dom::element e, const char* key, int id) {
    std::string text = simdjson::minify(e);
    simdjson::dom::element existing;
    if (e[key].get(existing) == simdjson::SUCCESS) return text;
    if (text.size() < 2 || text[0] != '{') Throw(400, "BadRequestException", std::string("a JSON object is expected"));
    return "{\"" + std::string(key) + "\":" + std::to_string(id) + (text.size() > 2 ? "," : "") + text.substr(1);
}

class CatalogRequest {
  public:
    CatalogRequest(Instance& instance, std::string user, std::string catalog)
        : instance_(instance), user_(std::move(user)), catalog_name_(std::move(catalog)) {
        auto info = instance_.catalog().GetExternalCatalog(catalog_name_);
        if (!info || info->type != "iceberg") {
            Throw(404, "NoSuchWarehouseException", "Floe has no Iceberg catalog '" + catalog_name_ + "'");
        }
        auto& access = instance_.access();
        privileges_ = access.Effective(user_, access.DefaultRoles(user_));
        Require("USAGE");
        catalog_ = instance_.external_catalogs().IcebergCatalogFor(catalog_name_);
    }

    void Require(const char* privilege) {
        if (!privileges_->Has(privilege, ClientContext::CatalogObject(catalog_name_))) {
            Throw(403, "ForbiddenException",
                  "user '" + user_ + "' needs " + privilege + " on catalog '" + catalog_name_ + "'");
        }
    }

    iceberg::IcebergCatalog& catalog() { return *catalog_; }
    const std::string& name() const { return catalog_name_; }

    void RequireNamespace(const std::string& ns) {
        if (!catalog_->NamespaceExists(ns)) {
            Throw(404, "NoSuchNamespaceException", "Namespace does not exist: " + ns);
        }
    }

    /// The table's current metadata file and its parsed content; nullopt when there is no table.
    std::optional<std::pair<std::string, std::shared_ptr<const TableMetadata>>> Load(const std::string& ns,
                                                                                     const std::string& table) {
        auto location = catalog_->TableMetadataLocation(ns, table);
        if (!location) return std::nullopt;
        std::string bytes = iceberg::ReadFileBytes(*location);
        auto metadata = std::make_shared<const TableMetadata>(iceberg::ParseTableMetadata(bytes, *location));
        return std::make_pair(*location, metadata);
    }

    /// The `config` and `storage-credentials` members of a LoadTableResult for a table at
    /// `location`: the catalog's own S3 settings when the client asked for vended credentials
    /// (`X-Iceberg-Access-Delegation: vended-credentials`) and the catalog allows it
    /// ('iceberg.rest.vended-credentials' = 'true': its keys go to every user with USAGE on it);
    /// otherwise an empty config.
    std::string StorageConfig(const std::string& location, const std::string& delegation) {
        const std::string none = "\"config\":{}";
        if (delegation.find("vended-credentials") == std::string::npos || !IsS3Path(location)) return none;
        auto info = instance_.catalog().GetExternalCatalog(catalog_name_);
        if (!info) return none;
        auto vend = info->properties.find("iceberg.rest.vended-credentials");
        if (vend == info->properties.end() || !AsciiEqualsIgnoreCase(vend->second, "true")) return none;
        if (!S3Config::HasAny(info->properties)) return none;
        S3Config s3 = S3Config::FromProperties(info->properties);
        if (s3.access_key.empty()) return none;
        std::string config = "{\"s3.access-key-id\":" + JsonString(s3.access_key) +
                             ",\"s3.secret-access-key\":" + JsonString(s3.secret_key) +
                             ",\"client.region\":" + JsonString(s3.region) +
                             ",\"s3.path-style-access\":" + JsonString(s3.path_style ? "true" : "false");
        if (!s3.session_token.empty()) config += ",\"s3.session-token\":" + JsonString(s3.session_token);
        if (!s3.endpoint.empty()) {
            std::string endpoint = s3.endpoint;
            if (endpoint.find("://") == std::string::npos) endpoint = (s3.ssl ? "https://" : "http://") + endpoint;
            config += ",\"s3.endpoint\":" + JsonString(endpoint);
        }
        config += "}";
        Log::Info("iceberg_rest.vended_credentials",
                  {{"user", user_}, {"catalog", catalog_name_}, {"location", location}});
        return "\"config\":" + config + ",\"storage-credentials\":[{\"prefix\":" + JsonString(location) +
               ",\"config\":" + config + "}]";
    }

    /// Load() or 404 naming the namespace or the table.
    std::pair<std::string, std::shared_ptr<const TableMetadata>> LoadExisting(const std::string& ns,
                                                                              const std::string& table) {
        auto loaded = Load(ns, table);
        if (loaded) return *loaded;
        RequireNamespace(ns);
        Throw(404, "NoSuchTableException", "Table does not exist: " + ns + "." + table);
    }

  private:
    Instance& instance_;
    std::string user_;
    std::string catalog_name_;
    std::shared_ptr<const PrivilegeSet> privileges_;
    std::shared_ptr<iceberg::IcebergCatalog> catalog_;
};

/// A LoadTableResult; `storage` is CatalogRequest::StorageConfig's members.
std::string LoadTableResult(const std::optional<std::string>& location, const std::string& metadata_json,
                            const std::string& storage = "\"config\":{}") {
    std::string out = "{";
    if (location) out += "\"metadata-location\":" + JsonString(*location) + ",";
    return out + "\"metadata\":" + metadata_json + "," + storage + "}";
}

/// The metadata file's JSON text as stored (inflated when gzipped).
std::string MetadataText(const std::string& location) {
    std::string bytes = iceberg::ReadFileBytes(location);
    if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
        static_cast<unsigned char>(bytes[1]) == 0x8b) {
        return iceberg::InflateMetadata(bytes, location);
    }
    return bytes;
}

TableMetadata NewTableMetadata(const Body& body, const std::string& location) {
    const std::string what = "create request";
    TableMetadata m;
    m.format_version = 2;
    auto schema = body.Find("schema");
    if (!schema) Throw(400, "BadRequestException", "'schema' is missing");
    m.schemas.push_back(iceberg::ParseSchemaJson(*schema, what, 0));
    m.current_schema_id = m.schemas[0].schema_id;
    m.last_column_id = m.schemas[0].HighestFieldId();
    iceberg::PartitionSpec spec;
    if (auto given = body.Find("partition-spec")) {
        simdjson::dom::parser p;
        simdjson::dom::element e;
        std::string text = WithId(*given, "spec-id", 0);
        if (p.parse(text).get(e) != simdjson::SUCCESS) Throw(400, "BadRequestException", "bad 'partition-spec'");
        spec = iceberg::ParsePartitionSpecJson(e, what, "partition-spec");
    }
    m.partition_specs.push_back(spec);
    m.default_spec_id = spec.spec_id;
    m.last_partition_id = 999;
    for (const auto& f : spec.fields) {
        if (!m.schemas[0].FindField(f.source_id)) {
            Throw(400, "BadRequestException",
                  "partition field '" + f.name + "' names source id " + std::to_string(f.source_id) +
                      ", which the schema does not have");
        }
        m.last_partition_id = std::max(m.last_partition_id, f.field_id);
    }
    iceberg::SortOrder order;
    if (auto given = body.Find("write-order")) {
        simdjson::dom::element fields;
        size_t n = 0;
        if ((*given)["fields"].get(fields) == simdjson::SUCCESS && fields.is_array()) n = fields.get_array().size();
        simdjson::dom::parser p;
        simdjson::dom::element e;
        std::string text = WithId(*given, "order-id", n == 0 ? 0 : 1);
        if (p.parse(text).get(e) != simdjson::SUCCESS) Throw(400, "BadRequestException", "bad 'write-order'");
        order = iceberg::ParseSortOrderJson(e, what, "write-order");
    }
    m.sort_orders.push_back(order);
    m.default_sort_order_id = order.order_id;
    if (auto props = body.Find("properties")) {
        simdjson::dom::object object;
        if (props->get_object().get(object) != simdjson::SUCCESS) {
            Throw(400, "BadRequestException", "'properties' must be an object");
        }
        for (auto [key, value] : object) {
            std::string_view s;
            if (value.get_string().get(s) != simdjson::SUCCESS) {
                Throw(400, "BadRequestException", "property '" + std::string(key) + "' must be a string");
            }
            if (key == "format-version") {
                if (s != "1" && s != "2" && s != "3") {
                    Throw(400, "BadRequestException", "format-version must be 1, 2 or 3");
                }
                m.format_version = s[0] - '0';
            } else {
                m.properties[std::string(key)] = std::string(s);
            }
        }
    }
    if (m.format_version >= 3) m.next_row_id = 0;
    m.location = location;
    m.table_uuid = iceberg::RandomUuid();
    m.last_updated_ms = iceberg::NowMillis();
    return m;
}

/// One more route of the catalog API, past /v1/<catalog>/.
IcebergRestResponse CatalogRoute(CatalogRequest& c, const IcebergRestRequest& request,
                                 const std::vector<std::string>& parts,
                                 const std::map<std::string, std::string>& query) {
    const std::string& method = request.method;
    auto& catalog = c.catalog();
    // parts: ["namespaces", ...] or ["tables","rename"]
    if (parts.size() == 2 && parts[0] == "tables" && parts[1] == "rename") {
        if (method != "POST") Throw(405, "BadRequestException", "use POST for rename");
        c.Require("ALTER");
        Throw(501, "UnsupportedOperationException",
              "catalog '" + c.name() + "' cannot rename tables (its backend has no atomic rename)");
    }
    if (parts.empty() || parts[0] != "namespaces") Throw(404, "NotFoundException", "no such route");
    if (parts.size() == 1) {
        if (method == "GET") {
            std::vector<std::string> parent;
            if (auto it = query.find("parent"); it != query.end() && !it->second.empty()) {
                parent = Split(NamespaceName(it->second), '.');
                c.RequireNamespace(NamespaceName(it->second));
            }
            std::vector<std::string> children;
            for (const std::string& ns : catalog.ListNamespaces()) {
                std::vector<std::string> levels = Split(ns, '.');
                if (levels.size() <= parent.size()) continue;
                if (!std::equal(parent.begin(), parent.end(), levels.begin())) continue;
                levels.resize(parent.size() + 1);
                std::string child;
                for (const std::string& l : levels) child += (child.empty() ? "" : ".") + l;
                if (std::find(children.begin(), children.end(), child) == children.end()) children.push_back(child);
            }
            std::sort(children.begin(), children.end());
            size_t start = 0, size = children.size();
            if (auto it = query.find("pageToken"); it != query.end() && !it->second.empty()) {
                start = std::min(children.size(), static_cast<size_t>(std::strtoull(it->second.c_str(), nullptr, 10)));
            }
            if (auto it = query.find("pageSize"); it != query.end() && !it->second.empty()) {
                size = std::max<size_t>(1, std::strtoull(it->second.c_str(), nullptr, 10));
            }
            size_t end = std::min(children.size(), start + size);
            std::string out = "{\"namespaces\":[";
            for (size_t i = start; i < end; ++i) out += (i > start ? "," : "") + LevelsJson(children[i]);
            out += "]";
            if (end < children.size()) out += ",\"next-page-token\":\"" + std::to_string(end) + "\"";
            return Json(200, out + "}");
        }
        if (method == "POST") {
            c.Require("CREATE DATABASE");
            Body body(request.body);
            auto levels = body.Find("namespace");
            simdjson::dom::array array;
            if (!levels || levels->get_array().get(array) != simdjson::SUCCESS || array.size() == 0) {
                Throw(400, "BadRequestException", "'namespace' must be a non-empty array of strings");
            }
            std::string joined;
            for (simdjson::dom::element l : array) {
                std::string_view s;
                if (l.get_string().get(s) != simdjson::SUCCESS) Throw(400, "BadRequestException", "bad namespace");
                joined += (joined.empty() ? "" : "\x1f") + std::string(s);
            }
            std::string ns = NamespaceName(joined);
            std::map<std::string, std::string> props;
            std::string props_json = "{}";
            if (auto p = body.Find("properties")) {
                simdjson::dom::object object;
                if (p->get_object().get(object) == simdjson::SUCCESS) {
                    for (auto [k, v] : object) {
                        std::string_view s;
                        if (v.get_string().get(s) == simdjson::SUCCESS) props[std::string(k)] = std::string(s);
                    }
                }
                props_json = simdjson::minify(*p);
            }
            if (catalog.NamespaceExists(ns)) Throw(409, "AlreadyExistsException", "Namespace already exists: " + ns);
            catalog.CreateNamespace(ns, props);
            return Json(200, "{\"namespace\":" + LevelsJson(ns) + ",\"properties\":" + props_json + "}");
        }
        Throw(405, "BadRequestException", "method not allowed");
    }
    std::string ns = NamespaceName(parts[1]);
    if (parts.size() == 2) {
        if (method == "GET" || method == "HEAD") {
            c.RequireNamespace(ns);
            if (method == "HEAD") return Json(204, "");
            return Json(200, "{\"namespace\":" + LevelsJson(ns) + ",\"properties\":{}}");
        }
        if (method == "DELETE") {
            c.Require("DROP");
            c.RequireNamespace(ns);
            if (!catalog.ListTables(ns).empty()) {
                Throw(409, "NamespaceNotEmptyException", "Namespace " + ns + " is not empty");
            }
            catalog.DropNamespace(ns);
            return Json(204, "");
        }
        Throw(405, "BadRequestException", "method not allowed");
    }
    if (parts.size() == 3 && parts[2] == "properties") {
        c.Require("ALTER");
        c.RequireNamespace(ns);
        Throw(501, "UnsupportedOperationException", "catalog '" + c.name() + "' cannot change namespace properties");
    }
    if (parts[2] != "tables") Throw(404, "NotFoundException", "no such route");
    if (parts.size() == 3) {
        if (method == "GET") {
            c.RequireNamespace(ns);
            std::string out = "{\"identifiers\":[";
            bool first = true;
            for (const std::string& t : catalog.ListTables(ns)) {
                out += std::string(first ? "" : ",") + "{\"namespace\":" + LevelsJson(ns) +
                       ",\"name\":" + JsonString(t) + "}";
                first = false;
            }
            return Json(200, out + "]}");
        }
        if (method == "POST") {
            c.Require("ALTER");
            Body body(request.body);
            std::string name = body.String("name");
            c.RequireNamespace(ns);
            if (catalog.TableMetadataLocation(ns, name)) {
                Throw(409, "AlreadyExistsException", "Table already exists: " + ns + "." + name);
            }
            std::string location = body.String("location", false);
            while (location.size() > 1 && location.back() == '/') location.pop_back();
            if (location.empty()) location = catalog.DefaultTableLocation(ns, name);
            TableMetadata m = NewTableMetadata(body, location);
            bool stage = false;
            if (auto s = body.Find("stage-create"); s && s->get_bool().get(stage) != simdjson::SUCCESS) stage = false;
            if (stage) {
                return Json(200, LoadTableResult(std::nullopt, iceberg::SerializeTableMetadata(m),
                                                 c.StorageConfig(m.location, request.access_delegation)));
            }
            iceberg::TableCommit commit{ns, name, std::nullopt, &m, nullptr};
            std::string written;
            try {
                written = catalog.CommitTable(commit);
            } catch (const iceberg::CommitFailedError& e) {
                Throw(409, "AlreadyExistsException", e.what());
            }
            return Json(200, LoadTableResult(written, iceberg::SerializeTableMetadata(m),
                                             c.StorageConfig(m.location, request.access_delegation)));
        }
        Throw(405, "BadRequestException", "method not allowed");
    }
    std::string table = parts[3];
    std::string full = ns + "." + table;
    if (parts.size() == 5 && parts[4] == "metrics") {
        if (method != "POST") Throw(405, "BadRequestException", "use POST for metrics");
        return Json(204, "");
    }
    if (parts.size() != 4) Throw(404, "NotFoundException", "no such route");
    if (method == "HEAD") {
        if (!catalog.TableMetadataLocation(ns, table)) {
            c.RequireNamespace(ns);
            Throw(404, "NoSuchTableException", "Table does not exist: " + full);
        }
        return Json(204, "");
    }
    if (method == "GET") {
        auto [location, metadata] = c.LoadExisting(ns, table);
        // (The metadata was parsed to check it; the stored text is sent as written.)
        return Json(200, LoadTableResult(location, MetadataText(location),
                                         c.StorageConfig(metadata->location, request.access_delegation)));
    }
    if (method == "DELETE") {
        c.Require("ALTER");
        auto [location, metadata] = c.LoadExisting(ns, table);
        auto purge = query.find("purgeRequested");
        bool purging = purge != query.end() && AsciiEqualsIgnoreCase(purge->second, "true");
        // The list is read first: dropping a hadoop table removes its metadata directory.
        std::vector<std::string> files;
        if (purging) files = iceberg::FilesToPurge(location, *metadata);
        catalog.DropTable(ns, table);
        if (purging) iceberg::PurgeFiles(files, metadata->location);
        return Json(204, "");
    }
    if (method == "POST") {
        c.Require("ALTER");
        Body body(request.body);
        std::string requirements = "[]", updates = "[]";
        if (auto r = body.Find("requirements")) requirements = simdjson::minify(*r);
        if (auto u = body.Find("updates")) updates = simdjson::minify(*u);
        bool create = iceberg::RequiresCreate(requirements);
        for (int attempt = 1;; ++attempt) {
            auto loaded = c.Load(ns, table);
            if (!loaded && !create) {
                c.RequireNamespace(ns);
                Throw(404, "NoSuchTableException", "Table does not exist: " + full);
            }
            if (!loaded) c.RequireNamespace(ns);
            const TableMetadata* base = loaded ? loaded->second.get() : nullptr;
            std::optional<std::string> base_location;
            if (loaded) base_location = loaded->first;
            iceberg::CheckTableRequirements(requirements, base, full);
            TableMetadata next = iceberg::ApplyTableUpdates(updates, base, base_location, full, iceberg::NowMillis());
            iceberg::TableCommit commit{ns, table, base_location, &next, base};
            try {
                std::string written = catalog.CommitTable(commit);
                return Json(200, "{\"metadata-location\":" + JsonString(written) +
                                     ",\"metadata\":" + iceberg::SerializeTableMetadata(next) + "}");
            } catch (const iceberg::CommitFailedError&) {
                // Another writer swapped first: the requirements decide on its metadata.
                if (attempt >= kCommitAttempts || create) throw;
            }
        }
    }
    Throw(405, "BadRequestException", "method not allowed");
}

}  // namespace

IcebergRestHandler::IcebergRestHandler(Instance& instance) : instance_(instance) {}

bool IcebergRestHandler::Handles(std::string_view target) {
    return target == "/iceberg" || target.rfind("/iceberg/", 0) == 0 || target.rfind("/iceberg?", 0) == 0;
}

void IcebergRestHandler::CheckPassword(const std::string& user, const std::string& password, const std::string& peer) {
    auto hash = Catalog::NativePasswordHash(password);
    try {
        instance_.login_guard().Authenticate(
            instance_.catalog(), user, peer, !password.empty(), [&](const UserInfo* account) {
                return account && account->auth_string.size() == hash.size() &&
                       CRYPTO_memcmp(account->auth_string.data(), hash.data(), hash.size()) == 0;
            });
    } catch (const PermissionError& e) {
        Log::Warn("iceberg_rest.auth_failed", {{"user", user}, {"host", peer}, {"error", e.what()}});
        Throw(401, "NotAuthorizedException",
              e.code() == ErrorCode::ACCESS_DENIED ? "Access denied for " + user.substr(0, 64) + "@" + peer
                                                   : std::string(e.what()));
    }
}

std::string IcebergRestHandler::Authenticate(const IcebergRestRequest& request) {
    std::string_view authorization = request.authorization;
    if (authorization.size() > 7 && AsciiEqualsIgnoreCase(authorization.substr(0, 7), "Bearer ")) {
        std::string token(authorization.substr(7));
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = tokens_.find(token);
        if (it == tokens_.end() || it->second.expires < std::chrono::steady_clock::now()) {
            if (it != tokens_.end()) tokens_.erase(it);
            Throw(401, "NotAuthorizedException", "the bearer token is not valid (unknown or expired)");
        }
        return it->second.user;
    }
    if (auto basic = DecodeBasicAuth(authorization)) {
        CheckPassword(basic->user, basic->password, request.peer);
        return basic->user;
    }
    Throw(401, "NotAuthorizedException",
          "authentication required: a bearer token from POST /iceberg/v1/oauth/tokens, or Basic auth as a Floe user");
}

IcebergRestResponse IcebergRestHandler::IssueToken(const IcebergRestRequest& request) {
    auto oauth_error = [](int status, const char* error, const std::string& description) {
        return Json(status,
                    "{\"error\":" + JsonString(error) + ",\"error_description\":" + JsonString(description) + "}");
    };
    std::map<std::string, std::string> form = ParseForm(request.body);
    if (form["grant_type"] != "client_credentials") {
        return oauth_error(400, "unsupported_grant_type", "only grant_type=client_credentials is supported");
    }
    std::string user = form["client_id"];
    std::string password = form["client_secret"];
    if (auto basic = DecodeBasicAuth(request.authorization); basic && user.empty()) {
        user = basic->user;
        password = basic->password;
    }
    if (user.empty()) return oauth_error(401, "invalid_client", "client_id (a Floe user) is required");
    try {
        CheckPassword(user, password, request.peer);
    } catch (const RestError& e) {
        return oauth_error(401, "invalid_client", e.message);
    }
    unsigned char random[32];
    if (RAND_bytes(random, sizeof(random)) != 1) return oauth_error(500, "server_error", "no randomness");
    static const char* kHex = "0123456789abcdef";
    std::string token;
    for (unsigned char b : random) {
        token.push_back(kHex[b >> 4]);
        token.push_back(kHex[b & 15]);
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto now = std::chrono::steady_clock::now();
        if (tokens_.size() >= kMaxTokens) {
            for (auto it = tokens_.begin(); it != tokens_.end();)
                it = it->second.expires < now ? tokens_.erase(it) : ++it;
            if (tokens_.size() >= kMaxTokens) tokens_.erase(tokens_.begin());
        }
        tokens_[token] = Token{user, now + kTokenLifetime};
    }
    return Json(200, "{\"access_token\":\"" + token +
                         "\",\"token_type\":\"bearer\",\"expires_in\":" + std::to_string(kTokenLifetime.count()) +
                         ",\"issued_token_type\":\"urn:ietf:params:oauth:token-type:access_token\"}");
}

IcebergRestResponse IcebergRestHandler::Handle(const IcebergRestRequest& request) {
    std::string_view target = request.target;
    size_t q = target.find('?');
    std::string path(target.substr(0, q));
    std::map<std::string, std::string> query;
    if (q != std::string_view::npos) query = ParseForm(target.substr(q + 1));
    try {
        IcebergRestResponse r = Route(request, path, query);
        if (request.method == "HEAD") r.body.clear();
        return r;
    } catch (const RestError& e) {
        IcebergRestResponse r = ErrorResponse(e);
        if (request.method == "HEAD") r.body.clear();
        return r;
    } catch (const iceberg::CommitFailedError& e) {
        return ErrorResponse({409, "CommitFailedException", e.what()});
    } catch (const iceberg::InvalidTableUpdateError& e) {
        return ErrorResponse({400, "BadRequestException", e.what()});
    } catch (const CatalogError& e) {
        switch (e.code()) {
            case ErrorCode::DATABASE_EXISTS:
            case ErrorCode::TABLE_EXISTS:
                return ErrorResponse({409, "AlreadyExistsException", e.what()});
            case ErrorCode::UNKNOWN_DATABASE:
            case ErrorCode::DATABASE_NOT_EXISTS:
                return ErrorResponse({404, "NoSuchNamespaceException", e.what()});
            case ErrorCode::UNKNOWN_TABLE:
                return ErrorResponse({404, "NoSuchTableException", e.what()});
            default:
                if (std::string_view(e.what()).find("not empty") != std::string_view::npos) {
                    return ErrorResponse({409, "NamespaceNotEmptyException", e.what()});
                }
                return ErrorResponse({400, "BadRequestException", e.what()});
        }
    } catch (const PermissionError& e) {
        return ErrorResponse({403, "ForbiddenException", e.what()});
    } catch (const BinderError& e) {
        return ErrorResponse({400, "BadRequestException", e.what()});
    } catch (const NotSupportedError& e) {
        return ErrorResponse({501, "UnsupportedOperationException", e.what()});
    } catch (const IOError& e) {
        // An unreadable file or a failed swap whose outcome is unknown: a server error.
        return ErrorResponse({500, "ServiceFailureException", e.what()});
    } catch (const std::exception& e) {
        Log::Warn("iceberg_rest.failed", {{"target", std::string(target.substr(0, 200))}, {"error", e.what()}});
        return ErrorResponse({500, "ServiceFailureException", e.what()});
    }
}

IcebergRestResponse IcebergRestHandler::Route(const IcebergRestRequest& request, const std::string& path,
                                              const std::map<std::string, std::string>& query) {
    std::string rest = path.substr(std::min(path.size(), std::string("/iceberg").size()));
    while (rest.size() > 1 && rest.back() == '/') rest.pop_back();
    if (rest == "/v1/oauth/tokens") {
        if (request.method != "POST") Throw(405, "BadRequestException", "use POST for tokens");
        return IssueToken(request);
    }
    std::string user = Authenticate(request);
    if (rest == "/v1/config") {
        if (request.method != "GET") Throw(405, "BadRequestException", "use GET for config");
        auto warehouse = query.find("warehouse");
        if (warehouse == query.end() || warehouse->second.empty()) {
            Throw(400, "BadRequestException",
                  "the warehouse parameter must name a Floe Iceberg catalog (GET "
                  "/iceberg/v1/config?warehouse=<catalog>)");
        }
        CatalogRequest c(instance_, user, warehouse->second);  // checks it exists and USAGE
        static const char* kEndpoints[] = {
            "GET /v1/{prefix}/namespaces",
            "POST /v1/{prefix}/namespaces",
            "GET /v1/{prefix}/namespaces/{namespace}",
            "HEAD /v1/{prefix}/namespaces/{namespace}",
            "DELETE /v1/{prefix}/namespaces/{namespace}",
            "GET /v1/{prefix}/namespaces/{namespace}/tables",
            "POST /v1/{prefix}/namespaces/{namespace}/tables",
            "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
            "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
            "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
            "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}",
            "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics",
        };
        std::string endpoints;
        for (const char* e : kEndpoints) endpoints += (endpoints.empty() ? "\"" : ",\"") + std::string(e) + "\"";
        return Json(200, "{\"defaults\":{},\"overrides\":{\"prefix\":" + JsonString(c.name()) + "},\"endpoints\":[" +
                             endpoints + "]}");
    }
    if (rest.rfind("/v1/", 0) != 0) Throw(404, "NotFoundException", "no such route: " + path.substr(0, 200));
    std::vector<std::string> parts = Split(std::string_view(rest).substr(4), '/');
    for (std::string& p : parts) p = Decode(p, false);
    if (parts.empty() || parts[0].empty()) Throw(404, "NotFoundException", "no such route: " + path.substr(0, 200));
    CatalogRequest c(instance_, user, parts[0]);
    parts.erase(parts.begin());
    return CatalogRoute(c, request, parts, query);
}

}  // namespace floe
