#include <sqlite3.h>

#include <mutex>

#include "common/exception.h"
#include "common/logging.h"
#include "metastore/meta_store.h"

namespace floe {

namespace {

/// SQLite backend: one connection guarded by a mutex; WAL with synchronous=FULL so a commit that
/// returned is on disk.
class SqliteMetaStore : public MetaStore {
  public:
    explicit SqliteMetaStore(std::string path) : path_(std::move(path)) {
        int rc = sqlite3_open_v2(path_.c_str(), &db_,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
        if (rc != SQLITE_OK) {
            std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
            if (db_) sqlite3_close(db_);
            db_ = nullptr;
            throw IOError("cannot open meta store '" + path_ + "': " + msg);
        }
        sqlite3_busy_timeout(db_, 10000);
        try {
            ExecRaw("PRAGMA journal_mode=WAL");
            ExecRaw("PRAGMA synchronous=FULL");
            ExecRaw("PRAGMA foreign_keys=ON");
            Migrate();
        } catch (...) {
            sqlite3_close(db_);
            db_ = nullptr;
            throw;
        }
    }

    ~SqliteMetaStore() override {
        if (db_) sqlite3_close(db_);
    }

    void Transaction(const std::function<void()>& body) override {
        std::unique_lock<std::recursive_mutex> lock(mutex_);
        if (in_transaction_) {  // nested: join the outer transaction
            body();
            return;
        }
        ExecRaw("BEGIN IMMEDIATE");
        in_transaction_ = true;
        try {
            body();
            ExecRaw("COMMIT");
            in_transaction_ = false;
        } catch (...) {
            in_transaction_ = false;
            char* err = nullptr;
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, &err);
            sqlite3_free(err);
            throw;
        }
    }

    int64_t Execute(std::string_view sql, const std::vector<MetaValue>& params) override {
        std::lock_guard<std::recursive_mutex> lock(mutex_);
        sqlite3_stmt* stmt = Prepare(sql, params);
        int rc = sqlite3_step(stmt);
        while (rc == SQLITE_ROW) rc = sqlite3_step(stmt);
        sqlite3_finalize(stmt);
        if (rc != SQLITE_DONE) Fail("execute");
        return sqlite3_changes(db_);
    }

    std::vector<MetaRow> Query(std::string_view sql, const std::vector<MetaValue>& params) override {
        std::lock_guard<std::recursive_mutex> lock(mutex_);
        sqlite3_stmt* stmt = Prepare(sql, params);
        std::vector<MetaRow> rows;
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            int n = sqlite3_column_count(stmt);
            MetaRow row;
            row.reserve(n);
            for (int i = 0; i < n; ++i) {
                switch (sqlite3_column_type(stmt, i)) {
                    case SQLITE_INTEGER:
                        row.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, i)));
                        break;
                    case SQLITE_FLOAT:
                        row.emplace_back(sqlite3_column_double(stmt, i));
                        break;
                    case SQLITE_NULL:
                        row.emplace_back(std::monostate{});
                        break;
                    case SQLITE_BLOB: {
                        const char* data = static_cast<const char*>(sqlite3_column_blob(stmt, i));
                        row.emplace_back(MetaBlob{std::string(data ? data : "", sqlite3_column_bytes(stmt, i))});
                        break;
                    }
                    default: {
                        const char* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
                        row.emplace_back(std::string(text ? text : "", sqlite3_column_bytes(stmt, i)));
                    }
                }
            }
            rows.push_back(std::move(row));
        }
        sqlite3_finalize(stmt);
        if (rc != SQLITE_DONE) Fail("query");
        return rows;
    }

    int SchemaVersion() override { return version_; }

  private:
    [[noreturn]] void Fail(const char* what) {
        throw IOError(std::string("meta store '") + path_ + "': " + what + " failed: " + sqlite3_errmsg(db_));
    }

    void ExecRaw(const std::string& sql) {
        char* err = nullptr;
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            std::string msg = err ? err : "unknown error";
            sqlite3_free(err);
            throw IOError("meta store '" + path_ + "': " + msg);
        }
    }

    sqlite3_stmt* Prepare(std::string_view sql, const std::vector<MetaValue>& params) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK)
            Fail("prepare");
        for (size_t i = 0; i < params.size(); ++i) {
            int idx = static_cast<int>(i + 1);
            const MetaValue& v = params[i];
            int rc = SQLITE_OK;
            if (std::holds_alternative<std::monostate>(v))
                rc = sqlite3_bind_null(stmt, idx);
            else if (auto* iv = std::get_if<int64_t>(&v))
                rc = sqlite3_bind_int64(stmt, idx, *iv);
            else if (auto* dv = std::get_if<double>(&v))
                rc = sqlite3_bind_double(stmt, idx, *dv);
            else if (auto* bv = std::get_if<MetaBlob>(&v))
                rc = sqlite3_bind_blob(stmt, idx, bv->bytes.data(), static_cast<int>(bv->bytes.size()),
                                       SQLITE_TRANSIENT);
            else {
                const std::string& s = std::get<std::string>(v);
                rc = sqlite3_bind_text(stmt, idx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
            }
            if (rc != SQLITE_OK) {
                sqlite3_finalize(stmt);
                Fail("bind");
            }
        }
        return stmt;
    }

    void Migrate() {
        // A database that is not SQLite fails on the first read with "file is not a database".
        ExecRaw("CREATE TABLE IF NOT EXISTS floe_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)");
        auto rows = Query("SELECT value FROM floe_meta WHERE key = 'schema_version'", {});
        version_ = rows.empty() ? 0 : std::stoi(std::get<std::string>(rows[0][0]));
        const auto& migrations = MetaStoreMigrations();
        int latest = static_cast<int>(migrations.size());
        if (version_ > latest) {
            throw IOError("meta store '" + path_ + "' has schema version " + std::to_string(version_) +
                          ", newer than this Floe (" + std::to_string(latest) + "); upgrade Floe");
        }
        while (version_ < latest) {
            int next = version_ + 1;
            Transaction([&] {
                ExecRaw(std::string(migrations[next - 1]));
                Execute(
                    "INSERT INTO floe_meta(key, value) VALUES('schema_version', ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    {std::to_string(next)});
            });
            Log::Info("meta.migrated", {{"path", path_}, {"version", next}});
            version_ = next;
        }
    }

    std::string path_;
    sqlite3* db_ = nullptr;
    std::recursive_mutex mutex_;
    bool in_transaction_ = false;
    int version_ = 0;
};

}  // namespace

std::unique_ptr<MetaStore> OpenSqliteMetaStore(const std::string& path) {
    return std::make_unique<SqliteMetaStore>(path);
}

}  // namespace floe
