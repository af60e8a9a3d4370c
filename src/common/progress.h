#pragma once
/// How far a running statement or background job has got, for SHOW PROCESSLIST and the console.
/// The executor reports pipelines and, within the running pipeline, morsels; scans report rows;
/// a statement names its phase ("writing", "committing"). Everything is atomic: the owner's
/// threads update it while other sessions read it.
///
/// The statement running on a thread finds its progress through CurrentProgress(), set by a
/// ScopedProgress: the executor captures it once per run and hands it to its worker tasks, so
/// nothing below the session needs a parameter for it.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace floe {

class Progress {
  public:
    /// A plan run starts with `n` more pipelines to go.
    void AddPipelines(uint64_t n) { pipelines_total_.fetch_add(n, std::memory_order_relaxed); }
    /// A pipeline starts; `morsels` is how many pieces it reads in (0: not known).
    void PipelineStarted(uint64_t morsels) {
        morsels_done_.store(0, std::memory_order_relaxed);
        morsels_total_.store(morsels, std::memory_order_relaxed);
    }
    void MorselDone() { morsels_done_.fetch_add(1, std::memory_order_relaxed); }
    void PipelineDone() {
        morsels_total_.store(0, std::memory_order_relaxed);
        pipelines_done_.fetch_add(1, std::memory_order_relaxed);
    }
    /// Rows read from tables and files.
    void AddRowsRead(uint64_t n) { rows_read_.fetch_add(n, std::memory_order_relaxed); }
    /// Rows written (loads, INSERT, compaction, refresh).
    void AddRowsWritten(uint64_t n) { rows_written_.fetch_add(n, std::memory_order_relaxed); }
    /// Work measured in the job's own units (rowsets, files, partitions) where no plan runs.
    void SetSteps(uint64_t done, uint64_t total) {
        steps_total_.store(total, std::memory_order_relaxed);
        steps_done_.store(done, std::memory_order_relaxed);
    }
    void SetPhase(std::string phase);

    /// 0..1, or a negative number when nothing measurable has started.
    double Fraction() const;
    /// "42% · pipeline 2/3 · 1.2M rows read", "committing", ... ("" before anything started).
    std::string Describe() const;
    uint64_t rows_read() const { return rows_read_.load(std::memory_order_relaxed); }
    uint64_t rows_written() const { return rows_written_.load(std::memory_order_relaxed); }

  private:
    std::atomic<uint64_t> pipelines_total_{0}, pipelines_done_{0};
    std::atomic<uint64_t> morsels_total_{0}, morsels_done_{0};
    std::atomic<uint64_t> rows_read_{0}, rows_written_{0};
    std::atomic<uint64_t> steps_total_{0}, steps_done_{0};
    mutable std::mutex phase_mutex_;
    std::string phase_;
};

/// The progress of what runs on this thread (null: nothing reports).
Progress* CurrentProgress();

/// Makes `progress` the thread's current one for its lifetime, unless the thread already has one
/// and `replace` is false (a statement a background job runs reports into the job's progress).
class ScopedProgress {
  public:
    explicit ScopedProgress(Progress* progress, bool replace = false);
    ~ScopedProgress();
    ScopedProgress(const ScopedProgress&) = delete;
    ScopedProgress& operator=(const ScopedProgress&) = delete;

  private:
    Progress* previous_;
};

/// What a background job (compaction, MV refresh, tiering, lake maintenance) is, while it runs.
struct BackgroundJobInfo {
    uint64_t id = 0;
    std::string kind;    // "COMPACTION", "TASK", ...
    std::string target;  // "db.table", the task's name, ...
    std::string user;    // whose job it is ("" for the server's own)
    int64_t start_ms = 0;
    std::shared_ptr<Progress> progress;
};

/// A background job while it runs: listed by BackgroundJob::List() (SHOW PROCESSLIST shows
/// them as Daemon rows), its progress current on the constructing thread.
class BackgroundJob {
  public:
    BackgroundJob(std::string kind, std::string target, std::string user = "");
    ~BackgroundJob();
    BackgroundJob(const BackgroundJob&) = delete;
    BackgroundJob& operator=(const BackgroundJob&) = delete;
    Progress& progress() { return *info_.progress; }
    /// The jobs running now, oldest first.
    static std::vector<BackgroundJobInfo> List();

  private:
    BackgroundJobInfo info_;
    std::unique_ptr<ScopedProgress> scope_;
};

/// "1.2M", "34.5K", "812": a count for people.
std::string ShortCount(uint64_t n);

}  // namespace floe
