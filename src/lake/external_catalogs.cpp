#include "lake/external_catalogs.h"

#include <filesystem>

#include "common/ascii.h"
#include "common/exception.h"
#include "io/s3_file_system.h"
#include "lake/iceberg/iceberg_catalog.h"

namespace floe {

namespace {

constexpr size_t kMetadataCacheEntries = 256;

std::string TableDirectoryOf(const std::string& metadata_path) {
    std::filesystem::path p(metadata_path);
    std::filesystem::path dir = p.parent_path();
    if (dir.filename() == "metadata") dir = dir.parent_path();
    return dir.string();
}

}  // namespace

ExternalCatalogs::ExternalCatalogs(Catalog& catalog) : catalog_(catalog) {}
ExternalCatalogs::~ExternalCatalogs() = default;

void ExternalCatalogs::Validate(const ExternalCatalogInfo& info) {
    if (info.type != "iceberg") {
        throw NotSupportedError("catalog type '" + info.type + "' is not supported; Floe reads 'iceberg' catalogs");
    }
    iceberg::CatalogProperties::Parse(info.properties);
    S3Config::FromProperties(info.properties);  // bad aws.s3.* values fail the CREATE
    auto rewrite = info.properties.find("location.rewrite");
    if (rewrite != info.properties.end()) iceberg::ParseLocationRewrites(rewrite->second);
}

void ExternalCatalogs::Forget(const std::string& name) {
    std::lock_guard<std::mutex> lock(mutex_);
    opened_.erase(name);
}

ExternalCatalogs::Opened ExternalCatalogs::Get(const std::string& name) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = opened_.find(name);
        if (it != opened_.end()) return it->second;
    }
    auto info = catalog_.GetExternalCatalog(name);
    if (!info) throw CatalogError("Unknown catalog '" + name + "'", ErrorCode::UNKNOWN_DATABASE);
    Opened o;
    o.catalog = iceberg::OpenIcebergCatalog(info->name, info->properties);
    auto rewrite = info->properties.find("location.rewrite");
    if (rewrite != info->properties.end()) o.rewrites = iceberg::ParseLocationRewrites(rewrite->second);
    if (S3Config::HasAny(info->properties)) {
        o.s3 = S3Config::FromProperties(info->properties);
        std::string warehouse = iceberg::CatalogProperties::Parse(info->properties).warehouse;
        if (IsS3Path(warehouse)) RegisterS3Config(S3Location::Parse(warehouse).bucket, *o.s3);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    return opened_.emplace(name, std::move(o)).first->second;
}

std::vector<std::string> ExternalCatalogs::ListDatabases(const std::string& catalog) {
    return Get(catalog).catalog->ListNamespaces();
}

bool ExternalCatalogs::DatabaseExists(const std::string& catalog, const std::string& database) {
    return Get(catalog).catalog->NamespaceExists(database);
}

std::vector<std::string> ExternalCatalogs::ListTables(const std::string& catalog, const std::string& database) {
    auto c = Get(catalog).catalog;
    if (!c->NamespaceExists(database)) {
        throw CatalogError("Unknown database '" + catalog + "." + database + "'", ErrorCode::UNKNOWN_DATABASE);
    }
    return c->ListTables(database);
}

std::shared_ptr<const iceberg::TableMetadata> ExternalCatalogs::LoadMetadata(iceberg::IcebergCatalog& catalog,
                                                                             const std::string& path) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = metadata_cache_.find(path);
        if (it != metadata_cache_.end()) return it->second;
    }
    // A REST catalog hands the metadata over with its location: no file read needed.
    if (auto given = catalog.LoadTableMetadata(path)) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (metadata_cache_.size() >= kMetadataCacheEntries) metadata_cache_.erase(metadata_cache_.begin());
        metadata_cache_[path] = *given;
        return *given;
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = metadata_cache_.find(path);
        if (it != metadata_cache_.end()) return it->second;
    }
    auto metadata = std::make_shared<const iceberg::TableMetadata>(
        iceberg::ParseTableMetadata(iceberg::ReadFileBytes(path), "'" + path + "'"));
    std::lock_guard<std::mutex> lock(mutex_);
    if (metadata_cache_.size() >= kMetadataCacheEntries) metadata_cache_.erase(metadata_cache_.begin());
    metadata_cache_[path] = metadata;
    return metadata;
}

std::shared_ptr<iceberg::IcebergTable> ExternalCatalogs::OpenTable(const std::string& catalog,
                                                                   const std::string& database,
                                                                   const std::string& table,
                                                                   const iceberg::SnapshotSelector& selector) {
    Opened o = Get(catalog);
    auto location = o.catalog->TableMetadataLocation(database, table);
    if (!location) {
        if (!o.catalog->NamespaceExists(database)) {
            throw CatalogError("Unknown database '" + catalog + "." + database + "'", ErrorCode::UNKNOWN_DATABASE);
        }
        throw CatalogError("Table '" + catalog + "." + database + "." + table + "' doesn't exist",
                           ErrorCode::UNKNOWN_TABLE);
    }
    // The metadata file's own location may need the catalog's rewrites too.
    iceberg::LocationResolver outer("", "", o.rewrites);
    std::string path = outer.Resolve(*location);
    // The table's files are read through FileSystemFor: its buckets get the catalog's S3 settings.
    if (o.s3 && IsS3Path(path)) RegisterS3Config(S3Location::Parse(path).bucket, *o.s3);
    auto metadata = LoadMetadata(*o.catalog, path);
    if (o.s3 && IsS3Path(metadata->location)) RegisterS3Config(S3Location::Parse(metadata->location).bucket, *o.s3);
    iceberg::LocationResolver resolver(metadata->location, TableDirectoryOf(path), o.rewrites);
    return std::make_shared<iceberg::IcebergTable>(catalog + "." + database + "." + table, metadata, path, selector,
                                                   std::move(resolver));
}

std::shared_ptr<iceberg::IcebergCatalog> ExternalCatalogs::IcebergCatalogFor(const std::string& name) {
    return Get(name).catalog;
}

iceberg::TableState ExternalCatalogs::LoadForWrite(const std::string& catalog, const std::string& database,
                                                   const std::string& table) {
    Opened o = Get(catalog);
    auto location = o.catalog->TableMetadataLocation(database, table);
    if (!location) {
        if (!o.catalog->NamespaceExists(database)) {
            throw CatalogError("Unknown database '" + catalog + "." + database + "'", ErrorCode::UNKNOWN_DATABASE);
        }
        throw CatalogError("Table '" + catalog + "." + database + "." + table + "' doesn't exist",
                           ErrorCode::UNKNOWN_TABLE);
    }
    std::string name = catalog + "." + database + "." + table;
    if (!o.rewrites.empty()) {
        throw NotSupportedError("cannot write to '" + name +
                                "': its catalog reads tables through 'location.rewrite', and Floe writes only tables "
                                "whose files are where their metadata says");
    }
    if (o.s3 && IsS3Path(*location)) RegisterS3Config(S3Location::Parse(*location).bucket, *o.s3);
    auto metadata = LoadMetadata(*o.catalog, *location);
    auto plain = [](std::string p) {
        if (p.rfind("file://", 0) == 0) p = p.substr(7);
        if (p.rfind("file:", 0) == 0) p = p.substr(5);
        while (p.size() > 1 && p.back() == '/') p.pop_back();
        return p;
    };
    if (!IsS3Path(*location) && plain(metadata->location) != plain(TableDirectoryOf(*location))) {
        throw NotSupportedError("cannot write to '" + name + "': its metadata says it lives at '" + metadata->location +
                                "', but the catalog found it at '" + TableDirectoryOf(*location) +
                                "' (a moved or copied table); Floe writes only tables whose files are where their "
                                "metadata says");
    }
    if (o.s3 && IsS3Path(metadata->location)) RegisterS3Config(S3Location::Parse(metadata->location).bucket, *o.s3);
    return iceberg::TableState{*location, metadata};
}

void ExternalCatalogs::Remember(const iceberg::TableState& state) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (metadata_cache_.size() >= kMetadataCacheEntries) metadata_cache_.clear();
    metadata_cache_[state.metadata_location] = state.metadata;
}

}  // namespace floe
