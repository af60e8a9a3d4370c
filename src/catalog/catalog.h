#pragma once
/// The catalog: databases, users, persisted global variables (and, in later issues, tables,
/// partitions, views, MVs and external catalogs). Every change is written through the MetaStore
/// before the call returns, so it survives a crash or restart. Thread-safe.
///
/// Errors a client can cause throw CatalogError with the matching ErrorCode:
/// DATABASE_EXISTS, DATABASE_NOT_EXISTS (DROP), UNKNOWN_DATABASE, USER_EXISTS, UNKNOWN_USER.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/meta_store.h"

namespace floe {

/// The built-in database that holds SCHEMATA, TABLES, COLUMNS, ...; it is never stored.
constexpr std::string_view kInformationSchema = "information_schema";

struct DatabaseInfo {
    int64_t id = 0;
    std::string name;
    int64_t create_time = 0;  // unix seconds
};

/// A table-like object of a database. Only views exist until the storage engine adds tables.
struct TableInfo {
    int64_t id = 0;
    std::string database;
    std::string name;
    std::string kind;                       // "VIEW"
    std::string definition;                 // for views: the query text
    std::vector<std::string> column_names;  // a view's declared column names (may be empty)
    int64_t create_time = 0;
};

/// One committed load of a table: a segment file and its row count.
struct RowsetInfo {
    int64_t id = 0;
    std::string path;  // relative to the data directory
    int64_t row_count = 0;
};

struct UserInfo {
    std::string name;
    std::string host = "%";
    /// mysql_native_password hash as MySQL prints it: "*" + 40 upper-case hex digits of
    /// SHA1(SHA1(password)); empty for an empty password.
    std::string auth_string;
};

class Catalog {
  public:
    /// Opens (creating and migrating when needed) the catalog in `data_dir`/meta.db. A new
    /// catalog has the user root@'%' with an empty password.
    static std::unique_ptr<Catalog> Open(const std::string& data_dir);
    explicit Catalog(std::unique_ptr<MetaStore> store);

    // Databases. Names compare case-sensitively, as StarRocks does; information_schema is
    // listed first and cannot be created or dropped.
    std::vector<DatabaseInfo> ListDatabases();
    std::optional<DatabaseInfo> GetDatabase(std::string_view name);
    bool DatabaseExists(std::string_view name);
    /// Returns false when it existed and `if_not_exists` is set.
    bool CreateDatabase(std::string_view name, bool if_not_exists);
    /// Returns false when it did not exist and `if_exists` is set.
    bool DropDatabase(std::string_view name, bool if_exists);

    // Tables and views of a database (names compare case-insensitively).
    std::vector<TableInfo> ListTables(std::string_view database);
    std::optional<TableInfo> GetTable(std::string_view database, std::string_view name);
    /// Creates or (with `or_replace`) replaces a view; throws TABLE_EXISTS, UNKNOWN_DATABASE.
    /// Returns false when it existed and `if_not_exists` is set.
    bool CreateView(std::string_view database, std::string_view name, const std::vector<std::string>& columns,
                    std::string_view definition, bool or_replace, bool if_not_exists);
    /// Throws UNKNOWN_TABLE when missing unless `if_exists`.
    bool DropView(std::string_view database, std::string_view name, bool if_exists);

    /// Creates a base table whose definition is its canonical CREATE TABLE text. Returns the new
    /// table's id, or 0 when it existed and `if_not_exists` is set.
    int64_t CreateTable(std::string_view database, std::string_view name, std::string_view definition,
                        bool if_not_exists);
    /// Drops a table and its rowset records; returns the segment paths to delete (after commit).
    std::vector<std::string> DropTable(std::string_view database, std::string_view name, bool if_exists);
    /// Records a committed rowset (its file must already be durable) and returns its id.
    int64_t CommitRowset(int64_t table_id, std::string_view path, int64_t row_count, int64_t size,
                         std::string_view label);
    std::vector<RowsetInfo> ListRowsets(int64_t table_id);
    /// Every segment path the meta store references (to sweep files of loads that never committed).
    std::vector<std::string> AllRowsetPaths();

    /// Secondary indexes of a table: (name, comma-separated columns, type).
    struct IndexInfo {
        std::string name;
        std::string columns;
        std::string type;
    };
    void CreateIndex(int64_t table_id, std::string_view name, std::string_view columns, std::string_view type);
    void DropIndex(int64_t table_id, std::string_view name);
    std::vector<IndexInfo> ListIndexes(int64_t table_id);

    // Users. Host patterns are kept as given ('%' by default); lookup by name matches any host.
    std::vector<UserInfo> ListUsers();
    std::optional<UserInfo> GetUser(std::string_view name);
    bool CreateUser(std::string_view name, std::string_view host, std::optional<std::string_view> password,
                    bool if_not_exists);
    bool AlterUserPassword(std::string_view name, std::string_view password, bool if_exists);
    bool DropUser(std::string_view name, bool if_exists);

    // Global system variables set with SET GLOBAL (name -> value text).
    std::vector<std::pair<std::string, std::string>> ListGlobalVariables();
    void SetGlobalVariable(std::string_view name, std::string_view value);

    /// mysql_native_password stored hash of `password` ("" for "").
    static std::string NativePasswordHash(std::string_view password);

    MetaStore& store() { return *store_; }

  private:
    std::unique_ptr<MetaStore> store_;
    std::mutex mutex_;
};

}  // namespace floe
