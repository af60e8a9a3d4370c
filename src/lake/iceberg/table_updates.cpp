#include "lake/iceberg/table_updates.h"

#include <simdjson.h>

#include <algorithm>
#include <set>

#include "common/ascii.h"
#include "common/json_text.h"
#include "lake/iceberg/json_object_reader.h"
#include "lake/iceberg/metadata_writer.h"

namespace floe::iceberg {

namespace {

std::string Indexed(const std::string& key, size_t i) {
    return key + "[" + std::to_string(i) + "]";
}

/// Parses a JSON array of objects; `what` and `key` name it in errors.
simdjson::dom::array ParseArray(simdjson::dom::parser& parser, std::string_view json, const std::string& what,
                                const char* key) {
    simdjson::dom::element doc;
    if (auto err = parser.parse(json.data(), json.size()).get(doc); err) {
        throw InvalidTableUpdateError(what + ": '" + key + "' is not valid JSON (" + simdjson::error_message(err) +
                                      ")");
    }
    simdjson::dom::array array;
    if (doc.get_array().get(array) != simdjson::SUCCESS) {
        throw InvalidTableUpdateError(what + ": '" + key + "' must be a JSON array");
    }
    return array;
}

/// The snapshot id a raw statistics entry is about (nullopt when it names none).
std::optional<int64_t> StatisticsSnapshotId(const std::string& raw) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(raw).get(doc) != simdjson::SUCCESS) return std::nullopt;
    int64_t id;
    if (doc["snapshot-id"].get_int64().get(id) != simdjson::SUCCESS) return std::nullopt;
    return id;
}

/// Puts `raw` in `entries` in place of the entry about the same snapshot.
void ReplaceStatistics(std::vector<std::string>& entries, std::string raw, int64_t snapshot_id) {
    for (std::string& e : entries) {
        if (StatisticsSnapshotId(e) == snapshot_id) {
            e = std::move(raw);
            return;
        }
    }
    entries.push_back(std::move(raw));
}

void RemoveStatistics(std::vector<std::string>& entries, int64_t snapshot_id) {
    entries.erase(std::remove_if(entries.begin(), entries.end(),
                                 [&](const std::string& e) { return StatisticsSnapshotId(e) == snapshot_id; }),
                  entries.end());
}

bool SameFields(const Schema& a, const Schema& b) {
    return a.fields == b.fields && a.identifier_field_ids == b.identifier_field_ids;
}

bool SameFields(const PartitionSpec& a, const PartitionSpec& b) {
    PartitionSpec x = a;
    x.spec_id = b.spec_id;
    return PartitionSpecToJson(x) == PartitionSpecToJson(b);
}

bool SameFields(const SortOrder& a, const SortOrder& b) {
    SortOrder x = a;
    x.order_id = b.order_id;
    return SortOrderToJson(x) == SortOrderToJson(b);
}

int64_t PropertyInt(const TableMetadata& m, const std::string& key, int64_t fallback) {
    auto it = m.properties.find(key);
    if (it == m.properties.end()) return fallback;
    try {
        return std::stoll(it->second);
    } catch (const std::exception&) {
        return fallback;
    }
}

/// Builds the next metadata one update at a time, remembering what this change added (for the
/// -1 "last added" ids and the snapshot-log timestamps).
class MetadataBuilder {
  public:
    MetadataBuilder(const TableMetadata* current, std::string table, int64_t now_ms)
        : table_(std::move(table)), now_ms_(now_ms) {
        if (current) {
            m_ = *current;
        } else {
            m_.format_version = 0;  // set by upgrade-format-version, else 2 at the end
            m_.last_partition_id = 999;
        }
    }

    void Apply(const JsonObjectReader& u) {
        std::string action = u.String("action");
        if (action == "assign-uuid") {
            std::string uuid = u.String("uuid");
            if (!m_.table_uuid.empty() && !AsciiEqualsIgnoreCase(m_.table_uuid, uuid)) {
                throw Invalid(u, "cannot reassign the table uuid " + m_.table_uuid + " to " + uuid);
            }
            m_.table_uuid = uuid;
        } else if (action == "upgrade-format-version") {
            int64_t version = u.Int("format-version");
            if (version < 1 || version > kMaxFormatVersion) {
                throw Invalid(u, "format-version " + std::to_string(version) + " is not supported (Floe writes 1 to " +
                                     std::to_string(kMaxFormatVersion) + ")");
            }
            if (version < m_.format_version) {
                throw Invalid(u, "cannot downgrade the format version from " + std::to_string(m_.format_version) +
                                     " to " + std::to_string(version));
            }
            if (version >= 3 && m_.format_version < 3 && !m_.next_row_id) m_.next_row_id = 0;
            m_.format_version = static_cast<int>(version);
        } else if (action == "add-schema") {
            AddSchema(u);
        } else if (action == "set-current-schema") {
            int32_t id = u.Int32("schema-id");
            if (id == -1) {
                if (!last_added_schema_)
                    throw Invalid(u, "schema-id -1 names the last added schema, but none was added");
                id = *last_added_schema_;
            }
            if (!m_.FindSchema(id)) throw Invalid(u, "no schema with id " + std::to_string(id));
            m_.current_schema_id = id;
        } else if (action == "add-spec") {
            AddSpec(u);
        } else if (action == "set-default-spec") {
            int32_t id = u.Int32("spec-id");
            if (id == -1) {
                if (!last_added_spec_) throw Invalid(u, "spec-id -1 names the last added spec, but none was added");
                id = *last_added_spec_;
            }
            if (!m_.FindSpec(id)) throw Invalid(u, "no partition spec with id " + std::to_string(id));
            m_.default_spec_id = id;
        } else if (action == "add-sort-order") {
            AddSortOrder(u);
        } else if (action == "set-default-sort-order") {
            int32_t id = u.Int32("sort-order-id");
            if (id == -1) {
                if (!last_added_order_) {
                    throw Invalid(u, "sort-order-id -1 names the last added sort order, but none was added");
                }
                id = *last_added_order_;
            }
            if (!FindOrder(id)) throw Invalid(u, "no sort order with id " + std::to_string(id));
            m_.default_sort_order_id = id;
        } else if (action == "add-snapshot") {
            AddSnapshot(u);
        } else if (action == "set-snapshot-ref") {
            SetRef(u);
        } else if (action == "remove-snapshots") {
            std::set<int64_t> ids;
            for (simdjson::dom::element e : u.Array("snapshot-ids")) ids.insert(u.AsInt(e, "snapshot-ids"));
            RemoveSnapshots(ids);
        } else if (action == "remove-snapshot-ref") {
            std::string name = u.String("ref-name");
            m_.refs.erase(name);
            if (name == "main") m_.current_snapshot_id.reset();
        } else if (action == "set-location") {
            std::string location = u.String("location");
            if (location.empty()) throw Invalid(u, "the location is empty");
            m_.location = location;
        } else if (action == "set-properties") {
            auto updates = u.Required("updates");
            JsonObjectReader map(updates, u.what(), u.Path("updates"));
            for (auto [key, value] : map.Object()) {
                m_.properties[std::string(key)] = map.AsString(value, key);
            }
            properties_changed_ = true;
        } else if (action == "remove-properties") {
            for (simdjson::dom::element e : u.Array("removals")) m_.properties.erase(u.AsString(e, "removals"));
            properties_changed_ = true;
        } else if (action == "set-statistics") {
            auto stats = u.Required("statistics");
            JsonObjectReader entry(stats, u.what(), u.Path("statistics"));
            int64_t id = entry.Int("snapshot-id");
            ReplaceStatistics(m_.statistics_json, simdjson::minify(stats), id);
        } else if (action == "remove-statistics") {
            RemoveStatistics(m_.statistics_json, u.Int("snapshot-id"));
        } else if (action == "set-partition-statistics") {
            auto stats = u.Required("partition-statistics");
            JsonObjectReader entry(stats, u.what(), u.Path("partition-statistics"));
            int64_t id = entry.Int("snapshot-id");
            ReplaceStatistics(m_.partition_statistics_json, simdjson::minify(stats), id);
        } else if (action == "remove-partition-statistics") {
            RemoveStatistics(m_.partition_statistics_json, u.Int("snapshot-id"));
        } else if (action == "remove-partition-specs") {
            for (simdjson::dom::element e : u.Array("spec-ids")) {
                int32_t id = static_cast<int32_t>(u.AsInt(e, "spec-ids"));
                if (id == m_.default_spec_id) throw Invalid(u, "cannot remove the default partition spec");
                m_.partition_specs.erase(std::remove_if(m_.partition_specs.begin(), m_.partition_specs.end(),
                                                        [&](const PartitionSpec& s) { return s.spec_id == id; }),
                                         m_.partition_specs.end());
            }
        } else if (action == "remove-schemas") {
            for (simdjson::dom::element e : u.Array("schema-ids")) {
                int32_t id = static_cast<int32_t>(u.AsInt(e, "schema-ids"));
                if (id == m_.current_schema_id) throw Invalid(u, "cannot remove the current schema");
                m_.schemas.erase(std::remove_if(m_.schemas.begin(), m_.schemas.end(),
                                                [&](const Schema& s) { return s.schema_id == id; }),
                                 m_.schemas.end());
            }
        } else {
            throw Invalid(u, "unknown update action '" + action + "'");
        }
    }

    TableMetadata Finish(const TableMetadata* current, const std::optional<std::string>& current_location) {
        if (m_.format_version == 0) m_.format_version = 2;
        if (m_.location.empty()) throw InvalidTableUpdateError(table_ + ": the table has no location");
        if (m_.schemas.empty() || !m_.FindSchema(m_.current_schema_id)) {
            throw InvalidTableUpdateError(table_ + ": the table has no current schema");
        }
        if (m_.partition_specs.empty()) {
            PartitionSpec unpartitioned;  // spec 0 without fields, as a create without a spec gets
            m_.partition_specs.push_back(unpartitioned);
            m_.default_spec_id = 0;
        }
        if (!m_.FindSpec(m_.default_spec_id)) throw InvalidTableUpdateError(table_ + ": the default spec is missing");
        if (m_.sort_orders.empty()) {
            m_.sort_orders.push_back(SortOrder{});
            m_.default_sort_order_id = 0;
        }
        if (!FindOrder(m_.default_sort_order_id)) {
            throw InvalidTableUpdateError(table_ + ": the default sort order is missing");
        }
        if (m_.format_version >= 2 && m_.table_uuid.empty()) {
            throw InvalidTableUpdateError(table_ + ": a format version 2 table needs a uuid (assign-uuid)");
        }
        if (properties_changed_) {
            auto it = m_.properties.find("schema.name-mapping.default");
            m_.name_mapping.reset();
            if (it != m_.properties.end()) m_.name_mapping = ParseNameMapping(it->second, table_);
        }
        // last-updated-ms: the added snapshot's time (Java), never before the previous version.
        int64_t stamp = last_snapshot_ms_.value_or(now_ms_);
        if (current) stamp = std::max(stamp, current->last_updated_ms);
        m_.last_updated_ms = stamp;
        if (current && current_location && !current_location->empty()) {
            m_.metadata_log.push_back({current->last_updated_ms, *current_location});
            size_t keep =
                static_cast<size_t>(std::max<int64_t>(1, PropertyInt(m_, "write.metadata.previous-versions-max", 100)));
            if (m_.metadata_log.size() > keep) {
                m_.metadata_log.erase(
                    m_.metadata_log.begin(),
                    m_.metadata_log.begin() + static_cast<std::ptrdiff_t>(m_.metadata_log.size() - keep));
            }
        }
        return std::move(m_);
    }

  private:
    InvalidTableUpdateError Invalid(const JsonObjectReader& u, const std::string& message) const {
        return InvalidTableUpdateError(table_ + ": " + u.context() + ": " + message);
    }

    const SortOrder* FindOrder(int32_t id) const {
        for (const SortOrder& o : m_.sort_orders) {
            if (o.order_id == id) return &o;
        }
        return nullptr;
    }

    void AddSchema(const JsonObjectReader& u) {
        Schema schema = ParseSchemaJson(u.Required("schema"), u.what(), 0);
        int32_t last_column_id = std::max(m_.last_column_id, schema.HighestFieldId());
        if (auto given = u.OptionalInt32("last-column-id")) {
            if (*given < m_.last_column_id) {
                throw Invalid(u, "last-column-id " + std::to_string(*given) + " is below the table's " +
                                     std::to_string(m_.last_column_id));
            }
            last_column_id = std::max(*given, schema.HighestFieldId());
        }
        m_.last_column_id = last_column_id;
        // An identical schema is reused (Java's reuseOrCreateNewSchemaId); a new one gets the
        // highest id + 1, or its own id when it is the first.
        for (const Schema& s : m_.schemas) {
            if (SameFields(s, schema)) {
                last_added_schema_ = s.schema_id;
                return;
            }
        }
        if (!m_.schemas.empty()) {
            int32_t highest = 0;
            for (const Schema& s : m_.schemas) highest = std::max(highest, s.schema_id);
            schema.schema_id = highest + 1;
        }
        last_added_schema_ = schema.schema_id;
        m_.schemas.push_back(std::move(schema));
    }

    void AddSpec(const JsonObjectReader& u) {
        PartitionSpec spec = ParsePartitionSpecJson(u.Required("spec"), u.what(), u.Path("spec"));
        for (const PartitionField& f : spec.fields) {
            if (!m_.schemas.empty() && !m_.current_schema().FindField(f.source_id)) {
                // Java checks sources against the current schema; a create adds the schema first.
                throw Invalid(u, "partition field '" + f.name + "' has source id " + std::to_string(f.source_id) +
                                     ", which the current schema does not have");
            }
            m_.last_partition_id = std::max(m_.last_partition_id, f.field_id);
        }
        for (const PartitionSpec& s : m_.partition_specs) {
            if (SameFields(s, spec)) {
                last_added_spec_ = s.spec_id;
                return;
            }
        }
        if (!m_.partition_specs.empty()) {
            int32_t highest = 0;
            for (const PartitionSpec& s : m_.partition_specs) highest = std::max(highest, s.spec_id);
            spec.spec_id = highest + 1;
        }
        last_added_spec_ = spec.spec_id;
        m_.partition_specs.push_back(std::move(spec));
    }

    void AddSortOrder(const JsonObjectReader& u) {
        SortOrder order = ParseSortOrderJson(u.Required("sort-order"), u.what(), u.Path("sort-order"));
        for (const SortOrder& o : m_.sort_orders) {
            if (SameFields(o, order)) {
                last_added_order_ = o.order_id;
                return;
            }
        }
        // Order 0 is reserved for "unsorted"; sorted orders count from 1.
        if (order.fields.empty()) {
            order.order_id = 0;
        } else {
            int32_t highest = 0;
            for (const SortOrder& o : m_.sort_orders) highest = std::max(highest, o.order_id);
            order.order_id = highest + 1;
        }
        last_added_order_ = order.order_id;
        m_.sort_orders.push_back(std::move(order));
    }

    void AddSnapshot(const JsonObjectReader& u) {
        int version = m_.format_version == 0 ? 2 : m_.format_version;
        Snapshot snapshot = ParseSnapshotJson(u.Required("snapshot"), u.what(), u.Path("snapshot"), version);
        if (m_.FindSnapshot(snapshot.snapshot_id)) {
            throw Invalid(u, "snapshot " + std::to_string(snapshot.snapshot_id) + " already exists");
        }
        if (version >= 2) {
            if (snapshot.sequence_number <= m_.last_sequence_number && snapshot.parent_snapshot_id) {
                throw CommitFailedError(table_ + ": cannot add snapshot " + std::to_string(snapshot.snapshot_id) +
                                        " with sequence number " + std::to_string(snapshot.sequence_number) +
                                        ": the table's last sequence number is already " +
                                        std::to_string(m_.last_sequence_number));
            }
            m_.last_sequence_number = std::max(m_.last_sequence_number, snapshot.sequence_number);
        }
        if (version >= 3) {
            if (!snapshot.first_row_id || !snapshot.added_rows) {
                throw Invalid(u, "a format version 3 snapshot needs first-row-id and added-rows");
            }
            int64_t next_row_id = m_.next_row_id.value_or(0);
            if (*snapshot.first_row_id < next_row_id) {
                throw CommitFailedError(table_ + ": snapshot " + std::to_string(snapshot.snapshot_id) +
                                        " starts at row id " + std::to_string(*snapshot.first_row_id) +
                                        ", below the table's next-row-id " + std::to_string(next_row_id));
            }
            m_.next_row_id = *snapshot.first_row_id + *snapshot.added_rows;
        }
        added_snapshots_.insert(snapshot.snapshot_id);
        last_snapshot_ms_ = snapshot.timestamp_ms;
        m_.snapshots.push_back(std::move(snapshot));
    }

    void SetRef(const JsonObjectReader& u) {
        std::string name = u.String("ref-name");
        SnapshotRef ref;
        ref.snapshot_id = u.Int("snapshot-id");
        std::string type = u.String("type");
        if (type != "branch" && type != "tag") throw Invalid(u, "type must be 'branch' or 'tag', not '" + type + "'");
        ref.kind = type == "tag" ? SnapshotRef::Kind::TAG : SnapshotRef::Kind::BRANCH;
        ref.min_snapshots_to_keep = u.OptionalInt32("min-snapshots-to-keep");
        ref.max_snapshot_age_ms = u.OptionalInt("max-snapshot-age-ms");
        ref.max_ref_age_ms = u.OptionalInt("max-ref-age-ms");
        const Snapshot* snapshot = m_.FindSnapshot(ref.snapshot_id);
        if (!snapshot)
            throw Invalid(
                u, "ref '" + name + "' names snapshot " + std::to_string(ref.snapshot_id) + ", which does not exist");
        if (name == "main" && ref.kind != SnapshotRef::Kind::BRANCH) throw Invalid(u, "'main' must be a branch");
        auto old = m_.refs.find(name);
        bool same = old != m_.refs.end() && old->second.snapshot_id == ref.snapshot_id &&
                    old->second.kind == ref.kind && old->second.min_snapshots_to_keep == ref.min_snapshots_to_keep &&
                    old->second.max_snapshot_age_ms == ref.max_snapshot_age_ms &&
                    old->second.max_ref_age_ms == ref.max_ref_age_ms;
        if (same) return;
        m_.refs[name] = ref;
        if (name == "main") {
            m_.current_snapshot_id = ref.snapshot_id;
            // Java logs the change at the added snapshot's time, else at the commit's.
            int64_t when = added_snapshots_.count(ref.snapshot_id) ? snapshot->timestamp_ms : now_ms_;
            m_.snapshot_log.push_back({when, ref.snapshot_id});
        }
    }

    void RemoveSnapshots(const std::set<int64_t>& ids) {
        m_.snapshots.erase(std::remove_if(m_.snapshots.begin(), m_.snapshots.end(),
                                          [&](const Snapshot& s) { return ids.count(s.snapshot_id) > 0; }),
                           m_.snapshots.end());
        for (auto it = m_.refs.begin(); it != m_.refs.end();) {
            if (ids.count(it->second.snapshot_id)) {
                if (it->first == "main") m_.current_snapshot_id.reset();
                it = m_.refs.erase(it);
            } else {
                ++it;
            }
        }
        if (m_.current_snapshot_id && ids.count(*m_.current_snapshot_id)) m_.current_snapshot_id.reset();
        m_.snapshot_log.erase(std::remove_if(m_.snapshot_log.begin(), m_.snapshot_log.end(),
                                             [&](const SnapshotLogEntry& e) { return ids.count(e.snapshot_id) > 0; }),
                              m_.snapshot_log.end());
        for (int64_t id : ids) {
            RemoveStatistics(m_.statistics_json, id);
            RemoveStatistics(m_.partition_statistics_json, id);
        }
    }

    TableMetadata m_;
    std::string table_;
    int64_t now_ms_;
    std::optional<int32_t> last_added_schema_;
    std::optional<int32_t> last_added_spec_;
    std::optional<int32_t> last_added_order_;
    std::set<int64_t> added_snapshots_;
    std::optional<int64_t> last_snapshot_ms_;
    bool properties_changed_ = false;
};

void CheckOne(const JsonObjectReader& r, const TableMetadata* m, const std::string& table) {
    std::string type = r.String("type");
    auto failed = [&](const std::string& message) { return CommitFailedError(table + ": " + message); };
    if (type == "assert-create") {
        if (m) throw failed("the table already exists");
        return;
    }
    static const std::set<std::string> kKnown = {"assert-table-uuid",
                                                 "assert-ref-snapshot-id",
                                                 "assert-last-assigned-field-id",
                                                 "assert-current-schema-id",
                                                 "assert-last-assigned-partition-id",
                                                 "assert-default-spec-id",
                                                 "assert-default-sort-order-id"};
    if (!kKnown.count(type)) {
        throw InvalidTableUpdateError(table + ": " + r.context() + ": unknown requirement type '" + type + "'");
    }
    if (!m) throw failed("the table does not exist");
    auto expect = [&](const char* what, int64_t actual, int64_t required) {
        if (actual != required) {
            throw failed(std::string("requirement failed: ") + what + " is " + std::to_string(actual) + ", not " +
                         std::to_string(required));
        }
    };
    if (type == "assert-table-uuid") {
        std::string uuid = r.String("uuid");
        if (!AsciiEqualsIgnoreCase(uuid, m->table_uuid)) {
            throw failed("requirement failed: the table uuid is " + m->table_uuid + ", not " + uuid);
        }
    } else if (type == "assert-ref-snapshot-id") {
        std::string ref = r.String("ref");
        std::optional<int64_t> id = r.OptionalInt("snapshot-id");
        auto it = m->refs.find(ref);
        if (!id) {
            if (it != m->refs.end()) throw failed("requirement failed: ref '" + ref + "' was created concurrently");
        } else if (it == m->refs.end()) {
            throw failed("requirement failed: ref '" + ref + "' is missing (expected snapshot " + std::to_string(*id) +
                         ")");
        } else if (it->second.snapshot_id != *id) {
            throw failed("requirement failed: ref '" + ref + "' points at snapshot " +
                         std::to_string(it->second.snapshot_id) + ", not " + std::to_string(*id));
        }
    } else if (type == "assert-last-assigned-field-id") {
        expect("last assigned field id", m->last_column_id, r.Int("last-assigned-field-id"));
    } else if (type == "assert-current-schema-id") {
        expect("current schema id", m->current_schema_id, r.Int("current-schema-id"));
    } else if (type == "assert-last-assigned-partition-id") {
        expect("last assigned partition id", m->last_partition_id, r.Int("last-assigned-partition-id"));
    } else if (type == "assert-default-spec-id") {
        expect("default spec id", m->default_spec_id, r.Int("default-spec-id"));
    } else if (type == "assert-default-sort-order-id") {
        expect("default sort order id", m->default_sort_order_id, r.Int("default-sort-order-id"));
    }
}

// ---- DiffForCommit ----

/// A JSON array built one object at a time.
class JsonList {
  public:
    void Add(std::string object) {
        if (out_.size() > 1) out_ += ',';
        out_ += object;
    }
    std::string Take() {
        out_ += ']';
        return std::move(out_);
    }

  private:
    std::string out_ = "[";
};

std::string Quoted(std::string_view s) {
    return JsonString(s);
}

std::string Action(const char* action, const std::string& members = "") {
    std::string out = std::string("{\"action\":\"") + action + "\"";
    if (!members.empty()) out += "," + members;
    return out + "}";
}

std::string Requirement(const char* type, const std::string& members = "") {
    std::string out = std::string("{\"type\":\"") + type + "\"";
    if (!members.empty()) out += "," + members;
    return out + "}";
}

bool SameRef(const SnapshotRef& a, const SnapshotRef& b) {
    return a.snapshot_id == b.snapshot_id && a.kind == b.kind && a.min_snapshots_to_keep == b.min_snapshots_to_keep &&
           a.max_snapshot_age_ms == b.max_snapshot_age_ms && a.max_ref_age_ms == b.max_ref_age_ms;
}

void DiffStatistics(JsonList& updates, const std::vector<std::string>& base, const std::vector<std::string>& next,
                    const char* set_action, const char* set_key, const char* remove_action) {
    std::map<int64_t, std::string> before, after;
    for (const std::string& e : base) {
        if (auto id = StatisticsSnapshotId(e)) before[*id] = e;
    }
    for (const std::string& e : next) {
        if (auto id = StatisticsSnapshotId(e)) after[*id] = e;
    }
    for (const auto& [id, raw] : after) {
        auto it = before.find(id);
        if (it != before.end() && it->second == raw) continue;
        updates.Add(Action(set_action, "\"snapshot-id\":" + std::to_string(id) + ",\"" + set_key + "\":" + raw));
    }
    for (const auto& [id, raw] : before) {
        if (!after.count(id)) updates.Add(Action(remove_action, "\"snapshot-id\":" + std::to_string(id)));
    }
}

}  // namespace

bool RequiresCreate(std::string_view requirements_json) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(requirements_json.data(), requirements_json.size()).get(doc) != simdjson::SUCCESS) return false;
    simdjson::dom::array array;
    if (doc.get_array().get(array) != simdjson::SUCCESS) return false;
    for (simdjson::dom::element e : array) {
        std::string_view type;
        if (e["type"].get_string().get(type) == simdjson::SUCCESS && type == "assert-create") return true;
    }
    return false;
}

void CheckTableRequirements(std::string_view requirements_json, const TableMetadata* current,
                            const std::string& table) {
    simdjson::dom::parser parser;
    std::string what = "commit of " + table;
    simdjson::dom::array array = ParseArray(parser, requirements_json, table, "requirements");
    size_t i = 0;
    try {
        for (simdjson::dom::element e : array) {
            JsonObjectReader r(e, what, Indexed("requirements", i++));
            CheckOne(r, current, table);
        }
    } catch (const IOError& e) {  // a member of the wrong type or missing
        throw InvalidTableUpdateError(e.what());
    }
}

TableMetadata ApplyTableUpdates(std::string_view updates_json, const TableMetadata* current,
                                const std::optional<std::string>& current_location, const std::string& table,
                                int64_t now_ms) {
    simdjson::dom::parser parser;
    std::string what = "commit of " + table;
    simdjson::dom::array array = ParseArray(parser, updates_json, table, "updates");
    MetadataBuilder builder(current, table, now_ms);
    size_t i = 0;
    try {
        for (simdjson::dom::element e : array) {
            JsonObjectReader u(e, what, Indexed("updates", i++));
            builder.Apply(u);
        }
        return builder.Finish(current, current_location);
    } catch (const IOError& e) {
        throw InvalidTableUpdateError(e.what());
    }
}

CommitDiff DiffForCommit(const TableMetadata* base, const TableMetadata& next) {
    JsonList requirements;
    JsonList updates;
    std::set<std::string> asserted;  // requirement types already added
    auto require = [&](const char* type, const std::string& members) {
        if (asserted.insert(type).second) requirements.Add(Requirement(type, members));
    };
    if (!base) {
        requirements.Add(Requirement("assert-create"));
    } else if (!base->table_uuid.empty()) {
        requirements.Add(Requirement("assert-table-uuid", "\"uuid\":" + Quoted(base->table_uuid)));
    }

    if (!next.table_uuid.empty() && (!base || base->table_uuid != next.table_uuid)) {
        updates.Add(Action("assign-uuid", "\"uuid\":" + Quoted(next.table_uuid)));
    }
    if (!base || next.format_version > base->format_version) {
        updates.Add(Action("upgrade-format-version", "\"format-version\":" + std::to_string(next.format_version)));
    }

    // Schemas: each new one, then the current one (-1 when it is the last added, as Java sends it:
    // the server may number schemas its own way).
    std::optional<int32_t> last_added;
    for (const Schema& s : next.schemas) {
        if (base && base->FindSchema(s.schema_id)) continue;
        if (base)
            require("assert-last-assigned-field-id",
                    "\"last-assigned-field-id\":" + std::to_string(base->last_column_id));
        updates.Add(Action("add-schema", "\"schema\":" + SchemaToJson(s) +
                                             ",\"last-column-id\":" + std::to_string(next.last_column_id)));
        last_added = s.schema_id;
    }
    if (!base || base->current_schema_id != next.current_schema_id) {
        if (base)
            require("assert-current-schema-id", "\"current-schema-id\":" + std::to_string(base->current_schema_id));
        int32_t id = last_added == next.current_schema_id ? -1 : next.current_schema_id;
        updates.Add(Action("set-current-schema", "\"schema-id\":" + std::to_string(id)));
    }

    last_added.reset();
    for (const PartitionSpec& s : next.partition_specs) {
        if (base && base->FindSpec(s.spec_id)) continue;
        if (base) {
            require("assert-last-assigned-partition-id",
                    "\"last-assigned-partition-id\":" + std::to_string(base->last_partition_id));
        }
        updates.Add(Action("add-spec", "\"spec\":" + PartitionSpecToJson(s)));
        last_added = s.spec_id;
    }
    if (!base || base->default_spec_id != next.default_spec_id) {
        if (base) require("assert-default-spec-id", "\"default-spec-id\":" + std::to_string(base->default_spec_id));
        int32_t id = last_added == next.default_spec_id ? -1 : next.default_spec_id;
        updates.Add(Action("set-default-spec", "\"spec-id\":" + std::to_string(id)));
    }

    last_added.reset();
    for (const SortOrder& o : next.sort_orders) {
        bool known = false;
        if (base) {
            for (const SortOrder& b : base->sort_orders) known = known || b.order_id == o.order_id;
        }
        if (known) continue;
        updates.Add(Action("add-sort-order", "\"sort-order\":" + SortOrderToJson(o)));
        last_added = o.order_id;
    }
    if (!base || base->default_sort_order_id != next.default_sort_order_id) {
        if (base) {
            require("assert-default-sort-order-id",
                    "\"default-sort-order-id\":" + std::to_string(base->default_sort_order_id));
        }
        int32_t id = last_added == next.default_sort_order_id ? -1 : next.default_sort_order_id;
        updates.Add(Action("set-default-sort-order", "\"sort-order-id\":" + std::to_string(id)));
    }

    if (!next.location.empty() && (!base || base->location != next.location)) {
        updates.Add(Action("set-location", "\"location\":" + Quoted(next.location)));
    }

    std::string set;
    for (const auto& [key, value] : next.properties) {
        if (base) {
            auto it = base->properties.find(key);
            if (it != base->properties.end() && it->second == value) continue;
        }
        if (!set.empty()) set += ',';
        set += Quoted(key) + ":" + Quoted(value);
    }
    if (!set.empty()) updates.Add(Action("set-properties", "\"updates\":{" + set + "}"));
    if (base) {
        std::string removals;
        for (const auto& [key, value] : base->properties) {
            if (next.properties.count(key)) continue;
            if (!removals.empty()) removals += ',';
            removals += Quoted(key);
        }
        if (!removals.empty()) updates.Add(Action("remove-properties", "\"removals\":[" + removals + "]"));
    }

    for (const Snapshot& s : next.snapshots) {
        if (base && base->FindSnapshot(s.snapshot_id)) continue;
        updates.Add(Action("add-snapshot", "\"snapshot\":" + SnapshotToJson(s, next.format_version)));
    }
    if (base) {
        std::string removed;
        for (const Snapshot& s : base->snapshots) {
            if (next.FindSnapshot(s.snapshot_id)) continue;
            if (!removed.empty()) removed += ',';
            removed += std::to_string(s.snapshot_id);
        }
        if (!removed.empty()) updates.Add(Action("remove-snapshots", "\"snapshot-ids\":[" + removed + "]"));
    }

    // Refs: `main` first, so that the snapshot log records the current snapshot's change first.
    std::vector<std::string> names;
    if (next.refs.count("main")) names.push_back("main");
    for (const auto& [name, ref] : next.refs) {
        if (name != "main") names.push_back(name);
    }
    for (const std::string& name : names) {
        const SnapshotRef& ref = next.refs.at(name);
        const SnapshotRef* old = nullptr;
        if (base) {
            auto it = base->refs.find(name);
            if (it != base->refs.end()) old = &it->second;
        }
        if (old && SameRef(*old, ref)) continue;
        if (base) {
            requirements.Add(Requirement("assert-ref-snapshot-id",
                                         "\"ref\":" + Quoted(name) + ",\"snapshot-id\":" +
                                             (old ? std::to_string(old->snapshot_id) : std::string("null"))));
        }
        std::string body = SnapshotRefToJson(ref);  // {"snapshot-id":..,"type":..[,retention]}
        updates.Add(Action("set-snapshot-ref", "\"ref-name\":" + Quoted(name) + "," + body.substr(1, body.size() - 2)));
    }
    if (base) {
        for (const auto& [name, ref] : base->refs) {
            if (!next.refs.count(name)) updates.Add(Action("remove-snapshot-ref", "\"ref-name\":" + Quoted(name)));
        }
    }

    static const std::vector<std::string> kNone;
    DiffStatistics(updates, base ? base->statistics_json : kNone, next.statistics_json, "set-statistics", "statistics",
                   "remove-statistics");
    DiffStatistics(updates, base ? base->partition_statistics_json : kNone, next.partition_statistics_json,
                   "set-partition-statistics", "partition-statistics", "remove-partition-statistics");
    return CommitDiff{requirements.Take(), updates.Take()};
}

}  // namespace floe::iceberg
