#include "server/http/sql_handler.h"

#include <simdjson.h>

#include <fmt/format.h>

#include <cmath>

#include "common/ascii.h"
#include "common/exception.h"
#include "common/json_text.h"
#include "server/instance.h"
#include "server/mysql/result_encoder.h"
#include "server/session.h"

namespace floe {

namespace {

/// The most bytes of rows one answer carries; a larger result ends with an error object.
constexpr size_t kMaxAnswerBytes = 64u << 20;

HttpSqlAnswer Failed(int status, const std::string& message, int errno_code = 0) {
    HttpSqlAnswer a;
    a.status = status;
    a.content_type = "application/json";
    a.body = "{\"status\":\"FAILED\",\"msg\":" + JsonString(message);
    if (errno_code) a.body += ",\"errno\":" + std::to_string(errno_code);
    a.body += "}";
    return a;
}

int StatusFor(const Exception& e) {
    switch (e.code()) {
        case ErrorCode::ACCESS_DENIED:
        case ErrorCode::DB_ACCESS_DENIED:
        case ErrorCode::PRIVILEGE_DENIED:
        case ErrorCode::FILE_ACCESS_DENIED:
            return 403;
        case ErrorCode::INTERNAL:
            return 500;
        default:
            return 400;
    }
}

/// A result value as JSON: numbers as numbers, everything else as its text.
void AppendJsonValue(const Column& col, size_t row, std::string& out, std::string& scratch) {
    if (col.IsNull(row) || col.type().id == TypeId::NULL_TYPE) {
        out += "null";
        return;
    }
    scratch.clear();
    mysql::AppendTextValue(col, row, scratch);
    switch (col.type().id) {
        case TypeId::BOOLEAN:
        case TypeId::TINYINT:
        case TypeId::SMALLINT:
        case TypeId::INT:
        case TypeId::BIGINT:
            out += scratch;
            return;
        case TypeId::FLOAT:
        case TypeId::DOUBLE: {
            // inf and nan have no JSON number: they go as text.
            bool finite = col.type().id == TypeId::FLOAT ? std::isfinite(col.Data<float>()[row])
                                                         : std::isfinite(col.Data<double>()[row]);
            out += finite ? scratch : JsonString(scratch);
            return;
        }
        default:
            out += JsonString(scratch);
    }
}

bool IsExplain(std::string_view query) {
    size_t i = 0;
    while (i < query.size() && std::isspace(static_cast<unsigned char>(query[i]))) ++i;
    return AsciiEqualsIgnoreCase(query.substr(i, 7), "EXPLAIN");
}

std::string TypeName(const LogicalType& type) {
    return AsciiLower(type.ToString());
}

HttpSqlAnswer RunStatement(Instance& instance, const std::string& user, const std::string& peer,
                           const std::string& catalog, const std::string& database, const std::string& body,
                           bool console);

}  // namespace

HttpSqlAnswer RunHttpSql(Instance& instance, const std::string& user, const std::string& peer,
                         const std::string& catalog, const std::string& database, const std::string& body,
                         bool console) {
    try {
        return RunStatement(instance, user, peer, catalog, database, body, console);
    } catch (const std::exception& e) {
        return Failed(500, e.what());
    }
}

namespace {

HttpSqlAnswer RunStatement(Instance& instance, const std::string& user, const std::string& peer,
                           const std::string& catalog, const std::string& database, const std::string& body,
                           bool console) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(body).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
        return Failed(400, "the request body must be a JSON object: {\"query\": \"<sql>\"}");
    }
    std::string_view query;
    if (doc["query"].get_string().get(query) != simdjson::SUCCESS) {
        return Failed(400, "the request body has no \"query\" string");
    }
    Session session(instance, instance.NextConnectionId(), user, peer);
    if (console) session.set_keep_profiles(false);
    // Listed in SHOW PROCESSLIST (and killable) while the statement runs, like a MySQL connection.
    struct Registration {
        Instance& instance;
        Session* session = nullptr;
        ~Registration() {
            if (session) instance.UnregisterSession(session);
        }
    };
    Registration registration{instance};
    HttpSqlAnswer answer;
    try {
        if (!catalog.empty()) session.SetCurrentCatalog(catalog);
        if (!database.empty()) session.SetCurrentDatabase(database);
        simdjson::dom::object variables;
        if (doc["sessionVariables"].get_object().get(variables) == simdjson::SUCCESS) {
            for (auto [key, value] : variables) {
                std::string literal;
                std::string_view text;
                int64_t i;
                double d;
                bool b;
                if (value.get_string().get(text) == simdjson::SUCCESS) {
                    literal = QuoteString(text);
                } else if (value.get_int64().get(i) == simdjson::SUCCESS) {
                    literal = std::to_string(i);
                } else if (value.get_double().get(d) == simdjson::SUCCESS) {
                    literal = fmt::format("{}", d);
                } else if (value.get_bool().get(b) == simdjson::SUCCESS) {
                    literal = b ? "true" : "false";
                } else {
                    return Failed(400,
                                  "session variable '" + std::string(key) + "' must be a string, number or boolean");
                }
                session.Execute("SET " + QuoteIdentifier(key) + " = " + literal);
            }
        }
        instance.RegisterSession(&session);
        registration.session = &session;
        QueryResult result = session.Execute(query);
        answer.query_id = session.activity().query_id;
        std::string& out = answer.body;
        out = "{\"connectionId\":" + std::to_string(session.connection_id()) + "}\n";
        const bool explain = result.has_result_set && result.columns.size() == 1 && IsExplain(query);
        if (explain) {
            std::string plan, scratch;
            for (const auto& chunk : result.chunks) {
                for (size_t i = 0; i < chunk.live_rows(); ++i) {
                    uint32_t r = chunk.LiveRow(i);
                    if (chunk.column(0).IsNull(r)) continue;
                    scratch.clear();
                    mysql::AppendTextValue(chunk.column(0), r, scratch);
                    plan += scratch + "\n";
                }
            }
            out += "{\"explain\":" + JsonString(plan) + "}\n";
            return answer;
        }
        if (!result.has_result_set) {
            out += "{\"statistics\":{\"scanRows\":0,\"scanBytes\":0,\"returnRows\":0,\"affectedRows\":" +
                   std::to_string(result.affected_rows) + "}}\n";
            return answer;
        }
        out += "{\"meta\":[";
        for (size_t c = 0; c < result.columns.size(); ++c) {
            if (c) out += ',';
            out += "{\"name\":" + JsonString(result.columns[c].name) +
                   ",\"type\":" + JsonString(TypeName(result.columns[c].type)) + "}";
        }
        out += "]}\n";
        std::string scratch;
        size_t rows = 0;
        for (const auto& chunk : result.chunks) {
            for (size_t i = 0; i < chunk.live_rows(); ++i) {
                if (out.size() > kMaxAnswerBytes) {
                    out += "{\"status\":\"FAILED\",\"msg\":" +
                           JsonString("the result is larger than " + std::to_string(kMaxAnswerBytes >> 20) +
                                      " MiB; the rest is left out (add a LIMIT, or use the MySQL protocol)") +
                           "}\n";
                    return answer;
                }
                uint32_t r = chunk.LiveRow(i);
                out += "{\"data\":[";
                for (size_t c = 0; c < chunk.column_count(); ++c) {
                    if (c) out += ',';
                    AppendJsonValue(chunk.column(c), r, out, scratch);
                }
                out += "]}\n";
                ++rows;
            }
        }
        out += "{\"statistics\":{\"scanRows\":0,\"scanBytes\":0,\"returnRows\":" + std::to_string(rows) + "}}\n";
        return answer;
    } catch (const Exception& e) {
        return Failed(StatusFor(e), e.what(), MysqlErrno(e.code()));
    } catch (const std::exception& e) {
        return Failed(500, e.what());
    }
}

}  // namespace

}  // namespace floe
