#include "server/mv_service.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "binder/table_schema.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "common/logging.h"
#include "ingest/load_manager.h"
#include "lake/iceberg/iceberg_table.h"
#include "parser/parser.h"
#include "server/instance.h"
#include "server/lake_maintenance.h"
#include "server/mv_incremental.h"
#include "server/session.h"
#include "server/session_variables.h"
#include "server/tiering_service.h"

namespace floe {

namespace {

int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// The text of the first value of a one-row, one-column result.
std::string ScalarText(const QueryResult& r) {
    for (const auto& chunk : r.chunks) {
        if (chunk.live_rows() == 0) continue;
        size_t row = chunk.selection() ? (*chunk.selection())[0] : 0;
        Value v = chunk.column(0).GetValue(row);
        return v.is_null() ? std::string() : v.ToString();
    }
    return "";
}

/// The items of a comma-separated list, trimmed; empty items dropped.
std::vector<std::string> SplitList(const std::string& list) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos <= list.size()) {
        size_t comma = list.find(',', pos);
        std::string item = list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (!item.empty()) out.push_back(std::move(item));
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return out;
}

/// A refresh's write (and the delta scan of an incremental one) set on its session for one
/// statement, and cleared when the scope ends, whatever happens.
class RefreshScope {
  public:
    RefreshScope(Session& session, MvRefreshWrite write, std::optional<DeltaScan> delta) : session_(session) {
        session_.set_delta_scan(std::move(delta));
        session_.set_mv_refresh_write(std::move(write));
    }
    ~RefreshScope() {
        session_.set_mv_refresh_write(std::nullopt);
        session_.set_delta_scan(std::nullopt);
    }
    RefreshScope(const RefreshScope&) = delete;
    RefreshScope& operator=(const RefreshScope&) = delete;

  private:
    Session& session_;
};

/// Whether the MV refreshes incrementally where it can (refresh_mode INCREMENTAL or AUTO, or
/// REFRESH INCREMENTAL).
bool WantsIncremental(const MaterializedViewInfo& mv) {
    auto it = mv.properties.find("refresh_mode");
    std::string mode = it == mv.properties.end() ? "" : AsciiLower(it->second);
    return mv.refresh_type == "INCREMENTAL" || mode == "incremental" || mode == "auto";
}

/// The tables an MV property lists (excluded_trigger_tables, excluded_refresh_tables) as
/// "db.table", names without a database being in the MV's.
std::set<std::string> TableList(const MaterializedViewInfo& mv, const std::string& property) {
    std::set<std::string> out;
    auto it = mv.properties.find(property);
    if (it == mv.properties.end()) return out;
    for (auto& item : SplitList(it->second)) {
        out.insert(item.find('.') == std::string::npos ? mv.database + "." + item : std::move(item));
    }
    return out;
}

/// A range of the MV's partition column (canonical texts of its type): [lo, hi), or [lo, hi].
struct MvRange {
    std::string lo, hi;
    bool inclusive = false;
    bool Contains(const std::string& v) const { return v >= lo && (inclusive ? v <= hi : v < hi); }
};

/// The MV partitions that start inside one of `ranges` (a list partition starts at its value).
std::vector<std::string> PartitionsIn(const std::vector<PartitionInfo>& partitions,
                                      const std::vector<MvRange>& ranges) {
    std::vector<std::string> out;
    for (const auto& p : partitions) {
        std::string start = p.lower.value_or(p.values.size() == 1 && p.values[0].size() == 1 ? p.values[0][0] : "");
        if (start.empty()) continue;
        for (const auto& r : ranges) {
            if (r.Contains(start)) {
                out.push_back(p.name);
                break;
            }
        }
    }
    return out;
}

std::string JoinNames(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
    return out;
}

/// Where an MV's partition column comes from: a hot base table's partition column, as is or
/// through date_trunc('unit', col).
struct PartitionSource {
    std::string base;        // "db.table"
    std::string base_unit;   // "" (the column itself) or the date_trunc unit applied to it
    std::string query_name;  // the query's output column that the MV partitions by
};

/// Finds the base table whose partitions the MV's partitions follow; nullopt when the query's
/// shape hides it (then every refresh is a full one).
std::optional<PartitionSource> FindPartitionSource(Catalog& catalog, const MaterializedViewInfo& mv,
                                                   const QueryDescription& desc, size_t mv_column) {
    ast::StatementPtr st = Parser::ParseStatement(mv.query);
    const auto* select = static_cast<const ast::SelectStatement*>(st.get());
    if (!select->query || select->query->kind != ast::QueryNodeKind::SELECT) return std::nullopt;
    const auto& node = static_cast<const ast::SelectNode&>(*select->query);
    if (mv_column >= node.select_list.size()) return std::nullopt;
    const ast::SelectItem& item = node.select_list[mv_column];
    if (!item.expr) return std::nullopt;
    std::string column, unit;
    const ast::Expr* e = item.expr.get();
    if (e->kind == ast::ExprKind::FUNCTION_CALL) {
        const auto& call = static_cast<const ast::FunctionCallExpr&>(*e);
        if (!AsciiEqualsIgnoreCase(call.name, "date_trunc") || call.args.size() != 2) return std::nullopt;
        if (call.args[0]->kind != ast::ExprKind::LITERAL) return std::nullopt;
        unit = AsciiLower(static_cast<const ast::LiteralExpr&>(*call.args[0]).value.ToString());
        e = call.args[1].get();
    }
    if (e->kind != ast::ExprKind::COLUMN_REF) return std::nullopt;
    column = static_cast<const ast::ColumnRefExpr&>(*e).parts.back();
    std::optional<PartitionSource> found;
    for (const auto& base : desc.hot_bases) {
        size_t dot = base.find('.');
        auto table = catalog.GetTable(base.substr(0, dot), base.substr(dot + 1));
        if (!table) continue;
        TableSchema schema = ParseTableDefinition(catalog.GetTableVersion(table->id)->definition);
        if (schema.Find(column) < 0) continue;
        if (found) return std::nullopt;  // two bases have the column: ambiguous
        const auto& cols = schema.partition_columns;
        if (cols.size() != 1 || !AsciiEqualsIgnoreCase(schema.columns[cols[0]].name, column)) return std::nullopt;
        found = PartitionSource{base, unit, desc.output[mv_column].name};
    }
    // An Iceberg base whose partitions are tracked (a time transform of this column).
    for (const auto& [base, partition_column] : desc.external_partition_columns) {
        if (!AsciiEqualsIgnoreCase(partition_column, column)) continue;
        if (found) return std::nullopt;
        found = PartitionSource{base, unit, desc.output[mv_column].name};
    }
    return found;
}

}  // namespace

MvService::MvService(Instance& instance) : instance_(instance) {
    size_t concurrency = 4;
    for (const auto& [name, value] : instance.catalog().ListGlobalVariables()) {
        if (AsciiEqualsIgnoreCase(name, "task_runs_concurrency")) {
            try {
                concurrency = static_cast<size_t>(std::max<int64_t>(1, std::stoll(value)));
            } catch (...) {
            }
        }
    }
    scheduler_ = std::make_unique<TaskScheduler>(instance.catalog().store(), concurrency);
}

MvService::~MvService() {
    Stop();
}

void MvService::Start() {
    scheduler_->Start(this);
    watcher_ = std::thread([this] { WatchLoop(); });
}

void MvService::Stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
    }
    cv_.notify_all();
    if (watcher_.joinable()) watcher_.join();
    scheduler_->Stop();
}

std::string MvService::TaskName(int64_t mv_id) {
    return "mv-" + std::to_string(mv_id);
}

void MvService::SyncTask(const MaterializedViewInfo& mv) {
    auto task = scheduler_->TaskOfMv(mv.id);
    int64_t interval = mv.refresh_type == "MANUAL" ? 0 : mv.interval_seconds;
    std::string definition =
        "REFRESH MATERIALIZED VIEW " + QuoteIdentifier(mv.database) + "." + QuoteIdentifier(mv.name);
    if (!task) {
        TaskInfo t;
        t.name = TaskName(mv.id);
        t.database = mv.database;
        t.definition = definition;
        t.kind = "MV";
        t.mv_id = mv.id;
        t.schedule_start = mv.start_time;
        t.interval_seconds = interval;
        t.retries = 2;
        t.creator = mv.creator;
        auto it = mv.properties.find("priority");
        if (it != mv.properties.end()) {
            try {
                t.priority = std::stoll(it->second);
            } catch (...) {
            }
        }
        for (const auto& key : {"retry_count", "retry_interval_seconds"}) {
            if (auto p = mv.properties.find(key); p != mv.properties.end()) t.properties[key] = p->second;
        }
        for (const auto& [k, v] : mv.properties) {
            if (k.rfind("session.", 0) == 0) t.properties[k] = v;
        }
        scheduler_->CreateTask(t);
        return;
    }
    if (task->interval_seconds != interval || task->schedule_start != mv.start_time) {
        scheduler_->SetSchedule(task->id, mv.start_time, interval);
    }
    if (task->definition != definition) scheduler_->RenameTask(task->id, task->name, definition);
}

std::unique_ptr<Session> MvService::InternalSession(const std::string& user_host, const std::string& database) {
    size_t at = user_host.rfind('@');
    std::string user = at == std::string::npos ? user_host : user_host.substr(0, at);
    std::string host = at == std::string::npos ? "%" : user_host.substr(at + 1);
    if (user.empty()) user = "root";
    if (!instance_.catalog().GetUser(user)) {
        throw PermissionError("the user '" + user + "' who created this no longer exists", ErrorCode::ACCESS_DENIED);
    }
    auto session = std::make_unique<Session>(instance_, instance_.NextConnectionId(), user, host);
    if (!database.empty()) session->SetCurrentDatabase(database);
    return session;
}

void MvService::Execute(const TaskInfo& task, TaskRunInfo& run, const std::function<void(const std::string&)>& progress,
                        const std::function<void(std::function<void()>)>& set_cancel) {
    std::unique_ptr<Session> session = InternalSession(task.creator, task.database);
    // Listed (with its progress) in SHOW PROCESSLIST and the console while it runs.
    BackgroundJob job(task.kind == "MV"     ? "MV REFRESH"
                      : task.kind == "TIER" ? "TIERING"
                      : task.kind == "LAKE" ? "LAKE MAINTENANCE"
                                            : "TASK",
                      task.name, session->user());
    Session* s = session.get();
    set_cancel([s] { s->Interrupt(); });
    for (const auto& [k, v] : task.properties) {
        if (k.rfind("session.", 0) != 0) continue;
        std::string name = k.substr(8);
        // An integer (optional leading '-') goes as a number; anything else as a string.
        bool numeric =
            !v.empty() && v.size() < 19 &&
            std::all_of(v.begin() + (v[0] == '-' ? 1 : 0), v.end(), [](char c) { return std::isdigit(c); }) && v != "-";
        session->Execute("SET " + QuoteIdentifier(name) + " = " + (numeric ? v : QuoteString(v)));
    }
    if (task.kind == "MV") {
        Refresh(task, run, *session, progress);
    } else if (task.kind == "TIER") {
        instance_.tiering().Run(task, run, *session, progress);
    } else if (task.kind == "LAKE") {
        instance_.lake().Run(task, run, *session, progress);
    } else {
        RunSql(task, run, *session);
    }
}

void MvService::RunSql(const TaskInfo& task, TaskRunInfo& run, Session& session) {
    QueryResult r = session.Execute(task.definition);
    run.extra_message =
        r.has_result_set ? std::to_string(r.RowCount()) + " rows" : std::to_string(r.affected_rows) + " rows affected";
}

std::string MvService::Revalidate(const MaterializedViewInfo& mv, bool submit_refresh) {
    Catalog& catalog = instance_.catalog();
    std::string reason;
    try {
        auto session = InternalSession(mv.creator, mv.database);
        QueryDescription desc = session->DescribeQuery(mv.query);
        auto table = catalog.GetTableById(mv.id);
        if (!table) return "the MV's storage table is gone";
        TableSchema schema = ParseTableDefinition(catalog.GetTableVersion(mv.id)->definition);
        if (desc.output.size() != schema.columns.size()) {
            reason = "its query now returns " + std::to_string(desc.output.size()) + " columns; the MV has " +
                     std::to_string(schema.columns.size());
        } else {
            for (size_t i = 0; i < schema.columns.size() && reason.empty(); ++i) {
                const LogicalType& q = desc.output[i].type;
                const LogicalType& m = schema.columns[i].type;
                bool same =
                    q.id == m.id || q.id == TypeId::NULL_TYPE || (q.id == TypeId::VARCHAR && m.id == TypeId::VARCHAR);
                if (q.id == TypeId::DECIMAL && m.id == TypeId::DECIMAL) same = q == m;
                if (!same) {
                    reason = "column '" + schema.columns[i].name + "' is " + m.ToString() +
                             " in the MV but its query now gives " + q.ToString();
                }
            }
        }
    } catch (const std::exception& e) {
        reason = std::string("its definition no longer analyses: ") + e.what();
    }
    if (!reason.empty() && mv.active) {
        catalog.SetMaterializedViewActive(mv.id, false, reason, false);
        Log::Warn("mv.inactive", {{"mv", mv.database + "." + mv.name}, {"reason", reason}});
    } else if (reason.empty() && !mv.active && !mv.inactive_by_user) {
        catalog.SetMaterializedViewActive(mv.id, true, "", false);
        Log::Info("mv.active_again", {{"mv", mv.database + "." + mv.name}});
        if (auto task = scheduler_->TaskOfMv(mv.id); task && submit_refresh) {
            TaskSubmit submit;
            submit.force = true;
            scheduler_->Submit(task->id, submit);
        }
    }
    return reason;
}

mv::Freshness MvService::CheckFreshness(const MaterializedViewInfo& mv) {
    auto lookup = [this](const std::string& name) -> std::vector<MvBasePartition> {
        size_t a = name.find('.');
        size_t b = name.find('.', a + 1);
        if (a == std::string::npos || b == std::string::npos) return {};
        try {
            auto t = instance_.external_catalogs().OpenTable(name.substr(0, a), name.substr(a + 1, b - a - 1),
                                                             name.substr(b + 1), iceberg::SnapshotSelector{});
            return IcebergBaseState(name, *t, nullptr);
        } catch (const std::exception&) {
            return {};
        }
    };
    return mv::CheckFreshness(instance_.catalog(), mv, lookup);
}

void MvService::Refresh(const TaskInfo& task, TaskRunInfo& run, Session& session,
                        const std::function<void(const std::string&)>& progress) {
    Catalog& catalog = instance_.catalog();
    auto found = catalog.GetMaterializedView(task.mv_id);
    if (!found) throw CatalogError("the materialized view was dropped", ErrorCode::UNKNOWN_TABLE);
    MaterializedViewInfo mv = *found;
    if (!mv.active) {
        if (mv.inactive_by_user || !Revalidate(mv, false).empty()) {
            // An inactive MV is not refreshed (its schedule keeps running; the first run after it
            // is active again refreshes it).
            auto again = catalog.GetMaterializedView(task.mv_id);
            run.state = "SKIPPED";
            run.extra_message = "inactive: " + (again ? again->inactive_reason : mv.inactive_reason);
            return;
        }
    }
    MvRefreshRecord record;
    record.start = NowMs();
    record.force = run.force;
    try {
        // What the query reads, and the state of it now (before the write binds: a change in
        // between makes the next refresh run again, never one that is missed).
        QueryDescription desc;
        try {
            desc = session.DescribeQuery(mv.query);
        } catch (const std::exception& e) {
            std::string reason = Revalidate(mv, false);
            if (!reason.empty()) {
                throw NotSupportedError("materialized view " + mv.database + "." + mv.name + " is inactive: " + reason);
            }
            throw;
        }
        // Incremental refresh follows one base: a hot table by its data sequence (the one read
        // before the state; the binder's note must match it), or an Iceberg table by snapshot.
        const bool incremental = WantsIncremental(mv);
        std::optional<IncrementalBase> delta_base;
        if (incremental) delta_base = FindIncrementalBase(catalog, desc.hot_bases, desc.external_states);
        std::vector<MvBasePartition> state = mv::CurrentState(catalog, desc.hot_bases, nullptr);
        std::vector<std::string> names = desc.hot_bases;
        for (const auto& e : desc.external_states) {
            state.push_back(e);
            if (std::find(names.begin(), names.end(), e.base) == names.end()) names.push_back(e.base);
        }
        mv::Freshness diff = mv::Diff(mv.bases, state, names);
        // Changes in excluded_refresh_tables are not refreshed in.
        std::set<std::string> excluded = TableList(mv, "excluded_refresh_tables");
        bool only_excluded = !diff.changed.empty() && diff.replaced_bases.empty();
        for (const auto& c : diff.changed) only_excluded &= excluded.count(c.base) > 0;
        bool explicit_range = !run.partition_start.empty() || !run.partition_end.empty();
        // Nothing to recompute: the run is SKIPPED, and `seen` (when given) recorded as the state.
        auto skip = [&](std::string message, const std::vector<MvBasePartition>* seen) {
            run.state = "SKIPPED";
            run.extra_message = std::move(message);
            record.state = "SKIPPED";
            record.finish = NowMs();
            catalog.store().Transaction(
                [&] { Catalog::RecordMaterializedViewRefresh(catalog.store(), mv.id, record, seen, record.start); });
            catalog.TouchMaterializedViews();
        };
        if (!run.force && !explicit_range && mv.refreshed && (diff.fresh || only_excluded)) {
            skip(diff.fresh ? "no base table changed since the last refresh" : "only excluded_refresh_tables changed",
                 diff.fresh ? &state : nullptr);
            return;
        }
        progress("10%");
        TableSchema schema = ParseTableDefinition(catalog.GetTableVersion(mv.id)->definition);
        std::string target = QuoteIdentifier(mv.database) + "." + QuoteIdentifier(mv.name);
        std::string fallback_reason;
        if (incremental && delta_base && !run.force && !explicit_range && mv.refreshed) {
            std::string why_not;
            if (RefreshIncrementally(mv, run, session, desc, diff, state, schema, *delta_base, record, target,
                                     why_not)) {
                return;
            }
            fallback_reason = why_not;
        } else if (incremental && !delta_base && mv.refreshed) {
            fallback_reason = "it does not read exactly one table";
        }
        // Which MV partitions to recompute: all, or those whose base partitions changed.
        std::string where;
        std::vector<std::string> replace;
        std::string base_parts;
        int mv_column = mv.partition_column.empty() ? -1 : schema.Find(mv.partition_column);
        std::optional<PartitionSource> source;
        if (mv_column >= 0 && static_cast<size_t>(mv_column) < desc.output.size()) {
            source = FindPartitionSource(catalog, mv, desc, static_cast<size_t>(mv_column));
        }
        auto version = catalog.GetTableVersion(mv.id);
        std::string col_type = schema.columns[mv_column < 0 ? 0 : mv_column].type.ToString();
        std::vector<MvRange> ranges;               // of the MV's partition column
        std::vector<const MvBasePartition*> used;  // the changed base partition of each range
        bool partial = false;
        if (mv_column >= 0 && explicit_range && run.partition_end != "\x01list") {
            partial = true;
            ranges.push_back({run.partition_start, run.partition_end, false});
        } else if (mv_column >= 0 && explicit_range) {
            // PARTITION (p1, p2): those partitions' ranges.
            partial = true;
            for (const auto& name : SplitList(run.partition_start)) {
                const PartitionInfo* p = version->FindPartition(name);
                if (!p) throw CatalogError("Unknown partition '" + name + "' of " + mv.name, ErrorCode::UNKNOWN_TABLE);
                if (p->lower && p->upper) {
                    ranges.push_back({*p->lower, *p->upper, false});
                } else if (p->values.size() == 1 && p->values[0].size() == 1) {
                    ranges.push_back({p->values[0][0], p->values[0][0], true});
                }
            }
        } else if (source && !run.force && mv.refreshed && diff.replaced_bases.empty()) {
            partial = true;
            bool only_snapshots = true;
            for (const auto& c : diff.changed) {
                // An Iceberg base's table entry (its snapshot) moves with every commit; its
                // partitions' entries say what changed.
                if (c.base == source->base && c.partition.empty() && !mv::IsHotBase(c.base)) continue;
                only_snapshots = false;
                if (c.base != source->base || !c.lower || !c.upper) {
                    partial = false;  // another base changed, or an unbounded partition: all of it
                    break;
                }
                base_parts += (base_parts.empty() ? "" : ",") + c.partition;
                // The MV column's values the changed base range maps to, widened to whole MV
                // partitions: [trunc(f(lo)), trunc(f(hi)) + 1 unit) (hi taken as inclusive).
                auto f = [&](const std::string& v) {
                    std::string e = "CAST(" + QuoteString(v) + " AS DATETIME)";
                    if (!source->base_unit.empty()) e = "date_trunc(" + QuoteString(source->base_unit) + ", " + e + ")";
                    if (!mv.partition_unit.empty()) e = "date_trunc(" + QuoteString(mv.partition_unit) + ", " + e + ")";
                    return e;
                };
                std::string lo = ScalarText(session.Execute("SELECT CAST(" + f(*c.lower) + " AS " + col_type + ")"));
                MvRange range{lo, "", false};
                // A hot range partition is [lo, hi); an Iceberg partition's bounds are inclusive.
                bool exclusive = source->base_unit.empty() && *c.lower != *c.upper && mv::IsHotBase(c.base);
                if (exclusive) {
                    // Identity: the MV column's values are < hi; widened to the MV partition
                    // that holds hi unless hi starts one.
                    std::string x = "CAST(" + QuoteString(*c.upper) + " AS DATETIME)";
                    std::string v = x;
                    if (!mv.partition_unit.empty()) {
                        std::string u = QuoteString(mv.partition_unit);
                        v = "IF(date_trunc(" + u + ", " + x + ") = " + x + ", " + x + ", date_trunc(" + u + ", " + x +
                            ") + INTERVAL 1 " + AsciiUpper(mv.partition_unit) + ")";
                    }
                    range.hi = ScalarText(session.Execute("SELECT CAST(" + v + " AS " + col_type + ")"));
                } else if (!mv.partition_unit.empty()) {
                    range.hi = ScalarText(session.Execute("SELECT CAST(" + f(*c.upper) + " + INTERVAL 1 " +
                                                          AsciiUpper(mv.partition_unit) + " AS " + col_type + ")"));
                } else {
                    range.hi = ScalarText(session.Execute("SELECT CAST(" + f(*c.upper) + " AS " + col_type + ")"));
                    range.inclusive = true;
                }
                ranges.push_back(std::move(range));
                used.push_back(&c);
            }
            if (partial && ranges.empty() && only_snapshots && !diff.changed.empty()) {
                // A new snapshot that changed no partition's files (manifests rewritten, ...).
                skip("no partition of " + source->base + " changed since the last refresh", &state);
                return;
            }
            if (partial && ranges.empty()) {
                // Nothing the MV partitions follow changed (rows of other partitions were equal).
                partial = false;
            }
        }
        // partition_refresh_number: at most that many changed base partitions per run, oldest
        // first; the next run (queued at once) takes the rest, so refreshes always progress.
        bool more = false;
        std::vector<MvBasePartition> new_state = state;
        int64_t per_run = -1;
        if (auto it = mv.properties.find("partition_refresh_number"); it != mv.properties.end()) {
            per_run = std::stoll(it->second);
        }
        if (partial && !explicit_range && per_run > 0 && used.size() == ranges.size() &&
            ranges.size() > static_cast<size_t>(per_run)) {
            std::vector<size_t> order(ranges.size());
            for (size_t i = 0; i < order.size(); ++i) order[i] = i;
            std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ranges[a].lo < ranges[b].lo; });
            order.resize(static_cast<size_t>(per_run));
            std::vector<MvRange> kept;
            std::set<std::pair<std::string, std::string>> processed;
            base_parts.clear();
            for (size_t i : order) {
                kept.push_back(ranges[i]);
                processed.insert({used[i]->base, used[i]->partition});
                if (!mv::IsHotBase(used[i]->base)) processed.insert({used[i]->base, ""});
                base_parts += (base_parts.empty() ? "" : ",") + used[i]->partition;
            }
            ranges = std::move(kept);
            // The recorded state moves forward only for the partitions processed.
            new_state.clear();
            for (const auto& b : mv.bases) {
                if (!processed.count({b.base, b.partition})) new_state.push_back(b);
            }
            for (const auto& b : state) {
                if (processed.count({b.base, b.partition})) new_state.push_back(b);
            }
            more = true;
        }
        // auto_refresh_partitions_limit = N: a refresh that is not FORCE and names no range
        // recomputes only what falls in the MV's newest N partitions. Changes to older ones are
        // recorded as seen (the MV may differ from its bases there, as StarRocks documents);
        // REFRESH ... PARTITION START .. END or FORCE brings them in.
        int64_t limit = -1;
        if (auto it = mv.properties.find("auto_refresh_partitions_limit"); it != mv.properties.end()) {
            limit = std::stoll(it->second);
        }
        bool limited = false;  // older changes left out
        if (limit > 0 && mv_column >= 0 && !explicit_range && !run.force && mv.refreshed) {
            std::vector<std::string> starts;
            for (const auto& p : version->partitions) {
                if (p.lower) starts.push_back(*p.lower);
            }
            std::sort(starts.rbegin(), starts.rend());
            if (starts.size() > static_cast<size_t>(limit)) {
                limited = true;
                const std::string threshold = starts[static_cast<size_t>(limit) - 1];
                if (partial) {
                    std::vector<MvRange> kept;
                    for (const auto& r : ranges) {
                        if (r.inclusive ? r.hi >= threshold : r.hi > threshold) kept.push_back(r);
                    }
                    ranges = std::move(kept);
                    used.clear();
                } else {
                    partial = true;
                    const bool date = schema.columns[static_cast<size_t>(mv_column)].type.id == TypeId::DATE;
                    ranges = {MvRange{threshold, date ? "9999-12-31" : "9999-12-31 23:59:59", true}};
                }
                if (ranges.empty()) {
                    skip("the changed partitions are older than the newest " + std::to_string(limit) +
                             " (auto_refresh_partitions_limit)",
                         &new_state);
                    return;
                }
            }
        }
        if (partial) {
            std::string col = QuoteIdentifier(source ? source->query_name : desc.output[mv_column].name);
            for (const auto& r : ranges) {
                where += std::string(where.empty() ? "" : " OR ") + "(" + col + " >= " + QuoteString(r.lo) + " AND " +
                         col + (r.inclusive ? " <= " : " < ") + QuoteString(r.hi) + ")";
            }
            // The MV's partitions inside the ranges are replaced.
            replace = PartitionsIn(version->partitions, ranges);
        }
        // The write: the MV's rows (or those of the partitions refreshed) replaced, and the new
        // base state recorded, in one commit.
        record.mv_partitions = JoinNames(replace);
        record.base_partitions = base_parts;
        std::string sql = "INSERT OVERWRITE " + target + " SELECT * FROM (" + mv.query + ") __mv_refresh";
        if (partial) sql += " WHERE (" + where + ")";
        if (schema.partition_ttl_amount > 0 && mv_column >= 0 && !mv.partition_unit.empty() &&
            static_cast<size_t>(mv_column) < desc.output.size()) {
            // partition_ttl: expired MV partitions are not recomputed (rows from the partition
            // that holds now - ttl on).
            int64_t cutoff = PartitionTtlCutoff(schema);
            std::string at = schema.columns[mv_column].type.id == TypeId::DATE
                                 ? Value::Date(static_cast<int32_t>(cutoff)).ToString()
                                 : Value::Datetime(cutoff).ToString();
            std::string lower =
                ScalarText(session.Execute("SELECT CAST(date_trunc(" + QuoteString(mv.partition_unit) + ", CAST(" +
                                           QuoteString(at) + " AS DATETIME)) AS " + col_type + ")"));
            std::string col = QuoteIdentifier(desc.output[mv_column].name);
            sql += std::string(partial ? " AND " : " WHERE ") + "(" + col + " >= " + QuoteString(lower) + " OR " + col +
                   " IS NULL)";
        }
        MvRefreshWrite write;
        write.mv_id = mv.id;
        write.partial = partial;
        write.partitions = partial ? replace : std::vector<std::string>{};
        record.state = "SUCCESS";
        int64_t refresh_time = record.start;
        // A refresh of a range the user named brings only part of the MV up to date: the recorded
        // state stays, so the next refresh still sees every change.
        const std::vector<MvBasePartition>* recorded = explicit_range ? nullptr : &new_state;
        // An incremental MV consumed its base up to the sequence read when this refresh applied
        // every change and read the version its state describes; otherwise the next refresh
        // recomputes too.
        const bool track = incremental && delta_base && !more && !limited;
        std::optional<DeltaScan> tracking;
        if (track) {
            tracking.emplace();
            tracking->table_id = delta_base->table_id;
            tracking->external = delta_base->external;
        }
        write.also = [&record, &session, recorded, refresh_time, track, id = mv.id,
                      key = delta_base ? delta_base->key : std::string(),
                      seq = delta_base ? delta_base->position : -1](MetaStore& store) {
            record.finish = NowMs();
            record.consumed.clear();
            if (track && session.delta_scan() && session.delta_scan()->read_sequence == seq) {
                record.consumed = ConsumedState(key, seq);
            }
            Catalog::RecordMaterializedViewRefresh(store, id, record, recorded, refresh_time);
        };
        progress("30%");
        QueryResult r;
        {
            RefreshScope scope(session, write, tracking);
            r = session.Execute(sql);
        }
        record.rows = static_cast<int64_t>(r.affected_rows);
        if (partial) {
            // The MV partitions the refresh wrote, including those it created.
            std::string written = JoinNames(PartitionsIn(catalog.GetTableVersion(mv.id)->partitions, ranges));
            if (written != record.mv_partitions) {
                record.mv_partitions = written;
                catalog.store().Execute("UPDATE materialized_views SET last_mv_partitions = ? WHERE table_id = ?",
                                        {written, mv.id});
            }
        }
        run.extra_message = partial ? "partitions refreshed: " +
                                          (record.mv_partitions.empty() ? std::string("(new)") : record.mv_partitions)
                                    : "full refresh";
        run.extra_message += "; " + std::to_string(r.affected_rows) + " rows";
        if (!fallback_reason.empty()) run.extra_message += "; not incremental: " + fallback_reason;
        if (more) {
            run.extra_message += "; more partitions follow in the next run (partition_refresh_number)";
            try {
                scheduler_->Submit(task.id, TaskSubmit{});
            } catch (const std::exception& e) {
                // The refresh committed; only the follow-up could not be queued (the task was
                // dropped). The next trigger or schedule continues.
                Log::Warn("mv.follow_up_failed", {{"mv", mv.database + "." + mv.name}, {"error", e.what()}});
            }
        }
        catalog.TouchMaterializedViews();
        instance_.metrics().MvRefreshFinished(true, NowMs() - record.start);
    } catch (const std::exception& e) {
        // The failure and its reason stay on the MV (SHOW MATERIALIZED VIEWS); the scheduler retries.
        const auto* known = dynamic_cast<const Exception*>(&e);
        record.state = "FAILED";
        record.finish = NowMs();
        instance_.metrics().MvRefreshFinished(false, record.finish - record.start);
        record.error_code = known ? MysqlErrno(known->code()) : 1105;
        record.error = e.what();
        catalog.store().Transaction(
            [&] { Catalog::RecordMaterializedViewRefresh(catalog.store(), mv.id, record, nullptr, 0); });
        catalog.TouchMaterializedViews();
        throw;
    }
}

bool MvService::RefreshIncrementally(const MaterializedViewInfo& mv, TaskRunInfo& run, Session& session,
                                     const QueryDescription& desc, const mv::Freshness& diff,
                                     const std::vector<MvBasePartition>& state, const TableSchema& schema,
                                     const IncrementalBase& base, MvRefreshRecord& record, const std::string& target,
                                     std::string& why_not) {
    Catalog& catalog = instance_.catalog();
    IncrementalShape shape = AnalyzeIncremental(mv.query, why_not);
    if (!why_not.empty()) return false;
    std::optional<int64_t> consumed = ConsumedSequence(mv.incremental_state, base.key);
    if (!desc.deterministic) {
        why_not = "its query is not deterministic";
    } else if (!diff.replaced_bases.empty()) {
        why_not = base.name + " was dropped or recreated";
    } else if (!consumed) {
        why_not = "the last refresh did not record what it consumed of " + base.name;
    } else if (base.external.empty()) {
        const TableVersion& before = *base.before;
        if (ParseTableDefinition(before.definition).keys_type != ast::KeysType::DUPLICATE) {
            why_not = base.name + " is not a Duplicate Key table (its rows change in place)";
        } else if (before.tier) {
            why_not = base.name + " is tiered";
        } else if (before.data_sequence < *consumed) {
            why_not = "the last refresh did not record what it consumed of " + base.name;
        } else if (before.last_non_append > *consumed) {
            why_not = base.name +
                      " changed by more than appends since the last refresh (a DELETE, UPDATE, "
                      "overwrite, partition drop or schema change)";
        } else {
            for (const auto& r : before.rowsets) {
                if (r.seq_lo <= *consumed && r.seq_hi > *consumed) {
                    why_not = "a compaction of " + base.name + " merged rows the MV holds with new ones";
                    break;
                }
            }
        }
    } else {
        // Every snapshot since the consumed one must be an append (the table says which).
        size_t d1 = base.external.find('.'), d2 = base.external.find('.', d1 + 1);
        ast::TimeTravel travel;
        travel.appended_after = *consumed;
        try {
            session.OpenExternalTable(base.external.substr(0, d1), base.external.substr(d1 + 1, d2 - d1 - 1),
                                      base.external.substr(d2 + 1), travel, false);
        } catch (const NotSupportedError& e) {
            why_not = e.what();
        }
    }
    if (!why_not.empty()) return false;

    std::vector<std::string> columns;
    for (const auto& c : schema.columns) columns.push_back(c.name);
    const std::string sql = IncrementalRefreshSql(shape, target, columns, mv.query);
    const int64_t seq = base.position;
    record.state = "SUCCESS";
    record.mv_partitions.clear();
    record.base_partitions.clear();
    record.consumed = ConsumedState(base.key, seq);
    // The binder's notes must show it read the version or snapshot the state describes, and no
    // rowset that mixes consumed and new commits; otherwise nothing commits and the refresh
    // recomputes.
    auto consistent = [&session, seq] {
        const DeltaScan* d = session.delta_scan();
        return d && !d->mixed && d->read_sequence == seq;
    };
    bool committed = false, inconsistent = false;
    MvRefreshWrite write;
    write.mv_id = mv.id;
    write.also = [&](MetaStore& store) {
        if (!consistent()) {
            inconsistent = true;
            throw CommitConflictError("the base table changed while the incremental refresh bound its query");
        }
        record.finish = NowMs();
        Catalog::RecordMaterializedViewRefresh(store, mv.id, record, &state, record.start);
        committed = true;
    };
    DeltaScan delta;
    delta.table_id = base.table_id;
    delta.external = base.external;
    delta.after = *consumed;
    QueryResult r;
    {
        RefreshScope scope(session, write, delta);
        try {
            r = session.Execute(sql);
        } catch (...) {
            if (!inconsistent) throw;
        }
        if (!inconsistent && !committed) {
            // No rows to write (nothing new passed the filter): only what was consumed is recorded.
            inconsistent = !consistent();
            if (!inconsistent) {
                record.finish = NowMs();
                catalog.store().Transaction([&] {
                    Catalog::RecordMaterializedViewRefresh(catalog.store(), mv.id, record, &state, record.start);
                });
            }
        }
    }
    if (inconsistent) {
        why_not = "the base table changed while the incremental refresh bound its query";
        return false;
    }
    record.rows = static_cast<int64_t>(r.affected_rows);
    run.extra_message = std::string(shape.aggregate ? "incremental: new rows merged into the MV's groups"
                                                    : "incremental: new rows appended") +
                        "; " + std::to_string(r.affected_rows) + " rows";
    catalog.TouchMaterializedViews();
    instance_.metrics().MvRefreshFinished(true, NowMs() - record.start);
    return true;
}

void MvService::WatchLoop() {
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
        cv_.wait_for(lock, std::chrono::milliseconds(500));
        if (stopping_) break;
        if (const SystemVariableDef* def = FindSystemVariable("task_runs_concurrency")) {
            Value v = instance_.globals().Get(*def);
            size_t wanted = v.is_null() || v.GetInt() <= 0
                                ? scheduler_->concurrency()
                                : std::min<size_t>(static_cast<size_t>(v.GetInt()), TaskScheduler::kMaxConcurrency);
            if (wanted != scheduler_->concurrency()) {
                scheduler_->SetConcurrency(wanted);
            }
        }
        uint64_t gen = instance_.catalog().mv_generation();
        if (gen == seen) continue;
        seen = gen;
        lock.unlock();
        try {
            // Refresh tasks of MVs that are gone (DROP DATABASE takes its MVs along).
            for (const auto& task : scheduler_->ListTasks()) {
                bool gone = (task.kind == "MV" && !instance_.catalog().GetMaterializedView(task.mv_id)) ||
                            (task.kind == "TIER" && !instance_.catalog().GetTableById(task.mv_id));
                if (gone) {
                    scheduler_->CancelRuns(task.id, true);
                    scheduler_->DropTask(task.name);
                }
            }
            for (const auto& mv : instance_.catalog().ListMaterializedViews()) {
                if (mv.inactive_by_user) continue;
                std::string reason = Revalidate(mv);
                if (!reason.empty() || !mv.active) continue;
                // ASYNC without a period: refresh when a base changed (excluded_trigger_tables
                // do not trigger).
                // (A synchronous MV, ROLLUP, and an INCREMENTAL one follow their table the same way.)
                bool follows =
                    mv.refresh_type == "ASYNC" || mv.refresh_type == "ROLLUP" || mv.refresh_type == "INCREMENTAL";
                if (!follows || mv.interval_seconds > 0 || !mv.refreshed) continue;
                mv::Freshness f = CheckFreshness(mv);
                if (f.fresh) continue;
                std::set<std::string> excluded = TableList(mv, "excluded_trigger_tables");
                bool trigger = !f.replaced_bases.empty();
                for (const auto& c : f.changed) trigger |= !excluded.count(c.base);
                if (!trigger) continue;
                if (auto task = scheduler_->TaskOfMv(mv.id)) scheduler_->Submit(task->id, TaskSubmit{});
            }
        } catch (const std::exception& e) {
            Log::Warn("mv.watch_failed", {{"error", e.what()}});
        }
        lock.lock();
    }
}

}  // namespace floe
