#include "server/instance.h"
#include "server/lake_maintenance.h"
#include "server/mv_service.h"
#include "server/tiering_service.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "common/exception.h"
#include "common/logging.h"
#include "io/data_cache.h"
#include "io/file_roots.h"
#include "server/session.h"
#include "storage/segment.h"

namespace floe {

Instance::Instance(InstanceOptions options) : options_(std::move(options)) {
    std::error_code ec;
    std::filesystem::create_directories(options_.data_dir, ec);
    if (ec) throw IOError("cannot create data directory '" + options_.data_dir + "': " + ec.message());
    std::string lock_path = options_.data_dir + "/LOCK";
    lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0) throw IOError("cannot open '" + lock_path + "': " + std::strerror(errno));
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        char pid[32] = {0};
        ssize_t n = ::pread(lock_fd_, pid, sizeof(pid) - 1, 0);
        ::close(lock_fd_);
        lock_fd_ = -1;
        if (err == EWOULDBLOCK) {
            throw IOError("data directory '" + options_.data_dir + "' is locked by another Floe process" +
                          (n > 0 ? " (pid " + std::string(pid, strnlen(pid, sizeof(pid))) + ")" : std::string()));
        }
        throw IOError("cannot lock '" + lock_path + "': " + std::strerror(err));
    }
    std::string pid = std::to_string(::getpid());
    if (::ftruncate(lock_fd_, 0) == 0) {
        [[maybe_unused]] ssize_t w = ::pwrite(lock_fd_, pid.data(), pid.size(), 0);
    }
    catalog_ = Catalog::Open(options_.data_dir);
    access_ = std::make_unique<AccessControl>(*catalog_);
    audit_ = std::make_unique<AuditLog>(options_.data_dir);
    metrics_ = std::make_unique<ServerMetrics>();
    external_catalogs_ = std::make_unique<ExternalCatalogs>(*catalog_);
    std::string data_dir = options_.data_dir;
    {
        // Users' local paths lead only under the file roots (the import folder by default).
        std::vector<std::string> roots = options_.file_roots;
        if (roots.empty()) roots.push_back(FileRoots::DefaultRoot(data_dir));
        FileRoots::Configure(roots, data_dir);
        std::string shown;
        for (const auto& r : FileRoots::Roots()) shown += (shown.empty() ? "" : ",") + r;
        Log::Info("instance.file_roots", {{"roots", shown}});
    }
    catalog_->SetFileRemover([data_dir](const std::string& path) { RemoveSegmentFile(data_dir + "/" + path); });
    loads_ = std::make_unique<LoadManager>(*catalog_, options_.data_dir);
    compactor_ = std::make_unique<Compactor>(*catalog_, *loads_, options_.data_dir);
    loads_->SetCommitListener([c = compactor_.get()](int64_t table_id) { c->Notify(table_id); });
    compactor_->Start();
    stream_loads_ = std::make_unique<StreamLoader>(*catalog_, *loads_, options_.data_dir);
    stream_loads_->set_block_bytes(options_.stream_load_block_bytes);
    SweepUnreferencedSegments();
    routine_loads_ =
        std::make_unique<RoutineLoadManager>(*catalog_, *loads_, options_.data_dir, external_catalogs_.get());
    routine_loads_->Start();
    // The data cache's disk tier (remote files' blocks) lives under the data directory and
    // survives restarts; the global variables then apply its limits.
    DataCache::Global().Open(options_.data_dir + "/datacache");
    globals_ = std::make_unique<GlobalVariables>(*catalog_);
    tiering_ = std::make_unique<TieringService>(*this);
    lake_ = std::make_unique<LakeMaintenance>(*this);
    mvs_ = std::make_unique<MvService>(*this);
    mvs_->Start();
    lake_->Start(options_.lake_maintenance_interval);
    Log::Info("instance.opened", {{"data_dir", options_.data_dir}});
}

void Instance::SweepUnreferencedSegments() {
    // Stream Load bodies spooled by loads that never finished.
    std::error_code tmp_ec;
    std::filesystem::remove_all(std::filesystem::path(options_.data_dir) / "tmp", tmp_ec);
    // Files of loads that crashed before committing, and of dropped tables, are not in the meta store.
    std::set<std::string> referenced;
    for (const auto& p : catalog_->AllRowsetPaths()) referenced.insert(p);
    std::filesystem::path root = std::filesystem::path(options_.data_dir) / "data";
    std::error_code ec;
    if (!std::filesystem::exists(root, ec)) return;
    size_t removed = 0;
    for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file()) continue;
        std::string relative = std::filesystem::relative(it->path(), options_.data_dir).string();
        if (!referenced.count(relative)) {
            std::filesystem::remove(it->path(), ec);
            ++removed;
        }
    }
    if (removed) Log::Info("storage.swept", {{"files", removed}});
}

Instance::~Instance() {
    // Background refreshes and tasks stop first: they run sessions over everything below.
    if (mvs_) mvs_->Stop();
    mvs_.reset();
    lake_.reset();
    tiering_.reset();
    routine_loads_.reset();
    stream_loads_.reset();
    compactor_.reset();
    loads_.reset();
    catalog_.reset();
    if (lock_fd_ >= 0) {
        ::flock(lock_fd_, LOCK_UN);
        ::close(lock_fd_);
    }
}

void Instance::RegisterSession(Session* session) {
    std::lock_guard<std::mutex> lock(sessions_mutex_);
    sessions_[session->connection_id()] = session;
}

void Instance::UnregisterSession(Session* session) {
    std::lock_guard<std::mutex> lock(sessions_mutex_);
    sessions_.erase(session->connection_id());
    killed_.erase(session->connection_id());
}

bool Instance::KillSession(uint32_t connection_id, bool query_only) {
    std::lock_guard<std::mutex> lock(sessions_mutex_);
    auto it = sessions_.find(connection_id);
    if (it == sessions_.end()) return false;
    it->second->Interrupt();
    if (!query_only) killed_[connection_id] = true;
    return true;
}

std::optional<std::string> Instance::SessionUser(uint32_t connection_id) {
    std::lock_guard<std::mutex> lock(sessions_mutex_);
    auto it = sessions_.find(connection_id);
    if (it == sessions_.end()) return std::nullopt;
    return it->second->user();
}

void Instance::ForEachSession(const std::function<void(Session&)>& fn) {
    std::lock_guard<std::mutex> lock(sessions_mutex_);
    for (auto& [id, s] : sessions_) fn(*s);
}

bool Instance::IsKilled(uint32_t connection_id) {
    std::lock_guard<std::mutex> lock(sessions_mutex_);
    return killed_.count(connection_id) > 0;
}

}  // namespace floe
