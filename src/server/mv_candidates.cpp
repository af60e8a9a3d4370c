#include "server/mv_candidates.h"

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <optional>

#include "binder/binder.h"
#include "binder/expression_walker.h"
#include "binder/table_schema.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "common/logging.h"
#include "function/cast.h"
#include "function/function_registry.h"
#include "mv/mv_state.h"
#include "optimizer/rules/mv_match.h"
#include "parser/parser.h"
#include "planner/planner.h"
#include "server/mv_incremental.h"

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
    /// Its storage table's version when described: the catalog hands out the same object until
    /// the table changes, so another object means another catalog (one reopened at the address).
    std::shared_ptr<const TableVersion> storage_version;
    std::string unusable;  // why it may not answer whatever the time ("" when it may)
    bool fresh = true;     // fresh, or its consistency does not ask (loose, force_mv)
    std::string stale_reason;
    int64_t allowed_staleness = -1;  // mv_rewrite_staleness_second; -1: none
    /// It reads an external (Iceberg) base, whose changes do not move the catalog's generation:
    /// its freshness is checked again for each query.
    bool check_external = false;
    /// The definition bound and planned, and its scan; null when it reads the current time (bound
    /// per query) or did not bind.
    std::shared_ptr<const LogicalOperator> definition;
    std::function<LogicalOperatorPtr()> scan;
    bool reads_current_time = false;
    /// A stale MV whose stale rows all come from partitions of one base table: the MV's fresh
    /// rows UNION ALL its definition over those base partitions (null when that cannot be done).
    std::function<LogicalOperatorPtr()> union_scan;
    std::string union_note;
};

struct MvCache {
    const Catalog* catalog = nullptr;
    uint64_t generation = 0;
    std::vector<CachedMv> views;
};

std::mutex cache_mutex;
std::shared_ptr<const MvCache> cache;

BoundExprPtr Call(const char* name, BoundExprPtr a, BoundExprPtr b = nullptr) {
    std::vector<LogicalType> types{a->type};
    if (b) types.push_back(b->type);
    auto f = std::make_unique<BoundFunction>(FunctionRegistry::Instance().BindScalar(name, types));
    f->args.push_back(AddCastIfNeeded(std::move(a), f->function.arg_types[0]));
    if (b) f->args.push_back(AddCastIfNeeded(std::move(b), f->function.arg_types[1]));
    return f;
}

/// One stale base partition as bounds on its partition column: [lower, upper), or one value
/// (a list partition, lower == upper); an unset bound is unbounded.
struct StaleRange {
    std::optional<Value> lower, upper;
    bool single = false;
};

/// `column` within the range (the base side's filter) or outside it (the MV side's).
BoundExprPtr InRange(const BoundExpression& column, const StaleRange& r, bool inside) {
    auto constant = [](const Value& v) { return std::make_unique<BoundConstant>(v); };
    if (r.single) return Call(inside ? "equal" : "not_equal", column.Copy(), constant(*r.lower));
    std::vector<BoundExprPtr> parts;
    if (r.lower) parts.push_back(Call(inside ? "greater_equal" : "less", column.Copy(), constant(*r.lower)));
    if (r.upper) parts.push_back(Call(inside ? "less" : "greater_equal", column.Copy(), constant(*r.upper)));
    if (parts.size() == 1) return std::move(parts[0]);
    return Call(inside ? "and" : "or", std::move(parts[0]), std::move(parts[1]));
}

BoundExprPtr Combine(const char* name, std::vector<BoundExprPtr> parts) {
    BoundExprPtr out = std::move(parts[0]);
    for (size_t i = 1; i < parts.size(); ++i) out = Call(name, std::move(out), std::move(parts[i]));
    return out;
}

/// Replaces the scan of table `table_id` in `op` by a filter on `condition` over it.
bool FilterScan(LogicalOperatorPtr& op, int64_t table_id, const BoundExpression& condition) {
    if (op->type == LogicalOperatorType::GET) {
        const auto& get = static_cast<const LogicalGet&>(*op);
        if (!get.version || get.version->table_id != table_id) return false;
        auto filter = std::make_unique<LogicalFilter>();
        filter->types = op->types;
        filter->condition = condition.Copy();
        filter->children.push_back(std::move(op));
        op = std::move(filter);
        return true;
    }
    for (auto& child : op->children) {
        if (FilterScan(child, table_id, condition)) return true;
    }
    return false;
}

/// Union compensation for a stale MV (StarRocks' partition union rewrite): when every change
/// since its refresh is in range or list partitions of one hot base table that its definition
/// reads once, and one of its columns is that table's partition column as it is, the MV's rows
/// outside the stale partitions UNION ALL its definition over the stale partitions are its
/// current rows. Rows whose partition column is NULL come from the MV.
void PlanUnion(ClientContext& context, CachedMv& out, const mv::Freshness& freshness, const MvCandidate& candidate) {
    if (!freshness.replaced_bases.empty() || freshness.changed.empty()) return;
    const std::string& base = freshness.changed[0].base;
    if (!mv::IsHotBase(base)) return;
    size_t dot = base.find('.');
    Catalog& catalog = context.catalog();
    auto table = catalog.GetTable(base.substr(0, dot), base.substr(dot + 1));
    if (!table) return;
    std::shared_ptr<const TableVersion> version = catalog.GetTableVersion(table->id);
    TableSchema schema = ParseTableDefinition(version->definition);
    if (schema.partition_columns.size() != 1) return;
    size_t partition_column = schema.partition_columns[0];
    LogicalType type = schema.columns[partition_column].type;
    std::vector<StaleRange> ranges;
    std::string names;
    for (const auto& changed : freshness.changed) {
        if (changed.base != base || changed.partition.empty() || (!changed.lower && !changed.upper)) return;
        StaleRange r;
        try {
            if (changed.lower) r.lower = CastValue(Value::Varchar(*changed.lower), type);
            if (changed.upper) r.upper = CastValue(Value::Varchar(*changed.upper), type);
        } catch (const Exception&) {
            return;
        }
        r.single = changed.lower && changed.upper && *changed.lower == *changed.upper;
        ranges.push_back(std::move(r));
        names += (names.empty() ? "" : ", ") + changed.partition;
    }
    // The base table read once by the definition, and the MV column that is its partition column.
    MvShape shape = MvShape::Analyze(*candidate.definition);
    if (!shape.ok) return;
    const SpjTable* read = nullptr;
    for (const auto& t : shape.block.tables) {
        if (t.table_id != table->id) continue;
        if (read) return;
        read = &t;
    }
    if (!read) return;
    size_t mv_column = SIZE_MAX;
    for (size_t i = 0; i < shape.outputs.size() && mv_column == SIZE_MAX; ++i) {
        const auto& o = shape.outputs[i];
        if ((o.kind == MvShape::Kind::EXPRESSION || o.kind == MvShape::Kind::GROUP) &&
            o.expr->kind == BoundExprKind::COLUMN_REF &&
            static_cast<const BoundColumnRef&>(*o.expr).index == read->offset + partition_column) {
            mv_column = i;
        }
    }
    if (mv_column == SIZE_MAX) return;
    LogicalOperatorPtr probe = candidate.scan();
    if (!probe || mv_column >= probe->types.size()) return;
    std::vector<LogicalType> mv_types = probe->types;
    // The base side: the definition with a filter on the stale partitions over the base's scan.
    BoundColumnRef base_column(partition_column, type, schema.columns[partition_column].name);
    std::vector<BoundExprPtr> inside, outside;
    std::string mv_column_name = "#" + std::to_string(mv_column);
    if (probe->type == LogicalOperatorType::GET) {
        const auto& get = static_cast<const LogicalGet&>(*probe);
        if (get.schema && mv_column < get.schema->columns.size()) mv_column_name = get.schema->columns[mv_column].name;
    }
    BoundColumnRef mv_ref(mv_column, mv_types[mv_column], mv_column_name);
    for (const auto& r : ranges) {
        inside.push_back(InRange(base_column, r, true));
        outside.push_back(InRange(mv_ref, r, false));
    }
    std::shared_ptr<const BoundExpression> base_filter(Combine("or", std::move(inside)).release());
    std::shared_ptr<const BoundExpression> keep(
        Call("or", Combine("and", std::move(outside)), Call("is_null", mv_ref.Copy())).release());
    std::shared_ptr<const LogicalOperator> definition(CopyPlan(*candidate.definition).release());
    std::function<LogicalOperatorPtr()> mv_scan = candidate.scan;
    int64_t base_id = table->id;
    out.union_scan = [definition, mv_scan, mv_types, base_filter, keep, base_id]() -> LogicalOperatorPtr {
        auto fresh = std::make_unique<LogicalFilter>();
        LogicalOperatorPtr scan = mv_scan();
        fresh->types = scan->types;
        fresh->condition = keep->Copy();
        fresh->children.push_back(std::move(scan));
        LogicalOperatorPtr stale = CopyPlan(*definition);
        if (!FilterScan(stale, base_id, *base_filter)) return nullptr;
        // Cast the definition's columns to the MV table's.
        auto cast = std::make_unique<LogicalProjection>();
        for (size_t i = 0; i < mv_types.size(); ++i) {
            BoundExprPtr ref = std::make_unique<BoundColumnRef>(i, stale->types[i], "#" + std::to_string(i));
            cast->expressions.push_back(AddCastIfNeeded(std::move(ref), mv_types[i]));
        }
        cast->types = mv_types;
        cast->children.push_back(std::move(stale));
        auto both = std::make_unique<LogicalUnionAll>();
        both->types = mv_types;
        both->children.push_back(std::move(fresh));
        both->children.push_back(std::move(cast));
        return both;
    };
    out.union_note = "with " + base + " partitions " + names + " from the base table (union rewrite)";
}
/// Why a stale MV may not answer: the change, and the staleness allowed (the limit only: how many
/// seconds behind it is would make EXPLAIN differ from run to run).
std::string StaleReason(const std::string& reason, int64_t allowed_staleness) {
    return "it is stale: " + reason + " (" +
           (allowed_staleness >= 0 ? "beyond mv_rewrite_staleness_second " + std::to_string(allowed_staleness)
                                   : std::string("no mv_rewrite_staleness_second")) +
           ")";
}

/// Reads the current state of an MV's external bases through `context` (none when unreadable).
mv::ExternalStateLookup ExternalLookup(ClientContext& context) {
    return [&context](const std::string& name) -> std::vector<MvBasePartition> {
        size_t a = name.find('.');
        size_t b = a == std::string::npos ? a : name.find('.', a + 1);
        if (b == std::string::npos) return {};
        try {
            auto source = context.OpenTable(name.substr(0, a), name.substr(a + 1, b - a - 1), name.substr(b + 1),
                                            ast::TimeTravel{}, false);
            if (const auto* ice = dynamic_cast<const iceberg::IcebergTable*>(source.get())) {
                return IcebergBaseState(name, *ice, nullptr);
            }
        } catch (const std::exception&) {
        }
        return {};
    };
}

CachedMv Describe(ClientContext& context, const MaterializedViewInfo& mv) {
    Catalog& catalog = context.catalog();
    CachedMv out;
    out.info = mv;
    out.table = catalog.GetTable(mv.database, mv.name);
    if (out.table) out.storage_version = catalog.GetTableVersion(out.table->id);
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
    mv::Freshness freshness;
    if (consistency != "loose" && consistency != "force_mv") {
        // An external base is looked up per query (MvCandidate::recheck), not here.
        for (const auto& b : mv.bases) out.check_external |= !mv::IsHotBase(b.base);
        freshness = mv::CheckFreshness(catalog, mv);
        out.fresh = freshness.fresh;
        out.stale_reason =
            freshness.reason.empty() ? "its base tables changed since its last refresh" : freshness.reason;
        std::string limit = Property(mv, "mv_rewrite_staleness_second");
        out.allowed_staleness = limit.empty() ? -1 : std::atoll(limit.c_str());
    }
    try {
        MvCandidate c = MakeMvCandidate(context, mv.name, mv.database, mv.query, mv.name);
        if (!out.fresh && !c.reads_current_time) PlanUnion(context, out, freshness, c);
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
    auto same_catalog = [&]() {
        if (!cache || cache->catalog != &catalog || cache->generation != generation) return false;
        for (const auto& v : cache->views) {
            if (v.table && catalog.GetTableVersion(v.table->id) != v.storage_version) return false;
        }
        return true;
    };
    if (same_catalog()) return cache;
    auto fresh = std::make_shared<MvCache>();
    fresh->catalog = &catalog;
    fresh->generation = generation;  // read before listing: a change meanwhile makes the next query list again
    MvBindingContext unchecked(context, false);
    for (const auto& mv : catalog.ListMaterializedViews()) {
        try {
            fresh->views.push_back(Describe(unchecked, mv));
        } catch (const Exception& e) {
            // An MV that cannot be examined (its freshness unreadable) is a candidate not used.
            CachedMv broken;
            broken.info = mv;
            broken.table = catalog.GetTable(mv.database, mv.name);
            broken.unusable = std::string("it cannot be examined: ") + e.what();
            fresh->views.push_back(std::move(broken));
        }
    }
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
    std::shared_ptr<const MvCache> views;
    try {
        views = Snapshot(context);
    } catch (const Exception& e) {
        // The MVs could not be listed (the meta store busy, say): the query runs without them.
        Log::Warn("mv.rewrite_unavailable", {{"error", e.what()}});
        return nullptr;
    }
    if (views->views.empty()) return nullptr;
    auto result = std::make_unique<MvRewriteContext>();
    result->disabled_reason = DisabledReason(context);
    bool union_rewrite = SettingOn(context, "enable_materialized_view_union_rewrite");
    int64_t now_micros = context.StatementStartMicros();
    for (const CachedMv& mv : views->views) {
        if (!mv.table || !context.CanSee(ClientContext::TableObject(*mv.table))) continue;
        MvCandidate candidate;
        candidate.name = mv.info.database + "." + mv.info.name;
        candidate.usable = false;
        int64_t stale_seconds = std::max<int64_t>(0, (now_micros / 1000 - mv.info.refresh_time) / 1000);
        // An external base's freshness is looked up only for a query that reads one of the MV's
        // bases (MvCandidate::recheck), when the rewrite considers it.
        const bool fresh = mv.fresh || mv.check_external;
        if (mv.check_external) {
            candidate.recheck = [&context, info = mv.info, limit = mv.allowed_staleness, stale_seconds]() {
                mv::Freshness now = mv::CheckFreshness(context.catalog(), info, ExternalLookup(context));
                if (now.fresh || (limit >= 0 && stale_seconds <= limit)) return std::string();
                return StaleReason(now.reason, limit);
            };
        }
        if (!result->disabled_reason.empty()) {
            candidate.reason = result->disabled_reason;
        } else if (!mv.unusable.empty()) {
            candidate.reason = mv.unusable;
        } else if (!fresh && (mv.allowed_staleness < 0 || stale_seconds > mv.allowed_staleness) && mv.union_scan &&
                   union_rewrite) {
            // Stale partitions read from the base table, the others from the MV.
            candidate.definition = CopyPlan(*mv.definition);
            candidate.scan = mv.union_scan;
            candidate.note = mv.union_note;
            candidate.usable = true;
        } else if (!fresh && (mv.allowed_staleness < 0 || stale_seconds > mv.allowed_staleness)) {
            candidate.reason = StaleReason(mv.stale_reason, mv.allowed_staleness);
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
    for (size_t i = 0; i < mv.report.used.size(); ++i) {
        const std::string& note = i < mv.report.used_notes.size() ? mv.report.used_notes[i] : "";
        text += "MaterializedView: used " + mv.report.used[i] + (note.empty() ? "" : " " + note) + "\n";
    }
    for (const auto& [name, reason] : mv.report.rejected) {
        text += "MaterializedView: " + name + " not used: " + reason + "\n";
    }
    return text;
}

}  // namespace floe
