// Writes: INSERT [OVERWRITE] (VALUES, SELECT, FILES()), UPDATE, DELETE, TRUNCATE.
#include "common/ascii.h"
#include "common/exception.h"
#include "parser/parser_impl.h"

namespace floe {

using namespace ast;

StatementPtr ParserImpl::ParseInsert() {
    ExpectKeyword("INSERT");
    auto ins = std::make_unique<InsertStatement>();
    if (AcceptKeyword("OVERWRITE")) {
        ins->overwrite = true;
    } else {
        if (AcceptKeyword("OR")) {  // INSERT OR REPLACE (DuckDB, SQLite): the Primary Key upsert
            if (!AsciiEqualsIgnoreCase(Cur().text, "REPLACE")) Error("REPLACE");
            Advance();
            ins->or_replace = true;
        }
        ExpectKeyword("INTO");
    }
    AcceptKeyword("TABLE");
    if (!ins->overwrite && Cur().type == TokenType::IDENTIFIER && AsciiEqualsIgnoreCase(Cur().text, "files") &&
        PeekToken().type == TokenType::OPERATOR && PeekToken().text == "(") {
        // INSERT INTO FILES("key" = "value", ...) <query>
        Advance();
        ExpectOp("(");
        do {
            if (Cur().type != TokenType::STRING) Error("a \"key\" = \"value\" property");
            std::string k = Cur().text;
            Advance();
            ExpectOp("=");
            if (Cur().type != TokenType::STRING) Error("a string value");
            ins->files.emplace_back(k, Cur().text);
            Advance();
        } while (AcceptOp(","));
        ExpectOp(")");
        ins->into_files = true;
        ins->query = ParseQuery();
        return ins;
    }
    ParseTableName(ins->catalog, ins->database, ins->table);
    if (AcceptKeyword("PARTITION") || AcceptKeyword("PARTITIONS")) ins->partitions = ParseColumnList();
    if (AcceptKeyword("WITH")) {
        ExpectKeyword("LABEL");
        ins->label = ParseIdentifierOrString("a label");
    }
    if (IsKeyword("BY") && AsciiEqualsIgnoreCase(PeekToken().text, "NAME")) {  // DuckDB: columns by name
        Advance();
        Advance();
        ins->by_name = true;
    } else if (IsOp("(") && !StartsQuery()) {
        ins->columns = ParseColumnList();
    }
    if (IsKeyword("DEFAULT") && IsKeywordAt(PeekToken(), "VALUES")) {
        // DEFAULT VALUES (PostgreSQL, DuckDB): one row of defaults, as MySQL's VALUES ().
        Advance();
        Advance();
        auto v = std::make_unique<ValuesNode>();
        v->location = Loc();
        v->rows.emplace_back();
        ins->query = std::move(v);
    } else if (AcceptKeyword("VALUES") || AcceptKeyword("VALUE")) {
        auto v = std::make_unique<ValuesNode>();
        v->location = Loc();
        do {
            ExpectOp("(");
            std::vector<ExprPtr> row;
            if (!IsOp(")")) {
                do {
                    if (IsKeyword("DEFAULT")) {
                        auto ref = std::make_unique<ColumnRefExpr>();
                        ref->location = Loc();
                        ref->parts.push_back("DEFAULT");
                        Advance();
                        row.push_back(std::move(ref));
                    } else {
                        row.push_back(ParseExpression());
                    }
                } while (AcceptOp(","));
            }
            ExpectOp(")");
            v->rows.push_back(std::move(row));
        } while (AcceptOp(","));
        ins->query = std::move(v);
    } else {
        ins->query = ParseQuery();
    }
    if (AcceptKeyword("ON")) {
        if (AsciiEqualsIgnoreCase(Cur().text, "CONFLICT")) {
            // ON CONFLICT [(key)] DO UPDATE SET c = excluded.c (PostgreSQL, DuckDB): MySQL's
            // ON DUPLICATE KEY UPDATE c = VALUES(c).
            auto loc = Loc();
            Advance();
            if (IsOp("(")) ParseColumnList();
            if (!AsciiEqualsIgnoreCase(Cur().text, "DO")) Error("DO UPDATE");
            Advance();
            if (AsciiEqualsIgnoreCase(Cur().text, "NOTHING")) {
                throw NotSupportedError(fmt::format(
                    "line {}, column {}: ON CONFLICT DO NOTHING is not supported; Primary Key tables replace rows "
                    "by key (ON CONFLICT DO UPDATE)",
                    loc.line, loc.column));
            }
            ExpectKeyword("UPDATE");
            ExpectKeyword("SET");
            ins->on_duplicate_key_update = ParseAssignments();
            for (auto& a : ins->on_duplicate_key_update) {
                if (a.value->kind != ExprKind::COLUMN_REF) continue;
                auto& parts = static_cast<ColumnRefExpr&>(*a.value).parts;
                if (parts.size() != 2 || !AsciiEqualsIgnoreCase(parts[0], "excluded")) continue;
                auto call = std::make_unique<FunctionCallExpr>();
                call->location = a.value->location;
                call->name = "values";
                parts.erase(parts.begin());
                call->args.push_back(std::move(a.value));
                a.value = std::move(call);
            }
        } else {
            ExpectKeyword("DUPLICATE");
            ExpectKeyword("KEY");
            ExpectKeyword("UPDATE");
            ins->on_duplicate_key_update = ParseAssignments();
        }
    }
    if (AcceptKeyword("RETURNING")) ins->returning = ParseSelectItems();
    return ins;
}

std::vector<Assignment> ParserImpl::ParseAssignments() {
    std::vector<Assignment> out;
    do {
        if (IsOp("(")) {
            // SET (a, b) = (1, 2): one assignment per column.
            auto loc = Loc();
            Advance();
            std::vector<std::string> columns;
            do {
                columns.push_back(ParseIdentifier("a column name"));
            } while (AcceptOp(","));
            ExpectOp(")");
            ExpectOp("=");
            size_t value_start = pos_;
            ExprPtr value = ParseExpression();
            if (value->kind != ExprKind::ROW) {
                // SET (a, b) = x (DuckDB): every column gets x (parsed once per column).
                for (size_t i = 0; i < columns.size(); ++i) {
                    if (i > 0) {
                        pos_ = value_start;
                        value = ParseExpression();
                    }
                    Assignment a;
                    a.location = loc;
                    a.column = columns[i];
                    a.value = std::move(value);
                    out.push_back(std::move(a));
                }
                continue;
            }
            if (static_cast<RowExpr&>(*value).items.size() != columns.size()) {
                throw ParserError(fmt::format("line {}, column {}: SET ({}) = needs a row of {} values", loc.line,
                                              loc.column, fmt::join(columns, ", "), columns.size()));
            }
            auto& items = static_cast<RowExpr&>(*value).items;
            for (size_t i = 0; i < columns.size(); ++i) {
                Assignment a;
                a.location = loc;
                a.column = columns[i];
                a.value = std::move(items[i]);
                out.push_back(std::move(a));
            }
            continue;
        }
        Assignment a;
        a.location = Loc();
        std::string first = ParseIdentifier("a column name");
        a.column = AcceptOp(".") ? ParseIdentifier("a column name") : first;  // t.col
        ExpectOp("=");
        a.value = ParseExpression();
        out.push_back(std::move(a));
    } while (AcceptOp(","));
    return out;
}

StatementPtr ParserImpl::ParseDelete() {
    ExpectKeyword("DELETE");
    ExpectKeyword("FROM");
    auto d = std::make_unique<DeleteStatement>();
    ParseTableName(d->catalog, d->database, d->table);
    // DELETE FROM t [AS] x (MySQL 8, PostgreSQL): the name the WHERE uses.
    if (AcceptKeyword("AS")) {
        d->alias = ParseIdentifier("an alias");
    } else if (IsIdentifierToken() && !IsKeyword("PARTITION") && !IsKeyword("PARTITIONS")) {
        d->alias = ParseIdentifier("an alias");
    }
    if (AcceptKeyword("PARTITION") || AcceptKeyword("PARTITIONS")) d->partitions = ParseColumnList();
    if (AcceptKeyword("USING")) d->using_from = ParseFrom();
    if (AcceptKeyword("WHERE")) d->where = ParseExpression();
    if (AcceptKeyword("RETURNING")) d->returning = ParseSelectItems();
    return d;
}

StatementPtr ParserImpl::ParseUpdate() {
    ExpectKeyword("UPDATE");
    auto u = std::make_unique<UpdateStatement>();
    ParseTableName(u->catalog, u->database, u->table);
    if (AcceptKeyword("AS")) {
        u->alias = ParseIdentifier("an alias");
    } else if (IsIdentifierToken()) {
        u->alias = ParseIdentifier("an alias");
    }
    ExpectKeyword("SET");
    u->assignments = ParseAssignments();
    if (AcceptKeyword("FROM")) u->from = ParseFrom();
    if (AcceptKeyword("WHERE")) u->where = ParseExpression();
    if (AcceptKeyword("RETURNING")) u->returning = ParseSelectItems();
    return u;
}

StatementPtr ParserImpl::ParseTruncate() {
    ExpectKeyword("TRUNCATE");
    AcceptKeyword("TABLE");
    auto t = std::make_unique<TruncateStatement>();
    ParseQualifiedName(t->database, t->table, "a table name");
    if (AcceptKeyword("PARTITION") || AcceptKeyword("PARTITIONS")) t->partitions = ParseColumnList();
    return t;
}

}  // namespace floe
