#pragma once
/// Structured logging: one line per event, `ts=... level=... event="..." key=value ...`, to stderr.
/// Events are short stable names ("mysql.listening"); details go in fields so logs can be grepped
/// and parsed.

#include <fmt/format.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace floe {

enum class LogLevel { DEBUG = 0, INFO = 1, WARN = 2, ERROR = 3 };

/// One key=value pair of a log line; values are formatted when the field is made.
struct LogField {
    template <typename T>
    LogField(std::string_view k, const T& v) : key(k), value(fmt::format("{}", v)) {}
    std::string_view key;
    std::string value;
};

class Log {
  public:
    /// Parses "debug", "info", "warn" or "error"; returns false for anything else.
    static bool ParseLevel(std::string_view text, LogLevel* level);
    static void SetLevel(LogLevel level);
    static bool Enabled(LogLevel level);
    static void Write(LogLevel level, std::string_view event, std::initializer_list<LogField> fields = {});

    static void Debug(std::string_view event, std::initializer_list<LogField> fields = {}) {
        if (Enabled(LogLevel::DEBUG)) Write(LogLevel::DEBUG, event, fields);
    }
    static void Info(std::string_view event, std::initializer_list<LogField> fields = {}) {
        if (Enabled(LogLevel::INFO)) Write(LogLevel::INFO, event, fields);
    }
    static void Warn(std::string_view event, std::initializer_list<LogField> fields = {}) {
        if (Enabled(LogLevel::WARN)) Write(LogLevel::WARN, event, fields);
    }
    static void Error(std::string_view event, std::initializer_list<LogField> fields = {}) {
        if (Enabled(LogLevel::ERROR)) Write(LogLevel::ERROR, event, fields);
    }
};

}  // namespace floe
