#include "lake/iceberg/rest_catalog.h"

#include <curl/curl.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>

#include "common/exception.h"
#include "common/json_text.h"
#include "io/s3_file_system.h"
#include "lake/iceberg/metadata_writer.h"
#include "lake/iceberg/table_updates.h"

namespace floe::iceberg {

namespace {

constexpr long kConnectTimeoutMs = 10000;
constexpr long kStallSeconds = 60;
constexpr size_t kMaxPages = 10000;
constexpr size_t kMetadataCacheEntries = 32;

int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
std::string Encode(std::string_view s) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

std::vector<std::string> Levels(const std::string& ns) {
    std::vector<std::string> out;
    size_t start = 0;
    while (true) {
        size_t dot = ns.find('.', start);
        out.push_back(ns.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return out;
}

std::string LevelsJson(const std::string& ns) {
    std::string out = "[";
    for (const std::string& level : Levels(ns)) {
        if (out.size() > 1) out += ',';
        out += JsonString(level);
    }
    return out + "]";
}

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
    static_cast<std::string*>(user)->append(data, size * n);
    return size * n;
}

/// The parsed answer, or nullopt when it is not JSON.
struct Parsed {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    bool ok = false;
    explicit Parsed(const std::string& body) { ok = parser.parse(body).get(doc) == simdjson::SUCCESS; }
};

std::string StringAt(simdjson::dom::element e, const char* key) {
    std::string_view s;
    if (e[key].get_string().get(s) == simdjson::SUCCESS) return std::string(s);
    return "";
}

}  // namespace

RestCatalog::RestCatalog(std::string name, CatalogProperties properties)
    : IcebergCatalog(std::move(name)), properties_(std::move(properties)) {
    uri_ = properties_.uri;
    while (!uri_.empty() && uri_.back() == '/') uri_.pop_back();
    if (properties_.security != "none" && properties_.token) token_ = *properties_.token;
    static std::once_flag init;
    std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

RestCatalog::~RestCatalog() = default;

void RestCatalog::CheckUri(const std::string& uri) {
    if (uri.rfind("http://", 0) != 0 && uri.rfind("https://", 0) != 0) {
        throw BinderError("a rest Iceberg catalog needs 'iceberg.catalog.uri' to be an http:// or https:// URL" +
                              (uri.empty() ? std::string() : ", not '" + uri + "'"),
                          ErrorCode::WRONG_ARGUMENTS);
    }
}

RestCatalog::Response RestCatalog::Send(const std::string& method, const std::string& url, const std::string& body,
                                        const std::string& content_type, bool authenticate) {
    std::string authorization = authenticate ? Authorization(false) : "";
    for (int attempt = 0;; ++attempt) {
        CURL* curl = curl_easy_init();
        if (!curl) throw IOError("Iceberg REST catalog '" + uri_ + "': libcurl could not create a handle");
        curl_slist* headers = nullptr;
        headers = curl_slist_append(headers, "Accept: application/json");
        headers = curl_slist_append(headers, "Expect:");
        if (!content_type.empty()) headers = curl_slist_append(headers, ("Content-Type: " + content_type).c_str());
        if (!authorization.empty()) headers = curl_slist_append(headers, ("Authorization: " + authorization).c_str());
        // Ask for storage credentials with table loads (servers that do not vend ignore it).
        headers = curl_slist_append(headers, "X-Iceberg-Access-Delegation: vended-credentials");
        Response response;
        char error[CURL_ERROR_SIZE] = {0};
        curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, kStallSeconds);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
        if (method == "HEAD") {
            curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
        } else if (method == "POST") {
            curl_easy_setopt(curl, CURLOPT_POST, 1L);
            curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
            curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
        } else if (method != "GET") {
            curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
        }
        CURLcode code = curl_easy_perform(curl);
        if (code == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
        curl_slist_free_all(headers);
        curl_easy_cleanup(curl);
        if (code != CURLE_OK) {
            // The URL holds no secret (credentials go in headers and bodies only).
            throw IOError("Iceberg REST catalog '" + uri_ + "': " + method + " " + url.substr(0, 300) +
                          " failed: " + (error[0] ? std::string(error) : std::string(curl_easy_strerror(code))));
        }
        // A fetched token the server no longer accepts: fetch a new one, once.
        if (response.status == 401 && authenticate && attempt == 0 && properties_.credential &&
            properties_.security != "none") {
            authorization = Authorization(true);
            continue;
        }
        return response;
    }
}

std::string RestCatalog::Authorization(bool renew) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (properties_.security == "none") return "";
    if (!properties_.credential) return token_.empty() ? "" : "Bearer " + token_;
    if (!renew && !token_.empty() && (token_expires_ms_ == 0 || NowMs() < token_expires_ms_)) {
        return "Bearer " + token_;
    }
    const std::string& credential = *properties_.credential;
    size_t colon = credential.find(':');
    std::string id = colon == std::string::npos ? "" : credential.substr(0, colon);
    std::string secret = colon == std::string::npos ? credential : credential.substr(colon + 1);
    std::string form = "grant_type=client_credentials";
    if (!id.empty()) form += "&client_id=" + Encode(id);
    form += "&client_secret=" + Encode(secret) + "&scope=" + Encode(properties_.scope);
    std::string url = properties_.oauth2_server_uri.empty() ? uri_ + "/v1/oauth/tokens" : properties_.oauth2_server_uri;
    Response r = Send("POST", url, form, "application/x-www-form-urlencoded", false);
    Parsed parsed(r.body);
    std::string token = parsed.ok ? StringAt(parsed.doc, "access_token") : "";
    if (r.status != 200 || token.empty()) {
        std::string reason = parsed.ok ? StringAt(parsed.doc, "error_description") : "";
        if (reason.empty() && parsed.ok) reason = StringAt(parsed.doc, "error");
        if (reason.empty() && parsed.ok) {
            simdjson::dom::element error;
            if (parsed.doc["error"].get(error) == simdjson::SUCCESS) reason = StringAt(error, "message");
        }
        throw IOError("Iceberg REST catalog '" + uri_ + "': the OAuth2 token request to '" + url + "' failed (HTTP " +
                      std::to_string(r.status) + (reason.empty() ? "" : ": " + reason.substr(0, 300)) + ")");
    }
    token_ = token;
    int64_t expires_in = 3600;
    if (parsed.doc["expires_in"].get_int64().get(expires_in) != simdjson::SUCCESS) expires_in = 3600;
    // Renewed a minute early (or at half the lifetime of a short-lived one).
    int64_t margin = std::min<int64_t>(60, expires_in / 2);
    token_expires_ms_ = NowMs() + (expires_in - margin) * 1000;
    return "Bearer " + token_;
}

void RestCatalog::Configure() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (configured_) return;
    }
    std::string url = uri_ + "/v1/config";
    if (!properties_.warehouse.empty()) url += "?warehouse=" + Encode(properties_.warehouse);
    Response r = Send("GET", url, "", "", true);
    if (r.status != 200) Fail("GET", "/v1/config", r);
    Parsed parsed(r.body);
    if (!parsed.ok) throw IOError("Iceberg REST catalog '" + uri_ + "': GET /v1/config did not answer JSON");
    std::string prefix;
    for (const char* part : {"defaults", "overrides"}) {  // overrides win
        simdjson::dom::element section;
        if (parsed.doc[part].get(section) != simdjson::SUCCESS) continue;
        std::string p = StringAt(section, "prefix");
        if (!p.empty()) prefix = p;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    prefix_ = prefix;
    configured_ = true;
}

RestCatalog::Response RestCatalog::Call(const std::string& method, const std::string& route, const std::string& query,
                                        const std::string& body) {
    Configure();
    std::string prefix;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        prefix = prefix_;
    }
    std::string url = uri_ + "/v1/" + (prefix.empty() ? "" : prefix + "/") + route;
    if (!query.empty()) url += "?" + query;
    return Send(method, url, body, body.empty() ? "" : "application/json", true);
}

void RestCatalog::Fail(const std::string& method, const std::string& route, const Response& r,
                       const std::string& context) {
    std::string type, message;
    Parsed parsed(r.body);
    simdjson::dom::element error;
    if (parsed.ok && parsed.doc["error"].get(error) == simdjson::SUCCESS) {
        type = StringAt(error, "type");
        message = StringAt(error, "message");
    }
    std::string text = "Iceberg REST catalog '" + uri_ + "': " + method + " " + route + ": HTTP " +
                       std::to_string(r.status) + (type.empty() ? "" : " " + type) +
                       (message.empty() ? "" : ": " + message.substr(0, 500)) + context;
    if (r.status == 401 || r.status == 403) throw PermissionError(text, ErrorCode::ACCESS_DENIED);
    throw IOError(text);
}

std::string RestCatalog::NamespacePath(const std::string& ns) const {
    std::string out;
    for (const std::string& level : Levels(ns)) {
        if (!out.empty()) out += "%1F";
        out += Encode(level);
    }
    return "namespaces/" + out;
}

std::string RestCatalog::TablePath(const std::string& ns, const std::string& table) const {
    return NamespacePath(ns) + "/tables/" + Encode(table);
}

std::vector<std::string> RestCatalog::ListNamespaces() {
    std::vector<std::string> out;
    // Breadth first: each namespace's children are asked with ?parent=.
    std::vector<std::string> pending = {""};
    while (!pending.empty() && out.size() < 100000) {
        std::string parent = pending.back();
        pending.pop_back();
        std::string token;
        for (size_t page = 0; page < kMaxPages; ++page) {
            std::string query;
            if (!parent.empty()) {
                std::string joined;
                for (const std::string& level : Levels(parent)) joined += (joined.empty() ? "" : "%1F") + Encode(level);
                query = "parent=" + joined;
            }
            if (!token.empty()) query += std::string(query.empty() ? "" : "&") + "pageToken=" + Encode(token);
            Response r = Call("GET", "namespaces", query);
            if (r.status != 200) Fail("GET", "namespaces", r);
            Parsed parsed(r.body);
            simdjson::dom::array list;
            if (!parsed.ok || parsed.doc["namespaces"].get_array().get(list) != simdjson::SUCCESS) {
                throw IOError("Iceberg REST catalog '" + uri_ + "': GET namespaces did not answer a 'namespaces' list");
            }
            for (simdjson::dom::element ns : list) {
                simdjson::dom::array levels;
                if (ns.get_array().get(levels) != simdjson::SUCCESS) continue;
                std::string name;
                for (simdjson::dom::element level : levels) {
                    std::string_view s;
                    if (level.get_string().get(s) != simdjson::SUCCESS) continue;
                    if (!name.empty()) name += '.';
                    name += s;
                }
                // A server that ignores ?parent= lists the same namespaces again: stop there.
                if (name.empty() || std::find(out.begin(), out.end(), name) != out.end()) continue;
                out.push_back(name);
                if (levels.size() < 16) pending.push_back(name);
            }
            token = StringAt(parsed.doc, "next-page-token");
            if (token.empty()) break;
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

bool RestCatalog::NamespaceExists(const std::string& ns) {
    std::string route = NamespacePath(ns);
    Response r = Call("GET", route);
    if (r.status == 200) return true;
    if (r.status == 404) return false;
    Fail("GET", route, r);
}

std::vector<std::string> RestCatalog::ListTables(const std::string& ns) {
    std::vector<std::string> out;
    std::string route = NamespacePath(ns) + "/tables";
    std::string token;
    for (size_t page = 0; page < kMaxPages; ++page) {
        Response r = Call("GET", route, token.empty() ? "" : "pageToken=" + Encode(token));
        if (r.status == 404) {
            throw CatalogError("Iceberg catalog '" + name() + "' has no namespace '" + ns + "'",
                               ErrorCode::UNKNOWN_DATABASE);
        }
        if (r.status != 200) Fail("GET", route, r);
        Parsed parsed(r.body);
        simdjson::dom::array list;
        if (!parsed.ok || parsed.doc["identifiers"].get_array().get(list) != simdjson::SUCCESS) {
            throw IOError("Iceberg REST catalog '" + uri_ + "': GET " + route +
                          " did not answer an 'identifiers' list");
        }
        for (simdjson::dom::element id : list) {
            std::string name = StringAt(id, "name");
            if (!name.empty()) out.push_back(name);
        }
        token = StringAt(parsed.doc, "next-page-token");
        if (token.empty()) break;
    }
    std::sort(out.begin(), out.end());
    return out;
}

void RestCatalog::RegisterVendedCredentials(simdjson::dom::element answer) {
    auto settings_of = [](simdjson::dom::element object) {
        std::map<std::string, std::string> out;
        simdjson::dom::object fields;
        if (object.get_object().get(fields) != simdjson::SUCCESS) return out;
        for (auto [key, value] : fields) {
            std::string_view text;
            if (value.get_string().get(text) == simdjson::SUCCESS && S3Config::IsProperty(key)) {
                out[std::string(key)] = std::string(text);
            }
        }
        return out;
    };
    auto install = [&](const std::string& prefix, const std::map<std::string, std::string>& settings) {
        if (prefix.empty() || !IsS3Path(prefix) || !settings.count("s3.access-key-id")) return;
        try {
            RegisterS3Config(prefix, S3Config::FromProperties(settings));
        } catch (const Exception& e) {
            throw IOError("Iceberg REST catalog '" + uri_ + "' vended unusable storage credentials for '" + prefix +
                          "': " + e.what());
        }
    };
    // storage-credentials (REST spec 1.7+): per location prefix, the most specific first.
    simdjson::dom::array credentials;
    if (answer["storage-credentials"].get_array().get(credentials) == simdjson::SUCCESS) {
        for (simdjson::dom::element c : credentials) {
            std::string_view prefix;
            simdjson::dom::element config;
            if (c["prefix"].get_string().get(prefix) != simdjson::SUCCESS) continue;
            if (c["config"].get(config) != simdjson::SUCCESS) continue;
            install(std::string(prefix), settings_of(config));
        }
    }
    // The table's `config` (older servers): credentials for the table's own location.
    simdjson::dom::element config, metadata;
    if (answer["config"].get(config) == simdjson::SUCCESS && answer["metadata"].get(metadata) == simdjson::SUCCESS) {
        std::string_view table_location;
        if (metadata["location"].get_string().get(table_location) == simdjson::SUCCESS) {
            install(std::string(table_location), settings_of(config));
        }
    }
}

std::optional<std::string> RestCatalog::Remember(const std::string& body, const std::string& what) {
    Parsed parsed(body);
    if (!parsed.ok) throw IOError("Iceberg REST catalog '" + uri_ + "': " + what + " did not answer JSON");
    std::string location = StringAt(parsed.doc, "metadata-location");
    RegisterVendedCredentials(parsed.doc);
    simdjson::dom::element metadata;
    if (location.empty() || parsed.doc["metadata"].get(metadata) != simdjson::SUCCESS) {
        return location.empty() ? std::nullopt : std::optional<std::string>(location);
    }
    auto parsed_metadata = std::make_shared<const TableMetadata>(
        ParseTableMetadata(simdjson::minify(metadata), "'" + location + "' (from " + uri_ + ")"));
    std::lock_guard<std::mutex> lock(mutex_);
    if (metadata_.size() >= kMetadataCacheEntries) metadata_.erase(metadata_.begin());
    metadata_[location] = std::move(parsed_metadata);
    return location;
}

std::optional<std::string> RestCatalog::TableMetadataLocation(const std::string& ns, const std::string& table) {
    std::string route = TablePath(ns, table);
    Response r = Call("GET", route);
    if (r.status == 404) return std::nullopt;
    if (r.status != 200) Fail("GET", route, r);
    return Remember(r.body, "GET " + route);
}

std::optional<std::shared_ptr<const TableMetadata>> RestCatalog::LoadTableMetadata(
    const std::string& metadata_location) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = metadata_.find(metadata_location);
    if (it == metadata_.end()) return std::nullopt;
    return it->second;
}

void RestCatalog::CreateNamespace(const std::string& ns, const std::map<std::string, std::string>& properties) {
    std::string body = "{\"namespace\":" + LevelsJson(ns) + ",\"properties\":{";
    bool first = true;
    for (const auto& [key, value] : properties) {
        if (!first) body += ',';
        first = false;
        body += JsonString(key) + ":" + JsonString(value);
    }
    body += "}}";
    Response r = Call("POST", "namespaces", "", body);
    if (r.status == 409) {
        throw CatalogError("Iceberg catalog '" + name() + "': namespace '" + ns + "' already exists",
                           ErrorCode::DATABASE_EXISTS);
    }
    if (r.status != 200 && r.status != 204) Fail("POST", "namespaces", r);
}

void RestCatalog::DropNamespace(const std::string& ns) {
    std::string route = NamespacePath(ns);
    Response r = Call("DELETE", route);
    if (r.status == 404) {
        throw CatalogError("Iceberg catalog '" + name() + "' has no namespace '" + ns + "'",
                           ErrorCode::DATABASE_NOT_EXISTS);
    }
    if (r.status == 409) {
        throw CatalogError("Iceberg catalog '" + name() + "': namespace '" + ns + "' is not empty",
                           ErrorCode::WRONG_ARGUMENTS);
    }
    if (r.status != 200 && r.status != 204) Fail("DELETE", route, r);
}

std::string RestCatalog::DefaultTableLocation(const std::string& ns, const std::string& table) {
    // A stage-create creates nothing: the answer says where the server would put the table.
    std::string route = NamespacePath(ns) + "/tables";
    std::string body = "{\"name\":" + JsonString(table) +
                       R"(,"schema":{"type":"struct","schema-id":0,"fields":[]},"stage-create":true})";
    Response r = Call("POST", route, "", body);
    if (r.status == 404) {
        Parsed parsed(r.body);
        simdjson::dom::element error;
        if (parsed.ok && parsed.doc["error"].get(error) == simdjson::SUCCESS &&
            StringAt(error, "type") == "NoSuchNamespaceException") {
            throw CatalogError("Iceberg catalog '" + name() + "' has no namespace '" + ns + "'",
                               ErrorCode::UNKNOWN_DATABASE);
        }
    }
    if (r.status == 200) {
        Parsed parsed(r.body);
        simdjson::dom::element metadata;
        if (parsed.ok) RegisterVendedCredentials(parsed.doc);  // the new table's files are written next
        if (parsed.ok && parsed.doc["metadata"].get(metadata) == simdjson::SUCCESS) {
            std::string location = StringAt(metadata, "location");
            while (location.size() > 1 && location.back() == '/') location.pop_back();
            if (!location.empty()) return location;
        }
    }
    if (r.status == 401 || r.status == 403) Fail("POST", route, r, " (stage-create)");
    // No stage-create here: the namespace's location property, as Java's catalogs place tables.
    std::string ns_route = NamespacePath(ns);
    Response n = Call("GET", ns_route);
    if (n.status == 404) {
        throw CatalogError("Iceberg catalog '" + name() + "' has no namespace '" + ns + "'",
                           ErrorCode::UNKNOWN_DATABASE);
    }
    if (n.status == 200) {
        Parsed parsed(n.body);
        simdjson::dom::element props;
        if (parsed.ok && parsed.doc["properties"].get(props) == simdjson::SUCCESS) {
            std::string location = StringAt(props, "location");
            while (location.size() > 1 && location.back() == '/') location.pop_back();
            if (!location.empty()) return location + "/" + table;
        }
    }
    return "";  // the server chooses (see the file comment)
}

std::string RestCatalog::CreateWithoutCommitRoute(const TableCommit& commit) {
    const TableMetadata& m = *commit.metadata;
    if (!m.snapshots.empty()) {
        throw NotSupportedError("Iceberg REST catalog '" + uri_ +
                                "' cannot create a table with snapshots in one step (it has no create commits)");
    }
    std::string body = "{\"name\":" + JsonString(commit.table) + ",\"schema\":" + SchemaToJson(m.current_schema()) +
                       ",\"partition-spec\":" + PartitionSpecToJson(m.default_spec());
    for (const SortOrder& o : m.sort_orders) {
        if (o.order_id == m.default_sort_order_id) body += ",\"write-order\":" + SortOrderToJson(o);
    }
    if (!m.location.empty()) body += ",\"location\":" + JsonString(m.location);
    body += ",\"properties\":{\"format-version\":\"" + std::to_string(m.format_version) + "\"";
    for (const auto& [key, value] : m.properties) body += "," + JsonString(key) + ":" + JsonString(value);
    body += "}}";
    std::string route = NamespacePath(commit.ns) + "/tables";
    Response r = Call("POST", route, "", body);
    if (r.status == 409) {
        throw CommitFailedError("Iceberg catalog '" + name() + "': table '" + commit.ns + "." + commit.table +
                                "' already exists");
    }
    if (r.status != 200) Fail("POST", route, r);
    auto location = Remember(r.body, "POST " + route);
    if (!location)
        throw IOError("Iceberg REST catalog '" + uri_ + "': POST " + route + " answered no metadata-location");
    return *location;
}

std::string RestCatalog::CommitTable(const TableCommit& commit) {
    if (!commit.metadata) throw InternalError("REST commit without metadata");
    if (commit.base_location && !commit.base) {
        throw InternalError("REST commit of '" + commit.ns + "." + commit.table + "' without its base metadata");
    }
    const TableMetadata* base = commit.base_location ? commit.base : nullptr;
    if (!base && commit.metadata->location.empty()) return CreateWithoutCommitRoute(commit);
    CommitDiff diff = DiffForCommit(base, *commit.metadata);
    std::string body = "{\"identifier\":{\"namespace\":" + LevelsJson(commit.ns) +
                       ",\"name\":" + JsonString(commit.table) + "},\"requirements\":" + diff.requirements +
                       ",\"updates\":" + diff.updates + "}";
    std::string route = TablePath(commit.ns, commit.table);
    Response r;
    try {
        r = Call("POST", route, "", body);
    } catch (const IOError& e) {
        throw IOError(std::string(e.what()) + "; the outcome of the commit is unknown");
    }
    if (!base && (r.status == 404 || r.status == 501 || r.status == 405)) {
        // No create through the commit route here (Java servers have it): a plain create.
        return CreateWithoutCommitRoute(commit);
    }
    std::string table = commit.ns + "." + commit.table;
    if (r.status == 409) {
        Parsed parsed(r.body);
        simdjson::dom::element error;
        std::string message;
        if (parsed.ok && parsed.doc["error"].get(error) == simdjson::SUCCESS) message = StringAt(error, "message");
        throw CommitFailedError("Iceberg catalog '" + name() + "': the commit to '" + table + "' lost a race" +
                                (message.empty() ? "" : ": " + message.substr(0, 300)));
    }
    if (r.status == 404 && base) {
        throw CatalogError("Iceberg catalog '" + name() + "' has no table '" + table + "'", ErrorCode::UNKNOWN_TABLE);
    }
    if (r.status >= 500) Fail("POST", route, r, "; the outcome of the commit is unknown");
    if (r.status != 200) Fail("POST", route, r);
    auto location = Remember(r.body, "POST " + route);
    if (!location) {
        throw IOError("Iceberg REST catalog '" + uri_ + "': POST " + route +
                      " answered no metadata-location; the outcome of the commit is unknown");
    }
    return *location;
}

void RestCatalog::DropTable(const std::string& ns, const std::string& table) {
    std::string route = TablePath(ns, table);
    Response r = Call("DELETE", route, "purgeRequested=false");
    if (r.status == 404) {
        throw CatalogError("Iceberg catalog '" + name() + "' has no table '" + ns + "." + table + "'",
                           ErrorCode::UNKNOWN_TABLE);
    }
    if (r.status != 200 && r.status != 204) Fail("DELETE", route, r);
}

}  // namespace floe::iceberg
