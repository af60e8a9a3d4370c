#include "runner.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <vector>

#include "common/exception.h"
#include "server/instance.h"
#include "server/session.h"

namespace floe {

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

std::string FormatCell(const Value& v) {
    if (v.is_null()) return "NULL";
    std::string s = v.ToString();
    return s.empty() ? "(empty)" : s;
}

class Database {
  public:
    explicit Database(std::string dir) : dir_(std::move(dir)) { Open(); }
    void Open() {
        session_.reset();
        instance_.reset();
        InstanceOptions options;
        options.data_dir = dir_;
        instance_ = std::make_unique<Instance>(options);
        session_ = std::make_unique<Session>(*instance_, instance_->NextConnectionId(), "root", "localhost");
    }
    Session& session() { return *session_; }

  private:
    std::string dir_;
    std::unique_ptr<Instance> instance_;
    std::unique_ptr<Session> session_;
};

}  // namespace

SqlLogicTestResult RunSqlLogicTest(const std::string& path) {
    SqlLogicTestResult result;
    std::vector<std::string> lines = ReadLines(path);
    std::string dir = (std::filesystem::temp_directory_path() / ("floe-slt-" + std::to_string(getpid()))).string();
    std::filesystem::remove_all(dir);
    Database db(dir);
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
            if (words.size() > 1 &&
                ((words[0] == "skipif" && words[1] == "floe") || (words[0] == "onlyif" && words[1] != "floe"))) {
                skip = true;
            }
            ++i;
            line = i < lines.size() ? lines[i] : "";
            words = Split(line);
        }
        if (words.empty()) continue;
        if (words[0] == "halt") break;
        if (words[0] == "restart") {
            db.Open();
            ++i;
            continue;
        }
        ++i;
        std::string sql;
        while (i < lines.size() && !lines[i].empty() && lines[i] != "----") {
            sql += (sql.empty() ? "" : "\n") + lines[i];
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
                db.session().ExecuteMulti(sql);
                if (expect_error)
                    fail(record_line, sql, "  expected an error, statement succeeded");
                else
                    ++result.passed;
            } catch (const Exception& e) {
                std::string msg = e.what();
                if (!expect_error) {
                    fail(record_line, sql, "  unexpected error " + std::to_string(MysqlErrno(e.code())) + ": " + msg);
                } else if (!want.empty() && msg.find(want) == std::string::npos &&
                           want != std::to_string(MysqlErrno(e.code()))) {
                    fail(record_line, sql,
                         "  error " + std::to_string(MysqlErrno(e.code())) + " '" + msg + "' does not contain '" +
                             want + "'");
                } else {
                    ++result.passed;
                }
            }
        } else if (words[0] == "query") {
            std::string sort = words.size() > 2 ? words[2] : "nosort";
            std::vector<std::string> actual;
            try {
                QueryResult r = db.session().Execute(sql);
                std::vector<std::vector<std::string>> rows;
                for (const auto& chunk : r.chunks) {
                    for (size_t k = 0; k < chunk.live_rows(); ++k) {
                        std::vector<std::string> row;
                        for (size_t c = 0; c < chunk.column_count(); ++c) {
                            row.push_back(FormatCell(chunk.column(c).GetValue(chunk.LiveRow(k))));
                        }
                        rows.push_back(std::move(row));
                    }
                }
                if (sort == "rowsort") std::sort(rows.begin(), rows.end());
                if (sort == "valuesort") {
                    std::vector<std::string> values;
                    for (auto& r2 : rows)
                        for (auto& v : r2) values.push_back(v);
                    std::sort(values.begin(), values.end());
                    for (auto& v : values) actual.push_back(v);
                } else {
                    for (auto& r2 : rows) {
                        std::string joined;
                        for (size_t c = 0; c < r2.size(); ++c) joined += (c ? "\t" : "") + r2[c];
                        actual.push_back(joined);
                    }
                }
                if (sort == "rowsort") std::sort(expected.begin(), expected.end());
                if (actual == expected) {
                    ++result.passed;
                } else {
                    std::string what = "  expected:\n";
                    for (auto& e : expected) what += "    " + e + "\n";
                    what += "  actual:\n";
                    for (auto& a : actual) what += "    " + a + "\n";
                    fail(record_line, sql, what);
                }
            } catch (const Exception& e) {
                fail(record_line, sql, std::string("  unexpected error: ") + e.what());
            }
        } else {
            fail(record_line, line, "  unknown record type '" + words[0] + "'");
        }
    }
    std::filesystem::remove_all(dir);
    return result;
}

}  // namespace floe
