#include "runner.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <vector>

#include <mysql.h>
#include <openssl/evp.h>

#include <cmath>
#include <cstdio>

#include "common/exception.h"
#include "function/cast.h"
#include "server/instance.h"
#include "server/session.h"

namespace floe {

namespace {

/// The shared fixtures directory (../shared/fixtures beside the checkout, or $FLOE_FIXTURES); empty
/// when absent.
const std::string& FixturesDirectory() {
    static const std::string dir = [] {
        const char* env = std::getenv("FLOE_FIXTURES");
        std::filesystem::path p =
            env ? std::filesystem::path(env) : std::filesystem::path(FLOE_SOURCE_DIR) / ".." / "shared" / "fixtures";
        std::error_code ec;
        auto canonical = std::filesystem::canonical(p, ec);
        return ec ? std::string() : canonical.string();
    }();
    return dir;
}

/// The run's own data directory (removed when the run ends).
std::string RunDirectory() {
    return (std::filesystem::temp_directory_path() / ("floe-slt-" + std::to_string(getpid()))).string();
}

/// ${FIXTURES} in a test's SQL: the fixtures directory; ${IMPORT}: a writable directory the
/// run's file roots allow (its data directory's import/), e.g. for Iceberg warehouses.
std::string SubstituteFixtures(std::string line) {
    const std::pair<std::string, std::string> names[] = {{"${FIXTURES}", FixturesDirectory()},
                                                         {"${IMPORT}", RunDirectory() + "/import"}};
    if (line.find("${IMPORT}") != std::string::npos) {
        std::error_code ec;
        std::filesystem::create_directories(RunDirectory() + "/import", ec);
    }
    for (const auto& [name, value] : names) {
        for (size_t at = line.find(name); at != std::string::npos; at = line.find(name, at)) {
            line.replace(at, name.size(), value);
            at += value.size();
        }
    }
    return line;
}

}  // namespace

namespace {

std::vector<std::string> ReadLines(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(line);
    }
    return lines;
}

std::vector<std::string> Split(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> out;
    std::string w;
    while (in >> w) out.push_back(w);
    return out;
}

/// DuckDB's files compare R columns within a tolerance and print booleans as true/false: R cells
/// of both sides are rendered with six significant digits.
std::string CanonicalReal(double x) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.6g", x == 0 ? 0.0 : x);
    return buf;
}

/// An expected R cell of a DuckDB file, canonical as CanonicalReal renders actual ones.
std::string CanonicalExpected(const std::string& cell) {
    char* end = nullptr;
    double x = std::strtod(cell.c_str(), &end);
    if (cell.empty() || end != cell.c_str() + cell.size()) return cell;
    bool integral = cell.find_first_of(".eE") == std::string::npos;
    if (integral) return cell;  // integers compare exactly
    if (x == std::floor(x) && std::fabs(x) < 9e15) return std::to_string(static_cast<int64_t>(x));
    return CanonicalReal(x);
}

/// Formats a value as sqllogictest prints it for column type `t`: I integers (fractions
/// truncated), R three decimals (DuckDB files: six significant digits), T text; NULL and
/// (empty) for the empty string.
std::string FormatCell(const Value& v, char t, bool duckdb) {
    if (v.is_null()) return "NULL";
    if (duckdb && v.type().id == TypeId::BOOLEAN) return v.GetBool() ? "true" : "false";
    if (duckdb && (t == 'R' || t == 'I') && v.type().IsNumeric()) {
        // DuckDB prints values as they are whatever the column letter: integers exactly,
        // fractions (compared canonically).
        if (v.type().IsInteger()) return v.ToString();
        Value d = CastValue(v, TypeId::DOUBLE);
        if (!d.is_null()) {
            double x = d.GetDouble();
            if (x == std::floor(x) && std::fabs(x) < 9e15) return std::to_string(static_cast<int64_t>(x));
            return CanonicalReal(x);
        }
    }
    if (t == 'I' && (v.type().IsNumeric() || v.type().IsString())) {
        Value d = CastValue(v, TypeId::DOUBLE);
        if (!d.is_null() && v.type().id != TypeId::BIGINT && v.type().id != TypeId::INT) {
            double x = d.GetDouble();
            if (std::fabs(x) < 9.2e18) return std::to_string(static_cast<int64_t>(x));
        }
    }
    if (t == 'R' && (v.type().IsNumeric() || v.type().IsString())) {
        Value d = CastValue(v, TypeId::DOUBLE);
        if (!d.is_null()) {
            char buf[64];
            std::snprintf(buf, sizeof(buf), "%.3f", d.GetDouble());
            return buf;
        }
    }
    std::string s = v.ToString();
    return s.empty() ? "(empty)" : s;
}

/// Values of an expected row. Runs of tabs separate like one (DuckDB's files align columns with
/// them); an empty value is written "(empty)".
std::vector<std::string> SplitTabs(const std::string& line) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (true) {
        size_t tab = line.find('\t', pos);
        std::string value = line.substr(pos, tab == std::string::npos ? std::string::npos : tab - pos);
        if (!value.empty() || out.empty()) out.push_back(std::move(value));
        if (tab == std::string::npos) break;
        pos = tab + 1;
    }
    return out;
}

/// MD5 of the values, each followed by a newline, as sqllogictest hashes result sets.
std::string Md5Hex(const std::vector<std::string>& values) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_md5(), nullptr);
    for (const auto& v : values) {
        EVP_DigestUpdate(ctx, v.data(), v.size());
        EVP_DigestUpdate(ctx, "\n", 1);
    }
    unsigned char digest[16];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, digest, &len);
    EVP_MD_CTX_free(ctx);
    static const char* kHex = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        out.push_back(kHex[digest[i] >> 4]);
        out.push_back(kHex[digest[i] & 15]);
    }
    return out;
}

/// A statement's failure as the runner compares it: MySQL errno and message.
struct SltError {
    int code;
    std::string message;
};

/// A statement's outcome: rows (result sets) or an affected-row count.
struct SltResult {
    bool has_result_set = false;
    uint64_t affected_rows = 0;
    std::vector<std::vector<Value>> rows;
};

/// Where the records run: in process, or a server over the MySQL protocol.
class Backend {
  public:
    virtual ~Backend() = default;
    /// Runs one or more statements; throws SltError.
    virtual void ExecuteMulti(const std::string& sql) = 0;
    /// Runs one statement; throws SltError.
    virtual SltResult Query(const std::string& sql) = 0;
    /// The `restart` record: reopen the database (in process) or reconnect.
    virtual void Restart() = 0;
};

/// A fresh data directory, and the session of an in-process instance on it.
class InProcessBackend : public Backend {
  public:
    explicit InProcessBackend(std::string default_database)
        : dir_(RunDirectory()), current_db_(std::move(default_database)) {
        std::filesystem::remove_all(dir_);
        Open();
    }
    ~InProcessBackend() override {
        // The instance (and its background work) stops before the directory goes.
        session_.reset();
        instance_.reset();
        std::filesystem::remove_all(dir_);
    }
    void ExecuteMulti(const std::string& sql) override {
        try {
            session_->ExecuteMulti(sql);
        } catch (const Exception& e) {
            throw SltError{MysqlErrno(e.code()), e.what()};
        }
    }
    SltResult Query(const std::string& sql) override {
        QueryResult r;
        try {
            r = session_->Execute(sql);
        } catch (const Exception& e) {
            throw SltError{MysqlErrno(e.code()), e.what()};
        }
        SltResult out;
        out.has_result_set = r.has_result_set;
        out.affected_rows = r.affected_rows;
        for (const auto& chunk : r.chunks) {
            for (size_t k = 0; k < chunk.live_rows(); ++k) {
                std::vector<Value> row;
                for (size_t c = 0; c < chunk.column_count(); ++c)
                    row.push_back(chunk.column(c).GetValue(chunk.LiveRow(k)));
                out.rows.push_back(std::move(row));
            }
        }
        return out;
    }
    /// Reopens the instance on the same directory, in the database the session was using.
    void Restart() override {
        current_db_ = session_->current_database();
        Open();
    }

  private:
    void Open() {
        session_.reset();
        instance_.reset();
        InstanceOptions options;
        options.data_dir = dir_;
        // Automatic Iceberg maintenance would commit to tables the files assert on: files run
        // the procedures themselves (ALTER TABLE ... EXECUTE run_maintenance()).
        options.lake_maintenance_interval = 0;
        // The shared fixtures (Iceberg tables, Parquet files) are readable as ${FIXTURES}.
        options.file_roots = {dir_ + "/import"};
        if (!FixturesDirectory().empty()) options.file_roots.push_back(FixturesDirectory());
        instance_ = std::make_unique<Instance>(options);
        session_ = std::make_unique<Session>(*instance_, instance_->NextConnectionId(), "root", "localhost");
        // Conformance files never say USE: they run in a database of their own (--database).
        if (!current_db_.empty()) {
            instance_->catalog().CreateDatabase(current_db_, true);
            session_->SetCurrentDatabase(current_db_);
        }
    }

    std::string dir_;
    std::string current_db_;
    std::unique_ptr<Instance> instance_;
    std::unique_ptr<Session> session_;
};

/// A Floe server reached over the MySQL protocol (libmariadb), as user root; result values arrive
/// as text and are typed by their column's protocol type.
class MySqlBackend : public Backend {
  public:
    MySqlBackend(const std::string& endpoint, const std::string& default_database) {
        size_t colon = endpoint.rfind(':');
        host_ = endpoint.substr(0, colon);
        port_ = colon == std::string::npos ? 9030 : static_cast<unsigned>(std::stoul(endpoint.substr(colon + 1)));
        Connect();
        if (!default_database.empty()) {
            ExecuteMulti("CREATE DATABASE IF NOT EXISTS `" + default_database + "`");
            ExecuteMulti("USE `" + default_database + "`");
        }
    }
    ~MySqlBackend() override {
        std::error_code ec;
        std::filesystem::remove_all(RunDirectory(), ec);  // what ${IMPORT} held
        if (conn_) mysql_close(conn_);
    }
    void ExecuteMulti(const std::string& sql) override {
        Send(sql);
        while (true) {
            if (MYSQL_RES* res = mysql_store_result(conn_)) mysql_free_result(res);
            int next = mysql_next_result(conn_);
            if (next < 0) break;
            if (next > 0) Fail();
        }
    }
    SltResult Query(const std::string& sql) override {
        Send(sql);
        SltResult out;
        MYSQL_RES* res = mysql_store_result(conn_);
        if (!res) {
            if (mysql_field_count(conn_) != 0) Fail();
            out.affected_rows = mysql_affected_rows(conn_);
            return out;
        }
        out.has_result_set = true;
        unsigned fields = mysql_num_fields(res);
        MYSQL_FIELD* f = mysql_fetch_fields(res);
        while (MYSQL_ROW row = mysql_fetch_row(res)) {
            unsigned long* lengths = mysql_fetch_lengths(res);
            std::vector<Value> values;
            for (unsigned c = 0; c < fields; ++c) {
                values.push_back(row[c] ? Typed(std::string(row[c], lengths[c]), f[c]) : Value::Null());
            }
            out.rows.push_back(std::move(values));
        }
        mysql_free_result(res);
        while (mysql_next_result(conn_) == 0) {
        }
        return out;
    }
    void Restart() override {
        std::string db;
        SltResult r = Query("SELECT DATABASE()");
        if (!r.rows.empty() && !r.rows[0][0].is_null()) db = r.rows[0][0].ToString();
        mysql_close(conn_);
        conn_ = nullptr;
        Connect();
        if (!db.empty()) ExecuteMulti("USE `" + db + "`");
    }

  private:
    void Connect() {
        conn_ = mysql_init(nullptr);
        if (!mysql_real_connect(conn_, host_.c_str(), "root", "", nullptr, port_, nullptr, CLIENT_MULTI_STATEMENTS)) {
            std::string msg = mysql_error(conn_);
            mysql_close(conn_);
            conn_ = nullptr;
            throw std::runtime_error("cannot connect to " + host_ + ":" + std::to_string(port_) + ": " + msg);
        }
    }
    void Send(const std::string& sql) {
        if (mysql_real_query(conn_, sql.data(), sql.size()) != 0) Fail();
    }
    [[noreturn]] void Fail() { throw SltError{static_cast<int>(mysql_errno(conn_)), mysql_error(conn_)}; }
    /// A text value typed as the in-process runner sees it (numbers as numbers).
    static Value Typed(const std::string& text, const MYSQL_FIELD& f) {
        switch (f.type) {
            case MYSQL_TYPE_TINY:
            case MYSQL_TYPE_SHORT:
            case MYSQL_TYPE_LONG:
            case MYSQL_TYPE_INT24:
            case MYSQL_TYPE_LONGLONG:
                if (auto v = ParseInt64(text)) return Value::Integer(*v);
                return Value::Varchar(text);  // LARGEINT beyond 64 bits
            case MYSQL_TYPE_FLOAT:
            case MYSQL_TYPE_DOUBLE:
                return Value::Double(std::strtod(text.c_str(), nullptr));
            case MYSQL_TYPE_NEWDECIMAL:
            case MYSQL_TYPE_DECIMAL: {
                size_t dot = text.find('.');
                std::string digits = dot == std::string::npos ? text : text.substr(0, dot) + text.substr(dot + 1);
                auto scale = static_cast<uint8_t>(dot == std::string::npos ? 0 : text.size() - dot - 1);
                int128_t unscaled = 0;
                bool negative = !digits.empty() && digits[0] == '-';
                for (char ch : digits) {
                    if (ch >= '0' && ch <= '9') unscaled = unscaled * 10 + (ch - '0');
                }
                return Value::Decimal(negative ? -unscaled : unscaled, 38, scale);
            }
            default:
                return Value::Varchar(text);
        }
    }

    std::string host_;
    unsigned port_ = 0;
    MYSQL* conn_ = nullptr;
};

}  // namespace

SqlLogicTestResult RunSqlLogicTest(const std::string& path, const std::string& default_database,
                                   const std::string& engine, const std::string& mysql_endpoint) {
    SqlLogicTestResult result;
    std::vector<std::string> lines = ReadLines(path);
    // DuckDB's test files open with "# name: test/...": their dialect of results applies.
    const bool duckdb = !lines.empty() && lines[0].rfind("# name: test/", 0) == 0;
    std::unique_ptr<Backend> backend;
    if (mysql_endpoint.empty()) {
        backend = std::make_unique<InProcessBackend>(default_database);
    } else {
        backend = std::make_unique<MySqlBackend>(mysql_endpoint, default_database);
    }
    size_t i = 0;
    auto fail = [&](size_t line_no, const std::string& sql, const std::string& what) {
        ++result.failed;
        std::cerr << path << ":" << line_no << ": FAILED\n  SQL: " << sql << "\n" << what << "\n";
    };
    while (i < lines.size()) {
        std::string line = lines[i];
        std::vector<std::string> words = Split(line);
        if (words.empty() || words[0][0] == '#') {
            ++i;
            continue;
        }
        size_t record_line = i + 1;
        bool skip = false;
        while (!words.empty() && (words[0] == "skipif" || words[0] == "onlyif")) {
            bool us = words.size() > 1 && (words[1] == "floe" || (!engine.empty() && words[1] == engine));
            if (words.size() > 1 && ((words[0] == "skipif" && us) || (words[0] == "onlyif" && !us))) {
                skip = true;
            }
            ++i;
            line = i < lines.size() ? lines[i] : "";
            words = Split(line);
        }
        if (words.empty()) continue;
        if (words[0] == "halt") break;
        if (words[0] == "hash-threshold") {  // results are compared in full; hashes only when the file gives one
            ++i;
            continue;
        }
        if (words[0] == "restart") {
            backend->Restart();
            ++i;
            continue;
        }
        ++i;
        std::string sql;
        while (i < lines.size() && !lines[i].empty() && lines[i] != "----") {
            sql += (sql.empty() ? "" : "\n") + SubstituteFixtures(lines[i]);
            ++i;
        }
        std::vector<std::string> expected;
        if (i < lines.size() && lines[i] == "----") {
            ++i;
            while (i < lines.size() && !lines[i].empty()) expected.push_back(lines[i++]);
        }
        if (skip) continue;
        if (words[0] == "statement") {
            bool expect_error = words.size() > 1 && words[1] == "error";
            std::string want;
            for (size_t k = 2; k < words.size(); ++k) want += (want.empty() ? "" : " ") + words[k];
            try {
                backend->ExecuteMulti(sql);
                if (expect_error)
                    fail(record_line, sql, "  expected an error, statement succeeded");
                else
                    ++result.passed;
            } catch (const SltError& e) {
                const std::string& msg = e.message;
                if (!expect_error) {
                    fail(record_line, sql, "  unexpected error " + std::to_string(e.code) + ": " + msg);
                } else if (!want.empty() && msg.find(want) == std::string::npos && want != std::to_string(e.code)) {
                    fail(record_line, sql,
                         "  error " + std::to_string(e.code) + " '" + msg + "' does not contain '" + want + "'");
                } else {
                    ++result.passed;
                }
            }
        } else if (words[0] == "query") {
            std::string types = words.size() > 1 ? words[1] : "";
            std::string sort = words.size() > 2 ? words[2] : "nosort";
            try {
                auto started = std::chrono::steady_clock::now();
                SltResult r = backend->Query(sql);
                if (getenv("FLOE_SLT_SLOW") != nullptr) {
                    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                                    started)
                                  .count();
                    if (ms >= atoi(getenv("FLOE_SLT_SLOW"))) {
                        std::cerr << ms << " ms at line " << record_line << ": " << sql << "\n";
                    }
                }
                std::vector<std::vector<std::string>> rows;
                for (const auto& values : r.rows) {
                    std::vector<std::string> row;
                    for (size_t c = 0; c < values.size(); ++c) {
                        char t = c < types.size() ? types[c] : 'T';
                        row.push_back(FormatCell(values[c], t, duckdb));
                    }
                    // EXPLAIN ANALYZE's peak memory differs from run to run: not compared.
                    if (row.size() == 1 && row[0].rfind("PEAK MEMORY ", 0) == 0) continue;
                    rows.push_back(std::move(row));
                }
                // DuckDB's writes return their row count as a result.
                if (duckdb && !r.has_result_set) rows.push_back({std::to_string(r.affected_rows)});
                if (sort == "rowsort") std::sort(rows.begin(), rows.end());
                std::vector<std::string> actual;
                for (auto& row : rows) {
                    for (auto& v : row) actual.push_back(v);
                }
                if (sort == "valuesort") std::sort(actual.begin(), actual.end());
                // Expected values: one per line (SQLite) or tab-separated rows (DuckDB), or a hash.
                std::vector<std::string> want;
                bool hashed = expected.size() == 1 && expected[0].find(" values hashing to ") != std::string::npos;
                bool ok;
                if (hashed) {
                    size_t n = std::stoul(expected[0]);
                    std::string hash = expected[0].substr(expected[0].rfind(' ') + 1);
                    ok = actual.size() == n && Md5Hex(actual) == hash;
                } else {
                    std::vector<std::vector<std::string>> want_rows;
                    for (const auto& e : expected) want_rows.push_back(SplitTabs(e));
                    bool tabbed = !want_rows.empty() && want_rows[0].size() > 1;
                    if (duckdb) {
                        size_t at = 0;
                        for (auto& row : want_rows) {
                            for (auto& v : row) {
                                size_t c = tabbed ? &v - row.data() : at++ % std::max<size_t>(types.size(), 1);
                                if (c < types.size() && (types[c] == 'R' || types[c] == 'I')) v = CanonicalExpected(v);
                            }
                        }
                    }
                    if (sort == "rowsort" && tabbed) std::sort(want_rows.begin(), want_rows.end());
                    for (auto& row : want_rows) {
                        for (auto& v : row) want.push_back(v);
                    }
                    if (sort == "valuesort" || (sort == "rowsort" && !tabbed)) {
                        std::sort(want.begin(), want.end());
                        if (sort == "rowsort") std::sort(actual.begin(), actual.end());
                    }
                    ok = actual == want;
                    if (!ok && duckdb && actual.size() == want.size()) {
                        // DuckDB casts the expected text to the column's type: 1/0 are booleans.
                        ok = std::equal(actual.begin(), actual.end(), want.begin(),
                                        [](const std::string& a, const std::string& w) {
                                            return a == w || (a == "true" && w == "1") || (a == "false" && w == "0");
                                        });
                    }
                }
                if (ok) {
                    ++result.passed;
                } else {
                    std::string what = "  expected:\n";
                    for (auto& e : expected) what += "    " + e + "\n";
                    what += "  actual:\n";
                    for (auto& row : rows) {
                        std::string joined;
                        for (size_t c = 0; c < row.size(); ++c) joined += (c ? "\t" : "") + row[c];
                        what += "    " + joined + "\n";
                    }
                    fail(record_line, sql, what);
                }
            } catch (const SltError& e) {
                fail(record_line, sql, "  unexpected error: " + e.message);
            } catch (const Exception& e) {
                fail(record_line, sql, std::string("  unexpected error: ") + e.what());
            }
        } else {
            fail(record_line, line, "  unknown record type '" + words[0] + "'");
        }
    }
    return result;
}

}  // namespace floe
