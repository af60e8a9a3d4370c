#include "server/lake_maintenance.h"

#include "server/lake_table_job.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "binder/client_context.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "common/logging.h"
#include "io/file_roots.h"
#include "io/file_system.h"
#include "lake/external_catalogs.h"
#include "lake/iceberg/data_file_writer.h"
#include "lake/iceberg/iceberg_catalog.h"
#include "lake/iceberg/maintenance.h"
#include "lake/iceberg/scan_observations.h"
#include "lake/iceberg/transforms.h"
#include "metastore/meta_store.h"
#include "server/iceberg_write_support.h"
#include "server/instance.h"
#include "server/mv_service.h"
#include "server/result_builder.h"
#include "server/session.h"
#include "server/tiering_service.h"

namespace floe {

using namespace lake_upkeep;

bool LakeMaintenance::IsProcedure(const std::string& name) {
    static const std::set<std::string> names = {"rewrite_data_files",
                                                "optimize",
                                                "rewrite_manifests",
                                                "optimize_manifests",
                                                "expire_snapshots",
                                                "remove_orphan_files",
                                                "rewrite_position_delete_files",
                                                "rewrite_position_deletes",
                                                "apply_retention",
                                                "run_maintenance"};
    return names.count(name) > 0;
}

std::unique_lock<std::mutex> LakeMaintenance::LockTable(const std::string& catalog, const std::string& db,
                                                        const std::string& table, bool wait) {
    std::mutex* m = nullptr;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto& slot = table_locks_[AsciiLower(catalog) + "\x01" + db + "\x01" + table];
        if (!slot) slot = std::make_unique<std::mutex>();
        m = slot.get();
    }
    if (wait) return std::unique_lock<std::mutex>(*m);
    return std::unique_lock<std::mutex>(*m, std::try_to_lock);
}

void LakeMaintenance::Start(int64_t interval_seconds) {
    auto& scheduler = instance_.mvs().scheduler();
    auto task = scheduler.GetTask(kTaskName);
    if (!task) {
        if (interval_seconds <= 0) return;
        TaskInfo t;
        t.name = kTaskName;
        t.kind = "LAKE";
        t.definition = "automatic Iceberg table maintenance";
        t.creator = "root@%";
        t.interval_seconds = interval_seconds;
        t.retries = 0;
        scheduler.CreateTask(t);
    } else if (task->interval_seconds != interval_seconds) {
        scheduler.SetSchedule(task->id, 0, interval_seconds);
    }
}

QueryResult LakeMaintenance::Execute(Session& session, const std::string& catalog, const std::string& db,
                                     const std::string& table, const ast::AlterTableStatement& s) {
    const std::string& p = s.procedure;
    auto worker = instance_.mvs().InternalSession(session.user() + "@" + session.host(), "");
    TableJob job(instance_, *worker, catalog, db, table, "manual");
    auto lock = LockTable(catalog, db, table);
    if (!s.procedure_where.empty() && p != "rewrite_data_files" && p != "optimize") {
        throw BinderError(p + "() takes no WHERE clause", ErrorCode::WRONG_ARGUMENTS);
    }
    ResultBuilder rb;
    auto one_row = [&](const std::vector<std::pair<std::string, int64_t>>& columns) {
        for (const auto& [name, v] : columns) rb.AddColumn(name, TypeId::BIGINT);
        std::vector<Value> row;
        for (const auto& [name, v] : columns) row.push_back(Value::Integer(v));
        rb.AddRow(std::move(row));
    };
    if (p == "rewrite_data_files" || p == "optimize") {
        Args a(p, s.procedure_arguments,
               p == "optimize" ? std::vector<std::string>{"file_size_threshold"}
                               : std::vector<std::string>{"strategy", "sort_order"},
               {"strategy", "sort_order", "target_file_size_bytes", "min_file_size_bytes", "max_file_size_bytes",
                "min_input_files", "rewrite_all", "delete_ratio_threshold", "file_size_threshold", "where",
                "batch_size", "batch_parallelism"});
        TableState state = job.Load();
        iceberg::CompactionOptions o = CompactionDefaults(*state.metadata);
        o.target_file_size = a.Int("target_file_size_bytes", o.target_file_size, 1);
        o.min_file_size = a.Int("min_file_size_bytes", a.Int("file_size_threshold", 0));
        o.max_file_size = a.Int("max_file_size_bytes", 0);
        o.min_input_files = static_cast<int>(a.Int("min_input_files", o.min_input_files, 1));
        o.rewrite_all = a.Bool("rewrite_all", false);
        o.delete_ratio_threshold = a.Real("delete_ratio_threshold", 0.3);
        std::string strategy = a.Get("strategy") ? AsciiLower(*a.Get("strategy")) : "binpack";
        if (strategy != "binpack" && strategy != "sort") {
            throw BinderError("rewrite_data_files(): strategy must be 'binpack' or 'sort', not '" + strategy + "'",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        std::string sort_sql = a.Get("sort_order") ? *a.Get("sort_order") : "";
        o.sort = strategy == "sort" || !sort_sql.empty();
        std::string where = s.procedure_where;
        if (a.Get("where")) {
            if (!where.empty())
                throw BinderError("rewrite_data_files(): give the filter as WHERE or as where => '...', not both",
                                  ErrorCode::WRONG_ARGUMENTS);
            where = *a.Get("where");
        }
        Outcome r = job.Logged("rewrite_data_files", [&] { return job.RewriteDataFiles(o, where, sort_sql); });
        one_row({{"rewritten_data_files_count", r.files_in},
                 {"added_data_files_count", r.files_out},
                 {"rewritten_bytes_count", r.bytes_in},
                 {"added_bytes_count", r.bytes_out}});
    } else if (p == "rewrite_manifests" || p == "optimize_manifests") {
        Args a(p, s.procedure_arguments, {}, {"use_caching"});
        Outcome r = job.Logged("rewrite_manifests", [&] { return job.RewriteManifests(); });
        one_row({{"rewritten_manifests_count", r.files_in}, {"added_manifests_count", r.files_out}});
    } else if (p == "expire_snapshots") {
        Args a(p, s.procedure_arguments, {"older_than", "retain_last"},
               {"older_than", "retain_last", "retention_threshold", "snapshot_ids", "dry_run"});
        TableState state = job.Load();
        iceberg::ExpireOptions o;
        o.now_ms = NowMs();
        int64_t fallback =
            o.now_ms - iceberg::TablePropertyInt(*state.metadata, "history.expire.max-snapshot-age-ms", 5 * kDayMs);
        o.older_than_ms = a.Time("older_than", a.Time("retention_threshold", fallback));
        o.retain_last = static_cast<int>(a.Int(
            "retain_last", iceberg::TablePropertyInt(*state.metadata, "history.expire.min-snapshots-to-keep", 1), 1));
        if (const std::string* ids = a.Get("snapshot_ids")) {
            std::string text = *ids;
            for (char& ch : text) {
                if (ch == ',' || ch == '[' || ch == ']' || ch == '(' || ch == ')') ch = ' ';
            }
            std::istringstream in(text);
            for (std::string id; in >> id;) {
                try {
                    o.snapshot_ids.insert(std::stoll(id));
                } catch (const std::exception&) {
                    throw BinderError("expire_snapshots(): snapshot_ids must list snapshot ids, not '" + *ids + "'",
                                      ErrorCode::WRONG_ARGUMENTS);
                }
            }
        }
        Outcome r = job.Logged("expire_snapshots", [&] { return job.ExpireSnapshots(o, a.Bool("dry_run", false)); });
        one_row({{"expired_snapshots_count", r.files_in},
                 {"deleted_files_count", r.files_out},
                 {"deleted_bytes_count", r.bytes_out}});
    } else if (p == "remove_orphan_files") {
        Args a(p, s.procedure_arguments, {"older_than", "location"},
               {"older_than", "retention_threshold", "location", "dry_run"});
        int64_t older = a.Time("older_than", a.Time("retention_threshold", NowMs() - 3 * kDayMs));
        if (older > NowMs() - kDayMs) {
            throw BinderError(
                "remove_orphan_files(): older_than must be at least one day ago: files younger than that may belong "
                "to a write still in progress",
                ErrorCode::WRONG_ARGUMENTS);
        }
        std::vector<FileInfo> orphans;
        bool dry = a.Bool("dry_run", false);
        std::string location = a.Get("location") ? *a.Get("location") : "";
        if (!location.empty()) {
            std::string root = job.Load().metadata->location;
            if (iceberg::ComparablePath(location) != iceberg::ComparablePath(root) &&
                !iceberg::UnderLocation(location, root)) {
                throw BinderError("remove_orphan_files(): location '" + location +
                                      "' is not under the table's location '" + root + "'",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
        }
        job.Logged("remove_orphan_files", [&] { return job.RemoveOrphans(older, dry, location, &orphans); });
        rb.AddColumn("orphan_file_location", LogicalType::Varchar());
        rb.AddColumn("file_size_in_bytes", TypeId::BIGINT);
        for (const auto& f : orphans) rb.AddRow({Value::Varchar(f.path), Value::Integer(static_cast<int64_t>(f.size))});
    } else if (p == "rewrite_position_delete_files" || p == "rewrite_position_deletes") {
        Args a(p, s.procedure_arguments, {}, {});
        Outcome r = job.Logged("rewrite_position_delete_files", [&] { return job.RewritePositionDeletes(); });
        one_row({{"rewritten_delete_files_count", r.files_in},
                 {"added_delete_files_count", r.files_out},
                 {"rewritten_bytes_count", r.bytes_in},
                 {"added_bytes_count", r.bytes_out}});
    } else if (p == "apply_retention") {
        Args a(p, s.procedure_arguments, {}, {});
        Outcome r = job.Logged("apply_retention", [&] { return job.ApplyRetention(true); });
        one_row({{"removed_data_files_count", r.files_in}, {"removed_bytes_count", r.bytes_in}});
    } else if (p == "run_maintenance") {
        Args a(p, s.procedure_arguments, {}, {});
        TableState state = job.Load();
        std::vector<Outcome> done = AutoRound(job, state, true);
        rb.AddColumn("action");
        rb.AddColumn("state", LogicalType::Varchar(16));
        rb.AddColumn("files_in", TypeId::BIGINT);
        rb.AddColumn("files_out", TypeId::BIGINT);
        rb.AddColumn("message", LogicalType::Varchar());
        for (const auto& o : done) {
            rb.AddRow({Value::Varchar(o.action), Value::Varchar(o.state), Value::Integer(o.files_in),
                       Value::Integer(o.files_out), Value::Varchar(o.message)});
        }
    } else {
        throw NotSupportedError("unknown maintenance procedure '" + p + "'");
    }
    return rb.Build();
}

void LakeMaintenance::Run(const TaskInfo& task, TaskRunInfo& run, Session& session,
                          const std::function<void(const std::string&)>& progress) {
    (void)task;
    Catalog& catalog = instance_.catalog();
    auto& externals = instance_.external_catalogs();
    int64_t tables = 0, acted = 0, failed = 0;
    for (const auto& info : catalog.ListExternalCatalogs()) {
        if (AsciiLower(info.type) != "iceberg") continue;
        std::vector<std::string> dbs;
        try {
            dbs = externals.ListDatabases(info.name);
        } catch (const Exception& e) {
            floe::Log::Warn("lake.catalog_unreachable", {{"catalog", info.name}, {"error", e.what()}});
            continue;
        }
        for (const auto& db : dbs) {
            std::vector<std::string> names;
            try {
                names = externals.ListTables(info.name, db);
            } catch (const Exception&) {
                continue;
            }
            for (const auto& t : names) {
                TableState state;
                try {
                    state = externals.LoadForWrite(info.name, db, t);
                } catch (const Exception&) {
                    continue;
                }
                auto on = state.metadata->properties.find("floe.maintenance");
                if (on == state.metadata->properties.end() || AsciiLower(on->second) != "true") continue;
                ++tables;
                // Due? The table's interval since its last automatic round.
                int64_t interval =
                    iceberg::TablePropertyInt(*state.metadata, "floe.maintenance.interval-seconds", 300) * 1000;
                auto last = catalog.store().Query(
                    "SELECT MAX(start_time) FROM lake_maintenance_log WHERE catalog_name = ? AND database_name = ? "
                    "AND table_name = ? AND trigger = 'auto'",
                    {info.name, db, t});
                int64_t last_ms = last.empty() ? 0 : MetaInt(last[0][0]);
                if (last_ms > 0 && NowMs() - last_ms < interval) continue;
                auto lock = LockTable(info.name, db, t, false);
                if (!lock.owns_lock()) continue;  // a tier move or a procedure is writing it: next round
                progress(fmt::format("{}.{}.{}", info.name, db, t));
                TableJob job(instance_, session, info.name, db, t, "auto");
                std::vector<Outcome> done = AutoRound(job, state, false);
                if (done.empty()) {
                    Outcome o;
                    o.action = "check";
                    o.state = "SKIPPED";
                    o.message = "healthy: nothing to do";
                    job.Log(o, NowMs());
                }
                for (const auto& o : done) {
                    if (o.state == "SUCCESS") ++acted;
                    if (o.state == "FAILED") ++failed;
                }
            }
        }
    }
    run.extra_message = fmt::format("{} tables checked, {} actions, {} failed", tables, acted, failed);
    if (acted == 0 && failed == 0) run.state = "SKIPPED";
}

}  // namespace floe
