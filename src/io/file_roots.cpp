#include "io/file_roots.h"

#include <filesystem>
#include <mutex>

#include "common/exception.h"

namespace floe {

namespace {

namespace fs = std::filesystem;

struct RootState {
    std::mutex mutex;
    bool configured = false;
    std::vector<fs::path> roots;
    fs::path data_dir;
};

RootState& State() {
    static RootState state;
    return state;
}

/// `path` absolute, with symlinks resolved as far as it exists and the rest normalized.
fs::path Resolve(const fs::path& path) {
    std::error_code ec;
    fs::path absolute = fs::absolute(path, ec);
    if (ec) return {};
    fs::path resolved = fs::weakly_canonical(absolute, ec);
    if (ec) return absolute.lexically_normal();
    return resolved;
}

/// Whether `path` is `dir` or lies below it (both canonical).
bool Within(const fs::path& path, const fs::path& dir) {
    auto p = path.begin();
    for (auto d = dir.begin(); d != dir.end(); ++d, ++p) {
        if (d->empty()) continue;  // a trailing separator
        if (p == path.end() || *p != *d) return false;
    }
    return true;
}

}  // namespace

void FileRoots::Configure(const std::vector<std::string>& roots, const std::string& data_dir) {
    RootState& state = State();
    std::lock_guard<std::mutex> lock(state.mutex);
    state.roots.clear();
    for (const auto& root : roots) {
        if (root.empty()) continue;
        std::error_code ec;
        fs::create_directories(root, ec);
        fs::path resolved = Resolve(root);
        if (resolved.empty() || !fs::is_directory(resolved, ec)) {
            throw IOError("file root '" + root + "' is not a directory that can be used");
        }
        state.roots.push_back(resolved);
    }
    state.data_dir = Resolve(data_dir);
    state.configured = true;
}

std::vector<std::string> FileRoots::Roots() {
    RootState& state = State();
    std::lock_guard<std::mutex> lock(state.mutex);
    std::vector<std::string> out;
    for (const auto& r : state.roots) out.push_back(r.string());
    return out;
}

std::string FileRoots::Check(std::string_view path) {
    std::string_view local = path;
    if (local.rfind("file://", 0) == 0) local.remove_prefix(7);
    RootState& state = State();
    std::lock_guard<std::mutex> lock(state.mutex);
    auto denied = [&](const std::string& why) -> PermissionError {
        std::string roots;
        for (const auto& r : state.roots) roots += (roots.empty() ? "" : ", ") + r.string();
        return PermissionError("Access denied to '" + std::string(path) + "': " + why + " (file roots: " +
                                   (roots.empty() ? std::string("none") : roots) + "; see --file-roots)",
                               ErrorCode::FILE_ACCESS_DENIED);
    };
    if (local.empty()) throw denied("an empty path");
    if (local.find('\0') != std::string_view::npos) throw denied("the path holds a NUL byte");
    if (!state.configured || state.roots.empty()) throw denied("no file roots are configured");
    fs::path resolved = Resolve(fs::path(std::string(local)));
    if (resolved.empty()) throw denied("the path cannot be resolved");
    for (const auto& root : state.roots) {
        if (!Within(resolved, root)) continue;
        // The data directory is Floe's own: reachable only through a root inside it.
        if (!state.data_dir.empty() && Within(resolved, state.data_dir) &&
            !(Within(root, state.data_dir) && root != state.data_dir)) {
            continue;
        }
        return resolved.string();
    }
    throw denied("it is not under a file root");
}

}  // namespace floe
