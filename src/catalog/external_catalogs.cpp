// Catalog: external catalogs (CREATE EXTERNAL CATALOG) and their properties.
#include <chrono>

#include "catalog/catalog.h"
#include "common/ascii.h"
#include "common/exception.h"

namespace floe {

namespace {

void ValidateCatalogName(std::string_view name) {
    bool ok = !name.empty() && name.size() <= 256 && std::isalpha(static_cast<unsigned char>(name[0]));
    for (char c : name) ok &= std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    if (!ok) {
        throw CatalogError("Incorrect catalog name '" + std::string(name) +
                               "': use a letter followed by letters, digits, '_' or '-' (at most 256)",
                           ErrorCode::WRONG_ARGUMENTS);
    }
}

}  // namespace

std::vector<ExternalCatalogInfo> Catalog::ListExternalCatalogs() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<ExternalCatalogInfo> out;
    for (const auto& row :
         store_->Query("SELECT name, type, comment, create_time FROM external_catalogs ORDER BY name")) {
        out.push_back({MetaText(row[0]), MetaText(row[1]), {}, MetaText(row[2]), MetaInt(row[3])});
    }
    for (auto& c : out) {
        for (const auto& p :
             store_->Query("SELECT key, value FROM external_catalog_properties WHERE catalog = ?", {c.name})) {
            c.properties[MetaText(p[0])] = MetaText(p[1]);
        }
    }
    return out;
}

std::optional<ExternalCatalogInfo> Catalog::GetExternalCatalog(std::string_view name) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto rows = store_->Query("SELECT name, type, comment, create_time FROM external_catalogs WHERE name = ?",
                              {std::string(name)});
    if (rows.empty()) return std::nullopt;
    ExternalCatalogInfo c{MetaText(rows[0][0]), MetaText(rows[0][1]), {}, MetaText(rows[0][2]), MetaInt(rows[0][3])};
    for (const auto& p :
         store_->Query("SELECT key, value FROM external_catalog_properties WHERE catalog = ?", {c.name})) {
        c.properties[MetaText(p[0])] = MetaText(p[1]);
    }
    return c;
}

bool Catalog::CreateExternalCatalog(const ExternalCatalogInfo& info, bool if_not_exists) {
    ValidateCatalogName(info.name);
    if (AsciiEqualsIgnoreCase(info.name, kDefaultCatalog)) {
        if (if_not_exists) return false;
        throw CatalogError("Can't create catalog 'default_catalog': it is the catalog of Floe's own tables",
                           ErrorCode::DATABASE_EXISTS);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    bool created = false;
    store_->Transaction([&] {
        if (!store_->Query("SELECT 1 FROM external_catalogs WHERE name = ?", {info.name}).empty()) {
            if (if_not_exists) return;
            throw CatalogError("Can't create catalog '" + info.name + "'; catalog exists", ErrorCode::DATABASE_EXISTS);
        }
        int64_t now =
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        store_->Execute("INSERT INTO external_catalogs(name, type, comment, create_time) VALUES(?, ?, ?, ?)",
                        {info.name, info.type, info.comment, now});
        for (const auto& [k, v] : info.properties) {
            store_->Execute("INSERT INTO external_catalog_properties(catalog, key, value) VALUES(?, ?, ?)",
                            {info.name, k, v});
        }
        created = true;
    });
    return created;
}

bool Catalog::DropExternalCatalog(std::string_view name, bool if_exists) {
    std::lock_guard<std::mutex> lock(mutex_);
    bool dropped = false;
    store_->Transaction([&] {
        if (store_->Query("SELECT 1 FROM external_catalogs WHERE name = ?", {std::string(name)}).empty()) {
            if (if_exists) return;
            throw CatalogError("Unknown catalog '" + std::string(name) + "'", ErrorCode::UNKNOWN_DATABASE);
        }
        store_->Execute("DELETE FROM external_catalog_properties WHERE catalog = ?", {std::string(name)});
        store_->Execute("DELETE FROM external_catalogs WHERE name = ?", {std::string(name)});
        dropped = true;
    });
    return dropped;
}

}  // namespace floe
