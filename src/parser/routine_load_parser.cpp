// CREATE / ALTER / PAUSE / RESUME / STOP ROUTINE LOAD and SHOW [ALL] ROUTINE LOAD [TASK].
#include "common/ascii.h"
#include "common/exception.h"
#include "parser/parser_impl.h"

namespace floe {

using namespace ast;

std::string ParserImpl::SourceTextFrom(size_t from) const {
    if (from >= pos_) return "";
    return std::string(sql_.substr(tokens_[from].offset, tokens_[pos_ - 1].end - tokens_[from].offset));
}

StatementPtr ParserImpl::ParseRoutineLoad(RoutineLoadStatement::Action action) {
    using Action = RoutineLoadStatement::Action;
    ExpectKeyword("ROUTINE");
    ExpectKeyword("LOAD");
    auto r = std::make_unique<RoutineLoadStatement>();
    r->action = action;
    if (action == Action::SHOW) {
        // SHOW [ALL] ROUTINE LOAD [TASK] [FOR [db.]job] [FROM db] [WHERE JobName = 'job']
        if (AcceptKeyword("TASK")) r->action = Action::SHOW_TASK;
        if (AcceptKeyword("FOR")) ParseQualifiedName(r->database, r->name, "a routine load job name");
        if (AcceptKeyword("FROM") || AcceptKeyword("IN")) r->database = ParseIdentifier("a database name");
        if (AcceptKeyword("WHERE")) {
            // StarRocks' SHOW ROUTINE LOAD TASK filter: JobName = "job".
            std::string column = ParseIdentifier("JobName");
            if (!AsciiEqualsIgnoreCase(column, "JobName")) Error("JobName = 'job'");
            ExpectOp("=");
            if (Cur().type != TokenType::STRING) Error("a job name string");
            r->name = Cur().text;
            Advance();
        }
        return r;
    }
    if (action != Action::CREATE) ExpectKeyword("FOR");
    ParseQualifiedName(r->database, r->name, "a routine load job name");
    if (action == Action::PAUSE || action == Action::RESUME || action == Action::STOP) return r;
    if (action == Action::CREATE) {
        ExpectKeyword("ON");
        ParseTableName(r->table_catalog, r->table_database, r->table);
    }
    // Load clauses, separated by commas: COLUMNS TERMINATED BY, ROWS TERMINATED BY, COLUMNS (...),
    // WHERE, PARTITION (...).
    auto add = [&](const char* name, std::string value) { r->load_properties.emplace_back(name, std::move(value)); };
    auto string_value = [&](const char* what) {
        if (Cur().type != TokenType::STRING) Error(what);
        std::string v = Cur().text;
        Advance();
        return v;
    };
    bool more = true;
    while (more) {
        if (IsKeyword("COLUMNS") && IsKeywordAt(PeekToken(), "TERMINATED")) {
            Advance();
            Advance();
            ExpectKeyword("BY");
            add("column_separator", string_value("a separator string"));
        } else if (IsKeyword("ROWS") && IsKeywordAt(PeekToken(), "TERMINATED")) {
            Advance();
            Advance();
            ExpectKeyword("BY");
            add("row_delimiter", string_value("a delimiter string"));
        } else if (AcceptKeyword("COLUMNS")) {
            ExpectOp("(");
            std::string columns;
            do {
                size_t from = pos_;
                ParseIdentifier("a column name");
                if (AcceptOp("=")) ParseExpression();
                if (!columns.empty()) columns += ", ";
                columns += SourceTextFrom(from);
            } while (AcceptOp(","));
            ExpectOp(")");
            add("columns", columns);
        } else if (AcceptKeyword("WHERE")) {
            size_t from = pos_;
            ParseExpression();
            add("where", SourceTextFrom(from));
        } else if (AcceptKeyword("PARTITION") || AcceptKeyword("PARTITIONS")) {
            ExpectOp("(");
            std::string names;
            do {
                if (!names.empty()) names += ",";
                names += ParseIdentifier("a partition name");
            } while (AcceptOp(","));
            ExpectOp(")");
            add("partitions", names);
        } else {
            break;
        }
        // Clauses are separated by commas in StarRocks' grammar; seed 001 also writes them
        // one per line without.
        AcceptOp(",");
        more = IsKeyword("COLUMNS") || IsKeyword("ROWS") || IsKeyword("WHERE") || IsKeyword("PARTITION") ||
               IsKeyword("PARTITIONS");
    }
    if (AcceptKeyword("PROPERTIES")) {
        for (auto& [k, v] : ParseProperties()) r->load_properties.emplace_back(AsciiLower(k), v);
    }
    if (AcceptKeyword("FROM")) {
        r->source_type = AsciiUpper(ParseIdentifier("KAFKA"));
        if (r->source_type != "KAFKA") {
            throw ParserError("routine load reads from KAFKA, not " + r->source_type, ErrorCode::NOT_SUPPORTED);
        }
        for (auto& [k, v] : ParseProperties()) r->source_properties.emplace_back(AsciiLower(k), v);
    } else if (action == Action::CREATE) {
        Error("FROM KAFKA (...)");
    }
    return r;
}

}  // namespace floe
