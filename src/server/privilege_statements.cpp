// GRANT / REVOKE, CREATE / DROP ROLE, SET ROLE, SET DEFAULT ROLE and SHOW GRANTS: names in a
// statement resolve to objects by id (catalog/access_control.h), and the grantor must hold what it
// grants WITH GRANT OPTION unless it holds the GRANT privilege (user_admin, root).
#include <algorithm>

#include "binder/client_context.h"
#include "binder/system_tables.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "server/instance.h"
#include "server/result_builder.h"
#include "server/session.h"
#include "server/statement_executor.h"

namespace floe {

namespace {

std::optional<ObjectType> ObjectTypeFromText(const std::string& text) {
    for (int i = 0; i <= static_cast<int>(ObjectType::USER); ++i) {
        auto t = static_cast<ObjectType>(i);
        if (ObjectTypeName(t) == text) return t;
    }
    return std::nullopt;
}

/// The objects a GRANT / REVOKE names, resolved to ids.
std::vector<PrivilegeObject> ResolveObjects(Session& session, const ast::GrantStatement& s, ObjectType type) {
    Catalog& catalog = session.instance().catalog();
    std::vector<PrivilegeObject> out;
    auto database = [&](const std::string& name) {
        std::string db = name.empty() ? session.current_database() : name;
        if (db.empty()) throw CatalogError("No database selected", ErrorCode::NO_DATABASE_SELECTED);
        auto info = catalog.GetDatabase(db);
        if (!info) throw CatalogError("Unknown database '" + db + "'", ErrorCode::UNKNOWN_DATABASE);
        return *info;
    };
    switch (type) {
        case ObjectType::SYSTEM:
            out.push_back(ClientContext::SystemObject());
            break;
        case ObjectType::CATALOG:
            if (s.all_objects) {
                PrivilegeObject o;
                o.type = ObjectType::CATALOG;
                out.push_back(o);
            }
            for (const auto& [db, name] : s.objects) {
                if (AsciiEqualsIgnoreCase(name, "default_catalog")) {
                    out.push_back(ClientContext::CatalogObject());
                    continue;
                }
                if (!session.instance().catalog().GetExternalCatalog(name)) {
                    throw CatalogError("Unknown catalog '" + name + "'", ErrorCode::UNKNOWN_DATABASE);
                }
                out.push_back(ClientContext::CatalogObject(name));
            }
            break;
        case ObjectType::DATABASE:
            if (s.all_objects) {
                PrivilegeObject o;
                o.type = ObjectType::DATABASE;
                out.push_back(o);
            }
            for (const auto& [db, name] : s.objects) out.push_back(ClientContext::DatabaseObject(database(name)));
            break;
        case ObjectType::TABLE:
        case ObjectType::VIEW:
        case ObjectType::MATERIALIZED_VIEW:
        case ObjectType::FUNCTION:
            if (s.all_objects) {
                PrivilegeObject o;
                o.type = type;
                if (!s.in_all_databases) {
                    DatabaseInfo d = database(s.in_database);
                    o.db_id = d.id;
                    o.db = d.name;
                }
                out.push_back(o);
            }
            for (const auto& [db, name] : s.objects) {
                if (type == ObjectType::FUNCTION) {
                    throw CatalogError("Function '" + name + "' does not exist (Floe has no user-defined functions)",
                                       ErrorCode::UNKNOWN_FUNCTION);
                }
                DatabaseInfo d = database(db.empty() ? s.in_database : db);
                auto table = catalog.GetTable(d.name, name);
                if (!table) {
                    throw CatalogError("Table '" + d.name + "." + name + "' doesn't exist", ErrorCode::UNKNOWN_TABLE);
                }
                PrivilegeObject o = ClientContext::TableObject(*table);
                if (type == ObjectType::MATERIALIZED_VIEW && catalog.GetMaterializedView(table->id)) {
                    o.type = ObjectType::MATERIALIZED_VIEW;  // an MV's storage table is the MV
                }
                if (o.type != type) {
                    throw CatalogError("'" + d.name + "." + name + "' is a " + AsciiLower(ObjectTypeName(o.type)) +
                                           ", not a " + AsciiLower(ObjectTypeName(type)),
                                       ErrorCode::WRONG_ARGUMENTS);
                }
                out.push_back(o);
            }
            break;
        case ObjectType::USER:
            for (const auto& [db, name] : s.objects) {
                if (!catalog.GetUser(name)) {
                    throw CatalogError("User '" + name + "'@'%' does not exist", ErrorCode::UNKNOWN_USER);
                }
                PrivilegeObject o;
                o.type = ObjectType::USER;
                o.name = name;
                out.push_back(o);
            }
            break;
        default:
            // Global functions, resource groups, resources and storage volumes: Floe has none yet,
            // so only the ALL forms can be granted (they cover the ones to come).
            if (s.all_objects) {
                PrivilegeObject o;
                o.type = type;
                out.push_back(o);
            }
            if (!s.objects.empty()) {
                throw CatalogError(std::string(ObjectTypeName(type)) + " '" + s.objects[0].second + "' does not exist",
                                   ErrorCode::WRONG_ARGUMENTS);
            }
            break;
    }
    return out;
}

}  // namespace

void StatementExecutor::RequireVisible(const TableInfo& table) {
    PrivilegeObject object = ClientContext::TableObject(table);
    if (!context_.CanSee(object)) session_.RequirePrivilege("ANY", object);
}

QueryResult StatementExecutor::Grant(const ast::GrantStatement& s) {
    AccessControl& access = session_.instance().access();
    Catalog& catalog = session_.instance().catalog();
    const std::string verb = s.revoke ? "REVOKE" : "GRANT";
    // The grantee.
    if (s.grantee_kind == "ROLE") {
        if (!access.RoleExists(s.grantee.name)) {
            throw CatalogError("Role '" + s.grantee.name + "' does not exist", ErrorCode::UNKNOWN_USER);
        }
    } else if (!catalog.GetUser(s.grantee.name)) {
        throw CatalogError("User '" + s.grantee.name + "'@'" + s.grantee.host + "' does not exist",
                           ErrorCode::UNKNOWN_USER);
    }
    if (!s.roles.empty()) {
        // Roles are granted by user_admin (the GRANT privilege) only.
        session_.RequirePrivilege("GRANT", ClientContext::SystemObject());
        for (const auto& role : s.roles) {
            if (s.revoke) {
                access.RevokeRole(role, s.grantee_kind, s.grantee.name);
            } else {
                access.GrantRole(role, s.grantee_kind, s.grantee.name);
            }
        }
        return QueryResult{};
    }
    auto type = ObjectTypeFromText(s.object_type);
    if (!type) throw ParserError("unknown object type " + s.object_type, ErrorCode::PARSE);
    const auto& valid = PrivilegesOf(*type);
    for (const auto& p : s.privileges) {
        if (p != "ALL" && std::find(valid.begin(), valid.end(), p) == valid.end()) {
            std::string list;
            for (const auto& v : valid) list += (list.empty() ? "" : ", ") + v;
            throw BinderError(verb + ": " + p + " is not a privilege of " + std::string(ObjectTypeName(*type)) +
                                  " (it has " + list + ", ALL)",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        if (*type == ObjectType::SYSTEM && (p == "NODE" || p == "GRANT" || p == "ALL")) {
            throw BinderError(verb + ": the " + p +
                                  " privilege on SYSTEM cannot be granted directly; grant the cluster_admin (NODE) "
                                  "or user_admin (GRANT) role instead",
                              ErrorCode::WRONG_ARGUMENTS);
        }
    }
    std::vector<PrivilegeObject> objects = ResolveObjects(session_, s, *type);
    const PrivilegeSet& mine = session_.Privileges();
    for (const auto& object : objects) {
        for (const auto& p : s.privileges) {
            if (!mine.CanGrant(p, object)) {
                // Only what one holds WITH GRANT OPTION may be passed on (user_admin may grant all).
                std::vector<std::string> active = session_.active_roles();
                active.push_back("public");
                ThrowPrivilegeDenied(p + " WITH GRANT OPTION",
                                     object.type == ObjectType::SYSTEM ? ClientContext::SystemObject() : object, active,
                                     session_.InactiveRoles());
            }
        }
    }
    bool revoked_any = false;
    for (const auto& object : objects) {
        for (const auto& p : s.privileges) {
            PrivilegeGrant g;
            g.grantee_kind = s.grantee_kind;
            g.grantee = s.grantee.name;
            g.object = object;
            g.privilege = p;
            g.grantable = s.with_grant_option;
            if (s.revoke) {
                revoked_any |= access.Revoke(g);
            } else {
                access.Grant(g);
            }
        }
    }
    if (s.revoke && !revoked_any) {
        throw CatalogError(
            "There is no such grant defined for " + AsciiLower(s.grantee_kind) + " '" + s.grantee.name + "'",
            ErrorCode::WRONG_ARGUMENTS);
    }
    return QueryResult{};
}

QueryResult StatementExecutor::RoleDdl(const ast::RoleStatement& s) {
    session_.RequirePrivilege("GRANT", ClientContext::SystemObject());
    AccessControl& access = session_.instance().access();
    for (const auto& role : s.roles) {
        if (s.kind == ast::StatementKind::CREATE_ROLE) {
            access.CreateRole(role, s.if_clause);
        } else {
            access.DropRole(role, s.if_clause);
        }
    }
    return QueryResult{};
}

QueryResult StatementExecutor::SetRole(const ast::SetRoleStatement& s) {
    AccessControl& access = session_.instance().access();
    using Mode = ast::SetRoleStatement::Mode;
    std::vector<std::string> roles;
    switch (s.mode) {
        case Mode::DEFAULT:
            roles = access.DefaultRoles(session_.user());
            break;
        case Mode::NONE:
            break;
        case Mode::ALL:
            for (const auto& r : access.GrantedRoles(session_.user())) {
                bool excepted = std::any_of(s.roles.begin(), s.roles.end(),
                                            [&](const std::string& e) { return AsciiEqualsIgnoreCase(e, r); });
                if (!excepted) roles.push_back(r);
            }
            break;
        case Mode::LIST:
            roles = s.roles;
            break;
    }
    session_.SetActiveRoles(std::move(roles));
    return QueryResult{};
}

QueryResult StatementExecutor::SetDefaultRole(const ast::SetDefaultRoleStatement& s) {
    if (!AsciiEqualsIgnoreCase(s.user.name, session_.user())) {
        session_.RequirePrivilege("GRANT", ClientContext::SystemObject());
    }
    ApplyDefaultRoles(s.user.name, s.roles);
    return QueryResult{};
}

void StatementExecutor::ApplyDefaultRoles(const std::string& user, const std::string& roles) {
    AccessControl& access = session_.instance().access();
    if (!roles.empty() && !AsciiEqualsIgnoreCase(roles, "ALL")) {
        std::vector<std::string> granted = access.GrantedRoles(user);
        size_t start = 0;
        while (start <= roles.size()) {
            size_t comma = roles.find(',', start);
            std::string role = roles.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (std::find(granted.begin(), granted.end(), role) == granted.end()) {
                throw CatalogError("Role '" + role + "' is not granted to user '" + user + "'",
                                   ErrorCode::WRONG_ARGUMENTS);
            }
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    access.SetDefaultRoles(user, AsciiEqualsIgnoreCase(roles, "ALL") ? "ALL" : roles);
}

QueryResult StatementExecutor::ShowGrants(const ast::ShowStatement& s) {
    AccessControl& access = session_.instance().access();
    const bool for_role = !s.grants_for_role.empty();
    const std::string who =
        for_role ? s.grants_for_role : (s.grants_for_user.empty() ? session_.user() : s.grants_for_user);
    if (for_role || !AsciiEqualsIgnoreCase(who, session_.user())) {
        session_.RequirePrivilege("GRANT", ClientContext::SystemObject());
    }
    if (for_role && !access.RoleExists(who)) {
        throw CatalogError("Role '" + who + "' does not exist", ErrorCode::UNKNOWN_USER);
    }
    if (!for_role && !session_.instance().catalog().GetUser(who)) {
        throw CatalogError("User '" + who + "'@'%' does not exist", ErrorCode::UNKNOWN_USER);
    }
    const std::string kind = for_role ? "ROLE" : "USER";
    const std::string identity = for_role ? who : "'" + who + "'@'%'";
    ResultBuilder rb;
    rb.AddColumn(for_role ? "RoleName" : "UserIdentity");
    rb.AddColumn("Catalog");
    rb.AddColumn("Grants", LogicalType::Varchar(4096));
    std::string roles;
    for (const auto& r : access.ListRoleGrants()) {
        if (r.grantee_kind == kind && r.grantee == who) roles += (roles.empty() ? "'" : ", '") + r.role + "'";
    }
    if (!roles.empty()) {
        rb.AddRow({Value::Varchar(identity), Value::Null(LogicalType::Varchar()),
                   Value::Varchar("GRANT " + roles + " TO " + (for_role ? "ROLE " : "") + identity)});
    }
    std::vector<PrivilegeGrant> grants = access.ListGrants();
    for (size_t i = 0; i < grants.size();) {
        const PrivilegeGrant& g = grants[i];
        std::vector<std::string> privileges;
        size_t j = i;
        for (; j < grants.size() && grants[j].grantee_kind == g.grantee_kind && grants[j].grantee == g.grantee &&
               grants[j].object.type == g.object.type && grants[j].object.db_id == g.object.db_id &&
               grants[j].object.id == g.object.id && grants[j].object.name == g.object.name &&
               grants[j].grantable == g.grantable;
             ++j) {
            privileges.push_back(grants[j].privilege);
        }
        if (g.grantee_kind == kind && g.grantee == who) {
            bool data = g.object.type != ObjectType::SYSTEM && g.object.type != ObjectType::USER;
            rb.AddRow({Value::Varchar(identity),
                       data ? Value::Varchar("default_catalog") : Value::Null(LogicalType::Varchar()),
                       Value::Varchar(GrantStatementText(g, privileges))});
        }
        i = j;
    }
    return rb.Build();
}

}  // namespace floe
