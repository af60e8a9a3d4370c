#include "catalog/catalog.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "common/exception.h"

namespace floe {

class CatalogTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ =
            std::filesystem::temp_directory_path() / ("floe-catalog-" + std::to_string(getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path dir_;
};

TEST_F(CatalogTest, DatabasesPersistAndErrorsHaveCodes) {
    {
        auto c = Catalog::Open(dir_.string());
        EXPECT_TRUE(c->CreateDatabase("sales", false));
        EXPECT_FALSE(c->CreateDatabase("sales", true));
        try {
            c->CreateDatabase("sales", false);
            FAIL();
        } catch (const CatalogError& e) {
            EXPECT_EQ(e.code(), ErrorCode::DATABASE_EXISTS);
        }
        try {
            c->DropDatabase("nope", false);
            FAIL();
        } catch (const CatalogError& e) {
            EXPECT_EQ(e.code(), ErrorCode::DATABASE_NOT_EXISTS);
        }
        EXPECT_THROW(c->CreateDatabase("1bad", false), CatalogError);
        EXPECT_THROW(c->CreateDatabase("information_schema", false), CatalogError);
    }
    auto c = Catalog::Open(dir_.string());
    auto dbs = c->ListDatabases();
    ASSERT_EQ(dbs.size(), 2u);
    EXPECT_EQ(dbs[0].name, "information_schema");
    EXPECT_EQ(dbs[1].name, "sales");
    EXPECT_TRUE(c->DropDatabase("sales", false));
    EXPECT_FALSE(c->DatabaseExists("sales"));
}

TEST_F(CatalogTest, UsersAndPasswords) {
    auto c = Catalog::Open(dir_.string());
    auto root = c->GetUser("root");
    ASSERT_TRUE(root);
    EXPECT_EQ(root->auth_string, "");
    EXPECT_EQ(Catalog::NativePasswordHash("password"), "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
    c->CreateUser("bob", "%", std::string_view("pw"), false);
    EXPECT_EQ(c->GetUser("bob")->auth_string, Catalog::NativePasswordHash("pw"));
    EXPECT_THROW(c->CreateUser("bob", "%", std::nullopt, false), CatalogError);
    c->AlterUserPassword("bob", "pw2", false);
    EXPECT_EQ(c->GetUser("bob")->auth_string, Catalog::NativePasswordHash("pw2"));
    EXPECT_THROW(c->DropUser("root", false), CatalogError);
    EXPECT_TRUE(c->DropUser("bob", false));
    try {
        c->DropUser("bob", false);
        FAIL();
    } catch (const CatalogError& e) {
        EXPECT_EQ(e.code(), ErrorCode::UNKNOWN_USER);
    }
}

TEST_F(CatalogTest, RoutineLoadJobsKeepPropertiesOffsetsAndErrors) {
    auto c = Catalog::Open(dir_.string());
    c->CreateDatabase("db", false);
    RoutineLoadJob job;
    job.database = "db";
    job.name = "j";
    job.table = "t";
    job.load_properties = {{"columns", "a, b = a + 1"}, {"format", "json"}};
    job.source_properties = {{"kafka_topic", "topic"}, {"property.group.id", "g"}};
    job.offsets = {{0, 5}};
    int64_t id = c->CreateRoutineLoad(job);
    EXPECT_THROW(c->CreateRoutineLoad(job), CatalogError);  // name taken
    RoutineLoadProgress progress;
    progress.offsets = {{0, 9}, {1, 3}};
    progress.loaded_rows = 6;
    progress.filtered_rows = 1;
    progress.received_bytes = 100;
    progress.errors.push_back({1, 2, "invalid JSON", std::string("\xff{", 2), "\\xff{"});
    c->store().Transaction([&] { Catalog::RecordRoutineLoadProgress(c->store(), id, progress); });
    c->SetRoutineLoadState(id, "PAUSED", "by test");
    auto got = c->GetRoutineLoad("db", "j");
    ASSERT_TRUE(got);
    EXPECT_EQ(got->state, "PAUSED");
    EXPECT_EQ(got->reason, "by test");
    EXPECT_GT(got->pause_time, 0);
    EXPECT_EQ(got->load_properties, job.load_properties);
    EXPECT_EQ(got->source_properties, job.source_properties);
    EXPECT_EQ(got->offsets, (std::map<int32_t, int64_t>{{0, 9}, {1, 3}}));
    EXPECT_EQ(got->loaded_rows, 6);
    EXPECT_EQ(got->filtered_rows, 1);
    EXPECT_EQ(got->committed_batches, 1);
    EXPECT_NE(got->last_error.find("offset 2"), std::string::npos);
    auto errors = c->ListRoutineLoadErrors();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].job, "j");
    EXPECT_EQ(errors[0].partition, 1);
    EXPECT_EQ(errors[0].message, std::string("\xff{", 2));  // raw bytes survive
    c->AlterRoutineLoad(id, {{"max_error_number", "3"}}, {}, {{1, 0}});
    got = c->GetRoutineLoadById(id);
    EXPECT_EQ(got->load_properties.at("max_error_number"), "3");
    EXPECT_EQ(got->offsets.at(1), 0);
    // Dropping the database drops its jobs.
    c->DropDatabase("db", false);
    EXPECT_TRUE(c->ListRoutineLoads().empty());
    EXPECT_TRUE(c->ListRoutineLoadErrors().empty());
}

TEST_F(CatalogTest, MigrationsUpgradeOldStoresAndRefuseNewerOnes) {
    {
        auto store = OpenSqliteMetaStore((dir_ / "meta.db").string());
        EXPECT_EQ(store->SchemaVersion(), static_cast<int>(MetaStoreMigrations().size()));
        // Pretend the store is at version 1 with data, as an older Floe left it.
        // Every table later migrations created goes (children before parents).
        for (const char* t : {"pk_delete_fences",
                              "lake_maintenance_log",
                              "tiering",
                              "data_versions",
                              "task_runs",
                              "tasks",
                              "mv_base_partitions",
                              "mv_properties",
                              "materialized_views",
                              "external_catalog_properties",
                              "external_catalogs",
                              "privilege_grants",
                              "role_grants",
                              "roles",
                              "routine_load_errors",
                              "routine_load_offsets",
                              "routine_load_properties",
                              "routine_loads",
                              "loads",
                              "table_indexes",
                              "rowsets",
                              "partitions",
                              "tables"}) {
            store->Execute(std::string("DROP TABLE ") + t);
        }
        // Version 1's users table, without the columns access control added (its trigger goes
        // with it), and no trigger on databases.
        store->Execute("DROP TRIGGER grants_of_dropped_database");
        store->Execute("DROP TABLE users");
        store->Execute(
            "CREATE TABLE users(name TEXT NOT NULL, host TEXT NOT NULL, auth_string TEXT NOT NULL, "
            "create_time INTEGER, PRIMARY KEY(name, host))");
        store->Execute("INSERT INTO users(name, host, auth_string, create_time) VALUES('root', '%', '', 0)");
        for (const auto& row : store->Query("SELECT name FROM sqlite_master WHERE type = 'table'")) {
            std::string name = std::get<std::string>(row[0]);
            EXPECT_TRUE(name == "databases" || name == "users" || name == "global_variables" || name == "floe_meta" ||
                        name.rfind("sqlite_", 0) == 0)
                << "migration test must drop " << name << " to simulate version 1";
        }
        store->Execute("UPDATE floe_meta SET value = '1' WHERE key = 'schema_version'");
        store->Execute("INSERT INTO databases(name, create_time) VALUES('old', 0)");
    }
    {
        auto c = Catalog::Open(dir_.string());
        EXPECT_EQ(c->store().SchemaVersion(), static_cast<int>(MetaStoreMigrations().size()));
        EXPECT_TRUE(c->DatabaseExists("old"));
        EXPECT_TRUE(c->DropDatabase("old", false));  // uses the migrated `tables` table
        c->store().Execute("UPDATE floe_meta SET value = '999' WHERE key = 'schema_version'");
    }
    try {
        Catalog::Open(dir_.string());
        FAIL();
    } catch (const IOError& e) {
        EXPECT_NE(std::string(e.what()).find("newer than this Floe"), std::string::npos);
    }
}

TEST_F(CatalogTest, GarbageFileIsRefused) {
    std::ofstream(dir_ / "meta.db") << std::string(8192, 'z');
    EXPECT_THROW(Catalog::Open(dir_.string()), IOError);
}

TEST_F(CatalogTest, TransactionRollsBackOnException) {
    auto c = Catalog::Open(dir_.string());
    EXPECT_THROW(c->store().Transaction([&] {
        c->store().Execute("INSERT INTO databases(name, create_time) VALUES('tx', 0)");
        throw std::runtime_error("boom");
    }),
                 std::runtime_error);
    EXPECT_FALSE(c->DatabaseExists("tx"));
}

TEST_F(CatalogTest, ConcurrentCreates) {
    auto c = Catalog::Open(dir_.string());
    std::vector<std::thread> threads;
    std::atomic<int> created{0};
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 10; ++i) {
                if (c->CreateDatabase("db" + std::to_string(i), true)) ++created;
            }
            (void)t;
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(created.load(), 10);
    EXPECT_EQ(c->ListDatabases().size(), 11u);
}

// A version asked for after its table was dropped is not cached, so a new table that gets the
// same id (SQLite reuses the largest one) starts from its own definition.
TEST_F(CatalogTest, ReusedTableIdStartsFresh) {
    auto c = Catalog::Open(dir_.string());
    c->CreateDatabase("db", false);
    int64_t first = c->CreateTable(
        "db", "a", "CREATE TABLE `a` (`x` INT NULL) ENGINE=OLAP\nDUPLICATE KEY(`x`)\nDISTRIBUTED BY RANDOM", false);
    ASSERT_TRUE(c->DropTable("db", "a", false));
    auto gone = c->GetTableVersion(first);  // a late reader, e.g. background compaction
    EXPECT_TRUE(gone->definition.empty());
    int64_t second = c->CreateTable(
        "db", "b", "CREATE TABLE `b` (`y` INT NULL) ENGINE=OLAP\nDUPLICATE KEY(`y`)\nDISTRIBUTED BY RANDOM", false);
    EXPECT_EQ(second, first);
    EXPECT_NE(c->GetTableVersion(second)->definition.find("`y`"), std::string::npos);
}

}  // namespace floe
