// Materialized view and task statements: CREATE / DROP / ALTER / REFRESH / CANCEL REFRESH
// MATERIALIZED VIEW, SUBMIT TASK, DROP TASK, EXECUTE TASK.
#include "common/ascii.h"
#include "common/exception.h"
#include "parser/parser_impl.h"

namespace floe {

using namespace ast;

namespace {

bool IsIntervalUnit(const std::string& u) {
    for (const char* k : {"SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "YEAR"}) {
        if (u == k) return true;
    }
    return false;
}

}  // namespace

void ParserImpl::ParseEveryClause(RefreshScheme& scheme) {
    if (AcceptKeyword("START")) {
        ExpectOp("(");
        if (Cur().type != TokenType::STRING) Error("a start time string ('yyyy-MM-dd HH:mm:ss')");
        scheme.start = Cur().text;
        Advance();
        ExpectOp(")");
    }
    if (AcceptKeyword("EVERY")) {
        ExpectOp("(");
        ExpectKeyword("INTERVAL");
        if (Cur().type != TokenType::INTEGER) Error("a positive interval count");
        scheme.every = ParseIntegerToken("a positive interval count");
        if (scheme.every <= 0) Error("a positive interval count");
        Advance();
        if (Cur().type != TokenType::IDENTIFIER) Error("an interval unit (SECOND, MINUTE, HOUR, DAY, ...)");
        std::string unit = AsciiUpper(Cur().text);
        if (unit.size() > 1 && unit.back() == 'S') unit.pop_back();
        if (!IsIntervalUnit(unit)) Error("an interval unit (SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, YEAR)");
        scheme.every_unit = unit;
        Advance();
        ExpectOp(")");
    } else if (!scheme.start.empty()) {
        Error("EVERY (INTERVAL n unit) after START (...)");
    }
}

void ParserImpl::ParseRefreshScheme(RefreshScheme& scheme) {
    scheme.given = true;
    if (AcceptKeyword("IMMEDIATE")) {
        scheme.moment = "IMMEDIATE";
    } else if (AcceptKeyword("DEFERRED")) {
        scheme.moment = "DEFERRED";
    }
    if (AcceptKeyword("ASYNC")) {
        scheme.type = "ASYNC";
        ParseEveryClause(scheme);
    } else if (AcceptKeyword("SCHEDULE")) {
        scheme.type = "ASYNC";
        ParseEveryClause(scheme);
        if (scheme.every == 0) Error("EVERY (INTERVAL n unit) after SCHEDULE");
    } else if (AcceptKeyword("MANUAL")) {
        scheme.type = "MANUAL";
    } else if (AcceptKeyword("INCREMENTAL")) {
        scheme.type = "INCREMENTAL";
        ParseEveryClause(scheme);
    } else if (IsKeyword("START") || IsKeyword("EVERY")) {
        scheme.type = "ASYNC";
        ParseEveryClause(scheme);
    } else if (scheme.moment.empty()) {
        Error("ASYNC, MANUAL, INCREMENTAL, IMMEDIATE or DEFERRED");
    }
}

StatementPtr ParserImpl::ParseMaterializedView(MaterializedViewStatement::Action action) {
    using Action = MaterializedViewStatement::Action;
    ExpectKeyword("MATERIALIZED");
    ExpectKeyword("VIEW");
    auto m = std::make_unique<MaterializedViewStatement>();
    m->action = action;
    if (action == Action::CREATE && AcceptKeyword("IF")) {
        ExpectKeyword("NOT");
        ExpectKeyword("EXISTS");
        m->if_not_exists = true;
    } else if (action == Action::DROP && AcceptKeyword("IF")) {
        ExpectKeyword("EXISTS");
        m->if_exists = true;
    }
    ParseQualifiedName(m->database, m->name, "a materialized view name");
    switch (action) {
        case Action::DROP:
            return m;
        case Action::CANCEL:
            if (AcceptKeyword("FORCE")) m->force = true;
            return m;
        case Action::REFRESH:
            if (AcceptKeyword("PARTITION")) {
                if (AcceptOp("(")) {
                    // PARTITION (p1, p2): StarRocks' list form; kept as names in partition_start.
                    std::string names;
                    do {
                        if (!names.empty()) names += ",";
                        names += ParseIdentifierOrString("a partition name");
                    } while (AcceptOp(","));
                    ExpectOp(")");
                    m->partition_start = names;
                    m->partition_end = "\x01list";
                } else {
                    ExpectKeyword("START");
                    ExpectOp("(");
                    if (Cur().type != TokenType::STRING) Error("a partition start value string");
                    m->partition_start = Cur().text;
                    Advance();
                    ExpectOp(")");
                    ExpectKeyword("END");
                    ExpectOp("(");
                    if (Cur().type != TokenType::STRING) Error("a partition end value string");
                    m->partition_end = Cur().text;
                    Advance();
                    ExpectOp(")");
                }
            }
            if (AcceptKeyword("FORCE")) m->force = true;
            if (AcceptKeyword("WITH")) {
                if (AcceptKeyword("SYNC")) {
                    m->sync_mode = true;
                } else {
                    ExpectKeyword("ASYNC");
                }
                ExpectKeyword("MODE");
            }
            return m;
        case Action::CREATE:
            break;
        default: {
            // ALTER MATERIALIZED VIEW mv ...
            if (AcceptKeyword("RENAME")) {
                AcceptKeyword("TO");
                m->action = Action::RENAME;
                ParseQualifiedName(m->new_database, m->new_name, "a new name");
            } else if (AcceptKeyword("REFRESH")) {
                m->action = Action::ALTER_REFRESH;
                ParseRefreshScheme(m->refresh);
            } else if (AcceptKeyword("ACTIVE")) {
                m->action = Action::ACTIVE;
            } else if (AcceptKeyword("INACTIVE")) {
                m->action = Action::INACTIVE;
            } else if (AcceptKeyword("SWAP")) {
                ExpectKeyword("WITH");
                m->action = Action::SWAP;
                ParseQualifiedName(m->new_database, m->new_name, "a materialized view name");
            } else if (AcceptKeyword("SET")) {
                m->action = Action::SET;
                m->properties = ParseProperties();
            } else {
                Error("RENAME, REFRESH, ACTIVE, INACTIVE, SWAP WITH or SET");
            }
            return m;
        }
    }
    // CREATE MATERIALIZED VIEW: the clauses in any order, then AS query.
    m->table = std::make_unique<CreateTableStatement>();
    m->table->database = m->database;
    m->table->name = m->name;
    if (AcceptOp("(")) {
        do {
            m->column_names.push_back(ParseIdentifier("a column name"));
            if (AcceptKeyword("COMMENT")) {
                if (Cur().type != TokenType::STRING) Error("a comment string");
                Advance();
            }
        } while (AcceptOp(","));
        ExpectOp(")");
    }
    bool distributed = false;
    while (!AtEnd() && !IsKeyword("AS")) {
        if (AcceptKeyword("COMMENT")) {
            if (Cur().type != TokenType::STRING) Error("a comment string");
            m->table->comment = Cur().text;
            Advance();
        } else if (AcceptKeyword("DISTRIBUTED")) {
            ExpectKeyword("BY");
            distributed = true;
            if (AcceptKeyword("RANDOM")) {
                m->table->random_distribution = true;
            } else {
                ExpectKeyword("HASH");
                m->table->distribution_columns = ParseColumnList();
            }
            if (AcceptKeyword("BUCKETS")) {
                if (Cur().type != TokenType::INTEGER) Error("a bucket count");
                m->table->buckets = ParseIntegerToken("a bucket count between 1 and 1024");
                Advance();
            }
        } else if (AcceptKeyword("REFRESH")) {
            ParseRefreshScheme(m->refresh);
        } else if (AcceptKeyword("PARTITION")) {
            ExpectKeyword("BY");
            bool paren = AcceptOp("(");
            if (IsIdentifierToken() && IsOpAt(PeekToken(), "(")) {
                std::string fn = AsciiLower(ParseIdentifier("a partition expression"));
                ExpectOp("(");
                if (fn == "date_trunc") {
                    if (Cur().type != TokenType::STRING) Error("a date_trunc unit string ('day', 'month', ...)");
                    std::string unit = AsciiLower(Cur().text);
                    Advance();
                    ExpectOp(",");
                    m->partition_column = ParseIdentifier("a column name");
                    bool known = false;
                    for (const char* u : {"minute", "hour", "day", "week", "month", "quarter", "year"}) {
                        known |= unit == u;
                    }
                    if (!known) {
                        throw ParserError("date_trunc unit '" + unit +
                                              "' cannot partition a materialized view (minute, hour, day, week, "
                                              "month, quarter or year)",
                                          ErrorCode::PARSE);
                    }
                    m->partition_unit = unit;
                } else {
                    throw ParserError("PARTITION BY " + fn +
                                          "(...) is not supported for materialized views; use a column or "
                                          "date_trunc('unit', column)",
                                      ErrorCode::NOT_SUPPORTED);
                }
                ExpectOp(")");
            } else {
                m->partition_column = ParseIdentifier("a partition column");
                if (paren && IsOp(",")) {
                    throw ParserError("multi-column PARTITION BY is not supported for materialized views yet",
                                      ErrorCode::NOT_SUPPORTED);
                }
            }
            if (paren) ExpectOp(")");
        } else if (IsKeyword("ORDER") && IsKeywordAt(PeekToken(), "BY")) {
            Advance();
            Advance();
            m->table->order_by = ParseColumnList();
        } else if (AcceptKeyword("PROPERTIES")) {
            m->table->properties = ParseProperties();
        } else {
            Error("COMMENT, DISTRIBUTED BY, REFRESH, PARTITION BY, ORDER BY, PROPERTIES or AS");
        }
    }
    (void)distributed;
    ExpectKeyword("AS");
    const Token& start = Cur();
    m->table->as_query = ParseQuery();
    const Token& last = tokens_[pos_ > 0 ? pos_ - 1 : 0];
    m->query_text = std::string(sql_.substr(start.offset, last.end - start.offset));
    return m;
}

StatementPtr ParserImpl::ParseTask() {
    auto t = std::make_unique<TaskStatement>();
    if (AcceptKeyword("SUBMIT")) {
        ExpectKeyword("TASK");
        t->action = TaskStatement::Action::SUBMIT;
        if (!IsKeyword("AS") && !IsKeyword("SCHEDULE") && !IsKeyword("PROPERTIES")) {
            ParseQualifiedName(t->database, t->name, "a task name");
        }
        if (AcceptKeyword("SCHEDULE")) {
            t->schedule.given = true;
            ParseEveryClause(t->schedule);
            if (t->schedule.every == 0) Error("EVERY (INTERVAL n unit) after SCHEDULE");
        }
        if (AcceptKeyword("PROPERTIES")) t->properties = ParseProperties();
        ExpectKeyword("AS");
        const Token& start = Cur();
        t->statement = ParseStatement();
        const Token& last = tokens_[pos_ > 0 ? pos_ - 1 : 0];
        t->definition = std::string(sql_.substr(start.offset, last.end - start.offset));
        auto k = t->statement->kind;
        bool ok = k == StatementKind::INSERT ||
                  (k == StatementKind::CREATE_TABLE && static_cast<CreateTableStatement&>(*t->statement).as_query) ||
                  (k == StatementKind::SELECT && static_cast<SelectStatement&>(*t->statement).cache_warmup);
        if (!ok) {
            throw ParserError("SUBMIT TASK runs INSERT, INSERT OVERWRITE, CREATE TABLE ... AS SELECT or CACHE SELECT",
                              ErrorCode::NOT_SUPPORTED);
        }
        return t;
    }
    if (AcceptKeyword("DROP")) {
        ExpectKeyword("TASK");
        t->action = TaskStatement::Action::DROP;
        if (AcceptKeyword("IF")) {
            ExpectKeyword("EXISTS");
            t->if_exists = true;
        }
    } else {
        ExpectKeyword("EXECUTE");
        ExpectKeyword("TASK");
        t->action = TaskStatement::Action::EXECUTE;
    }
    ParseQualifiedName(t->database, t->name, "a task name");
    // DROP TASK name FORCE (StarRocks 3.3+): dropping always interrupts the running run.
    if (t->action == TaskStatement::Action::DROP) AcceptKeyword("FORCE");
    return t;
}

}  // namespace floe
