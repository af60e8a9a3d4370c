#include "server/audit_log.h"

#include <fmt/format.h>
#include <re2/re2.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>

#include "common/json_text.h"
#include "common/logging.h"

namespace floe {

namespace {

constexpr uint64_t kRotateBytes = uint64_t{64} << 20;
constexpr size_t kKeptFiles = 90;         // audit_log_roll_num
constexpr size_t kRecentRecords = 50000;  // what the system table shows

int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string TimestampText(int64_t ms) {
    std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

/// The record's fields as they are named in the log (StarRocks' audit keys), one table for
/// writing a line and reading it back.
struct TextField {
    const char* key;
    std::string AuditRecord::*member;
};
struct NumberField {
    const char* key;
    int64_t AuditRecord::*member;
};
const TextField kTextFields[] = {
    {"QueryType", &AuditRecord::query_type},
    {"QueryId", &AuditRecord::query_id},
    {"Client", &AuditRecord::client},
    {"User", &AuditRecord::user},
    {"AuthorizedUser", &AuditRecord::authorized_user},
    {"Catalog", &AuditRecord::catalog},
    {"Db", &AuditRecord::db},
    {"State", &AuditRecord::state},
    {"ErrorMessage", &AuditRecord::error_message},
    {"Stmt", &AuditRecord::stmt},
};
const NumberField kNumberFields[] = {
    {"TimestampMs", &AuditRecord::timestamp_ms},
    {"ErrorCode", &AuditRecord::error_code},
    {"Time", &AuditRecord::time_ms},
    {"ScanBytes", &AuditRecord::scan_bytes},
    {"ScanRows", &AuditRecord::scan_rows},
    {"ReturnRows", &AuditRecord::return_rows},
    {"MemCostBytes", &AuditRecord::mem_cost_bytes},
    {"StmtId", &AuditRecord::stmt_id},
};

}  // namespace

AuditLog::AuditLog(const std::string& data_dir) : dir_(data_dir + "/log"), path_(data_dir + "/log/floe.audit.log") {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    // The newest records of the current file come back into memory (what the system table shows).
    std::ifstream in(path_, std::ios::binary);
    simdjson::dom::parser parser;
    for (std::string line; std::getline(in, line);) {
        bytes_ += line.size() + 1;
        simdjson::dom::element doc;
        if (parser.parse(line).get(doc)) continue;  // a torn last line after a crash
        AuditRecord r;
        for (const auto& f : kTextFields) {
            std::string_view v;
            if (!doc[f.key].get(v)) r.*f.member = std::string(v);
        }
        for (const auto& f : kNumberFields) {
            int64_t v;
            if (!doc[f.key].get(v)) r.*f.member = v;
        }
        bool is_query = false;
        if (!doc["IsQuery"].get(is_query)) r.is_query = is_query;
        recent_.push_back(std::move(r));
        if (recent_.size() > kRecentRecords) recent_.pop_front();
    }
    out_.open(path_, std::ios::binary | std::ios::app);
    if (!out_) Log::Warn("audit.open_failed", {{"path", path_}});
    day_ = NowMs() / 86400000;
}

std::string AuditLog::MaskPasswords(std::string_view sql) {
    // IDENTIFIED [WITH plugin] BY|AS [PASSWORD] '...', SET PASSWORD ... = '...', PASSWORD('...').
    static const RE2 kIdentified(
        R"((?i)(IDENTIFIED\s+(?:WITH\s+\S+\s+)?(?:BY|AS)\s+(?:PASSWORD\s+)?)('(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"))");
    static const RE2 kPasswordCall(R"((?i)(PASSWORD\s*\(\s*)('(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"))");
    static const RE2 kSetPassword(R"((?i)(SET\s+PASSWORD\b[^=]*=\s*)('(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"))");
    std::string out(sql);
    RE2::GlobalReplace(&out, kIdentified, "\\1'***'");
    RE2::GlobalReplace(&out, kPasswordCall, "\\1'***'");
    RE2::GlobalReplace(&out, kSetPassword, "\\1'***'");
    return out;
}

std::string AuditLog::NewQueryId() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    uint64_t a = rng(), b = rng();
    return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xffff, b >> 48,
                       b & 0xffffffffffffULL);
}

std::string AuditLog::JsonLine(const AuditRecord& r) const {
    std::string j = "{\"Timestamp\":";
    AppendJsonString(j, TimestampText(r.timestamp_ms));
    for (const auto& f : kTextFields) {
        j += fmt::format(",\"{}\":", f.key);
        AppendJsonString(j, r.*f.member);
    }
    for (const auto& f : kNumberFields) j += fmt::format(",\"{}\":{}", f.key, r.*f.member);
    // Fields Floe does not measure yet, present so tools reading StarRocks' log find them.
    j += std::string(",\"IsQuery\":") + (r.is_query ? "true" : "false") +
         ",\"ResourceGroup\":\"\",\"CpuCostNs\":0,\"feIp\":\"127.0.0.1\",\"Digest\":\"\",\"PlanCpuCost\":0,"
         "\"PlanMemCost\":0";
    return j + "}\n";
}

void AuditLog::RotateIfNeeded(int64_t now_ms) {
    int64_t day = now_ms / 86400000;
    if (bytes_ < kRotateBytes && day == day_) return;
    out_.close();
    std::error_code ec;
    std::string stamp = TimestampText(now_ms);
    std::replace(stamp.begin(), stamp.end(), ' ', '-');
    std::replace(stamp.begin(), stamp.end(), ':', '-');
    std::filesystem::rename(path_, path_ + "." + stamp, ec);
    // Keep the newest kKeptFiles rotated files.
    std::vector<std::filesystem::path> rotated;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
        if (entry.path().filename().string().rfind("floe.audit.log.", 0) == 0) rotated.push_back(entry.path());
    }
    std::sort(rotated.begin(), rotated.end());
    for (size_t i = 0; i + kKeptFiles < rotated.size(); ++i) std::filesystem::remove(rotated[i], ec);
    out_.open(path_, std::ios::binary | std::ios::app);
    bytes_ = 0;
    day_ = day;
}

void AuditLog::Add(AuditRecord record) {
    if (record.timestamp_ms == 0) record.timestamp_ms = NowMs();
    std::string line = JsonLine(record);
    std::lock_guard<std::mutex> lock(mutex_);
    RotateIfNeeded(record.timestamp_ms);
    out_ << line;
    out_.flush();
    bytes_ += line.size();
    if (record.query_type != "load" && record.time_ms >= kSlowQueryMs) {
        const std::string slow_path = dir_ + "/floe.slow_query.log";
        if (slow_bytes_ >= kRotateBytes) {
            slow_out_.close();
            std::error_code ec;
            std::filesystem::rename(slow_path, slow_path + ".1", ec);
            slow_bytes_ = 0;
        }
        if (!slow_out_.is_open()) {
            slow_out_.open(slow_path, std::ios::binary | std::ios::app);
            std::error_code ec;
            slow_bytes_ = std::filesystem::file_size(slow_path, ec);
            if (ec) slow_bytes_ = 0;
        }
        slow_out_ << line;
        slow_out_.flush();
        slow_bytes_ += line.size();
    }
    recent_.push_back(std::move(record));
    if (recent_.size() > kRecentRecords) recent_.pop_front();
}

std::vector<AuditRecord> AuditLog::Recent() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::vector<AuditRecord>(recent_.begin(), recent_.end());
}

}  // namespace floe
