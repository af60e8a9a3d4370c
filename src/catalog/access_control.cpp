#include "catalog/access_control.h"

#include <algorithm>
#include <functional>
#include <map>

#include "common/ascii.h"
#include "common/exception.h"

namespace floe {

namespace {

constexpr int kMaxRoleDepth = 16;        // privilege_max_role_depth
constexpr size_t kMaxRolesPerUser = 64;  // privilege_max_total_roles_per_user

const std::vector<std::string> kSystemPrivileges = {"NODE",
                                                    "GRANT",
                                                    "CREATE RESOURCE GROUP",
                                                    "CREATE RESOURCE",
                                                    "CREATE EXTERNAL CATALOG",
                                                    "PLUGIN",
                                                    "REPOSITORY",
                                                    "BLACKLIST",
                                                    "FILE",
                                                    "OPERATE",
                                                    "CREATE GLOBAL FUNCTION",
                                                    "CREATE STORAGE VOLUME",
                                                    "SECURITY",
                                                    "SHOW SECRET"};

std::string TypeText(ObjectType t) {
    return std::string(ObjectTypeName(t));
}

std::optional<ObjectType> TypeFromText(std::string_view s) {
    for (int i = 0; i <= static_cast<int>(ObjectType::USER); ++i) {
        auto t = static_cast<ObjectType>(i);
        if (ObjectTypeName(t) == s) return t;
    }
    return std::nullopt;
}

const std::string& AsText(const MetaValue& v) {
    return std::get<std::string>(v);
}

/// Whether a grant on `held` covers the object `asked` (ids of -1 in a grant mean all).
bool Covers(const PrivilegeObject& held, const PrivilegeObject& asked) {
    if (held.type != asked.type) return false;
    switch (held.type) {
        case ObjectType::SYSTEM:
            return true;
        case ObjectType::DATABASE:
            return held.db_id == -1 || held.db_id == asked.db_id;
        case ObjectType::TABLE:
        case ObjectType::VIEW:
        case ObjectType::MATERIALIZED_VIEW:
            return (held.db_id == -1 || held.db_id == asked.db_id) && (held.id == -1 || held.id == asked.id);
        case ObjectType::FUNCTION:
            return (held.db_id == -1 || held.db_id == asked.db_id) &&
                   (held.name.empty() || AsciiEqualsIgnoreCase(held.name, asked.name));
        default:
            return held.name.empty() || AsciiEqualsIgnoreCase(held.name, asked.name);
    }
}

bool IsDataObject(ObjectType t) {
    return t != ObjectType::SYSTEM && t != ObjectType::USER;
}

}  // namespace

std::string_view ObjectTypeName(ObjectType type) {
    switch (type) {
        case ObjectType::SYSTEM:
            return "SYSTEM";
        case ObjectType::CATALOG:
            return "CATALOG";
        case ObjectType::DATABASE:
            return "DATABASE";
        case ObjectType::TABLE:
            return "TABLE";
        case ObjectType::VIEW:
            return "VIEW";
        case ObjectType::MATERIALIZED_VIEW:
            return "MATERIALIZED VIEW";
        case ObjectType::FUNCTION:
            return "FUNCTION";
        case ObjectType::GLOBAL_FUNCTION:
            return "GLOBAL FUNCTION";
        case ObjectType::RESOURCE_GROUP:
            return "RESOURCE GROUP";
        case ObjectType::RESOURCE:
            return "RESOURCE";
        case ObjectType::STORAGE_VOLUME:
            return "STORAGE VOLUME";
        case ObjectType::USER:
            return "USER";
    }
    return "SYSTEM";
}

const std::vector<std::string>& PrivilegesOf(ObjectType type) {
    static const std::map<ObjectType, std::vector<std::string>> kPrivileges = {
        {ObjectType::SYSTEM, kSystemPrivileges},
        {ObjectType::CATALOG, {"USAGE", "CREATE DATABASE", "DROP", "ALTER"}},
        {ObjectType::DATABASE,
         {"ALTER", "DROP", "CREATE TABLE", "CREATE VIEW", "CREATE FUNCTION", "CREATE MATERIALIZED VIEW",
          "CREATE PIPE"}},
        {ObjectType::TABLE, {"ALTER", "DROP", "SELECT", "INSERT", "UPDATE", "EXPORT", "DELETE"}},
        {ObjectType::VIEW, {"SELECT", "ALTER", "DROP"}},
        {ObjectType::MATERIALIZED_VIEW, {"SELECT", "ALTER", "REFRESH", "DROP"}},
        {ObjectType::FUNCTION, {"USAGE", "DROP"}},
        {ObjectType::GLOBAL_FUNCTION, {"USAGE", "DROP"}},
        {ObjectType::RESOURCE_GROUP, {"ALTER", "DROP"}},
        {ObjectType::RESOURCE, {"USAGE", "ALTER", "DROP"}},
        {ObjectType::STORAGE_VOLUME, {"USAGE", "ALTER", "DROP"}},
        {ObjectType::USER, {"IMPERSONATE"}},
    };
    return kPrivileges.at(type);
}

bool PrivilegeSet::Has(std::string_view privilege, const PrivilegeObject& object) const {
    if (root_) return true;
    if (object.type == ObjectType::SYSTEM && system_.count(std::string(privilege))) return true;
    if (db_admin_ && IsDataObject(object.type)) return true;
    for (const auto& g : grants_) {
        if ((g.privilege == privilege || g.privilege == "ALL") && Covers(g.object, object)) return true;
    }
    return false;
}

bool PrivilegeSet::CanGrant(std::string_view privilege, const PrivilegeObject& object) const {
    if (root_ || system_.count("GRANT")) return true;
    for (const auto& g : grants_) {
        if (g.grantable && (g.privilege == privilege || g.privilege == "ALL") && Covers(g.object, object)) {
            return true;
        }
    }
    return false;
}

bool PrivilegeSet::HasAny(const PrivilegeObject& object) const {
    if (root_ || (db_admin_ && IsDataObject(object.type))) return true;
    for (const auto& g : grants_) {
        if (Covers(g.object, object)) return true;
    }
    return false;
}

bool PrivilegeSet::HasAnyInDatabase(int64_t db_id) const {
    if (root_ || db_admin_) return true;
    for (const auto& g : grants_) {
        switch (g.object.type) {
            case ObjectType::DATABASE:
            case ObjectType::TABLE:
            case ObjectType::VIEW:
            case ObjectType::MATERIALIZED_VIEW:
            case ObjectType::FUNCTION:
                if (g.object.db_id == -1 || g.object.db_id == db_id) return true;
                break;
            default:
                break;
        }
    }
    return false;
}

bool AccessControl::IsBuiltinRole(std::string_view role) {
    for (std::string_view r : {"root", "cluster_admin", "db_admin", "user_admin", "security_admin", "public"}) {
        if (AsciiEqualsIgnoreCase(role, r)) return true;
    }
    return false;
}

std::shared_ptr<const PrivilegeSet> AccessControl::Effective(const std::string& user,
                                                             const std::vector<std::string>& roles) {
    auto set = std::make_shared<PrivilegeSet>();
    MetaStore& store = catalog_.store();
    // The active roles and every role they inherit (public always).
    std::set<std::string> closure;
    std::vector<std::pair<std::string, int>> pending;
    for (const auto& r : roles) pending.push_back({r, 0});
    pending.push_back({"public", 0});
    auto edges = store.Query("SELECT grantee, role FROM role_grants WHERE grantee_kind = 'ROLE'");
    while (!pending.empty()) {
        auto [role, depth] = pending.back();
        pending.pop_back();
        if (depth > kMaxRoleDepth || !closure.insert(role).second) continue;
        for (const auto& e : edges) {
            if (AsText(e[0]) == role) pending.push_back({AsText(e[1]), depth + 1});
        }
    }
    for (const auto& role : closure) {
        if (role == "root") set->root_ = true;
        if (role == "db_admin") {
            set->db_admin_ = true;
            for (const auto& p : kSystemPrivileges) {
                if (p != "NODE" && p != "GRANT" && p != "SHOW SECRET") set->system_.insert(p);
            }
        }
        if (role == "user_admin") set->system_.insert("GRANT");
        if (role == "cluster_admin") set->system_.insert("NODE");
        if (role == "security_admin") {
            set->system_.insert("SECURITY");
            set->system_.insert("OPERATE");
        }
    }
    for (const auto& g : ListGrants(/*with_names=*/false)) {
        bool mine = g.grantee_kind == "USER" ? g.grantee == user : closure.count(g.grantee) > 0;
        if (mine) set->grants_.push_back(g);
    }
    return set;
}

std::vector<std::string> AccessControl::GrantedRoles(const std::string& user) {
    std::vector<std::string> out;
    for (const auto& r : catalog_.store().Query(
             "SELECT role FROM role_grants WHERE grantee_kind = 'USER' AND grantee = ? ORDER BY role", {user})) {
        out.push_back(AsText(r[0]));
    }
    return out;
}

std::vector<std::string> AccessControl::DefaultRoles(const std::string& user) {
    auto info = catalog_.GetUser(user);
    if (!info) return {};
    std::vector<std::string> granted = GrantedRoles(user);
    if (AsciiEqualsIgnoreCase(info->default_roles, "ALL")) return granted;
    std::vector<std::string> out;
    size_t start = 0;
    const std::string& spec = info->default_roles;
    while (start < spec.size()) {
        size_t comma = spec.find(',', start);
        std::string role = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (std::find(granted.begin(), granted.end(), role) != granted.end()) out.push_back(role);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

bool AccessControl::RoleExists(std::string_view role) {
    return !catalog_.store().Query("SELECT 1 FROM roles WHERE name = ?", {std::string(role)}).empty();
}

void AccessControl::CreateRole(const std::string& role, bool if_not_exists) {
    if (role.empty() || role.size() > 64) {
        throw CatalogError("Operation CREATE ROLE failed: invalid role name '" + role + "'", ErrorCode::USER_EXISTS);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (RoleExists(role)) {
        if (if_not_exists) return;
        throw CatalogError("Operation CREATE ROLE failed for '" + role + "': the role exists", ErrorCode::USER_EXISTS);
    }
    if (catalog_.GetUser(role)) {
        // Names of users and roles are one namespace in GRANT r TO x: keep them apart.
        throw CatalogError("Operation CREATE ROLE failed for '" + role + "': a user has that name",
                           ErrorCode::USER_EXISTS);
    }
    catalog_.store().Execute("INSERT INTO roles(name, builtin, create_time) VALUES(?, 0, strftime('%s','now'))",
                             {role});
    generation_.fetch_add(1);
}

void AccessControl::DropRole(const std::string& role, bool if_exists) {
    if (IsBuiltinRole(role)) {
        throw CatalogError("Operation DROP ROLE failed for '" + role + "': built-in roles cannot be dropped",
                           ErrorCode::UNKNOWN_USER);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    int64_t n = catalog_.store().Execute("DELETE FROM roles WHERE name = ?", {role});
    if (n == 0 && !if_exists) {
        throw CatalogError("Operation DROP ROLE failed for '" + role + "': no such role", ErrorCode::UNKNOWN_USER);
    }
    generation_.fetch_add(1);
}

std::vector<std::string> AccessControl::ListRoles() {
    std::vector<std::string> out;
    for (const auto& r : catalog_.store().Query("SELECT name FROM roles ORDER BY builtin DESC, name")) {
        out.push_back(AsText(r[0]));
    }
    return out;
}

void AccessControl::GrantRole(const std::string& role, const std::string& grantee_kind, const std::string& grantee) {
    std::lock_guard<std::mutex> lock(mutex_);
    MetaStore& store = catalog_.store();
    if (!RoleExists(role)) throw CatalogError("Role '" + role + "' does not exist", ErrorCode::UNKNOWN_USER);
    if (AsciiEqualsIgnoreCase(role, "public")) {
        throw CatalogError("the public role is held by every user; it cannot be granted", ErrorCode::WRONG_ARGUMENTS);
    }
    if (grantee_kind == "USER") {
        if (!catalog_.GetUser(grantee)) {
            throw CatalogError("User '" + grantee + "'@'%' does not exist", ErrorCode::UNKNOWN_USER);
        }
        auto held =
            store.Query("SELECT count(*) FROM role_grants WHERE grantee_kind = 'USER' AND grantee = ?", {grantee});
        if (static_cast<size_t>(std::get<int64_t>(held[0][0])) >= kMaxRolesPerUser) {
            throw CatalogError("User '" + grantee + "' already holds " + std::to_string(kMaxRolesPerUser) +
                                   " roles, the most a user may",
                               ErrorCode::WRONG_ARGUMENTS);
        }
    } else {
        if (!RoleExists(grantee)) throw CatalogError("Role '" + grantee + "' does not exist", ErrorCode::UNKNOWN_USER);
        // No cycles: `grantee` must not be `role` or among what `role` inherits; and no more than
        // kMaxRoleDepth levels.
        auto edges = store.Query("SELECT grantee, role FROM role_grants WHERE grantee_kind = 'ROLE'");
        std::function<int(const std::string&, int)> depth_below = [&](const std::string& r, int depth) -> int {
            if (r == grantee) {
                throw CatalogError("Granting role '" + role + "' to role '" + grantee + "' would make a cycle of roles",
                                   ErrorCode::WRONG_ARGUMENTS);
            }
            if (depth > kMaxRoleDepth) return depth;
            int deepest = depth;
            for (const auto& e : edges) {
                if (AsText(e[0]) == r) deepest = std::max(deepest, depth_below(AsText(e[1]), depth + 1));
            }
            return deepest;
        };
        int below = depth_below(role, 1);
        int above = 0;
        std::function<void(const std::string&, int)> up = [&](const std::string& r, int depth) {
            above = std::max(above, depth);
            if (depth > kMaxRoleDepth) return;
            for (const auto& e : edges) {
                if (AsText(e[1]) == r) up(AsText(e[0]), depth + 1);
            }
        };
        up(grantee, 0);
        if (below + above > kMaxRoleDepth) {
            throw CatalogError("Granting role '" + role + "' to role '" + grantee + "' would nest roles more than " +
                                   std::to_string(kMaxRoleDepth) + " levels deep",
                               ErrorCode::WRONG_ARGUMENTS);
        }
    }
    store.Execute("INSERT OR IGNORE INTO role_grants(grantee_kind, grantee, role) VALUES(?, ?, ?)",
                  {grantee_kind, grantee, role});
    generation_.fetch_add(1);
}

void AccessControl::RevokeRole(const std::string& role, const std::string& grantee_kind, const std::string& grantee) {
    if (AsciiEqualsIgnoreCase(role, "public")) {
        throw CatalogError("the public role cannot be revoked", ErrorCode::WRONG_ARGUMENTS);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    int64_t n = catalog_.store().Execute("DELETE FROM role_grants WHERE grantee_kind = ? AND grantee = ? AND role = ?",
                                         {grantee_kind, grantee, role});
    if (n == 0) {
        throw CatalogError("Role '" + role + "' is not granted to " + AsciiLower(grantee_kind) + " '" + grantee + "'",
                           ErrorCode::WRONG_ARGUMENTS);
    }
    generation_.fetch_add(1);
}

void AccessControl::Grant(const PrivilegeGrant& g) {
    std::lock_guard<std::mutex> lock(mutex_);
    MetaStore& store = catalog_.store();
    store.Transaction([&] {
        // A grant repeated WITH GRANT OPTION gains the option; repeated without it keeps it.
        store.Execute(
            "INSERT INTO privilege_grants(grantee_kind, grantee, object_type, object_db, object_id, object_name, "
            "privilege, grantable) VALUES(?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(grantee_kind, grantee, object_type, object_db, object_id, object_name, privilege) "
            "DO UPDATE SET grantable = max(grantable, excluded.grantable)",
            {g.grantee_kind, g.grantee, TypeText(g.object.type), g.object.db_id, g.object.id, g.object.name,
             g.privilege, int64_t{g.grantable}});
    });
    generation_.fetch_add(1);
}

bool AccessControl::Revoke(const PrivilegeGrant& g) {
    std::lock_guard<std::mutex> lock(mutex_);
    MetaStore& store = catalog_.store();
    int64_t n = 0;
    store.Transaction([&] {
        std::string privilege_filter = g.privilege == "ALL" ? "" : " AND privilege IN (?, 'ALL')";
        std::vector<MetaValue> params = {g.grantee_kind, g.grantee,   TypeText(g.object.type),
                                         g.object.db_id, g.object.id, g.object.name};
        if (g.privilege != "ALL") {
            // Revoking one privilege of an ALL grant keeps the others.
            auto all = store.Query(
                "SELECT grantable FROM privilege_grants WHERE grantee_kind = ? AND grantee = ? AND object_type = ? "
                "AND object_db = ? AND object_id = ? AND object_name = ? AND privilege = 'ALL'",
                params);
            if (!all.empty()) {
                for (const auto& p : PrivilegesOf(g.object.type)) {
                    if (p == g.privilege) continue;
                    store.Execute(
                        "INSERT OR IGNORE INTO privilege_grants(grantee_kind, grantee, object_type, object_db, "
                        "object_id, object_name, privilege, grantable) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
                        {g.grantee_kind, g.grantee, TypeText(g.object.type), g.object.db_id, g.object.id, g.object.name,
                         p, all[0][0]});
                }
            }
            params.push_back(g.privilege);
        }
        n = store.Execute(
            "DELETE FROM privilege_grants WHERE grantee_kind = ? AND grantee = ? AND object_type = ? AND object_db = ? "
            "AND object_id = ? AND object_name = ?" +
                privilege_filter,
            params);
    });
    generation_.fetch_add(1);
    return n > 0;
}

void AccessControl::SetDefaultRoles(const std::string& user, const std::string& roles) {
    std::lock_guard<std::mutex> lock(mutex_);
    int64_t n = catalog_.store().Execute("UPDATE users SET default_roles = ? WHERE name = ?", {roles, user});
    if (n == 0) throw CatalogError("User '" + user + "'@'%' does not exist", ErrorCode::UNKNOWN_USER);
    generation_.fetch_add(1);
}

std::vector<PrivilegeGrant> AccessControl::ListGrants(bool with_names) {
    std::vector<PrivilegeGrant> out;
    // Names for SHOW GRANTS and the grant views come from the current catalog; checks go by id
    // and skip reading every table's name.
    std::map<int64_t, std::string> db_names, table_names;
    if (with_names) {
        for (const auto& d : catalog_.store().Query("SELECT id, name FROM databases")) {
            db_names[std::get<int64_t>(d[0])] = AsText(d[1]);
        }
        for (const auto& t : catalog_.store().Query("SELECT id, name FROM tables")) {
            table_names[std::get<int64_t>(t[0])] = AsText(t[1]);
        }
    }
    for (const auto& r : catalog_.store().Query(
             "SELECT grantee_kind, grantee, object_type, object_db, object_id, object_name, privilege, grantable "
             "FROM privilege_grants ORDER BY grantee_kind, grantee, object_type, object_db, object_id, object_name, "
             "privilege")) {
        auto type = TypeFromText(AsText(r[2]));
        if (!type) continue;
        PrivilegeGrant g;
        g.grantee_kind = AsText(r[0]);
        g.grantee = AsText(r[1]);
        g.object.type = *type;
        g.object.db_id = std::get<int64_t>(r[3]);
        g.object.id = std::get<int64_t>(r[4]);
        g.object.name = AsText(r[5]);
        if (with_names && g.object.db_id >= 0) g.object.db = db_names[g.object.db_id];
        if (with_names && g.object.id >= 0) g.object.name = table_names[g.object.id];
        g.privilege = AsText(r[6]);
        g.grantable = std::get<int64_t>(r[7]) != 0;
        out.push_back(std::move(g));
    }
    return out;
}

std::vector<RoleGrant> AccessControl::ListRoleGrants() {
    std::vector<RoleGrant> out;
    for (const auto& r : catalog_.store().Query(
             "SELECT grantee_kind, grantee, role FROM role_grants ORDER BY grantee_kind, grantee, role")) {
        out.push_back({AsText(r[0]), AsText(r[1]), AsText(r[2])});
    }
    return out;
}

void ThrowPrivilegeDenied(std::string_view privilege, const PrivilegeObject& object,
                          const std::vector<std::string>& active_roles,
                          const std::vector<std::string>& inactive_roles) {
    std::string what = std::string(ObjectTypeName(object.type));
    switch (object.type) {
        case ObjectType::SYSTEM:
            break;
        case ObjectType::DATABASE:
            what += " " + object.db;
            break;
        default:
            if (!object.name.empty()) what += " " + object.name;
            break;
    }
    auto list = [](const std::vector<std::string>& roles) {
        std::string s;
        for (const auto& r : roles) s += (s.empty() ? "" : ", ") + r;
        return "[" + s + "]";
    };
    throw PermissionError("Access denied; you need (at least one of) the " + std::string(privilege) +
                              " privilege(s) on " + what +
                              " for this operation. Please ask the admin to grant permission(s) or try activating "
                              "existing roles using <set [default] role>. Current role(s): " +
                              list(active_roles) + ". Inactivated role(s): " + list(inactive_roles) + ".",
                          ErrorCode::PRIVILEGE_DENIED);
}

}  // namespace floe
