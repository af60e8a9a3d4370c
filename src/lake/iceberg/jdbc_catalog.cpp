#include "lake/iceberg/jdbc_catalog.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <random>
#include <string_view>
#include <utility>

#include "common/exception.h"
#include "io/file_roots.h"
#include "io/file_system.h"
#include "lake/iceberg/metadata_writer.h"
#include "lake/iceberg/table_metadata.h"

namespace floe::iceberg {

namespace {

using Row = std::vector<std::optional<std::string>>;

constexpr std::string_view kSqlitePrefix = "jdbc:sqlite:";
constexpr std::string_view kPostgresPrefix = "jdbc:postgresql:";
/// How long SQLite waits for a writer's lock before a read fails.
constexpr int kSqliteBusyTimeoutMs = 5000;

// The catalog's statements, shared by both backends ('?' placeholders).
constexpr const char* kNamespacesSql =
    "SELECT table_namespace FROM iceberg_tables WHERE catalog_name = ? "
    "UNION SELECT namespace FROM iceberg_namespace_properties WHERE catalog_name = ?";
constexpr const char* kTableNamespacesSql =
    "SELECT DISTINCT table_namespace FROM iceberg_tables WHERE catalog_name = ?";
constexpr const char* kNamespaceExistsSql =
    "SELECT 1 FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? "
    "UNION ALL SELECT 1 FROM iceberg_namespace_properties WHERE catalog_name = ? AND namespace = ? LIMIT 1";
constexpr const char* kTableNamespaceExistsSql =
    "SELECT 1 FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? LIMIT 1";
constexpr const char* kTablesSql =
    "SELECT table_name FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ?";
constexpr const char* kMetadataLocationSql =
    "SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND table_name = ?";
/// Iceberg Java's V1 schema marks views with iceberg_type = 'VIEW'; V0 rows (NULL) are tables.
constexpr const char* kTablesOnlySql = " AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL)";
constexpr const char* kAnyTableInNamespaceSql =
    "SELECT 1 FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? LIMIT 1";
constexpr const char* kInsertNamespacePropertySql =
    "INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, property_value) "
    "VALUES (?, ?, ?, ?)";
constexpr const char* kDeleteNamespaceSql =
    "DELETE FROM iceberg_namespace_properties WHERE catalog_name = ? AND namespace = ?";
constexpr const char* kInsertTableSql =
    "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, "
    "previous_metadata_location) VALUES (?, ?, ?, ?, NULL)";
constexpr const char* kInsertTypedTableSql =
    "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, "
    "previous_metadata_location, iceberg_type) VALUES (?, ?, ?, ?, NULL, 'TABLE')";
/// The compare-and-swap of a commit: it changes one row only while the table is still at the base.
constexpr const char* kSwapMetadataSql =
    "UPDATE iceberg_tables SET metadata_location = ?, previous_metadata_location = ? WHERE catalog_name = ? AND "
    "table_namespace = ? AND table_name = ? AND metadata_location = ?";
constexpr const char* kDeleteTableSql =
    "DELETE FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND table_name = ?";
/// Java's property marking a namespace created without properties of its own.
constexpr const char* kExistsProperty = "exists";

bool StartsWith(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

BinderError BadUri(const std::string& uri, const std::string& why) {
    return BinderError("'iceberg.catalog.uri' '" + JdbcCatalog::RedactUri(uri) + "' " + why,
                       ErrorCode::WRONG_ARGUMENTS);
}

std::string PercentDecode(std::string_view text, const std::string& uri) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        unsigned value = 0;
        if (i + 2 >= text.size()) throw BadUri(uri, "has a truncated %-escape");
        auto [end, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
        if (ec != std::errc() || end != text.data() + i + 3) throw BadUri(uri, "has an invalid %-escape");
        out += static_cast<char>(value);
        i += 2;
    }
    return out;
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (true) {
        size_t end = text.find(separator, start);
        parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) return parts;
        start = end + 1;
    }
}

/// A SQLite catalog's file, from 'jdbc:sqlite:<path>' or 'jdbc:sqlite:file:<path>[?...]'.
std::string SqlitePath(const std::string& uri) {
    std::string_view rest = std::string_view(uri).substr(kSqlitePrefix.size());
    if (StartsWith(rest, "file:")) {
        rest.remove_prefix(5);
        rest = rest.substr(0, rest.find('?'));
        if (StartsWith(rest, "//")) {
            rest.remove_prefix(2);
            if (StartsWith(rest, "localhost/")) rest.remove_prefix(9);
            if (!StartsWith(rest, "/")) throw BadUri(uri, "names a file on another host");
        }
        std::string path = PercentDecode(rest, uri);
        if (path.empty()) throw BadUri(uri, "names no SQLite file");
        return path;
    }
    if (rest.empty()) throw BadUri(uri, "names no SQLite file");
    if (rest == ":memory:") throw BadUri(uri, "is an in-memory SQLite database, which holds no catalog");
    return std::string(rest);
}

/// What 'jdbc:postgresql:[//host[:port][,host[:port]...]/]database[?key=value&...]' says.
struct PostgresTarget {
    std::vector<std::string> hosts;
    std::vector<std::string> ports;
    std::string database;
    std::map<std::string, std::string> params;
};

PostgresTarget ParsePostgresUri(const std::string& uri) {
    PostgresTarget target;
    std::string_view rest = std::string_view(uri).substr(kPostgresPrefix.size());
    std::string_view query;
    if (size_t q = rest.find('?'); q != std::string_view::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    if (StartsWith(rest, "//")) {
        rest.remove_prefix(2);
        size_t slash = rest.find('/');
        std::string_view authority = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
        for (std::string_view item : Split(authority, ',')) {
            std::string_view host = item;
            std::string_view port;
            if (StartsWith(item, "[")) {  // [IPv6]:port
                size_t close = item.find(']');
                if (close == std::string_view::npos) throw BadUri(uri, "has an unclosed '[' in its host");
                host = item.substr(1, close - 1);
                std::string_view after = item.substr(close + 1);
                if (!after.empty() && after.front() != ':') throw BadUri(uri, "has text after its IPv6 host");
                if (!after.empty()) port = after.substr(1);
            } else if (size_t colon = item.rfind(':'); colon != std::string_view::npos) {
                host = item.substr(0, colon);
                port = item.substr(colon + 1);
            }
            if (host.empty()) throw BadUri(uri, "names an empty host");
            unsigned number = 5432;
            if (!port.empty()) {
                auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
                if (ec != std::errc() || end != port.data() + port.size() || number == 0 || number > 65535) {
                    throw BadUri(uri, "has an invalid port '" + std::string(port) + "'");
                }
            }
            target.hosts.emplace_back(host);
            target.ports.push_back(std::to_string(number));
        }
    } else {
        if (StartsWith(rest, "/")) rest.remove_prefix(1);
        target.hosts = {"localhost"};  // the JDBC driver's default
        target.ports = {"5432"};
    }
    target.database = PercentDecode(rest, uri);
    if (!query.empty()) {
        for (std::string_view pair : Split(query, '&')) {
            if (pair.empty()) continue;
            size_t eq = pair.find('=');
            std::string key = PercentDecode(pair.substr(0, eq), uri);
            std::string value = eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), uri);
            target.params[key] = value;
        }
    }
    return target;
}

/// `message` with every occurrence of `secret` masked. Secrets shorter than four characters are
/// left alone: masking them would garble the message while hiding nothing a reader could use.
std::string Scrub(std::string message, const std::optional<std::string>& secret) {
    if (!secret || secret->size() < 4) return message;
    for (size_t at = message.find(*secret); at != std::string::npos; at = message.find(*secret, at + 3)) {
        message.replace(at, secret->size(), "***");
    }
    return message;
}

std::string TrimEnd(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

/// `create` run as CREATE TABLE IF NOT EXISTS (valid in SQLite and PostgreSQL).
std::string IfNotExists(std::string_view create) {
    constexpr std::string_view kCreate = "CREATE TABLE ";
    if (!StartsWith(create, kCreate)) throw InternalError("not a CREATE TABLE statement");
    return "CREATE TABLE IF NOT EXISTS " + std::string(create.substr(kCreate.size()));
}

/// A random (version 4) UUID in its canonical text form.
std::string RandomUuidText() {
    static thread_local std::mt19937_64 random{std::random_device{}() ^
                                               (static_cast<uint64_t>(std::random_device{}()) << 32)};
    uint64_t high = random();
    uint64_t low = random();
    high = (high & ~uint64_t{0xF000}) | 0x4000;                    // version 4
    low = (low & ~(uint64_t{0xC} << 60)) | (uint64_t{0x8} << 60);  // RFC 4122 variant
    char text[37];
    std::snprintf(text, sizeof(text), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(high >> 32),
                  static_cast<unsigned>((high >> 16) & 0xFFFF), static_cast<unsigned>(high & 0xFFFF),
                  static_cast<unsigned>(low >> 48), static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFull));
    return text;
}

/// The number of the next metadata file after `base` (a location whose file name starts with
/// NNNNN-), or 1 when the name carries no number; 0 for a create.
uint64_t NextMetadataNumber(const std::optional<std::string>& base) {
    if (!base) return 0;
    std::string_view name(*base);
    if (size_t slash = name.rfind('/'); slash != std::string_view::npos) name.remove_prefix(slash + 1);
    size_t dash = name.find('-');
    if (dash == std::string_view::npos || dash == 0) return 1;
    uint64_t number = 0;
    auto [end, ec] = std::from_chars(name.data(), name.data() + dash, number);
    if (ec != std::errc() || end != name.data() + dash) return 1;
    return number + 1;
}

/// Where a table's metadata files go: 'write.metadata.path' when set, else <location>/metadata.
std::string MetadataDirectory(const TableMetadata& metadata) {
    std::string dir;
    if (auto it = metadata.properties.find("write.metadata.path");
        it != metadata.properties.end() && !it->second.empty()) {
        dir = it->second;
    } else {
        dir = metadata.location;
        while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
        dir += "/metadata";
    }
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    return dir;
}

}  // namespace

/// One open connection to the catalog database.
class JdbcCatalog::Backend {
  public:
    virtual ~Backend() = default;
    /// Runs `sql` ('?' placeholders) with `params` bound as text; NULLs come back as nullopt.
    /// Throws IOError naming the database.
    virtual std::vector<Row> Query(const std::string& sql, const std::vector<std::string>& params) = 0;
    /// The column names of `table`, empty when there is no such table.
    virtual std::vector<std::string> Columns(const std::string& table) = 0;

    struct ExecuteResult {
        int64_t rows = 0;            ///< rows the statement changed
        bool duplicate_key = false;  ///< it failed on a primary-key or unique constraint (and changed nothing)
    };
    /// Runs a statement that returns no rows (DDL, INSERT, UPDATE, DELETE, BEGIN/COMMIT/ROLLBACK).
    /// Never retried: a write that may have happened is reported, not repeated. Throws IOError
    /// naming the database for any failure but a duplicate key.
    virtual ExecuteResult Execute(const std::string& sql, const std::vector<std::string>& params) = 0;
};

namespace {

class SqliteBackend : public JdbcCatalog::Backend {
  public:
    /// Opens the file read-write (SQLite falls back to read-only for a write-protected file);
    /// `create` creates a missing file.
    SqliteBackend(const std::string& catalog, const std::string& path, bool create)
        : what_("Iceberg catalog '" + catalog + "'") {
        std::string local = FileRoots::Check(path);
        what_ += ": SQLite catalog '" + path + "'";
        int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
        int rc = sqlite3_open_v2(local.c_str(), &db_, flags, nullptr);
        if (rc != SQLITE_OK) {
            std::string error = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
            sqlite3_close(db_);
            db_ = nullptr;
            throw IOError(what_ + " cannot be opened: " + error);
        }
        sqlite3_busy_timeout(db_, kSqliteBusyTimeoutMs);
    }
    ~SqliteBackend() override { sqlite3_close(db_); }

    std::vector<Row> Query(const std::string& sql, const std::vector<std::string>& params) override {
        Statement statement = Prepare(sql, params);
        sqlite3_stmt* raw = statement.get();
        std::vector<Row> rows;
        while (true) {
            int rc = sqlite3_step(raw);
            if (rc == SQLITE_DONE) return rows;
            if (rc != SQLITE_ROW) Fail();
            Row row;
            for (int c = 0; c < sqlite3_column_count(raw); ++c) {
                if (sqlite3_column_type(raw, c) == SQLITE_NULL) {
                    row.emplace_back(std::nullopt);
                } else {
                    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, c));
                    row.emplace_back(std::string(text, static_cast<size_t>(sqlite3_column_bytes(raw, c))));
                }
            }
            rows.push_back(std::move(row));
        }
    }

    std::vector<std::string> Columns(const std::string& table) override {
        std::vector<std::string> out;
        for (auto& row : Query("SELECT name FROM pragma_table_info(?)", {table})) {
            if (row.at(0)) out.push_back(*row[0]);
        }
        return out;
    }

    ExecuteResult Execute(const std::string& sql, const std::vector<std::string>& params) override {
        Statement statement = Prepare(sql, params);
        int rc = sqlite3_step(statement.get());
        if (rc == SQLITE_DONE) return {sqlite3_changes(db_), false};
        int extended = sqlite3_extended_errcode(db_);
        if (extended == SQLITE_CONSTRAINT_PRIMARYKEY || extended == SQLITE_CONSTRAINT_UNIQUE) return {0, true};
        Fail();
    }

  private:
    using Statement = std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)>;

    Statement Prepare(const std::string& sql, const std::vector<std::string>& params) {
        sqlite3_stmt* raw = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) Fail();
        Statement statement(raw, sqlite3_finalize);
        for (size_t i = 0; i < params.size(); ++i) {
            if (sqlite3_bind_text(raw, static_cast<int>(i + 1), params[i].data(), static_cast<int>(params[i].size()),
                                  SQLITE_TRANSIENT) != SQLITE_OK) {
                Fail();
            }
        }
        return statement;
    }

    [[noreturn]] void Fail() { throw IOError(what_ + ": " + sqlite3_errmsg(db_)); }

    std::string what_;
    sqlite3* db_ = nullptr;
};

class PostgresBackend : public JdbcCatalog::Backend {
  public:
    PostgresBackend(const std::string& catalog, const std::string& uri, const CatalogProperties& properties)
        : what_("Iceberg catalog '" + catalog + "': PostgreSQL catalog '" + JdbcCatalog::RedactUri(uri) + "'") {
        PostgresTarget target = ParsePostgresUri(uri);
        auto param = [&](const char* key) -> std::optional<std::string> {
            auto it = target.params.find(key);
            if (it == target.params.end()) return std::nullopt;
            return it->second;
        };
        password_ = properties.password ? properties.password : param("password");
        std::optional<std::string> user = properties.user ? properties.user : param("user");

        std::vector<std::pair<std::string, std::string>> settings;
        auto join = [](const std::vector<std::string>& items) {
            std::string out;
            for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
            return out;
        };
        settings.emplace_back("host", join(target.hosts));
        settings.emplace_back("port", join(target.ports));
        if (!target.database.empty()) settings.emplace_back("dbname", target.database);
        if (user) settings.emplace_back("user", *user);
        if (password_) settings.emplace_back("password", *password_);
        if (auto mode = param("sslmode")) {
            settings.emplace_back("sslmode", *mode);
        } else if (auto ssl = param("ssl"); ssl && (*ssl == "true" || ssl->empty())) {
            settings.emplace_back("sslmode", "verify-full");  // what the JDBC driver does for ssl=true
        }
        for (const char* key : {"sslrootcert", "sslcert", "sslkey", "sslpassword"}) {
            if (auto value = param(key)) settings.emplace_back(key, *value);
        }
        settings.emplace_back("connect_timeout", param("connectTimeout").value_or("10"));
        settings.emplace_back("application_name", param("ApplicationName").value_or("floe"));
        std::string options = param("options").value_or("");
        if (auto schema = param("currentSchema")) {
            std::string escaped;
            for (char c : *schema) {
                if (c == ' ' || c == '\\') escaped += '\\';
                escaped += c;
            }
            options += (options.empty() ? "" : " ") + std::string("-c search_path=") + escaped;
        }
        if (!options.empty()) settings.emplace_back("options", options);

        std::vector<const char*> keywords;
        std::vector<const char*> values;
        for (const auto& [key, value] : settings) {
            keywords.push_back(key.c_str());
            values.push_back(value.c_str());
        }
        keywords.push_back(nullptr);
        values.push_back(nullptr);
        conn_ = PQconnectdbParams(keywords.data(), values.data(), 0);
        if (conn_ == nullptr) throw IOError(what_ + ": cannot connect: out of memory");
        if (PQstatus(conn_) != CONNECTION_OK) {
            std::string error = Scrub(TrimEnd(PQerrorMessage(conn_)), password_);
            PQfinish(conn_);
            conn_ = nullptr;
            throw IOError(what_ + ": cannot connect: " + error);
        }
        PQsetNoticeProcessor(
            conn_, [](void*, const char*) {}, nullptr);
    }
    ~PostgresBackend() override { PQfinish(conn_); }

    std::vector<Row> Query(const std::string& sql, const std::vector<std::string>& params) override {
        std::string numbered = Numbered(sql);
        std::vector<const char*> values;
        values.reserve(params.size());
        for (const auto& p : params) values.push_back(p.c_str());
        for (int attempt = 0;; ++attempt) {
            std::unique_ptr<PGresult, void (*)(PGresult*)> result(
                PQexecParams(conn_, numbered.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                             nullptr, 0),
                PQclear);
            if (result && PQresultStatus(result.get()) == PGRES_TUPLES_OK) return Rows(result.get());
            // A connection the server dropped is re-opened once; other failures are reported.
            if (attempt == 0 && PQstatus(conn_) == CONNECTION_BAD) {
                PQreset(conn_);
                if (PQstatus(conn_) == CONNECTION_OK) continue;
            }
            std::string error = result ? PQresultErrorMessage(result.get()) : PQerrorMessage(conn_);
            throw IOError(what_ + ": " + Scrub(TrimEnd(error), password_));
        }
    }

    std::vector<std::string> Columns(const std::string& table) override {
        std::vector<std::string> out;
        // pg_attribute, unlike information_schema, also shows tables the user may not read, so a
        // missing grant is reported as such by the query that needs it, not as a missing table.
        for (auto& row : Query("SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass(?) AND "
                               "attnum > 0 AND NOT attisdropped",
                               {table})) {
            if (row.at(0)) out.push_back(*row[0]);
        }
        return out;
    }

    ExecuteResult Execute(const std::string& sql, const std::vector<std::string>& params) override {
        std::string numbered = Numbered(sql);
        std::vector<const char*> values;
        values.reserve(params.size());
        for (const auto& p : params) values.push_back(p.c_str());
        std::unique_ptr<PGresult, void (*)(PGresult*)> result(
            PQexecParams(conn_, numbered.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                         nullptr, 0),
            PQclear);
        if (result && PQresultStatus(result.get()) == PGRES_COMMAND_OK) {
            const char* count = PQcmdTuples(result.get());
            int64_t rows = 0;
            if (count && *count) std::from_chars(count, count + std::char_traits<char>::length(count), rows);
            return {rows, false};
        }
        if (result) {
            const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
            if (state && std::string_view(state) == "23505") return {0, true};  // unique_violation
        }
        std::string error = result ? PQresultErrorMessage(result.get()) : PQerrorMessage(conn_);
        throw IOError(what_ + ": " + Scrub(TrimEnd(error), password_));
    }

  private:
    /// `sql` with its '?' placeholders numbered $1, $2, ... (the catalog's statements hold no '?'
    /// inside literals).
    static std::string Numbered(const std::string& sql) {
        std::string numbered;
        int n = 0;
        for (char c : sql) {
            if (c == '?') {
                numbered += "$" + std::to_string(++n);
            } else {
                numbered += c;
            }
        }
        return numbered;
    }

    static std::vector<Row> Rows(PGresult* result) {
        std::vector<Row> rows;
        for (int r = 0; r < PQntuples(result); ++r) {
            Row row;
            for (int c = 0; c < PQnfields(result); ++c) {
                if (PQgetisnull(result, r, c)) {
                    row.emplace_back(std::nullopt);
                } else {
                    row.emplace_back(
                        std::string(PQgetvalue(result, r, c), static_cast<size_t>(PQgetlength(result, r, c))));
                }
            }
            rows.push_back(std::move(row));
        }
        return rows;
    }

    std::string what_;
    std::optional<std::string> password_;
    PGconn* conn_ = nullptr;
};

}  // namespace

void JdbcCatalog::CheckUri(const std::string& uri) {
    if (StartsWith(uri, kSqlitePrefix)) {
        SqlitePath(uri);
    } else if (StartsWith(uri, kPostgresPrefix)) {
        ParsePostgresUri(uri);
    } else {
        throw BadUri(uri, "is not supported: expected 'jdbc:sqlite:<path>' or 'jdbc:postgresql://host:port/database'");
    }
}

std::string JdbcCatalog::RedactUri(const std::string& uri) {
    size_t q = uri.find('?');
    if (q == std::string::npos) return uri;
    std::string out = uri.substr(0, q + 1);
    bool first = true;
    for (std::string_view pair : Split(std::string_view(uri).substr(q + 1), '&')) {
        if (!first) out += '&';
        first = false;
        size_t eq = pair.find('=');
        std::string_view key = pair.substr(0, eq);
        if (eq != std::string_view::npos && (key == "password" || key == "sslpassword")) {
            out += std::string(key) + "=***";
        } else {
            out += pair;
        }
    }
    return out;
}

JdbcCatalog::JdbcCatalog(std::string name, CatalogProperties properties)
    : IcebergCatalog(std::move(name)), properties_(std::move(properties)) {
    CheckUri(properties_.uri);
}

JdbcCatalog::~JdbcCatalog() = default;

JdbcCatalog::Backend& JdbcCatalog::Connected(bool for_change) {
    if (backend_ && (!for_change || tables_ensured_)) return *backend_;
    std::unique_ptr<Backend> backend = std::move(backend_);
    const std::string& uri = properties_.uri;
    if (!backend) {
        if (StartsWith(uri, kSqlitePrefix)) {
            backend = std::make_unique<SqliteBackend>(name(), SqlitePath(uri), for_change);
        } else {
            backend = std::make_unique<PostgresBackend>(name(), uri, properties_);
        }
    }
    if (for_change) {
        backend->Execute(IfNotExists(kCreateTablesSql), {});
        backend->Execute(IfNotExists(kCreateNamespacePropertiesSql), {});
        tables_ensured_ = true;
    }
    std::vector<std::string> columns = backend->Columns("iceberg_tables");
    for (const char* needed : {"catalog_name", "table_namespace", "table_name", "metadata_location"}) {
        if (std::find(columns.begin(), columns.end(), needed) == columns.end()) {
            throw IOError("Iceberg catalog '" + name() + "': '" + RedactUri(uri) +
                          "' is not an Iceberg JDBC catalog: " +
                          (columns.empty() ? std::string("it has no table iceberg_tables")
                                           : "its iceberg_tables has no column " + std::string(needed)));
        }
    }
    has_type_column_ = std::find(columns.begin(), columns.end(), "iceberg_type") != columns.end();
    has_namespace_properties_ = !backend->Columns("iceberg_namespace_properties").empty();
    backend_ = std::move(backend);
    return *backend_;
}

std::string JdbcCatalog::TableTypeFilter() const {
    return has_type_column_ ? kTablesOnlySql : "";
}

std::vector<std::string> JdbcCatalog::ListNamespaces() {
    std::lock_guard<std::mutex> lock(mutex_);
    Backend& backend = Connected();
    std::vector<Row> rows = has_namespace_properties_ ? backend.Query(kNamespacesSql, {name(), name()})
                                                      : backend.Query(kTableNamespacesSql, {name()});
    std::vector<std::string> out;
    for (auto& row : rows) {
        if (row.at(0)) out.push_back(std::move(*row[0]));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

bool JdbcCatalog::NamespaceExists(const std::string& ns) {
    std::lock_guard<std::mutex> lock(mutex_);
    return NamespaceExistsLocked(Connected(), ns);
}

std::vector<std::string> JdbcCatalog::ListTables(const std::string& ns) {
    std::lock_guard<std::mutex> lock(mutex_);
    Backend& backend = Connected();
    bool exists = has_namespace_properties_ ? !backend.Query(kNamespaceExistsSql, {name(), ns, name(), ns}).empty()
                                            : !backend.Query(kTableNamespaceExistsSql, {name(), ns}).empty();
    if (!exists) {
        throw CatalogError("Iceberg catalog '" + name() + "' has no namespace '" + ns + "'",
                           ErrorCode::UNKNOWN_DATABASE);
    }
    std::vector<std::string> out;
    for (auto& row : backend.Query(kTablesSql + TableTypeFilter(), {name(), ns})) {
        if (row.at(0)) out.push_back(std::move(*row[0]));
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::optional<std::string> JdbcCatalog::TableMetadataLocation(const std::string& ns, const std::string& table) {
    std::lock_guard<std::mutex> lock(mutex_);
    Backend& backend = Connected();
    std::vector<Row> rows = backend.Query(kMetadataLocationSql + TableTypeFilter(), {name(), ns, table});
    if (rows.empty()) return std::nullopt;
    if (!rows.front().at(0) || rows.front()[0]->empty()) {
        throw IOError("Iceberg catalog '" + name() + "': table '" + ns + "." + table +
                      "' has no metadata_location in its iceberg_tables row");
    }
    return rows.front()[0];
}

}  // namespace floe::iceberg

namespace floe::iceberg {

bool JdbcCatalog::NamespaceExistsLocked(Backend& backend, const std::string& ns) {
    return has_namespace_properties_ ? !backend.Query(kNamespaceExistsSql, {name(), ns, name(), ns}).empty()
                                     : !backend.Query(kTableNamespaceExistsSql, {name(), ns}).empty();
}

std::vector<std::string> JdbcCatalog::NamespacesLocked(Backend& backend) {
    std::vector<Row> rows = has_namespace_properties_ ? backend.Query(kNamespacesSql, {name(), name()})
                                                      : backend.Query(kTableNamespacesSql, {name()});
    std::vector<std::string> out;
    for (auto& row : rows) {
        if (row.at(0)) out.push_back(std::move(*row[0]));
    }
    return out;
}

void JdbcCatalog::CreateNamespace(const std::string& ns, const std::map<std::string, std::string>& properties) {
    if (ns.empty()) {
        throw CatalogError("Iceberg catalog '" + name() + "': a namespace needs a name", ErrorCode::WRONG_ARGUMENTS);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    Backend& backend = Connected(true);
    auto exists = [&] {
        return CatalogError("Iceberg catalog '" + name() + "' already has namespace '" + ns + "'",
                            ErrorCode::DATABASE_EXISTS);
    };
    if (NamespaceExistsLocked(backend, ns)) throw exists();
    std::map<std::string, std::string> rows = properties;
    rows.emplace(kExistsProperty, "true");
    backend.Execute("BEGIN", {});
    try {
        for (const auto& [key, value] : rows) {
            if (backend.Execute(kInsertNamespacePropertySql, {name(), ns, key, value}).duplicate_key) {
                throw exists();  // created meanwhile by another writer
            }
        }
        backend.Execute("COMMIT", {});
    } catch (const Exception&) {
        backend.Execute("ROLLBACK", {});
        throw;
    }
}

void JdbcCatalog::DropNamespace(const std::string& ns) {
    std::lock_guard<std::mutex> lock(mutex_);
    Backend& backend = Connected(true);
    if (!NamespaceExistsLocked(backend, ns)) {
        throw CatalogError("Iceberg catalog '" + name() + "' has no namespace '" + ns + "'",
                           ErrorCode::DATABASE_NOT_EXISTS);
    }
    if (!backend.Query(kAnyTableInNamespaceSql, {name(), ns}).empty()) {
        throw CatalogError("Iceberg catalog '" + name() + "': namespace '" + ns + "' is not empty (it holds tables)",
                           ErrorCode::WRONG_ARGUMENTS);
    }
    for (const std::string& other : NamespacesLocked(backend)) {
        if (other.size() > ns.size() && StartsWith(other, ns) && other[ns.size()] == '.') {
            throw CatalogError("Iceberg catalog '" + name() + "': namespace '" + ns +
                                   "' is not empty (it holds namespace '" + other + "')",
                               ErrorCode::WRONG_ARGUMENTS);
        }
    }
    backend.Execute(kDeleteNamespaceSql, {name(), ns});
}

std::string JdbcCatalog::DefaultTableLocation(const std::string& ns, const std::string& table) {
    std::string warehouse = properties_.warehouse;
    while (!warehouse.empty() && warehouse.back() == '/') warehouse.pop_back();
    if (warehouse.empty()) {
        throw BinderError("Iceberg catalog '" + name() +
                              "' has no property 'warehouse' ('iceberg.catalog.warehouse'), so a new table needs a "
                              "LOCATION",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    std::string levels = ns;
    std::replace(levels.begin(), levels.end(), '.', '/');
    return warehouse + "/" + levels + "/" + table;
}

std::string JdbcCatalog::CommitTable(const TableCommit& commit) {
    if (!commit.metadata) throw InternalError("Iceberg commit without metadata");
    const std::string what = "Iceberg catalog '" + name() + "': table '" + commit.ns + "." + commit.table + "'";
    std::lock_guard<std::mutex> lock(mutex_);
    Backend& backend = Connected(true);
    if (!commit.base_location && !NamespaceExistsLocked(backend, commit.ns)) {
        throw CatalogError("Iceberg catalog '" + name() + "' has no namespace '" + commit.ns + "'",
                           ErrorCode::UNKNOWN_DATABASE);
    }

    char number[24];
    std::snprintf(number, sizeof(number), "%05llu",
                  static_cast<unsigned long long>(NextMetadataNumber(commit.base_location)));
    std::string location =
        MetadataDirectory(*commit.metadata) + "/" + number + "-" + RandomUuidText() + ".metadata.json";
    FileSystem& fs = FileSystemFor(location);
    if (!fs.CreateIfAbsent(location, SerializeTableMetadata(*commit.metadata))) {
        throw IOError(what + ": metadata file '" + location + "' already exists");
    }
    // The swap lost: the file is nobody's, so it goes (a failure to delete it only leaves an
    // orphan, which must not hide the lost race from the committer).
    auto lost = [&](const std::string& why) {
        try {
            fs.Delete({location});
        } catch (const IOError&) {
        }
        return CommitFailedError(what + " " + why);
    };

    if (!commit.base_location) {
        const char* insert = has_type_column_ ? kInsertTypedTableSql : kInsertTableSql;
        if (backend.Execute(insert, {name(), commit.ns, commit.table, location}).duplicate_key) {
            throw lost("already exists");
        }
        return location;
    }
    std::string swap = std::string(kSwapMetadataSql) + TableTypeFilter();
    auto result = backend.Execute(
        swap, {location, *commit.base_location, name(), commit.ns, commit.table, *commit.base_location});
    if (result.rows == 0) throw lost("has changed since '" + *commit.base_location + "' (or was dropped)");
    if (result.rows != 1) {
        // Impossible with the primary key; the rows now name the new file, so it is kept.
        throw IOError(what + ": the commit changed " + std::to_string(result.rows) + " catalog rows, not one");
    }
    return location;
}

void JdbcCatalog::DropTable(const std::string& ns, const std::string& table) {
    std::lock_guard<std::mutex> lock(mutex_);
    Backend& backend = Connected(true);
    if (backend.Execute(kDeleteTableSql + TableTypeFilter(), {name(), ns, table}).rows == 0) {
        throw CatalogError("Iceberg catalog '" + name() + "' has no table '" + ns + "." + table + "'",
                           ErrorCode::UNKNOWN_TABLE);
    }
}

}  // namespace floe::iceberg
