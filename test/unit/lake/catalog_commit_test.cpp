// Iceberg catalog changes: namespaces created and dropped, tables created, committed and dropped,
// and two commits racing from the same base (the loser gets CommitFailedError and leaves no file
// behind), for the hadoop catalog and the JDBC catalog in SQLite (Java's layout and pyiceberg's) and,
// when FLOE_TEST_POSTGRES_URI names a server, PostgreSQL.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "common/exception.h"
#include "io/file_roots.h"
#include "io/file_system.h"
#include "lake/iceberg/hadoop_catalog.h"
#include "lake/iceberg/iceberg_catalog.h"
#include "lake/iceberg/jdbc_catalog.h"
#include "lake/iceberg/table_metadata.h"

namespace floe::iceberg {

namespace {

namespace fs = std::filesystem;

using Properties = std::map<std::string, std::string>;
using Names = std::vector<std::string>;

/// A small v2 table at `location`; `marker` goes into a property so versions can be told apart.
TableMetadata Table(const std::string& location, const std::string& marker) {
    TableMetadata m;
    m.format_version = 2;
    m.table_uuid = "0b5f6c2e-8f7d-4b55-9a53-3c5bbd2d7c10";
    m.location = location;
    m.last_updated_ms = 1700000000000;
    Schema schema;
    NestedField id;
    id.id = 1;
    id.name = "id";
    id.type = Type::Primitive(TypeKind::LONG);
    schema.fields = {id};
    m.schemas = {schema};
    m.last_column_id = 1;
    m.partition_specs = {PartitionSpec{}};
    m.last_partition_id = 999;
    m.sort_orders = {SortOrder{}};
    m.properties = {{"marker", marker}};
    return m;
}

std::string ReadText(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// The visible file names in `dir`.
std::set<std::string> Files(const fs::path& dir) {
    std::set<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) out.insert(e.path().filename().string());
    return out;
}

/// The marker property of the metadata file at `location`.
std::string MarkerAt(const std::string& location) {
    return ParseTableMetadata(ReadWholeFile(location), location).properties.at("marker");
}

template <typename Error>
ErrorCode CodeOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.code();
    }
    ADD_FAILURE() << "no exception of the expected type";
    return ErrorCode::INTERNAL;
}

class CatalogCommitTest : public ::testing::Test {
  protected:
    void SetUp() override {
        temp_ = fs::temp_directory_path() / ("floe-catalog-commit-" + std::to_string(::getpid()) + "-" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(temp_);
        fs::create_directories(temp_);
        FileRoots::Configure({temp_.string()}, (temp_ / "no-data-dir").string());
        temp_ = fs::canonical(temp_);
    }
    void TearDown() override { fs::remove_all(temp_); }

    std::unique_ptr<IcebergCatalog> Hadoop() {
        fs::create_directories(temp_ / "wh");
        return OpenIcebergCatalog("hc", {{"iceberg.catalog.type", "hadoop"}, {"warehouse", (temp_ / "wh").string()}});
    }
    std::unique_ptr<IcebergCatalog> Sqlite(bool with_warehouse = true) {
        Properties p = {{"iceberg.catalog.type", "jdbc"},
                        {"iceberg.catalog.uri", "jdbc:sqlite:" + (temp_ / "catalog.db").string()}};
        if (with_warehouse) p["warehouse"] = (temp_ / "wh").string() + "/";
        return OpenIcebergCatalog("jc", p);
    }
    /// Rows of `sql` run directly on the SQLite catalog file, columns joined by '|'.
    Names SqliteRows(const std::string& sql) {
        sqlite3* db = nullptr;
        EXPECT_EQ(sqlite3_open_v2((temp_ / "catalog.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
        Names out;
        auto collect = [](void* rows, int n, char** values, char**) {
            std::string row;
            for (int i = 0; i < n; ++i) row += std::string(i ? "|" : "") + (values[i] ? values[i] : "NULL");
            static_cast<Names*>(rows)->push_back(row);
            return 0;
        };
        EXPECT_EQ(sqlite3_exec(db, sql.c_str(), collect, &out, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
        sqlite3_close(db);
        return out;
    }

    fs::path temp_;
};

// ---------------------------------------------------------------------------------------------
// Hadoop

TEST_F(CatalogCommitTest, HadoopNamespaces) {
    auto catalog = Hadoop();
    catalog->CreateNamespace("db", {{"comment", "ignored"}});
    EXPECT_TRUE(fs::is_directory(temp_ / "wh/db"));
    EXPECT_TRUE(catalog->NamespaceExists("db"));
    EXPECT_EQ(CodeOf<CatalogError>([&] { catalog->CreateNamespace("db", {}); }), ErrorCode::DATABASE_EXISTS);
    catalog->CreateNamespace("a.b", {});
    EXPECT_TRUE(fs::is_directory(temp_ / "wh/a/b"));
    EXPECT_EQ(catalog->ListNamespaces(), (Names{"a", "a.b", "db"}));
    EXPECT_THROW(catalog->CreateNamespace("a..b", {}), CatalogError);
    EXPECT_THROW(catalog->CreateNamespace("..", {}), CatalogError);
    // "a" holds "a.b": not empty.
    EXPECT_EQ(CodeOf<CatalogError>([&] { catalog->DropNamespace("a"); }), ErrorCode::WRONG_ARGUMENTS);
    catalog->DropNamespace("a.b");
    catalog->DropNamespace("a");
    EXPECT_FALSE(fs::exists(temp_ / "wh/a"));
    EXPECT_EQ(CodeOf<CatalogError>([&] { catalog->DropNamespace("a"); }), ErrorCode::DATABASE_NOT_EXISTS);
    EXPECT_EQ(catalog->DefaultTableLocation("db", "t"), (temp_ / "wh/db/t").string());
    EXPECT_EQ(catalog->DefaultTableLocation("x.y", "t"), (temp_ / "wh/x/y/t").string());
}

TEST_F(CatalogCommitTest, HadoopCreateCommitConflictDrop) {
    auto catalog = Hadoop();
    catalog->CreateNamespace("db", {});
    std::string location = catalog->DefaultTableLocation("db", "t");
    fs::path metadata_dir = temp_ / "wh/db/t/metadata";

    TableMetadata m0 = Table(location, "create");
    std::string v1 = catalog->CommitTable({"db", "t", std::nullopt, &m0});
    EXPECT_EQ(v1, location + "/metadata/v1.metadata.json");
    EXPECT_EQ(ReadText(metadata_dir / "version-hint.text"), "1");
    EXPECT_EQ(catalog->TableMetadataLocation("db", "t"), v1);
    EXPECT_EQ(catalog->ListTables("db"), (Names{"t"}));
    EXPECT_EQ(MarkerAt(v1), "create");

    // A second create of the same table loses.
    EXPECT_THROW(catalog->CommitTable({"db", "t", std::nullopt, &m0}), CommitFailedError);
    // A create elsewhere than <warehouse>/<ns>/<table> is refused; so is one in a missing namespace.
    TableMetadata elsewhere = Table((temp_ / "other").string(), "x");
    EXPECT_THROW(catalog->CommitTable({"db", "u", std::nullopt, &elsewhere}), NotSupportedError);
    TableMetadata nowhere = Table(location, "x");
    EXPECT_THROW(catalog->CommitTable({"nope", "t", std::nullopt, &nowhere}), CatalogError);

    TableMetadata m1 = Table(location, "second");
    std::string v2 = catalog->CommitTable({"db", "t", v1, &m1});
    EXPECT_EQ(v2, location + "/metadata/v2.metadata.json");
    EXPECT_EQ(ReadText(metadata_dir / "version-hint.text"), "2");
    EXPECT_EQ(catalog->TableMetadataLocation("db", "t"), v2);

    // Two writers from the same base: the first wins, the second fails and leaves nothing.
    TableMetadata a = Table(location, "writer a");
    TableMetadata b = Table(location, "writer b");
    std::string v3 = catalog->CommitTable({"db", "t", v2, &a});
    auto before = Files(metadata_dir);
    EXPECT_THROW(catalog->CommitTable({"db", "t", v2, &b}), CommitFailedError);
    EXPECT_EQ(Files(metadata_dir), before);
    EXPECT_EQ(catalog->TableMetadataLocation("db", "t"), v3);
    EXPECT_EQ(MarkerAt(v3), "writer a");

    // A hint that lags (a writer died before rewriting it) does not let a stale base through.
    WriteWholeFile((metadata_dir / "version-hint.text").string(), "2");
    EXPECT_THROW(catalog->CommitTable({"db", "t", v2, &b}), CommitFailedError);
    std::string v4 = catalog->CommitTable({"db", "t", v3, &b});
    EXPECT_EQ(v4, location + "/metadata/v4.metadata.json");

    EXPECT_EQ(CodeOf<CatalogError>([&] { catalog->DropNamespace("db"); }), ErrorCode::WRONG_ARGUMENTS);
    fs::create_directories(temp_ / "wh/db/t/data");
    WriteWholeFile((temp_ / "wh/db/t/data/f.parquet").string(), "x");
    catalog->DropTable("db", "t");
    EXPECT_FALSE(fs::exists(metadata_dir));
    EXPECT_TRUE(fs::exists(temp_ / "wh/db/t/data/f.parquet"));  // data stays for the caller to purge
    EXPECT_EQ(catalog->TableMetadataLocation("db", "t"), std::nullopt);
    EXPECT_EQ(catalog->ListTables("db"), Names{});
    EXPECT_EQ(CodeOf<CatalogError>([&] { catalog->DropTable("db", "t"); }), ErrorCode::UNKNOWN_TABLE);
    fs::remove_all(temp_ / "wh/db/t");
    catalog->DropNamespace("db");
    EXPECT_FALSE(catalog->NamespaceExists("db"));
}

TEST_F(CatalogCommitTest, HadoopCommitAfterForeignWriterNumbersOn) {
    // A table written by another engine with v<N> files and a hint: Floe continues the numbering.
    auto catalog = Hadoop();
    catalog->CreateNamespace("db", {});
    std::string location = catalog->DefaultTableLocation("db", "t");
    TableMetadata m = Table(location, "foreign");
    fs::path metadata_dir = temp_ / "wh/db/t/metadata";
    fs::create_directories(metadata_dir);
    std::ofstream(metadata_dir / "v7.metadata.json") << "{}";
    std::ofstream(metadata_dir / "version-hint.text") << "7\n";
    std::string base = *catalog->TableMetadataLocation("db", "t");
    EXPECT_EQ(base, location + "/metadata/v7.metadata.json");
    EXPECT_EQ(catalog->CommitTable({"db", "t", base, &m}), location + "/metadata/v8.metadata.json");
    EXPECT_EQ(ReadText(metadata_dir / "version-hint.text"), "8");
}

// ---------------------------------------------------------------------------------------------
// JDBC (SQLite)

TEST_F(CatalogCommitTest, SqliteReadsDoNotCreateTheFile) {
    auto catalog = Sqlite();
    EXPECT_THROW(catalog->ListNamespaces(), IOError);
    EXPECT_FALSE(fs::exists(temp_ / "catalog.db"));
}

TEST_F(CatalogCommitTest, SqliteNamespaces) {
    auto catalog = Sqlite();
    catalog->CreateNamespace("db", {{"comment", "hello"}});
    EXPECT_TRUE(fs::exists(temp_ / "catalog.db"));
    EXPECT_TRUE(catalog->NamespaceExists("db"));
    EXPECT_EQ(SqliteRows("SELECT catalog_name, namespace, property_key, property_value FROM "
                         "iceberg_namespace_properties ORDER BY property_key"),
              (Names{"jc|db|comment|hello", "jc|db|exists|true"}));
    EXPECT_EQ(CodeOf<CatalogError>([&] { catalog->CreateNamespace("db", {}); }), ErrorCode::DATABASE_EXISTS);
    catalog->CreateNamespace("a", {});
    catalog->CreateNamespace("a.b", {});
    EXPECT_EQ(catalog->ListNamespaces(), (Names{"a", "a.b", "db"}));
    EXPECT_EQ(CodeOf<CatalogError>([&] { catalog->DropNamespace("a"); }), ErrorCode::WRONG_ARGUMENTS);
    catalog->DropNamespace("a.b");
    catalog->DropNamespace("a");
    EXPECT_EQ(CodeOf<CatalogError>([&] { catalog->DropNamespace("a"); }), ErrorCode::DATABASE_NOT_EXISTS);
    EXPECT_EQ(catalog->ListNamespaces(), (Names{"db"}));

    EXPECT_EQ(catalog->DefaultTableLocation("db", "t"), (temp_ / "wh/db/t").string());
    EXPECT_EQ(catalog->DefaultTableLocation("a.b", "t"), (temp_ / "wh/a/b/t").string());
    try {
        Sqlite(false)->DefaultTableLocation("db", "t");
        ADD_FAILURE() << "no BinderError";
    } catch (const BinderError& e) {
        EXPECT_NE(std::string(e.what()).find("'warehouse'"), std::string::npos) << e.what();
    }
}

void Race(const std::function<std::unique_ptr<IcebergCatalog>()>& open, const std::string& base,
          const std::string& location, const fs::path& metadata_dir);

/// The JDBC catalog's table lifecycle: create, commit, two writers racing, drop. `open` opens
/// another catalog object on the same database; `rows` runs a query on it directly.
void JdbcLifecycle(const std::function<std::unique_ptr<IcebergCatalog>()>& open,
                   const std::function<Names(const std::string&)>& rows, const fs::path& warehouse) {
    auto catalog = open();
    catalog->CreateNamespace("db", {});
    std::string location = catalog->DefaultTableLocation("db", "t");
    fs::path metadata_dir = warehouse / "db/t/metadata";
    const std::regex name_re(
        R"((\d{5})-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.metadata\.json)");

    TableMetadata nowhere = Table(location, "x");
    EXPECT_EQ(CodeOf<CatalogError>([&] {
                  catalog->CommitTable({"nope", "t", std::nullopt, &nowhere});
              }),
              ErrorCode::UNKNOWN_DATABASE);

    TableMetadata m0 = Table(location, "create");
    std::string first = catalog->CommitTable({"db", "t", std::nullopt, &m0});
    std::smatch match;
    std::string first_name = fs::path(first).filename().string();
    ASSERT_TRUE(std::regex_match(first_name, match, name_re)) << first;
    EXPECT_EQ(match[1], "00000");
    EXPECT_EQ(fs::path(first).parent_path(), metadata_dir);
    EXPECT_EQ(catalog->TableMetadataLocation("db", "t"), first);
    EXPECT_EQ(catalog->ListTables("db"), (Names{"t"}));
    EXPECT_EQ(MarkerAt(first), "create");
    EXPECT_EQ(rows("SELECT table_namespace, table_name, previous_metadata_location, iceberg_type FROM "
                   "iceberg_tables"),
              (Names{"db|t|NULL|TABLE"}));

    // A second create loses, and its file is gone.
    EXPECT_THROW(catalog->CommitTable({"db", "t", std::nullopt, &m0}), CommitFailedError);
    EXPECT_EQ(Files(metadata_dir), (std::set<std::string>{first_name}));

    TableMetadata m1 = Table(location, "second");
    std::string second = catalog->CommitTable({"db", "t", first, &m1});
    std::string second_name = fs::path(second).filename().string();
    ASSERT_TRUE(std::regex_match(second_name, match, name_re)) << second;
    EXPECT_EQ(match[1], "00001");
    EXPECT_EQ(rows("SELECT metadata_location, previous_metadata_location FROM iceberg_tables"),
              (Names{second + "|" + first}));

    // Two writers from the same base.
    TableMetadata a = Table(location, "writer a");
    TableMetadata b = Table(location, "writer b");
    std::string third = catalog->CommitTable({"db", "t", second, &a});
    EXPECT_EQ(fs::path(third).filename().string().substr(0, 6), "00002-");
    auto before = Files(metadata_dir);
    EXPECT_THROW(catalog->CommitTable({"db", "t", second, &b}), CommitFailedError);
    EXPECT_EQ(Files(metadata_dir), before);
    EXPECT_EQ(catalog->TableMetadataLocation("db", "t"), third);
    EXPECT_EQ(MarkerAt(third), "writer a");

    // A second catalog object on the same file (another Floe, another process) sees the swap.
    auto other = open();
    EXPECT_EQ(other->TableMetadataLocation("db", "t"), third);
    EXPECT_THROW(other->CommitTable({"db", "t", second, &b}), CommitFailedError);

    EXPECT_EQ(CodeOf<CatalogError>([&] { catalog->DropNamespace("db"); }), ErrorCode::WRONG_ARGUMENTS);
    catalog->DropTable("db", "t");
    EXPECT_EQ(catalog->TableMetadataLocation("db", "t"), std::nullopt);
    EXPECT_TRUE(fs::exists(third));  // the files stay
    EXPECT_EQ(CodeOf<CatalogError>([&] { catalog->DropTable("db", "t"); }), ErrorCode::UNKNOWN_TABLE);
    // A commit on a dropped table loses too, and cleans up after itself.
    before = Files(metadata_dir);
    EXPECT_THROW(catalog->CommitTable({"db", "t", third, &b}), CommitFailedError);
    EXPECT_EQ(Files(metadata_dir), before);
    catalog->DropNamespace("db");
    EXPECT_FALSE(catalog->NamespaceExists("db"));
}

TEST_F(CatalogCommitTest, SqliteCreateCommitConflictDrop) {
    JdbcLifecycle([&] { return Sqlite(); }, [&](const std::string& sql) { return SqliteRows(sql); }, temp_ / "wh");
}

// PostgreSQL: runs when FLOE_TEST_POSTGRES_URI names a server (e.g. the one
// test/integration/postgres_server.py starts: jdbc:postgresql://127.0.0.1:<port>/floe?user=floe).
TEST_F(CatalogCommitTest, PostgresCreateCommitConflictDrop) {
    const char* uri = std::getenv("FLOE_TEST_POSTGRES_URI");
    if (uri == nullptr || *uri == '\0') GTEST_SKIP() << "FLOE_TEST_POSTGRES_URI is not set";
    std::string jdbc = uri;
    PGconn* conn = PQconnectdb(jdbc.substr(jdbc.find("postgresql:")).c_str());
    ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);
    auto rows = [&](const std::string& sql) {
        Names out;
        PGresult* r = PQexec(conn, sql.c_str());
        EXPECT_TRUE(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
            << PQresultErrorMessage(r) << sql;
        for (int i = 0; i < PQntuples(r); ++i) {
            std::string row;
            for (int c = 0; c < PQnfields(r); ++c) {
                row += std::string(c ? "|" : "") + (PQgetisnull(r, i, c) ? "NULL" : PQgetvalue(r, i, c));
            }
            out.push_back(row);
        }
        PQclear(r);
        return out;
    };
    // The catalog creates the tables itself on its first change.
    rows("DROP TABLE IF EXISTS iceberg_tables");
    rows("DROP TABLE IF EXISTS iceberg_namespace_properties");
    auto open = [&] {
        return OpenIcebergCatalog(
            "jc",
            {{"iceberg.catalog.type", "jdbc"}, {"iceberg.catalog.uri", jdbc}, {"warehouse", (temp_ / "wh").string()}});
    };
    auto catalog = open();
    catalog->CreateNamespace("db0", {{"comment", "hello"}});
    EXPECT_EQ(rows("SELECT namespace, property_key, property_value FROM iceberg_namespace_properties ORDER BY 2"),
              (Names{"db0|comment|hello", "db0|exists|true"}));
    EXPECT_EQ(CodeOf<CatalogError>([&] { catalog->CreateNamespace("db0", {}); }), ErrorCode::DATABASE_EXISTS);
    catalog->DropNamespace("db0");
    JdbcLifecycle(open, rows, temp_ / "wh");
    catalog->CreateNamespace("db", {});
    TableMetadata m = Table(catalog->DefaultTableLocation("db", "t"), "create");
    std::string base = catalog->CommitTable({"db", "t", std::nullopt, &m});
    Race(open, base, m.location, temp_ / "wh/db/t/metadata");
    rows("DROP TABLE iceberg_tables");
    rows("DROP TABLE iceberg_namespace_properties");
    PQfinish(conn);
}

TEST_F(CatalogCommitTest, SqlitePyicebergLayoutAndCustomMetadataPath) {
    // pyiceberg's files: no iceberg_type column and property_value NOT NULL.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((temp_ / "catalog.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace "
                           "VARCHAR(255) NOT NULL, table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000), "
                           "previous_metadata_location VARCHAR(1000), PRIMARY KEY (catalog_name, table_namespace, "
                           "table_name));"
                           "CREATE TABLE iceberg_namespace_properties (catalog_name VARCHAR(255) NOT NULL, namespace "
                           "VARCHAR(255) NOT NULL, property_key VARCHAR(255) NOT NULL, property_value VARCHAR(1000) "
                           "NOT NULL, PRIMARY KEY (catalog_name, namespace, property_key));",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    auto catalog = Sqlite();
    catalog->CreateNamespace("db", {});
    TableMetadata m = Table((temp_ / "tables/t").string(), "custom");
    m.properties["write.metadata.path"] = (temp_ / "meta/").string();
    std::string first = catalog->CommitTable({"db", "t", std::nullopt, &m});
    EXPECT_EQ(fs::path(first).parent_path(), temp_ / "meta");
    EXPECT_EQ(MarkerAt(first), "custom");
    // A base without the NNNNN- prefix: the next file is 00001.
    std::string renamed = (temp_ / "meta/v9.metadata.json").string();
    fs::rename(first, renamed);
    ASSERT_EQ(sqlite3_open((temp_ / "catalog.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, ("UPDATE iceberg_tables SET metadata_location = '" + renamed + "'").c_str(), nullptr,
                           nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    std::string second = catalog->CommitTable({"db", "t", renamed, &m});
    EXPECT_EQ(fs::path(second).filename().string().substr(0, 6), "00001-");
    EXPECT_EQ(catalog->TableMetadataLocation("db", "t"), second);
    EXPECT_EQ(SqliteRows("SELECT metadata_location, previous_metadata_location FROM iceberg_tables"),
              (Names{second + "|" + renamed}));
}

/// Eight catalog objects (as eight Floe servers would) commit from the same base at once: exactly
/// one wins, the others get CommitFailedError, and only the winner's file is left.
void Race(const std::function<std::unique_ptr<IcebergCatalog>()>& open, const std::string& base,
          const std::string& location, const fs::path& metadata_dir) {
    constexpr int kWriters = 8;
    std::vector<std::unique_ptr<IcebergCatalog>> catalogs;
    std::vector<TableMetadata> tables;
    for (int i = 0; i < kWriters; ++i) {
        catalogs.push_back(open());
        tables.push_back(Table(location, "racer " + std::to_string(i)));
    }
    auto before = Files(metadata_dir);
    std::vector<std::string> results(kWriters);
    std::vector<std::thread> threads;
    for (int i = 0; i < kWriters; ++i) {
        threads.emplace_back([&, i] {
            try {
                results[i] = catalogs[i]->CommitTable({"db", "t", base, &tables[i]});
            } catch (const CommitFailedError&) {
                results[i] = "lost";
            }
        });
    }
    for (auto& t : threads) t.join();
    int winners = 0;
    std::string winner;
    for (int i = 0; i < kWriters; ++i) {
        if (results[i] != "lost") {
            ++winners;
            winner = results[i];
            EXPECT_EQ(MarkerAt(results[i]), "racer " + std::to_string(i));
        }
    }
    ASSERT_EQ(winners, 1);
    EXPECT_EQ(open()->TableMetadataLocation("db", "t"), winner);
    auto after = Files(metadata_dir);
    after.erase(fs::path(winner).filename().string());
    EXPECT_EQ(after, before);
}

TEST_F(CatalogCommitTest, HadoopConcurrentWritersOneWins) {
    auto catalog = Hadoop();
    catalog->CreateNamespace("db", {});
    std::string location = catalog->DefaultTableLocation("db", "t");
    TableMetadata m = Table(location, "create");
    std::string base = catalog->CommitTable({"db", "t", std::nullopt, &m});
    Race([&] { return Hadoop(); }, base, location, temp_ / "wh/db/t/metadata");
}

TEST_F(CatalogCommitTest, SqliteConcurrentWritersOneWins) {
    auto catalog = Sqlite();
    catalog->CreateNamespace("db", {});
    std::string location = catalog->DefaultTableLocation("db", "t");
    TableMetadata m = Table(location, "create");
    std::string base = catalog->CommitTable({"db", "t", std::nullopt, &m});
    Race([&] { return Sqlite(); }, base, location, temp_ / "wh/db/t/metadata");
}

}  // namespace

}  // namespace floe::iceberg
