#include "lake/iceberg/hadoop_catalog.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <string_view>

#include "common/exception.h"
#include "io/file_roots.h"
#include "io/file_system.h"
#include "lake/iceberg/hadoop_layout.h"
#include "lake/iceberg/metadata_writer.h"
#include "lake/iceberg/table_metadata.h"

namespace floe::iceberg {

namespace fs = std::filesystem;
using namespace hadoop_layout;

namespace {

/// How deep ListNamespaces descends (a guard against symlink loops, not a real limit).
constexpr int kMaxNamespaceDepth = 16;

/// The names of the visible regular files in `dir` (symlinks followed).
std::set<std::string> FileNames(const fs::path& dir) {
    std::set<std::string> names;
    std::error_code ec;
    fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
    if (ec) throw IOError("cannot list Iceberg metadata directory '" + dir.string() + "': " + ec.message());
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec) throw IOError("cannot list Iceberg metadata directory '" + dir.string() + "': " + ec.message());
        std::error_code type_ec;
        if (!it->is_regular_file(type_ec)) continue;
        std::string name = it->path().filename().string();
        if (!IsHidden(name)) names.insert(std::move(name));
    }
    return names;
}

/// Whether `dir` is an Iceberg table: its metadata/ holds a version hint or a metadata file.
bool IsTableDir(const fs::path& dir) {
    std::error_code ec;
    fs::path metadata = dir / "metadata";
    if (!fs::is_directory(metadata, ec)) return false;
    fs::directory_iterator it(metadata, fs::directory_options::skip_permission_denied, ec);
    if (ec) return false;
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec) return false;
        std::string name = it->path().filename().string();
        if (MetadataStem(name) || IsHintFile(name)) return true;
    }
    return false;
}

/// The trimmed text of the first non-empty version hint, or nullopt.
std::optional<std::string> ReadHint(const fs::path& metadata_dir) {
    for (std::string_view file : kHintFiles) {
        std::ifstream in(metadata_dir / file, std::ios::binary);
        if (!in) continue;
        std::string text(4096, '\0');
        in.read(text.data(), static_cast<std::streamsize>(text.size()));
        text.resize(static_cast<size_t>(in.gcount()));
        std::string_view trimmed = Trim(text);
        if (!trimmed.empty()) return std::string(trimmed);
    }
    return std::nullopt;
}

/// The file name of the current metadata file in `metadata_dir`; throws IOError when none.
std::string CurrentMetadataFileName(const fs::path& table_dir) {
    fs::path metadata_dir = table_dir / "metadata";
    std::error_code ec;
    if (!fs::is_directory(metadata_dir, ec)) {
        throw IOError("'" + table_dir.string() + "' is not an Iceberg table: it has no metadata directory");
    }
    std::set<std::string> names = FileNames(metadata_dir);
    auto last_updated_ms = [&](const std::string& name) -> int64_t {
        fs::path file = metadata_dir / name;
        std::ifstream in(file, std::ios::binary);
        if (!in) return -1;
        return LastUpdatedMs(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()),
                             file.string());
    };
    if (auto file = ChooseCurrentMetadataFile(names, ReadHint(metadata_dir), last_updated_ms)) return *file;
    throw IOError("'" + table_dir.string() + "' is not an Iceberg table: '" + metadata_dir.string() +
                  "' holds no *.metadata.json file");
}

/// `path` as a local path: "file:///x" and "file:/x" become "/x"; other URLs are refused.
std::string LocalWarehouse(const std::string& catalog, const std::string& warehouse) {
    std::string local = warehouse;
    if (local.rfind("file://", 0) == 0) {
        local.erase(0, 7);
        if (local.rfind("localhost/", 0) == 0) local.erase(0, 9);
    } else if (local.rfind("file:", 0) == 0) {
        local.erase(0, 5);
    } else if (size_t colon = local.find(':'); colon != std::string::npos && colon > 1 && local.find('/') > colon &&
                                               std::isalpha(static_cast<unsigned char>(local[0]))) {
        throw NotSupportedError("Iceberg catalog '" + catalog + "': warehouse '" + warehouse +
                                "' is not supported yet; a hadoop catalog's warehouse must be a local directory");
    }
    while (local.size() > 1 && local.back() == '/') local.pop_back();
    if (local.empty()) {
        throw BinderError("Iceberg catalog '" + catalog + "': 'iceberg.catalog.warehouse' is empty",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    return local;
}

/// The levels of a dotted namespace name ("a.b" -> a/b); nullopt when a level is not a plain name.
std::optional<fs::path> NamespacePathLevels(const std::string& ns) {
    auto levels = NamespaceLevels(ns);
    if (!levels) return std::nullopt;
    fs::path path;
    for (const auto& level : *levels) path /= level;
    return path;
}

}  // namespace

std::string ResolveCurrentMetadataFile(const std::string& table_dir) {
    std::string dir = table_dir;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    return dir + "/metadata/" + CurrentMetadataFileName(dir);
}

HadoopCatalog::HadoopCatalog(std::string name, CatalogProperties properties)
    : IcebergCatalog(std::move(name)), properties_(std::move(properties)) {
    warehouse_ = LocalWarehouse(this->name(), properties_.warehouse);
}

fs::path HadoopCatalog::Warehouse() const {
    fs::path dir = FileRoots::Check(warehouse_);
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        throw IOError("Iceberg catalog '" + name() + "': warehouse '" + warehouse_ + "' is not a directory");
    }
    return dir;
}

std::optional<fs::path> HadoopCatalog::NamespaceDir(const std::string& ns) const {
    if (ns.empty()) return std::nullopt;
    fs::path warehouse = Warehouse();
    auto usable = [&](const fs::path& relative) {
        std::error_code ec;
        fs::path dir = warehouse / relative;
        if (!fs::is_directory(dir, ec) || IsTableDir(dir)) return false;
        FileRoots::Check(dir.string());  // a symlink must not lead out of the roots
        return true;
    };
    if (IsPlainName(ns) && usable(fs::path(ns))) return fs::path(ns);
    auto levels = NamespacePathLevels(ns);
    if (levels && *levels != fs::path(ns) && usable(*levels)) return levels;
    return std::nullopt;
}

fs::path HadoopCatalog::NamespacePath(const std::string& ns) const {
    std::error_code ec;
    if (fs::is_directory(FileRoots::Check(warehouse_), ec)) {
        if (auto existing = NamespaceDir(ns)) return *existing;
    }
    auto levels = NamespacePathLevels(ns);
    if (!levels) {
        throw CatalogError("Iceberg catalog '" + name() + "': '" + ns +
                               "' is not a valid namespace name for a hadoop catalog (each dot-separated level "
                               "must be a plain directory name)",
                           ErrorCode::WRONG_ARGUMENTS);
    }
    return *levels;
}

fs::path HadoopCatalog::TableDir(const std::string& ns, const std::string& table) const {
    if (!IsPlainName(table) || IsHidden(table)) {
        throw CatalogError("Iceberg catalog '" + name() + "': '" + table +
                               "' is not a valid table name for a hadoop catalog (it must be a plain directory name)",
                           ErrorCode::WRONG_ARGUMENTS);
    }
    auto relative = NamespaceDir(ns);
    if (!relative) {
        throw CatalogError("Iceberg catalog '" + name() + "' has no namespace '" + ns + "'",
                           ErrorCode::UNKNOWN_DATABASE);
    }
    return *relative / table;
}

std::vector<std::string> HadoopCatalog::ListNamespaces() {
    std::vector<std::string> out;
    fs::path warehouse = Warehouse();
    auto walk = [&](auto& self, const fs::path& dir, const std::string& prefix, int depth) -> void {
        std::error_code ec;
        fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
        if (ec) throw IOError("Iceberg catalog '" + name() + "': cannot list '" + dir.string() + "': " + ec.message());
        for (; it != fs::directory_iterator(); it.increment(ec)) {
            if (ec) {
                throw IOError("Iceberg catalog '" + name() + "': cannot list '" + dir.string() + "': " + ec.message());
            }
            std::error_code type_ec;
            if (!it->is_directory(type_ec)) continue;
            std::string level = it->path().filename().string();
            if (IsHidden(level) || IsTableDir(it->path())) continue;
            if (it->is_symlink(type_ec)) {
                try {
                    FileRoots::Check(it->path().string());
                } catch (const PermissionError&) {
                    continue;  // leads out of the file roots: not part of this warehouse
                }
            }
            std::string ns = prefix.empty() ? level : prefix + "." + level;
            out.push_back(ns);
            if (depth + 1 < kMaxNamespaceDepth) self(self, it->path(), ns, depth + 1);
        }
    };
    walk(walk, warehouse, "", 0);
    std::sort(out.begin(), out.end());
    return out;
}

bool HadoopCatalog::NamespaceExists(const std::string& ns) {
    return NamespaceDir(ns).has_value();
}

std::vector<std::string> HadoopCatalog::ListTables(const std::string& ns) {
    auto relative = NamespaceDir(ns);
    if (!relative) {
        throw CatalogError("Iceberg catalog '" + name() + "' has no namespace '" + ns + "'",
                           ErrorCode::UNKNOWN_DATABASE);
    }
    fs::path dir = Warehouse() / *relative;
    std::vector<std::string> out;
    std::error_code ec;
    fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
    if (ec) throw IOError("Iceberg catalog '" + name() + "': cannot list '" + dir.string() + "': " + ec.message());
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec) throw IOError("Iceberg catalog '" + name() + "': cannot list '" + dir.string() + "': " + ec.message());
        std::error_code type_ec;
        if (!it->is_directory(type_ec)) continue;
        std::string table = it->path().filename().string();
        if (!IsHidden(table) && IsTableDir(it->path())) out.push_back(std::move(table));
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::optional<std::string> HadoopCatalog::TableMetadataLocation(const std::string& ns, const std::string& table) {
    if (!IsPlainName(table)) return std::nullopt;
    auto relative = NamespaceDir(ns);
    if (!relative) return std::nullopt;
    fs::path dir = Warehouse() / *relative / table;
    if (!IsTableDir(dir)) return std::nullopt;
    FileRoots::Check(dir.string());
    std::string file = CurrentMetadataFileName(dir);
    std::string location = warehouse_ == "/" ? "" : warehouse_;
    return location + "/" + relative->generic_string() + "/" + table + "/metadata/" + file;
}

}  // namespace floe::iceberg

namespace floe::iceberg {

void HadoopCatalog::CreateNamespace(const std::string& ns, const std::map<std::string, std::string>& properties) {
    (void)properties;  // a directory has nowhere to keep them (Iceberg Java refuses them; DDL may pass comments)
    fs::path relative = NamespacePath(ns);
    fs::path dir = fs::path(FileRoots::Check(warehouse_)) / relative;
    std::error_code ec;
    if (fs::exists(dir, ec)) {
        throw CatalogError("Iceberg catalog '" + name() +
                               "': " + (IsTableDir(dir) ? "a table" : std::string("namespace '") + ns + "'") +
                               " already exists at '" + dir.string() + "'",
                           ErrorCode::DATABASE_EXISTS);
    }
    FileRoots::Check(dir.string());
    fs::create_directories(dir, ec);
    if (ec) {
        throw IOError("Iceberg catalog '" + name() + "': cannot create namespace directory '" + dir.string() +
                      "': " + ec.message());
    }
}

void HadoopCatalog::DropNamespace(const std::string& ns) {
    auto relative = NamespaceDir(ns);
    if (!relative) {
        throw CatalogError("Iceberg catalog '" + name() + "' has no namespace '" + ns + "'",
                           ErrorCode::DATABASE_NOT_EXISTS);
    }
    fs::path dir = Warehouse() / *relative;
    FileRoots::Check(dir.string());
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) throw IOError("Iceberg catalog '" + name() + "': cannot list '" + dir.string() + "': " + ec.message());
    if (it != fs::directory_iterator()) {
        bool has_tables = !ListTables(ns).empty();
        throw CatalogError("Iceberg catalog '" + name() + "': namespace '" + ns + "' is not empty" +
                               (has_tables ? " (it holds tables)" : " ('" + dir.string() + "' holds other files)"),
                           ErrorCode::WRONG_ARGUMENTS);
    }
    if (!fs::remove(dir, ec) || ec) {
        throw IOError("Iceberg catalog '" + name() + "': cannot remove namespace directory '" + dir.string() +
                      "': " + (ec ? ec.message() : std::string("it is gone")));
    }
}

std::string HadoopCatalog::DefaultTableLocation(const std::string& ns, const std::string& table) {
    if (!IsPlainName(table) || IsHidden(table)) {
        throw CatalogError("Iceberg catalog '" + name() + "': '" + table +
                               "' is not a valid table name for a hadoop catalog (it must be a plain directory name)",
                           ErrorCode::WRONG_ARGUMENTS);
    }
    std::string base = warehouse_ == "/" ? "" : warehouse_;
    return base + "/" + NamespacePath(ns).generic_string() + "/" + table;
}

std::string HadoopCatalog::CommitTable(const TableCommit& commit) {
    if (!commit.metadata) throw InternalError("Iceberg commit without metadata");
    const std::string what = "Iceberg catalog '" + name() + "': table '" + commit.ns + "." + commit.table + "'";
    fs::path relative = TableDir(commit.ns, commit.table);
    fs::path table_dir = Warehouse() / relative;
    FileRoots::Check(table_dir.string());
    std::string shown_dir = (warehouse_ == "/" ? "" : warehouse_) + "/" + relative.generic_string();

    uint64_t version = 0;
    if (!commit.base_location) {
        if (PlainLocation(commit.metadata->location) != PlainLocation(shown_dir)) {
            throw NotSupportedError(what + ": a hadoop catalog keeps each table at <warehouse>/<namespace>/<table> ('" +
                                    shown_dir + "'), so it cannot be created at '" + commit.metadata->location + "'");
        }
        if (IsTableDir(table_dir)) throw CommitFailedError(what + " already exists");
    } else {
        std::string current;
        try {
            current = ResolveCurrentMetadataFile(table_dir.string());
        } catch (const IOError&) {
            throw CommitFailedError(what + " no longer exists");
        }
        fs::path base(*commit.base_location);
        bool same_file =
            base.filename() == fs::path(current).filename() &&
            FileRoots::Check(base.parent_path().string()) == FileRoots::Check((table_dir / "metadata").string());
        if (!same_file) {
            throw CommitFailedError(what + " has changed: its current metadata is '" +
                                    fs::path(current).filename().string() + "', not '" + base.filename().string() +
                                    "'");
        }
        version = MetadataVersion(base.filename().string()).value_or(0);
    }

    std::string file = "v" + std::to_string(version + 1) + ".metadata.json";
    std::string path = (table_dir / "metadata" / file).string();
    if (!FileSystemFor(path).CreateIfAbsent(path, SerializeTableMetadata(*commit.metadata))) {
        throw CommitFailedError(what + " has changed: another writer committed '" + file + "' first");
    }
    // Best effort, as in Iceberg Java: readers probe past a lagging hint, so a failure here only
    // costs them a probe.
    try {
        WriteWholeFile((table_dir / "metadata" / "version-hint.text").string(), std::to_string(version + 1));
    } catch (const IOError&) {
    }
    return shown_dir + "/metadata/" + file;
}

void HadoopCatalog::DropTable(const std::string& ns, const std::string& table) {
    if (!TableMetadataLocation(ns, table)) {
        throw CatalogError("Iceberg catalog '" + name() + "' has no table '" + ns + "." + table + "'",
                           ErrorCode::UNKNOWN_TABLE);
    }
    fs::path table_dir = Warehouse() / TableDir(ns, table);
    fs::path metadata = fs::path(FileRoots::Check(table_dir.string())) / "metadata";
    std::error_code ec;
    fs::remove_all(metadata, ec);
    if (ec) {
        throw IOError("Iceberg catalog '" + name() + "': cannot remove '" + metadata.string() + "': " + ec.message());
    }
    fs::remove(table_dir, ec);  // only when empty: data files not purged keep it
}

}  // namespace floe::iceberg
