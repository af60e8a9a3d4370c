#pragma once
/// The audit log: one record per statement (from every client, prepared ones too) and per Stream
/// Load, with StarRocks' audit field names (Timestamp, Client, User, AuthorizedUser, Catalog, Db,
/// State, ErrorCode, Time, ScanBytes, ScanRows, ReturnRows, StmtId, QueryId, IsQuery, Stmt, ...)
/// so tooling built for fe.audit.log reads it. Records are JSON lines (StarRocks'
/// audit_log_json_format) in <data-dir>/log/floe.audit.log, rotated at 64 MiB or at midnight with
/// the last 90 files kept, and the newest ones stay in memory for the system table
/// starrocks_audit_db__.starrocks_audit_tbl__ (reloaded from the file at start). Passwords in
/// statements (IDENTIFIED BY '...', SET PASSWORD = '...', PASSWORD('...')) are masked before a
/// record is made. Statements that took kSlowQueryMs or longer also go to
/// <data-dir>/log/floe.slow_query.log (the same JSON lines; StarRocks' slow_query audit module),
/// kept at 64 MiB with one rotated file.

#include <cstdint>
#include <deque>
#include <fstream>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace floe {

struct AuditRecord {
    int64_t timestamp_ms = 0;
    std::string query_type = "query";  // query, load
    std::string query_id;
    std::string client;           // the client's address
    std::string user;             // the login
    std::string authorized_user;  // 'user'@'%' as checked
    std::string catalog = "default_catalog";
    std::string db;
    std::string state;  // EOF (rows returned), OK, ERR
    int64_t error_code = 0;
    std::string error_message;
    int64_t time_ms = 0;
    int64_t scan_rows = 0, scan_bytes = 0, return_rows = 0, mem_cost_bytes = 0;
    int64_t stmt_id = 0;
    bool is_query = false;
    std::string stmt;
};

class AuditLog {
  public:
    /// Opens (creating) <data_dir>/log/floe.audit.log and reloads its newest records.
    explicit AuditLog(const std::string& data_dir);
    void Add(AuditRecord record);
    /// Statements at least this slow (ms) also go to the slow query log (StarRocks' qe_slow_log_ms).
    static constexpr int64_t kSlowQueryMs = 5000;
    /// The records kept in memory, oldest first.
    std::vector<AuditRecord> Recent();
    /// `sql` with the literals of password clauses replaced by '***'.
    static std::string MaskPasswords(std::string_view sql);
    /// A fresh query id (32 hex digits in the 8-4-4-4-12 shape StarRocks prints).
    static std::string NewQueryId();

  private:
    void RotateIfNeeded(int64_t now_ms);
    std::string JsonLine(const AuditRecord& r) const;

    std::string dir_;
    std::string path_;
    std::mutex mutex_;
    std::ofstream out_;
    std::ofstream slow_out_;
    uint64_t slow_bytes_ = 0;
    uint64_t bytes_ = 0;
    int64_t day_ = -1;
    std::deque<AuditRecord> recent_;
};

}  // namespace floe
