// The mv_rewrite pass against real tables: each "materialized view" is a definition bound over
// base tables plus a plain table filled with the definition's rows (CREATE TABLE ... AS the
// definition), so a rewritten query reads real rows and its answer is compared with the base
// tables' answer.
#include "optimizer/mv_rewrite.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "binder/binder.h"
#include "common/exception.h"
#include "execution/executor.h"
#include "execution/physical_planner.h"
#include "optimizer/optimizer.h"
#include "parser/parser.h"
#include "planner/planner.h"
#include "server/instance.h"
#include "server/mv_candidates.h"
#include "server/session.h"

namespace floe {

namespace {

/// The binder's view of the test: one database, no privilege checks.
class TestContext : public ClientContext {
  public:
    TestContext(Instance& instance, Session& session) : instance_(instance), session_(session) {}
    Catalog& catalog() override { return instance_.catalog(); }
    const std::string& CurrentDatabase() const override { return database_; }
    std::string UserAndHost() const override { return "root@localhost"; }
    uint32_t ConnectionId() const override { return 1; }
    Value GetVariable(ast::VariableScope scope, const std::string& name) const override {
        return session_.variables().Get(scope, name);
    }
    int64_t StatementStartMicros() const override { return int64_t{1700000000} * 1000000; }
    FilesDescription DescribeFiles(const std::vector<std::pair<std::string, std::string>>&) override {
        throw NotSupportedError("no files here");
    }
    const std::string& DataDirectory() const override { return instance_.options().data_dir; }
    void RequirePrivilege(std::string_view, const PrivilegeObject&) override {}
    bool HasPrivilege(std::string_view, const PrivilegeObject&) override { return true; }
    AccessControl& access() override { return instance_.access(); }
    std::string UserName() const override { return "root"; }
    std::vector<std::string> ActiveRoles() const override { return {}; }
    std::vector<std::vector<Value>> AuditRows() override { return {}; }
    bool CanSee(const PrivilegeObject&) override { return true; }
    bool CanSeeDatabase(int64_t) override { return true; }

  private:
    Instance& instance_;
    Session& session_;
    std::string database_ = "mvt";
};

std::vector<std::string> Rows(const std::vector<Chunk>& chunks) {
    std::vector<std::string> rows;
    for (const auto& chunk : chunks) {
        for (size_t k = 0; k < chunk.live_rows(); ++k) {
            std::string row;
            for (size_t c = 0; c < chunk.column_count(); ++c) {
                row += (c ? "|" : "") + chunk.column(c).GetValue(chunk.LiveRow(k)).ToString();
            }
            rows.push_back(row);
        }
    }
    std::sort(rows.begin(), rows.end());
    return rows;
}

struct Outcome {
    std::string plan;
    MvRewriteReport report;
    std::vector<std::string> rows;
};

}  // namespace

class MvRewriteTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ =
            std::filesystem::temp_directory_path() / ("floe-mvrewrite-" + std::to_string(getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        InstanceOptions options;
        options.data_dir = dir_.string();
        options.threads = 2;
        instance_ = std::make_unique<Instance>(options);
        session_ = std::make_unique<Session>(*instance_, instance_->NextConnectionId(), "root", "localhost");
        Run("CREATE DATABASE mvt");
        Run("USE mvt");
        context_ = std::make_unique<TestContext>(*instance_, *session_);
        Run("CREATE TABLE events (ts DATETIME, region VARCHAR(10), user_id INT, amount INT) DUPLICATE KEY(ts)");
        Run("INSERT INTO events VALUES "
            "('2024-01-01 00:10:00', 'eu', 1, 10), ('2024-01-01 00:50:00', 'eu', 2, 20), "
            "('2024-01-01 01:05:00', 'us', 1, 5), ('2024-01-01 13:00:00', 'eu', 3, NULL), "
            "('2024-01-02 02:00:00', 'us', 2, 7), ('2024-01-02 02:30:00', 'eu', 1, 1), "
            "('2024-01-03 23:59:00', 'us', 4, 100), ('2024-01-03 23:00:00', 'apac', 4, 3)");
        Run("CREATE TABLE customers (id INT, name VARCHAR(20), tier INT) DUPLICATE KEY(id)");
        Run("INSERT INTO customers VALUES (1, 'ann', 1), (2, 'bob', 2), (3, 'cy', 1), (4, 'di', 3)");
    }
    void TearDown() override {
        session_.reset();
        instance_.reset();
        std::filesystem::remove_all(dir_);
    }

    QueryResult Run(const std::string& sql) { return session_->Execute(sql); }

    /// Creates the MV's storage table from its definition and adds it as a candidate.
    void AddMv(const std::string& name, const std::string& definition) {
        Run("CREATE TABLE " + name + " AS " + definition);
        mvs_.push_back({name, definition});
    }

    /// Binds, plans and optimizes `sql` with the MVs added so far as candidates, runs it.
    Outcome Rewrite(const std::string& sql, std::set<std::string> disabled = {}) {
        ast::StatementPtr statement = Parser::ParseStatement(sql);
        Binder binder(*context_);
        auto bound = binder.BindQuery(*static_cast<const ast::SelectStatement&>(*statement).query);
        MvRewriteContext mv;
        for (const auto& [name, definition] : mvs_) {
            mv.candidates.push_back(MakeMvCandidate(*context_, name, "mvt", definition, name));
        }
        for (const auto& [name, reason] : unusable_) {
            for (auto& c : mv.candidates) {
                if (c.name == "mvt." + name) {
                    c.usable = false;
                    c.reason = reason;
                }
            }
        }
        LogicalOperatorPtr plan = Optimizer::Optimize(Planner::PlanQuery(*bound), disabled, &mv);
        Outcome out;
        out.plan = PlanToString(*plan);
        out.report = mv.report;
        PhysicalOperatorPtr physical = PhysicalPlanner::Plan(*plan);
        out.rows = Rows(Executor::Run(*physical));
        return out;
    }

    /// The base tables' answer (no candidates).
    std::vector<std::string> Expected(const std::string& sql) { return Rows(Run(sql).chunks); }

    /// `sql` is answered from `mv`, with the base tables' answer.
    Outcome ExpectUsed(const std::string& sql, const std::string& mv) {
        Outcome out = Rewrite(sql);
        std::string reasons;
        for (const auto& [name, why] : out.report.rejected) reasons += name + ": " + why + "\n";
        EXPECT_EQ(out.report.used, std::vector<std::string>{"mvt." + mv}) << sql << "\n" << out.plan << reasons;
        EXPECT_NE(out.plan.find("SCAN mvt." + mv + " "), std::string::npos) << out.plan;
        EXPECT_EQ(out.plan.find("SCAN mvt.events"), std::string::npos) << out.plan;
        EXPECT_EQ(out.rows, Expected(sql)) << sql << "\n" << out.plan;
        EXPECT_FALSE(out.rows.empty()) << sql;
        return out;
    }

    /// `sql` is not answered from `mv`, for a reason containing `reason`; still the right answer.
    Outcome ExpectRejected(const std::string& sql, const std::string& mv, const std::string& reason) {
        Outcome out = Rewrite(sql);
        EXPECT_TRUE(out.report.used.empty()) << sql << "\n" << out.plan;
        bool found = false;
        for (const auto& [name, why] : out.report.rejected) {
            if (name != "mvt." + mv) continue;
            found = true;
            EXPECT_NE(why.find(reason), std::string::npos) << sql << "\nreason: " << why;
        }
        EXPECT_TRUE(found) << sql;
        EXPECT_EQ(out.plan.find("SCAN mvt." + mv + " "), std::string::npos) << out.plan;
        EXPECT_EQ(out.rows, Expected(sql)) << sql;
        return out;
    }

    std::filesystem::path dir_;
    std::unique_ptr<Instance> instance_;
    std::unique_ptr<Session> session_;
    std::unique_ptr<TestContext> context_;
    std::vector<std::pair<std::string, std::string>> mvs_;
    std::vector<std::pair<std::string, std::string>> unusable_;
};

TEST_F(MvRewriteTest, ExactMatchPredicateCompensationAndProjection) {
    AddMv("mv_big", "SELECT ts, region, user_id, amount FROM events WHERE amount > 4");
    ExpectUsed("SELECT ts, region, user_id, amount FROM events WHERE amount > 4", "mv_big");
    // A tighter range and an extra residual become a filter over the MV's columns.
    Outcome o = ExpectUsed("SELECT user_id, amount FROM events WHERE amount >= 10 AND region <> 'us'", "mv_big");
    EXPECT_NE(o.plan.find("FILTER"), std::string::npos) << o.plan;
    // Expressions over the MV's columns; the range written the other way round.
    ExpectUsed("SELECT amount * 2, upper(region) FROM events WHERE 4 < amount", "mv_big");
    // Aggregating the MV's rows.
    ExpectUsed("SELECT region, sum(amount), count(*) FROM events WHERE amount > 4 GROUP BY region", "mv_big");
}

TEST_F(MvRewriteTest, RefusesWiderRangesMissingPredicatesAndColumns) {
    AddMv("mv_narrow", "SELECT ts, region, amount FROM events WHERE amount > 4 AND region <> 'apac'");
    ExpectRejected("SELECT ts, amount FROM events WHERE amount > 1 AND region <> 'apac'", "mv_narrow", "wider");
    ExpectRejected("SELECT ts, amount FROM events WHERE region <> 'apac'", "mv_narrow", "wider");
    ExpectRejected("SELECT ts, amount FROM events WHERE amount > 4", "mv_narrow",
                   "the MV's predicate not_equal(mvt.events.region, 'apac') is not in the query");
    ExpectRejected("SELECT ts, user_id FROM events WHERE amount > 4 AND region <> 'apac'", "mv_narrow",
                   "the query reads column mvt.events.user_id, which the MV does not have");
    ExpectRejected("SELECT ts FROM events WHERE amount > 4 AND region <> 'apac' AND user_id = 1", "mv_narrow",
                   "user_id");
    ExpectRejected("SELECT id FROM customers", "mv_narrow", "it reads mvt.events, this part of the query reads");
}

TEST_F(MvRewriteTest, NonDeterministicQueriesAndUnusableCandidates) {
    AddMv("mv_all", "SELECT ts, region, user_id, amount FROM events");
    ExpectRejected("SELECT ts FROM events WHERE rand() < 2", "mv_all", "rand(), which is not deterministic");
    unusable_.push_back({"mv_all", "it is stale"});
    ExpectRejected("SELECT ts FROM events", "mv_all", "it is stale");
    unusable_.clear();
    Outcome off = Rewrite("SELECT ts FROM events", {"mv_rewrite"});
    EXPECT_TRUE(off.report.used.empty());
    ASSERT_EQ(off.report.rejected.size(), 1u);
    EXPECT_NE(off.report.rejected[0].second.find("switched off"), std::string::npos);
}

TEST_F(MvRewriteTest, DefinitionsThatCannotBeMatched) {
    AddMv("mv_limit", "SELECT ts, amount FROM events ORDER BY ts LIMIT 3");
    AddMv("mv_union", "SELECT ts, amount FROM events UNION ALL SELECT ts, amount FROM events");
    AddMv("mv_window", "SELECT ts, row_number() OVER (ORDER BY ts) AS n FROM events");
    AddMv("mv_sets", "SELECT region, sum(amount) AS s FROM events GROUP BY ROLLUP(region)");
    AddMv("mv_rand", "SELECT ts, rand() AS r FROM events");
    Outcome o = Rewrite("SELECT ts, amount FROM events");
    EXPECT_TRUE(o.report.used.empty()) << o.plan;
    std::map<std::string, std::string> why(o.report.rejected.begin(), o.report.rejected.end());
    EXPECT_NE(why["mvt.mv_limit"].find("LIMIT"), std::string::npos) << why["mvt.mv_limit"];
    EXPECT_NE(why["mvt.mv_union"].find("UNION"), std::string::npos) << why["mvt.mv_union"];
    EXPECT_NE(why["mvt.mv_window"].find("window"), std::string::npos) << why["mvt.mv_window"];
    EXPECT_NE(why["mvt.mv_sets"].find("GROUPING SETS"), std::string::npos) << why["mvt.mv_sets"];
    EXPECT_NE(why["mvt.mv_rand"].find("rand()"), std::string::npos) << why["mvt.mv_rand"];
}

TEST_F(MvRewriteTest, AggregateRollups) {
    AddMv("mv_hourly",
          "SELECT date_trunc('hour', ts) AS h, region, sum(amount) AS s, count(*) AS c, count(amount) AS ca, "
          "min(amount) AS lo, max(amount) AS hi, bitmap_union(to_bitmap(user_id)) AS users, "
          "hll_union(hll_hash(user_id)) AS users_hll FROM events GROUP BY date_trunc('hour', ts), region");
    // The same groups: one MV row per query row, no aggregation left.
    Outcome same = ExpectUsed(
        "SELECT date_trunc('hour', ts), region, sum(amount), count(*), max(amount) FROM events "
        "GROUP BY date_trunc('hour', ts), region",
        "mv_hourly");
    EXPECT_EQ(same.plan.find("AGGREGATE"), std::string::npos) << same.plan;
    // Hour to day, and a subset of the groups.
    Outcome day = ExpectUsed(
        "SELECT date_trunc('day', ts), sum(amount), count(*), count(amount), min(amount) FROM events "
        "GROUP BY date_trunc('day', ts)",
        "mv_hourly");
    EXPECT_NE(day.plan.find("AGGREGATE"), std::string::npos) << day.plan;
    ExpectUsed("SELECT region, max(amount), sum(amount) FROM events GROUP BY region", "mv_hourly");
    ExpectUsed("SELECT date_trunc('month', ts), region, count(*) FROM events GROUP BY 1, 2", "mv_hourly");
    // avg from sum and count; distinct counts from the bitmap and the HLL.
    ExpectUsed("SELECT region, avg(amount) FROM events GROUP BY region", "mv_hourly");
    ExpectUsed("SELECT date_trunc('day', ts), count(DISTINCT user_id) FROM events GROUP BY 1", "mv_hourly");
    ExpectUsed("SELECT region, ndv(user_id), approx_count_distinct(user_id) FROM events GROUP BY region", "mv_hourly");
    ExpectUsed("SELECT count(DISTINCT user_id), avg(amount) FROM events", "mv_hourly");
    // A filter on a group column, applied to the MV's rows.
    ExpectUsed("SELECT count(*), sum(amount) FROM events WHERE region = 'eu'", "mv_hourly");
    ExpectUsed(
        "SELECT date_trunc('day', ts), count(*) FROM events WHERE date_trunc('hour', ts) >= '2024-01-02 00:00:00' "
        "GROUP BY 1",
        "mv_hourly");
    // Nothing matches: count over no rows is 0.
    Outcome none = Rewrite("SELECT count(*), sum(amount) FROM events WHERE region = 'mars'");
    EXPECT_EQ(none.report.used, std::vector<std::string>{"mvt.mv_hourly"});
    EXPECT_EQ(none.rows, std::vector<std::string>{"0|NULL"});
    // Not answerable: a filter on a column the MV does not group by, a finer grain, an
    // aggregate it lacks.
    ExpectRejected("SELECT region, sum(amount) FROM events WHERE user_id = 1 GROUP BY region", "mv_hourly",
                   "does not group by");
    ExpectRejected("SELECT date_trunc('minute', ts), count(*) FROM events GROUP BY 1", "mv_hourly", "groups by");
    ExpectRejected("SELECT region, sum(user_id) FROM events GROUP BY region", "mv_hourly",
                   "sum(user_id) cannot be computed");
}

TEST_F(MvRewriteTest, JoinsAndTheCheapestCandidate) {
    AddMv("mv_join",
          "SELECT e.ts, e.amount, c.name, c.tier FROM events e JOIN customers c ON e.user_id = c.id "
          "WHERE c.tier < 3");
    // The join written the other way round, with the condition in WHERE.
    ExpectUsed(
        "SELECT c.name, sum(e.amount) FROM customers c, events e WHERE c.id = e.user_id AND c.tier = 1 "
        "GROUP BY c.name",
        "mv_join");
    ExpectRejected("SELECT c.name FROM events e JOIN customers c ON e.user_id = c.id", "mv_join", "wider");
    ExpectRejected("SELECT c.name FROM events e JOIN customers c ON e.amount = c.id WHERE c.tier < 3", "mv_join",
                   "user_id");
    // Two MVs answer: the one with fewer rows wins.
    AddMv("mv_tier1",
          "SELECT e.ts, e.amount, c.name FROM events e JOIN customers c ON e.user_id = c.id "
          "WHERE c.tier = 1");
    Outcome o = Rewrite("SELECT c.name, e.amount FROM events e JOIN customers c ON e.user_id = c.id WHERE c.tier = 1");
    EXPECT_EQ(o.report.used, std::vector<std::string>{"mvt.mv_tier1"}) << o.plan;
    EXPECT_EQ(o.rows, Expected("SELECT c.name, e.amount FROM events e JOIN customers c ON e.user_id = c.id "
                               "WHERE c.tier = 1"));
    ASSERT_EQ(o.report.rejected.size(), 1u);
    EXPECT_NE(o.report.rejected[0].second.find("fewer rows"), std::string::npos) << o.report.rejected[0].second;
}

TEST_F(MvRewriteTest, SelfJoinsTryEveryMapping) {
    AddMv("mv_pairs",
          "SELECT a.id AS a_id, b.id AS b_id, b.tier AS b_tier FROM customers a JOIN customers b "
          "ON a.tier = b.tier WHERE a.name = 'ann'");
    // The query names the tables the other way round.
    ExpectUsed("SELECT y.id, x.id FROM customers x JOIN customers y ON y.tier = x.tier WHERE y.name = 'ann'",
               "mv_pairs");
}

}  // namespace floe
