#pragma once
/// StarRocks' privilege model (role-based, v3): privileges on objects (the system, catalogs,
/// databases, tables, views, materialized views, functions, resource groups, users) granted to
/// users and roles, roles granted to users and roles, and the built-in roles (root, cluster_admin,
/// db_admin, user_admin, security_admin, public). Grants are kept in the meta store and name their
/// objects by id, so a table dropped and created again does not keep them.
///
/// A session asks Effective(user, active roles) for a PrivilegeSet and checks against it; every
/// change to grants bumps generation(), so sessions know when to ask again. Only active roles
/// count (SET ROLE), as in StarRocks; public is always active and cannot be revoked.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"

namespace floe {

enum class ObjectType : uint8_t {
    SYSTEM,
    CATALOG,
    DATABASE,
    TABLE,
    VIEW,
    MATERIALIZED_VIEW,
    FUNCTION,
    GLOBAL_FUNCTION,
    RESOURCE_GROUP,
    RESOURCE,
    STORAGE_VOLUME,
    USER,
};

/// "TABLE", "MATERIALIZED VIEW", ... as StarRocks spells object types in grants and errors.
std::string_view ObjectTypeName(ObjectType type);
/// The privileges an object type has, upper case ("SELECT", "CREATE TABLE", ...), without ALL.
const std::vector<std::string>& PrivilegesOf(ObjectType type);

/// One object a privilege is held on or asked for. Ids of -1 mean "all" in a grant (ALL TABLES IN
/// DATABASE d: db set, id -1); a check always names one object.
struct PrivilegeObject {
    ObjectType type = ObjectType::SYSTEM;
    int64_t db_id = -1;  // DATABASE, TABLE, VIEW, MATERIALIZED_VIEW, FUNCTION
    int64_t id = -1;     // TABLE, VIEW, MATERIALIZED_VIEW: the table id
    std::string db;      // names, for messages and SHOW GRANTS
    std::string name;    // table/view name; catalog, function, resource group or user name
};

/// One stored grant.
struct PrivilegeGrant {
    std::string grantee_kind;  // USER or ROLE
    std::string grantee;
    PrivilegeObject object;
    std::string privilege;  // upper case, or ALL
    bool grantable = false;
};

struct RoleGrant {
    std::string grantee_kind;  // USER or ROLE
    std::string grantee;
    std::string role;
};

/// What one user holds with a set of active roles.
class PrivilegeSet {
  public:
    /// Whether `privilege` is held on `object` (by a grant on it, on all objects of its kind in its
    /// database or in every database, or through a built-in role).
    bool Has(std::string_view privilege, const PrivilegeObject& object) const;
    /// Whether it is held WITH GRANT OPTION (user_admin and root may grant anything).
    bool CanGrant(std::string_view privilege, const PrivilegeObject& object) const;
    /// Whether any privilege at all is held on the object (what SHOW and information_schema list).
    bool HasAny(const PrivilegeObject& object) const;
    /// Whether any privilege is held on the database or on anything in it (USE, SHOW DATABASES).
    bool HasAnyInDatabase(int64_t db_id) const;
    bool is_root() const { return root_; }

  private:
    friend class AccessControl;
    bool root_ = false;
    bool db_admin_ = false;
    std::set<std::string> system_;        // SYSTEM privileges from built-in roles
    std::vector<PrivilegeGrant> grants_;  // from the user and its active roles
};

class AccessControl {
  public:
    explicit AccessControl(Catalog& catalog) : catalog_(catalog) {}

    static bool IsBuiltinRole(std::string_view role);

    /// Bumped by every change; a session holding an older set asks again.
    uint64_t generation() const { return generation_.load(); }
    /// A change made outside (a user dropped): sessions re-read their privileges.
    void Invalidate() { generation_.fetch_add(1); }

    std::shared_ptr<const PrivilegeSet> Effective(const std::string& user, const std::vector<std::string>& roles);
    /// The roles a user may activate: granted directly (with public), not those inherited.
    std::vector<std::string> GrantedRoles(const std::string& user);
    /// The roles active at login: the user's default roles that are still granted.
    std::vector<std::string> DefaultRoles(const std::string& user);

    bool RoleExists(std::string_view role);
    void CreateRole(const std::string& role, bool if_not_exists);
    void DropRole(const std::string& role, bool if_exists);
    std::vector<std::string> ListRoles();

    /// Grants `role` to a user or role; refuses cycles, more than 16 levels and more than 64 roles
    /// per user.
    void GrantRole(const std::string& role, const std::string& grantee_kind, const std::string& grantee);
    void RevokeRole(const std::string& role, const std::string& grantee_kind, const std::string& grantee);
    void Grant(const PrivilegeGrant& grant);
    /// Removes the grant (and, for a privilege held WITH GRANT OPTION, the option with it).
    /// Returns false when there was nothing to revoke.
    bool Revoke(const PrivilegeGrant& grant);
    /// Sets a user's default roles: "" none, "ALL", or names joined by commas.
    void SetDefaultRoles(const std::string& user, const std::string& roles);

    /// Every grant; `with_names` fills in the current names of the databases and tables they
    /// name (SHOW GRANTS), which checks do not need.
    std::vector<PrivilegeGrant> ListGrants(bool with_names = true);
    std::vector<RoleGrant> ListRoleGrants();

  private:
    Catalog& catalog_;
    std::atomic<uint64_t> generation_{1};
    std::mutex mutex_;
};

/// The error StarRocks gives for a missing privilege (5203, 42000): "Access denied; you need (at
/// least one of) the SELECT privilege(s) on TABLE t for this operation. ...".
[[noreturn]] void ThrowPrivilegeDenied(std::string_view privilege, const PrivilegeObject& object,
                                       const std::vector<std::string>& active_roles,
                                       const std::vector<std::string>& inactive_roles);

}  // namespace floe
