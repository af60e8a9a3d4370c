#include "common/memory_tracker.h"

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <new>

#include "common/exception.h"

namespace floe {

namespace {

constexpr int64_t kFlushBytes = 1 << 20;      // per-thread balance handed on past this
constexpr size_t kBigAllocation = 16u << 20;  // checked against limits before it is made

thread_local int64_t t_pending = 0;
thread_local MemoryTracker* t_current = nullptr;
thread_local int64_t t_refused = 0;
thread_local int64_t t_refused_used = -1;  // what the tracker over its limit used then

inline void Flush() {
    int64_t n = t_pending;
    t_pending = 0;
    (t_current ? t_current : &MemoryTracker::Process())->Add(n);
}

inline void Charge(int64_t bytes) {
    t_pending += bytes;
    if (t_pending > kFlushBytes || t_pending < -kFlushBytes) Flush();
}

inline void BeforeAllocation(size_t size) {
    if (size >= kBigAllocation && t_current && t_current->WouldExceed(static_cast<int64_t>(size) + t_pending)) {
        t_refused = static_cast<int64_t>(size);
        t_refused_used = t_current->used() + t_pending;
        throw std::bad_alloc();
    }
}

void* Allocate(size_t size) {
    BeforeAllocation(size);
    void* p = std::malloc(size ? size : 1);
    if (!p) throw std::bad_alloc();
    Charge(static_cast<int64_t>(malloc_usable_size(p)));
    return p;
}

void* AllocateAligned(size_t size, std::align_val_t align) {
    BeforeAllocation(size);
    void* p = nullptr;
    size_t a = static_cast<size_t>(align) < sizeof(void*) ? sizeof(void*) : static_cast<size_t>(align);
    if (posix_memalign(&p, a, size ? size : 1) != 0) throw std::bad_alloc();
    Charge(static_cast<int64_t>(malloc_usable_size(p)));
    return p;
}

void Release(void* p) noexcept {
    if (!p) return;
    Charge(-static_cast<int64_t>(malloc_usable_size(p)));
    std::free(p);
}

}  // namespace

MemoryTracker& MemoryTracker::Process() {
    static MemoryTracker process("server", 0, nullptr);
    return process;
}

MemoryTracker* MemoryTracker::Current() {
    return t_current;
}

void MemoryTracker::Add(int64_t bytes) {
    for (MemoryTracker* t = this; t; t = t->parent_) {
        int64_t now = t->used_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
        int64_t peak = t->peak_.load(std::memory_order_relaxed);
        while (now > peak && !t->peak_.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
        }
        if (!t->parent_ && t != &Process()) Process().Add(bytes);
    }
}

bool MemoryTracker::WouldExceed(int64_t extra) const {
    for (const MemoryTracker* t = this; t; t = t->parent_) {
        if (t->limit_ > 0 && t->used() + extra > t->limit_) return true;
        if (!t->parent_ && t != &Process()) return Process().WouldExceed(extra);
    }
    return false;
}

std::string MemoryTracker::DescribeExceeded(int64_t extra) const {
    const MemoryTracker* over = this;
    for (const MemoryTracker* t = this; t; t = t->parent_ ? t->parent_ : (t != &Process() ? &Process() : nullptr)) {
        int64_t used = t == this && extra > 0 && t_refused_used >= 0 ? t_refused_used : t->used();
        if (t->limit_ > 0 && used + extra > t->limit_) {
            over = t;
            break;
        }
    }
    int64_t used = over->used();
    if (extra > 0 && over == this && t_refused_used >= 0) used = t_refused_used;  // before the unwinding freed memory
    std::string what = "Memory limit exceeded: " + over->label_ + " uses " + FormatBytes(used);
    if (extra > 0) what += " and asked for " + FormatBytes(extra) + " more";
    what += ", over its limit of " + FormatBytes(over->limit_);
    if (over == &Process()) {
        what += " (the server's --memory-limit)";
    } else if (over == this && !hint_.empty()) {
        what += " (" + hint_ + ")";
    }
    return what;
}

void MemoryTracker::Check() const {
    if (WouldExceed(0)) throw OutOfMemoryError(DescribeExceeded());
}

void MemoryTracker::FlushThread() {
    Flush();
}

void MemoryTracker::ChargeThread(int64_t bytes) {
    Charge(bytes);
}

int64_t MemoryTracker::LastRefused() {
    return t_refused;
}

void MemoryTracker::CheckCurrent() {
    (t_current ? t_current : &Process())->Check();
}

ScopedMemoryTracker::ScopedMemoryTracker(MemoryTracker* tracker) : previous_(t_current) {
    Flush();
    t_current = tracker;
}

ScopedMemoryTracker::~ScopedMemoryTracker() {
    Flush();
    t_current = previous_;
}

std::string FormatBytes(int64_t bytes) {
    char buf[64];
    double v = static_cast<double>(bytes < 0 ? -bytes : bytes);
    const char* sign = bytes < 0 ? "-" : "";
    if (v >= double(1 << 30)) {
        std::snprintf(buf, sizeof(buf), "%s%.1f GiB", sign, v / double(1 << 30));
    } else if (v >= double(1 << 20)) {
        std::snprintf(buf, sizeof(buf), "%s%.1f MiB", sign, v / double(1 << 20));
    } else {
        std::snprintf(buf, sizeof(buf), "%s%.0f KiB", sign, v / 1024.0);
    }
    return buf;
}

}  // namespace floe

// The process's allocation functions, counted (see memory_tracker.h).
void* operator new(size_t size) {
    return floe::Allocate(size);
}
void* operator new[](size_t size) {
    return floe::Allocate(size);
}
void* operator new(size_t size, const std::nothrow_t&) noexcept {
    try {
        return floe::Allocate(size);
    } catch (...) {
        return nullptr;
    }
}
void* operator new[](size_t size, const std::nothrow_t&) noexcept {
    try {
        return floe::Allocate(size);
    } catch (...) {
        return nullptr;
    }
}
void* operator new(size_t size, std::align_val_t align) {
    return floe::AllocateAligned(size, align);
}
void* operator new[](size_t size, std::align_val_t align) {
    return floe::AllocateAligned(size, align);
}
void operator delete(void* p) noexcept {
    floe::Release(p);
}
void operator delete[](void* p) noexcept {
    floe::Release(p);
}
void operator delete(void* p, size_t) noexcept {
    floe::Release(p);
}
void operator delete[](void* p, size_t) noexcept {
    floe::Release(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
    floe::Release(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
    floe::Release(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
    floe::Release(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
    floe::Release(p);
}
void operator delete(void* p, size_t, std::align_val_t) noexcept {
    floe::Release(p);
}
void operator delete[](void* p, size_t, std::align_val_t) noexcept {
    floe::Release(p);
}
