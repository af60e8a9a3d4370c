#include "lake/iceberg/table_transaction.h"

#include <fmt/format.h>

#include <chrono>
#include <random>
#include <thread>

#include "common/exception.h"
#include "io/file_system.h"
#include "lake/iceberg/data_file_writer.h"
#include "lake/iceberg/manifest_writer.h"
#include "lake/iceberg/metadata_writer.h"

namespace floe::iceberg {

namespace {

std::string Property(const TableMetadata& metadata, const std::string& key, const std::string& fallback) {
    auto it = metadata.properties.find(key);
    return it == metadata.properties.end() ? fallback : it->second;
}

int64_t PropertyInt(const TableMetadata& metadata, const std::string& key, int64_t fallback) {
    auto it = metadata.properties.find(key);
    if (it == metadata.properties.end()) return fallback;
    try {
        return std::stoll(it->second);
    } catch (const std::exception&) {
        return fallback;
    }
}

std::string MetadataDir(const TableMetadata& metadata) {
    std::string location = metadata.location;
    while (!location.empty() && location.back() == '/') location.pop_back();
    return Property(metadata, "write.metadata.path", location + "/metadata");
}

/// The summary value `key` of the current snapshot as a number (0 when absent).
int64_t ParentTotal(const Snapshot* parent, const std::string& key, bool* known) {
    if (!parent) return 0;
    auto it = parent->summary.find(key);
    if (it == parent->summary.end()) {
        *known = false;
        return 0;
    }
    try {
        return std::stoll(it->second);
    } catch (const std::exception&) {
        *known = false;
        return 0;
    }
}

std::string PartitionKeyOf(int32_t spec_id, const std::vector<PartitionValue>& values) {
    std::string key = std::to_string(spec_id);
    for (const auto& v : values) {
        key.push_back('|');
        const auto& d = v.value;
        if (d.is_null()) {
            key += "N";
        } else {
            key += std::to_string(static_cast<int>(d.kind)) + ":" + std::to_string(d.integer) + ":" +
                   std::to_string(d.real) + ":" + std::to_string(d.boolean) + ":" + d.bytes;
        }
    }
    return key;
}

/// Sleeps before retry `attempt` (1-based): exponential from commit.retry.min-wait-ms, capped
/// by commit.retry.max-wait-ms, with jitter.
void Backoff(const TableMetadata& metadata, int attempt, int64_t min_wait_override = 0) {
    int64_t min_wait =
        min_wait_override > 0 ? min_wait_override : PropertyInt(metadata, "commit.retry.min-wait-ms", 100);
    int64_t max_wait = PropertyInt(metadata, "commit.retry.max-wait-ms", 60000);
    int64_t wait = min_wait;
    for (int i = 1; i < attempt && wait < max_wait; ++i) wait *= 2;
    wait = std::min(wait, max_wait);
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    wait = wait / 2 + static_cast<int64_t>(rng() % static_cast<uint64_t>(wait / 2 + 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(wait));
}

/// The new metadata for `base` with `snapshot` committed to main.
TableMetadata WithSnapshot(const TableState& base, Snapshot snapshot) {
    TableMetadata next = *base.metadata;
    next.snapshots.push_back(snapshot);
    next.current_snapshot_id = snapshot.snapshot_id;
    if (next.format_version >= 2) next.last_sequence_number = snapshot.sequence_number;
    SnapshotRef main;
    main.snapshot_id = snapshot.snapshot_id;
    main.kind = SnapshotRef::Kind::BRANCH;
    auto old = next.refs.find("main");
    if (old != next.refs.end()) {
        main.min_snapshots_to_keep = old->second.min_snapshots_to_keep;
        main.max_snapshot_age_ms = old->second.max_snapshot_age_ms;
        main.max_ref_age_ms = old->second.max_ref_age_ms;
    }
    next.refs["main"] = main;
    next.snapshot_log.push_back({snapshot.timestamp_ms, snapshot.snapshot_id});
    return next;
}

/// Fills what every new metadata version updates: last-updated-ms and the metadata log.
void StampVersion(TableMetadata& next, const TableState& base) {
    int64_t now = NowMillis();
    next.last_updated_ms = std::max(now, base.metadata ? base.metadata->last_updated_ms + 1 : now);
    if (base.metadata && !base.metadata_location.empty()) {
        next.metadata_log.push_back({base.metadata->last_updated_ms, base.metadata_location});
        size_t keep =
            static_cast<size_t>(std::max<int64_t>(1, PropertyInt(next, "write.metadata.previous-versions-max", 100)));
        if (next.metadata_log.size() > keep) {
            next.metadata_log.erase(
                next.metadata_log.begin(),
                next.metadata_log.begin() + static_cast<std::ptrdiff_t>(next.metadata_log.size() - keep));
        }
    }
}

}  // namespace

int64_t NewSnapshotId() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    for (;;) {
        uint64_t msb = rng(), lsb = rng();
        msb = (msb & ~uint64_t{0xF000}) | 0x4000;
        lsb = (lsb & ~(uint64_t{0xC} << 60)) | (uint64_t{0x8} << 60);
        auto id = static_cast<int64_t>((msb ^ lsb) & uint64_t{0x7FFFFFFFFFFFFFFF});
        if (id != 0) return id;
    }
}

int64_t NowMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::vector<ManifestFile> ReadSnapshotManifests(const TableMetadata& metadata, const Snapshot& snapshot) {
    if (snapshot.manifest_list.empty()) {
        std::vector<ManifestFile> out;
        for (const auto& path : snapshot.manifests) {
            ManifestFile m;
            m.path = path;
            m.added_snapshot_id = snapshot.snapshot_id;
            m.format_version = metadata.format_version;
            out.push_back(std::move(m));
        }
        return out;
    }
    return ReadManifestList(ReadWholeFile(snapshot.manifest_list), "manifest list '" + snapshot.manifest_list + "'",
                            metadata.format_version);
}

TableTransaction::TableTransaction(IcebergCatalog& catalog, std::string ns, std::string table, TableState base,
                                   TableLoader reload)
    : catalog_(catalog),
      ns_(std::move(ns)),
      table_(std::move(table)),
      base_(std::move(base)),
      reload_(std::move(reload)),
      commit_uuid_(RandomUuid()),
      snapshot_id_(NewSnapshotId()) {}

TableTransaction::~TableTransaction() {
    if (committed_ || swapping_) return;
    std::vector<std::string> mine;
    for (const auto& m : new_manifests_) mine.push_back(m.path);
    DeleteQuietly(mine);
}

void TableTransaction::AddDataFiles(std::vector<DataFile> files) {
    for (auto& f : files) data_files_.push_back(std::move(f));
}

void TableTransaction::AddDeleteFiles(std::vector<DataFile> files, std::vector<int32_t> spec_ids,
                                      std::set<std::string> referenced) {
    for (auto& f : files) delete_files_.push_back(std::move(f));
    delete_spec_ids_.insert(delete_spec_ids_.end(), spec_ids.begin(), spec_ids.end());
    referenced_data_files_.insert(referenced.begin(), referenced.end());
}

void TableTransaction::RemoveDataFiles(std::set<std::string> paths) {
    removed_data_files_.insert(paths.begin(), paths.end());
}

void TableTransaction::ReplaceDeletionVectors(std::set<std::string> data_files,
                                              std::set<std::pair<std::string, std::string>> replaced) {
    dv_targets_.insert(data_files.begin(), data_files.end());
    replaced_dvs_.insert(replaced.begin(), replaced.end());
}

void TableTransaction::DeleteQuietly(const std::vector<std::string>& paths) {
    if (paths.empty()) return;
    try {
        FileSystemFor(paths.front()).Delete(paths);
    } catch (const Exception&) {
        // Best effort: unreferenced files are orphans that remove_orphan_files cleans later.
    }
}

void TableTransaction::WriteNewManifests(const TableMetadata& base) {
    const PartitionSpec& spec = base.default_spec();
    if (!new_manifests_.empty() && written_for_spec_ == spec.spec_id && written_for_schema_ == base.current_schema_id) {
        return;
    }
    if (!new_manifests_.empty()) {
        throw CommitFailedError("table '" + ns_ + "." + table_ +
                                "' changed its schema or partition spec while the write was running; run it again");
    }
    written_for_spec_ = spec.spec_id;
    written_for_schema_ = base.current_schema_id;
    std::string dir = MetadataDir(base);
    auto write = [&](const std::vector<DataFile>& files, ManifestContent content, const PartitionSpec& spec) {
        if (files.empty()) return;
        std::vector<ManifestEntry> entries;
        entries.reserve(files.size());
        for (const auto& f : files) {
            ManifestEntry e;
            e.status = EntryStatus::ADDED;
            e.snapshot_id = snapshot_id_;
            e.file = f;
            entries.push_back(std::move(e));
        }
        ManifestWriterOptions options;
        options.format_version = base.format_version;
        options.content = content;
        options.schema = base.current_schema();
        options.schema_json = SchemaToJson(base.current_schema());
        options.spec = spec;
        options.snapshot_id = snapshot_id_;
        options.sequence_number = base.format_version >= 2 ? base.last_sequence_number + 1 : 0;
        std::string codec = Property(base, "write.avro.compression-codec", "gzip");
        options.codec = codec == "zstd"           ? "zstandard"
                        : codec == "snappy"       ? "snappy"
                        : codec == "uncompressed" ? "null"
                                                  : "deflate";
        ManifestFile entry;
        std::string bytes = WriteManifest(options, entries, &entry);
        entry.path = fmt::format("{}/{}-m{}.avro", dir, commit_uuid_, new_manifests_.size());
        entry.length = static_cast<int64_t>(bytes.size());
        WriteWholeFile(entry.path, bytes);
        new_manifests_.push_back(std::move(entry));
    };
    write(data_files_, ManifestContent::DATA, spec);
    if (!delete_files_.empty() && base.format_version < 2) {
        throw NotSupportedError("table '" + ns_ + "." + table_ +
                                "' is an Iceberg v1 table, which cannot hold delete files; upgrade it to v2 "
                                "(ALTER TABLE ... SET ('format-version' = '2'))");
    }
    // One delete manifest per partition spec of the data files the deletes apply to.
    std::map<int32_t, std::vector<DataFile>> deletes_by_spec;
    for (size_t i = 0; i < delete_files_.size(); ++i) {
        int32_t spec_id = i < delete_spec_ids_.size() ? delete_spec_ids_[i] : spec.spec_id;
        deletes_by_spec[spec_id].push_back(delete_files_[i]);
    }
    for (const auto& [spec_id, files] : deletes_by_spec) {
        const PartitionSpec* delete_spec = base.FindSpec(spec_id);
        if (!delete_spec) throw InternalError("delete files of an unknown partition spec " + std::to_string(spec_id));
        write(files, ManifestContent::DELETES, *delete_spec);
    }
}

void TableTransaction::RegroupManifests(const TableMetadata& base, const std::vector<ManifestFile>& carried,
                                        int64_t sequence, const std::string& dir, int attempt,
                                        std::vector<std::string>& attempt_files, std::vector<ManifestFile>& out) {
    // Live entries by (content, spec), clustered by partition.
    struct Group {
        ManifestContent content;
        int32_t spec_id;
        std::vector<std::pair<std::string, ManifestEntry>> entries;
    };
    std::map<std::pair<int32_t, int32_t>, Group> groups;
    int64_t bytes = 0, count = 0;
    manifests_replaced_ = static_cast<int64_t>(carried.size());
    for (const auto& m : carried) {
        bytes += m.length;
        for (auto& e : ReadManifest(ReadWholeFile(m.path), "manifest '" + m.path + "'", m)) {
            ++count;
            if (e.status == EntryStatus::DELETED) continue;
            e.status = EntryStatus::EXISTING;
            auto& g = groups[{static_cast<int32_t>(m.content), m.partition_spec_id}];
            g.content = m.content;
            g.spec_id = m.partition_spec_id;
            std::string key = PartitionKeyOf(m.partition_spec_id, e.file.partition);
            g.entries.emplace_back(std::move(key), std::move(e));
        }
    }
    int64_t target = PropertyInt(base, "commit.manifest.target-size-bytes", int64_t{8} << 20);
    int64_t per_entry = count > 0 ? std::max<int64_t>(1, bytes / count) : 1;
    size_t cap = static_cast<size_t>(std::max<int64_t>(1, target / per_entry));
    manifests_written_ = 0;
    for (auto& [id, g] : groups) {
        std::stable_sort(g.entries.begin(), g.entries.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        const PartitionSpec* spec = base.FindSpec(g.spec_id);
        if (!spec)
            throw IOError("manifests name partition spec " + std::to_string(g.spec_id) + ", which the table lacks");
        for (size_t from = 0; from < g.entries.size(); from += cap) {
            size_t to = std::min(g.entries.size(), from + cap);
            std::vector<ManifestEntry> chunk;
            std::optional<int64_t> first_row_id;
            for (size_t i = from; i < to; ++i) {
                const auto& f = g.entries[i].second.file;
                if (f.first_row_id && (!first_row_id || *f.first_row_id < *first_row_id)) first_row_id = f.first_row_id;
                chunk.push_back(g.entries[i].second);
            }
            ManifestWriterOptions options;
            options.format_version = base.format_version;
            options.content = g.content;
            options.schema = base.current_schema();
            options.schema_json = SchemaToJson(base.current_schema());
            options.spec = *spec;
            options.snapshot_id = snapshot_id_;
            options.sequence_number = sequence;
            options.codec = "deflate";
            ManifestFile entry;
            std::string bytes_out = WriteManifest(options, chunk, &entry);
            entry.path = fmt::format("{}/{}-g{}-m{}.avro", dir, commit_uuid_, attempt, attempt_files.size());
            entry.length = static_cast<int64_t>(bytes_out.size());
            entry.sequence_number = sequence;
            entry.added_snapshot_id = snapshot_id_;
            if (base.format_version >= 3 && g.content == ManifestContent::DATA) entry.first_row_id = first_row_id;
            WriteWholeFile(entry.path, bytes_out);
            attempt_files.push_back(entry.path);
            out.push_back(std::move(entry));
            ++manifests_written_;
        }
    }
}

TableState TableTransaction::TryCommit(const TableState& base_state, int attempt,
                                       std::vector<std::string>& attempt_files) {
    const TableMetadata& base = *base_state.metadata;
    WriteNewManifests(base);
    const Snapshot* parent = base.current_snapshot();
    int64_t sequence = base.format_version >= 2 ? base.last_sequence_number + 1 : 0;
    std::string dir = MetadataDir(base);
    std::string name = ns_ + "." + table_;

    // Carry the current manifests over, rewriting those that lose files.
    std::vector<ManifestFile> carried = parent ? ReadSnapshotManifests(base, *parent) : std::vector<ManifestFile>{};
    std::set<std::string> overwritten_partitions;
    if (overwrite_ == Overwrite::PARTITIONS) {
        for (const auto& f : data_files_) overwritten_partitions.insert(PartitionKeyOf(written_for_spec_, f.partition));
    }
    std::set<std::string> still_live;  // referenced / removed files found live
    int64_t deleted_data_files = 0, deleted_records = 0, deleted_size = 0, removed_delete_files = 0;
    int64_t removed_position_deletes = 0, removed_dvs = 0, removed_equality_files = 0, removed_equality_deletes = 0;
    std::set<std::string> changed_partitions;
    for (const auto& f : data_files_) changed_partitions.insert(PartitionKeyOf(written_for_spec_, f.partition));
    for (const auto& f : delete_files_) changed_partitions.insert(PartitionKeyOf(written_for_spec_, f.partition));
    bool must_scan = overwrite_ != Overwrite::NONE || !referenced_data_files_.empty() || !removed_data_files_.empty() ||
                     !dv_targets_.empty() || !removed_delete_files_.empty();
    std::set<std::pair<std::string, std::string>> replaced_found;
    // A delete entry this commit replaces (a deletion vector it absorbed, or that of a data file
    // it removes); throws when another deletion vector for a target landed meanwhile.
    auto replaces = [&](const ManifestEntry& e) {
        if (e.file.content != DataFileContent::DATA && removed_delete_files_.count(e.file.file_path)) return true;
        if (e.file.content != DataFileContent::POSITION_DELETES || !e.file.referenced_data_file) return false;
        const std::string& target = *e.file.referenced_data_file;
        if (replaced_dvs_.count({e.file.file_path, target})) {
            replaced_found.insert({e.file.file_path, target});
            return true;
        }
        if (removed_data_files_.count(target)) return true;  // deletes of a removed file go with it
        if (dv_targets_.count(target)) {
            throw CommitFailedError("cannot commit to '" + name + "': another statement deleted rows of data file '" +
                                    target + "' concurrently; run the statement again");
        }
        return false;
    };
    std::vector<ManifestFile> manifests = new_manifests_;
    for (auto& m : manifests) {
        m.sequence_number = sequence;
        m.min_sequence_number = sequence;
        m.added_snapshot_id = snapshot_id_;
    }
    if (rewrite_manifests_) {
        RegroupManifests(base, carried, sequence, dir, attempt, attempt_files, manifests);
        carried.clear();
    }
    // Deletes committed since this change's base that may apply to a file it removes.
    // The snapshots committed to main since the one this change read: it must still be an
    // ancestor of the current one (a rollback or a fast-forward meanwhile changes what the
    // removed files' rows are), and deletes those snapshots added may apply to removed files.
    std::set<int64_t> since_start;
    if (!removed_data_files_.empty()) {
        std::optional<int64_t> start = base_.metadata ? base_.metadata->current_snapshot_id : std::nullopt;
        bool reached = !start.has_value();
        for (const Snapshot* s = parent; s && !reached;
             s = s->parent_snapshot_id ? base.FindSnapshot(*s->parent_snapshot_id) : nullptr) {
            if (start && s->snapshot_id == *start) {
                reached = true;
            } else {
                since_start.insert(s->snapshot_id);
            }
        }
        if (!reached) {
            fatal_conflict_ = true;
            throw CommitFailedError("cannot commit to '" + name +
                                    "': the table's history changed (a rollback, or main moved to another branch) "
                                    "while this change ran; nothing was changed, run it again");
        }
    }
    std::set<std::string> removed_partitions;
    struct NewDelete {
        std::string partition_key, path;
        std::optional<std::string> referenced;
    };
    std::vector<NewDelete> new_deletes;
    for (auto& m : carried) {
        if (!must_scan) {
            manifests.push_back(m);
            continue;
        }
        std::vector<ManifestEntry> entries = ReadManifest(ReadWholeFile(m.path), "manifest '" + m.path + "'", m);
        bool touched = false;
        for (auto& e : entries) {
            if (e.status == EntryStatus::DELETED) continue;
            if (!removed_data_files_.empty()) {
                const PartitionSpec* s = base.FindSpec(m.partition_spec_id);
                std::string key =
                    s && s->IsUnpartitioned() ? "*" : PartitionKeyOf(m.partition_spec_id, e.file.partition);
                if (e.file.content == DataFileContent::DATA) {
                    if (removed_data_files_.count(e.file.file_path)) removed_partitions.insert(key);
                } else if (e.snapshot_id && since_start.count(*e.snapshot_id) && base.format_version >= 2) {
                    new_deletes.push_back({key, e.file.file_path, e.file.referenced_data_file});
                }
            }
            bool remove = false;
            if (overwrite_ == Overwrite::ALL) remove = true;
            if (overwrite_ == Overwrite::PARTITIONS && m.partition_spec_id == written_for_spec_ &&
                overwritten_partitions.count(PartitionKeyOf(m.partition_spec_id, e.file.partition))) {
                remove = true;
            }
            if (e.file.content == DataFileContent::DATA) {
                if (referenced_data_files_.count(e.file.file_path)) still_live.insert(e.file.file_path);
                if (removed_data_files_.count(e.file.file_path)) {
                    still_live.insert(e.file.file_path);
                    remove = true;
                }
            }
            if (replaces(e)) remove = true;
            if (remove) touched = true;
        }
        if (!touched) {
            manifests.push_back(m);
            continue;
        }
        // Rewrite: removed entries become DELETED (new snapshot id, sequence numbers kept), the
        // other live ones EXISTING; entries already DELETED are dropped.
        std::vector<ManifestEntry> rewritten;
        for (auto& e : entries) {
            if (e.status == EntryStatus::DELETED) continue;
            bool remove = overwrite_ == Overwrite::ALL ||
                          (overwrite_ == Overwrite::PARTITIONS && m.partition_spec_id == written_for_spec_ &&
                           overwritten_partitions.count(PartitionKeyOf(m.partition_spec_id, e.file.partition))) ||
                          (e.file.content == DataFileContent::DATA && removed_data_files_.count(e.file.file_path)) ||
                          replaces(e);
            if (remove) {
                e.status = EntryStatus::DELETED;
                e.snapshot_id = snapshot_id_;
                changed_partitions.insert(PartitionKeyOf(m.partition_spec_id, e.file.partition));
                if (e.file.content == DataFileContent::DATA) {
                    ++deleted_data_files;
                    deleted_records += e.file.record_count;
                } else {
                    ++removed_delete_files;
                    if (e.file.content == DataFileContent::POSITION_DELETES)
                        removed_position_deletes += e.file.record_count;
                    if (e.file.content == DataFileContent::EQUALITY_DELETES) {
                        ++removed_equality_files;
                        removed_equality_deletes += e.file.record_count;
                    }
                    if (e.file.file_format == "PUFFIN") ++removed_dvs;
                }
                deleted_size += e.file.file_size_in_bytes;
            } else {
                e.status = EntryStatus::EXISTING;
            }
            rewritten.push_back(std::move(e));
        }
        const PartitionSpec* spec = base.FindSpec(m.partition_spec_id);
        if (!spec)
            throw IOError("manifest '" + m.path + "' names partition spec " + std::to_string(m.partition_spec_id) +
                          ", which the table lacks");
        ManifestWriterOptions options;
        options.format_version = base.format_version;
        options.content = m.content;
        options.schema = base.current_schema();
        options.schema_json = SchemaToJson(base.current_schema());
        options.spec = *spec;
        options.snapshot_id = snapshot_id_;
        options.sequence_number = sequence;
        options.codec = "deflate";
        ManifestFile entry;
        std::string bytes = WriteManifest(options, rewritten, &entry);
        entry.path = fmt::format("{}/{}-r{}-m{}.avro", dir, commit_uuid_, attempt, attempt_files.size());
        entry.length = static_cast<int64_t>(bytes.size());
        entry.sequence_number = sequence;
        entry.added_snapshot_id = snapshot_id_;
        entry.first_row_id = m.first_row_id;
        WriteWholeFile(entry.path, bytes);
        attempt_files.push_back(entry.path);
        manifests.push_back(std::move(entry));
    }
    for (const auto& path : referenced_data_files_) {
        if (!still_live.count(path)) {
            throw CommitFailedError("cannot commit to '" + name + "': data file '" + path +
                                    "' that this statement deletes rows from was removed by a concurrent commit");
        }
    }
    for (const auto& dv : replaced_dvs_) {
        if (!replaced_found.count(dv)) {
            throw CommitFailedError("cannot commit to '" + name + "': the deletion vector of data file '" + dv.second +
                                    "' changed concurrently; run the statement again");
        }
    }
    for (const auto& path : removed_data_files_) {
        if (!still_live.count(path)) {
            throw CommitFailedError("cannot commit to '" + name + "': data file '" + path +
                                    "' that this statement replaces was removed by a concurrent commit");
        }
    }
    for (const auto& d : new_deletes) {
        bool applies = d.referenced ? removed_data_files_.count(*d.referenced) > 0
                                    : d.partition_key == "*" || removed_partitions.count(d.partition_key) > 0 ||
                                          removed_partitions.count("*") > 0;
        if (applies) {
            fatal_conflict_ = true;
            throw CommitFailedError("cannot commit to '" + name +
                                    "': a concurrent commit deleted rows of data files this change rewrites (delete "
                                    "file '" +
                                    d.path + "'); nothing was changed, run it again");
        }
    }

    // Appends add a manifest each: once the table's default spec has commit.manifest.min-count-to-merge
    // (100) earlier small data manifests, they are merged into one (commit.manifest-merge.enabled).
    if (!rewrite_manifests_ && Property(base, "commit.manifest-merge.enabled", "true") == "true") {
        int64_t target = PropertyInt(base, "commit.manifest.target-size-bytes", int64_t{8} << 20);
        int64_t min_count = PropertyInt(base, "commit.manifest.min-count-to-merge", 100);
        std::vector<ManifestFile> small, rest;
        for (auto& m : manifests) {
            bool mergeable = m.added_snapshot_id != snapshot_id_ && m.content == ManifestContent::DATA &&
                             m.partition_spec_id == base.default_spec_id && m.length < target;
            (mergeable ? small : rest).push_back(std::move(m));
        }
        if (min_count > 1 && static_cast<int64_t>(small.size()) >= min_count) {
            RegroupManifests(base, small, sequence, dir, attempt, attempt_files, rest);
        } else {
            for (auto& m : small) rest.push_back(std::move(m));
        }
        manifests = std::move(rest);
    }

    std::string list_path = fmt::format("{}/snap-{}-{}-{}.avro", dir, snapshot_id_, attempt, commit_uuid_);
    std::optional<int64_t> parent_id;
    if (parent) parent_id = parent->snapshot_id;
    // Row lineage (v3): the list assigns new data manifests ids from the table's next-row-id.
    std::optional<int64_t> first_row_id;
    int64_t next_row_id = base.next_row_id.value_or(0);
    if (base.format_version >= 3) first_row_id = next_row_id;
    std::string list_bytes = WriteManifestList(base.format_version, snapshot_id_, parent_id, sequence, first_row_id,
                                               manifests, &next_row_id);
    WriteWholeFile(list_path, list_bytes);
    attempt_files.push_back(list_path);

    // The snapshot and its summary.
    Snapshot snapshot;
    snapshot.snapshot_id = snapshot_id_;
    snapshot.parent_snapshot_id = parent_id;
    snapshot.sequence_number = sequence;
    snapshot.timestamp_ms = std::max(NowMillis(), parent ? parent->timestamp_ms + 1 : 0);
    snapshot.manifest_list = list_path;
    snapshot.schema_id = base.current_schema_id;
    if (base.format_version >= 3) {
        snapshot.first_row_id = first_row_id;
        snapshot.added_rows = next_row_id - base.next_row_id.value_or(0);
    }
    int64_t added_records = 0, added_size = 0, added_position_deletes = 0;
    for (const auto& f : data_files_) {
        added_records += f.record_count;
        added_size += f.file_size_in_bytes;
    }
    for (const auto& f : delete_files_) {
        added_position_deletes += f.record_count;
        added_size += f.file_size_in_bytes;
    }
    std::string operation = "append";
    if (overwrite_ != Overwrite::NONE || !removed_data_files_.empty() || !removed_delete_files_.empty()) {
        operation = data_files_.empty() ? "delete" : "overwrite";
    } else if (!delete_files_.empty()) {
        operation = data_files_.empty() ? "delete" : "overwrite";
    }
    if (rewrite_manifests_) operation = "replace";
    if (!operation_.empty()) operation = operation_;
    auto& s = snapshot.summary;
    s["operation"] = operation;
    auto put = [&](const char* key, int64_t v) {
        if (v != 0) s[key] = std::to_string(v);
    };
    put("added-data-files", static_cast<int64_t>(data_files_.size()));
    put("added-records", added_records);
    put("added-files-size", added_size);
    int64_t added_dvs = 0;
    for (const auto& f : delete_files_) added_dvs += f.file_format == "PUFFIN" ? 1 : 0;
    put("added-delete-files", static_cast<int64_t>(delete_files_.size()));
    put("added-position-delete-files", static_cast<int64_t>(delete_files_.size()) - added_dvs);
    put("added-dvs", added_dvs);
    put("added-position-deletes", added_position_deletes);
    put("deleted-data-files", deleted_data_files);
    put("deleted-records", deleted_records);
    put("removed-files-size", deleted_size);
    put("removed-delete-files", removed_delete_files);
    put("removed-position-delete-files", removed_delete_files - removed_dvs - removed_equality_files);
    put("removed-equality-delete-files", removed_equality_files);
    put("removed-equality-deletes", removed_equality_deletes);
    put("removed-dvs", removed_dvs);
    put("removed-position-deletes", removed_position_deletes);
    s["changed-partition-count"] = std::to_string(changed_partitions.size());
    bool known = true;
    auto total = [&](const char* key, int64_t delta) {
        int64_t v = ParentTotal(parent, key, &known) + delta;
        s[key] = std::to_string(std::max<int64_t>(0, v));
    };
    total("total-records", added_records - deleted_records);
    total("total-files-size", added_size - deleted_size);
    total("total-data-files", static_cast<int64_t>(data_files_.size()) - deleted_data_files);
    total("total-delete-files", static_cast<int64_t>(delete_files_.size()) - removed_delete_files);
    total("total-position-deletes", added_position_deletes - removed_position_deletes);
    total("total-equality-deletes", -removed_equality_deletes);
    if (!known) {
        // The parent's summary lacks totals: they cannot be derived without reading every manifest.
        for (const char* key : {"total-records", "total-files-size", "total-data-files", "total-delete-files",
                                "total-position-deletes", "total-equality-deletes"}) {
            s.erase(key);
        }
    }
    s["engine-name"] = "Floe";
    s["engine-version"] = "0.1";
    for (const auto& [k, v] : extra_summary_) s[k] = v;

    TableMetadata next = WithSnapshot(base_state, std::move(snapshot));
    if (base.format_version >= 3) next.next_row_id = next_row_id;
    StampVersion(next, base_state);
    TableCommit commit{ns_, table_, base_state.metadata_location, &next, base_state.metadata.get()};
    swapping_ = true;
    std::string location = catalog_.CommitTable(commit);
    return TableState{location, std::make_shared<const TableMetadata>(std::move(next))};
}

TableState TableTransaction::Commit() {
    int retries = static_cast<int>(PropertyInt(*base_.metadata, "commit.retry.num-retries", 4));
    retries = std::max(retries, min_retries_);
    TableState base = base_;
    for (int attempt = 1;; ++attempt) {
        std::vector<std::string> attempt_files;
        swapping_ = false;
        try {
            TableState done = TryCommit(base, attempt, attempt_files);
            committed_ = true;
            return done;
        } catch (const CommitFailedError&) {
            swapping_ = false;
            DeleteQuietly(attempt_files);
            if (attempt > retries || fatal_conflict_) throw;
            Backoff(*base.metadata, std::min(attempt, 6), retry_wait_ms_);
            base = reload_();
        } catch (...) {
            // Once the swap was attempted its outcome is unknown: the attempt's files are kept.
            if (!swapping_) DeleteQuietly(attempt_files);
            throw;
        }
    }
}

TableState CreateTableMetadata(IcebergCatalog& catalog, const std::string& ns, const std::string& table,
                               const TableMetadata& metadata) {
    TableMetadata next = metadata;
    next.last_updated_ms = NowMillis();
    TableCommit commit{ns, table, std::nullopt, &next};
    std::string location = catalog.CommitTable(commit);
    return TableState{location, std::make_shared<const TableMetadata>(std::move(next))};
}

TableState CommitMetadataChange(IcebergCatalog& catalog, const std::string& ns, const std::string& table,
                                TableState base, const TableLoader& reload,
                                const std::function<TableMetadata(const TableMetadata&)>& change, int min_retries,
                                int64_t min_wait_ms) {
    int retries = std::max(min_retries, static_cast<int>(PropertyInt(*base.metadata, "commit.retry.num-retries", 4)));
    for (int attempt = 1;; ++attempt) {
        TableMetadata next = change(*base.metadata);
        StampVersion(next, base);
        try {
            TableCommit commit{ns, table, base.metadata_location, &next, base.metadata.get()};
            std::string location = catalog.CommitTable(commit);
            return TableState{location, std::make_shared<const TableMetadata>(std::move(next))};
        } catch (const CommitFailedError&) {
            if (attempt > retries) throw;
            Backoff(*base.metadata, std::min(attempt, 6), min_wait_ms);
            base = reload();
        }
    }
}

}  // namespace floe::iceberg
