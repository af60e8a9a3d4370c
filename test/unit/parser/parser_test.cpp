#include "parser/parser.h"

#include <gtest/gtest.h>

#include "common/exception.h"
#include "parser/lexer.h"

namespace floe {

using namespace ast;

namespace {
const SelectNode& Select(const StatementPtr& s) {
    EXPECT_EQ(s->kind, StatementKind::SELECT);
    const auto& q = *static_cast<const SelectStatement&>(*s).query;
    EXPECT_EQ(q.kind, QueryNodeKind::SELECT);
    return static_cast<const SelectNode&>(q);
}

std::string ParseError(std::string_view sql) {
    try {
        Parser::ParseStatements(sql);
    } catch (const ParserError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST(Lexer, TokensPositionsAndEscapes) {
    auto t = Lexer::Tokenize("SELECT 'it''s\\n', `a``b`, 1.5e3, 0x1F -- c\n  @x @@session.y ?");
    ASSERT_GE(t.size(), 10u);
    EXPECT_EQ(t[1].type, TokenType::STRING);
    EXPECT_EQ(t[1].text, "it's\n");
    EXPECT_EQ(t[3].type, TokenType::QUOTED_IDENTIFIER);
    EXPECT_EQ(t[3].text, "a`b");
    EXPECT_EQ(t[5].type, TokenType::FLOAT);
    EXPECT_EQ(t[7].type, TokenType::INTEGER);
    EXPECT_EQ(t[7].text, "31");
    EXPECT_EQ(t[8].type, TokenType::USER_VARIABLE);
    EXPECT_EQ(t[8].line, 2u);
    EXPECT_EQ(t[8].column, 3u);
    EXPECT_EQ(t[9].type, TokenType::SYSTEM_VARIABLE);
    EXPECT_EQ(t[9].text, "session.y");
    EXPECT_EQ(t[10].type, TokenType::PARAMETER);
    EXPECT_THROW(Lexer::Tokenize("SELECT 'open"), ParserError);
    EXPECT_THROW(Lexer::Tokenize("SELECT /* open"), ParserError);
    auto exec = Lexer::Tokenize("/*!40101 SET NAMES utf8 */");
    EXPECT_EQ(exec[0].text, "SET");
}

TEST(Parser, Precedence) {
    auto s = Parser::ParseStatement("SELECT 1 + 2 * 3, NOT a = b, a OR b AND c");
    const auto& sel = Select(s);
    ASSERT_EQ(sel.select_list.size(), 3u);
    EXPECT_EQ(sel.select_list[0].expr->ToString(), "(1 + (2 * 3))");
    EXPECT_EQ(sel.select_list[1].expr->ToString(), "NOT (a = b)");
    EXPECT_EQ(sel.select_list[2].expr->ToString(), "(a OR (b AND c))");
    EXPECT_EQ(sel.select_list[0].text, "1 + 2 * 3");
}

TEST(Parser, SelectClauses) {
    auto s = Parser::ParseStatement(
        "SELECT DISTINCT t.a AS x, count(*) FROM db.t AS t LEFT JOIN u ON t.id = u.id, v "
        "WHERE a BETWEEN 1 AND 3 AND b IN (1, 2) AND c LIKE 'x%' AND d IS NOT NULL "
        "GROUP BY ROLLUP(a, b) HAVING count(*) > 1 ORDER BY 1 DESC NULLS LAST LIMIT 5, 10");
    const auto& sel = Select(s);
    EXPECT_TRUE(sel.distinct);
    EXPECT_EQ(sel.select_list[0].alias, "x");
    ASSERT_TRUE(sel.from);
    EXPECT_EQ(sel.from->kind, TableRefKind::JOIN);
    EXPECT_EQ(sel.grouping, GroupingKind::ROLLUP);
    EXPECT_EQ(sel.group_by.size(), 2u);
    ASSERT_EQ(sel.order_by.size(), 1u);
    EXPECT_FALSE(sel.order_by[0].ascending);
    EXPECT_EQ(sel.order_by[0].nulls_first, false);
    EXPECT_EQ(sel.limit->ToString(), "10");
    EXPECT_EQ(sel.offset->ToString(), "5");
}

TEST(Parser, SetOperationsAndCtes) {
    auto s = Parser::ParseStatement("WITH c AS (SELECT 1) SELECT 1 UNION ALL SELECT 2 INTERSECT SELECT 3 ORDER BY 1");
    const auto& q = *static_cast<const SelectStatement&>(*s).query;
    ASSERT_EQ(q.kind, QueryNodeKind::SET_OPERATION);
    const auto& u = static_cast<const SetOperationNode&>(q);
    EXPECT_EQ(u.op, SetOpType::UNION);
    EXPECT_TRUE(u.all);
    EXPECT_EQ(u.right->kind, QueryNodeKind::SET_OPERATION);  // INTERSECT binds tighter
    EXPECT_EQ(q.ctes.size(), 1u);
    EXPECT_EQ(q.order_by.size(), 1u);
}

TEST(Parser, DriverConnectStatements) {
    for (const char* sql :
         {"select @@version_comment limit 1", "SET NAMES utf8mb4", "SET autocommit=0", "SET AUTOCOMMIT = 0",
          "set autocommit=1, sql_mode = concat(@@sql_mode,',STRICT_TRANS_TABLES')",
          "SELECT @@max_allowed_packet,@@system_time_zone,@@time_zone,@@auto_increment_increment",
          "SELECT @@session.auto_increment_increment AS auto_increment_increment, "
          "@@character_set_client AS character_set_client",
          "SHOW VARIABLES LIKE 'lower_case_table_names'", "SELECT VERSION()", "SELECT DATABASE()",
          "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", "SHOW FULL TABLES FROM db", "SHOW CHARACTER SET",
          "START TRANSACTION READ ONLY", "ROLLBACK"}) {
        EXPECT_NO_THROW(Parser::ParseStatement(sql)) << sql;
    }
    auto s = Parser::ParseStatement("set autocommit=1, sql_mode = concat(@@sql_mode,',X')");
    const auto& set = static_cast<const SetStatement&>(*s);
    ASSERT_EQ(set.assignments.size(), 2u);
    EXPECT_EQ(set.assignments[1].name, "sql_mode");
    EXPECT_EQ(set.assignments[1].value->kind, ExprKind::FUNCTION_CALL);
    auto names = Parser::ParseStatement("SET NAMES utf8mb4 COLLATE utf8mb4_general_ci");
    EXPECT_EQ(static_cast<const SetStatement&>(*names).assignments.size(), 4u);
}

TEST(Parser, SessionAndCatalogStatements) {
    auto u = Parser::ParseStatement("CREATE USER IF NOT EXISTS 'bob'@'%' IDENTIFIED BY 'pw'");
    const auto& cu = static_cast<const CreateUserStatement&>(*u);
    EXPECT_EQ(cu.user.name, "bob");
    EXPECT_EQ(cu.user.host, "%");
    EXPECT_EQ(cu.password, "pw");
    EXPECT_TRUE(cu.if_not_exists);
    auto p = Parser::ParseStatement("SET PASSWORD FOR bob = PASSWORD('x')");
    EXPECT_EQ(static_cast<const SetPasswordStatement&>(*p).password, "x");
    auto d = Parser::ParseStatement("DROP DATABASE IF EXISTS sales FORCE");
    EXPECT_TRUE(static_cast<const DropDatabaseStatement&>(*d).if_exists);
    auto desc = Parser::ParseStatement("DESC db.t");
    EXPECT_EQ(static_cast<const ShowStatement&>(*desc).show, ShowKind::COLUMNS);
    EXPECT_EQ(static_cast<const ShowStatement&>(*desc).database, "db");
    auto prep = Parser::ParseStatement("SELECT ? + ?, ?");
    EXPECT_EQ(prep->parameter_count, 3u);
    EXPECT_EQ(Parser::ParseStatements("SELECT 1; SELECT 2;;").size(), 2u);
    EXPECT_TRUE(Parser::ParseStatements("  -- nothing\n").empty());
}

TEST(Parser, ErrorsNameLineColumnAndToken) {
    EXPECT_NE(ParseError("SELECT FROM t").find("line 1, column 8: syntax error at 'FROM'"), std::string::npos);
    EXPECT_NE(ParseError("SELECT 1\nFROM t WHERE").find("line 2, column 13"), std::string::npos);
    EXPECT_NE(ParseError("SELEC 1").find("'SELEC'"), std::string::npos);
    EXPECT_NE(ParseError("SELECT (1").find("end of input"), std::string::npos);
    std::string deep(100000, '(');
    EXPECT_NE(ParseError("SELECT " + deep).find("nested too deeply"), std::string::npos);
    EXPECT_NE(ParseError("SELECT DATE '2024-13-01'").find("invalid DATE literal"), std::string::npos);
}

TEST(Parser, Literals) {
    auto s = Parser::ParseStatement("SELECT 12.50, 99999999999999999999, 1e2, TRUE, NULL, DATE '2024-01-02', x'41'");
    const auto& sel = Select(s);
    auto lit = [&](size_t i) { return static_cast<const LiteralExpr&>(*sel.select_list[i].expr).value; };
    EXPECT_EQ(lit(0).type(), LogicalType::Decimal(4, 2));
    EXPECT_EQ(lit(1).type().id, TypeId::LARGEINT);
    EXPECT_EQ(lit(2).type().id, TypeId::DOUBLE);
    EXPECT_EQ(lit(3).type().id, TypeId::BOOLEAN);
    EXPECT_TRUE(lit(4).is_null());
    EXPECT_EQ(lit(5).ToString(), "2024-01-02");
    EXPECT_EQ(lit(6).GetString(), "A");
}

}  // namespace floe

namespace floe {

TEST(Parser, RoutineLoadStatements) {
    using Action = ast::RoutineLoadStatement::Action;
    auto s = Parser::ParseStatement(R"(CREATE ROUTINE LOAD db.order_stats_load ON order_stats
COLUMNS TERMINATED BY ',',
COLUMNS(
timestamp_ms,
-- Round to 5-minute intervals
stat_time = FROM_UNIXTIME(FLOOR(timestamp_ms / 1000 / 300) * 300),
user_bitmap = BITMAP_HASH(user_id)
)
WHERE amount > 0, PARTITION(p1, p2)
PROPERTIES ("format" = "json", "Max_Batch_Rows" = "300000")
FROM KAFKA ("kafka_broker_list" = "k:9092", "kafka_topic" = "orders", "property.group.id" = "g"))");
    ASSERT_EQ(s->kind, ast::StatementKind::ROUTINE_LOAD);
    const auto& r = static_cast<const ast::RoutineLoadStatement&>(*s);
    EXPECT_EQ(r.action, Action::CREATE);
    EXPECT_EQ(r.database, "db");
    EXPECT_EQ(r.name, "order_stats_load");
    EXPECT_EQ(r.table, "order_stats");
    std::vector<std::pair<std::string, std::string>> load{
        {"column_separator", ","},
        {"columns",
         "timestamp_ms, stat_time = FROM_UNIXTIME(FLOOR(timestamp_ms / 1000 / 300) * 300), user_bitmap = "
         "BITMAP_HASH(user_id)"},
        {"where", "amount > 0"},
        {"partitions", "p1,p2"},
        {"format", "json"},
        {"max_batch_rows", "300000"}};
    EXPECT_EQ(r.load_properties, load);
    EXPECT_EQ(r.source_type, "KAFKA");
    ASSERT_EQ(r.source_properties.size(), 3u);
    EXPECT_EQ(r.source_properties[2].first, "property.group.id");

    auto show = Parser::ParseStatement("SHOW ALL ROUTINE LOAD FOR db.j");
    const auto& sh = static_cast<const ast::RoutineLoadStatement&>(*show);
    EXPECT_EQ(sh.action, Action::SHOW);
    EXPECT_TRUE(sh.all);
    EXPECT_EQ(sh.name, "j");
    auto task = Parser::ParseStatement("SHOW ROUTINE LOAD TASK FROM db WHERE JobName = 'j'");
    const auto& t = static_cast<const ast::RoutineLoadStatement&>(*task);
    EXPECT_EQ(t.action, Action::SHOW_TASK);
    EXPECT_EQ(t.database, "db");
    EXPECT_EQ(t.name, "j");
    for (const char* sql : {"PAUSE ROUTINE LOAD FOR j", "RESUME ROUTINE LOAD FOR db.j", "STOP ROUTINE LOAD FOR j",
                            "ALTER ROUTINE LOAD FOR j PROPERTIES (\"max_error_number\" = \"5\")",
                            "ALTER ROUTINE LOAD FOR j FROM KAFKA (\"kafka_partitions\" = \"0\", \"kafka_offsets\" = "
                            "\"10\")"}) {
        EXPECT_NO_THROW(Parser::ParseStatement(sql)) << sql;
    }
    EXPECT_THROW(Parser::ParseStatement("CREATE ROUTINE LOAD j ON t PROPERTIES (\"a\" = \"b\")"), ParserError);
    EXPECT_THROW(Parser::ParseStatement("CREATE ROUTINE LOAD j ON t FROM PULSAR (\"a\" = \"b\")"), ParserError);
    EXPECT_THROW(Parser::ParseStatement("PAUSE ROUTINE LOAD j"), ParserError);
}

}  // namespace floe
