// The ALTER TABLE actions of Iceberg tables, in StarRocks' grammar (docs data_source/catalog/iceberg:
// DDL.md, iceberg_timetravel.md, procedures.md) plus Spark's spelling of partition evolution:
//   RENAME COLUMN a TO b
//   ADD | DROP PARTITION {COLUMN | FIELD} item [AS name] [, ...]   item: col | transform(col[, n])
//   SET [PROPERTIES | TBLPROPERTIES] ("k" = "v", ...)
//   CREATE [OR REPLACE] {BRANCH | TAG} [IF NOT EXISTS] name [AS OF VERSION id]
//       [RETAIN n {DAYS | HOURS | MINUTES}]
//       [WITH SNAPSHOT RETENTION {n SNAPSHOTS | n unit | n SNAPSHOTS n unit}]
//   DROP {BRANCH | TAG} [IF EXISTS] name
//   EXECUTE procedure([name =] literal, ...)
#include "common/ascii.h"
#include "common/exception.h"
#include "parser/parser_impl.h"

namespace floe {

using namespace ast;

namespace {

/// Milliseconds of one DAYS / HOURS / MINUTES unit (singular accepted); 0 for another word.
int64_t UnitMillis(const std::string& unit) {
    std::string u = AsciiLower(unit);
    if (u == "day" || u == "days") return 86'400'000;
    if (u == "hour" || u == "hours") return 3'600'000;
    if (u == "minute" || u == "minutes") return 60'000;
    return 0;
}

}  // namespace

bool ParserImpl::ParseAlterIcebergAction(AlterTableStatement& t) {
    auto name_or_string = [&](const char* what) {
        if (Cur().type == TokenType::STRING) {
            std::string v = Cur().text;
            Advance();
            return v;
        }
        return ParseIdentifier(what);
    };
    auto positive = [&](const char* what) {
        if (Cur().type != TokenType::INTEGER) Error(what);
        int64_t n = ParseIntegerToken(what);
        Advance();
        return n;
    };
    auto duration = [&](const char* what) {
        int64_t n = positive(what);
        int64_t unit = Cur().type == TokenType::IDENTIFIER ? UnitMillis(Cur().text) : 0;
        if (unit == 0) Error("DAYS, HOURS or MINUTES");
        Advance();
        return n * unit;
    };
    if (IsKeyword("RENAME") && IsKeywordAt(PeekToken(), "COLUMN")) {
        Advance();
        Advance();
        t.action = AlterTableAction::RENAME_COLUMN;
        AlterColumn a;
        a.definition.name = ParseIdentifier("a column name");
        t.columns.push_back(std::move(a));
        ExpectKeyword("TO");
        t.new_name = ParseIdentifier("a column name");
        return true;
    }
    if ((IsKeyword("ADD") || IsKeyword("DROP")) && IsKeywordAt(PeekToken(), "PARTITION") &&
        (IsKeywordAt(PeekToken(2), "COLUMN") || IsKeywordAt(PeekToken(2), "FIELD"))) {
        bool add = IsKeyword("ADD");
        Advance();
        Advance();
        Advance();
        t.action = add ? AlterTableAction::ADD_PARTITION_FIELD : AlterTableAction::DROP_PARTITION_FIELD;
        do {
            std::string transform;
            t.partition_columns.push_back(ParsePartitionItem(transform));
            t.partition_transforms.push_back(std::move(transform));
            std::string name;
            if (add && AcceptKeyword("AS")) name = ParseIdentifier("a partition field name");
            t.partition_field_names.push_back(std::move(name));
        } while (AcceptOp(","));
        return true;
    }
    if (IsKeyword("SET") && (IsOpAt(PeekToken(), "(") || IsKeywordAt(PeekToken(), "PROPERTIES") ||
                             IsKeywordAt(PeekToken(), "TBLPROPERTIES"))) {
        Advance();
        if (!AcceptKeyword("PROPERTIES")) AcceptKeyword("TBLPROPERTIES");
        t.action = AlterTableAction::SET_PROPERTIES;
        t.properties = ParseProperties();
        return true;
    }
    if (IsKeyword("DROP") && (IsKeywordAt(PeekToken(), "BRANCH") || IsKeywordAt(PeekToken(), "TAG"))) {
        Advance();
        t.action = AlterTableAction::DROP_REF;
        t.ref.tag = IsKeyword("TAG");
        Advance();
        if (AcceptKeyword("IF")) {
            ExpectKeyword("EXISTS");
            t.if_exists = true;
        }
        t.ref.name = name_or_string("a branch or tag name");
        return true;
    }
    if (IsKeyword("CREATE")) {
        Advance();
        t.action = AlterTableAction::CREATE_REF;
        if (AcceptKeyword("OR")) {
            ExpectKeyword("REPLACE");
            t.ref.or_replace = true;
        }
        if (AcceptKeyword("TAG")) {
            t.ref.tag = true;
        } else {
            ExpectKeyword("BRANCH");
        }
        if (AcceptKeyword("IF")) {
            ExpectKeyword("NOT");
            ExpectKeyword("EXISTS");
            t.ref.if_not_exists = true;
        }
        t.ref.name = name_or_string(t.ref.tag ? "a tag name" : "a branch name");
        if (AcceptKeyword("AS")) {
            ExpectKeyword("OF");
            ExpectKeyword("VERSION");
            t.ref.snapshot_id = positive("a snapshot id");
        }
        if (AcceptKeyword("RETAIN")) t.ref.max_ref_age_ms = duration("a retention time");
        if (!t.ref.tag && AcceptKeyword("WITH")) {
            ExpectKeyword("SNAPSHOT");
            ExpectKeyword("RETENTION");
            int64_t n = positive("a number of snapshots or a time");
            if (AcceptKeyword("SNAPSHOTS") || AcceptKeyword("SNAPSHOT")) {
                if (n > INT32_MAX) Error("a smaller number of snapshots");
                t.ref.min_snapshots_to_keep = static_cast<int32_t>(n);
                if (Cur().type == TokenType::INTEGER) t.ref.max_snapshot_age_ms = duration("a snapshot age");
            } else {
                int64_t unit = Cur().type == TokenType::IDENTIFIER ? UnitMillis(Cur().text) : 0;
                if (unit == 0) Error("SNAPSHOTS, DAYS, HOURS or MINUTES");
                Advance();
                t.ref.max_snapshot_age_ms = n * unit;
            }
        }
        return true;
    }
    if (AcceptKeyword("EXECUTE")) {
        t.action = AlterTableAction::EXECUTE;
        t.procedure = AsciiLower(ParseIdentifier("a procedure name"));
        ExpectOp("(");
        if (!IsOp(")")) {
            do {
                // name = value (StarRocks; the name may be a quoted string) or name => value (Trino, Spark).
                std::string name;
                if ((IsIdentifierToken() || Cur().type == TokenType::STRING) &&
                    (IsOpAt(PeekToken(), "=") || IsOpAt(PeekToken(), "=>"))) {
                    if (Cur().type == TokenType::STRING) {
                        name = AsciiLower(Cur().text);
                        Advance();
                    } else {
                        name = AsciiLower(ParseIdentifier("an argument name"));
                    }
                    if (!AcceptOp("=>")) ExpectOp("=");
                }
                std::string value;
                if (AcceptOp("-")) value = "-";
                if (Cur().type != TokenType::STRING && Cur().type != TokenType::INTEGER &&
                    Cur().type != TokenType::DECIMAL && !IsIdentifierToken() && !IsKeyword("TRUE") &&
                    !IsKeyword("FALSE")) {
                    Error("a literal argument");
                }
                value += Cur().text;
                Advance();
                t.procedure_arguments.emplace_back(std::move(name), std::move(value));
            } while (AcceptOp(","));
        }
        ExpectOp(")");
        if (AcceptKeyword("WHERE")) {
            size_t from = pos_;
            ParseExpression();
            t.procedure_where = SourceTextFrom(from);
        }
        return true;
    }
    return false;
}

}  // namespace floe
