#pragma once
/// Memory accounting. Every `operator new` / `delete` in the process is counted (this file's .cpp
/// replaces them): each thread keeps a small running balance and, once it passes 1 MiB either way,
/// adds it to the process tracker and to the tracker attached to the thread (a statement, a load).
/// Trackers have limits: the process's is `--memory-limit`, a statement's comes from its session
/// (`query_mem_limit`, `exec_mem_limit`). Exceeding one is noticed in two places:
///
///  - `MemoryTracker::Check()`, which the executor calls between chunks, throws OutOfMemoryError
///    naming the tracker, what it uses and its limit;
///  - a single allocation of 16 MiB or more (a hash table doubling, a sort buffer) made while a
///    tracker is attached that would take it over its limit throws std::bad_alloc at once, so
///    one big request cannot outrun the check; the statement turns it into the same error.
///
/// Memory allocated with malloc by C libraries (SQLite, compressors) is not counted.

#include <atomic>
#include <cstdint>
#include <string>

namespace floe {

class MemoryTracker {
  public:
    /// `limit` 0 = unlimited. `parent` (may be null) is checked too; the process tracker is
    /// everyone's implicit ancestor and is always charged.
    /// `hint` says how to change the limit ("SET query_mem_limit"), for the error message.
    MemoryTracker(std::string label, int64_t limit, MemoryTracker* parent = nullptr, std::string hint = "")
        : label_(std::move(label)), hint_(std::move(hint)), limit_(limit), parent_(parent) {}
    MemoryTracker(const MemoryTracker&) = delete;
    MemoryTracker& operator=(const MemoryTracker&) = delete;

    /// The process-wide tracker; its limit is set once at start-up.
    static MemoryTracker& Process();
    /// The tracker attached to this thread, or null.
    static MemoryTracker* Current();

    const std::string& label() const { return label_; }
    int64_t limit() const { return limit_; }
    void set_limit(int64_t limit) { limit_ = limit; }
    int64_t used() const { return used_.load(std::memory_order_relaxed); }
    int64_t peak() const { return peak_.load(std::memory_order_relaxed); }

    /// Charges `bytes` (negative to release). Does not throw.
    void Add(int64_t bytes);
    /// Throws OutOfMemoryError if this tracker, its parents or the process are over their limits.
    void Check() const;
    /// True if `extra` more bytes would take this tracker, a parent or the process over a limit.
    bool WouldExceed(int64_t extra) const;

    /// Counts memory this thread got outside operator new (mmap): negative when it is given back.
    static void ChargeThread(int64_t bytes);
    /// Adds this thread's pending balance to the trackers now (before reading `used()` exactly).
    static void FlushThread();
    /// The size of the last allocation this thread was refused (for the message of its bad_alloc).
    static int64_t LastRefused();
    /// Throws OutOfMemoryError for the current thread's tracker chain if any is over its limit.
    static void CheckCurrent();
    /// The error message for the innermost tracker over its limit, for a std::bad_alloc.
    std::string DescribeExceeded(int64_t extra = 0) const;

  private:
    std::string label_;
    std::string hint_;
    int64_t limit_;
    MemoryTracker* parent_;
    std::atomic<int64_t> used_{0};
    std::atomic<int64_t> peak_{0};
};

/// Attaches a tracker to the current thread for a scope (statements, loads); restores the
/// previous one on exit. Pending balance goes to the tracker that was attached when it arose.
class ScopedMemoryTracker {
  public:
    explicit ScopedMemoryTracker(MemoryTracker* tracker);
    ~ScopedMemoryTracker();
    ScopedMemoryTracker(const ScopedMemoryTracker&) = delete;
    ScopedMemoryTracker& operator=(const ScopedMemoryTracker&) = delete;

  private:
    MemoryTracker* previous_;
};

/// "1.5 GiB", "12.0 MiB", "640 KiB".
std::string FormatBytes(int64_t bytes);

}  // namespace floe
