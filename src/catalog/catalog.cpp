#include "catalog/catalog.h"

#include <openssl/sha.h>

#include <chrono>
#include <regex>

#include "common/ascii.h"
#include "common/exception.h"

namespace floe {

namespace {

int64_t NowSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void ValidateDatabaseName(std::string_view name) {
    bool ok = !name.empty() && name.size() <= 256 && std::isalpha(static_cast<unsigned char>(name[0]));
    for (char c : name) ok &= std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    if (!ok) {
        throw CatalogError("Incorrect database name '" + std::string(name) +
                               "': use a letter followed by letters, digits, '_' or '-' (at most 256)",
                           ErrorCode::WRONG_ARGUMENTS);
    }
}

const std::string& AsString(const MetaValue& v) {
    return std::get<std::string>(v);
}

}  // namespace

std::unique_ptr<Catalog> Catalog::Open(const std::string& data_dir) {
    return std::make_unique<Catalog>(OpenSqliteMetaStore(data_dir + "/meta.db"));
}

Catalog::Catalog(std::unique_ptr<MetaStore> store) : store_(std::move(store)) {}

std::string Catalog::NativePasswordHash(std::string_view password) {
    if (password.empty()) return "";
    unsigned char first[SHA_DIGEST_LENGTH], second[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(password.data()), password.size(), first);
    SHA1(first, SHA_DIGEST_LENGTH, second);
    static const char* kHex = "0123456789ABCDEF";
    std::string out = "*";
    for (unsigned char b : second) {
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 15]);
    }
    return out;
}

std::vector<DatabaseInfo> Catalog::ListDatabases() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<DatabaseInfo> out{{0, std::string(kInformationSchema), 0}};
    for (const auto& row : store_->Query("SELECT id, name, create_time FROM databases ORDER BY name")) {
        out.push_back({std::get<int64_t>(row[0]), AsString(row[1]), std::get<int64_t>(row[2])});
    }
    return out;
}

std::optional<DatabaseInfo> Catalog::GetDatabase(std::string_view name) {
    if (AsciiEqualsIgnoreCase(name, kInformationSchema)) return DatabaseInfo{0, std::string(kInformationSchema), 0};
    std::lock_guard<std::mutex> lock(mutex_);
    auto rows = store_->Query("SELECT id, name, create_time FROM databases WHERE name = ?", {std::string(name)});
    if (rows.empty()) return std::nullopt;
    return DatabaseInfo{std::get<int64_t>(rows[0][0]), AsString(rows[0][1]), std::get<int64_t>(rows[0][2])};
}

bool Catalog::DatabaseExists(std::string_view name) {
    return GetDatabase(name).has_value();
}

bool Catalog::CreateDatabase(std::string_view name, bool if_not_exists) {
    if (AsciiEqualsIgnoreCase(name, kInformationSchema)) {
        if (if_not_exists) return false;
        throw CatalogError("Access denied: information_schema is read-only", ErrorCode::DB_ACCESS_DENIED);
    }
    ValidateDatabaseName(name);
    std::lock_guard<std::mutex> lock(mutex_);
    bool created = false;
    store_->Transaction([&] {
        auto rows = store_->Query("SELECT 1 FROM databases WHERE name = ?", {std::string(name)});
        if (!rows.empty()) {
            if (if_not_exists) return;
            throw CatalogError("Can't create database '" + std::string(name) + "'; database exists",
                               ErrorCode::DATABASE_EXISTS);
        }
        store_->Execute("INSERT INTO databases(name, create_time) VALUES(?, ?)", {std::string(name), NowSeconds()});
        created = true;
    });
    return created;
}

bool Catalog::DropDatabase(std::string_view name, bool if_exists) {
    if (AsciiEqualsIgnoreCase(name, kInformationSchema)) {
        throw CatalogError("Access denied: information_schema cannot be dropped", ErrorCode::DB_ACCESS_DENIED);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    bool dropped = false;
    store_->Transaction([&] {
        auto rows = store_->Query("SELECT id FROM databases WHERE name = ?", {std::string(name)});
        if (rows.empty()) {
            if (if_exists) return;
            throw CatalogError("Can't drop database '" + std::string(name) + "'; database doesn't exist",
                               ErrorCode::DATABASE_NOT_EXISTS);
        }
        store_->Execute("DELETE FROM tables WHERE database_id = ?", {rows[0][0]});
        store_->Execute("DELETE FROM databases WHERE id = ?", {rows[0][0]});
        dropped = true;
    });
    return dropped;
}

std::vector<UserInfo> Catalog::ListUsers() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<UserInfo> out;
    for (const auto& row : store_->Query("SELECT name, host, auth_string FROM users ORDER BY name, host")) {
        out.push_back({AsString(row[0]), AsString(row[1]), AsString(row[2])});
    }
    return out;
}

std::optional<UserInfo> Catalog::GetUser(std::string_view name) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto rows = store_->Query("SELECT name, host, auth_string FROM users WHERE name = ? ORDER BY host LIMIT 1",
                              {std::string(name)});
    if (rows.empty()) return std::nullopt;
    return UserInfo{AsString(rows[0][0]), AsString(rows[0][1]), AsString(rows[0][2])};
}

bool Catalog::CreateUser(std::string_view name, std::string_view host, std::optional<std::string_view> password,
                         bool if_not_exists) {
    if (name.empty() || name.size() > 64) {
        throw CatalogError("Operation CREATE USER failed: invalid user name '" + std::string(name) + "'",
                           ErrorCode::USER_EXISTS);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    bool created = false;
    store_->Transaction([&] {
        auto rows = store_->Query("SELECT 1 FROM users WHERE name = ?", {std::string(name)});
        if (!rows.empty()) {
            if (if_not_exists) return;
            throw CatalogError(
                "Operation CREATE USER failed for '" + std::string(name) + "'@'" + std::string(host) + "'",
                ErrorCode::USER_EXISTS);
        }
        store_->Execute("INSERT INTO users(name, host, auth_string, create_time) VALUES(?, ?, ?, ?)",
                        {std::string(name), std::string(host.empty() ? "%" : host),
                         NativePasswordHash(password.value_or("")), NowSeconds()});
        created = true;
    });
    return created;
}

bool Catalog::AlterUserPassword(std::string_view name, std::string_view password, bool if_exists) {
    std::lock_guard<std::mutex> lock(mutex_);
    int64_t changed = store_->Execute("UPDATE users SET auth_string = ? WHERE name = ?",
                                      {NativePasswordHash(password), std::string(name)});
    if (changed == 0) {
        if (if_exists) return false;
        throw CatalogError("Operation ALTER USER failed for '" + std::string(name) + "'", ErrorCode::UNKNOWN_USER);
    }
    return true;
}

bool Catalog::DropUser(std::string_view name, bool if_exists) {
    if (name == "root")
        throw CatalogError("Access denied: the root user cannot be dropped", ErrorCode::DB_ACCESS_DENIED);
    std::lock_guard<std::mutex> lock(mutex_);
    int64_t changed = store_->Execute("DELETE FROM users WHERE name = ?", {std::string(name)});
    if (changed == 0) {
        if (if_exists) return false;
        throw CatalogError("Operation DROP USER failed for '" + std::string(name) + "'@'%'", ErrorCode::UNKNOWN_USER);
    }
    return true;
}

std::vector<std::pair<std::string, std::string>> Catalog::ListGlobalVariables() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& row : store_->Query("SELECT name, value FROM global_variables ORDER BY name")) {
        out.emplace_back(AsString(row[0]), AsString(row[1]));
    }
    return out;
}

void Catalog::SetGlobalVariable(std::string_view name, std::string_view value) {
    std::lock_guard<std::mutex> lock(mutex_);
    store_->Execute(
        "INSERT INTO global_variables(name, value) VALUES(?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
        {std::string(name), std::string(value)});
}

}  // namespace floe
