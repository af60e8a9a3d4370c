#include "server/tiering_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <set>

#include "binder/client_context.h"
#include "binder/table_schema.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "common/logging.h"
#include "ingest/load_manager.h"
#include "io/file_system.h"
#include "lake/external_catalogs.h"
#include "lake/iceberg/iceberg_types.h"
#include "lake/iceberg/manifest.h"
#include "server/iceberg_write_support.h"
#include "server/instance.h"
#include "server/lake_maintenance.h"
#include "server/mv_service.h"
#include "server/session.h"
#include "server/session_variables.h"
#include "types/time_zone.h"

namespace floe {

namespace {

constexpr const char* kTagTable = "floe.tier.table";
constexpr const char* kTagSource = "floe.tier.source";

int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// The partition-column value `seconds` before now in the session's time zone (DATE or
/// DATETIME text): partitions whose upper bound is at most this are due to move.
std::string Cutoff(Session& session, int64_t seconds, TypeId type) {
    int64_t now =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    auto zone = TimeZone::Find(session.variables().Get(ast::VariableScope::DEFAULT, "time_zone").ToString());
    int64_t local = (zone ? zone->ToLocal(now) : now) - seconds * 1000000;
    if (type == TypeId::DATE) {
        constexpr int64_t kDay = int64_t{86400} * 1000000;
        int64_t days = local / kDay - ((local % kDay != 0) && (local < 0));
        return Value::Date(static_cast<int32_t>(days)).ToString();
    }
    return Value::Datetime(local).ToString();
}

/// "7 DAY" -> seconds; throws for anything else.
int64_t ParseMoveAfter(const std::string& text) {
    std::string t = text;
    t.erase(0, t.find_first_not_of(' '));
    size_t digits = 0;
    while (digits < t.size() && std::isdigit(static_cast<unsigned char>(t[digits]))) ++digits;
    std::string unit = AsciiUpper(t.substr(digits));
    unit.erase(0, unit.find_first_not_of(' '));
    unit.erase(unit.find_last_not_of(' ') + 1);
    if (unit.size() > 1 && unit.back() == 'S') unit.pop_back();
    static const std::set<std::string> units = {"SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "YEAR"};
    if (digits == 0 || digits > 9 || !units.count(unit)) {
        throw BinderError(
            "\"tiering.move_after\" must be '<n> SECOND|MINUTE|HOUR|DAY|WEEK|MONTH|YEAR', not '" + text + "'",
            ErrorCode::WRONG_ARGUMENTS);
    }
    return IntervalSeconds(std::stoll(t.substr(0, digits)), unit);
}

/// Splits "catalog.db.table" (backticks allowed around each part).
std::vector<std::string> SplitName(const std::string& name) {
    std::vector<std::string> parts;
    std::string cur;
    bool quoted = false;
    for (char c : name) {
        if (c == '`') {
            quoted = !quoted;
        } else if (c == '.' && !quoted) {
            parts.push_back(cur);
            cur.clear();
        } else {
            cur.push_back(c);
        }
    }
    parts.push_back(cur);
    return parts;
}

/// Whether Iceberg column type `cold` holds every value of hot type `hot` (the same type, or a
/// promotion Iceberg allows).
bool Holds(const LogicalType& cold, const LogicalType& hot) {
    if (cold == hot) return true;
    if (cold.IsString() && hot.IsString()) return true;
    if (cold.IsInteger() && hot.IsInteger()) return cold.PhysicalSize() >= hot.PhysicalSize();
    if (cold.id == TypeId::DOUBLE && (hot.id == TypeId::FLOAT || hot.id == TypeId::DOUBLE)) return true;
    if (cold.id == TypeId::DECIMAL && hot.id == TypeId::DECIMAL) {
        return cold.scale == hot.scale && cold.precision >= hot.precision;
    }
    if (cold.id == TypeId::DATETIME && hot.id == TypeId::DATETIME) return true;
    return false;
}

/// The snapshots from the current one back to (not including) `stop`, newest first; `found`
/// tells whether `stop` is an ancestor (always true for stop = -1).
std::vector<const iceberg::Snapshot*> SnapshotsSince(const iceberg::TableMetadata& m, int64_t stop, bool& found) {
    std::vector<const iceberg::Snapshot*> out;
    found = stop < 0;
    const iceberg::Snapshot* s = m.current_snapshot();
    std::set<int64_t> seen;
    while (s && seen.insert(s->snapshot_id).second) {
        if (s->snapshot_id == stop) {
            found = true;
            break;
        }
        out.push_back(s);
        if (!s->parent_snapshot_id) break;
        s = m.FindSnapshot(*s->parent_snapshot_id);
    }
    return out;
}

int64_t DataVersion(const TableVersion& version, int64_t partition) {
    auto it = version.data_versions.find(partition);
    return it == version.data_versions.end() ? 0 : it->second;
}

/// The flip of `parts`: their hot rows leave the table (date_trunc partitions are dropped, RANGE
/// ones emptied so late rows still have a home) and `next`'s boundary moves past them, on
/// condition that their data versions are still those of `version`.
LoadCommit FlipCommit(const TableVersion& version, const TableSchema& schema,
                      const std::vector<const PartitionInfo*>& parts, TierState& next) {
    LoadCommit commit;
    commit.label = LoadManager::NewLabel("tier_move");
    for (const PartitionInfo* p : parts) {
        if (!next.boundary || *p->upper > *next.boundary) next.boundary = p->upper;
        commit.expect_data_versions[p->id] = DataVersion(version, p->id);
        if (schema.partition.kind == ast::PartitionKind::TIME_EXPRESSION) {
            commit.drop_partitions.push_back(p->name);
        } else {
            commit.replace_partitions.push_back(p->name);
        }
    }
    return commit;
}

/// Runs `sql` in `session` with `pinned` as the version its hot table is read at.
QueryResult QueryAt(Session& session, std::shared_ptr<const TableVersion> pinned, const std::string& sql) {
    session.set_pinned_read(std::move(pinned));
    try {
        QueryResult r = session.Execute(sql);
        session.set_pinned_read(nullptr);
        return r;
    } catch (...) {
        session.set_pinned_read(nullptr);
        throw;
    }
}

/// A copy of `version` with only the rowsets of `partitions` and no tiering (what a move reads).
std::shared_ptr<const TableVersion> PartitionOnly(const TableVersion& version, const std::set<int64_t>& partitions) {
    auto v = std::make_shared<TableVersion>(version);
    v->rowsets.clear();
    for (const auto& r : version.rowsets) {
        if (partitions.count(r.partition_id)) v->rowsets.push_back(r);
    }
    v->tier = nullptr;
    return v;
}

}  // namespace

bool TieringService::IsTieringProperty(const std::string& key) {
    return AsciiLower(key).rfind("tiering.", 0) == 0;
}

void TieringService::SetStatus(int64_t table_id, const std::string& state, const std::string& reason) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& s = status_[table_id];
    s.state = state;
    s.reason = reason;
}

void TieringService::SetPolicy(Session& session, const TableInfo& table,
                               const std::vector<std::pair<std::string, std::string>>& properties) {
    Catalog& catalog = instance_.catalog();
    for (const auto& [k, v] : properties) {
        if (AsciiLower(k) != "tiering.cold_table" || !v.empty()) continue;
        // "tiering.cold_table" = "": the policy goes, only while no row lives in the cold tier
        // (those rows would vanish from the table).
        {
            auto lock = instance_.loads().LockTable(table.id);
            auto version = catalog.GetTableVersion(table.id);
            if (!version->tier) return;
            const TierState& tier = *version->tier;
            if (tier.boundary && (tier.mode == "external" || tier.snapshot_id >= 0)) {
                throw NotSupportedError("table '" + table.name + "' keeps rows in " + tier.ColdName() +
                                        "; its tiering policy cannot be removed while they are part of the table");
            }
            LoadCommit commit;
            commit.label = LoadManager::NewLabel("tiering_policy");
            commit.tier = std::shared_ptr<const TierState>();
            catalog.CommitLoad(table.id, commit);
        }
        instance_.mvs().scheduler().DropTask(TaskName(table.id));
        SetStatus(table.id, "IDLE", "");
        return;
    }
    int64_t interval = 60;
    bool interval_given = false;
    {
        auto lock = instance_.loads().LockTable(table.id);
        auto version = catalog.GetTableVersion(table.id);
        TableSchema schema = ParseTableDefinition(version->definition);
        auto tier = version->tier ? std::make_shared<TierState>(*version->tier) : std::make_shared<TierState>();
        bool had_policy = version->tier != nullptr;
        std::string cold_name;
        for (const auto& [k, v] : properties) {
            std::string key = AsciiLower(k);
            if (key == "tiering.cold_table") {
                cold_name = v;
            } else if (key == "tiering.move_after") {
                tier->move_after_seconds = ParseMoveAfter(v);
                tier->move_after = v;
            } else if (key == "tiering.mode") {
                std::string mode = AsciiLower(v);
                if (mode != "copy" && mode != "external") {
                    throw BinderError(
                        "\"tiering.mode\" is 'copy' (Floe moves aged partitions) or 'external' (another "
                        "writer fills the cold table), not '" +
                            v + "'",
                        ErrorCode::WRONG_ARGUMENTS);
                }
                if (had_policy && tier->boundary && mode != tier->mode) {
                    throw NotSupportedError("the tiering mode cannot change once partitions have moved");
                }
                tier->mode = mode;
            } else if (key == "tiering.check_interval") {
                try {
                    interval = std::stoll(v);
                    interval_given = true;
                } catch (const std::exception&) {
                    interval = -1;
                }
                if (interval < 1) {
                    throw BinderError("\"tiering.check_interval\" is a number of seconds (at least 1), not '" + v + "'",
                                      ErrorCode::WRONG_ARGUMENTS);
                }
            } else {
                throw BinderError(
                    "unknown tiering property '" + k +
                        "' (tiering.cold_table, tiering.move_after, tiering.mode, tiering.check_interval)",
                    ErrorCode::WRONG_ARGUMENTS);
            }
        }
        if (!had_policy && cold_name.empty()) {
            throw BinderError("table '" + table.name + "' has no tiering policy: set \"tiering.cold_table\" first",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        if (!cold_name.empty() && had_policy && !AsciiEqualsIgnoreCase(cold_name, tier->ColdName()) && tier->boundary) {
            throw NotSupportedError("table '" + table.name + "' already keeps its history in " + tier->ColdName() +
                                    "; the cold table cannot change once partitions have moved");
        }
        // What can be tiered: partitions by ranges of a date or datetime column.
        if (schema.keys_type == ast::KeysType::AGGREGATE || schema.keys_type == ast::KeysType::UNIQUE) {
            throw NotSupportedError("tiering applies to Duplicate Key and Primary Key tables; '" + table.name +
                                    "' merges rows on read (Aggregate / Unique Key)");
        }
        if ((schema.partition.kind != ast::PartitionKind::RANGE &&
             schema.partition.kind != ast::PartitionKind::TIME_EXPRESSION) ||
            schema.partition_columns.size() != 1) {
            throw NotSupportedError("tiering moves whole partitions by age: '" + table.name +
                                    "' must be partitioned by RANGE or date_trunc of one DATE or DATETIME column");
        }
        const TableColumn& pcol = schema.columns[schema.partition_columns[0]];
        if (pcol.type.id != TypeId::DATE && pcol.type.id != TypeId::DATETIME) {
            throw NotSupportedError("tiering moves partitions by age: the partition column '" + pcol.name +
                                    "' must be DATE or DATETIME, not " + pcol.type.ToString());
        }
        tier->column = pcol.name;
        auto& externals = instance_.external_catalogs();
        if (!cold_name.empty() && (!had_policy || !AsciiEqualsIgnoreCase(cold_name, tier->ColdName()))) {
            auto parts = SplitName(cold_name);
            if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty()) {
                throw BinderError(
                    "\"tiering.cold_table\" names an Iceberg table as catalog.database.table, not '" + cold_name + "'",
                    ErrorCode::WRONG_ARGUMENTS);
            }
            auto info = catalog.GetExternalCatalog(parts[0]);
            if (!info) throw CatalogError("Unknown catalog '" + parts[0] + "'", ErrorCode::UNKNOWN_DATABASE);
            // Creating or writing the cold table needs the rights to change that catalog.
            session.RequirePrivilege("USAGE", ClientContext::CatalogObject(parts[0]));
            session.RequirePrivilege("ALTER", ClientContext::CatalogObject(parts[0]));
            tier->cold_catalog = parts[0];
            tier->cold_database = parts[1];
            tier->cold_table = parts[2];
            auto c = externals.IcebergCatalogFor(parts[0]);
            if (!c->NamespaceExists(parts[1])) {
                throw CatalogError("Unknown database '" + parts[0] + "." + parts[1] + "'", ErrorCode::UNKNOWN_DATABASE);
            }
            bool exists = c->TableMetadataLocation(parts[1], parts[2]).has_value();
            if (!exists) {
                if (tier->mode == "external") {
                    throw CatalogError("Table '" + cold_name +
                                           "' doesn't exist: in external mode another writer fills an existing table",
                                       ErrorCode::UNKNOWN_TABLE);
                }
                // A cold table with the hot table's columns, partitioned by the same time unit.
                std::string cols;
                for (const auto& col : schema.columns) {
                    iceberg::FromFloeType(col.type, col.name);  // throws for a type Iceberg cannot hold
                    cols += (cols.empty() ? "" : ", ") + QuoteIdentifier(col.name) + " " + col.type.ToString();
                }
                std::string unit = schema.partition.kind == ast::PartitionKind::TIME_EXPRESSION
                                       ? AsciiLower(schema.partition.time_unit)
                                       : "day";
                if (unit != "hour" && unit != "day" && unit != "month" && unit != "year") unit = "day";
                session.Execute("CREATE TABLE " + QuoteIdentifier(parts[0]) + "." + QuoteIdentifier(parts[1]) + "." +
                                QuoteIdentifier(parts[2]) + " (" + cols + ") PARTITION BY (" + unit + "(" +
                                QuoteIdentifier(pcol.name) + "))");
            }
            iceberg::TableState state = externals.LoadForWrite(parts[0], parts[1], parts[2]);
            // Adopting: every hot column must be in the cold table with a type that holds it.
            for (const auto& col : schema.columns) {
                const iceberg::NestedField* found = nullptr;
                for (const auto& f : state.metadata->current_schema().fields) {
                    if (AsciiEqualsIgnoreCase(f.name, col.name)) found = &f;
                }
                if (!found) {
                    throw BinderError("cold table '" + cold_name + "' has no column '" + col.name +
                                          "' (the hot table's " + col.type.ToString() + ")",
                                      ErrorCode::WRONG_ARGUMENTS);
                }
                LogicalType cold = iceberg::ToFloeType(found->type);
                if (!Holds(cold, col.type)) {
                    throw BinderError("cold table '" + cold_name + "' column '" + col.name + "' is " + cold.ToString() +
                                          ", which cannot hold the hot table's " + col.type.ToString(),
                                      ErrorCode::WRONG_ARGUMENTS);
                }
            }
            tier->cold_uuid = state.metadata->table_uuid;
            tier->snapshot_id = -1;
            tier->boundary.reset();
            if (tier->mode == "external") {
                // The cold table holds what is older than the first hot partition.
                std::optional<std::string> low;
                for (const auto& p : version->partitions) {
                    if (p.lower && (!low || *p.lower < *low)) low = p.lower;
                }
                if (low) tier->boundary = low;
            } else if (const iceberg::Snapshot* current = state.metadata->current_snapshot()) {
                // Adopting a table with history (exported from a warehouse, or a restore on a new
                // server): its rows below the boundary are the table's past.
                std::string cutoff = Cutoff(session, tier->move_after_seconds, pcol.type.id);
                std::optional<std::string> low;
                for (const auto& p : version->partitions) {
                    bool has_rows = false;
                    for (const auto& r : version->rowsets) has_rows |= r.partition_id == p.id && r.live_rows() > 0;
                    if (has_rows && p.lower && (!low || *p.lower < *low)) low = p.lower;
                }
                tier->boundary = low && *low < cutoff ? *low : cutoff;
                tier->snapshot_id = current->snapshot_id;
            }
        }
        LoadCommit commit;
        commit.label = LoadManager::NewLabel("tiering_policy");
        commit.tier = std::shared_ptr<const TierState>(tier);
        catalog.CommitLoad(table.id, commit);
    }
    // The table's task: a move as soon as it can, then every check interval.
    auto& scheduler = instance_.mvs().scheduler();
    auto task = scheduler.GetTask(TaskName(table.id));
    if (!task) {
        TaskInfo t;
        t.name = TaskName(table.id);
        t.database = table.database;
        t.kind = "TIER";
        t.mv_id = table.id;
        t.definition = "ALTER TABLE " + QuoteIdentifier(table.database) + "." + QuoteIdentifier(table.name) +
                       " EXECUTE tier_move()";
        t.creator = session.user() + "@" + session.host();
        t.interval_seconds = interval;
        t.retries = 0;
        t.id = scheduler.CreateTask(t);
        task = t;
    } else {
        if (interval_given) scheduler.SetSchedule(task->id, 0, interval);
    }
    SetStatus(table.id, "IDLE", "");
    scheduler.Submit(task->id, TaskSubmit{});
}

TaskRunInfo TieringService::MoveNow(Session& session, const TableInfo& table) {
    (void)session;
    auto& scheduler = instance_.mvs().scheduler();
    auto task = scheduler.GetTask(TaskName(table.id));
    if (!task) {
        throw BinderError("table '" + table.name +
                              "' has no tiering policy (ALTER TABLE ... SET (\"tiering.cold_table\" "
                              "= ...))",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    TaskSubmit submit;
    submit.priority = 1;
    return scheduler.Wait(scheduler.Submit(task->id, submit));
}

void TieringService::Run(const TaskInfo& task, TaskRunInfo& run, Session& session,
                         const std::function<void(const std::string&)>& progress) {
    Catalog& catalog = instance_.catalog();
    auto table = catalog.GetTableById(task.mv_id);
    if (!table) {
        // The table was dropped: its task goes with it.
        run.state = "SKIPPED";
        return;
    }
    int64_t moved = 0, rows = 0;
    int64_t started = NowMs();
    int conflicts = 0;
    bool tombstones_applied = false;
    std::set<std::string> handled;  // partitions moved in this run (late rows arriving meanwhile wait for the next)
    try {
        for (;;) {
            // After a conflict (the partition kept being written while it was copied) the move
            // holds the table's write lock from reading to flipping: writers wait for one copy.
            std::optional<LoadManager::TableLock> exclusive;
            if (conflicts > 0) exclusive.emplace(instance_.loads().LockTable(table->id));
            auto version = catalog.GetTableVersion(table->id);
            if (!version->tier) {
                run.state = "SKIPPED";
                return;
            }
            const TierState& tier = *version->tier;
            TableSchema schema = ParseTableDefinition(version->definition);
            int c = schema.Find(tier.column);
            std::string cutoff = Cutoff(session, tier.move_after_seconds,
                                        c < 0 ? TypeId::DATE : schema.columns[static_cast<size_t>(c)].type.id);
            // Aged partitions, and partitions below the boundary (late rows), oldest first.
            std::vector<const PartitionInfo*> due;
            for (const auto& p : version->partitions) {
                if (!p.upper || handled.count(p.name)) continue;
                bool aged = *p.upper <= cutoff;
                bool late = tier.boundary && *p.upper <= *tier.boundary;
                if (aged || late) due.push_back(&p);
            }
            std::sort(due.begin(), due.end(),
                      [](const PartitionInfo* a, const PartitionInfo* b) { return *a->upper < *b->upper; });
            if (due.empty()) {
                // Nothing to move, but keys deleted by loads wait for the cold table: apply them.
                if (tier.tombstones.empty() || tombstones_applied || tier.mode == "external") break;
                tombstones_applied = true;
                int64_t ignored = 0;
                if (!MovePartitions(session, *table, version, {}, ignored, exclusive.has_value())) {
                    if (++conflicts > 5)
                        throw CommitConflictError("the table kept changing while deletes were applied");
                    tombstones_applied = false;
                }
                continue;
            }
            SetStatus(table->id, "MOVING",
                      due.size() == 1 ? "partition " + due.front()->name
                                      : fmt::format("{} partitions from {}", due.size(), due.front()->name));
            progress(fmt::format("{} moved, {} to go", moved, due.size()));
            int64_t part_rows = 0;
            bool done = false;
            if (tier.mode == "external") {
                std::string reason;
                done = CheckExternal(session, *table, version, *due.front(), reason);
                if (done) {
                    handled.insert(due.front()->name);
                    ++moved;
                }
                if (!done && !reason.empty()) {
                    // The partition waits for the other writer (and so do the newer ones).
                    SetStatus(table->id, "WAITING", reason);
                    run.extra_message = reason;
                    if (moved == 0) run.state = "SKIPPED";
                    return;
                }
            } else {
                // Every due partition in one copy and one cold snapshot: late rows of many days
                // become one batch of files, not a snapshot per day.
                done = MovePartitions(session, *table, version, due, part_rows, exclusive.has_value());
                if (done) {
                    for (const auto* p : due) handled.insert(p->name);
                    moved += static_cast<int64_t>(due.size());
                }
            }
            if (!done) {
                if (++conflicts > 5) {
                    throw CommitConflictError("partition " + due.front()->name +
                                              " kept changing while it was being moved; the next run tries again");
                }
                continue;
            }
            rows += part_rows;
        }
    } catch (const Exception& e) {
        SetStatus(table->id, "ERROR", e.what());
        throw;
    }
    int64_t elapsed = std::max<int64_t>(1, NowMs() - started);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto& s = status_[table->id];
        s.state = "IDLE";
        s.reason.clear();
        if (moved > 0) {
            s.last_move_ms = NowMs();
            s.moved_partitions += moved;
            s.moved_rows += rows;
            s.last_rows_per_second = rows * 1000 / elapsed;
        }
    }
    if (moved == 0) run.state = "SKIPPED";
    run.extra_message = fmt::format("{} partitions, {} rows moved", moved, rows);
}

namespace {

/// The snapshots after the recorded one that Floe committed for `table_id` and never flipped to (a
/// crash or a lost race between the cold commit and the flip): their files are not the table's.
/// Throws when the cold table was replaced or no longer has the recorded snapshot.
std::set<int64_t> Unflipped(const iceberg::TableState& state, const TierState& tier, int64_t table_id) {
    if (!tier.cold_uuid.empty() && state.metadata->table_uuid != tier.cold_uuid) {
        throw IOError("cold table " + tier.ColdName() + " was replaced (table-uuid " + state.metadata->table_uuid +
                      ", expected " + tier.cold_uuid + "); the boundary stays until the policy is set again");
    }
    bool found = false;
    auto since = SnapshotsSince(*state.metadata, tier.snapshot_id, found);
    if (!found) {
        throw IOError("cold table " + tier.ColdName() + " no longer has snapshot " + std::to_string(tier.snapshot_id) +
                      " (the one queries read) in its history: it was rolled back or expired; the boundary stays");
    }
    std::set<int64_t> out;
    for (const auto* s : since) {
        auto t = s->summary.find(kTagTable);
        if (t != s->summary.end() && t->second == std::to_string(table_id)) out.insert(s->snapshot_id);
    }
    return out;
}

/// The live data and delete files of the current snapshot that `snapshots` added.
void FilesOf(const iceberg::TableState& state, const std::set<int64_t>& snapshots, std::set<std::string>& data,
             std::set<std::string>& deletes) {
    const iceberg::Snapshot* top = state.metadata->current_snapshot();
    if (snapshots.empty() || !top) return;
    for (const auto& m : iceberg::ReadSnapshotManifests(*state.metadata, *top)) {
        for (auto& e : iceberg::ReadManifest(ReadWholeFile(m.path), "manifest '" + m.path + "'", m)) {
            if (e.status == iceberg::EntryStatus::DELETED) continue;
            if (!snapshots.count(e.snapshot_id.value_or(m.added_snapshot_id))) continue;
            (e.file.content == iceberg::DataFileContent::DATA ? data : deletes).insert(e.file.file_path);
        }
    }
}

}  // namespace

int64_t TieringService::DeleteCold(Session& session, ClientContext& context, const TableInfo& table,
                                   const ast::ExprPtr& where, const std::string& alias) {
    auto version = instance_.catalog().GetTableVersion(table.id);
    if (!version->tier || version->tier->mode == "external" || version->tier->snapshot_id < 0) return 0;
    // Lake maintenance of the cold table waits until the delete is recorded (and may have moved
    // the cold snapshot before: the version is read again under the lock).
    auto cold_lock = instance_.lake().LockTable(version->tier->cold_catalog, version->tier->cold_database,
                                                version->tier->cold_table);
    version = instance_.catalog().GetTableVersion(table.id);
    if (!version->tier || version->tier->mode == "external" || version->tier->snapshot_id < 0) return 0;
    const TierState& tier = *version->tier;
    auto& externals = instance_.external_catalogs();
    iceberg::TableState state = externals.LoadForWrite(tier.cold_catalog, tier.cold_database, tier.cold_table);
    std::set<int64_t> orphans = Unflipped(state, tier, table.id);
    // The rows the statement deletes among those queries read (the recorded snapshot).
    std::vector<Chunk> rows = iceberg_write::RunSnapshotQuery(
        context, tier.cold_catalog, tier.cold_database, tier.cold_table, tier.snapshot_id,
        alias.empty() ? table.name : alias, "_file, _pos", {}, where, false);
    size_t n = 0;
    for (const auto& c : rows) n += c.live_rows();
    if (n == 0) return 0;
    auto c = externals.IcebergCatalogFor(tier.cold_catalog);
    iceberg::TableLoader reload = [&externals, tier] {
        return externals.LoadForWrite(tier.cold_catalog, tier.cold_database, tier.cold_table);
    };
    iceberg::TableTransaction txn(*c, tier.cold_database, tier.cold_table, state, reload);
    std::vector<std::string> written;
    int64_t deleted = 0;
    try {
        deleted = iceberg_write::StageDeletes(rows, state, txn, written, false);
        std::set<std::string> stale, stale_deletes;
        FilesOf(state, orphans, stale, stale_deletes);
        if (!stale.empty()) txn.RemoveDataFiles(stale);
        if (!stale_deletes.empty()) txn.RemoveDeleteFiles(stale_deletes);
        txn.SetSummary(kTagTable, std::to_string(table.id));
        txn.SetSummary(kTagSource, "delete");
        externals.Remember(txn.Commit());
    } catch (...) {
        if (!txn.outcome_unknown()) iceberg_write::DeleteQuietly(written);
        throw;
    }
    // The statement holds the table's write lock: no move flips meanwhile.
    auto next = std::make_shared<TierState>(tier);
    next->snapshot_id = txn.snapshot_id();
    LoadCommit commit;
    commit.label = LoadManager::NewLabel("tier_delete");
    commit.expect_tier_snapshot = tier.snapshot_id;
    commit.tier = std::shared_ptr<const TierState>(next);
    instance_.catalog().CommitLoad(table.id, commit);
    NoteReplaced(tier);
    return deleted;
}

bool TieringService::MovePartitions(Session& session, const TableInfo& table,
                                    std::shared_ptr<const TableVersion> version,
                                    const std::vector<const PartitionInfo*>& parts, int64_t& rows, bool locked) {
    Catalog& catalog = instance_.catalog();
    const TierState& tier = *version->tier;
    TableSchema schema = ParseTableDefinition(version->definition);
    auto next = std::make_shared<TierState>(tier);
    LoadCommit commit = FlipCommit(*version, schema, parts, *next);
    commit.expect_tier_snapshot = tier.snapshot_id;
    std::set<int64_t> ids;
    std::string tag = std::to_string(table.id) + "/";
    for (const PartitionInfo* p : parts) {
        ids.insert(p->id);
        tag +=
            (tag.back() == '/' ? "" : ",") + std::to_string(p->id) + "@" + std::to_string(DataVersion(*version, p->id));
    }
    int64_t live = 0;
    for (const auto& r : version->rowsets) {
        if (ids.count(r.partition_id)) live += r.live_rows();
    }
    bool adopted = false;
    // Lake maintenance of the cold table waits while this move copies. The lock goes before the
    // flip takes the table's write lock (a DELETE holds that one, then this one: the other order
    // would deadlock); between copy and flip maintenance leaves the table alone, since the
    // unflipped copy sits above the snapshot the hot table reads.
    auto cold_lock = instance_.lake().LockTable(tier.cold_catalog, tier.cold_database, tier.cold_table);
    {
        // Maintenance may have moved the cold snapshot (a compaction) before the lock: read again.
        auto now = catalog.GetTableVersion(table.id);
        if (!now->tier || now->tier->snapshot_id != tier.snapshot_id) return false;
    }
    if (live > 0 || !tier.tombstones.empty()) {
        auto& externals = instance_.external_catalogs();
        iceberg::TableState state = externals.LoadForWrite(tier.cold_catalog, tier.cold_database, tier.cold_table);
        std::set<int64_t> orphans = Unflipped(state, tier, table.id);
        int64_t snapshot = -1;
        const iceberg::Snapshot* top = state.metadata->current_snapshot();
        if (top && orphans.count(top->snapshot_id)) {
            auto src = top->summary.find(kTagSource);
            if (src != top->summary.end() && src->second == tag) {
                // A copy committed before a crash (or a lost flip) of exactly these rows: flip to it.
                snapshot = top->snapshot_id;
                adopted = true;
                auto added = top->summary.find("added-records");
                rows = added == top->summary.end() ? live : std::stoll(added->second);
            }
        }
        if (snapshot < 0) {
            // Files of tagged snapshots that were never flipped leave in the same commit.
            std::set<std::string> stale, stale_deletes;
            FilesOf(state, orphans, stale, stale_deletes);
            // The cold table's columns in order, from the hot columns of the same names.
            std::string select;
            for (const auto& f : state.metadata->current_schema().fields) {
                std::string item = "NULL";
                for (const auto& c : schema.columns) {
                    if (AsciiEqualsIgnoreCase(c.name, f.name)) item = QuoteIdentifier(c.name);
                }
                select += (select.empty() ? "" : ", ") + item;
            }
            std::string sql =
                "SELECT " + select + " FROM " + QuoteIdentifier(table.database) + "." + QuoteIdentifier(table.name);
            // Primary Key tables: cold rows whose keys the partition holds again (late upserts of
            // moved keys) are deleted in the same snapshot, so the newest version stays the only one.
            int64_t copy_start = NowMs();
            std::vector<Chunk> replaced;
            // ... and so are cold rows of keys loads deleted (tombstones).
            std::vector<std::string> conditions;
            if (schema.keys_type == ast::KeysType::PRIMARY && tier.snapshot_id >= 0 && live > 0) {
                std::string match;
                for (const auto& k : schema.key_columns) {
                    match += " AND __hot." + QuoteIdentifier(k) + " = __cold." + QuoteIdentifier(k);
                }
                conditions.push_back("EXISTS (SELECT 1 FROM " + QuoteIdentifier(table.database) + "." +
                                     QuoteIdentifier(table.name) + " AS __hot WHERE 1 = 1" + match + ")");
            }
            if (tier.snapshot_id >= 0) {
                std::string deleted = TombstoneMatch(schema, tier.tombstones, "__cold");
                if (!deleted.empty()) conditions.push_back(deleted);
                // A partition moving for the first time replaces whatever the cold table held in
                // its range (hidden above the old boundary: rows of an adopted table that the hot
                // tier also has), so they never show up twice.
                int pc = schema.Find(tier.column);
                std::string type = pc < 0 ? "DATE" : schema.columns[static_cast<size_t>(pc)].type.ToString();
                std::string col = "__cold." + QuoteIdentifier(tier.column);
                for (const PartitionInfo* p : parts) {
                    if (!p->lower || (tier.boundary && *p->lower < *tier.boundary)) continue;
                    conditions.push_back("(" + col + " >= CAST(" + QuoteString(*p->lower) + " AS " + type + ") AND " +
                                         col + " < CAST(" + QuoteString(*p->upper) + " AS " + type + "))");
                }
            }
            if (!conditions.empty()) {
                std::string where;
                for (const auto& c : conditions) where += (where.empty() ? "" : " OR ") + c;
                std::string cold = QuoteIdentifier(tier.cold_catalog) + "." + QuoteIdentifier(tier.cold_database) +
                                   "." + QuoteIdentifier(tier.cold_table);
                replaced = QueryAt(session, PartitionOnly(*version, ids),
                                   "SELECT _file, _pos FROM " + cold + " FOR VERSION AS OF " +
                                       std::to_string(tier.snapshot_id) + " AS __cold WHERE " + where)
                               .chunks;
            }
            std::vector<std::string> delete_files;
            std::function<void(iceberg::TableTransaction&)> prepare = [&](iceberg::TableTransaction& txn) {
                txn.SetSummary(kTagTable, std::to_string(table.id));
                txn.SetSummary(kTagSource, tag);
                if (!stale.empty()) txn.RemoveDataFiles(stale);
                if (!stale_deletes.empty()) txn.RemoveDeleteFiles(stale_deletes);
                size_t n = 0;
                for (const auto& c : replaced) n += c.live_rows();
                if (n > 0) iceberg_write::StageDeletes(replaced, state, txn, delete_files, false);
            };
            auto [id, written] = session.CopyIntoIceberg(sql, PartitionOnly(*version, ids), tier.cold_catalog,
                                                         tier.cold_database, tier.cold_table, state, prepare);
            snapshot = id;
            rows = written;
            Log::Info("tiering.copied", {{"table", table.database + "." + table.name},
                                         {"ms", NowMs() - copy_start},
                                         {"partitions", parts.size()},
                                         {"rows", written},
                                         {"cold", tier.ColdName()},
                                         {"snapshot", id}});
        }
        next->snapshot_id = snapshot;
    }
    // The tombstones this copy applied are done (an adopted copy may predate some: they stay).
    if (!adopted) commit.tier_tombstones_clear = tier.tombstones;
    commit.tier = std::shared_ptr<const TierState>(next);
    // Under the table's write lock: a writer that read the version before the flip commits before it.
    std::optional<LoadManager::TableLock> lock;
    cold_lock.unlock();
    if (!locked) lock.emplace(instance_.loads().LockTable(table.id));
    try {
        catalog.CommitLoad(table.id, commit);
    } catch (const CommitConflictError&) {
        return false;  // rows of the partition changed after they were read: copy again
    }
    if (next->snapshot_id != tier.snapshot_id) NoteReplaced(tier);
    return true;
}

bool TieringService::CheckExternal(Session& session, const TableInfo& table,
                                   std::shared_ptr<const TableVersion> version, const PartitionInfo& partition,
                                   std::string& reason) {
    Catalog& catalog = instance_.catalog();
    const TierState& tier = *version->tier;
    TableSchema schema = ParseTableDefinition(version->definition);
    bool below = tier.boundary && *partition.upper <= *tier.boundary;
    if (!below) {
        // Every key of the hot partition must be in the cold table (the exact version of seed 002's
        // Airflow check): Primary Key tables by key, others by whole rows.
        std::vector<std::string> keys;
        if (schema.keys_type == ast::KeysType::PRIMARY) {
            keys = schema.key_columns;
        } else {
            for (const auto& c : schema.columns) keys.push_back(c.name);
        }
        std::string match;
        for (const auto& k : keys) {
            std::string col = QuoteIdentifier(k);
            match += std::string(match.empty() ? "" : " AND ") + "(__c." + col + " = __h." + col + " OR (__c." + col +
                     " IS NULL AND __h." + col + " IS NULL))";
        }
        std::string sql = "SELECT count(*), (SELECT count(*) FROM " + QuoteIdentifier(table.database) + "." +
                          QuoteIdentifier(table.name) + ") FROM " + QuoteIdentifier(table.database) + "." +
                          QuoteIdentifier(table.name) + " AS __h WHERE NOT EXISTS (SELECT 1 FROM " +
                          QuoteIdentifier(tier.cold_catalog) + "." + QuoteIdentifier(tier.cold_database) + "." +
                          QuoteIdentifier(tier.cold_table) + " AS __c WHERE " + match + ")";
        QueryResult r = QueryAt(session, PartitionOnly(*version, {partition.id}), sql);
        int64_t missing = 0, total = 0;
        for (const auto& chunk : r.chunks) {
            if (chunk.live_rows() == 0) continue;
            Value m = chunk.column(0).GetValue(chunk.LiveRow(0)), t = chunk.column(1).GetValue(chunk.LiveRow(0));
            missing = m.is_null() ? 0 : m.GetInt();
            total = t.is_null() ? 0 : t.GetInt();
        }
        if (missing > 0) {
            reason = fmt::format("partition {}: {} of {} {} not yet in {}", partition.name, missing, total,
                                 schema.keys_type == ast::KeysType::PRIMARY ? "keys" : "rows", tier.ColdName());
            return false;
        }
    }
    auto next = std::make_shared<TierState>(tier);
    LoadCommit commit = FlipCommit(*version, schema, {&partition}, *next);
    commit.tier = std::shared_ptr<const TierState>(next);
    // Under the table's write lock: a writer that read the version before the flip commits before it.
    auto lock = instance_.loads().LockTable(table.id);
    try {
        catalog.CommitLoad(table.id, commit);
    } catch (const CommitConflictError&) {
        return false;
    }
    return true;
}

void TieringService::ChangeColdColumns(const TableInfo& table,
                                       const std::vector<std::pair<std::string, std::string>>& columns, bool modify) {
    auto version = instance_.catalog().GetTableVersion(table.id);
    if (!version->tier || columns.empty()) return;
    const TierState& tier = *version->tier;
    auto state = instance_.external_catalogs().LoadForWrite(tier.cold_catalog, tier.cold_database, tier.cold_table);
    auto session = instance_.mvs().InternalSession("root@%", table.database);
    for (const auto& [name, type] : columns) {
        const iceberg::NestedField* field = nullptr;
        for (const auto& f : state.metadata->current_schema().fields) {
            if (AsciiEqualsIgnoreCase(f.name, name)) field = &f;
        }
        std::string cold = QuoteIdentifier(tier.cold_catalog) + "." + QuoteIdentifier(tier.cold_database) + "." +
                           QuoteIdentifier(tier.cold_table);
        if (!modify) {
            if (!field) session->Execute("ALTER TABLE " + cold + " ADD COLUMN " + QuoteIdentifier(name) + " " + type);
            continue;
        }
        if (!field) continue;  // the hot table's own error names it
        if (iceberg::ToFloeType(field->type).ToString() == type) continue;
        try {
            session->Execute("ALTER TABLE " + cold + " MODIFY COLUMN " + QuoteIdentifier(name) + " " + type);
        } catch (const Exception& e) {
            throw NotSupportedError("column '" + name + "' of tiered table '" + table.name + "' cannot become " + type +
                                    ": its cold table " + tier.ColdName() + " refuses the change (" + e.what() + ")");
        }
    }
}

void TieringService::RenameColdColumn(const TableInfo& table, const std::string& from, const std::string& to) {
    auto version = instance_.catalog().GetTableVersion(table.id);
    if (!version->tier) return;
    const TierState& tier = *version->tier;
    auto state = instance_.external_catalogs().LoadForWrite(tier.cold_catalog, tier.cold_database, tier.cold_table);
    bool has_from = false, has_to = false;
    for (const auto& f : state.metadata->current_schema().fields) {
        has_from |= AsciiEqualsIgnoreCase(f.name, from);
        has_to |= AsciiEqualsIgnoreCase(f.name, to);
    }
    if (!has_from || has_to) {
        throw NotSupportedError("column '" + from + "' of tiered table '" + table.name + "' cannot be renamed to '" +
                                to + "': the cold table " + tier.ColdName() +
                                (has_to ? " already has a column of that name" : " has no such column"));
    }
    // Iceberg renames by field id: the cold files keep their data under the new name.
    auto session = instance_.mvs().InternalSession("root@%", table.database);
    session->Execute("ALTER TABLE " + QuoteIdentifier(tier.cold_catalog) + "." + QuoteIdentifier(tier.cold_database) +
                     "." + QuoteIdentifier(tier.cold_table) + " RENAME COLUMN " + QuoteIdentifier(from) + " TO " +
                     QuoteIdentifier(to));
}

MvRows TieringService::Rows(Session& session, const std::string& database) {
    MvRows out;
    auto col = [&](const char* name, LogicalType type) {
        out.names.push_back(name);
        out.types.push_back(type);
    };
    col("TABLE_SCHEMA", LogicalType::Varchar(64));
    col("TABLE_NAME", LogicalType::Varchar(64));
    col("COLD_TABLE", LogicalType::Varchar(256));
    col("MODE", LogicalType::Varchar(16));
    col("MOVE_AFTER", LogicalType::Varchar(32));
    col("PARTITION_COLUMN", LogicalType::Varchar(64));
    col("BOUNDARY", LogicalType::Varchar(32));
    col("COLD_SNAPSHOT_ID", TypeId::BIGINT);
    col("HOT_PARTITIONS", TypeId::BIGINT);
    col("HOT_ROWS", TypeId::BIGINT);
    col("HOT_BYTES", TypeId::BIGINT);
    col("LATE_ROWS", TypeId::BIGINT);
    col("PENDING_DELETES", TypeId::BIGINT);
    col("COLD_ROWS", TypeId::BIGINT);
    col("COLD_BYTES", TypeId::BIGINT);
    col("COLD_FILES", TypeId::BIGINT);
    col("STATE", LogicalType::Varchar(16));
    col("REASON", LogicalType::Varchar(1024));
    col("LAST_MOVE", TypeId::DATETIME);
    col("NEXT_CHECK", TypeId::DATETIME);
    col("LAG_PARTITIONS", TypeId::BIGINT);
    col("MOVED_PARTITIONS", TypeId::BIGINT);
    col("MOVED_ROWS", TypeId::BIGINT);
    col("ROWS_PER_SECOND", TypeId::BIGINT);
    Catalog& catalog = instance_.catalog();
    auto str = [](const std::string& s) { return Value::Varchar(s); };
    auto time = [](int64_t seconds) {
        return seconds > 0 ? Value::Datetime(seconds * 1000000) : Value::Null(TypeId::DATETIME);
    };
    for (const auto& db : catalog.ListDatabases()) {
        if (!database.empty() && db.name != database) continue;
        for (const auto& t : catalog.ListTables(db.name)) {
            if (t.kind == "VIEW") continue;
            auto version = catalog.GetTableVersion(t.id);
            if (!version->tier) continue;
            if (!session.CanSee(ClientContext::TableObject(t))) continue;
            const TierState& tier = *version->tier;
            int64_t hot_rows = 0, hot_bytes = catalog.TableBytes(t.id), late_rows = 0;
            std::set<int64_t> late_partitions;
            for (const auto& p : version->partitions) {
                if (tier.boundary && p.upper && *p.upper <= *tier.boundary) late_partitions.insert(p.id);
            }
            for (const auto& r : version->rowsets) {
                hot_rows += r.live_rows();
                if (late_partitions.count(r.partition_id)) late_rows += r.live_rows();
            }
            int64_t cold_rows = 0, cold_bytes = 0, cold_files = 0;
            std::string reason;
            try {
                auto state =
                    instance_.external_catalogs().LoadForWrite(tier.cold_catalog, tier.cold_database, tier.cold_table);
                const iceberg::Snapshot* s =
                    tier.mode == "external" || tier.snapshot_id < 0
                        ? (tier.mode == "external" ? state.metadata->current_snapshot() : nullptr)
                        : state.metadata->FindSnapshot(tier.snapshot_id);
                if (s) {
                    auto num = [&](const char* k) -> int64_t {
                        auto it = s->summary.find(k);
                        try {
                            return it == s->summary.end() ? int64_t{0} : static_cast<int64_t>(std::stoll(it->second));
                        } catch (const std::exception&) {
                            return int64_t{0};
                        }
                    };
                    cold_rows = num("total-records");
                    cold_bytes = num("total-files-size");
                    cold_files = num("total-data-files");
                }
            } catch (const Exception& e) {
                reason = std::string("cold table unreachable: ") + e.what();
            }
            // Lag: partitions already past the policy's age still in the hot tier.
            int64_t lag = 0;
            Status status;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                if (auto it = status_.find(t.id); it != status_.end()) status = it->second;
            }
            if (reason.empty()) reason = status.reason;
            int64_t next_check = 0;
            if (auto task = instance_.mvs().scheduler().GetTask(TaskName(t.id))) {
                next_check = instance_.mvs().scheduler().NextRunTime(task->id);
            }
            try {
                TableSchema schema = ParseTableDefinition(version->definition);
                int c = schema.Find(tier.column);
                std::string cutoff = Cutoff(session, tier.move_after_seconds,
                                            c < 0 ? TypeId::DATE : schema.columns[static_cast<size_t>(c)].type.id);
                for (const auto& p : version->partitions) {
                    if (p.upper && *p.upper <= cutoff) ++lag;
                }
            } catch (const Exception&) {
            }
            out.rows.push_back({str(db.name),
                                str(t.name),
                                str(tier.ColdName()),
                                str(AsciiUpper(tier.mode)),
                                str(tier.move_after),
                                str(tier.column),
                                tier.boundary ? str(*tier.boundary) : Value::Null(LogicalType::Varchar(32)),
                                Value::Integer(tier.snapshot_id),
                                Value::Integer(static_cast<int64_t>(version->partitions.size())),
                                Value::Integer(hot_rows),
                                Value::Integer(hot_bytes),
                                Value::Integer(late_rows),
                                Value::Integer(static_cast<int64_t>(tier.tombstones.size())),
                                Value::Integer(cold_rows),
                                Value::Integer(cold_bytes),
                                Value::Integer(cold_files),
                                str(status.state),
                                str(reason),
                                time(status.last_move_ms / 1000),
                                time(next_check),
                                Value::Integer(lag),
                                Value::Integer(status.moved_partitions),
                                Value::Integer(status.moved_rows),
                                Value::Integer(status.last_rows_per_second)});
        }
    }
    return out;
}

}  // namespace floe
