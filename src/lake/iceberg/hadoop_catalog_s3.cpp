// S3HadoopCatalog: Iceberg Java's HadoopCatalog layout over S3 key prefixes (hadoop_catalog.h).

#include <algorithm>

#include "common/exception.h"
#include "io/s3_file_system.h"
#include "lake/iceberg/hadoop_catalog.h"
#include "lake/iceberg/hadoop_layout.h"
#include "lake/iceberg/metadata_writer.h"
#include "lake/iceberg/table_metadata.h"

namespace floe::iceberg {

using namespace hadoop_layout;

namespace {

/// How deep ListNamespaces descends.
constexpr int kMaxNamespaceDepth = 16;

S3Config ConfigOf(const CatalogProperties& properties, const S3Location& warehouse) {
    if (S3Config::HasAny(properties.all)) return S3Config::FromProperties(properties.all);
    if (auto registered = RegisteredS3Config(warehouse.bucket, warehouse.key)) return *registered;
    return S3Config{};
}

S3Location WarehouseOf(const std::string& catalog, const std::string& warehouse) {
    S3Location location = S3Location::Parse(warehouse);
    while (!location.key.empty() && location.key.back() == '/') location.key.pop_back();
    if (location.bucket.empty()) {
        throw BinderError("Iceberg catalog '" + catalog + "': warehouse '" + warehouse + "' names no bucket",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    return location;
}

}  // namespace

S3HadoopCatalog::S3HadoopCatalog(std::string name, CatalogProperties properties)
    : IcebergCatalog(std::move(name)),
      properties_(std::move(properties)),
      warehouse_(WarehouseOf(this->name(), properties_.warehouse)),
      client_(ConfigOf(properties_, warehouse_)) {}

std::string S3HadoopCatalog::Join(const std::string& key, const std::string& name) {
    return key.empty() ? name : key + "/" + name;
}

std::string S3HadoopCatalog::Url(const std::string& key) const {
    return warehouse_.scheme + "://" + warehouse_.bucket + "/" + key;
}

S3HadoopCatalog::Listing S3HadoopCatalog::List(const std::string& key) const {
    std::string prefix = key.empty() ? "" : key + "/";
    Listing out;
    std::string token;
    do {
        S3ListPage page = client_.ListPage(warehouse_.bucket, prefix, "/", token);
        for (const auto& object : page.objects) {
            std::string name = object.key.substr(prefix.size());
            if (!IsHidden(name)) out.files.insert(std::move(name));  // "" is the directory's own marker
        }
        for (const auto& p : page.prefixes) {
            std::string name = p.substr(prefix.size());
            while (!name.empty() && name.back() == '/') name.pop_back();
            if (!IsHidden(name)) out.directories.push_back(std::move(name));
        }
        token = page.next_token;
    } while (!token.empty());
    std::sort(out.directories.begin(), out.directories.end());
    return out;
}

bool S3HadoopCatalog::HasAnything(const std::string& key) const {
    S3ListPage page = client_.ListPage(warehouse_.bucket, key.empty() ? "" : key + "/", "/", "", 1);
    return !page.objects.empty() || !page.prefixes.empty();
}

bool S3HadoopCatalog::IsTableDir(const std::string& key) const {
    for (const auto& name : List(Join(key, "metadata")).files) {
        if (MetadataStem(name) || IsHintFile(name)) return true;
    }
    return false;
}

std::optional<std::string> S3HadoopCatalog::NamespaceKey(const std::string& ns) const {
    if (ns.empty()) return std::nullopt;
    auto usable = [&](const std::string& key) { return HasAnything(key) && !IsTableDir(key); };
    if (IsPlainName(ns) && !IsHidden(ns)) {
        std::string key = Join(warehouse_.key, ns);
        if (usable(key)) return key;
    }
    auto levels = NamespaceLevels(ns);
    if (!levels || levels->size() < 2) return std::nullopt;
    std::string key = warehouse_.key;
    for (const auto& level : *levels) key = Join(key, level);
    if (usable(key)) return key;
    return std::nullopt;
}

std::string S3HadoopCatalog::NamespaceKeyFor(const std::string& ns) const {
    if (auto existing = NamespaceKey(ns)) return *existing;
    auto levels = NamespaceLevels(ns);
    if (!levels) {
        throw CatalogError("Iceberg catalog '" + name() + "': '" + ns +
                               "' is not a valid namespace name for a hadoop catalog (each dot-separated level "
                               "must be a plain directory name)",
                           ErrorCode::WRONG_ARGUMENTS);
    }
    std::string key = warehouse_.key;
    for (const auto& level : *levels) key = Join(key, level);
    return key;
}

std::string S3HadoopCatalog::TableKey(const std::string& ns, const std::string& table) const {
    if (!IsPlainName(table) || IsHidden(table)) {
        throw CatalogError("Iceberg catalog '" + name() + "': '" + table +
                               "' is not a valid table name for a hadoop catalog (it must be a plain directory name)",
                           ErrorCode::WRONG_ARGUMENTS);
    }
    auto ns_key = NamespaceKey(ns);
    if (!ns_key) {
        throw CatalogError("Iceberg catalog '" + name() + "' has no namespace '" + ns + "'",
                           ErrorCode::UNKNOWN_DATABASE);
    }
    return Join(*ns_key, table);
}

std::optional<std::string> S3HadoopCatalog::CurrentMetadataFileName(const std::string& table_key) const {
    std::string metadata_key = Join(table_key, "metadata");
    std::set<std::string> names = List(metadata_key).files;
    std::optional<std::string> hint;
    for (std::string_view file : kHintFiles) {
        if (!names.count(std::string(file))) continue;
        std::string text =
            client_.Get(S3Location{warehouse_.scheme, warehouse_.bucket, Join(metadata_key, std::string(file))});
        if (!Trim(text).empty()) {
            hint = std::string(Trim(text));
            break;
        }
    }
    auto last_updated_ms = [&](const std::string& name) -> int64_t {
        S3Location location{warehouse_.scheme, warehouse_.bucket, Join(metadata_key, name)};
        try {
            return LastUpdatedMs(client_.Get(location), location.Url());
        } catch (const IOError&) {
            return -1;
        }
    };
    return ChooseCurrentMetadataFile(names, hint, last_updated_ms);
}

std::vector<std::string> S3HadoopCatalog::ListNamespaces() {
    std::vector<std::string> out;
    auto walk = [&](auto& self, const std::string& key, const std::string& prefix, int depth) -> void {
        for (const auto& level : List(key).directories) {
            std::string child = Join(key, level);
            if (IsTableDir(child)) continue;
            std::string ns = prefix.empty() ? level : prefix + "." + level;
            out.push_back(ns);
            if (depth + 1 < kMaxNamespaceDepth) self(self, child, ns, depth + 1);
        }
    };
    walk(walk, warehouse_.key, "", 0);
    std::sort(out.begin(), out.end());
    return out;
}

bool S3HadoopCatalog::NamespaceExists(const std::string& ns) {
    return NamespaceKey(ns).has_value();
}

std::vector<std::string> S3HadoopCatalog::ListTables(const std::string& ns) {
    auto key = NamespaceKey(ns);
    if (!key) {
        throw CatalogError("Iceberg catalog '" + name() + "' has no namespace '" + ns + "'",
                           ErrorCode::UNKNOWN_DATABASE);
    }
    std::vector<std::string> out;
    for (const auto& table : List(*key).directories) {
        if (IsTableDir(Join(*key, table))) out.push_back(table);
    }
    return out;
}

std::optional<std::string> S3HadoopCatalog::TableMetadataLocation(const std::string& ns, const std::string& table) {
    if (!IsPlainName(table) || IsHidden(table)) return std::nullopt;
    auto ns_key = NamespaceKey(ns);
    if (!ns_key) return std::nullopt;
    std::string table_key = Join(*ns_key, table);
    auto file = CurrentMetadataFileName(table_key);
    if (!file) return std::nullopt;
    return Url(Join(Join(table_key, "metadata"), *file));
}

void S3HadoopCatalog::CreateNamespace(const std::string& ns, const std::map<std::string, std::string>& properties) {
    (void)properties;  // a prefix has nowhere to keep them
    std::string key = NamespaceKeyFor(ns);
    if (HasAnything(key)) {
        throw CatalogError("Iceberg catalog '" + name() +
                               "': " + (IsTableDir(key) ? "a table" : std::string("namespace '") + ns + "'") +
                               " already exists at '" + Url(key) + "'",
                           ErrorCode::DATABASE_EXISTS);
    }
    // A marker for each level, as mkdir -p makes each directory: dropping "a.b" later leaves "a".
    for (size_t at = warehouse_.key.empty() ? 0 : warehouse_.key.size() + 1; at <= key.size(); ++at) {
        if (at != key.size() && key[at] != '/') continue;
        S3Location marker{warehouse_.scheme, warehouse_.bucket, key.substr(0, at) + "/"};
        if (at == key.size() || !client_.HeadIfExists(marker)) client_.Put(marker, "");
    }
}

void S3HadoopCatalog::DropNamespace(const std::string& ns) {
    auto key = NamespaceKey(ns);
    if (!key) {
        throw CatalogError("Iceberg catalog '" + name() + "' has no namespace '" + ns + "'",
                           ErrorCode::DATABASE_NOT_EXISTS);
    }
    Listing listing = List(*key);
    listing.files.erase("");
    if (!listing.files.empty() || !listing.directories.empty()) {
        bool has_tables = !ListTables(ns).empty();
        throw CatalogError("Iceberg catalog '" + name() + "': namespace '" + ns + "' is not empty" +
                               (has_tables ? " (it holds tables)" : " ('" + Url(*key) + "/' holds other objects)"),
                           ErrorCode::WRONG_ARGUMENTS);
    }
    client_.Delete(S3Location{warehouse_.scheme, warehouse_.bucket, *key + "/"});
}

std::string S3HadoopCatalog::DefaultTableLocation(const std::string& ns, const std::string& table) {
    if (!IsPlainName(table) || IsHidden(table)) {
        throw CatalogError("Iceberg catalog '" + name() + "': '" + table +
                               "' is not a valid table name for a hadoop catalog (it must be a plain directory name)",
                           ErrorCode::WRONG_ARGUMENTS);
    }
    return Url(Join(NamespaceKeyFor(ns), table));
}

std::string S3HadoopCatalog::CommitTable(const TableCommit& commit) {
    if (!commit.metadata) throw InternalError("Iceberg commit without metadata");
    const std::string what = "Iceberg catalog '" + name() + "': table '" + commit.ns + "." + commit.table + "'";
    std::string table_key = TableKey(commit.ns, commit.table);
    std::string metadata_key = Join(table_key, "metadata");
    auto same_object = [&](const std::string& a, const std::string& b) {
        if (!IsS3Path(a) || !IsS3Path(b)) return false;
        S3Location x = S3Location::Parse(a), y = S3Location::Parse(b);
        return x.bucket == y.bucket && x.key == y.key;  // s3:// and s3a:// name the same object
    };

    uint64_t version = 0;
    if (!commit.base_location) {
        std::string location = commit.metadata->location;
        while (!location.empty() && location.back() == '/') location.pop_back();
        if (!same_object(location, Url(table_key))) {
            throw NotSupportedError(what + ": a hadoop catalog keeps each table at <warehouse>/<namespace>/<table> ('" +
                                    Url(table_key) + "'), so it cannot be created at '" + commit.metadata->location +
                                    "'");
        }
        if (IsTableDir(table_key)) throw CommitFailedError(what + " already exists");
    } else {
        auto current = CurrentMetadataFileName(table_key);
        if (!current) throw CommitFailedError(what + " no longer exists");
        if (!same_object(*commit.base_location, Url(Join(metadata_key, *current)))) {
            throw CommitFailedError(what + " has changed: its current metadata is '" + *current + "', not '" +
                                    *commit.base_location + "'");
        }
        std::string base_name = commit.base_location->substr(commit.base_location->rfind('/') + 1);
        version = MetadataVersion(base_name).value_or(0);
    }

    std::string file = "v" + std::to_string(version + 1) + ".metadata.json";
    std::string path = Url(Join(metadata_key, file));
    if (!S3FileSystem(client_.config()).CreateIfAbsent(path, SerializeTableMetadata(*commit.metadata))) {
        throw CommitFailedError(what + " has changed: another writer committed '" + file + "' first");
    }
    // Best effort, as in Iceberg Java: readers probe past a lagging hint.
    try {
        client_.Put(S3Location{warehouse_.scheme, warehouse_.bucket, Join(metadata_key, "version-hint.text")},
                    std::to_string(version + 1));
    } catch (const IOError&) {
    }
    return path;
}

void S3HadoopCatalog::DropTable(const std::string& ns, const std::string& table) {
    if (!TableMetadataLocation(ns, table)) {
        throw CatalogError("Iceberg catalog '" + name() + "' has no table '" + ns + "." + table + "'",
                           ErrorCode::UNKNOWN_TABLE);
    }
    std::string metadata_key = Join(TableKey(ns, table), "metadata");
    std::vector<std::string> keys;
    for (const auto& object : client_.ListAll(warehouse_.bucket, metadata_key + "/")) keys.push_back(object.key);
    if (!keys.empty()) client_.DeleteObjects(warehouse_.bucket, keys);
}

}  // namespace floe::iceberg
