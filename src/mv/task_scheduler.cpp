#include "mv/task_scheduler.h"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "common/exception.h"
#include "common/logging.h"

#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace floe {

namespace {

int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string PropertiesText(const std::map<std::string, std::string>& props) {
    std::string out;
    for (const auto& [k, v] : props) {
        if (!out.empty()) out += "\n";
        out += k + "=" + v;
    }
    return out;
}

std::map<std::string, std::string> ParsePropertiesText(const std::string& text) {
    std::map<std::string, std::string> out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        size_t eq = line.find('=');
        if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
        if (nl == std::string::npos) break;
        pos = nl + 1;
    }
    return out;
}

constexpr const char* kTaskColumns =
    "id, name, database, catalog, definition, kind, mv_id, schedule_start, interval_seconds, priority, retries, "
    "properties, creator, create_time, state, last_schedule FROM tasks";

TaskInfo TaskFromRow(const MetaRow& r) {
    TaskInfo t;
    t.id = MetaInt(r[0]);
    t.name = MetaText(r[1]);
    t.database = MetaText(r[2]);
    t.catalog = MetaText(r[3]);
    t.definition = MetaText(r[4]);
    t.kind = MetaText(r[5]);
    t.mv_id = MetaInt(r[6]);
    t.schedule_start = MetaInt(r[7]);
    t.interval_seconds = MetaInt(r[8]);
    t.priority = MetaInt(r[9]);
    t.retries = MetaInt(r[10]);
    t.properties = ParsePropertiesText(MetaText(r[11]));
    t.creator = MetaText(r[12]);
    t.create_time = MetaInt(r[13]);
    t.state = MetaText(r[14]);
    t.last_schedule = MetaInt(r[15]);
    return t;
}

constexpr const char* kRunColumns =
    "id, task_id, task_name, query_id, state, create_time, start_time, finish_time, database, catalog, definition, "
    "error_code, error_message, progress, extra_message, properties, attempt, priority, not_before, force, "
    "partition_start, partition_end FROM task_runs";

TaskRunInfo RunFromRow(const MetaRow& r) {
    TaskRunInfo x;
    x.id = MetaInt(r[0]);
    x.task_id = MetaInt(r[1]);
    x.task_name = MetaText(r[2]);
    x.query_id = MetaText(r[3]);
    x.state = MetaText(r[4]);
    x.create_time = MetaInt(r[5]);
    x.start_time = MetaInt(r[6]);
    x.finish_time = MetaInt(r[7]);
    x.database = MetaText(r[8]);
    x.catalog = MetaText(r[9]);
    x.definition = MetaText(r[10]);
    x.error_code = MetaInt(r[11]);
    x.error_message = MetaText(r[12]);
    x.progress = MetaText(r[13]);
    x.extra_message = MetaText(r[14]);
    x.properties = MetaText(r[15]);
    x.attempt = MetaInt(r[16]);
    x.priority = MetaInt(r[17]);
    x.not_before = MetaInt(r[18]);
    x.force = MetaInt(r[19]) != 0;
    x.partition_start = MetaText(r[20]);
    x.partition_end = MetaText(r[21]);
    return x;
}

std::string NewQueryId() {
    static std::atomic<uint64_t> counter{0};
    char buf[64];
    uint64_t n = counter.fetch_add(1);
    std::snprintf(buf, sizeof(buf), "%08llx-%04llx-task-%012llx", static_cast<unsigned long long>(NowMs() / 1000),
                  static_cast<unsigned long long>(n & 0xffff), static_cast<unsigned long long>(NowMs()));
    return buf;
}

int64_t PropertyInt(const TaskInfo& t, const std::string& key, int64_t fallback) {
    auto it = t.properties.find(key);
    if (it == t.properties.end()) return fallback;
    try {
        return std::stoll(it->second);
    } catch (...) {
        return fallback;
    }
}

/// Runs kept in the store per task (older finished runs are forgotten).
constexpr int64_t kRunsKeptPerTask = 200;

/// The first firing at or after `now` of a period that fires at first + k * interval (k >= 0).
int64_t FirstFiringFrom(int64_t first, int64_t interval, int64_t now) {
    if (first >= now) return first;
    return first + (now - first + interval - 1) / interval * interval;
}

/// The first firing of a task's period: its START, or one period after its creation.
int64_t FirstFiring(const TaskInfo& t) {
    return t.schedule_start > 0 ? t.schedule_start : t.create_time + t.interval_seconds;
}

}  // namespace

int64_t IntervalSeconds(int64_t n, const std::string& unit) {
    int64_t per = unit == "SECOND"   ? 1
                  : unit == "MINUTE" ? 60
                  : unit == "HOUR"   ? 3600
                  : unit == "DAY"    ? 86400
                  : unit == "WEEK"   ? 7 * 86400
                  : unit == "MONTH"  ? 30 * 86400
                  : unit == "YEAR"   ? 365 * 86400
                                     : 0;
    if (per == 0) throw BinderError("unknown interval unit '" + unit + "'", ErrorCode::WRONG_ARGUMENTS);
    return n * per;
}

int64_t ParseStartTime(const std::string& text) {
    std::tm tm{};
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    int n = std::sscanf(text.c_str(), "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s);
    if (n != 3 && n != 6) {
        throw BinderError("START time '" + text + "' is not 'yyyy-MM-dd HH:mm:ss'", ErrorCode::WRONG_ARGUMENTS);
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) {
        throw BinderError("START time '" + text + "' is not a valid time", ErrorCode::WRONG_ARGUMENTS);
    }
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    tm.tm_isdst = -1;
    return static_cast<int64_t>(std::mktime(&tm));
}

TaskScheduler::TaskScheduler(MetaStore& store, size_t concurrency, size_t history)
    : store_(store),
      concurrency_(std::clamp<size_t>(concurrency, 1, kMaxConcurrency)),
      history_(std::max<size_t>(history, 1)) {}

void TaskScheduler::RememberMergeLocked(int64_t run_id, int64_t into) {
    merged_into_[run_id] = into;
    // Bounded like the run history: the oldest merges are forgotten (Wait on one of those then
    // reports the MERGED run itself).
    while (merged_into_.size() > history_) merged_into_.erase(merged_into_.begin());
}

size_t TaskScheduler::remembered_merges() {
    std::lock_guard<std::mutex> lock(mutex_);
    return merged_into_.size();
}

TaskScheduler::~TaskScheduler() {
    Stop();
}

void TaskScheduler::LoadLocked() {
    int64_t now = NowMs();
    for (const auto& r : store_.Query(std::string("SELECT ") + kTaskColumns)) {
        TaskInfo t = TaskFromRow(r);
        tasks_[t.id] = t;
    }
    // Runs cut short by a stop or crash go back to the queue; pending ones stay queued.
    for (const auto& r :
         store_.Query(std::string("SELECT ") + kRunColumns + " WHERE state IN ('PENDING', 'RUNNING') ORDER BY id")) {
        TaskRunInfo run = RunFromRow(r);
        if (!tasks_.count(run.task_id)) {
            run.state = "FAILED";
            run.error_message = "the task was dropped";
            run.finish_time = now;
            WriteRun(run);
            continue;
        }
        if (run.state == "RUNNING") {
            run.state = "PENDING";
            run.extra_message = "re-queued: the server stopped during the previous attempt";
            run.start_time = 0;
            WriteRun(run);
        }
        active_[run.id] = run;
    }
    // Periodic tasks: overdue ones fire once each, a second apart; the rest at their next time.
    int64_t now_s = now / 1000;
    std::vector<std::pair<int64_t, int64_t>> overdue;  // (due, task)
    for (const auto& [id, t] : tasks_) {
        if (t.interval_seconds <= 0 || t.state != "ACTIVE") continue;
        // The firing after the last one (or the first firing: a task without START first fires a
        // period after its creation, as CreateTask scheduled it).
        int64_t first = FirstFiring(t);
        int64_t due = t.last_schedule < first ? first : FirstFiringFrom(first, t.interval_seconds, t.last_schedule + 1);
        if (due <= now_s) {
            overdue.emplace_back(due, id);
        } else {
            next_fire_[id] = due;
        }
    }
    std::sort(overdue.begin(), overdue.end());
    for (size_t i = 0; i < overdue.size(); ++i) next_fire_[overdue[i].second] = now_s + 1 + static_cast<int64_t>(i);
}

void TaskScheduler::Start(TaskExecutor* executor) {
    std::lock_guard<std::mutex> lock(mutex_);
    executor_ = executor;
    LoadLocked();
    // Workers up to the largest concurrency allowed; the limit in force is concurrency_.
    for (size_t i = 0; i < kMaxConcurrency; ++i) workers_.emplace_back([this] { WorkerLoop(); });
    timer_ = std::thread([this] { TimerLoop(); });
}

void TaskScheduler::Stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
        for (auto& [id, cancel] : cancels_) {
            if (cancel) cancel();
        }
    }
    work_cv_.notify_all();
    timer_cv_.notify_all();
    done_cv_.notify_all();
    for (auto& w : workers_) {
        if (w.joinable()) w.join();
    }
    if (timer_.joinable()) timer_.join();
}

void TaskScheduler::SetConcurrency(size_t n) {
    std::lock_guard<std::mutex> lock(mutex_);
    concurrency_ = std::clamp<size_t>(n, 1, kMaxConcurrency);
    work_cv_.notify_all();
}

int64_t TaskScheduler::CreateTask(TaskInfo task) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [id, t] : tasks_) {
        if (t.name == task.name) {
            throw CatalogError("Task '" + task.name + "' already exists", ErrorCode::TABLE_EXISTS);
        }
    }
    task.create_time = NowMs() / 1000;
    // The id comes back from the INSERT itself: the store is shared with other threads, so a
    // separate last_insert_rowid() could return another table's row.
    auto inserted = store_.Query(
        "INSERT INTO tasks(name, database, catalog, definition, kind, mv_id, schedule_start, interval_seconds, "
        "priority, retries, properties, creator, create_time, state, last_schedule) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) RETURNING id",
        {task.name, task.database, task.catalog, task.definition, task.kind, task.mv_id, task.schedule_start,
         task.interval_seconds, task.priority, task.retries, PropertiesText(task.properties), task.creator,
         task.create_time, task.state});
    task.id = std::get<int64_t>(inserted.at(0).at(0));
    tasks_[task.id] = task;
    if (task.interval_seconds > 0) {
        next_fire_[task.id] = FirstFiringFrom(FirstFiring(task), task.interval_seconds, task.create_time);
        timer_cv_.notify_all();
    }
    return task.id;
}

bool TaskScheduler::DropTask(const std::string& name) {
    std::unique_lock<std::mutex> lock(mutex_);
    int64_t id = 0;
    for (const auto& [i, t] : tasks_) {
        if (t.name == name) id = i;
    }
    if (id == 0) return false;
    int64_t now = NowMs();
    for (auto& [rid, run] : active_) {
        if (run.task_id != id) continue;
        if (run.state == "PENDING") {
            run.state = "FAILED";
            run.error_message = "the task was dropped";
            run.finish_time = now;
            WriteRun(run);
        } else {
            // Interrupted now, or as soon as the executor says how (it may not have yet).
            cancel_requested_.insert(rid);
            if (auto c = cancels_.find(rid); c != cancels_.end() && c->second) c->second();
        }
    }
    for (auto it = active_.begin(); it != active_.end();) {
        it = it->second.task_id == id && it->second.state == "FAILED" ? active_.erase(it) : std::next(it);
    }
    store_.Execute("DELETE FROM tasks WHERE id = ?", {id});
    tasks_.erase(id);
    next_fire_.erase(id);
    done_cv_.notify_all();
    return true;
}

std::optional<TaskInfo> TaskScheduler::GetTask(const std::string& name) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [id, t] : tasks_) {
        if (t.name == name) return t;
    }
    return std::nullopt;
}

std::optional<TaskInfo> TaskScheduler::TaskOfMv(int64_t mv_id) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [id, t] : tasks_) {
        if (t.kind == "MV" && t.mv_id == mv_id) return t;
    }
    return std::nullopt;
}

std::vector<TaskInfo> TaskScheduler::ListTasks() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<TaskInfo> out;
    for (const auto& [id, t] : tasks_) out.push_back(t);
    return out;
}

void TaskScheduler::SetSchedule(int64_t task_id, int64_t start, int64_t interval_seconds) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = tasks_.find(task_id);
    if (it == tasks_.end()) return;
    it->second.schedule_start = start;
    it->second.interval_seconds = interval_seconds;
    store_.Execute("UPDATE tasks SET schedule_start = ?, interval_seconds = ? WHERE id = ?",
                   {start, interval_seconds, task_id});
    next_fire_.erase(task_id);
    if (interval_seconds > 0) {
        int64_t now_s = NowMs() / 1000;
        int64_t first = start > 0 ? start : now_s + interval_seconds;
        next_fire_[task_id] = FirstFiringFrom(first, interval_seconds, now_s);
    }
    timer_cv_.notify_all();
}

void TaskScheduler::RenameTask(int64_t task_id, const std::string& name, const std::string& definition) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = tasks_.find(task_id);
    if (it == tasks_.end()) return;
    it->second.name = name;
    it->second.definition = definition;
    store_.Execute("UPDATE tasks SET name = ?, definition = ? WHERE id = ?", {name, definition, task_id});
}

void TaskScheduler::WriteRun(const TaskRunInfo& r) {
    store_.Execute(
        "UPDATE task_runs SET state = ?, start_time = ?, finish_time = ?, error_code = ?, error_message = ?, "
        "progress = ?, extra_message = ?, attempt = ?, priority = ?, not_before = ?, force = ?, partition_start = ?, "
        "partition_end = ? WHERE id = ?",
        {r.state, r.start_time, r.finish_time, r.error_code, r.error_message, r.progress, r.extra_message, r.attempt,
         r.priority, r.not_before, int64_t{r.force ? 1 : 0}, r.partition_start, r.partition_end, r.id});
}

int64_t TaskScheduler::InsertRun(TaskRunInfo& r) {
    auto inserted = store_.Query(
        "INSERT INTO task_runs(task_id, task_name, query_id, state, create_time, database, catalog, definition, "
        "properties, attempt, priority, not_before, force, partition_start, partition_end, extra_message) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        {r.task_id, r.task_name, r.query_id, r.state, r.create_time, r.database, r.catalog, r.definition, r.properties,
         r.attempt, r.priority, r.not_before, int64_t{r.force ? 1 : 0}, r.partition_start, r.partition_end,
         r.extra_message});
    r.id = std::get<int64_t>(inserted.at(0).at(0));
    // Forget old finished runs of the task.
    store_.Execute(
        "DELETE FROM task_runs WHERE task_id = ? AND state NOT IN ('PENDING', 'RUNNING') AND id <= "
        "(SELECT id FROM task_runs WHERE task_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
        {r.task_id, r.task_id, kRunsKeptPerTask});
    // And at most `history_` finished runs in all: runs of dropped tasks and of many one-off
    // tasks would otherwise stay forever.
    store_.Execute(
        "DELETE FROM task_runs WHERE state NOT IN ('PENDING', 'RUNNING') AND id <= "
        "(SELECT id FROM task_runs ORDER BY id DESC LIMIT 1 OFFSET ?)",
        {static_cast<int64_t>(history_)});
    return r.id;
}

int64_t TaskScheduler::SubmitLocked(const TaskInfo& task, const TaskSubmit& submit, int64_t now_ms) {
    // A pending run of the same task absorbs this one.
    for (auto& [rid, run] : active_) {
        if (run.task_id != task.id || run.state != "PENDING") continue;
        bool widened = false;
        if (submit.force && !run.force) run.force = widened = true;
        if (run.partition_start != submit.partition_start || run.partition_end != submit.partition_end) {
            // Different ranges: the pending run refreshes everything that changed.
            if (!run.partition_start.empty() || !run.partition_end.empty()) widened = true;
            run.partition_start.clear();
            run.partition_end.clear();
        }
        // A higher priority is kept too (information_schema and the queue after a restart see it).
        if (submit.priority > run.priority) {
            run.priority = submit.priority;
            widened = true;
        }
        if (widened) WriteRun(run);
        TaskRunInfo merged;
        merged.task_id = task.id;
        merged.task_name = task.name;
        merged.query_id = NewQueryId();
        merged.state = "MERGED";
        merged.create_time = merged.finish_time = now_ms;
        merged.database = task.database;
        merged.catalog = task.catalog;
        merged.definition = task.definition;
        merged.priority = submit.priority;
        merged.extra_message = "merged into run " + std::to_string(rid);
        int64_t id = InsertRun(merged);
        store_.Execute("UPDATE task_runs SET finish_time = ? WHERE id = ?", {now_ms, id});
        RememberMergeLocked(id, rid);
        return id;
    }
    TaskRunInfo run;
    run.task_id = task.id;
    run.task_name = task.name;
    run.query_id = NewQueryId();
    run.state = "PENDING";
    run.create_time = now_ms;
    run.database = task.database;
    run.catalog = task.catalog;
    run.definition = task.definition;
    run.properties = PropertiesText(task.properties);
    run.priority = std::max(submit.priority, task.priority);
    run.force = submit.force;
    run.partition_start = submit.partition_start;
    run.partition_end = submit.partition_end;
    InsertRun(run);
    active_[run.id] = run;
    work_cv_.notify_all();
    return run.id;
}

int64_t TaskScheduler::Submit(int64_t task_id, const TaskSubmit& submit) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = tasks_.find(task_id);
    if (it == tasks_.end()) throw CatalogError("the task no longer exists", ErrorCode::UNKNOWN_TABLE);
    return SubmitLocked(it->second, submit, NowMs());
}

TaskRunInfo TaskScheduler::Wait(int64_t run_id) {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        int64_t id = run_id;
        while (merged_into_.count(id)) id = merged_into_[id];
        if (!active_.count(id) || stopping_) {
            lock.unlock();
            auto rows = store_.Query(std::string("SELECT ") + kRunColumns + " WHERE id = ?", {id});
            if (rows.empty()) {
                TaskRunInfo gone;
                gone.id = id;
                gone.state = "FAILED";
                gone.error_message = "the run is no longer known";
                return gone;
            }
            TaskRunInfo r = RunFromRow(rows[0]);
            if (stopping_ && (r.state == "PENDING" || r.state == "RUNNING")) {
                r.state = "FAILED";
                r.error_message = "the server is shutting down";
            }
            return r;
        }
        done_cv_.wait(lock);
    }
}

int TaskScheduler::CancelRuns(int64_t task_id, bool running) {
    std::lock_guard<std::mutex> lock(mutex_);
    int n = 0;
    int64_t now = NowMs();
    for (auto it = active_.begin(); it != active_.end();) {
        TaskRunInfo& run = it->second;
        if (run.task_id == task_id && run.state == "PENDING") {
            run.state = "FAILED";
            run.error_message = "canceled";
            run.finish_time = now;
            WriteRun(run);
            ++n;
            it = active_.erase(it);
            continue;
        }
        if (run.task_id == task_id && run.state == "RUNNING" && running) {
            // A run that has not registered its interrupt yet gets it as soon as it does.
            run.error_message = "canceled";
            cancel_requested_.insert(run.id);
            if (auto c = cancels_.find(run.id); c != cancels_.end() && c->second) c->second();
            ++n;
        }
        ++it;
    }
    done_cv_.notify_all();
    return n;
}

std::vector<TaskRunInfo> TaskScheduler::ListRuns(size_t limit) {
    std::vector<TaskRunInfo> out;
    for (const auto& r : store_.Query(std::string("SELECT ") + kRunColumns + " ORDER BY id DESC LIMIT ?",
                                      {static_cast<int64_t>(limit)})) {
        out.push_back(RunFromRow(r));
    }
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& r : out) {
        if (auto it = active_.find(r.id); it != active_.end()) r.progress = it->second.progress;
    }
    return out;
}

std::optional<TaskRunInfo> TaskScheduler::LastRun(int64_t task_id) {
    auto rows = store_.Query(
        std::string("SELECT ") + kRunColumns + " WHERE task_id = ? AND state <> 'MERGED' ORDER BY id DESC LIMIT 1",
        {task_id});
    if (rows.empty()) return std::nullopt;
    return RunFromRow(rows[0]);
}

int64_t TaskScheduler::NextRunTime(int64_t task_id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = next_fire_.find(task_id);
    return it == next_fire_.end() ? 0 : it->second;
}

int64_t TaskScheduler::PickLocked(int64_t now_ms) {
    if (running_ >= concurrency_) return -1;
    int64_t best = -1;
    const TaskRunInfo* b = nullptr;
    for (const auto& [id, run] : active_) {
        if (run.state != "PENDING" || run.not_before > now_ms) continue;
        if (running_task_[run.task_id]) continue;
        bool better = !b || (run.attempt > 0) > (b->attempt > 0) ||
                      ((run.attempt > 0) == (b->attempt > 0) &&
                       (run.priority > b->priority || (run.priority == b->priority && run.id < b->id)));
        if (better) {
            best = id;
            b = &run;
        }
    }
    return best;
}

void TaskScheduler::WorkerLoop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
        int64_t now = NowMs();
        int64_t id = PickLocked(now);
        if (id < 0) {
            // Sleep until woken, or until the earliest backoff ends.
            int64_t wake = 0;
            for (const auto& [rid, run] : active_) {
                if (run.state == "PENDING" && run.not_before > now) {
                    wake = wake == 0 ? run.not_before : std::min(wake, run.not_before);
                }
            }
            if (wake > 0) {
                work_cv_.wait_for(lock, std::chrono::milliseconds(wake - now));
            } else {
                work_cv_.wait(lock);
            }
            continue;
        }
        TaskRunInfo& slot = active_[id];
        auto tit = tasks_.find(slot.task_id);
        if (tit == tasks_.end()) {
            active_.erase(id);
            continue;
        }
        TaskInfo task = tit->second;
        slot.state = "RUNNING";
        slot.start_time = now;
        slot.progress = "0%";
        WriteRun(slot);
        TaskRunInfo run = slot;
        ++running_;
        running_task_[task.id] = true;
        lock.unlock();
        auto progress = [this, id](const std::string& p) {
            std::lock_guard<std::mutex> g(mutex_);
            if (auto it = active_.find(id); it != active_.end()) it->second.progress = p;
        };
        auto set_cancel = [this, id](std::function<void()> cancel) {
            std::lock_guard<std::mutex> g(mutex_);
            cancels_[id] = std::move(cancel);
            if (stopping_ || cancel_requested_.count(id)) cancels_[id]();
        };
        std::string error;
        int64_t code = 0;
        try {
            executor_->Execute(task, run, progress, set_cancel);
        } catch (const Exception& e) {
            error = e.what();
            code = MysqlErrno(e.code());
        } catch (const std::exception& e) {
            error = e.what();
            code = 1105;
        }
        lock.lock();
        cancels_.erase(id);
        cancel_requested_.erase(id);
        --running_;
        running_task_[task.id] = false;
        int64_t finish = NowMs();
        TaskRunInfo& done = active_[id];
        done.finish_time = finish;
        done.extra_message = run.extra_message;
        done.progress = "100%";
        bool canceled = done.error_message == "canceled";
        if (error.empty()) {
            done.state = run.state == "SKIPPED" ? "SKIPPED" : "SUCCESS";
            done.error_code = 0;
            done.error_message.clear();
        } else {
            done.state = "FAILED";
            done.error_code = code;
            done.error_message = canceled ? "canceled: " + error : error;
            int64_t retries = PropertyInt(task, "retry_count", task.retries);
            if (!stopping_ && !canceled && done.attempt < retries && tasks_.count(task.id)) {
                // Retry with backoff; the retry goes before new submissions.
                int64_t base = PropertyInt(task, "retry_interval_seconds", 10) * 1000;
                TaskRunInfo retry = done;
                WriteRun(done);
                retry.attempt = done.attempt + 1;
                retry.state = "PENDING";
                retry.query_id = NewQueryId();
                retry.create_time = finish;
                retry.start_time = retry.finish_time = 0;
                retry.error_code = 0;
                retry.error_message.clear();
                retry.progress.clear();
                retry.not_before = finish + base * (int64_t{1} << std::min<int64_t>(done.attempt, 20));
                retry.extra_message =
                    "retry " + std::to_string(retry.attempt) + " of " + std::to_string(retries) + " after: " + error;
                InsertRun(retry);
                active_.erase(id);
                active_[retry.id] = retry;
                RememberMergeLocked(id, retry.id);
                done_cv_.notify_all();
                work_cv_.notify_all();
                continue;
            }
        }
        if (stopping_ && !error.empty()) {
            // Interrupted by shutdown: queued again at the next start.
            done.state = "PENDING";
            done.error_message.clear();
            done.start_time = 0;
        }
        WriteRun(done);
        if (done.state != "PENDING") active_.erase(id);
        done_cv_.notify_all();
        work_cv_.notify_all();
    }
}

void TaskScheduler::FireDue(int64_t now_s) {
    for (auto& [task_id, due] : next_fire_) {
        if (due > now_s) continue;
        auto it = tasks_.find(task_id);
        if (it == tasks_.end() || it->second.interval_seconds <= 0) continue;
        TaskInfo& t = it->second;
        // The firing and its run are stored together: a firing recorded without its run would be
        // lost (a restart sees it done), a run without its firing would run twice.
        int64_t fired = due;
        const int64_t id = task_id;  // (a structured binding cannot be captured before C++20's clang 16)
        store_.Transaction([&] {
            store_.Execute("UPDATE tasks SET last_schedule = ? WHERE id = ?", {fired, id});
            SubmitLocked(t, TaskSubmit{}, NowMs());
        });
        t.last_schedule = due;
        int64_t start = t.schedule_start > 0 ? t.schedule_start : t.create_time;
        int64_t next = due + t.interval_seconds;
        if (next <= now_s) {
            // Behind (a long pause): the next firing on the period after now.
            int64_t k = (now_s - start) / t.interval_seconds + 1;
            next = start + k * t.interval_seconds;
        }
        due = next;
    }
}

void TaskScheduler::TimerLoop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
        int64_t now_s = NowMs() / 1000;
        try {
            FireDue(now_s);
        } catch (const std::exception& e) {
            Log::Warn("task.scheduler_failed", {{"error", e.what()}});
        }
        int64_t next = 0;
        for (const auto& [id, due] : next_fire_) next = next == 0 ? due : std::min(next, due);
        if (next == 0) {
            timer_cv_.wait(lock);
        } else {
            timer_cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(50, next * 1000 - NowMs())));
        }
    }
}

}  // namespace floe
