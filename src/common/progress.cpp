#include "common/progress.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

namespace floe {

namespace {
thread_local Progress* current_progress = nullptr;
}

void Progress::SetPhase(std::string phase) {
    std::lock_guard<std::mutex> lock(phase_mutex_);
    phase_ = std::move(phase);
}

double Progress::Fraction() const {
    uint64_t steps_total = steps_total_.load(std::memory_order_relaxed);
    if (steps_total > 0) {
        return std::min(1.0, static_cast<double>(steps_done_.load(std::memory_order_relaxed)) / steps_total);
    }
    uint64_t total = pipelines_total_.load(std::memory_order_relaxed);
    if (total == 0) return -1;
    uint64_t done = std::min(total, pipelines_done_.load(std::memory_order_relaxed));
    double within = 0;
    uint64_t morsels = morsels_total_.load(std::memory_order_relaxed);
    if (morsels > 0 && done < total) {
        within = std::min(1.0, static_cast<double>(morsels_done_.load(std::memory_order_relaxed)) / morsels);
    }
    return std::min(1.0, (static_cast<double>(done) + within) / static_cast<double>(total));
}

std::string ShortCount(uint64_t n) {
    char buf[32];
    if (n >= 1'000'000'000) {
        std::snprintf(buf, sizeof buf, "%.1fG", n / 1e9);
    } else if (n >= 1'000'000) {
        std::snprintf(buf, sizeof buf, "%.1fM", n / 1e6);
    } else if (n >= 10'000) {
        std::snprintf(buf, sizeof buf, "%.1fK", n / 1e3);
    } else {
        std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(n));
    }
    return buf;
}

std::string Progress::Describe() const {
    std::string out;
    auto add = [&](const std::string& part) {
        if (part.empty()) return;
        if (!out.empty()) out += " · ";
        out += part;
    };
    double fraction = Fraction();
    if (fraction >= 0) add(std::to_string(static_cast<int>(fraction * 100)) + "%");
    uint64_t steps_total = steps_total_.load(std::memory_order_relaxed);
    if (steps_total > 0) {
        add("step " + std::to_string(steps_done_.load(std::memory_order_relaxed)) + "/" + std::to_string(steps_total));
    } else if (uint64_t total = pipelines_total_.load(std::memory_order_relaxed); total > 1) {
        uint64_t done = pipelines_done_.load(std::memory_order_relaxed);
        add("pipeline " + std::to_string(std::min(total, done + 1)) + "/" + std::to_string(total));
    }
    if (uint64_t r = rows_read()) add(ShortCount(r) + " rows read");
    if (uint64_t w = rows_written()) add(ShortCount(w) + " rows written");
    {
        std::lock_guard<std::mutex> lock(phase_mutex_);
        add(phase_);
    }
    return out;
}

Progress* CurrentProgress() {
    return current_progress;
}

ScopedProgress::ScopedProgress(Progress* progress, bool replace) : previous_(current_progress) {
    if (replace || !current_progress) current_progress = progress;
}

ScopedProgress::~ScopedProgress() {
    current_progress = previous_;
}

namespace {
std::mutex jobs_mutex;
std::map<uint64_t, BackgroundJobInfo>& Jobs() {
    static auto* jobs = new std::map<uint64_t, BackgroundJobInfo>();
    return *jobs;
}
uint64_t next_job_id = 1;
}  // namespace

BackgroundJob::BackgroundJob(std::string kind, std::string target, std::string user) {
    info_.kind = std::move(kind);
    info_.target = std::move(target);
    info_.user = std::move(user);
    info_.start_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    info_.progress = std::make_shared<Progress>();
    {
        std::lock_guard<std::mutex> lock(jobs_mutex);
        info_.id = next_job_id++;
        Jobs()[info_.id] = info_;
    }
    scope_ = std::make_unique<ScopedProgress>(info_.progress.get(), true);
}

BackgroundJob::~BackgroundJob() {
    scope_.reset();
    std::lock_guard<std::mutex> lock(jobs_mutex);
    Jobs().erase(info_.id);
}

std::vector<BackgroundJobInfo> BackgroundJob::List() {
    std::lock_guard<std::mutex> lock(jobs_mutex);
    std::vector<BackgroundJobInfo> out;
    for (const auto& [id, info] : Jobs()) out.push_back(info);
    return out;
}

}  // namespace floe
