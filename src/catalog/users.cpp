// Users and global variables in the meta store (Catalog's part for accounts: CREATE / ALTER /
// DROP USER, password hashes, login limits) and SET GLOBAL's persisted values.
#include <openssl/sha.h>

#include <chrono>

#include "catalog/catalog.h"
#include "common/exception.h"

namespace floe {

namespace {

const std::string& AsString(const MetaValue& v) {
    return std::get<std::string>(v);
}

int64_t NowSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

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

namespace {

constexpr const char* kUserColumns =
    "name, host, auth_string, sha2_auth, failed_login_attempts, password_lock_days, account_locked, "
    "max_user_connections, default_roles";

UserInfo UserFromRow(const std::vector<MetaValue>& row) {
    UserInfo u;
    u.name = AsString(row[0]);
    u.host = AsString(row[1]);
    u.auth_string = AsString(row[2]);
    u.sha2_auth = AsString(row[3]);
    u.failed_login_attempts = std::get<int64_t>(row[4]);
    u.password_lock_days = std::get<int64_t>(row[5]);
    u.account_locked = std::get<int64_t>(row[6]) != 0;
    u.max_user_connections = std::get<int64_t>(row[7]);
    u.default_roles = AsString(row[8]);
    return u;
}

}  // namespace

std::vector<UserInfo> Catalog::ListUsers() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<UserInfo> out;
    for (const auto& row : store_->Query(std::string("SELECT ") + kUserColumns + " FROM users ORDER BY name, host")) {
        out.push_back(UserFromRow(row));
    }
    return out;
}

std::optional<UserInfo> Catalog::GetUser(std::string_view name) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto rows =
        store_->Query(std::string("SELECT ") + kUserColumns + " FROM users WHERE name = ? ORDER BY host LIMIT 1",
                      {std::string(name)});
    if (rows.empty()) return std::nullopt;
    return UserFromRow(rows[0]);
}

std::string Catalog::Sha2PasswordHash(std::string_view password) {
    if (password.empty()) return "";
    unsigned char first[SHA256_DIGEST_LENGTH], second[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(password.data()), password.size(), first);
    SHA256(first, SHA256_DIGEST_LENGTH, second);
    static const char* kHex = "0123456789abcdef";
    std::string out;
    for (unsigned char b : second) {
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 15]);
    }
    return out;
}

void Catalog::SetUserSha2(std::string_view name, std::string_view sha2_auth) {
    std::lock_guard<std::mutex> lock(mutex_);
    store_->Execute("UPDATE users SET sha2_auth = ? WHERE name = ?", {std::string(sha2_auth), std::string(name)});
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
        store_->Execute(
            "INSERT INTO users(name, host, auth_string, sha2_auth, create_time) VALUES(?, ?, ?, ?, ?)",
            {std::string(name), std::string(host.empty() ? "%" : host), NativePasswordHash(password.value_or("")),
             Sha2PasswordHash(password.value_or("")), NowSeconds()});
        created = true;
    });
    return created;
}

bool Catalog::AlterUserPassword(std::string_view name, std::string_view password, bool if_exists) {
    std::lock_guard<std::mutex> lock(mutex_);
    int64_t changed = store_->Execute("UPDATE users SET auth_string = ?, sha2_auth = ? WHERE name = ?",
                                      {NativePasswordHash(password), Sha2PasswordHash(password), std::string(name)});
    if (changed == 0) {
        if (if_exists) return false;
        throw CatalogError("Operation ALTER USER failed for '" + std::string(name) + "'", ErrorCode::UNKNOWN_USER);
    }
    return true;
}

bool Catalog::SetUserPasswordHash(std::string_view name, std::string_view native_hash, bool if_exists) {
    std::lock_guard<std::mutex> lock(mutex_);
    int64_t changed = store_->Execute("UPDATE users SET auth_string = ?, sha2_auth = '' WHERE name = ?",
                                      {std::string(native_hash), std::string(name)});
    if (changed == 0) {
        if (if_exists) return false;
        throw CatalogError("Operation ALTER USER failed for '" + std::string(name) + "'", ErrorCode::UNKNOWN_USER);
    }
    return true;
}

bool Catalog::SetUserLimits(std::string_view name, const UserLimitsChange& change, bool if_exists) {
    std::lock_guard<std::mutex> lock(mutex_);
    bool found = false;
    store_->Transaction([&] {
        found = !store_->Query("SELECT 1 FROM users WHERE name = ?", {std::string(name)}).empty();
        if (!found) return;
        auto set = [&](const char* column, int64_t value) {
            store_->Execute(std::string("UPDATE users SET ") + column + " = ? WHERE name = ?",
                            {value, std::string(name)});
        };
        if (change.failed_login_attempts) set("failed_login_attempts", *change.failed_login_attempts);
        if (change.password_lock_days) set("password_lock_days", *change.password_lock_days);
        if (change.account_locked) set("account_locked", *change.account_locked ? 1 : 0);
        if (change.max_user_connections) set("max_user_connections", *change.max_user_connections);
    });
    if (!found && !if_exists) {
        throw CatalogError("Operation ALTER USER failed for '" + std::string(name) + "'", ErrorCode::UNKNOWN_USER);
    }
    return found;
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
