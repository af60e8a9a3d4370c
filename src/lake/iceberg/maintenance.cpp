#include "lake/iceberg/maintenance.h"

#include <algorithm>
#include <functional>

#include "common/exception.h"
#include "lake/iceberg/iceberg_table.h"
#include "lake/iceberg/single_value.h"
#include "lake/iceberg/table_transaction.h"

namespace floe::iceberg {

std::string ComparablePath(std::string_view path) {
    std::string p(path);
    if (p.rfind("file://", 0) == 0) {
        p = p.substr(7);
    } else if (p.rfind("file:", 0) == 0) {
        p = p.substr(5);
    } else if (p.rfind("s3a://", 0) == 0 || p.rfind("s3n://", 0) == 0) {
        p = "s3://" + p.substr(6);
    }
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return p;
}

bool UnderLocation(std::string_view path, std::string_view location) {
    std::string root = ComparablePath(location);
    if (root.empty()) return false;
    std::string p = ComparablePath(path);
    return p.size() > root.size() && p.compare(0, root.size(), root) == 0 && p[root.size()] == '/';
}

int64_t TablePropertyInt(const TableMetadata& m, const std::string& key, int64_t fallback) {
    auto it = m.properties.find(key);
    if (it == m.properties.end()) return fallback;
    try {
        size_t used = 0;
        int64_t v = std::stoll(it->second, &used);
        return used == it->second.size() ? v : fallback;
    } catch (const std::exception&) {
        return fallback;
    }
}

namespace {

/// Reads each manifest list and manifest once for one maintenance action.
class ManifestReader {
  public:
    explicit ManifestReader(const TableMetadata& m) : m_(m) {}

    const std::vector<ManifestFile>& ManifestsOf(const Snapshot& s) {
        std::string key = s.manifest_list.empty() ? "#" + std::to_string(s.snapshot_id) : s.manifest_list;
        auto it = lists_.find(key);
        if (it != lists_.end()) return it->second;
        return lists_.emplace(key, ReadSnapshotManifests(m_, s)).first->second;
    }
    const std::vector<ManifestEntry>& EntriesOf(const ManifestFile& f) {
        auto it = manifests_.find(f.path);
        if (it != manifests_.end()) return it->second;
        return manifests_.emplace(f.path, ReadManifest(ReadFileBytes(f.path), "manifest '" + f.path + "'", f))
            .first->second;
    }

  private:
    const TableMetadata& m_;
    std::map<std::string, std::vector<ManifestFile>> lists_;
    std::map<std::string, std::vector<ManifestEntry>> manifests_;
};

FileToDelete::Kind KindOf(DataFileContent c) {
    switch (c) {
        case DataFileContent::DATA:
            return FileToDelete::Kind::DATA;
        case DataFileContent::POSITION_DELETES:
            return FileToDelete::Kind::POSITION_DELETES;
        case DataFileContent::EQUALITY_DELETES:
            return FileToDelete::Kind::EQUALITY_DELETES;
    }
    return FileToDelete::Kind::OTHER;
}

/// The statistics files `raw` (a metadata `statistics` entry) names.
void StatisticsPaths(const std::string& raw, std::set<std::string>& out) {
    for (const char* key : {"\"statistics-path\"", "\"path\""}) {
        size_t at = raw.find(key);
        while (at != std::string::npos) {
            size_t colon = raw.find(':', at);
            size_t open = colon == std::string::npos ? colon : raw.find('"', colon);
            size_t close = open == std::string::npos ? open : raw.find('"', open + 1);
            if (close == std::string::npos) break;
            out.insert(ComparablePath(raw.substr(open + 1, close - open - 1)));
            at = raw.find(key, close);
        }
    }
}

int64_t SnapshotIdOf(const std::string& raw) {
    size_t at = raw.find("\"snapshot-id\"");
    if (at == std::string::npos) return -1;
    size_t colon = raw.find(':', at);
    if (colon == std::string::npos) return -1;
    try {
        return std::stoll(raw.substr(colon + 1));
    } catch (const std::exception&) {
        return -1;
    }
}

/// A printable partition ("day=20423/kind=a").
std::string PartitionText(const std::vector<PartitionValue>& values) {
    std::string out;
    for (const auto& v : values) {
        if (!out.empty()) out += "/";
        out += v.name + "=";
        const auto& d = v.value;
        using K = avro::Datum::Kind;
        if (d.is_null()) {
            out += "null";
        } else if (d.kind == K::STRING) {
            out += d.bytes;
        } else if (d.kind == K::BOOLEAN) {
            out += d.boolean ? "true" : "false";
        } else if (d.kind == K::FLOAT || d.kind == K::DOUBLE) {
            out += std::to_string(d.real);
        } else if (d.kind == K::BYTES || d.kind == K::FIXED) {
            out += "0x" + std::to_string(d.bytes.size());
        } else {
            out += std::to_string(d.integer);
        }
    }
    return out;
}

std::string PartitionKey(int32_t spec_id, const std::vector<PartitionValue>& values) {
    return std::to_string(spec_id) + "|" + PartitionText(values);
}

/// A bound value as something ordered: numbers as doubles (exact enough to rank files), the rest
/// as bytes.
struct OrderKey {
    bool numeric = false;
    long double number = 0;
    std::string text;
    bool operator<(const OrderKey& o) const { return numeric ? number < o.number : text < o.text; }
};

std::optional<OrderKey> KeyOf(const Type& type, const std::string& bytes) {
    std::optional<Value> v;
    try {
        v = DecodeBound(type, bytes);
    } catch (const Exception&) {
        return std::nullopt;
    }
    if (!v || v->is_null()) return std::nullopt;
    OrderKey k;
    const LogicalType& t = v->type();
    if (t.IsInteger() || t.id == TypeId::DATE || t.id == TypeId::DATETIME || t.id == TypeId::BOOLEAN) {
        if (t.id == TypeId::LARGEINT) {
            k.numeric = true;
            k.number = static_cast<long double>(v->GetInt128());
            return k;
        }
        k.numeric = true;
        k.number = static_cast<long double>(v->GetInt());
    } else if (t.IsFloating()) {
        k.numeric = true;
        k.number = v->GetDouble();
    } else if (t.id == TypeId::DECIMAL) {
        k.numeric = true;
        k.number = static_cast<long double>(v->GetInt128());
    } else {
        k.text = v->ToString();
    }
    return k;
}

/// The most ranges that overlap one point.
int64_t OverlapDepth(std::vector<std::pair<OrderKey, OrderKey>> ranges) {
    std::vector<std::pair<OrderKey, int>> events;
    for (auto& [lo, hi] : ranges) {
        events.push_back({lo, 0});  // opens before a close at the same point: touching ranges overlap
        events.push_back({hi, 1});
    }
    std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
        if (a.first < b.first) return true;
        if (b.first < a.first) return false;
        return a.second < b.second;
    });
    int64_t depth = 0, worst = 0;
    for (const auto& e : events) {
        depth += e.second == 0 ? 1 : -1;
        worst = std::max(worst, depth);
    }
    return worst;
}

}  // namespace

ExpirePlan PlanExpiry(const TableMetadata& m, const ExpireOptions& o) {
    ExpirePlan plan;
    std::set<int64_t> keep(o.protect.begin(), o.protect.end());
    std::set<int64_t> heads;
    for (const auto& [name, ref] : m.refs) {
        const Snapshot* s = m.FindSnapshot(ref.snapshot_id);
        if (!s) continue;
        if (name != "main" && ref.max_ref_age_ms && o.now_ms - s->timestamp_ms > *ref.max_ref_age_ms) {
            plan.refs.insert(name);
            continue;
        }
        heads.insert(s->snapshot_id);
        keep.insert(s->snapshot_id);
        if (ref.kind == SnapshotRef::Kind::TAG) continue;
        int64_t min_keep = ref.min_snapshots_to_keep.value_or(o.retain_last);
        int64_t cutoff = ref.max_snapshot_age_ms ? o.now_ms - *ref.max_snapshot_age_ms : o.older_than_ms;
        int64_t count = 0;
        for (const Snapshot* a = s; a; a = a->parent_snapshot_id ? m.FindSnapshot(*a->parent_snapshot_id) : nullptr) {
            if (count >= min_keep && a->timestamp_ms < cutoff) break;
            keep.insert(a->snapshot_id);
            ++count;
        }
    }
    if (m.current_snapshot_id) {
        heads.insert(*m.current_snapshot_id);
        keep.insert(*m.current_snapshot_id);
    }
    std::set<int64_t> recent;
    if (o.recent_ms > 0) {
        // The snapshot log says until when each snapshot was current.
        for (size_t i = 0; i + 1 < m.snapshot_log.size(); ++i) {
            if (m.snapshot_log[i + 1].timestamp_ms >= o.now_ms - o.recent_ms) {
                recent.insert(m.snapshot_log[i].snapshot_id);
            }
        }
    }
    for (const auto& s : m.snapshots) {
        bool explicit_id = o.snapshot_ids.count(s.snapshot_id) > 0;
        if (o.protect.count(s.snapshot_id) || heads.count(s.snapshot_id) || recent.count(s.snapshot_id)) continue;
        if (explicit_id || (!keep.count(s.snapshot_id) && s.timestamp_ms < o.older_than_ms)) {
            plan.snapshots.insert(s.snapshot_id);
        }
    }
    return plan;
}

TableMetadata ApplyExpiry(const TableMetadata& m, const ExpirePlan& plan) {
    TableMetadata next = m;
    next.snapshots.clear();
    for (const auto& s : m.snapshots) {
        if (!plan.snapshots.count(s.snapshot_id)) next.snapshots.push_back(s);
    }
    next.snapshot_log.clear();
    for (const auto& e : m.snapshot_log) {
        if (!plan.snapshots.count(e.snapshot_id)) next.snapshot_log.push_back(e);
    }
    for (const auto& r : plan.refs) next.refs.erase(r);
    auto drop_stats = [&](std::vector<std::string>& stats) {
        std::vector<std::string> kept;
        for (auto& raw : stats) {
            if (!plan.snapshots.count(SnapshotIdOf(raw))) kept.push_back(std::move(raw));
        }
        stats = std::move(kept);
    };
    drop_stats(next.statistics_json);
    drop_stats(next.partition_statistics_json);
    return next;
}

std::vector<FileToDelete> FilesFreedByExpiry(const TableMetadata& before, const TableMetadata& after) {
    std::set<int64_t> kept_ids;
    for (const auto& s : after.snapshots) kept_ids.insert(s.snapshot_id);
    ManifestReader kept_reader(after);
    std::set<std::string> kept_lists, kept_manifests, kept_files;
    for (const auto& s : after.snapshots) {
        if (!s.manifest_list.empty()) kept_lists.insert(ComparablePath(s.manifest_list));
        for (const auto& mf : kept_reader.ManifestsOf(s)) {
            if (!kept_manifests.insert(ComparablePath(mf.path)).second) continue;
            // A DELETED entry (a file an earlier commit removed, carried in an untouched manifest)
            // keeps nothing alive.
            for (const auto& e : kept_reader.EntriesOf(mf)) {
                if (e.status != EntryStatus::DELETED) kept_files.insert(ComparablePath(e.file.file_path));
            }
        }
    }
    std::vector<FileToDelete> out;
    std::set<std::string> seen;
    ManifestReader reader(before);
    auto offer = [&](const std::string& path, FileToDelete::Kind kind, int64_t size) {
        if (!UnderLocation(path, before.location)) return;
        if (!seen.insert(ComparablePath(path)).second) return;
        out.push_back({path, kind, size});
    };
    for (const auto& s : before.snapshots) {
        if (kept_ids.count(s.snapshot_id)) continue;
        std::vector<ManifestFile> manifests;
        try {
            manifests = reader.ManifestsOf(s);
        } catch (const Exception&) {
            continue;  // unreadable: what it lists stays (an orphan removal finds it later)
        }
        for (const auto& mf : manifests) {
            if (kept_manifests.count(ComparablePath(mf.path))) continue;
            try {
                for (const auto& e : reader.EntriesOf(mf)) {
                    if (!kept_files.count(ComparablePath(e.file.file_path))) {
                        offer(e.file.file_path, KindOf(e.file.content), e.file.file_size_in_bytes);
                    }
                }
            } catch (const Exception&) {
                continue;
            }
            offer(mf.path, FileToDelete::Kind::MANIFEST, mf.length);
        }
        if (!s.manifest_list.empty() && !kept_lists.count(ComparablePath(s.manifest_list))) {
            offer(s.manifest_list, FileToDelete::Kind::MANIFEST_LIST, 0);
        }
    }
    return out;
}

std::vector<FileInfo> FindOrphans(const std::string& metadata_location, const TableMetadata& m,
                                  const std::vector<FileInfo>& listed, int64_t older_than_ms) {
    std::set<std::string> reached;
    reached.insert(ComparablePath(metadata_location));
    for (const auto& e : m.metadata_log) reached.insert(ComparablePath(e.metadata_file));
    std::string root = ComparablePath(m.location);
    reached.insert(root + "/metadata/version-hint.text");
    for (const auto& raw : m.statistics_json) StatisticsPaths(raw, reached);
    for (const auto& raw : m.partition_statistics_json) StatisticsPaths(raw, reached);
    ManifestReader reader(m);
    std::set<std::string> manifests_read;
    for (const auto& s : m.snapshots) {
        if (!s.manifest_list.empty()) reached.insert(ComparablePath(s.manifest_list));
        for (const auto& mf : reader.ManifestsOf(s)) {
            if (!manifests_read.insert(ComparablePath(mf.path)).second) continue;
            reached.insert(ComparablePath(mf.path));
            for (const auto& e : reader.EntriesOf(mf)) reached.insert(ComparablePath(e.file.file_path));
        }
    }
    // The listing must spell paths as the metadata does: when it finds none of the files the
    // current snapshot reads, the two disagree (a moved location, another scheme or authority)
    // and every file would look orphaned.
    std::set<std::string> current_files;
    if (const Snapshot* current = m.current_snapshot()) {
        for (const auto& mf : reader.ManifestsOf(*current)) {
            for (const auto& e : reader.EntriesOf(mf)) {
                if (e.status != EntryStatus::DELETED && UnderLocation(e.file.file_path, m.location)) {
                    current_files.insert(ComparablePath(e.file.file_path));
                }
            }
        }
    }
    size_t found = 0;
    for (const auto& f : listed) found += current_files.count(ComparablePath(f.path));
    if (!current_files.empty() && found == 0) {
        throw IOError("the listing of '" + m.location + "' finds none of the " + std::to_string(current_files.size()) +
                      " data files the current snapshot reads (e.g. '" + *current_files.begin() +
                      "'): the paths disagree, so nothing is deleted");
    }
    std::vector<FileInfo> out;
    for (const auto& f : listed) {
        if (f.modified_ms >= older_than_ms || f.modified_ms <= 0) continue;
        if (!UnderLocation(f.path, m.location)) continue;
        if (reached.count(ComparablePath(f.path))) continue;
        out.push_back(f);
    }
    return out;
}

namespace {

struct LiveEntry {
    DataFile file;
    int32_t spec_id = 0;
    int64_t sequence = 0;
    std::string partition_key;
    bool unpartitioned = false;
};

/// The live data and delete entries of the current snapshot.
void LiveEntries(const TableMetadata& m, std::vector<LiveEntry>& data, std::vector<LiveEntry>& deletes,
                 int64_t* manifests = nullptr) {
    const Snapshot* s = m.current_snapshot();
    if (!s) return;
    ManifestReader reader(m);
    const auto& list = reader.ManifestsOf(*s);
    if (manifests) *manifests = static_cast<int64_t>(list.size());
    for (const auto& mf : list) {
        const PartitionSpec* spec = m.FindSpec(mf.partition_spec_id);
        bool unpartitioned = !spec || spec->IsUnpartitioned();
        for (const auto& e : reader.EntriesOf(mf)) {
            if (e.status == EntryStatus::DELETED) continue;
            LiveEntry l{e.file, mf.partition_spec_id, e.sequence_number.value_or(0),
                        PartitionKey(mf.partition_spec_id, e.file.partition), unpartitioned};
            (e.file.content == DataFileContent::DATA ? data : deletes).push_back(std::move(l));
        }
    }
}

/// Whether delete entry `d` may apply to data entry `f` (spec "Scan Planning").
bool MayApply(const LiveEntry& d, const LiveEntry& f) {
    if (d.file.referenced_data_file) return *d.file.referenced_data_file == f.file.file_path;
    bool same_partition = d.unpartitioned || (d.spec_id == f.spec_id && d.partition_key == f.partition_key);
    if (!same_partition) return false;
    if (d.file.content == DataFileContent::POSITION_DELETES) return f.sequence <= d.sequence;
    return f.sequence < d.sequence;
}

}  // namespace

std::vector<CompactionGroup> PlanCompaction(const TableMetadata& m, const CompactionOptions& o) {
    std::vector<LiveEntry> data, deletes;
    LiveEntries(m, data, deletes);
    int64_t target = std::max<int64_t>(1, o.target_file_size);
    int64_t min_size = o.min_file_size > 0 ? o.min_file_size : target * 3 / 4;
    int64_t max_size = o.max_file_size > 0 ? o.max_file_size : target * 18 / 10;
    // Rows each data file loses to deletes (DVs and file-scoped position deletes by their counts;
    // partition-scoped deletes spread over the partition's rows).
    std::map<std::string, int64_t> file_deleted;
    std::map<std::string, int64_t> partition_deleted, partition_rows;
    for (const auto& f : data) partition_rows[f.partition_key] += f.file.record_count;
    for (const auto& d : deletes) {
        if (d.file.referenced_data_file) {
            file_deleted[*d.file.referenced_data_file] += d.file.record_count;
        } else {
            partition_deleted[d.unpartitioned ? "*" : d.partition_key] += d.file.record_count;
        }
    }
    int64_t all_rows = 0;
    for (const auto& [k, v] : partition_rows) all_rows += v;
    auto delete_ratio = [&](const LiveEntry& f) {
        double own = f.file.record_count > 0 ? static_cast<double>(file_deleted[f.file.file_path]) /
                                                   static_cast<double>(f.file.record_count)
                                             : 0;
        int64_t rows = partition_rows[f.partition_key];
        double shared =
            rows > 0 ? static_cast<double>(partition_deleted[f.partition_key]) / static_cast<double>(rows) : 0;
        double global = all_rows > 0 ? static_cast<double>(partition_deleted["*"]) / static_cast<double>(all_rows) : 0;
        return own + shared + global;
    };
    std::map<std::string, std::vector<const LiveEntry*>> by_partition;
    for (const auto& f : data) {
        if (o.only_files && !o.only_files->count(f.file.file_path)) continue;
        if (o.max_sequence_number && f.sequence > *o.max_sequence_number) continue;
        by_partition[f.partition_key].push_back(&f);
    }
    std::vector<CompactionGroup> groups;
    std::set<std::string> rewritten;
    for (auto& [key, files] : by_partition) {
        std::vector<const LiveEntry*> chosen;
        bool deletes_due = false;
        for (const LiveEntry* f : files) {
            bool bad_size = f->file.file_size_in_bytes < min_size || f->file.file_size_in_bytes > max_size;
            bool deleted = delete_ratio(*f) >= o.delete_ratio_threshold && delete_ratio(*f) > 0;
            deletes_due = deletes_due || deleted;
            if (o.rewrite_all || o.sort || bad_size || deleted) chosen.push_back(f);
        }
        if (chosen.empty()) continue;
        int64_t bytes = 0;
        for (const LiveEntry* f : chosen) bytes += f->file.file_size_in_bytes;
        bool worth = o.rewrite_all || deletes_due || static_cast<int>(chosen.size()) >= o.min_input_files ||
                     (chosen.size() > 1 && bytes > target);
        if (o.sort) {
            int32_t order = m.default_sort_order_id;
            worth = worth || chosen.size() > 1 || chosen.front()->file.sort_order_id.value_or(-1) != order;
        }
        if (!worth) continue;
        CompactionGroup g;
        g.spec_id = chosen.front()->spec_id;
        g.partition = PartitionText(chosen.front()->file.partition);
        for (const LiveEntry* f : chosen) {
            g.data_files.push_back(f->file.file_path);
            g.records += f->file.record_count;
            rewritten.insert(f->file.file_path);
        }
        g.bytes = bytes;
        groups.push_back(std::move(g));
    }
    if (groups.empty()) return groups;
    // Delete files every data file of which is rewritten go with the rewrite (their rows are
    // applied by the read that feeds it).
    for (const auto& d : deletes) {
        bool all = true;
        for (const auto& f : data) {
            if (!MayApply(d, f)) continue;
            if (!rewritten.count(f.file.file_path)) {
                all = false;
                break;
            }
        }
        if (!all) continue;
        // Dangling (applies to nothing live) or fully absorbed: attach to the group of its partition.
        CompactionGroup* owner = &groups.back();
        for (auto& g : groups) {
            if (!d.unpartitioned && g.spec_id == d.spec_id && g.partition == PartitionText(d.file.partition))
                owner = &g;
        }
        owner->delete_files.insert(d.file.file_path);
    }
    return groups;
}

std::set<std::string> DeleteFilesOnlyFor(const TableMetadata& m, const std::set<std::string>& data_files) {
    std::vector<LiveEntry> data, deletes;
    LiveEntries(m, data, deletes);
    std::set<std::string> out;
    for (const auto& d : deletes) {
        bool ours = false, others = false;
        for (const auto& f : data) {
            if (!MayApply(d, f)) continue;
            if (data_files.count(f.file.file_path)) {
                ours = true;
            } else {
                others = true;
                break;
            }
        }
        if (ours && !others) out.insert(d.file.file_path);
    }
    return out;
}

TableHealth ComputeHealth(const TableMetadata& m) {
    TableHealth h;
    h.target_file_size = TablePropertyInt(m, "write.target-file-size-bytes", int64_t{512} << 20);
    h.snapshots = static_cast<int64_t>(m.snapshots.size());
    std::vector<LiveEntry> data, deletes;
    LiveEntries(m, data, deletes, &h.manifests);
    int64_t small_limit = h.target_file_size * 3 / 4;
    std::map<std::string, int64_t> per_partition;
    std::map<std::string, int64_t> small_per_partition;
    for (const auto& f : data) {
        ++h.data_files;
        h.data_bytes += f.file.file_size_in_bytes;
        h.records += f.file.record_count;
        ++per_partition[f.partition_key];
        if (f.file.file_size_in_bytes < small_limit) ++small_per_partition[f.partition_key];
    }
    // A partition's only file is small because the partition is: not a file to merge.
    for (const auto& [k, n] : small_per_partition) {
        if (per_partition[k] > 1) h.small_files += n;
    }
    for (const auto& d : deletes) {
        ++h.delete_files;
        h.delete_bytes += d.file.file_size_in_bytes;
        h.deleted_rows += d.file.record_count;
        if (d.file.content == DataFileContent::EQUALITY_DELETES) {
            ++h.equality_delete_files;
        } else {
            ++h.position_delete_files;
        }
    }
    h.partitions = static_cast<int64_t>(per_partition.size());
    for (const auto& [k, n] : per_partition) h.max_files_in_partition = std::max(h.max_files_in_partition, n);
    h.avg_file_bytes = h.data_files ? static_cast<double>(h.data_bytes) / static_cast<double>(h.data_files) : 0;
    h.small_file_share = h.data_files ? static_cast<double>(h.small_files) / static_cast<double>(h.data_files) : 0;
    h.delete_ratio = h.records ? static_cast<double>(h.deleted_rows) / static_cast<double>(h.records) : 0;

    // Sort overlap on the first sort column (identity transform).
    const SortOrder* order = nullptr;
    for (const auto& o : m.sort_orders) {
        if (o.order_id == m.default_sort_order_id && !o.fields.empty()) order = &o;
    }
    const Schema& schema = m.current_schema();
    if (order && order->fields.front().transform.kind == TransformKind::IDENTITY) {
        const NestedField* field = schema.FindField(order->fields.front().source_id);
        if (field) {
            h.sort_column = field->name;
            std::map<std::string, std::vector<std::pair<OrderKey, OrderKey>>> ranges;
            bool complete = true;
            for (const auto& f : data) {
                auto lo = f.file.lower_bounds.find(field->id);
                auto hi = f.file.upper_bounds.find(field->id);
                std::optional<OrderKey> a, b;
                if (lo != f.file.lower_bounds.end()) a = KeyOf(field->type, lo->second);
                if (hi != f.file.upper_bounds.end()) b = KeyOf(field->type, hi->second);
                if (!a || !b) {
                    complete = complete && f.file.record_count == 0;
                    continue;
                }
                ranges[f.partition_key].push_back({*a, *b});
            }
            if (complete) {
                int64_t worst = data.empty() ? 1 : 0;
                for (auto& [k, r] : ranges) worst = std::max(worst, OverlapDepth(std::move(r)));
                h.sort_overlap = std::max<int64_t>(worst, 1);
            }
        }
    }

    // The class: the worst signal decides (docs/lake-maintenance.md).
    int level = 0;
    std::string reason;
    auto signal = [&](int l, const std::string& why) {
        if (l > level) {
            level = l;
            reason = why;
        } else if (l == level && l > 0) {
            reason += "; " + why;
        }
    };
    auto pct = [](double v) { return std::to_string(static_cast<int64_t>(v * 100 + 0.5)) + "%"; };
    // A handful of small files is no problem whatever their share (min-input-files: 5).
    if (h.small_files > 1000 || (h.small_file_share > 0.4 && h.small_files >= 5)) {
        signal(2, std::to_string(h.small_files) + " small files (" + pct(h.small_file_share) + ")");
    } else if (h.small_file_share > 0.1 && h.small_files >= 5) {
        signal(1, std::to_string(h.small_files) + " small files (" + pct(h.small_file_share) + ")");
    }
    if (h.delete_ratio > 0.3) {
        signal(2, pct(h.delete_ratio) + " of rows deleted");
    } else if (h.delete_ratio > 0.1) {
        signal(1, pct(h.delete_ratio) + " of rows deleted");
    }
    if (h.equality_delete_files > 100) {
        signal(2, std::to_string(h.equality_delete_files) + " equality delete files");
    } else if (h.equality_delete_files > 0) {
        signal(1, std::to_string(h.equality_delete_files) + " equality delete files");
    }
    if (h.snapshots > 2000) {
        signal(2, std::to_string(h.snapshots) + " snapshots");
    } else if (h.snapshots > 500) {
        signal(1, std::to_string(h.snapshots) + " snapshots");
    }
    if (h.manifests > 1000) {
        signal(2, std::to_string(h.manifests) + " manifests");
    } else if (h.manifests > 100) {
        signal(1, std::to_string(h.manifests) + " manifests");
    }
    if (h.sort_overlap && *h.sort_overlap > 8) {
        signal(2, "sort overlap depth " + std::to_string(*h.sort_overlap) + " on " + h.sort_column);
    } else if (h.sort_overlap && *h.sort_overlap > 2) {
        signal(1, "sort overlap depth " + std::to_string(*h.sort_overlap) + " on " + h.sort_column);
    }
    h.health = level == 0 ? "healthy" : level == 1 ? "warning" : "critical";
    h.reason = level == 0 ? "" : reason;
    return h;
}

}  // namespace floe::iceberg
