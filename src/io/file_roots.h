#pragma once
/// Where the local paths users name may lead. Every local path Floe opens, lists, writes or
/// deletes on a user's behalf (FILES(), INSERT INTO FILES(), and later Iceberg warehouses and the
/// paths inside Iceberg metadata) passes Check() first: the path is resolved (symlinks and `..`
/// followed, as far as it exists) and must then lie under one of the configured roots
/// (`--file-roots`), and never inside the data directory, unless a root is itself inside it (the
/// default root, <data-dir>/import). The roots are set once at start and cannot change at run
/// time. Until Configure() is called no path is allowed.

#include <string>
#include <string_view>
#include <vector>

namespace floe {

class FileRoots {
  public:
    /// Installs the roots and the data directory (each made absolute and canonical; missing roots
    /// are created). Throws IOError for a root that cannot be used.
    static void Configure(const std::vector<std::string>& roots, const std::string& data_dir);
    /// The canonical local path of `path` (a plain path or a file:// URL). Throws PermissionError
    /// (1290) naming the path when it resolves outside every root or into the data directory.
    static std::string Check(std::string_view path);
    /// The configured roots, canonical.
    static std::vector<std::string> Roots();
    /// The default root inside a data directory.
    static std::string DefaultRoot(const std::string& data_dir) { return data_dir + "/import"; }
};

}  // namespace floe
