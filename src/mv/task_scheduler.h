#pragma once
/// The task scheduler: one queue for all background work of the instance — SUBMIT TASK's
/// statements, materialized-view refreshes, and later tier moves and lake maintenance. Tasks and
/// their runs live in the meta store (tables `tasks`, `task_runs`), so schedules and pending runs
/// survive a restart; a run that was RUNNING when the server died is queued again.
///
/// Order: a retry goes before any new run; then higher `priority`; then older submissions. At
/// most `concurrency` runs execute at once, and at most one run per task. A run submitted while
/// another run of the same task is still PENDING is MERGED into it (the pending one then runs
/// with the union of what both asked: FORCE and partition ranges widen). A failed run is retried
/// `retry_count` times, `retry_interval_seconds` apart, doubling each time.
///
/// Periodic tasks fire at start + k * interval. After a restart, overdue tasks fire once each, a
/// second apart (not all at once), and then follow their period from now.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "metastore/meta_store.h"

namespace floe {

struct TaskInfo {
    int64_t id = 0;
    std::string name;
    std::string database, catalog;
    std::string definition;        // SQL tasks: the statement; MV tasks: "REFRESH MATERIALIZED VIEW db.mv"
    std::string kind;              // "SQL" or "MV"
    int64_t mv_id = 0;             // MV tasks: the MV's id
    int64_t schedule_start = 0;    // unix seconds (0: from creation)
    int64_t interval_seconds = 0;  // 0: runs only when submitted
    int64_t priority = 0;
    int64_t retries = 0;  // retry_count
    std::map<std::string, std::string> properties;
    std::string creator;  // user@host; the run executes with this user's rights
    int64_t create_time = 0;
    std::string state = "ACTIVE";
    int64_t last_schedule = 0;  // unix seconds of the last scheduled firing
};

struct TaskRunInfo {
    int64_t id = 0;
    int64_t task_id = 0;
    std::string task_name;
    std::string query_id;
    std::string state;                                         // PENDING, RUNNING, SUCCESS, FAILED, MERGED, SKIPPED
    int64_t create_time = 0, start_time = 0, finish_time = 0;  // unix milliseconds
    std::string database, catalog, definition;
    int64_t error_code = 0;
    std::string error_message;
    std::string progress;  // "35%"
    std::string extra_message;
    std::string properties;
    int64_t attempt = 0;  // 0: first try; n: the n-th retry
    int64_t priority = 0;
    int64_t not_before = 0;  // unix milliseconds: a retry's backoff
    bool force = false;
    std::string partition_start, partition_end;
};

/// What a submission asks for.
struct TaskSubmit {
    int64_t priority = 0;
    bool force = false;
    std::string partition_start, partition_end;
};

/// Runs one task run (server side: a session as the task's creator). Throws to fail the run;
/// sets `run.state = "SKIPPED"` when there was nothing to do. `progress` reports progress text;
/// `set_cancel` registers how to interrupt the run (CANCEL, DROP TASK, shutdown).
class TaskExecutor {
  public:
    virtual ~TaskExecutor() = default;
    virtual void Execute(const TaskInfo& task, TaskRunInfo& run,
                         const std::function<void(const std::string&)>& progress,
                         const std::function<void(std::function<void()>)>& set_cancel) = 0;
};

class TaskScheduler {
  public:
    static constexpr size_t kMaxConcurrency = 32;
    /// Finished runs kept in the store (StarRocks' task_runs_max_history_number).
    static constexpr size_t kDefaultHistory = 10000;
    TaskScheduler(MetaStore& store, size_t concurrency, size_t history = kDefaultHistory);
    ~TaskScheduler();
    /// Loads the tasks and pending runs and starts the workers.
    void Start(TaskExecutor* executor);
    void Stop();

    /// Throws TABLE_EXISTS when the name is taken. Returns the task's id.
    int64_t CreateTask(TaskInfo task);
    /// Drops a task, failing its pending runs and interrupting a running one. False when missing.
    bool DropTask(const std::string& name);
    std::optional<TaskInfo> GetTask(const std::string& name);
    std::optional<TaskInfo> TaskOfMv(int64_t mv_id);
    std::vector<TaskInfo> ListTasks();
    /// Changes a task's period (0: none), from `start` (0: now).
    void SetSchedule(int64_t task_id, int64_t start, int64_t interval_seconds);
    void RenameTask(int64_t task_id, const std::string& name, const std::string& definition);

    /// Queues a run of the task (or merges it into a pending one); returns the run's id.
    int64_t Submit(int64_t task_id, const TaskSubmit& submit);
    /// Waits until the run has finished (SUCCESS, FAILED, SKIPPED, MERGED into another that
    /// finished) and returns it; `run_id` of a merged run reports the run it merged into.
    TaskRunInfo Wait(int64_t run_id);
    /// Fails the task's pending runs (and interrupts a running one when `running`). Returns how
    /// many runs it stopped.
    int CancelRuns(int64_t task_id, bool running);

    /// Runs, newest first (at most `limit`), and the next scheduled time of a task (unix seconds,
    /// 0: none).
    std::vector<TaskRunInfo> ListRuns(size_t limit = 10000);
    std::optional<TaskRunInfo> LastRun(int64_t task_id);
    int64_t NextRunTime(int64_t task_id);
    size_t concurrency() const { return concurrency_; }
    void SetConcurrency(size_t n);
    /// How many merged or retried runs Wait() can still follow to the run that replaced them
    /// (at most the history size).
    size_t remembered_merges();

  private:
    struct Pending;
    void WorkerLoop();
    void TimerLoop();
    void FireDue(int64_t now_seconds);
    void WriteRun(const TaskRunInfo& run);
    int64_t InsertRun(TaskRunInfo& run);
    /// The next pending run allowed to start now (lock held); -1: none.
    int64_t PickLocked(int64_t now_ms);
    int64_t SubmitLocked(const TaskInfo& task, const TaskSubmit& submit, int64_t now_ms);
    void LoadLocked();
    void RememberMergeLocked(int64_t run_id, int64_t into);

    MetaStore& store_;
    size_t concurrency_;
    size_t history_;
    TaskExecutor* executor_ = nullptr;
    std::mutex mutex_;
    std::condition_variable work_cv_;   // workers wait for runs
    std::condition_variable done_cv_;   // Wait() waits for finished runs
    std::condition_variable timer_cv_;  // the timer waits for the next firing
    std::map<int64_t, TaskInfo> tasks_;
    std::map<int64_t, int64_t> next_fire_;              // task id -> unix seconds
    std::map<int64_t, TaskRunInfo> active_;             // pending and running runs by id
    std::map<int64_t, int64_t> merged_into_;            // run id -> run it merged into
    std::map<int64_t, std::function<void()>> cancels_;  // running run id -> interrupt
    std::set<int64_t> cancel_requested_;                // running runs to interrupt once they can be
    std::map<int64_t, bool> running_task_;              // task id -> a run is executing
    size_t running_ = 0;
    bool stopping_ = false;
    std::vector<std::thread> workers_;
    std::thread timer_;
};

/// Seconds in `n` units (SECOND, MINUTE, HOUR, DAY, WEEK; MONTH as 30 days, YEAR as 365).
int64_t IntervalSeconds(int64_t n, const std::string& unit);
/// 'yyyy-MM-dd HH:mm:ss' (or 'yyyy-MM-dd') in the server's local time as unix seconds; throws on
/// a malformed text.
int64_t ParseStartTime(const std::string& text);

}  // namespace floe
