#pragma once
/// The process-wide pool of worker threads that parallel pipelines run on, sized to the cores.
///
/// A query asks for `n` runs of one task (a pipeline's morsel loop); the calling thread does run
/// 0 itself and pool workers pick up the others as they become free. When the caller's run
/// ends it also does every run no worker has started yet, then waits only for runs in progress:
/// a busy pool (other queries, or a task that itself runs a query) never deadlocks and never
/// leaves a query waiting for threads it cannot get.

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace floe {

class WorkerPool {
  public:
    /// The pool, started on first use with one thread per core (or per Configure).
    static WorkerPool& Instance();
    /// Sets how many cores queries may use (the server's --threads); before the first Instance().
    static void Configure(size_t parallelism);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    /// The number of cores queries may use (pool threads + the caller's).
    size_t parallelism() const { return threads_.size() + 1; }

    /// Runs task(0), ..., task(n - 1), at most `n` at once, and returns when all have finished.
    /// The tasks catch their own exceptions (one catch boundary per pipeline task).
    void Run(size_t n, const std::function<void(size_t)>& task);

  private:
    explicit WorkerPool(size_t threads);
    struct Batch;
    void WorkerLoop();

    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<std::shared_ptr<Batch>> queue_;  // batches with runs not yet started
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace floe
