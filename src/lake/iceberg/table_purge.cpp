#include "lake/iceberg/table_purge.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "common/exception.h"
#include "common/logging.h"
#include "io/file_roots.h"
#include "io/file_system.h"
#include "lake/iceberg/iceberg_table.h"
#include "lake/iceberg/table_transaction.h"

namespace floe::iceberg {

namespace {

/// A location without a file: scheme and trailing '/'.
std::string PlainPath(std::string p) {
    if (p.rfind("file://", 0) == 0) p = p.substr(7);
    if (p.rfind("file:", 0) == 0) p = p.substr(5);
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return p;
}

}  // namespace

std::vector<std::string> FilesToPurge(const std::string& metadata_location, const TableMetadata& metadata) {
    std::string root = PlainPath(metadata.location) + "/";
    std::set<std::string> files;
    auto add = [&](const std::string& path) {
        if (PlainPath(path).rfind(root, 0) == 0) files.insert(path);
    };
    add(metadata_location);
    for (const auto& entry : metadata.metadata_log) add(entry.metadata_file);
    add(root + "metadata/version-hint.text");
    for (const Snapshot& snapshot : metadata.snapshots) {
        if (!snapshot.manifest_list.empty()) add(snapshot.manifest_list);
        try {
            for (const ManifestFile& manifest : ReadSnapshotManifests(metadata, snapshot)) {
                add(manifest.path);
                for (const auto& entry : ReadManifest(ReadFileBytes(manifest.path), manifest.path, manifest)) {
                    add(entry.file.file_path);
                }
            }
        } catch (const Exception& e) {
            Log::Warn("iceberg.purge_incomplete", {{"table", metadata.location}, {"error", e.what()}});
        }
    }
    return {files.begin(), files.end()};
}

size_t PurgeFiles(const std::vector<std::string>& files, const std::string& location) {
    size_t deleted = 0;
    for (const std::string& path : files) {
        try {
            FileSystemFor(path).Delete({path});
            ++deleted;
        } catch (const Exception& e) {
            Log::Warn("iceberg.purge_failed", {{"path", path}, {"error", e.what()}});
        }
    }
    std::string root = PlainPath(location);
    if (root.find("://") != std::string::npos || root.empty() || root[0] != '/') return deleted;
    try {
        std::filesystem::path dir(FileRoots::Check(root));
        std::error_code ec;
        std::vector<std::filesystem::path> dirs;
        for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
             !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
            if (it->is_directory(ec) && !it->is_symlink(ec)) dirs.push_back(it->path());
        }
        std::sort(dirs.rbegin(), dirs.rend());                      // children before their parents
        for (const auto& d : dirs) std::filesystem::remove(d, ec);  // only empty ones go
        std::filesystem::remove(dir, ec);
    } catch (const Exception& e) {
        Log::Warn("iceberg.purge_failed", {{"path", root}, {"error", e.what()}});
    }
    return deleted;
}

}  // namespace floe::iceberg
