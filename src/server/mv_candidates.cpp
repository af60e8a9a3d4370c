#include "server/mv_candidates.h"

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <optional>

#include "binder/binder.h"
#include "binder/table_schema.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "mv/mv_state.h"
#include "parser/parser.h"
#include "planner/planner.h"

namespace floe {

namespace {

constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000 * 1000;

std::string Setting(ClientContext& context, const char* name) {
    try {
        return AsciiLower(context.GetVariable(ast::VariableScope::DEFAULT, name).ToString());
    } catch (const Exception&) {
        return "";
    }
}

bool SettingOn(ClientContext& context, const char* name) {
    std::string v = Setting(context, name);
    return !(v == "0" || v == "false" || v == "off");
}

std::string Property(const MaterializedViewInfo& mv, const char* key) {
    auto it = mv.properties.find(key);
    return it == mv.properties.end() ? "" : AsciiLower(it->second);
}

/// Why the session does not rewrite at all ("" when it does).
std::string DisabledReason(ClientContext& context) {
    if (!SettingOn(context, "enable_materialized_view_rewrite")) return "enable_materialized_view_rewrite is false";
    if (!SettingOn(context, "enable_rule_based_materialized_view_rewrite")) {
        return "enable_rule_based_materialized_view_rewrite is false";
    }
    if (Setting(context, "materialized_view_rewrite_mode") == "disable")
        return "materialized_view_rewrite_mode is disable";
    return "";
}

/// What one MV's record says, as of one catalog generation: everything about it that changes
/// only when an MV record or a table's data changes (the freshness of its data, its bound
/// definition), so that a query does not read the meta store or bind definitions again.
struct CachedMv {
    MaterializedViewInfo info;
    std::optional<TableInfo> table;  // its storage table
    std::string unusable;            // why it may not answer whatever the time ("" when it may)
    bool fresh = true;               // fresh, or its consistency does not ask (loose, force_mv)
    std::string stale_reason;
    int64_t allowed_staleness = -1;  // mv_rewrite_staleness_second; -1: none
    /// The definition bound and planned, and its scan; null when it reads the current time (bound
    /// per query) or did not bind.
    std::shared_ptr<const LogicalOperator> definition;
    std::function<LogicalOperatorPtr()> scan;
    bool reads_current_time = false;
};

struct MvCache {
    const Catalog* catalog = nullptr;
    uint64_t generation = 0;
    std::vector<CachedMv> views;
};

std::mutex cache_mutex;
std::shared_ptr<const MvCache> cache;

CachedMv Describe(ClientContext& context, const MaterializedViewInfo& mv) {
    Catalog& catalog = context.catalog();
    CachedMv out;
    out.info = mv;
    out.table = catalog.GetTable(mv.database, mv.name);
    std::string consistency = Property(mv, "query_rewrite_consistency");
    if (!mv.active) {
        out.unusable =
            "it is inactive" + (mv.inactive_reason.empty() ? std::string() : " (" + mv.inactive_reason + ")");
    } else if (Property(mv, "enable_query_rewrite") == "false") {
        out.unusable = "its enable_query_rewrite is false";
    } else if (consistency == "disable") {
        out.unusable = "its query_rewrite_consistency is disable";
    } else if (!mv.refreshed) {
        out.unusable = "it has never been refreshed";
    }
    if (!out.unusable.empty() || !out.table) return out;
    if (consistency != "loose" && consistency != "force_mv") {
        mv::Freshness freshness = mv::CheckFreshness(catalog, mv);
        out.fresh = freshness.fresh;
        out.stale_reason =
            freshness.reason.empty() ? "its base tables changed since its last refresh" : freshness.reason;
        std::string limit = Property(mv, "mv_rewrite_staleness_second");
        out.allowed_staleness = limit.empty() ? -1 : std::atoll(limit.c_str());
        if (!out.fresh && out.allowed_staleness < 0) return out;  // never usable: no need to bind
    }
    try {
        MvCandidate c = MakeMvCandidate(context, mv.name, mv.database, mv.query, mv.name);
        out.reads_current_time = c.reads_current_time;
        if (!out.reads_current_time) out.definition = std::shared_ptr<const LogicalOperator>(std::move(c.definition));
        out.scan = std::move(c.scan);
    } catch (const Exception& e) {
        out.unusable = std::string("its definition does not bind: ") + e.what();
    }
    return out;
}

/// The MVs as of the catalog's current generation (built by the first query that sees it).
std::shared_ptr<const MvCache> Snapshot(ClientContext& context) {
    Catalog& catalog = context.catalog();
    std::lock_guard<std::mutex> lock(cache_mutex);
    uint64_t generation = catalog.mv_generation();
    if (cache && cache->catalog == &catalog && cache->generation == generation) return cache;
    auto fresh = std::make_shared<MvCache>();
    fresh->catalog = &catalog;
    fresh->generation = generation;  // read before listing: a change meanwhile makes the next query list again
    MvBindingContext unchecked(context, false);
    for (const auto& mv : catalog.ListMaterializedViews()) fresh->views.push_back(Describe(unchecked, mv));
    cache = fresh;
    return cache;
}

}  // namespace

MvCandidate MakeMvCandidate(ClientContext& context, const std::string& name, const std::string& database,
                            const std::string& query, const std::string& table) {
    MvCandidate candidate;
    candidate.name = database + "." + name;
    MvBindingContext unchecked(context, false);
    ast::StatementPtr statement = Parser::ParseStatement(query);
    if (statement->kind != ast::StatementKind::SELECT) {
        throw BinderError("the definition of " + candidate.name + " is not a query", ErrorCode::WRONG_ARGUMENTS);
    }
    Binder binder(unchecked);
    auto bound = binder.BindQuery(*static_cast<const ast::SelectStatement&>(*statement).query, database);
    candidate.definition = Planner::PlanQuery(*bound);
    candidate.reads_current_time = unchecked.read_time();
    Catalog& catalog = context.catalog();
    auto info = catalog.GetTable(database, table);
    if (!info) throw CatalogError("Table '" + database + "." + table + "' doesn't exist", ErrorCode::UNKNOWN_TABLE);
    std::shared_ptr<const TableVersion> version = catalog.GetTableVersion(info->id);
    auto schema = std::make_shared<const TableSchema>(ParseTableDefinition(version->definition));
    std::string qualified = database + "." + info->name;
    std::string data_dir = context.DataDirectory();
    // The scan as the planner makes one for a hot table, at the version pinned now.
    candidate.scan = [version, schema, qualified, data_dir]() -> LogicalOperatorPtr {
        auto get = std::make_unique<LogicalGet>();
        get->table = qualified;
        get->version = version;
        get->schema = schema;
        if (schema->partitioned()) {
            get->partitions_total = get->partitions_selected = static_cast<int64_t>(version->partitions.size());
        }
        get->data_dir = data_dir;
        get->row_count = version->live_rows();
        get->types = schema->Types();
        get->table_types = get->types;
        for (size_t i = 0; i < get->types.size(); ++i) get->column_ids.push_back(i);
        return get;
    };
    return candidate;
}

std::unique_ptr<MvRewriteContext> BuildMvRewriteContext(ClientContext& context) {
    std::shared_ptr<const MvCache> views = Snapshot(context);
    if (views->views.empty()) return nullptr;
    auto result = std::make_unique<MvRewriteContext>();
    result->disabled_reason = DisabledReason(context);
    int64_t now_micros = context.StatementStartMicros();
    for (const CachedMv& mv : views->views) {
        if (!mv.table || !context.CanSee(ClientContext::TableObject(*mv.table))) continue;
        MvCandidate candidate;
        candidate.name = mv.info.database + "." + mv.info.name;
        candidate.usable = false;
        int64_t stale_seconds = std::max<int64_t>(0, (now_micros / 1000 - mv.info.refresh_time) / 1000);
        if (!result->disabled_reason.empty()) {
            candidate.reason = result->disabled_reason;
        } else if (!mv.unusable.empty()) {
            candidate.reason = mv.unusable;
        } else if (!mv.fresh && (mv.allowed_staleness < 0 || stale_seconds > mv.allowed_staleness)) {
            // How many seconds behind it is would make EXPLAIN differ from run to run: the limit only.
            candidate.reason = "it is stale: " + mv.stale_reason + " (" +
                               (mv.allowed_staleness >= 0
                                    ? "beyond mv_rewrite_staleness_second " + std::to_string(mv.allowed_staleness)
                                    : std::string("no mv_rewrite_staleness_second")) +
                               ")";
        } else if (mv.reads_current_time) {
            // A definition reading CURRENT_DATE or NOW() holds the rows of its refresh's day, bound
            // with this statement's time.
            if (mv.info.refresh_time * 1000 / kMicrosPerDay != now_micros / kMicrosPerDay) {
                candidate.reason = "its definition reads the current date or time and it was refreshed on another day";
            } else {
                try {
                    candidate = MakeMvCandidate(context, mv.info.name, mv.info.database, mv.info.query, mv.info.name);
                    candidate.usable = true;
                } catch (const Exception& e) {
                    candidate.reason = std::string("its definition does not bind: ") + e.what();
                }
            }
        } else {
            candidate.definition = CopyPlan(*mv.definition);
            candidate.scan = mv.scan;
            candidate.usable = true;
        }
        result->candidates.push_back(std::move(candidate));
    }
    if (result->candidates.empty()) return nullptr;
    return result;
}

void RequireMvRewrite(ClientContext& context, const MvRewriteContext* mv) {
    std::string mode = Setting(context, "materialized_view_rewrite_mode");
    if (mode != "default_or_error" && mode != "force_or_error") return;
    if (mv && !mv->report.used.empty()) return;
    std::string why;
    if (mv) {
        for (const auto& [name, reason] : mv->report.rejected) why += "; " + name + ": " + reason;
    }
    throw ExecutionError("no materialized view answers this query (materialized_view_rewrite_mode is " + mode + ")" +
                             (why.empty() ? std::string("; there is no materialized view to use") : why),
                         ErrorCode::NOT_SUPPORTED);
}

std::string MvReportText(const MvRewriteContext& mv) {
    std::string text;
    for (const auto& name : mv.report.used) text += "MaterializedView: used " + name + "\n";
    for (const auto& [name, reason] : mv.report.rejected) {
        text += "MaterializedView: " + name + " not used: " + reason + "\n";
    }
    return text;
}

}  // namespace floe
