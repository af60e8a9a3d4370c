#include "execution/query_profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "common/memory_tracker.h"
#include "execution/operator/physical_file_scan.h"
#include "execution/operator/physical_table_scan.h"

namespace floe {

std::string ScanSummary(PhysicalOperator& op) {
    std::string text;
    if (op.type() == PhysicalOperatorType::TABLE_SCAN) {
        const auto& scan = static_cast<PhysicalTableScan&>(op);
        const auto& st = scan.stats();
        text += "SCANNED " + scan.table_name() + ": rowsets " + std::to_string(st.rowsets_read) + " read, " +
                std::to_string(st.rowsets_skipped) + " skipped; pages " + std::to_string(st.pages_read) + " read, " +
                std::to_string(st.pages_skipped) + " skipped; " + std::to_string(st.rows_read) + " rows read; " +
                scan.PruningSummary();
        size_t dropped = 0;
        for (const auto& f : scan.runtime_filters()) dropped += f->rows_filtered.load();
        if (!scan.runtime_filters().empty()) {
            text += "; runtime filter: " + std::to_string(dropped) + " rows dropped";
        }
    }
    if (op.type() == PhysicalOperatorType::TABLE_FUNCTION && op.name() == "FILE_SCAN") {
        const auto& st = static_cast<PhysicalFileScan&>(op).stats();
        const std::string pruning = static_cast<PhysicalFileScan&>(op).PlanPruning();
        text += "SCANNED FILES: " + (pruning.empty() ? std::string() : "planned " + pruning + "; ") +
                std::to_string(st.files) + " files; row groups " + std::to_string(st.row_groups_read) + " read, " +
                std::to_string(st.row_groups_skipped) + " skipped; " + std::to_string(st.rows_read) + " rows read";
        if (st.rows_skipped > 0) {
            text += ", " + std::to_string(st.rows_skipped) + " skipped by the page index";
        }
        if (st.rows_filtered > 0) {
            text += "; " + std::to_string(st.rows_filtered) + " rows filtered while decoding (late materialization)";
        }
        if (st.rows_deleted > 0) {
            text += "; " + std::to_string(st.rows_deleted) + " rows removed by delete files";
        }
        text += "; " + FormatBytes(st.bytes_read) + " read";
        if (st.remote) {
            text += "; data cache: " + std::to_string(st.cache_hits) + " hits, " + std::to_string(st.cache_misses) +
                    " misses, " + FormatBytes(st.bytes_from_cache) + " from cache, " +
                    FormatBytes(st.bytes_from_remote) + " from remote";
        }
        if (st.bloom_skipped > 0) {
            text += "; " + std::to_string(st.bloom_skipped) + " row groups ruled out by bloom filters";
        }
    }
    return text;
}

std::vector<std::string> ProfileLines(PhysicalOperator& root) {
    uint64_t total = 0;
    std::function<void(PhysicalOperator&)> sum = [&](PhysicalOperator& op) {
        total += op.profile().nanos.load();
        for (auto& c : op.children()) sum(*c);
    };
    sum(root);
    std::vector<std::string> out;
    std::function<void(PhysicalOperator&, int)> visit = [&](PhysicalOperator& op, int depth) {
        const auto& p = op.profile();
        uint64_t nanos = p.nanos.load();
        std::string line = std::string(static_cast<size_t>(depth) * 2, ' ') + op.name();
        line += fmt::format(" rows={}", p.rows_out.load());
        if (p.rows_in.load() > 0) line += fmt::format(" rows_in={}", p.rows_in.load());
        line += fmt::format(" time={:.3f}ms", static_cast<double>(nanos) / 1e6);
        if (total > 0)
            line += fmt::format(" ({:.1f}%)", 100.0 * static_cast<double>(nanos) / static_cast<double>(total));
        if (int64_t memory = p.memory.load(); memory >= 1024) line += " mem=" + FormatBytes(memory);
        out.push_back(std::move(line));
        std::string scanned = ScanSummary(op);
        if (!scanned.empty()) out.push_back(std::string(static_cast<size_t>(depth) * 2 + 2, ' ') + scanned);
        for (auto& c : op.children()) visit(*c, depth + 1);
    };
    visit(root, 0);
    return out;
}

namespace {
thread_local ProfileCollector* current_collector = nullptr;
}

void ProfileCollector::Add(PhysicalOperator& root) {
    std::vector<std::string> lines = ProfileLines(root);
    int64_t peak = MemoryTracker::Current() ? MemoryTracker::Current()->peak() : 0;
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& l : lines) lines_.push_back(std::move(l));
    peak_memory_bytes_ = std::max(peak_memory_bytes_, peak);
}

bool ProfileCollector::empty() {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines_.empty();
}

std::vector<std::string> ProfileCollector::TakeLines() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::move(lines_);
}

int64_t ProfileCollector::peak_memory_bytes() {
    std::lock_guard<std::mutex> lock(mutex_);
    return peak_memory_bytes_;
}

ProfileCollector* CurrentProfileCollector() {
    return current_collector;
}

ScopedProfileCollector::ScopedProfileCollector(ProfileCollector* collector) : previous_(current_collector) {
    current_collector = collector;
}

ScopedProfileCollector::~ScopedProfileCollector() {
    current_collector = previous_;
}

}  // namespace floe
