// TaskScheduler against a fake executor: order (retries, priority, age), merging, the
// concurrency limit, one run per task, cancel and drop during a run, restarts (re-queued runs,
// staggered and unstarted schedules) and the bounds on what it keeps.
#include "mv/task_scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "metastore/meta_store.h"

namespace floe {
namespace {

using namespace std::chrono_literals;

int64_t NowSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// Polls `done` for up to `limit`; true when it became true.
template <typename Pred>
bool Eventually(Pred done, std::chrono::milliseconds limit = 10s) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (done()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return done();
}

/// Runs tasks by name: records the order they start in and how many run at once; a task can be
/// held at a gate until opened, fail its first n runs, or register its interrupt late.
class FakeExecutor : public TaskExecutor {
  public:
    void Execute(const TaskInfo& task, TaskRunInfo& run, const std::function<void(const std::string&)>& progress,
                 const std::function<void(std::function<void()>)>& set_cancel) override {
        auto canceled = std::make_shared<std::atomic<bool>>(false);
        bool late = false;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            started_.push_back(task.name);
            forced_.push_back(run.force);
            ++running_;
            max_running_ = std::max(max_running_, running_);
            late = late_cancel_.count(task.name) > 0;
        }
        cv_.notify_all();
        auto interrupt = [this, canceled] {
            canceled->store(true);
            cv_.notify_all();
        };
        if (!late) set_cancel(interrupt);
        progress("50%");
        {
            std::unique_lock<std::mutex> lock(mutex_);
            cv_.wait(lock, [&] { return !closed_.count(task.name) || canceled->load(); });
        }
        if (late) {
            {
                std::unique_lock<std::mutex> lock(mutex_);
                cv_.wait(lock, [&] { return register_now_; });
            }
            set_cancel(interrupt);
        }
        std::lock_guard<std::mutex> lock(mutex_);
        --running_;
        ++finished_[task.name];
        if (canceled->load()) throw std::runtime_error("interrupted");
        if (failures_[task.name] > 0) {
            --failures_[task.name];
            throw std::runtime_error("planned failure of " + task.name);
        }
    }

    void Close(const std::string& name) {
        std::lock_guard<std::mutex> lock(mutex_);
        closed_.insert(name);
    }
    void Open(const std::string& name) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            closed_.erase(name);
        }
        cv_.notify_all();
    }
    void Fail(const std::string& name, int times) {
        std::lock_guard<std::mutex> lock(mutex_);
        failures_[name] = times;
    }
    void LateCancel(const std::string& name) {
        std::lock_guard<std::mutex> lock(mutex_);
        late_cancel_.insert(name);
    }
    void LetRegister() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            register_now_ = true;
        }
        cv_.notify_all();
    }
    std::vector<std::string> started() {
        std::lock_guard<std::mutex> lock(mutex_);
        return started_;
    }
    std::vector<bool> forced() {
        std::lock_guard<std::mutex> lock(mutex_);
        return forced_;
    }
    int running() {
        std::lock_guard<std::mutex> lock(mutex_);
        return running_;
    }
    int max_running() {
        std::lock_guard<std::mutex> lock(mutex_);
        return max_running_;
    }
    int finished(const std::string& name) {
        std::lock_guard<std::mutex> lock(mutex_);
        return finished_[name];
    }

  private:
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::string> started_;
    std::vector<bool> forced_;
    std::set<std::string> closed_, late_cancel_;
    std::map<std::string, int> failures_, finished_;
    int running_ = 0, max_running_ = 0;
    bool register_now_ = false;
};

/// A meta store that fails its next INSERT into task_runs when armed: a crash or a full disk
/// between two statements of the scheduler.
class FailingStore : public MetaStore {
  public:
    explicit FailingStore(MetaStore& inner) : inner_(inner) {}
    void Transaction(const std::function<void()>& body) override { inner_.Transaction(body); }
    int64_t Execute(std::string_view sql, const std::vector<MetaValue>& params) override {
        Check(sql);
        return inner_.Execute(sql, params);
    }
    std::vector<MetaRow> Query(std::string_view sql, const std::vector<MetaValue>& params) override {
        Check(sql);
        return inner_.Query(sql, params);
    }
    int SchemaVersion() override { return inner_.SchemaVersion(); }
    std::atomic<bool> fail_run_inserts{false};

  private:
    void Check(std::string_view sql) {
        if (fail_run_inserts.load() && sql.find("INSERT INTO task_runs") != std::string_view::npos) {
            throw std::runtime_error("disk full");
        }
    }
    MetaStore& inner_;
};

class TaskSchedulerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ =
            std::filesystem::temp_directory_path() / ("floe_task_scheduler_" + std::to_string(::getpid()) + "_" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        store_ = OpenSqliteMetaStore((dir_ / "meta.db").string());
    }
    void TearDown() override {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    static TaskInfo Task(const std::string& name, int64_t priority = 0) {
        TaskInfo t;
        t.name = name;
        t.database = "db";
        t.definition = "INSERT INTO t SELECT 1";
        t.kind = "SQL";
        t.priority = priority;
        t.creator = "root@%";
        return t;
    }

    std::filesystem::path dir_;
    std::unique_ptr<MetaStore> store_;
};

TEST_F(TaskSchedulerTest, HigherPriorityFirstThenOlderSubmissions) {
    FakeExecutor exec;
    TaskScheduler s(*store_, 1);
    int64_t gate = s.CreateTask(Task("gate"));
    int64_t low = s.CreateTask(Task("low"));
    int64_t high = s.CreateTask(Task("high", 5));
    int64_t mid = s.CreateTask(Task("mid"));
    int64_t low2 = s.CreateTask(Task("low2"));
    exec.Close("gate");
    s.Start(&exec);
    s.Submit(gate, TaskSubmit{});
    ASSERT_TRUE(Eventually([&] { return exec.running() == 1; }));
    s.Submit(low, TaskSubmit{});
    s.Submit(high, TaskSubmit{});  // the task's own priority
    TaskSubmit two;
    two.priority = 2;  // the submission's priority
    s.Submit(mid, two);
    int64_t last = s.Submit(low2, TaskSubmit{});
    exec.Open("gate");
    EXPECT_EQ(s.Wait(last).state, "SUCCESS");
    EXPECT_EQ(exec.started(), (std::vector<std::string>{"gate", "high", "mid", "low", "low2"}));
    EXPECT_EQ(exec.max_running(), 1);
}

TEST_F(TaskSchedulerTest, RetryGoesBeforeNewerHigherPrioritySubmissions) {
    FakeExecutor exec;
    TaskScheduler s(*store_, 1);
    TaskInfo flaky = Task("flaky");
    flaky.retries = 1;
    flaky.properties["retry_interval_seconds"] = "0";
    int64_t f = s.CreateTask(flaky);
    int64_t other = s.CreateTask(Task("other", 9));
    exec.Close("flaky");
    exec.Fail("flaky", 1);
    s.Start(&exec);
    int64_t run = s.Submit(f, TaskSubmit{});
    ASSERT_TRUE(Eventually([&] { return exec.running() == 1; }));
    int64_t o = s.Submit(other, TaskSubmit{});
    exec.Open("flaky");
    TaskRunInfo done = s.Wait(run);  // follows the run to its retry
    EXPECT_EQ(done.state, "SUCCESS");
    EXPECT_EQ(done.attempt, 1);
    EXPECT_EQ(s.Wait(o).state, "SUCCESS");
    EXPECT_EQ(exec.started(), (std::vector<std::string>{"flaky", "flaky", "other"}));
}

TEST_F(TaskSchedulerTest, RetriesBackOffDoublingAndKeepTheError) {
    FakeExecutor exec;
    TaskScheduler s(*store_, 2);
    TaskInfo t = Task("always_fails");
    t.retries = 2;
    t.properties["retry_interval_seconds"] = "1";
    int64_t id = s.CreateTask(t);
    exec.Fail("always_fails", 100);
    s.Start(&exec);
    TaskRunInfo done = s.Wait(s.Submit(id, TaskSubmit{}));
    EXPECT_EQ(done.state, "FAILED");
    EXPECT_EQ(done.attempt, 2);
    EXPECT_NE(done.error_message.find("planned failure of always_fails"), std::string::npos);
    std::map<int64_t, TaskRunInfo> by_attempt;
    for (const auto& r : s.ListRuns()) by_attempt[r.attempt] = r;
    ASSERT_EQ(by_attempt.size(), 3u);
    for (int64_t a = 1; a <= 2; ++a) {
        const TaskRunInfo& r = by_attempt[a];
        EXPECT_EQ(r.state, "FAILED");
        EXPECT_EQ(r.not_before - r.create_time, 1000 * (int64_t{1} << (a - 1))) << "attempt " << a;
        EXPECT_GE(r.start_time, r.not_before);
        EXPECT_NE(r.extra_message.find("retry " + std::to_string(a) + " of 2"), std::string::npos);
    }
    EXPECT_EQ(exec.finished("always_fails"), 3);
}

TEST_F(TaskSchedulerTest, SubmissionWhileOnePendsIsMergedAndWidens) {
    FakeExecutor exec;
    TaskScheduler s(*store_, 1);
    int64_t gate = s.CreateTask(Task("gate"));
    int64_t mv = s.CreateTask(Task("mv"));
    exec.Close("gate");
    s.Start(&exec);
    s.Submit(gate, TaskSubmit{});
    ASSERT_TRUE(Eventually([&] { return exec.running() == 1; }));
    TaskSubmit ranged;
    ranged.partition_start = "2024-01-01";
    ranged.partition_end = "2024-02-01";
    int64_t first = s.Submit(mv, ranged);
    TaskSubmit forced;
    forced.force = true;
    int64_t merged = s.Submit(mv, forced);
    EXPECT_NE(first, merged);
    exec.Open("gate");
    TaskRunInfo done = s.Wait(merged);
    EXPECT_EQ(done.id, first);
    EXPECT_EQ(done.state, "SUCCESS");
    EXPECT_TRUE(done.force);
    EXPECT_EQ(done.partition_start, "");  // different ranges: everything
    EXPECT_EQ(exec.started(), (std::vector<std::string>{"gate", "mv"}));
    EXPECT_EQ(exec.forced(), (std::vector<bool>{false, true}));
    int merged_rows = 0;
    for (const auto& r : s.ListRuns()) {
        if (r.state == "MERGED") {
            ++merged_rows;
            EXPECT_EQ(r.id, merged);
            EXPECT_EQ(r.extra_message, "merged into run " + std::to_string(first));
        }
    }
    EXPECT_EQ(merged_rows, 1);
}

TEST_F(TaskSchedulerTest, AMergedHigherPriorityIsStoredAndSurvivesARestart) {
    int64_t low = 0, t = 0, run = 0;
    {
        TaskScheduler s(*store_, 1);
        t = s.CreateTask(Task("raised"));
        low = s.CreateTask(Task("older_low"));
        s.Submit(low, TaskSubmit{});
        run = s.Submit(t, TaskSubmit{});
        TaskSubmit urgent;
        urgent.priority = 7;
        EXPECT_NE(s.Submit(t, urgent), run);  // merged into `run`, raising it
        for (const auto& r : s.ListRuns()) {
            if (r.id == run) EXPECT_EQ(r.priority, 7);
        }
    }
    FakeExecutor exec;
    TaskScheduler s(*store_, 1);
    s.Start(&exec);
    EXPECT_EQ(s.Wait(run).state, "SUCCESS");
    ASSERT_TRUE(Eventually([&] { return exec.started().size() == 2; }));
    EXPECT_EQ(exec.started(), (std::vector<std::string>{"raised", "older_low"}));
}

TEST_F(TaskSchedulerTest, ConcurrencyLimitHoldsAndCanBeRaised) {
    FakeExecutor exec;
    TaskScheduler s(*store_, 2);
    std::vector<int64_t> runs;
    std::vector<std::string> names;
    for (int i = 0; i < 5; ++i) {
        names.push_back("t" + std::to_string(i));
        exec.Close(names.back());
    }
    s.Start(&exec);
    for (const auto& n : names) runs.push_back(s.Submit(s.CreateTask(Task(n)), TaskSubmit{}));
    ASSERT_TRUE(Eventually([&] { return exec.running() == 2; }));
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(exec.running(), 2);
    s.SetConcurrency(3);
    ASSERT_TRUE(Eventually([&] { return exec.running() == 3; }));
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(exec.max_running(), 3);
    for (const auto& n : names) exec.Open(n);
    for (int64_t r : runs) EXPECT_EQ(s.Wait(r).state, "SUCCESS");
    EXPECT_EQ(exec.max_running(), 3);
}

TEST_F(TaskSchedulerTest, OneRunPerTaskAtATime) {
    FakeExecutor exec;
    TaskScheduler s(*store_, 4);
    int64_t t = s.CreateTask(Task("t"));
    exec.Close("t");
    s.Start(&exec);
    int64_t first = s.Submit(t, TaskSubmit{});
    ASSERT_TRUE(Eventually([&] { return exec.running() == 1; }));
    int64_t second = s.Submit(t, TaskSubmit{});  // the first runs: not merged, queued
    EXPECT_NE(first, second);
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(exec.started().size(), 1u);
    exec.Open("t");
    EXPECT_EQ(s.Wait(first).state, "SUCCESS");
    EXPECT_EQ(s.Wait(second).state, "SUCCESS");
    EXPECT_EQ(s.Wait(second).id, second);
    EXPECT_EQ(exec.started().size(), 2u);
    EXPECT_EQ(exec.max_running(), 1);
}

TEST_F(TaskSchedulerTest, CancelBeforeTheRunRegistersItsInterruptStillStopsIt) {
    FakeExecutor exec;
    TaskScheduler s(*store_, 1);
    int64_t t = s.CreateTask(Task("slow_start"));
    exec.LateCancel("slow_start");
    s.Start(&exec);
    int64_t run = s.Submit(t, TaskSubmit{});
    ASSERT_TRUE(Eventually([&] { return exec.running() == 1; }));
    EXPECT_EQ(s.CancelRuns(t, true), 1);
    exec.LetRegister();  // the interrupt arrives after CANCEL: it must fire at once
    TaskRunInfo done = s.Wait(run);
    EXPECT_EQ(done.state, "FAILED");
    EXPECT_NE(done.error_message.find("canceled"), std::string::npos) << done.error_message;
}

TEST_F(TaskSchedulerTest, DropTaskDuringARunInterruptsItAndFailsPendingOnes) {
    FakeExecutor exec;
    TaskScheduler s(*store_, 2);
    TaskInfo info = Task("dropped");
    info.retries = 3;  // a dropped task is not retried
    int64_t t = s.CreateTask(info);
    exec.LateCancel("dropped");
    s.Start(&exec);
    int64_t running = s.Submit(t, TaskSubmit{});
    ASSERT_TRUE(Eventually([&] { return exec.running() == 1; }));
    int64_t pending = s.Submit(t, TaskSubmit{});
    EXPECT_TRUE(s.DropTask("dropped"));
    EXPECT_FALSE(s.DropTask("dropped"));
    TaskRunInfo p = s.Wait(pending);
    EXPECT_EQ(p.state, "FAILED");
    EXPECT_EQ(p.error_message, "the task was dropped");
    exec.LetRegister();
    TaskRunInfo r = s.Wait(running);
    EXPECT_EQ(r.state, "FAILED");
    EXPECT_EQ(r.error_message, "interrupted");
    EXPECT_EQ(exec.started().size(), 1u);
    EXPECT_FALSE(s.GetTask("dropped"));
}

TEST_F(TaskSchedulerTest, RunningRunsAreQueuedAgainAfterACrash) {
    int64_t run = 0;
    {
        TaskScheduler s(*store_, 1);
        run = s.Submit(s.CreateTask(Task("t")), TaskSubmit{});
    }
    // The server died while the run executed: the store still says RUNNING.
    store_->Execute("UPDATE task_runs SET state = 'RUNNING', start_time = 1 WHERE id = ?", {run});
    FakeExecutor exec;
    TaskScheduler s(*store_, 1);
    s.Start(&exec);
    TaskRunInfo done = s.Wait(run);
    EXPECT_EQ(done.state, "SUCCESS");
    EXPECT_GT(done.start_time, 1);
    EXPECT_EQ(exec.started(), (std::vector<std::string>{"t"}));
}

TEST_F(TaskSchedulerTest, StopDuringARunQueuesItAgainForTheNextStart) {
    FakeExecutor exec;
    int64_t run = 0;
    {
        TaskScheduler s(*store_, 1);
        int64_t t = s.CreateTask(Task("t"));
        exec.Close("t");
        s.Start(&exec);
        run = s.Submit(t, TaskSubmit{});
        ASSERT_TRUE(Eventually([&] { return exec.running() == 1; }));
        s.Stop();  // interrupts the run
        TaskRunInfo w = s.Wait(run);
        EXPECT_EQ(w.state, "FAILED");
        EXPECT_EQ(w.error_message, "the server is shutting down");
    }
    auto rows = store_->Query("SELECT state FROM task_runs WHERE id = ?", {run});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(std::get<std::string>(rows[0][0]), "PENDING");
    exec.Open("t");
    TaskScheduler again(*store_, 1);
    again.Start(&exec);
    EXPECT_EQ(again.Wait(run).state, "SUCCESS");
    EXPECT_EQ(exec.started().size(), 2u);
}

TEST_F(TaskSchedulerTest, OverdueSchedulesAfterARestartFireASecondApart) {
    int64_t now = NowSeconds();
    std::vector<int64_t> ids;
    {
        TaskScheduler s(*store_, 1);
        for (int i = 0; i < 3; ++i) {
            TaskInfo t = Task("every_hour_" + std::to_string(i));
            t.schedule_start = now - 10 * 3600 - i;
            t.interval_seconds = 3600;
            ids.push_back(s.CreateTask(t));
        }
    }
    FakeExecutor exec;
    exec.Close("every_hour_0");
    exec.Close("every_hour_1");
    exec.Close("every_hour_2");
    TaskScheduler s(*store_, 4);
    s.Start(&exec);
    std::set<int64_t> times;
    for (int64_t id : ids) {
        int64_t next = s.NextRunTime(id);
        EXPECT_GT(next, now);
        EXPECT_LE(next, now + 5);
        times.insert(next);
    }
    EXPECT_EQ(times.size(), 3u);  // not all at once
    EXPECT_EQ(*times.rbegin() - *times.begin(), 2);
}

TEST_F(TaskSchedulerTest, ScheduleWithoutStartDoesNotFireEarlyAfterARestart) {
    int64_t id = 0, created = 0;
    {
        TaskScheduler s(*store_, 1);
        TaskInfo t = Task("daily");
        t.interval_seconds = 86400;
        id = s.CreateTask(t);
        created = s.GetTask("daily")->create_time;
        EXPECT_EQ(s.NextRunTime(id), created + 86400);
    }
    FakeExecutor exec;
    TaskScheduler s(*store_, 1);
    s.Start(&exec);
    // Created moments ago with a one-day period: the first firing is still a day away.
    EXPECT_EQ(s.NextRunTime(id), created + 86400);
    std::this_thread::sleep_for(1500ms);
    EXPECT_TRUE(exec.started().empty());
}

TEST_F(TaskSchedulerTest, AFiringWhoseRunWasNotStoredIsNotLost) {
    FailingStore failing(*store_);
    int64_t id = 0;
    int64_t start = NowSeconds() + 1;
    {
        FakeExecutor exec;
        TaskScheduler s(failing, 1);
        TaskInfo t = Task("hourly");
        t.schedule_start = start;
        t.interval_seconds = 3600;
        id = s.CreateTask(t);
        failing.fail_run_inserts = true;  // the firing's run cannot be written
        s.Start(&exec);
        std::this_thread::sleep_for(2500ms);
        EXPECT_TRUE(exec.started().empty());
    }
    // The firing did not happen, so it is still due after the restart (not an hour later).
    auto last = store_->Query("SELECT last_schedule FROM tasks WHERE id = ?", {id});
    EXPECT_EQ(std::get<int64_t>(last[0][0]), 0);
    FakeExecutor exec;
    TaskScheduler s(*store_, 1);
    s.Start(&exec);
    EXPECT_LE(s.NextRunTime(id), NowSeconds() + 2);
    ASSERT_TRUE(Eventually([&] { return exec.finished("hourly") == 1; }));
}

TEST_F(TaskSchedulerTest, SchedulesKeepTheirPhaseAcrossRestarts) {
    int64_t now = NowSeconds();
    int64_t id = 0;
    {
        TaskScheduler s(*store_, 1);
        TaskInfo t = Task("phase");
        t.schedule_start = now - 3600 - 100;  // fires at start + k * 600
        t.interval_seconds = 600;
        id = s.CreateTask(t);
        EXPECT_EQ((s.NextRunTime(id) - t.schedule_start) % 600, 0);
        // It last fired at its latest due time, so nothing is overdue.
        int64_t last = t.schedule_start + (now - t.schedule_start) / 600 * 600;
        store_->Execute("UPDATE tasks SET last_schedule = ? WHERE id = ?", {last, id});
    }
    FakeExecutor exec;
    TaskScheduler s(*store_, 1);
    s.Start(&exec);
    int64_t next = s.NextRunTime(id);
    EXPECT_GT(next, now);
    EXPECT_LE(next, now + 600);
    EXPECT_EQ((next - (now - 3600 - 100)) % 600, 0);
}

TEST_F(TaskSchedulerTest, AStartFarInThePastIsCaughtUpArithmetically) {
    TaskScheduler s(*store_, 1);
    TaskInfo t = Task("old_start");
    t.schedule_start = 1;  // 1970, every second
    t.interval_seconds = 1;
    auto begin = std::chrono::steady_clock::now();
    int64_t id = s.CreateTask(t);
    int64_t next = s.NextRunTime(id);
    EXPECT_GE(next, NowSeconds() - 1);
    EXPECT_LE(next, NowSeconds() + 1);
    s.SetSchedule(id, 1, 1);
    EXPECT_GE(s.NextRunTime(id), NowSeconds() - 1);
    // A loop a period at a time takes seconds for 1.7e9 periods.
    EXPECT_LT(std::chrono::steady_clock::now() - begin, 500ms);
}

TEST_F(TaskSchedulerTest, HistoryAndMergeBookkeepingAreBounded) {
    TaskScheduler s(*store_, 1, 20);
    // Many one-off tasks, each run once and dropped, and many merged submissions.
    for (int i = 0; i < 30; ++i) {
        int64_t t = s.CreateTask(Task("once_" + std::to_string(i)));
        s.Submit(t, TaskSubmit{});
        s.DropTask("once_" + std::to_string(i));
    }
    int64_t t = s.CreateTask(Task("busy"));
    for (int i = 0; i < 60; ++i) s.Submit(t, TaskSubmit{});  // one pending, the rest merged
    EXPECT_LE(s.remembered_merges(), 20u);
    auto rows = store_->Query("SELECT count(*) FROM task_runs WHERE state NOT IN ('PENDING', 'RUNNING')");
    EXPECT_LE(std::get<int64_t>(rows[0][0]), 20);
    rows = store_->Query("SELECT count(*) FROM task_runs WHERE state = 'PENDING'");
    EXPECT_EQ(std::get<int64_t>(rows[0][0]), 1);
}

TEST_F(TaskSchedulerTest, RunIdsAreRightWhileOtherThreadsWriteTheStore) {
    store_->Execute("CREATE TABLE noise(id INTEGER PRIMARY KEY, v TEXT)");
    store_->Execute("INSERT INTO noise(id, v) VALUES(1000000, 'x')");
    std::atomic<bool> stop{false};
    std::thread writer([&] {
        while (!stop.load()) store_->Execute("INSERT INTO noise(v) VALUES('y')");
    });
    TaskScheduler s(*store_, 1);
    std::vector<int64_t> tasks;
    std::vector<int64_t> runs;
    for (int i = 0; i < 200; ++i) {
        int64_t t = s.CreateTask(Task("t" + std::to_string(i)));
        tasks.push_back(t);
        runs.push_back(s.Submit(t, TaskSubmit{}));
    }
    stop.store(true);
    writer.join();
    for (size_t i = 0; i < tasks.size(); ++i) {
        ASSERT_LT(tasks[i], 1000000) << "task " << i << " got another table's row id";
        ASSERT_LT(runs[i], 1000000) << "run " << i << " got another table's row id";
        auto row = store_->Query("SELECT task_id FROM task_runs WHERE id = ?", {runs[i]});
        ASSERT_EQ(row.size(), 1u);
        EXPECT_EQ(std::get<int64_t>(row[0][0]), tasks[i]);
    }
}

}  // namespace
}  // namespace floe
