#include "common/worker_pool.h"

#include <algorithm>
#include <atomic>

namespace floe {

struct WorkerPool::Batch {
    const std::function<void(size_t)>* task = nullptr;
    size_t runs = 0;
    std::atomic<size_t> next{0};  // the next run to start
    size_t finished = 0;          // runs done (under the pool's mutex)
    std::condition_variable done;

    /// Claims the next unstarted run, or returns false when every run has started.
    bool Claim(size_t& run) {
        run = next.fetch_add(1, std::memory_order_relaxed);
        return run < runs;
    }
};

namespace {
size_t g_configured = 0;  // 0: one per core
}  // namespace

void WorkerPool::Configure(size_t parallelism) {
    g_configured = parallelism;
}

WorkerPool& WorkerPool::Instance() {
    static WorkerPool pool(std::max<size_t>(1, g_configured ? g_configured : std::thread::hardware_concurrency()));
    return pool;
}

WorkerPool::WorkerPool(size_t threads) {
    // The caller of Run is one of the cores: the pool adds the others.
    for (size_t i = 0; i + 1 < threads; ++i) threads_.emplace_back([this] { WorkerLoop(); });
}

WorkerPool::~WorkerPool() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
}

void WorkerPool::WorkerLoop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
        wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        std::shared_ptr<Batch> batch = queue_.front();
        size_t run;
        if (!batch->Claim(run)) {
            // Every run of this batch has started: it leaves the queue.
            queue_.erase(std::find(queue_.begin(), queue_.end(), batch));
            continue;
        }
        lock.unlock();
        (*batch->task)(run);
        lock.lock();
        if (++batch->finished == batch->runs) batch->done.notify_all();
    }
}

void WorkerPool::Run(size_t n, const std::function<void(size_t)>& task) {
    if (n == 0) return;
    if (n == 1 || threads_.empty()) {
        for (size_t i = 0; i < n; ++i) task(i);
        return;
    }
    auto batch = std::make_shared<Batch>();
    batch->task = &task;
    batch->runs = n;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        queue_.push_back(batch);
    }
    size_t helpers = std::min(n - 1, threads_.size());
    for (size_t i = 0; i < helpers; ++i) wake_.notify_one();
    // The caller runs what no worker has started, then waits for the runs in progress.
    size_t run;
    size_t mine = 0;
    while (batch->Claim(run)) {
        task(run);
        ++mine;
    }
    std::unique_lock<std::mutex> lock(mutex_);
    auto it = std::find(queue_.begin(), queue_.end(), batch);
    if (it != queue_.end()) queue_.erase(it);
    batch->finished += mine;
    batch->done.wait(lock, [&] { return batch->finished == batch->runs; });
}

}  // namespace floe
