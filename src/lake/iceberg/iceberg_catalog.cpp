#include "lake/iceberg/iceberg_catalog.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>

#include "common/exception.h"
#include "io/s3_file_system.h"
#include "lake/iceberg/hadoop_catalog.h"
#include "lake/iceberg/jdbc_catalog.h"
#include "lake/iceberg/rest_catalog.h"

namespace floe::iceberg {

namespace {

std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

/// The value of the first of `keys` present; a second key with a different value is an error,
/// since the statement would then say two things at once.
std::optional<std::string> Lookup(const std::map<std::string, std::string>& properties,
                                  std::initializer_list<const char*> keys) {
    std::optional<std::string> value;
    const char* found = nullptr;
    for (const char* key : keys) {
        auto it = properties.find(key);
        if (it == properties.end()) continue;
        if (value && *value != it->second) {
            throw BinderError(std::string("catalog properties '") + found + "' and '" + key +
                                  "' name the same setting with different values",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        if (!value) {
            value = it->second;
            found = key;
        }
    }
    return value;
}

}  // namespace

CatalogProperties CatalogProperties::Parse(const std::map<std::string, std::string>& properties) {
    CatalogProperties out;
    out.all = properties;
    if (auto type = Lookup(properties, {"type"}); type && Lower(*type) != "iceberg") {
        throw BinderError("catalog property 'type' is '" + *type + "', but an Iceberg catalog needs 'iceberg'",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    auto catalog_type = Lookup(properties, {"iceberg.catalog.type"});
    if (!catalog_type || catalog_type->empty()) {
        throw BinderError("an Iceberg catalog needs the property 'iceberg.catalog.type' ('hadoop', 'jdbc' or 'rest')",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    std::string kind = Lower(*catalog_type);
    if (kind == "hadoop" || kind == "filesystem") {
        out.type = CatalogType::HADOOP;
    } else if (kind == "jdbc") {
        out.type = CatalogType::JDBC;
    } else if (kind == "rest") {
        out.type = CatalogType::REST;
    } else if (kind == "hive" || kind == "glue" || kind == "dlf" || kind == "nessie") {
        throw NotSupportedError("'iceberg.catalog.type' = '" + *catalog_type +
                                "' is not supported yet; Floe reads 'hadoop' (filesystem), 'jdbc' and 'rest' catalogs");
    } else {
        throw BinderError("unknown 'iceberg.catalog.type' '" + *catalog_type + "': expected 'hadoop', 'jdbc' or 'rest'",
                          ErrorCode::WRONG_ARGUMENTS);
    }

    out.warehouse = Lookup(properties, {"iceberg.catalog.warehouse", "warehouse"}).value_or("");
    out.uri = Lookup(properties, {"iceberg.catalog.uri", "uri"}).value_or("");
    out.user = Lookup(properties, {"iceberg.catalog.jdbc.user", "jdbc.user"});
    out.password = Lookup(properties, {"iceberg.catalog.jdbc.password", "jdbc.password"});

    if (out.type == CatalogType::HADOOP && out.warehouse.empty()) {
        throw BinderError("a hadoop Iceberg catalog needs the property 'iceberg.catalog.warehouse' (its directory)",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    if (out.type == CatalogType::JDBC) {
        if (out.uri.empty()) {
            throw BinderError(
                "a jdbc Iceberg catalog needs the property 'iceberg.catalog.uri' ('jdbc:sqlite:<path>' or "
                "'jdbc:postgresql://host:port/db')",
                ErrorCode::WRONG_ARGUMENTS);
        }
        JdbcCatalog::CheckUri(out.uri);
    }
    if (out.type == CatalogType::REST) {
        out.security = Lower(Lookup(properties, {"iceberg.catalog.security", "security"}).value_or(""));
        out.token = Lookup(properties, {"iceberg.catalog.oauth2.token", "token"});
        out.credential = Lookup(properties, {"iceberg.catalog.oauth2.credential", "credential"});
        out.scope = Lookup(properties, {"iceberg.catalog.oauth2.scope", "scope"}).value_or("catalog");
        out.oauth2_server_uri =
            Lookup(properties, {"iceberg.catalog.oauth2.server-uri", "oauth2-server-uri"}).value_or("");
        if (!out.security.empty() && out.security != "none" && out.security != "oauth2") {
            throw BinderError("'iceberg.catalog.security' must be 'none' or 'oauth2', not '" + out.security + "'",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        if (out.security == "oauth2" && !out.token && !out.credential) {
            throw BinderError(
                "'iceberg.catalog.security' = 'oauth2' needs 'iceberg.catalog.oauth2.token' or "
                "'iceberg.catalog.oauth2.credential'",
                ErrorCode::WRONG_ARGUMENTS);
        }
        RestCatalog::CheckUri(out.uri);
        if (!out.oauth2_server_uri.empty()) RestCatalog::CheckUri(out.oauth2_server_uri);
    }
    return out;
}

std::unique_ptr<IcebergCatalog> OpenIcebergCatalog(const std::string& catalog_name,
                                                   const std::map<std::string, std::string>& properties) {
    CatalogProperties parsed = CatalogProperties::Parse(properties);
    switch (parsed.type) {
        case CatalogType::HADOOP:
            if (IsS3Path(parsed.warehouse)) return std::make_unique<S3HadoopCatalog>(catalog_name, std::move(parsed));
            return std::make_unique<HadoopCatalog>(catalog_name, std::move(parsed));
        case CatalogType::JDBC:
            return std::make_unique<JdbcCatalog>(catalog_name, std::move(parsed));
        case CatalogType::REST:
            return std::make_unique<RestCatalog>(catalog_name, std::move(parsed));
    }
    throw InternalError("unknown Iceberg catalog type");
}

namespace {

[[noreturn]] void Unsupported(const std::string& catalog, const char* what) {
    throw NotSupportedError("Iceberg catalog '" + catalog + "' cannot " + what + " yet");
}

}  // namespace

void IcebergCatalog::CreateNamespace(const std::string&, const std::map<std::string, std::string>&) {
    Unsupported(name_, "create databases");
}
void IcebergCatalog::DropNamespace(const std::string&) {
    Unsupported(name_, "drop databases");
}
std::string IcebergCatalog::DefaultTableLocation(const std::string&, const std::string&) {
    Unsupported(name_, "create tables");
}
std::string IcebergCatalog::CommitTable(const TableCommit&) {
    Unsupported(name_, "commit table changes");
}
void IcebergCatalog::DropTable(const std::string&, const std::string&) {
    Unsupported(name_, "drop tables");
}

}  // namespace floe::iceberg
