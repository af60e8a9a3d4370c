// CREATE TABLE's definition: columns, keys, PARTITION BY (RANGE, LIST, expressions, dynamic), DISTRIBUTED BY,
// ORDER BY and PROPERTIES.
#include <charconv>
#include "common/ascii.h"
#include "common/exception.h"
#include "parser/parser_impl.h"

namespace floe {

using namespace ast;

namespace {
bool IsTimeUnit(const std::string& u) {
    return u == "hour" || u == "day" || u == "week" || u == "month" || u == "year";
}
}  // namespace

/// A partition bound value: a string or number literal, or MAXVALUE (returned as nullopt).
std::optional<std::string> ParserImpl::ParsePartitionValue() {
    if (AcceptKeyword("MAXVALUE")) return std::nullopt;
    bool negative = AcceptOp("-");
    if (Cur().type != TokenType::STRING && Cur().type != TokenType::INTEGER && Cur().type != TokenType::DECIMAL) {
        Error("a partition value");
    }
    std::string v = (negative ? "-" : "") + Cur().text;
    Advance();
    return v;
}

/// `(v[, v...])` of partition values.
std::vector<std::string> ParserImpl::ParsePartitionTuple() {
    std::vector<std::string> out;
    ExpectOp("(");
    do {
        auto v = ParsePartitionValue();
        if (!v) Error("a value (MAXVALUE only fits VALUES LESS THAN)");
        out.push_back(*v);
    } while (AcceptOp(","));
    ExpectOp(")");
    return out;
}

PartitionDefinition ParserImpl::ParsePartitionDefinition() {
    PartitionDefinition p;
    if (AcceptKeyword("START")) {
        p.batch = true;
        ExpectOp("(");
        auto start = ParsePartitionValue();
        ExpectOp(")");
        ExpectKeyword("END");
        ExpectOp("(");
        auto end = ParsePartitionValue();
        if (!start || !end) Error("START and END values (not MAXVALUE)");
        p.start = *start;
        p.end = *end;
        ExpectOp(")");
        ExpectKeyword("EVERY");
        ExpectOp("(");
        if (AcceptKeyword("INTERVAL")) {
            if (Cur().type != TokenType::INTEGER) Error("an interval count");
            p.every = ParseIntegerToken("an interval count of at most 9223372036854775807");
            Advance();
            p.every_unit = AsciiLower(ParseIdentifier("a time unit"));
        } else {
            if (Cur().type != TokenType::INTEGER) Error("INTERVAL n unit or a step");
            p.every = ParseIntegerToken("a step of at most 9223372036854775807");
            Advance();
        }
        ExpectOp(")");
        return p;
    }
    ExpectKeyword("PARTITION");
    if (AcceptKeyword("IF")) {
        ExpectKeyword("NOT");
        ExpectKeyword("EXISTS");
        p.if_not_exists = true;
    }
    p.name = ParseIdentifier("a partition name");
    ExpectKeyword("VALUES");
    if (AcceptKeyword("LESS")) {
        ExpectKeyword("THAN");
        p.less_than = true;
        if (AcceptKeyword("MAXVALUE")) {
            p.upper = std::nullopt;
        } else {
            ExpectOp("(");
            p.upper = ParsePartitionValue();
            ExpectOp(")");
        }
    } else if (AcceptOp("[")) {
        p.lower = ParsePartitionTuple().at(0);
        ExpectOp(",");
        p.upper = ParsePartitionTuple().at(0);
        ExpectOp(")");
    } else {
        ExpectKeyword("IN");
        ExpectOp("(");
        do {
            if (IsOp("(")) {
                p.in_values.push_back(ParsePartitionTuple());
            } else {
                auto v = ParsePartitionValue();
                if (!v) Error("a value");
                p.in_values.push_back({*v});
            }
        } while (AcceptOp(","));
        ExpectOp(")");
    }
    if (AcceptKeyword("PROPERTIES")) ParseProperties();  // per-partition properties: accepted
    return p;
}

std::string ParserImpl::ParsePartitionItem(std::string& transform) {
    const Token& start = Cur();
    std::string name = ParseIdentifier("a partition column or transform");
    transform = "identity";
    if (!IsOp("(")) return name;
    std::string kind = AsciiLower(name);
    if (kind == "years") kind = "year";
    if (kind == "months") kind = "month";
    if (kind == "days") kind = "day";
    if (kind == "hours") kind = "hour";
    static const char* const kKnown[] = {"identity", "bucket", "truncate", "year", "month", "day", "hour", "void"};
    bool known = false;
    for (const char* k : kKnown) known |= kind == k;
    if (!known) {
        throw ParserError("line " + std::to_string(start.line) + ", column " + std::to_string(start.column) + ": '" +
                              name +
                              "' is not a partition transform (identity, bucket, truncate, year, month, day, hour, "
                              "void); hot tables also take date_trunc and time_slice",
                          ErrorCode::NOT_SUPPORTED);
    }
    ExpectOp("(");
    // bucket and truncate take a column and a number, in either order (StarRocks writes
    // bucket(col, 16), Spark and Trino bucket(16, col)).
    std::string column;
    std::optional<int64_t> number;
    do {
        if (Cur().type == TokenType::INTEGER) {
            if (number) Error("one number");
            number = ParseIntegerToken("a positive number");
            Advance();
        } else {
            if (!column.empty()) Error("one column");
            column = ParseIdentifier("a column name");
        }
    } while (AcceptOp(","));
    ExpectOp(")");
    if (column.empty()) Error("a column name");
    bool parameterized = kind == "bucket" || kind == "truncate";
    if (parameterized != number.has_value() || (number && *number <= 0)) {
        throw ParserError(
            "line " + std::to_string(start.line) + ", column " + std::to_string(start.column) + ": " +
                (parameterized ? kind + "() needs a column and a positive number" : kind + "() takes only a column"),
            ErrorCode::WRONG_ARGUMENTS);
    }
    transform = parameterized ? kind + "[" + std::to_string(*number) + "]" : kind;
    return column;
}

PartitionDesc ParserImpl::ParsePartitionDesc() {
    PartitionDesc d;
    if (AcceptKeyword("RANGE")) {
        d.kind = PartitionKind::RANGE;
        d.columns = ParseColumnList();
    } else if (AcceptKeyword("LIST")) {
        d.kind = PartitionKind::LIST;
        d.columns = ParseColumnList();
    } else if ((IsKeyword("date_trunc") || IsKeyword("time_slice")) && IsOpAt(PeekToken(), "(")) {
        bool slice = IsKeyword("time_slice");
        Advance();
        ExpectOp("(");
        d.kind = PartitionKind::TIME_EXPRESSION;
        if (slice) {
            d.columns.push_back(ParseIdentifier("a column name"));
            ExpectOp(",");
            ExpectKeyword("INTERVAL");
            if (Cur().type != TokenType::INTEGER || Cur().text != "1") {
                throw ParserError("line " + std::to_string(Cur().line) + ", column " + std::to_string(Cur().column) +
                                      ": time_slice partitioning supports INTERVAL 1 <unit> only",
                                  ErrorCode::NOT_SUPPORTED);
            }
            Advance();
            d.time_unit = AsciiLower(ParseIdentifier("a time unit"));
        } else {
            if (Cur().type != TokenType::STRING) Error("a time unit string ('day', 'month', ...)");
            d.time_unit = AsciiLower(Cur().text);
            Advance();
            ExpectOp(",");
            d.columns.push_back(ParseIdentifier("a column name"));
        }
        ExpectOp(")");
        if (!IsTimeUnit(d.time_unit)) {
            throw ParserError("partition time unit '" + d.time_unit + "' is not one of hour, day, week, month, year",
                              ErrorCode::WRONG_ARGUMENTS);
        }
    } else {
        // PARTITION BY col[, col] or PARTITION BY (col, ...): list partitions created on load (hot
        // tables), or Iceberg partition fields, which may also be transforms: bucket(id, 16),
        // truncate(name, 4), year/month/day/hour(ts), identity(c), void(c).
        d.kind = PartitionKind::COLUMNS;
        bool parenthesized = AcceptOp("(");
        bool any_transform = false;
        do {
            std::string transform;
            d.columns.push_back(ParsePartitionItem(transform));
            any_transform |= transform != "identity";
            d.transforms.push_back(std::move(transform));
        } while (AcceptOp(","));
        if (parenthesized) ExpectOp(")");
        if (!any_transform) d.transforms.clear();
        return d;
    }
    if (!IsOp("(")) return d;
    ExpectOp("(");
    if (AcceptOp(")")) return d;
    do {
        d.partitions.push_back(ParsePartitionDefinition());
    } while (AcceptOp(","));
    ExpectOp(")");
    return d;
}

std::vector<std::string> ParserImpl::ParseColumnList() {
    std::vector<std::string> cols;
    ExpectOp("(");
    do {
        cols.push_back(ParseIdentifier("a column name"));
    } while (AcceptOp(","));
    ExpectOp(")");
    return cols;
}

ColumnDefinition ParserImpl::ParseColumnDefinition() {
    ColumnDefinition c;
    c.name = ParseIdentifier("a column name");
    c.type = ParseTypeName();
    while (true) {
        if (IsKeyword("SUM") || IsKeyword("MAX") || IsKeyword("MIN") || IsKeyword("REPLACE") ||
            IsKeyword("REPLACE_IF_NOT_NULL") || IsKeyword("BITMAP_UNION") || IsKeyword("HLL_UNION")) {
            c.aggregation = AsciiUpper(Cur().text);
            Advance();
        } else if (IsKeyword("NOT") && IsKeywordAt(PeekToken(), "NULL")) {
            Advance();
            Advance();
            c.nullable = false;
            c.explicit_null = true;
        } else if (AcceptKeyword("NULL")) {
            c.nullable = true;
            c.explicit_null = true;
        } else if (AcceptKeyword("DEFAULT")) {
            ExprPtr e = ParseUnary();
            if (e->kind == ExprKind::LITERAL) {
                c.default_value = static_cast<LiteralExpr&>(*e).value;
            } else if (e->kind == ExprKind::UNARY && static_cast<UnaryExpr&>(*e).op == UnaryOp::NEGATE &&
                       static_cast<UnaryExpr&>(*e).operand->kind == ExprKind::LITERAL) {
                Value v = static_cast<LiteralExpr&>(*static_cast<UnaryExpr&>(*e).operand).value;
                c.default_value = Value::Varchar("-" + v.ToString());
            } else if (e->kind == ExprKind::FUNCTION_CALL) {
                c.default_value = Value::Varchar("CURRENT_TIMESTAMP");
            } else {
                Error("a constant default value");
            }
        } else if (AcceptKeyword("COMMENT")) {
            if (Cur().type != TokenType::STRING) Error("a comment string");
            c.comment = Cur().text;
            Advance();
        } else if (IsKeyword("PRIMARY") && IsKeywordAt(PeekToken(), "KEY")) {
            Advance();
            Advance();
            c.primary_key = true;
            c.nullable = false;
        } else if (AcceptKeyword("AUTO_INCREMENT") || AcceptKeyword("UNIQUE")) {
        } else {
            break;
        }
    }
    return c;
}

StatementPtr ParserImpl::ParseCreateTable() {
    if (AcceptKeyword("EXTERNAL") || AcceptKeyword("TEMPORARY")) {
        throw ParserError("line " + std::to_string(tokens_[pos_ - 1].line) + ", column " +
                              std::to_string(tokens_[pos_ - 1].column) +
                              ": EXTERNAL and TEMPORARY tables are not supported",
                          ErrorCode::NOT_SUPPORTED);
    }
    ExpectKeyword("TABLE");
    auto t = std::make_unique<CreateTableStatement>();
    if (AcceptKeyword("IF")) {
        ExpectKeyword("NOT");
        ExpectKeyword("EXISTS");
        t->if_not_exists = true;
    }
    ParseTableName(t->catalog, t->database, t->name);
    // CREATE TABLE t [clauses] AS query: the columns come from the query.
    bool columns_given = IsOp("(");
    if (columns_given) ExpectOp("(");
    while (columns_given) {
        if (IsKeyword("INDEX")) {  // INDEX idx (cols) [USING BITMAP] [COMMENT '...']: accepted
            Advance();
            ParseIdentifier("an index name");
            ParseColumnList();
            if (AcceptKeyword("USING")) ParseIdentifier("an index type");
            if (AcceptKeyword("COMMENT")) Advance();
            if (!AcceptOp(",")) break;
            continue;
        }
        if (IsKeyword("PRIMARY") && IsKeywordAt(PeekToken(), "KEY")) {  // generic SQL: PRIMARY KEY (cols)
            Advance();
            Advance();
            t->keys_type = KeysType::PRIMARY;
            t->key_columns = ParseColumnList();
            if (!AcceptOp(",")) break;
            continue;
        }
        t->columns.push_back(ParseColumnDefinition());
        if (!AcceptOp(",")) break;
    }
    if (columns_given) ExpectOp(")");
    while (!AtEnd() && !IsOp(";")) {
        if (AcceptKeyword("AS")) {
            t->as_query = ParseQuery();
            break;
        }
        if (AcceptKeyword("ENGINE")) {
            AcceptOp("=");
            std::string engine = AsciiLower(ParseIdentifier("an engine name"));
            if (engine != "olap") {
                throw ParserError("ENGINE = " + engine + " is not supported; Floe tables use the OLAP engine",
                                  ErrorCode::NOT_SUPPORTED);
            }
        } else if (IsKeyword("DUPLICATE") || IsKeyword("AGGREGATE") || IsKeyword("UNIQUE") || IsKeyword("PRIMARY")) {
            std::string k = AsciiUpper(Cur().text);
            Advance();
            ExpectKeyword("KEY");
            t->keys_type = k == "DUPLICATE"   ? KeysType::DUPLICATE
                           : k == "AGGREGATE" ? KeysType::AGGREGATE
                           : k == "UNIQUE"    ? KeysType::UNIQUE
                                              : KeysType::PRIMARY;
            t->key_columns = ParseColumnList();
        } else if (AcceptKeyword("COMMENT")) {
            AcceptOp("=");
            if (Cur().type != TokenType::STRING) Error("a comment string");
            t->comment = Cur().text;
            Advance();
        } else if (AcceptKeyword("PARTITION")) {
            ExpectKeyword("BY");
            t->partition = ParsePartitionDesc();
        } else if (AcceptKeyword("DISTRIBUTED")) {
            ExpectKeyword("BY");
            if (AcceptKeyword("RANDOM")) {
                t->random_distribution = true;
            } else {
                ExpectKeyword("HASH");
                t->distribution_columns = ParseColumnList();
            }
            if (AcceptKeyword("BUCKETS")) {
                if (Cur().type != TokenType::INTEGER) Error("a bucket count");
                t->buckets = ParseIntegerToken("a bucket count between 1 and 1024");
                Advance();
            }
        } else if (IsKeyword("ORDER") && IsKeywordAt(PeekToken(), "BY")) {
            Advance();
            Advance();
            t->order_by = ParseColumnList();
        } else if (AcceptKeyword("PROPERTIES")) {
            t->properties = ParseProperties();
        } else {
            Error("ENGINE, a key description, COMMENT, PARTITION BY, DISTRIBUTED BY, ORDER BY or PROPERTIES");
        }
    }
    for (const auto& c : t->columns) {
        if (c.primary_key) {
            t->keys_type = KeysType::PRIMARY;
            t->key_columns.push_back(c.name);
        }
    }
    return t;
}

}  // namespace floe
