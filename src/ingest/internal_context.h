#pragma once
/// The ClientContext that statements run by Floe itself (compaction, Stream Load transforms) bind
/// in: no session, a database, no variables, root as the user.

#include <chrono>
#include <string>

#include "binder/client_context.h"
#include "execution/operator/physical_file_scan.h"

namespace floe {

/// The context internal statements bind in: no session, the table's database, no variables.
class InternalContext : public ClientContext {
  public:
    InternalContext(Catalog& catalog, std::string database, std::string data_dir)
        : catalog_(catalog), database_(std::move(database)), data_dir_(std::move(data_dir)) {}
    Catalog& catalog() override { return catalog_; }
    const std::string& CurrentDatabase() const override { return database_; }
    std::string UserAndHost() const override { return "root@localhost"; }
    uint32_t ConnectionId() const override { return 0; }
    /// Only time_zone has a value (Stream Load's timezone header); every other variable is NULL.
    Value GetVariable(ast::VariableScope, const std::string& name) const override {
        if (name == "time_zone" && !time_zone_.empty()) return Value::Varchar(time_zone_);
        return Value::Null();
    }
    void set_time_zone(std::string zone) { time_zone_ = std::move(zone); }
    int64_t StatementStartMicros() const override {
        return std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
    FilesDescription DescribeFiles(const std::vector<std::pair<std::string, std::string>>& properties) override {
        return floe::DescribeFiles(properties);
    }
    const std::string& DataDirectory() const override { return data_dir_; }

    /// Statements Floe runs for itself (compaction, merges) may read anything; a load's
    /// expressions run with the rights of the user who loads (ActAs), so a `columns` or `where`
    /// header cannot read what that user could not.
    void ActAs(std::shared_ptr<const PrivilegeSet> privileges, std::vector<std::string> roles) {
        privileges_ = std::move(privileges);
        roles_ = std::move(roles);
    }
    void RequirePrivilege(std::string_view privilege, const PrivilegeObject& object) override {
        if (privileges_ && !privileges_->Has(privilege, object)) ThrowPrivilegeDenied(privilege, object, roles_, {});
    }
    bool CanSee(const PrivilegeObject& object) override { return !privileges_ || privileges_->HasAny(object); }
    bool HasPrivilege(std::string_view privilege, const PrivilegeObject& object) override {
        return !privileges_ || privileges_->Has(privilege, object);
    }
    AccessControl& access() override { return access_; }
    std::string UserName() const override { return "root"; }
    std::vector<std::string> ActiveRoles() const override { return roles_; }
    std::vector<std::vector<Value>> AuditRows() override { return {}; }
    bool CanSeeDatabase(int64_t database_id) override {
        return !privileges_ || privileges_->HasAnyInDatabase(database_id);
    }

  private:
    std::shared_ptr<const PrivilegeSet> privileges_;
    std::vector<std::string> roles_;
    AccessControl access_{catalog_};
    Catalog& catalog_;
    std::string database_;
    std::string data_dir_;
    std::string time_zone_;
};

}  // namespace floe
