// SHOW [FULL] PROCESSLIST and KILL: what runs now, sessions and background jobs, with progress.

#include <chrono>
#include <string>

#include "binder/client_context.h"
#include "common/exception.h"
#include "common/progress.h"
#include "server/instance.h"
#include "server/result_builder.h"
#include "server/session.h"
#include "server/statement_executor.h"

namespace floe {

namespace {

QueryResult Ok() {
    return QueryResult{};
}

Value Text(const std::string& v) {
    return Value::Varchar(v);
}

constexpr int64_t kDaemonIdBase = int64_t{1} << 32;

/// At most `limit` bytes of `text`, cut at a character boundary (UTF-8).
std::string Cut(const std::string& text, size_t limit) {
    if (text.size() <= limit) return text;
    size_t end = limit;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    return text.substr(0, end);
}

int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

QueryResult StatementExecutor::ShowProcessList(bool full) {
    // StarRocks' columns, then Floe's: the running statement's query id and progress.
    ResultBuilder rb;
    rb.AddColumn("Id", TypeId::BIGINT, false);
    rb.AddColumn("User");
    rb.AddColumn("Host");
    rb.AddColumn("Db");
    rb.AddColumn("Command");
    rb.AddColumn("ConnectionStartTime", TypeId::DATETIME);
    rb.AddColumn("Time", TypeId::BIGINT);
    rb.AddColumn("State");
    rb.AddColumn("Info", LogicalType::Varchar(full ? 4096 : 100));
    rb.AddColumn("IsPending");
    rb.AddColumn("QueryId");
    rb.AddColumn("Progress", LogicalType::Varchar(256));
    const int64_t now = NowMs();
    const size_t info_limit = full ? 4096 : 100;
    // Others' sessions and the server's jobs (and what they run) only with OPERATE; without it a
    // user sees their own sessions and the jobs that run as them (their MVs' refreshes, tasks).
    const bool everyone = context_.HasPrivilege("OPERATE", ClientContext::SystemObject());
    std::vector<std::vector<Value>> rows;
    Instance& instance = session_.instance();
    instance.ForEachSession([&](Session& other) {
        if (!everyone && other.user() != session_.user()) return;
        SessionActivity a = other.activity();
        if (&other == &session_) a.running = true;  // this statement
        rows.push_back({Value::Integer(other.connection_id()), Text(other.user()), Text(other.host()),
                        a.database.empty() ? Value::Null(LogicalType::Varchar()) : Text(a.database),
                        Text(a.running ? "Query" : "Sleep"), Value::Datetime(other.connected_ms() * 1000),
                        Value::Integer(std::max<int64_t>(0, (now - a.since_ms) / 1000)),
                        Text(a.running ? "Running" : ""),
                        a.running ? Text(Cut(a.statement, info_limit)) : Value::Null(LogicalType::Varchar()),
                        Text("false"), a.running ? Text(a.query_id) : Value::Null(LogicalType::Varchar()),
                        a.running && a.progress ? Text(a.progress->Describe()) : Value::Null(LogicalType::Varchar())});
    });
    for (const auto& job : BackgroundJob::List()) {
        if (!everyone && (job.user.empty() || job.user != session_.user())) continue;
        std::string info = job.kind + " " + job.target;
        // Ids past every connection id (32-bit): KILL never reaches a connection through one.
        rows.push_back({Value::Integer(kDaemonIdBase + static_cast<int64_t>(job.id)),
                        Text(job.user.empty() ? "system" : job.user), Text("localhost"),
                        Value::Null(LogicalType::Varchar()), Text("Daemon"), Value::Datetime(job.start_ms * 1000),
                        Value::Integer(std::max<int64_t>(0, (now - job.start_ms) / 1000)), Text("Running"),
                        Text(Cut(info, info_limit)), Text("false"), Value::Null(LogicalType::Varchar()),
                        Text(job.progress->Describe())});
    }
    for (auto& r : rows) rb.AddRow(std::move(r));
    return rb.Build();
}

QueryResult StatementExecutor::Kill(const ast::KillStatement& s) {
    Instance& instance = session_.instance();
    const bool operate = session_.Privileges().Has("OPERATE", ClientContext::SystemObject());
    if (!s.query_id.empty()) {
        // The running statement with this query id, among the sessions the user may see; checked
        // and interrupted under the session's lock, so a statement that just ended is not hit.
        bool killed = false;
        instance.ForEachSession([&](Session& other) {
            if (killed || &other == &session_ || (!operate && other.user() != session_.user())) return;
            killed = other.InterruptQuery(s.query_id);
        });
        if (!killed) throw ExecutionError("Unknown query id: " + Cut(s.query_id, 64), ErrorCode::NO_SUCH_THREAD);
        return Ok();
    }
    // Others' connections need OPERATE; one's own never does. An id that is not the user's reads
    // as unknown, so KILL cannot probe who is connected.
    // Connection ids are 32-bit: a larger id names none (truncated, it named another connection).
    const uint32_t id = static_cast<uint32_t>(s.connection_id);
    if (s.connection_id > UINT32_MAX ||
        (!operate && instance.SessionUser(id).value_or(session_.user()) != session_.user())) {
        throw ExecutionError("Unknown thread id: " + std::to_string(s.connection_id), ErrorCode::NO_SUCH_THREAD);
    }
    if (!instance.KillSession(id, s.query_only)) {
        throw ExecutionError("Unknown thread id: " + std::to_string(s.connection_id), ErrorCode::NO_SUCH_THREAD);
    }
    return Ok();
}

}  // namespace floe
