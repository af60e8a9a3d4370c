#include "common/logging.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace floe {

namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::INFO)};
std::mutex g_write_mutex;

const char* LevelName(LogLevel level) {
    switch (level) {
        case LogLevel::DEBUG:
            return "debug";
        case LogLevel::INFO:
            return "info";
        case LogLevel::WARN:
            return "warn";
        case LogLevel::ERROR:
            return "error";
    }
    return "info";
}

bool NeedsQuotes(std::string_view v) {
    if (v.empty()) return true;
    for (char c : v) {
        if (c == ' ' || c == '"' || c == '=' || c == '\n' || c == '\t') return true;
    }
    return false;
}

void AppendValue(std::string& out, std::string_view v) {
    if (!NeedsQuotes(v)) {
        out.append(v);
        return;
    }
    out.push_back('"');
    for (char c : v) {
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (c == '\n') {
            out.append("\\n");
        } else {
            out.push_back(c);
        }
    }
    out.push_back('"');
}
}  // namespace

bool Log::ParseLevel(std::string_view text, LogLevel* level) {
    if (text == "debug")
        *level = LogLevel::DEBUG;
    else if (text == "info")
        *level = LogLevel::INFO;
    else if (text == "warn" || text == "warning")
        *level = LogLevel::WARN;
    else if (text == "error")
        *level = LogLevel::ERROR;
    else
        return false;
    return true;
}

void Log::SetLevel(LogLevel level) {
    g_level.store(static_cast<int>(level));
}

bool Log::Enabled(LogLevel level) {
    return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

void Log::Write(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
    auto now = std::chrono::system_clock::now();
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
    std::time_t secs = micros / 1000000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    std::string line =
        fmt::format("ts={:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z level={} event=", tm.tm_year + 1900, tm.tm_mon + 1,
                    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros % 1000000, LevelName(level));
    AppendValue(line, event);
    for (const auto& f : fields) {
        line.push_back(' ');
        line.append(f.key);
        line.push_back('=');
        AppendValue(line, f.value);
    }
    line.push_back('\n');
    std::lock_guard<std::mutex> lock(g_write_mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

}  // namespace floe
