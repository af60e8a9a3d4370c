#include "common/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

namespace floe {

TEST(WorkerPoolTest, RunsEveryTaskExactlyOnce) {
    WorkerPool& pool = WorkerPool::Instance();
    ASSERT_GE(pool.parallelism(), 1u);
    for (size_t n : {0u, 1u, 2u, 7u, 64u}) {
        std::vector<std::atomic<int>> runs(n);
        pool.Run(n, [&](size_t i) { runs[i].fetch_add(1); });
        for (size_t i = 0; i < n; ++i) EXPECT_EQ(runs[i].load(), 1) << "task " << i << " of " << n;
    }
}

TEST(WorkerPoolTest, TasksRunOnSeveralThreadsWhenThereAreCores) {
    WorkerPool& pool = WorkerPool::Instance();
    if (pool.parallelism() < 2) GTEST_SKIP() << "one core";
    std::mutex mutex;
    std::set<std::thread::id> threads;
    std::atomic<int> inside{0}, most{0};
    pool.Run(pool.parallelism(), [&](size_t) {
        int now = inside.fetch_add(1) + 1;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        inside.fetch_sub(1);
        std::lock_guard<std::mutex> lock(mutex);
        threads.insert(std::this_thread::get_id());
    });
    EXPECT_GE(threads.size(), 2u);
    EXPECT_GE(most.load(), 2);
}

TEST(WorkerPoolTest, NestedAndConcurrentRunsFinish) {
    // A task that itself runs tasks (a query inside a query) and several callers at once never
    // wait for threads they cannot get: the caller does what no worker has started.
    WorkerPool& pool = WorkerPool::Instance();
    std::atomic<int> total{0};
    std::vector<std::thread> callers;
    for (int c = 0; c < 4; ++c) {
        callers.emplace_back([&] { pool.Run(4, [&](size_t) { pool.Run(3, [&](size_t) { total.fetch_add(1); }); }); });
    }
    for (auto& t : callers) t.join();
    EXPECT_EQ(total.load(), 4 * 4 * 3);
}

}  // namespace floe
