#pragma once
/// The materialized views a query may be answered from (issue 21): for every active MV the
/// session can see, its defining query bound (without privilege checks: the user's own query is
/// checked, and the MV's creator was checked at CREATE) and planned, a scan of its storage table
/// at the current version, and whether it may answer queries now (active, refreshed, fresh
/// enough under its query_rewrite_consistency and mv_rewrite_staleness_second, or compensable by a
/// union with its stale base partitions). Cached per catalog generation. The optimizer's
/// mv_rewrite pass matches them (optimizer/mv_rewrite.h).
///
/// Session variables (StarRocks' names):
/// - enable_materialized_view_rewrite (true): false switches the rewrite off.
/// - enable_rule_based_materialized_view_rewrite (true): Floe's rewrite is the rule-based (SPJG)
///   one, so false switches it off as well.
/// - materialized_view_rewrite_mode (default): disable switches it off; default and force rewrite
///   whenever an MV matches (Floe picks the MV with the fewest rows and does not cost the plan
///   without it); default_or_error and force_or_error make a query no MV answered fail with the
///   reasons.
/// - enable_materialized_view_union_rewrite (true): a stale MV whose changes since its refresh all
///   lie in range or list partitions of one hot base table (read once by its definition, whose
///   partition column is one of the MV's columns as it is) answers with its rows outside those
///   partitions UNION ALL its definition over them; false: a stale MV is not used.

#include <cstdint>
#include <memory>
#include <string>

#include "binder/client_context.h"
#include "optimizer/mv_rewrite.h"

namespace floe {

/// Forwards every call to another ClientContext, for binding with a twist: without privilege
/// checks (an MV's definition), and noting whether the binder read the statement's time (NOW(),
/// CURRENT_DATE and the like fold into constants, so a plan no longer shows them).
class MvBindingContext : public ClientContext {
  public:
    MvBindingContext(ClientContext& inner, bool check_privileges) : inner_(inner), check_(check_privileges) {}
    /// Whether the statement's time was read while binding.
    bool read_time() const { return read_time_; }

    Catalog& catalog() override { return inner_.catalog(); }
    const std::string& CurrentDatabase() const override { return inner_.CurrentDatabase(); }
    std::string UserAndHost() const override { return inner_.UserAndHost(); }
    uint32_t ConnectionId() const override { return inner_.ConnectionId(); }
    std::string LastQueryId() const override { return inner_.LastQueryId(); }
    std::optional<std::string> QueryProfileText(const std::string& query_id) override {
        return inner_.QueryProfileText(query_id);
    }
    Value GetVariable(ast::VariableScope scope, const std::string& name) const override {
        return inner_.GetVariable(scope, name);
    }
    int64_t StatementStartMicros() const override {
        read_time_ = true;
        return inner_.StatementStartMicros();
    }
    FilesDescription DescribeFiles(const std::vector<std::pair<std::string, std::string>>& properties) override {
        return inner_.DescribeFiles(properties);
    }
    std::string CurrentCatalog() const override { return inner_.CurrentCatalog(); }
    std::shared_ptr<const TableSource> OpenTable(const std::string& catalog, const std::string& database,
                                                 const std::string& table, const ast::TimeTravel& travel,
                                                 bool check_privileges = true) override {
        return inner_.OpenTable(catalog, database, table, travel, check_privileges);
    }
    TableRows OpenMetadataTable(const std::string& catalog, const std::string& database, const std::string& table,
                                const std::string& kind, const ast::TimeTravel& travel) override {
        return inner_.OpenMetadataTable(catalog, database, table, kind, travel);
    }
    const std::string& DataDirectory() const override { return inner_.DataDirectory(); }
    void RequirePrivilege(std::string_view privilege, const PrivilegeObject& object) override {
        if (check_) inner_.RequirePrivilege(privilege, object);
    }
    bool HasPrivilege(std::string_view privilege, const PrivilegeObject& object) override {
        return !check_ || inner_.HasPrivilege(privilege, object);
    }
    AccessControl& access() override { return inner_.access(); }
    std::string UserName() const override { return inner_.UserName(); }
    std::vector<std::string> ActiveRoles() const override { return inner_.ActiveRoles(); }
    std::vector<std::vector<Value>> AuditRows() override { return inner_.AuditRows(); }
    bool CanSee(const PrivilegeObject& object) override { return !check_ || inner_.CanSee(object); }
    bool CanSeeDatabase(int64_t database_id) override { return !check_ || inner_.CanSeeDatabase(database_id); }
    bool ServerTable(std::string_view name, struct BoundValuesSource& out) override {
        return inner_.ServerTable(name, out);
    }

  private:
    ClientContext& inner_;
    bool check_;
    mutable bool read_time_ = false;
};

/// An MV as a candidate: `query` (its defining SELECT, names resolving in `database`) bound
/// without privilege checks and planned, and a scan of the hot table `database`.`table` at its
/// current version. Throws what binding throws (a definition that no longer binds).
MvCandidate MakeMvCandidate(ClientContext& context, const std::string& name, const std::string& database,
                            const std::string& query, const std::string& table);

/// The candidates for one query of a session, and the session's settings: every MV of the
/// instance the session can see. Null when the session switched the rewrite off and there is
/// nothing to report (no MV at all).
std::unique_ptr<MvRewriteContext> BuildMvRewriteContext(ClientContext& context);

/// Throws when the session asked for queries no MV answered to fail (materialized_view_rewrite_mode
/// default_or_error / force_or_error) and `mv` (after optimization) used none; the message lists
/// why each candidate was not used.
void RequireMvRewrite(ClientContext& context, const MvRewriteContext* mv);

/// The lines EXPLAIN ends with: "MaterializedView: used db.mv" for each MV used, then
/// "MaterializedView: db.mv2 not used: <reason>" for each other candidate (each line ends in \n).
std::string MvReportText(const MvRewriteContext& mv);

}  // namespace floe
