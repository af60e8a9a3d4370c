// One Iceberg table's maintenance actions and the automatic round (server/lake_table_job.h).

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

namespace floe::lake_upkeep {

Outcome TableJob::RewriteDataFiles(const iceberg::CompactionOptions& given, const std::string& where,
                                   const std::string& sort_sql_given) {
    Outcome out;
    TableState state = Load();
    const iceberg::Snapshot* current = state.metadata->current_snapshot();
    if (!current) {
        out.state = "SKIPPED";
        out.message = "the table has no snapshot";
        return out;
    }
    iceberg::CompactionOptions options = given;
    // A tiering cold tier: only files up to the snapshot the hot table reads, and only while no
    // tier move waits to be flipped (its files sit above that snapshot).
    auto users = TierUsers();
    for (const auto& [id, snapshot] : users) {
        if (snapshot != current->snapshot_id) {
            out.state = "SKIPPED";
            out.message = "a tier move into this table is not flipped yet; compaction waits for it";
            return out;
        }
        options.max_sequence_number = current->sequence_number;
    }
    std::string sort_sql = sort_sql_given;
    if (options.sort && sort_sql.empty()) {
        sort_sql = SortOrderSql(*state.metadata);
        if (sort_sql.empty()) {
            throw BinderError("table " + Name() +
                                  " has no sort order: give sort_order => 'col [ASC|DESC], ...' or set one with "
                                  "ALTER TABLE ... ORDER BY",
                              ErrorCode::WRONG_ARGUMENTS);
        }
    }
    const std::string snapshot = std::to_string(current->snapshot_id);
    const std::string name = FullName(catalog_, db_, table_);
    if (!where.empty()) {
        QueryResult files = session_.Execute("SELECT DISTINCT _file FROM " + name + " FOR VERSION AS OF " + snapshot +
                                             " WHERE " + where);
        std::set<std::string> only;
        for (const auto& c : files.chunks) {
            for (size_t i = 0; i < c.live_rows(); ++i) only.insert(c.column(0).GetValue(c.LiveRow(i)).ToString());
        }
        options.only_files = std::move(only);
    }
    std::vector<iceberg::CompactionGroup> groups = iceberg::PlanCompaction(*state.metadata, options);
    if (groups.empty()) {
        out.state = "SKIPPED";
        out.message = "no files need rewriting";
        return out;
    }
    std::vector<std::string> files;
    std::set<std::string> removed, removed_deletes;
    for (const auto& g : groups) {
        for (const auto& f : g.data_files) {
            files.push_back(f);
            removed.insert(f);
        }
        removed_deletes.insert(g.delete_files.begin(), g.delete_files.end());
        out.files_in += static_cast<int64_t>(g.data_files.size());
        out.bytes_in += g.bytes;
    }
    // Every core reads; each partition is written by one writer (one file up to the target size).
    session_.Execute("SET pipeline_dop = 0");
    std::string sql = "SELECT " + ColumnList(*state.metadata) + " FROM " + name + " FOR VERSION AS OF " + snapshot +
                      " WHERE _file IN (" + InList(files) + ")";
    if (!sort_sql.empty()) sql += " ORDER BY " + sort_sql;
    int64_t removed_delete_count = static_cast<int64_t>(removed_deletes.size());
    std::function<void(iceberg::TableTransaction&)> prepare = [&](iceberg::TableTransaction& txn) {
        txn.RemoveDataFiles(removed);
        if (!removed_deletes.empty()) txn.RemoveDeleteFiles(removed_deletes);
        txn.SetOperation("replace");
        txn.SetSummary("floe.maintenance", "rewrite_data_files");
        // Sorted by the table's own order: the files say so (and are not rewritten again).
        if (options.sort && sort_sql_given.empty()) txn.MarkSorted(state.metadata->default_sort_order_id);
        txn.SetMinimumRetries(kMaintenanceRetries, 10);
    };
    auto [id, rows] = session_.CopyIntoIceberg(sql, nullptr, catalog_, db_, table_, state, prepare, true);
    (void)rows;
    out.snapshot_id = id;
    TableState after = Load();
    if (const iceberg::Snapshot* s = after.metadata->FindSnapshot(id)) {
        auto get = [&](const char* key) -> int64_t {
            auto it = s->summary.find(key);
            return it == s->summary.end() ? 0 : std::stoll(it->second);
        };
        out.files_out = get("added-data-files");
        out.bytes_out = get("added-files-size");
        // Hot tables tiered into this table read the compacted snapshot from now on (same rows).
        if (s->parent_snapshot_id) {
            for (const auto& [hot, snap] : users)
                instance_.tiering().AdvanceColdSnapshot(hot, *s->parent_snapshot_id, id);
        }
    }
    out.message = fmt::format("{} data files ({}) in {} partition(s) rewritten into {} ({}); {} delete files dropped",
                              out.files_in, Bytes(out.bytes_in), groups.size(), out.files_out, Bytes(out.bytes_out),
                              removed_delete_count);
    return out;
}

Outcome TableJob::ExpireSnapshots(const iceberg::ExpireOptions& given, bool dry_run) {
    Outcome out;
    TableState state = Load();
    auto gc = state.metadata->properties.find("gc.enabled");
    if (gc != state.metadata->properties.end() && AsciiLower(gc->second) == "false") {
        throw BinderError("table " + Name() + " has 'gc.enabled' = 'false': its snapshots are not expired",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    iceberg::ExpireOptions options = given;
    iceberg::ExpirePlan plan;
    auto plan_for = [&](const iceberg::TableMetadata& m) {
        options.protect = Protected(m);
        for (int64_t id : given.protect) options.protect.insert(id);
        return iceberg::PlanExpiry(m, options);
    };
    plan = plan_for(*state.metadata);
    if (plan.snapshots.empty() && plan.refs.empty()) {
        out.state = "SKIPPED";
        out.message = "no snapshot is due to expire";
        return out;
    }
    if (dry_run) {
        out.files_in = static_cast<int64_t>(plan.snapshots.size());
        return out;
    }
    auto c = externals_.IcebergCatalogFor(catalog_);
    std::shared_ptr<const iceberg::TableMetadata> before = state.metadata;
    TableState committed = iceberg::CommitMetadataChange(
        *c, db_, table_, state, Loader(),
        [&](const iceberg::TableMetadata& base) {
            plan = plan_for(base);
            before = std::make_shared<const iceberg::TableMetadata>(base);
            return iceberg::ApplyExpiry(base, plan);
        },
        kMaintenanceRetries, 10);
    externals_.Remember(committed);
    // Only now (the expiry is committed) do the files only expired snapshots reached go.
    std::vector<iceberg::FileToDelete> freed = iceberg::FilesFreedByExpiry(*before, *committed.metadata);
    std::vector<std::string> paths;
    int64_t data = 0, deletes = 0, manifests = 0, lists = 0;
    for (const auto& f : freed) {
        paths.push_back(f.path);
        out.bytes_out += f.size;
        using K = iceberg::FileToDelete::Kind;
        if (f.kind == K::DATA) ++data;
        if (f.kind == K::POSITION_DELETES || f.kind == K::EQUALITY_DELETES) ++deletes;
        if (f.kind == K::MANIFEST) ++manifests;
        if (f.kind == K::MANIFEST_LIST) ++lists;
    }
    for (size_t i = 0; i < paths.size(); i += 1000) {
        std::vector<std::string> batch(paths.begin() + static_cast<std::ptrdiff_t>(i),
                                       paths.begin() + static_cast<std::ptrdiff_t>(std::min(paths.size(), i + 1000)));
        try {
            FileSystemFor(batch.front()).Delete(batch);
        } catch (const Exception& e) {
            floe::Log::Warn("lake.expire_delete_failed", {{"table", Name()}, {"error", e.what()}});
        }
    }
    out.files_in = static_cast<int64_t>(plan.snapshots.size());
    out.files_out = static_cast<int64_t>(paths.size());
    out.message = fmt::format(
        "{} snapshots expired; deleted {} data files, {} delete files, {} manifests, {} manifest lists ({})",
        plan.snapshots.size(), data, deletes, manifests, lists, Bytes(out.bytes_out));
    return out;
}

Outcome TableJob::RemoveOrphans(int64_t older_than_ms, bool dry_run, const std::string& location,
                                std::vector<FileInfo>* listed_out) {
    Outcome out;
    TableState state = Load();
    std::string root = state.metadata->location;
    if (!location.empty() && iceberg::ComparablePath(location) != iceberg::ComparablePath(root) &&
        !iceberg::UnderLocation(location, root)) {
        throw BinderError(
            "remove_orphan_files(): location '" + location + "' is not under the table's location '" + root + "'",
            ErrorCode::WRONG_ARGUMENTS);
    }
    // A location that is a whole file root (or the file system's root) is not a table's own
    // directory: crafted metadata must not turn orphan removal loose on shared files.
    std::string plain = iceberg::ComparablePath(root);
    if (plain.empty() || plain == "/" || plain.find('/') == std::string::npos) {
        throw BinderError("table " + Name() + " has the location '" + root +
                              "', which is not a table directory: orphan files are not removed there",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    if (plain.find("://") == std::string::npos) {
        for (const auto& r : FileRoots::Roots()) {
            if (iceberg::ComparablePath(r) == plain) {
                throw BinderError("table " + Name() + " has the location '" + root +
                                      "', a whole file root: orphan files are not removed there",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
        }
    }
    // List first, then read the newest metadata: a file a commit references by then is kept, and
    // a file written after the listing is not in it. Without a location given, only the table's
    // data and metadata directories are listed (Iceberg's layout), never its whole location.
    std::vector<std::string> dirs;
    if (!location.empty()) {
        dirs.push_back(location);
    } else {
        std::string base = root;
        while (base.size() > 1 && base.back() == '/') base.pop_back();
        for (const auto& [key, fallback] : std::vector<std::pair<std::string, std::string>>{
                 {"write.data.path", base + "/data"}, {"write.metadata.path", base + "/metadata"}}) {
            auto it = state.metadata->properties.find(key);
            std::string dir = it == state.metadata->properties.end() ? fallback : it->second;
            if (iceberg::UnderLocation(dir, root)) dirs.push_back(dir);
        }
    }
    std::vector<FileInfo> listed;
    for (const auto& dir : dirs) {
        for (auto& f : FileSystemFor(dir).ListTree(dir)) listed.push_back(std::move(f));
    }
    TableState fresh = Load();
    std::vector<FileInfo> orphans =
        iceberg::FindOrphans(fresh.metadata_location, *fresh.metadata, listed, older_than_ms);
    std::vector<std::string> paths;
    for (const auto& f : orphans) {
        paths.push_back(f.path);
        out.bytes_out += static_cast<int64_t>(f.size);
    }
    if (!dry_run) {
        for (size_t i = 0; i < paths.size(); i += 1000) {
            std::vector<std::string> batch(
                paths.begin() + static_cast<std::ptrdiff_t>(i),
                paths.begin() + static_cast<std::ptrdiff_t>(std::min(paths.size(), i + 1000)));
            FileSystemFor(batch.front()).Delete(batch);
        }
    }
    out.files_in = static_cast<int64_t>(listed.size());
    out.files_out = static_cast<int64_t>(paths.size());
    out.message = fmt::format("{} of {} files under the table's location are orphans ({}){}", paths.size(),
                              listed.size(), Bytes(out.bytes_out), dry_run ? "; dry run, nothing deleted" : "");
    if (listed_out) *listed_out = std::move(orphans);
    return out;
}

Outcome TableJob::RewriteManifests() {
    Outcome out;
    TableState state = Load();
    if (!state.metadata->current_snapshot()) {
        out.state = "SKIPPED";
        out.message = "the table has no snapshot";
        return out;
    }
    auto c = externals_.IcebergCatalogFor(catalog_);
    iceberg::TableTransaction txn(*c, db_, table_, state, Loader());
    txn.SetRewriteManifests(true);
    txn.SetMinimumRetries(kMaintenanceRetries, 10);
    txn.SetSummary("floe.maintenance", "rewrite_manifests");
    TableState committed = txn.Commit();
    externals_.Remember(committed);
    auto [replaced, written] = txn.manifests_rewritten();
    out.snapshot_id = txn.snapshot_id();
    out.files_in = replaced;
    out.files_out = written;
    out.message = fmt::format("{} manifests rewritten into {}", replaced, written);
    // Tier users read the same rows in the new snapshot.
    for (const auto& [hot, snap] : TierUsers()) {
        const iceberg::Snapshot* s = committed.metadata->current_snapshot();
        if (s && s->parent_snapshot_id)
            instance_.tiering().AdvanceColdSnapshot(hot, *s->parent_snapshot_id, s->snapshot_id);
    }
    return out;
}

Outcome TableJob::RewritePositionDeletes() {
    Outcome out;
    TableState state = Load();
    const iceberg::Snapshot* current = state.metadata->current_snapshot();
    if (!current || state.metadata->format_version < 2) {
        out.state = "SKIPPED";
        out.message = "the table has no row deletes";
        return out;
    }
    if (!TierUsers().empty()) {
        out.state = "SKIPPED";
        out.message = "position deletes of a tiering cold table are rewritten by compaction only";
        return out;
    }
    // Live data and delete entries.
    std::map<std::string, iceberg_write::LiveFile> live = iceberg_write::LiveDataFiles(state);
    struct Del {
        std::string path;
        int32_t spec_id;
        std::string partition;
        bool file_scoped, dv;
        int64_t size;
    };
    std::vector<Del> position_deletes;
    for (const auto& m : iceberg::ReadSnapshotManifests(*state.metadata, *current)) {
        if (m.content != iceberg::ManifestContent::DELETES) continue;
        for (const auto& e : iceberg::ReadManifest(iceberg::ReadFileBytes(m.path), "manifest '" + m.path + "'", m)) {
            if (e.status == iceberg::EntryStatus::DELETED) continue;
            if (e.file.content != iceberg::DataFileContent::POSITION_DELETES) continue;
            std::string key;
            for (const auto& v : e.file.partition)
                key += v.name + "=" + std::to_string(v.value.integer) + v.value.bytes + "/";
            position_deletes.push_back({e.file.file_path, m.partition_spec_id, key,
                                        e.file.referenced_data_file.has_value(), e.file.file_format == "PUFFIN",
                                        e.file.file_size_in_bytes});
            if (e.file.referenced_data_file && !live.count(*e.file.referenced_data_file)) {
                position_deletes.back().partition =
                    "\x01"
                    "dangling";
            }
        }
    }
    // Dangling deletes (their data file is gone) go; partitions with two or more position delete
    // files (not deletion vectors) get one file-scoped delete file per data file.
    std::set<std::string> drop;
    std::map<std::string, int> per_partition;
    for (const auto& d : position_deletes) {
        if (d.partition ==
            "\x01"
            "dangling") {
            drop.insert(d.path);
        } else if (!d.dv) {
            ++per_partition[std::to_string(d.spec_id) + "|" + d.partition];
        }
    }
    std::set<std::string> rewrite_partitions;
    for (const auto& [k, n] : per_partition) {
        // v3 tables take no new position-delete files (one deletion vector per data file): only
        // dangling ones go there.
        if (n >= 2 && state.metadata->format_version < 3) rewrite_partitions.insert(k);
    }
    std::vector<std::string> data_files;
    for (const auto& d : position_deletes) {
        if (!d.dv && rewrite_partitions.count(std::to_string(d.spec_id) + "|" + d.partition)) drop.insert(d.path);
    }
    if (drop.empty()) {
        out.state = "SKIPPED";
        out.message = "no position delete files need rewriting";
        return out;
    }
    for (const auto& [path, f] : live) {
        std::string key;
        for (const auto& v : f.partition) key += v.name + "=" + std::to_string(v.value.integer) + v.value.bytes + "/";
        if (rewrite_partitions.count(std::to_string(f.spec_id) + "|" + key)) data_files.push_back(path);
    }
    // The rows deleted from each data file: its positions that no longer read.
    std::map<std::string, std::vector<int64_t>> deleted;
    if (!data_files.empty()) {
        QueryResult r =
            session_.Execute("SELECT _file, _pos FROM " + FullName(catalog_, db_, table_) + " FOR VERSION AS OF " +
                             std::to_string(current->snapshot_id) + " WHERE _file IN (" + InList(data_files) + ")");
        std::map<std::string, std::vector<bool>> seen;
        for (const auto& p : data_files) seen[p].assign(static_cast<size_t>(live[p].record_count), false);
        for (const auto& c : r.chunks) {
            for (size_t i = 0; i < c.live_rows(); ++i) {
                uint32_t row = c.LiveRow(i);
                std::string file = c.column(0).GetValue(row).ToString();
                int64_t pos = c.column(1).GetValue(row).GetInt();
                auto& bits = seen[file];
                if (pos >= 0 && static_cast<size_t>(pos) < bits.size()) bits[static_cast<size_t>(pos)] = true;
            }
        }
        for (auto& [file, bits] : seen) {
            for (size_t p = 0; p < bits.size(); ++p) {
                if (!bits[p]) deleted[file].push_back(static_cast<int64_t>(p));
            }
        }
    }
    auto c = externals_.IcebergCatalogFor(catalog_);
    iceberg::TableTransaction txn(*c, db_, table_, state, Loader());
    std::vector<std::string> written;
    std::vector<iceberg::DataFile> files;
    std::vector<int32_t> specs;
    std::set<std::string> referenced;
    std::string dir = state.metadata->location + "/data";
    std::string op = iceberg::RandomUuid();
    int counter = 0;
    for (auto& [file, positions] : deleted) {
        const auto& lf = live[file];
        std::string path = fmt::format("{}/{:05d}-deletes-{}.parquet", dir, counter++, op);
        written.push_back(path);
        files.push_back(iceberg::WritePositionDeletes(path, file, positions, lf.partition));
        specs.push_back(lf.spec_id);
        referenced.insert(file);
        out.bytes_out += files.back().file_size_in_bytes;
    }
    try {
        if (!files.empty()) txn.AddDeleteFiles(files, specs, referenced);
        txn.RemoveDeleteFiles(drop);
        txn.SetOperation("replace");
        txn.SetSummary("floe.maintenance", "rewrite_position_delete_files");
        txn.SetMinimumRetries(kMaintenanceRetries, 10);
        TableState committed = txn.Commit();
        externals_.Remember(committed);
    } catch (...) {
        if (!txn.outcome_unknown()) iceberg_write::DeleteQuietly(written);
        throw;
    }
    for (const auto& d : position_deletes) {
        if (drop.count(d.path)) out.bytes_in += d.size;
    }
    out.snapshot_id = txn.snapshot_id();
    out.files_in = static_cast<int64_t>(drop.size());
    out.files_out = static_cast<int64_t>(files.size());
    out.message = fmt::format("{} position delete files rewritten into {}", drop.size(), files.size());
    return out;
}

/// The instant (unix ms) a partition value of a time transform ends, or none when the field is
/// not a time partition.
std::optional<int64_t> PartitionEndMs(const iceberg::PartitionField& field, const iceberg::Type& source,
                                      const avro::Datum& v) {
    if (v.is_null()) return std::nullopt;
    using TK = iceberg::TransformKind;
    int64_t n = v.integer;
    auto month_start_ms = [](int64_t months) {
        int64_t y = 1970 + months / 12, m = months % 12;
        if (m < 0) {
            m += 12;
            --y;
        }
        struct tm t {};
        t.tm_year = static_cast<int>(y - 1900);
        t.tm_mon = static_cast<int>(m);
        t.tm_mday = 1;
        return static_cast<int64_t>(::timegm(&t)) * 1000;
    };
    switch (field.transform.kind) {
        case TK::HOUR:
            return (n + 1) * 3600000;
        case TK::DAY:
            return (n + 1) * kDayMs;
        case TK::MONTH:
            return month_start_ms(n + 1);
        case TK::YEAR:
            return month_start_ms((n + 1) * 12);
        case TK::IDENTITY:
            if (source.kind == iceberg::TypeKind::DATE) return (n + 1) * kDayMs;
            return std::nullopt;
        default:
            return std::nullopt;
    }
}

Outcome TableJob::ApplyRetention(bool strict) {
    Outcome out;
    TableState state = Load();
    auto it = state.metadata->properties.find("floe.retention");
    if (it == state.metadata->properties.end() || it->second.empty()) {
        if (strict) {
            throw BinderError("table " + Name() +
                                  " has no 'floe.retention' property (ALTER TABLE ... SET ('floe.retention' = '30d'))",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        out.state = "SKIPPED";
        out.message = "the table has no 'floe.retention' property";
        return out;
    }
    auto age = Args::AgeMillis(it->second);
    if (!age || *age <= 0) {
        throw BinderError("table " + Name() + ": 'floe.retention' = '" + it->second +
                              "' is not a period such as '30d', '12h' or '90 DAYS'",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    if (!TierUsers().empty()) {
        out.state = "SKIPPED";
        out.message = "the table is a tiering cold tier: retention applies to the tiered table's history by DELETE";
        return out;
    }
    int64_t cutoff = NowMs() - *age;
    const iceberg::Snapshot* current = state.metadata->current_snapshot();
    if (!current) {
        out.state = "SKIPPED";
        out.message = "the table has no snapshot";
        return out;
    }
    const iceberg::Schema& schema = state.metadata->current_schema();
    // The column whose age counts: 'floe.retention.column', else the one time column the
    // partitioning uses (with two, say which: a birth date is not an event time).
    std::string column;
    if (auto c = state.metadata->properties.find("floe.retention.column"); c != state.metadata->properties.end()) {
        column = c->second;
    } else {
        std::set<std::string> time_columns;
        for (const auto& f : state.metadata->default_spec().fields) {
            const iceberg::NestedField* src = schema.FindField(f.source_id);
            avro::Datum probe;
            probe.kind = avro::Datum::Kind::INT;
            if (src && PartitionEndMs(f, src->type, probe)) time_columns.insert(src->name);
        }
        if (time_columns.size() > 1) {
            std::string message = "table " + Name() + " is partitioned by several time columns: name the one " +
                                  "retention reads with 'floe.retention.column'";
            if (strict) throw BinderError(message, ErrorCode::WRONG_ARGUMENTS);
            out.state = "SKIPPED";
            out.message = message;
            return out;
        }
        if (!time_columns.empty()) column = *time_columns.begin();
    }
    std::set<std::string> data, deletes;
    bool any_time_partition = false;
    for (const auto& m : iceberg::ReadSnapshotManifests(*state.metadata, *current)) {
        const iceberg::PartitionSpec* spec = state.metadata->FindSpec(m.partition_spec_id);
        if (!spec) continue;
        for (const auto& e : iceberg::ReadManifest(iceberg::ReadFileBytes(m.path), "manifest '" + m.path + "'", m)) {
            if (e.status == iceberg::EntryStatus::DELETED) continue;
            // Expired when a time field of the retention column ends at or before the cutoff.
            bool expired = false;
            for (size_t i = 0; i < spec->fields.size() && i < e.file.partition.size(); ++i) {
                const iceberg::NestedField* src = schema.FindField(spec->fields[i].source_id);
                if (!src || !AsciiEqualsIgnoreCase(src->name, column)) continue;
                auto end = PartitionEndMs(spec->fields[i], src->type, e.file.partition[i].value);
                if (!end) continue;
                any_time_partition = true;
                if (*end <= cutoff) expired = true;
            }
            if (!expired) continue;
            if (e.file.content == iceberg::DataFileContent::DATA) {
                data.insert(e.file.file_path);
                ++out.files_in;
                out.bytes_in += e.file.file_size_in_bytes;
            } else {
                deletes.insert(e.file.file_path);
            }
        }
    }
    if (!any_time_partition && data.empty()) {
        if (strict) {
            throw BinderError("table " + Name() +
                                  ": retention deletes whole partitions, so the table needs a time partition (hour, "
                                  "day, month, year or a DATE column)",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        out.state = "SKIPPED";
        out.message =
            "retention deletes whole partitions: the table needs a time partition (hour, day, month, year "
            "or a DATE column)";
        return out;
    }
    if (data.empty()) {
        out.state = "SKIPPED";
        out.message = "no partition is older than the retention period";
        return out;
    }
    auto c = externals_.IcebergCatalogFor(catalog_);
    iceberg::TableTransaction txn(*c, db_, table_, state, Loader());
    txn.RemoveDataFiles(data);
    if (!deletes.empty()) txn.RemoveDeleteFiles(deletes);
    txn.SetSummary("floe.maintenance", "apply_retention");
    txn.SetMinimumRetries(kMaintenanceRetries, 10);
    TableState committed = txn.Commit();
    externals_.Remember(committed);
    out.snapshot_id = txn.snapshot_id();
    out.message = fmt::format("{} data files ({}) of partitions older than {} removed", data.size(),
                              Bytes(out.bytes_in), it->second);
    return out;
}

Outcome TableJob::SetSortOrder(const std::string& column) {
    Outcome out;
    TableState state = Load();
    auto c = externals_.IcebergCatalogFor(catalog_);
    TableState committed = iceberg::CommitMetadataChange(
        *c, db_, table_, state, Loader(),
        [&](const iceberg::TableMetadata& base) {
            const iceberg::NestedField* f = base.current_schema().FindTopLevel(column);
            if (!f) throw BinderError("table " + Name() + " has no column '" + column + "'");
            iceberg::TableMetadata next = base;
            iceberg::SortOrder order;
            for (const auto& o : base.sort_orders) order.order_id = std::max(order.order_id, o.order_id);
            ++order.order_id;
            iceberg::SortField field;
            field.source_id = f->id;
            field.source_ids = {f->id};
            field.transform = iceberg::ParseTransform("identity");
            order.fields.push_back(field);
            next.sort_orders.push_back(order);
            next.default_sort_order_id = order.order_id;
            return next;
        },
        kMaintenanceRetries, 10);
    externals_.Remember(committed);
    out.message = "sort order set to " + column + " (queries filter on it most)";
    return out;
}

iceberg::CompactionOptions CompactionDefaults(const iceberg::TableMetadata& m) {
    iceberg::CompactionOptions o;
    o.target_file_size = iceberg::TablePropertyInt(m, "write.target-file-size-bytes", iceberg::kDefaultTargetFileSize);
    o.min_input_files = static_cast<int>(iceberg::TablePropertyInt(m, "floe.maintenance.min-input-files", 5));
    return o;
}

std::vector<Outcome> AutoRound(TableJob& job, const TableState& state, bool forced) {
    std::vector<Outcome> done;
    const iceberg::TableMetadata& m = *state.metadata;
    auto run = [&](const std::string& name, const std::function<Outcome()>& action) {
        try {
            done.push_back(job.Logged(name, action));
        } catch (const Exception& e) {
            Outcome o;
            o.action = name;
            o.state = "FAILED";
            o.message = e.what();
            done.push_back(o);
        }
    };
    auto prop = [&](const char* key, int64_t fallback) { return iceberg::TablePropertyInt(m, key, fallback); };
    (void)forced;
    if (m.properties.count("floe.retention")) run("apply_retention", [&] { return job.ApplyRetention(); });
    // Query-aware layout: with 'floe.maintenance.auto-sort' = 'true' the column queries filter on
    // most becomes the sort order (the compaction below then sorts by it).
    auto auto_sort = m.properties.find("floe.maintenance.auto-sort");
    if (auto_sort != m.properties.end() && AsciiLower(auto_sort->second) == "true") {
        iceberg::TableHealth h = iceberg::ComputeHealth(m);
        std::string column = iceberg::ScanObservations::Get(m.table_uuid).SuggestedSortColumn(h.sort_column);
        if (!column.empty()) run("set_sort_order", [&] { return job.SetSortOrder(column); });
    }
    // Compaction when the table crosses its thresholds.
    iceberg::TableHealth health = iceberg::ComputeHealth(*job.Load().metadata);
    double small_share = static_cast<double>(prop("floe.maintenance.small-file-share-percent", 10)) / 100.0;
    int64_t min_files = prop("floe.maintenance.min-input-files", 5);
    double delete_ratio = static_cast<double>(prop("floe.maintenance.delete-ratio-percent", 10)) / 100.0;
    int64_t max_overlap = prop("floe.maintenance.max-sort-overlap", 4);
    bool small = health.small_files >= min_files && health.small_file_share > small_share;
    bool deleted = health.delete_ratio > delete_ratio;
    bool unsorted = health.sort_overlap && *health.sort_overlap > max_overlap;
    if (small || deleted || unsorted) {
        iceberg::CompactionOptions o = CompactionDefaults(m);
        o.sort = unsorted;
        o.delete_ratio_threshold = std::min(0.3, delete_ratio);
        run("rewrite_data_files", [&] { return job.RewriteDataFiles(o, "", ""); });
    }
    if (health.manifests > prop("floe.maintenance.max-manifests", 100)) {
        run("rewrite_manifests", [&] { return job.RewriteManifests(); });
    }
    // Expiry by the table's history.expire.* policy.
    {
        iceberg::ExpireOptions o;
        o.now_ms = NowMs();
        int64_t max_age = prop("history.expire.max-snapshot-age-ms", 5 * kDayMs);
        o.older_than_ms = o.now_ms - max_age;
        // Not the snapshot a compaction of this round just replaced (queries may still read it),
        // for an hour or the table's snapshot age when shorter.
        o.recent_ms = std::min(kTierGraceMs, max_age);
        o.retain_last = static_cast<int>(prop("history.expire.min-snapshots-to-keep", 1));
        auto gc = m.properties.find("gc.enabled");
        bool gc_on = gc == m.properties.end() || AsciiLower(gc->second) != "false";
        TableState now = job.Load();
        if (gc_on && !iceberg::PlanExpiry(*now.metadata, o).snapshots.empty()) {
            run("expire_snapshots", [&] { return job.ExpireSnapshots(o); });
        }
    }
    // Orphans last, at most every floe.maintenance.orphan-interval-seconds (a day), older than
    // floe.maintenance.orphan-age-seconds (3 days, as Iceberg's procedures).
    int64_t orphan_every = prop("floe.maintenance.orphan-interval-seconds", 86400) * 1000;
    int64_t orphan_age = std::max<int64_t>(86400, prop("floe.maintenance.orphan-age-seconds", 3 * 86400)) * 1000;
    if (job.LastRun("remove_orphan_files") + orphan_every <= NowMs()) {
        run("remove_orphan_files", [&] { return job.RemoveOrphans(NowMs() - orphan_age, false, "", nullptr); });
    }
    return done;
}

}  // namespace floe::lake_upkeep
