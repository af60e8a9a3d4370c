#include "common/memory_tracker.h"

#include <gtest/gtest.h>

#include <memory>
#include <new>
#include <vector>

#include "common/exception.h"

namespace floe {
namespace {

TEST(MemoryTrackerTest, CountsAllocationsOfTheAttachedThread) {
    MemoryTracker tracker("test", 0);
    {
        ScopedMemoryTracker attach(&tracker);
        std::vector<char> big(8 << 20);
        MemoryTracker::FlushThread();
        EXPECT_GE(tracker.used(), 8 << 20);
        EXPECT_LT(tracker.used(), 10 << 20);
    }
    // Freed inside the scope: back to about zero, and the peak remembers.
    EXPECT_LT(tracker.used(), 1 << 20);
    EXPECT_GE(tracker.peak(), 8 << 20);
}

TEST(MemoryTrackerTest, ChargesParentsAndTheProcess) {
    MemoryTracker::FlushThread();
    int64_t process_before = MemoryTracker::Process().used();
    MemoryTracker parent("parent", 0);
    MemoryTracker child("child", 0, &parent);
    ScopedMemoryTracker attach(&child);
    auto block = std::make_unique<char[]>(4 << 20);
    block[0] = 1;
    MemoryTracker::FlushThread();
    EXPECT_GE(child.used(), 4 << 20);
    EXPECT_EQ(parent.used(), child.used());
    EXPECT_GE(MemoryTracker::Process().used() - process_before, 4 << 20);
}

TEST(MemoryTrackerTest, CheckThrowsOverTheLimitAndNamesIt) {
    MemoryTracker tracker("this statement", 2 << 20, nullptr, "SET query_mem_limit");
    ScopedMemoryTracker attach(&tracker);
    std::vector<char> small(1 << 20);
    MemoryTracker::FlushThread();
    EXPECT_NO_THROW(MemoryTracker::CheckCurrent());
    std::vector<char> more(3 << 20);
    MemoryTracker::FlushThread();
    try {
        MemoryTracker::CheckCurrent();
        FAIL() << "expected OutOfMemoryError";
    } catch (const OutOfMemoryError& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("this statement uses"), std::string::npos) << what;
        EXPECT_NE(what.find("limit of 2.0 MiB"), std::string::npos) << what;
        EXPECT_NE(what.find("SET query_mem_limit"), std::string::npos) << what;
    }
}

TEST(MemoryTrackerTest, RefusesABigAllocationBeyondTheLimitUpFront) {
    MemoryTracker tracker("this statement", 32 << 20);
    ScopedMemoryTracker attach(&tracker);
    EXPECT_THROW(std::vector<char>(64 << 20), std::bad_alloc);
    EXPECT_EQ(MemoryTracker::LastRefused(), 64 << 20);
    EXPECT_LT(tracker.used(), 1 << 20);  // nothing was allocated
    EXPECT_NO_THROW(std::vector<char>(20 << 20));
}

TEST(MemoryTrackerTest, NoLimitWhenDetached) {
    EXPECT_EQ(MemoryTracker::Current(), nullptr);
    std::vector<char> v(64 << 20);  // the process has no limit in tests
    EXPECT_EQ(v.size(), size_t(64) << 20);
}

TEST(MemoryTrackerTest, FormatsBytes) {
    EXPECT_EQ(FormatBytes(512 << 10), "512 KiB");
    EXPECT_EQ(FormatBytes(3 << 20), "3.0 MiB");
    EXPECT_EQ(FormatBytes(int64_t(3) << 30), "3.0 GiB");
}

}  // namespace
}  // namespace floe
