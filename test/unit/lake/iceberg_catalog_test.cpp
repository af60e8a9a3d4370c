// Iceberg catalogs: property checking, the hadoop layout over the real-engine fixtures (every
// table of the fixtures' MANIFEST must resolve to the metadata file it lists), hand-made hint
// edge cases, and the JDBC layout in pyiceberg's SQLite files, a fresh SQLite file and (when
// FLOE_TEST_POSTGRES_URI names a server) PostgreSQL.
#include "lake/iceberg/iceberg_catalog.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "common/exception.h"
#include "io/file_roots.h"
#include "lake/iceberg/hadoop_catalog.h"
#include "lake/iceberg/jdbc_catalog.h"

namespace floe::iceberg {

namespace {

namespace fs = std::filesystem;

using Properties = std::map<std::string, std::string>;
using Names = std::vector<std::string>;

fs::path Fixtures() {
    return fs::path(FLOE_SOURCE_DIR) / "../shared/fixtures/iceberg";
}

fs::path DuckdbIceberg() {
    return Fixtures() / "duckdb-iceberg/data/persistent";
}

void WriteFile(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

std::string Gzip(const std::string& text) {
    z_stream z{};
    EXPECT_EQ(deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::string out(deflateBound(&z, text.size()) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z.avail_in = static_cast<uInt>(text.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

std::string Metadata(int64_t last_updated_ms) {
    return "{\"format-version\": 2, \"last-updated-ms\": " + std::to_string(last_updated_ms) + "}";
}

/// The file name ResolveCurrentMetadataFile picks in `table_dir`.
std::string Current(const fs::path& table_dir) {
    return fs::path(ResolveCurrentMetadataFile(table_dir)).filename();
}

class IcebergCatalogTest : public ::testing::Test {
  protected:
    void SetUp() override {
        temp_ = fs::temp_directory_path() / ("floe-iceberg-catalog-" + std::to_string(::getpid()) + "-" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(temp_);
        fs::create_directories(temp_);
        std::vector<std::string> roots = {temp_.string()};
        if (fs::is_directory(Fixtures())) roots.push_back(fs::canonical(Fixtures()).string());
        FileRoots::Configure(roots, (temp_ / "no-data-dir").string());
    }
    void TearDown() override { fs::remove_all(temp_); }

    void RequireFixtures() {
        if (!fs::is_directory(Fixtures())) GTEST_SKIP() << "no Iceberg fixtures at " << Fixtures();
    }

    fs::path temp_;
};

// ---------------------------------------------------------------------------------------------
// Properties

TEST_F(IcebergCatalogTest, PropertiesNameWhatIsMissingOrWrong) {
    auto message = [](const Properties& p) -> std::string {
        try {
            OpenIcebergCatalog("c", p);
        } catch (const BinderError& e) {
            return e.what();
        }
        return "no BinderError";
    };
    EXPECT_NE(message({{"type", "iceberg"}}).find("'iceberg.catalog.type'"), std::string::npos);
    EXPECT_NE(message({{"type", "iceberg"}, {"iceberg.catalog.type", "hadoop"}}).find("'iceberg.catalog.warehouse'"),
              std::string::npos);
    EXPECT_NE(message({{"type", "iceberg"}, {"iceberg.catalog.type", "jdbc"}}).find("'iceberg.catalog.uri'"),
              std::string::npos);
    EXPECT_NE(message({{"type", "hive"}, {"iceberg.catalog.type", "hadoop"}, {"warehouse", "/x"}}).find("'type'"),
              std::string::npos);
    EXPECT_NE(message({{"iceberg.catalog.type", "cassandra"}}).find("cassandra"), std::string::npos);
    EXPECT_NE(message({{"iceberg.catalog.type", "jdbc"}, {"iceberg.catalog.uri", "jdbc:mysql://h:3306/db"}})
                  .find("'iceberg.catalog.uri'"),
              std::string::npos);
    EXPECT_NE(message({{"iceberg.catalog.type", "jdbc"}, {"iceberg.catalog.uri", "jdbc:postgresql://h:99999/db"}})
                  .find("invalid port"),
              std::string::npos);
    EXPECT_NE(message({{"iceberg.catalog.type", "hadoop"}, {"iceberg.catalog.warehouse", "/a"}, {"warehouse", "/b"}})
                  .find("different values"),
              std::string::npos);
    EXPECT_THROW(OpenIcebergCatalog("c", {{"iceberg.catalog.type", "hive"}, {"iceberg.catalog.uri", "thrift://x"}}),
                 NotSupportedError);
    // rest: an http(s) URI; oauth2 needs a token or a credential; both spellings of each key.
    auto rest = CatalogProperties::Parse({{"iceberg.catalog.type", "rest"},
                                          {"iceberg.catalog.uri", "http://127.0.0.1:8030/iceberg"},
                                          {"iceberg.catalog.warehouse", "h"},
                                          {"credential", "alice:secret"},
                                          {"iceberg.catalog.oauth2.scope", "catalog other"}});
    EXPECT_EQ(rest.type, CatalogType::REST);
    EXPECT_EQ(rest.credential, "alice:secret");
    EXPECT_EQ(rest.scope, "catalog other");
    EXPECT_NE(message({{"iceberg.catalog.type", "rest"}}).find("'iceberg.catalog.uri'"), std::string::npos);
    EXPECT_NE(message({{"iceberg.catalog.type", "rest"}, {"uri", "thrift://x"}}).find("http"), std::string::npos);
    EXPECT_NE(message({{"iceberg.catalog.type", "rest"}, {"uri", "http://x"}, {"iceberg.catalog.security", "oauth2"}})
                  .find("oauth2.credential"),
              std::string::npos);
    EXPECT_NE(
        message({{"iceberg.catalog.type", "rest"}, {"uri", "http://x"}, {"security", "kerberos"}}).find("kerberos"),
        std::string::npos);
    EXPECT_NO_THROW(OpenIcebergCatalog("c", {{"iceberg.catalog.type", "rest"}, {"uri", "https://x/api"}}));
    // Warehouses on S3 are served (S3HadoopCatalog, contacting nothing until used); others are not.
    EXPECT_NO_THROW(OpenIcebergCatalog("c", {{"iceberg.catalog.type", "hadoop"}, {"warehouse", "s3://bucket/wh"}}));
    EXPECT_THROW(OpenIcebergCatalog("c", {{"iceberg.catalog.type", "hadoop"}, {"warehouse", "hdfs://nn/wh"}}),
                 NotSupportedError);
}

TEST_F(IcebergCatalogTest, PropertiesAcceptAliasesAndKeepTheRest) {
    CatalogProperties p = CatalogProperties::Parse({{"type", "ICEBERG"},
                                                    {"iceberg.catalog.type", "FileSystem"},
                                                    {"warehouse", "/wh"},
                                                    {"aws.s3.region", "us-east-1"}});
    EXPECT_EQ(p.type, CatalogType::HADOOP);
    EXPECT_EQ(p.warehouse, "/wh");
    EXPECT_EQ(p.all.at("aws.s3.region"), "us-east-1");
    p = CatalogProperties::Parse({{"iceberg.catalog.type", "jdbc"},
                                  {"uri", "jdbc:sqlite:/x.db"},
                                  {"jdbc.user", "u"},
                                  {"iceberg.catalog.jdbc.password", "p"}});
    EXPECT_EQ(p.type, CatalogType::JDBC);
    EXPECT_EQ(p.uri, "jdbc:sqlite:/x.db");
    EXPECT_EQ(p.user, "u");
    EXPECT_EQ(p.password, "p");
}

TEST_F(IcebergCatalogTest, OpeningContactsNothing) {
    // Neither the warehouse nor the database exists: opening succeeds, the first use fails.
    auto hadoop = OpenIcebergCatalog(
        "h", {{"iceberg.catalog.type", "hadoop"}, {"iceberg.catalog.warehouse", (temp_ / "missing").string()}});
    EXPECT_THROW(hadoop->ListNamespaces(), IOError);
    auto outside = OpenIcebergCatalog("o", {{"iceberg.catalog.type", "hadoop"}, {"warehouse", "/etc"}});
    EXPECT_THROW(outside->ListNamespaces(), PermissionError);
    auto sqlite = OpenIcebergCatalog(
        "s", {{"iceberg.catalog.type", "jdbc"}, {"iceberg.catalog.uri", "jdbc:sqlite:" + (temp_ / "no.db").string()}});
    try {
        sqlite->ListNamespaces();
        ADD_FAILURE() << "a missing SQLite file opened";
    } catch (const IOError& e) {
        EXPECT_NE(std::string(e.what()).find("no.db"), std::string::npos) << e.what();
    }
}

TEST_F(IcebergCatalogTest, PostgresConnectionErrorsNameTheUriButNeverThePassword) {
    auto catalog = OpenIcebergCatalog("pg", {{"iceberg.catalog.type", "jdbc"},
                                             {"iceberg.catalog.uri",
                                              "jdbc:postgresql://127.0.0.1:1/iceberg?sslmode=disable&password=uri-"
                                              "secret-pw&connectTimeout=2"},
                                             {"iceberg.catalog.jdbc.user", "floe"},
                                             {"iceberg.catalog.jdbc.password", "property-secret-pw"}});
    try {
        catalog->ListNamespaces();
        ADD_FAILURE() << "connected to port 1";
    } catch (const IOError& e) {
        std::string message = e.what();
        EXPECT_NE(message.find("jdbc:postgresql://127.0.0.1:1/iceberg"), std::string::npos) << message;
        EXPECT_EQ(message.find("secret-pw"), std::string::npos) << message;
    }
    EXPECT_EQ(JdbcCatalog::RedactUri("jdbc:postgresql://h/db?user=u&password=p%26q&ssl=true"),
              "jdbc:postgresql://h/db?user=u&password=***&ssl=true");
    EXPECT_EQ(JdbcCatalog::RedactUri("jdbc:sqlite:/x.db"), "jdbc:sqlite:/x.db");
}

// ---------------------------------------------------------------------------------------------
// Current metadata file

TEST_F(IcebergCatalogTest, EveryFixtureTableResolvesToItsManifestEntry) {
    RequireFixtures();
    std::ifstream manifest(Fixtures() / "MANIFEST.md");
    ASSERT_TRUE(manifest) << "MANIFEST.md missing";
    // | `duckdb-iceberg/data/persistent/x` | v2.metadata.json | ...
    std::regex row(R"(^\| `([^`]+)` \| ([^ |]+\.metadata\.json) \|)");
    std::string line;
    int checked = 0;
    while (std::getline(manifest, line)) {
        std::smatch m;
        if (!std::regex_search(line, m, row)) continue;
        fs::path table = Fixtures() / m[1].str();
        EXPECT_EQ(Current(table), m[2].str()) << m[1].str();
        ++checked;
    }
    EXPECT_GE(checked, 50);
}

TEST_F(IcebergCatalogTest, HintsAndTheirFallbacks) {
    fs::path t = temp_ / "t";
    WriteFile(t / "metadata/v1.metadata.json", Metadata(1));
    WriteFile(t / "metadata/v2.metadata.json", Metadata(2));
    WriteFile(t / "metadata/.v3.metadata.json.crc", "crc");
    EXPECT_EQ(Current(t), "v2.metadata.json");  // no hint: the highest vN; the .crc is ignored

    WriteFile(t / "metadata/version-hint.text", "1\n");
    EXPECT_EQ(Current(t), "v2.metadata.json");  // a stale hint: the newer v2 wins, as in Java
    WriteFile(t / "metadata/v10.gz.metadata.json", Gzip(Metadata(10)));
    WriteFile(t / "metadata/version-hint.text", "10");
    EXPECT_EQ(Current(t), "v10.gz.metadata.json");
    WriteFile(t / "metadata/version-hint.text", "7");  // names no file: fall back to the listing
    EXPECT_EQ(Current(t), "v10.gz.metadata.json");
    WriteFile(t / "metadata/version-hint.text", " \n");  // empty
    EXPECT_EQ(Current(t), "v10.gz.metadata.json");
    fs::remove(t / "metadata/version-hint.text");
    WriteFile(t / "metadata/version-hint.txt", "1\n");  // Impala's name
    EXPECT_EQ(Current(t), "v2.metadata.json");

    fs::path s = temp_ / "s";
    WriteFile(s / "metadata/00000-aaaa.metadata.json", Metadata(5));
    WriteFile(s / "metadata/00002-bbbb.metadata.json", Metadata(1));
    WriteFile(s / "metadata/00001-cccc.metadata.json", Metadata(9));
    EXPECT_EQ(Current(s), "00002-bbbb.metadata.json");          // the sequence number, not the time
    WriteFile(s / "metadata/version-hint.text", "00001-cccc");  // a DuckDB stem
    EXPECT_EQ(Current(s), "00001-cccc.metadata.json");
    fs::remove(s / "metadata/version-hint.text");
    // Mixed names do not order themselves: the file written last wins (gzip found by its magic).
    WriteFile(s / "metadata/vlast.metadata.json", Gzip(Metadata(7)));
    EXPECT_EQ(Current(s), "00001-cccc.metadata.json");
    WriteFile(s / "metadata/vlast.metadata.json", Metadata(70));
    EXPECT_EQ(Current(s), "vlast.metadata.json");

    fs::path empty = temp_ / "empty";
    WriteFile(empty / "metadata/snap-1.avro", "");
    EXPECT_THROW(ResolveCurrentMetadataFile(empty.string()), IOError);
    EXPECT_THROW(ResolveCurrentMetadataFile((temp_ / "nothing").string()), IOError);
}

// ---------------------------------------------------------------------------------------------
// Hadoop catalog

TEST_F(IcebergCatalogTest, HadoopCatalogOverImpalaWarehouse) {
    RequireFixtures();
    std::string warehouse = (Fixtures() / "impala/hadoop_catalog").string();
    auto catalog = OpenIcebergCatalog("ice_cat", {{"type", "iceberg"},
                                                  {"iceberg.catalog.type", "hadoop"},
                                                  {"iceberg.catalog.warehouse", "file://" + warehouse + "/"}});
    EXPECT_EQ(catalog->ListNamespaces(), Names{"ice"});
    EXPECT_TRUE(catalog->NamespaceExists("ice"));
    EXPECT_FALSE(catalog->NamespaceExists("ice.iceberg_v2_no_deletes"));  // a table, not a namespace
    EXPECT_FALSE(catalog->NamespaceExists("nope"));
    EXPECT_FALSE(catalog->NamespaceExists(""));
    Names tables = catalog->ListTables("ice");
    EXPECT_EQ(tables.size(), 14u);
    EXPECT_EQ(tables.front(), "iceberg_timestamp_part");
    EXPECT_TRUE(std::find(tables.begin(), tables.end(), "iceberg_v2_no_deletes") != tables.end());
    EXPECT_EQ(catalog->TableMetadataLocation("ice", "iceberg_v2_no_deletes"),
              warehouse + "/ice/iceberg_v2_no_deletes/metadata/v2.metadata.json");  // hint in version-hint.txt
    EXPECT_EQ(catalog->TableMetadataLocation("ice", "iceberg_v2_positional_not_all_data_files_have_delete_files"),
              warehouse + "/ice/iceberg_v2_positional_not_all_data_files_have_delete_files/metadata/v7.metadata.json");
    EXPECT_EQ(catalog->TableMetadataLocation("ice", "missing"), std::nullopt);
    EXPECT_EQ(catalog->TableMetadataLocation("nope", "iceberg_v2_no_deletes"), std::nullopt);
    EXPECT_EQ(catalog->TableMetadataLocation("ice", ".."), std::nullopt);
    EXPECT_EQ(catalog->TableMetadataLocation("..", "ice"), std::nullopt);
    EXPECT_THROW(catalog->ListTables("nope"), CatalogError);
}

TEST_F(IcebergCatalogTest, HadoopCatalogNestedAndDottedNamespaces) {
    RequireFixtures();
    std::string nested = (DuckdbIceberg() / "equality_deletes").string();
    auto catalog = OpenIcebergCatalog("c", {{"iceberg.catalog.type", "hadoop"}, {"warehouse", nested}});
    EXPECT_EQ(catalog->ListNamespaces(), (Names{"warehouse", "warehouse.mydb"}));
    EXPECT_EQ(catalog->ListTables("warehouse.mydb"), (Names{"mytable", "mytable_partitioned"}));
    EXPECT_EQ(catalog->ListTables("warehouse"), Names{});
    EXPECT_EQ(catalog->TableMetadataLocation("warehouse.mydb", "mytable"),
              nested + "/warehouse/mydb/mytable/metadata/v7.metadata.json");

    // A directory whose name holds a dot is one namespace ("default.db"), not two levels.
    std::string dotted = (DuckdbIceberg() / "column_mapping/warehouse").string();
    catalog = OpenIcebergCatalog("c", {{"iceberg.catalog.type", "hadoop"}, {"warehouse", dotted}});
    // "example" holds only a Parquet file: a directory that is no table is a namespace (as in Java).
    EXPECT_EQ(catalog->ListNamespaces(), (Names{"default.db", "example"}));
    EXPECT_EQ(catalog->ListTables("default.db"), Names{"my_table"});
    EXPECT_EQ(catalog->TableMetadataLocation("default.db", "my_table"),
              dotted + "/default.db/my_table/metadata/00001-75643dae-a7a7-46ae-ab30-ea80d3793f3f.metadata.json");
}

TEST_F(IcebergCatalogTest, HadoopCatalogSymlinkOutOfTheRootsIsRefused) {
    fs::path warehouse = temp_ / "wh";
    WriteFile(warehouse / "db/t/metadata/v1.metadata.json", Metadata(1));
    fs::path elsewhere = fs::temp_directory_path() / ("floe-iceberg-outside-" + std::to_string(::getpid()));
    WriteFile(elsewhere / "t/metadata/v1.metadata.json", Metadata(1));
    fs::create_directory_symlink(elsewhere, warehouse / "escape");
    auto catalog = OpenIcebergCatalog("c", {{"iceberg.catalog.type", "hadoop"}, {"warehouse", warehouse.string()}});
    EXPECT_EQ(catalog->ListNamespaces(), Names{"db"});
    EXPECT_EQ(catalog->TableMetadataLocation("db", "t"), warehouse.string() + "/db/t/metadata/v1.metadata.json");
    EXPECT_THROW(catalog->TableMetadataLocation("escape", "t"), PermissionError);
    fs::remove_all(elsewhere);
}

// ---------------------------------------------------------------------------------------------
// JDBC catalog: SQLite

TEST_F(IcebergCatalogTest, PyicebergSqliteFiles) {
    RequireFixtures();
    struct Case {
        std::string file, catalog, ns, table, location;
    };
    std::vector<Case> cases = {
        {"column_mapping/catalog.sqlite", "my_catalog", "default", "my_table",
         "data/persistent/column_mapping/warehouse/default.db/my_table/metadata/"
         "00001-75643dae-a7a7-46ae-ab30-ea80d3793f3f.metadata.json"},
        {"null_stats/pyiceberg_catalog.db", "local", "default", "test_nulls",
         "data/persistent/null_stats/default/test_nulls/metadata/"
         "00003-9d6a621e-8a72-4190-a880-f6ca02e32b86.metadata.json"},
        {"map_stats/pyiceberg_catalog.db", "default", "default", "map_stats",
         "file://data/persistent/map_stats/default.db/map_stats/metadata/"
         "00002-0e059d4b-e5e8-41af-a763-76cbf3a3d0bc.metadata.json"},
        {"iceberg_v1_repro/catalog.db", "repro", "repro", "merch_v1",
         "data/persistent/iceberg_v1_repro/repro/merch_v1/metadata/"
         "00003-8d01e4aa-d143-49c9-898e-b5e477577b70.metadata.json"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.file);
        std::string uri = "jdbc:sqlite:" + (DuckdbIceberg() / c.file).string();
        auto catalog = OpenIcebergCatalog(c.catalog, {{"iceberg.catalog.type", "jdbc"}, {"iceberg.catalog.uri", uri}});
        EXPECT_EQ(catalog->ListNamespaces(), Names{c.ns});
        EXPECT_TRUE(catalog->NamespaceExists(c.ns));
        EXPECT_FALSE(catalog->NamespaceExists("other"));
        EXPECT_EQ(catalog->ListTables(c.ns), Names{c.table});
        EXPECT_EQ(catalog->TableMetadataLocation(c.ns, c.table), c.location);
        EXPECT_EQ(catalog->TableMetadataLocation(c.ns, "missing"), std::nullopt);
        // Another catalog's name sees nothing of these rows.
        auto other = OpenIcebergCatalog("someone_else", {{"iceberg.catalog.type", "jdbc"}, {"uri", uri}});
        EXPECT_EQ(other->ListNamespaces(), Names{});
        EXPECT_EQ(other->TableMetadataLocation(c.ns, c.table), std::nullopt);
        EXPECT_THROW(other->ListTables(c.ns), CatalogError);
    }
    // Every pyiceberg file in the fixtures opens and lists one table.
    int files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(DuckdbIceberg())) {
        std::string name = entry.path().filename();
        if (!entry.is_regular_file() ||
            (name != "pyiceberg_catalog.db" && name != "catalog.db" && name != "catalog.sqlite")) {
            continue;
        }
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open_v2(entry.path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
        sqlite3_stmt* st = nullptr;
        ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT catalog_name FROM iceberg_tables", -1, &st, nullptr), SQLITE_OK);
        ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
        std::string catalog_name = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        sqlite3_close(db);
        auto catalog = OpenIcebergCatalog(
            catalog_name,
            {{"iceberg.catalog.type", "jdbc"}, {"iceberg.catalog.uri", "jdbc:sqlite:" + entry.path().string()}});
        Names namespaces = catalog->ListNamespaces();
        ASSERT_EQ(namespaces.size(), 1u) << entry.path();
        Names tables = catalog->ListTables(namespaces[0]);
        ASSERT_EQ(tables.size(), 1u) << entry.path();
        EXPECT_TRUE(catalog->TableMetadataLocation(namespaces[0], tables[0]).has_value());
        ++files;
    }
    EXPECT_EQ(files, 12);
}

void Exec(sqlite3* db, const std::string& sql) {
    char* error = nullptr;
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "") << sql;
}

TEST_F(IcebergCatalogTest, FreshSqliteCatalogWithIcebergJavaLayout) {
    fs::path file = temp_ / "catalog.db";
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    Exec(db, JdbcCatalog::kCreateTablesSql);
    Exec(db, JdbcCatalog::kCreateNamespacePropertiesSql);
    Exec(db,
         "INSERT INTO iceberg_tables VALUES "
         "('c', 'sales', 'orders', '/wh/sales/orders/metadata/00002-x.metadata.json', "
         "'/wh/sales/orders/metadata/00001-y.metadata.json', 'TABLE'),"
         "('c', 'sales', 'legacy', '/wh/sales/legacy/metadata/00000-z.metadata.json', NULL, NULL),"
         "('c', 'sales', 'orders_view', '/wh/sales/orders_view/metadata/00000-v.gz.metadata.json', NULL, 'VIEW'),"
         "('c', 'a.b', 'deep', '/wh/a/b/deep/metadata/00000-d.metadata.json', NULL, 'TABLE'),"
         "('c', 'broken', 'nolocation', NULL, NULL, 'TABLE'),"
         "('other', 'hidden', 'x', '/elsewhere.metadata.json', NULL, 'TABLE')");
    Exec(db,
         "INSERT INTO iceberg_namespace_properties VALUES ('c', 'empty_ns', 'exists', 'true'),"
         "('c', 'sales', 'owner', 'me'), ('other', 'hidden2', 'exists', 'true')");
    sqlite3_close(db);

    auto catalog = OpenIcebergCatalog("c", {{"type", "iceberg"},
                                            {"iceberg.catalog.type", "jdbc"},
                                            {"iceberg.catalog.uri", "jdbc:sqlite:file:" + file.string()},
                                            {"iceberg.catalog.warehouse", "/wh"}});
    EXPECT_EQ(catalog->ListNamespaces(), (Names{"a.b", "broken", "empty_ns", "sales"}));
    EXPECT_TRUE(catalog->NamespaceExists("empty_ns"));
    EXPECT_FALSE(catalog->NamespaceExists("hidden"));
    EXPECT_EQ(catalog->ListTables("sales"), (Names{"legacy", "orders"}));  // the view is left out
    EXPECT_EQ(catalog->ListTables("empty_ns"), Names{});
    EXPECT_EQ(catalog->TableMetadataLocation("sales", "orders"), "/wh/sales/orders/metadata/00002-x.metadata.json");
    EXPECT_EQ(catalog->TableMetadataLocation("sales", "legacy"), "/wh/sales/legacy/metadata/00000-z.metadata.json");
    EXPECT_EQ(catalog->TableMetadataLocation("sales", "orders_view"), std::nullopt);
    EXPECT_EQ(catalog->TableMetadataLocation("a.b", "deep"), "/wh/a/b/deep/metadata/00000-d.metadata.json");
    EXPECT_EQ(catalog->TableMetadataLocation("sales'--", "orders"), std::nullopt);  // values are bound
    EXPECT_THROW(catalog->TableMetadataLocation("broken", "nolocation"), IOError);

    // Read-only: the catalog never writes the file.
    auto before = fs::last_write_time(file);
    catalog.reset();
    EXPECT_EQ(fs::last_write_time(file), before);
}

TEST_F(IcebergCatalogTest, SqliteFileThatIsNoCatalog) {
    fs::path file = temp_ / "plain.db";
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    Exec(db, "CREATE TABLE t (a INT)");
    sqlite3_close(db);
    auto catalog = OpenIcebergCatalog("c", {{"iceberg.catalog.type", "jdbc"}, {"uri", "jdbc:sqlite:" + file.string()}});
    try {
        catalog->ListNamespaces();
        ADD_FAILURE() << "a plain SQLite file served as a catalog";
    } catch (const IOError& e) {
        EXPECT_NE(std::string(e.what()).find("iceberg_tables"), std::string::npos) << e.what();
    }
    // Only the tables pyiceberg's oldest layout has: iceberg_tables alone still serves.
    db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    Exec(db,
         "CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) NOT NULL, "
         "table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000), previous_metadata_location "
         "VARCHAR(1000), PRIMARY KEY (catalog_name, table_namespace, table_name));"
         "INSERT INTO iceberg_tables VALUES ('c', 'n', 't', 'loc', NULL)");
    sqlite3_close(db);
    catalog = OpenIcebergCatalog("c", {{"iceberg.catalog.type", "jdbc"}, {"uri", "jdbc:sqlite:" + file.string()}});
    EXPECT_EQ(catalog->ListNamespaces(), Names{"n"});
    EXPECT_EQ(catalog->ListTables("n"), Names{"t"});
    EXPECT_EQ(catalog->TableMetadataLocation("n", "t"), "loc");
}

// ---------------------------------------------------------------------------------------------
// JDBC catalog: PostgreSQL (runs when FLOE_TEST_POSTGRES_URI names a server, e.g. the one
// test/integration/postgres_server.py starts: jdbc:postgresql://127.0.0.1:<port>/floe?user=floe)

TEST_F(IcebergCatalogTest, PostgresCatalog) {
    const char* uri = std::getenv("FLOE_TEST_POSTGRES_URI");
    if (uri == nullptr || *uri == '\0') GTEST_SKIP() << "FLOE_TEST_POSTGRES_URI is not set";
    std::string jdbc = uri;
    // libpq takes a postgresql:// URL: the same text without the jdbc: prefix.
    std::string libpq_url = jdbc.substr(jdbc.find("postgresql:"));
    PGconn* conn = PQconnectdb(libpq_url.c_str());
    ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
    auto exec = [&](const std::string& sql) {
        PGresult* r = PQexec(conn, sql.c_str());
        EXPECT_TRUE(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
            << PQresultErrorMessage(r) << sql;
        PQclear(r);
    };
    exec("DROP TABLE IF EXISTS iceberg_tables");
    exec("DROP TABLE IF EXISTS iceberg_namespace_properties");
    exec(JdbcCatalog::kCreateTablesSql);
    exec(JdbcCatalog::kCreateNamespacePropertiesSql);
    exec(
        "INSERT INTO iceberg_tables VALUES ('pgcat', 'db', 'events', "
        "'s3://b/db/events/metadata/00001-a.metadata.json', "
        "NULL, 'TABLE'), ('pgcat', 'db', 'v', 's3://b/db/v/metadata/00001-v.metadata.json', NULL, 'VIEW'), "
        "('other', 'secret', 't', 'x', NULL, 'TABLE')");
    exec("INSERT INTO iceberg_namespace_properties VALUES ('pgcat', 'empty', 'exists', 'true')");
    PQfinish(conn);

    auto catalog = OpenIcebergCatalog("pgcat", {{"iceberg.catalog.type", "jdbc"}, {"iceberg.catalog.uri", jdbc}});
    EXPECT_EQ(catalog->ListNamespaces(), (Names{"db", "empty"}));
    EXPECT_TRUE(catalog->NamespaceExists("empty"));
    EXPECT_FALSE(catalog->NamespaceExists("secret"));
    EXPECT_EQ(catalog->ListTables("db"), Names{"events"});
    EXPECT_EQ(catalog->TableMetadataLocation("db", "events"), "s3://b/db/events/metadata/00001-a.metadata.json");
    EXPECT_EQ(catalog->TableMetadataLocation("db", "v"), std::nullopt);
    EXPECT_EQ(catalog->TableMetadataLocation("db' OR '1'='1", "events"), std::nullopt);
    EXPECT_THROW(catalog->ListTables("nope"), CatalogError);
}

}  // namespace

}  // namespace floe::iceberg
