#pragma once
/// Materialized views at run time: the instance's task scheduler (mv/task_scheduler.h) and the
/// executor of its runs — SUBMIT TASK statements and MV refreshes — plus the watcher that keeps
/// MVs honest: it re-validates MVs when their base tables change (inactive with the reason when
/// the definition no longer binds or no longer yields the MV's columns; active again by itself
/// once it does), and triggers refreshes of ASYNC MVs whose bases changed.
///
/// A refresh reads the bases' state first, then runs the MV's query as the MV's creator and
/// writes the result with INSERT OVERWRITE semantics: the whole MV, or — for an MV partitioned
/// by a base table's partition column (or date_trunc of it) — only the MV partitions whose base
/// partitions changed. The data and the new base state commit in one meta-store transaction, so
/// readers see a partition's old or new contents, never half, and a crash never records a state
/// the data does not have.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "binder/bound_query.h"
#include "mv/mv_state.h"
#include "mv/task_scheduler.h"

namespace floe {

struct IncrementalBase;
struct QueryDescription;
struct TableSchema;

class Instance;
class Session;

class MvService : public TaskExecutor {
  public:
    explicit MvService(Instance& instance);
    ~MvService() override;
    void Start();
    void Stop();
    TaskScheduler& scheduler() { return *scheduler_; }

    void Execute(const TaskInfo& task, TaskRunInfo& run, const std::function<void(const std::string&)>& progress,
                 const std::function<void(std::function<void()>)>& set_cancel) override;

    /// The name of an MV's refresh task ("mv-<id>").
    static std::string TaskName(int64_t mv_id);
    /// Creates (or updates) the refresh task of an MV from its refresh scheme.
    void SyncTask(const MaterializedViewInfo& mv);
    /// Whether the MV's definition still binds and yields its columns; empty when it does, else
    /// the reason. Activates or deactivates the MV accordingly (never one a user deactivated).
    /// `submit_refresh`: an MV that comes back gets a refresh queued (not when a refresh asks).
    std::string Revalidate(const MaterializedViewInfo& mv, bool submit_refresh = true);
    /// The MV's freshness against its bases (external ones through the instance's catalogs).
    mv::Freshness CheckFreshness(const MaterializedViewInfo& mv);
    /// A session acting as `user_host` ("user@host"), in `database`.
    std::unique_ptr<Session> InternalSession(const std::string& user_host, const std::string& database);

  private:
    void Refresh(const TaskInfo& task, TaskRunInfo& run, Session& session,
                 const std::function<void(const std::string&)>& progress);
    /// The incremental path of Refresh (server/mv_incremental.h): true when it refreshed the MV,
    /// false with `why_not` when the refresh must recompute instead.
    bool RefreshIncrementally(const MaterializedViewInfo& mv, TaskRunInfo& run, Session& session,
                              const QueryDescription& desc, const mv::Freshness& diff,
                              const std::vector<MvBasePartition>& state, const TableSchema& schema,
                              const IncrementalBase& base, MvRefreshRecord& record, const std::string& target,
                              std::string& why_not);
    void RunSql(const TaskInfo& task, TaskRunInfo& run, Session& session);
    void WatchLoop();

    Instance& instance_;
    std::unique_ptr<TaskScheduler> scheduler_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread watcher_;
};

}  // namespace floe
