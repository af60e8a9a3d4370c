#include "lake/iceberg/table_metadata.h"

#include <simdjson.h>
#include <zlib.h>

#include <algorithm>

#include "common/exception.h"
#include "lake/iceberg/json_object_reader.h"

namespace floe::iceberg {

namespace {

/// Metadata files are kilobytes to a few megabytes; anything inflating past this is refused.
constexpr size_t kMaxInflatedBytes = size_t{1} << 30;

std::string Indexed(const std::string& key, size_t i) {
    return key + "[" + std::to_string(i) + "]";
}

std::vector<PartitionField> ParseFields(simdjson::dom::array fields, const std::string& what,
                                        const std::string& context) {
    std::vector<PartitionField> out;
    size_t i = 0;
    for (simdjson::dom::element e : fields) {
        JsonObjectReader obj(e, what, Indexed(context, i));
        PartitionField f;
        if (auto ids = obj.OptionalArray("source-ids")) {
            for (simdjson::dom::element id : *ids) {
                f.source_ids.push_back(static_cast<int32_t>(obj.AsInt(id, "source-ids")));
            }
            if (f.source_ids.empty()) throw obj.Error("'" + obj.Path("source-ids") + "' is empty");
            f.source_id = f.source_ids[0];
        } else {
            f.source_id = obj.Int32("source-id");
            f.source_ids = {f.source_id};
        }
        // Very old v1 specs have no field ids: Java numbered them from 1000 in order.
        f.field_id = obj.OptionalInt32("field-id").value_or(static_cast<int32_t>(1000 + i));
        f.name = obj.String("name");
        f.transform = ParseTransform(obj.String("transform"));
        out.push_back(std::move(f));
        ++i;
    }
    return out;
}

PartitionSpec ParseSpec(simdjson::dom::element json, const std::string& what, const std::string& context) {
    JsonObjectReader obj(json, what, context);
    PartitionSpec spec;
    spec.spec_id = obj.Int32("spec-id");
    spec.fields = ParseFields(obj.Array("fields"), what, obj.Path("fields"));
    return spec;
}

SortOrder ParseSortOrder(simdjson::dom::element json, const std::string& what, const std::string& context) {
    JsonObjectReader obj(json, what, context);
    SortOrder order;
    order.order_id = obj.Int32("order-id");
    size_t i = 0;
    for (simdjson::dom::element e : obj.Array("fields")) {
        JsonObjectReader f(e, what, Indexed(obj.Path("fields"), i++));
        SortField field;
        field.transform = ParseTransform(f.String("transform"));
        if (auto ids = f.OptionalArray("source-ids")) {
            for (simdjson::dom::element id : *ids) {
                field.source_ids.push_back(static_cast<int32_t>(f.AsInt(id, "source-ids")));
            }
            if (field.source_ids.empty()) throw f.Error("'" + f.Path("source-ids") + "' is empty");
            field.source_id = field.source_ids[0];
        } else {
            field.source_id = f.Int32("source-id");
            field.source_ids = {field.source_id};
        }
        std::string direction = f.String("direction");
        if (direction != "asc" && direction != "desc") {
            throw f.Error("'" + f.Path("direction") + "' must be 'asc' or 'desc', not '" + direction + "'");
        }
        field.ascending = direction == "asc";
        std::string nulls = f.String("null-order");
        if (nulls != "nulls-first" && nulls != "nulls-last") {
            throw f.Error("'" + f.Path("null-order") + "' must be 'nulls-first' or 'nulls-last', not '" + nulls + "'");
        }
        field.nulls_first = nulls == "nulls-first";
        order.fields.push_back(std::move(field));
    }
    return order;
}

std::map<std::string, std::string> ParseStringMap(const JsonObjectReader& parent, std::string_view key) {
    std::map<std::string, std::string> out;
    auto e = parent.FindNonNull(key);
    if (!e) return out;
    JsonObjectReader obj(*e, parent.what(), parent.Path(key));
    for (auto [k, v] : obj.Object()) {
        std::string_view s;
        if (v.get_string().get(s) == simdjson::SUCCESS) {
            out.emplace(std::string(k), std::string(s));
        } else if (!v.is_null()) {
            out.emplace(std::string(k), simdjson::minify(v));  // a number or boolean some writers emit
        }
    }
    return out;
}

Snapshot ParseSnapshot(simdjson::dom::element json, const std::string& what, const std::string& context,
                       int format_version) {
    JsonObjectReader obj(json, what, context);
    Snapshot s;
    s.snapshot_id = obj.Int("snapshot-id");
    s.parent_snapshot_id = obj.OptionalInt("parent-snapshot-id");
    s.timestamp_ms = obj.Int("timestamp-ms");
    if (format_version >= 2) {
        s.sequence_number = obj.Int("sequence-number");
    } else {
        s.sequence_number = obj.OptionalInt("sequence-number").value_or(0);
    }
    if (auto list = obj.OptionalString("manifest-list")) {
        s.manifest_list = *list;
    } else if (auto manifests = obj.OptionalArray("manifests"); manifests && format_version == 1) {
        for (simdjson::dom::element m : *manifests) s.manifests.push_back(obj.AsString(m, "manifests"));
    } else {
        throw obj.Error("required field '" + obj.Path("manifest-list") + "' is missing");
    }
    s.summary = ParseStringMap(obj, "summary");
    if (format_version >= 2 && !s.summary.count("operation")) {
        throw obj.Error("required field '" + obj.Path("summary.operation") + "' is missing");
    }
    s.schema_id = obj.OptionalInt32("schema-id");
    s.first_row_id = obj.OptionalInt("first-row-id");
    s.added_rows = obj.OptionalInt("added-rows");
    s.key_id = obj.OptionalString("key-id");
    return s;
}

SnapshotRef ParseRef(simdjson::dom::element json, const std::string& what, const std::string& context) {
    JsonObjectReader obj(json, what, context);
    SnapshotRef ref;
    ref.snapshot_id = obj.Int("snapshot-id");
    std::string type = obj.String("type");
    if (type == "branch") {
        ref.kind = SnapshotRef::Kind::BRANCH;
    } else if (type == "tag") {
        ref.kind = SnapshotRef::Kind::TAG;
    } else {
        throw obj.Error("'" + obj.Path("type") + "' must be 'branch' or 'tag', not '" + type + "'");
    }
    ref.min_snapshots_to_keep = obj.OptionalInt32("min-snapshots-to-keep");
    ref.max_snapshot_age_ms = obj.OptionalInt("max-snapshot-age-ms");
    ref.max_ref_age_ms = obj.OptionalInt("max-ref-age-ms");
    return ref;
}

std::vector<std::string> RawEntries(const JsonObjectReader& root, std::initializer_list<std::string_view> keys) {
    std::vector<std::string> out;
    for (std::string_view key : keys) {
        if (auto list = root.OptionalArray(key)) {
            for (simdjson::dom::element e : *list) out.push_back(simdjson::minify(e));
            break;
        }
    }
    return out;
}

void ParseSchemas(const JsonObjectReader& root, TableMetadata& m) {
    auto schemas = root.OptionalArray("schemas");
    auto current = root.OptionalInt32("current-schema-id");
    if (m.format_version >= 2) {
        if (!schemas) throw root.Error("required field 'schemas' is missing (format version 2 and later)");
        if (!current) throw root.Error("required field 'current-schema-id' is missing (format version 2 and later)");
    }
    if (schemas && current) {
        size_t i = 0;
        for (simdjson::dom::element e : *schemas) {
            m.schemas.push_back(ParseSchemaJson(e, root.what(), static_cast<int32_t>(i)));
            ++i;
        }
        m.current_schema_id = *current;
    } else if (auto legacy = root.FindNonNull("schema")) {
        // v1: the single schema (iceberg-rust also reads it when `schemas` lacks a current id).
        m.schemas.push_back(ParseSchemaJson(*legacy, root.what(), 0));
        m.current_schema_id = m.schemas.back().schema_id;
    } else if (schemas) {
        throw root.Error("required field 'current-schema-id' is missing ('schemas' is present without it)");
    } else {
        throw root.Error("required field 'schemas' (or v1 'schema') is missing");
    }
    for (size_t i = 0; i < m.schemas.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
            if (m.schemas[i].schema_id == m.schemas[j].schema_id) {
                throw root.Error("schema id " + std::to_string(m.schemas[i].schema_id) + " appears twice in 'schemas'");
            }
        }
    }
    if (!m.FindSchema(m.current_schema_id)) {
        throw root.Error("current-schema-id " + std::to_string(m.current_schema_id) +
                         " is not the id of any schema in 'schemas'");
    }
}

void ParseSpecs(const JsonObjectReader& root, TableMetadata& m) {
    auto specs = root.OptionalArray("partition-specs");
    auto default_id = root.OptionalInt32("default-spec-id");
    if (m.format_version >= 2) {
        if (!specs) throw root.Error("required field 'partition-specs' is missing (format version 2 and later)");
        if (!default_id) throw root.Error("required field 'default-spec-id' is missing (format version 2 and later)");
    }
    if (specs) {
        size_t i = 0;
        for (simdjson::dom::element e : *specs)
            m.partition_specs.push_back(ParseSpec(e, root.what(), Indexed("partition-specs", i++)));
        if (default_id) {
            m.default_spec_id = *default_id;
        } else {
            // A v1 file with specs but no default id: the newest (highest) spec, as iceberg-rust does.
            for (const PartitionSpec& s : m.partition_specs) m.default_spec_id = std::max(m.default_spec_id, s.spec_id);
        }
    } else if (auto legacy = root.OptionalArray("partition-spec")) {
        PartitionSpec spec;
        spec.spec_id = 0;
        spec.fields = ParseFields(*legacy, root.what(), "partition-spec");
        m.partition_specs.push_back(std::move(spec));
        m.default_spec_id = 0;
    } else {
        throw root.Error("required field 'partition-specs' (or v1 'partition-spec') is missing");
    }
    if (!m.FindSpec(m.default_spec_id)) {
        throw root.Error("default-spec-id " + std::to_string(m.default_spec_id) +
                         " is not the id of any spec in 'partition-specs'");
    }
    if (auto last = root.OptionalInt32("last-partition-id")) {
        m.last_partition_id = *last;
    } else if (m.format_version >= 2) {
        throw root.Error("required field 'last-partition-id' is missing (format version 2 and later)");
    } else {
        m.last_partition_id = 999;  // the id before the first partition field id
        for (const PartitionSpec& s : m.partition_specs) {
            for (const PartitionField& f : s.fields) m.last_partition_id = std::max(m.last_partition_id, f.field_id);
        }
    }
}

void ParseSortOrders(const JsonObjectReader& root, TableMetadata& m) {
    auto orders = root.OptionalArray("sort-orders");
    auto default_id = root.OptionalInt32("default-sort-order-id");
    if (m.format_version >= 2) {
        if (!orders) throw root.Error("required field 'sort-orders' is missing (format version 2 and later)");
        if (!default_id) {
            throw root.Error("required field 'default-sort-order-id' is missing (format version 2 and later)");
        }
    }
    if (orders) {
        size_t i = 0;
        for (simdjson::dom::element e : *orders) {
            m.sort_orders.push_back(ParseSortOrder(e, root.what(), Indexed("sort-orders", i++)));
        }
    }
    if (m.sort_orders.empty()) m.sort_orders.push_back(SortOrder{});  // unsorted, order 0
    m.default_sort_order_id = default_id.value_or(m.sort_orders.front().order_id);
    bool found = std::any_of(m.sort_orders.begin(), m.sort_orders.end(),
                             [&](const SortOrder& o) { return o.order_id == m.default_sort_order_id; });
    if (!found) {
        throw root.Error("default-sort-order-id " + std::to_string(m.default_sort_order_id) +
                         " is not the id of any order in 'sort-orders'");
    }
}

TableMetadata ParseDocument(simdjson::dom::element doc, const std::string& what) {
    JsonObjectReader root(doc, what, "");
    TableMetadata m;
    int64_t version = root.Int("format-version");
    if (version < 1 || version > kMaxFormatVersion) {
        throw root.Error("unsupported Iceberg format version " + std::to_string(version) + " (Floe reads 1 to " +
                         std::to_string(kMaxFormatVersion) + ")");
    }
    m.format_version = static_cast<int>(version);
    if (m.format_version >= 2) {
        m.table_uuid = root.String("table-uuid");
        m.last_sequence_number = root.Int("last-sequence-number");
    } else {
        m.table_uuid = root.OptionalString("table-uuid").value_or("");
        m.last_sequence_number = root.OptionalInt("last-sequence-number").value_or(0);
    }
    m.location = root.String("location");
    m.last_updated_ms = root.Int("last-updated-ms");
    m.last_column_id = root.Int32("last-column-id");
    ParseSchemas(root, m);
    ParseSpecs(root, m);
    ParseSortOrders(root, m);
    m.properties = ParseStringMap(root, "properties");

    if (auto current = root.OptionalInt("current-snapshot-id"); current && *current != -1) {
        m.current_snapshot_id = *current;
    }
    if (auto snapshots = root.OptionalArray("snapshots")) {
        size_t i = 0;
        for (simdjson::dom::element e : *snapshots) {
            m.snapshots.push_back(ParseSnapshot(e, what, Indexed("snapshots", i++), m.format_version));
        }
    }
    if (m.current_snapshot_id && !m.FindSnapshot(*m.current_snapshot_id)) {
        throw root.Error("current-snapshot-id " + std::to_string(*m.current_snapshot_id) +
                         " is not the id of any snapshot in 'snapshots'");
    }
    if (auto log = root.OptionalArray("snapshot-log")) {
        size_t i = 0;
        for (simdjson::dom::element e : *log) {
            JsonObjectReader entry(e, what, Indexed("snapshot-log", i++));
            m.snapshot_log.push_back({entry.Int("timestamp-ms"), entry.Int("snapshot-id")});
        }
    }
    if (auto log = root.OptionalArray("metadata-log")) {
        size_t i = 0;
        for (simdjson::dom::element e : *log) {
            JsonObjectReader entry(e, what, Indexed("metadata-log", i++));
            m.metadata_log.push_back({entry.Int("timestamp-ms"), entry.String("metadata-file")});
        }
    }
    if (auto refs = root.FindNonNull("refs")) {
        JsonObjectReader obj(*refs, what, "refs");
        for (auto [name, value] : obj.Object()) {
            m.refs.emplace(std::string(name), ParseRef(value, what, "refs." + std::string(name)));
        }
    }
    if (!m.refs.count("main") && m.current_snapshot_id) {
        SnapshotRef main;
        main.snapshot_id = *m.current_snapshot_id;
        m.refs.emplace("main", main);
    }
    m.statistics_json = RawEntries(root, {"statistics", "statistics-files"});
    m.partition_statistics_json = RawEntries(root, {"partition-statistics", "partition-statistics-files"});
    // Required in v3, but hand-made v3 tables (timestamptz_ns fixture) omit it and other readers
    // accept them: only writers need it.
    m.next_row_id = root.OptionalInt("next-row-id");
    if (auto keys = root.OptionalArray("encryption-keys"); keys && keys->size() > 0) m.encrypted = true;
    if (auto it = m.properties.find("schema.name-mapping.default"); it != m.properties.end()) {
        m.name_mapping = ParseNameMapping(it->second, what);
    }
    return m;
}

}  // namespace

std::string Snapshot::operation() const {
    auto it = summary.find("operation");
    return it == summary.end() ? std::string() : it->second;
}

const Schema* TableMetadata::FindSchema(int32_t schema_id) const {
    for (const Schema& s : schemas) {
        if (s.schema_id == schema_id) return &s;
    }
    return nullptr;
}

const Schema& TableMetadata::current_schema() const {
    const Schema* s = FindSchema(current_schema_id);
    if (!s) throw InternalError("Iceberg metadata without its current schema");
    return *s;
}

const PartitionSpec* TableMetadata::FindSpec(int32_t spec_id) const {
    for (const PartitionSpec& s : partition_specs) {
        if (s.spec_id == spec_id) return &s;
    }
    return nullptr;
}

const PartitionSpec& TableMetadata::default_spec() const {
    const PartitionSpec* s = FindSpec(default_spec_id);
    if (!s) throw InternalError("Iceberg metadata without its default partition spec");
    return *s;
}

const Snapshot* TableMetadata::FindSnapshot(int64_t snapshot_id) const {
    for (const Snapshot& s : snapshots) {
        if (s.snapshot_id == snapshot_id) return &s;
    }
    return nullptr;
}

const Snapshot* TableMetadata::current_snapshot() const {
    return current_snapshot_id ? FindSnapshot(*current_snapshot_id) : nullptr;
}

const Schema& TableMetadata::SchemaFor(const Snapshot& snapshot) const {
    if (snapshot.schema_id) {
        if (const Schema* s = FindSchema(*snapshot.schema_id)) return *s;
    }
    return current_schema();
}

const Snapshot* TableMetadata::SnapshotAsOf(int64_t timestamp_ms) const {
    const SnapshotLogEntry* best = nullptr;
    for (const SnapshotLogEntry& e : snapshot_log) {
        if (e.timestamp_ms <= timestamp_ms) best = &e;
    }
    return best ? FindSnapshot(best->snapshot_id) : nullptr;
}

std::string InflateMetadata(std::string_view compressed, const std::string& what) {
    z_stream z{};
    if (inflateInit2(&z, 15 + 32) != Z_OK) throw IOError("'" + what + "': cannot start gzip decompression");
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
    z.avail_in = static_cast<uInt>(compressed.size());
    std::string out;
    char buffer[1 << 16];
    while (true) {
        z.next_out = reinterpret_cast<Bytef*>(buffer);
        z.avail_out = sizeof(buffer);
        int rc = inflate(&z, Z_NO_FLUSH);
        out.append(buffer, sizeof(buffer) - z.avail_out);
        if (out.size() > kMaxInflatedBytes) {
            inflateEnd(&z);
            throw IOError("'" + what + "': the gzip metadata inflates to more than 1 GiB");
        }
        if (rc == Z_STREAM_END) break;
        if (rc != Z_OK || (z.avail_in == 0 && z.avail_out != 0)) {
            std::string reason = z.msg ? z.msg : "truncated";
            inflateEnd(&z);
            throw IOError("'" + what + "': the gzip metadata is corrupt (" + reason + ")");
        }
    }
    inflateEnd(&z);
    return out;
}

TableMetadata ParseTableMetadata(std::string_view bytes, const std::string& what) {
    std::string inflated;
    if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
        static_cast<unsigned char>(bytes[1]) == 0x8b) {
        inflated = InflateMetadata(bytes, what);
        bytes = inflated;
    }
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (auto err = parser.parse(bytes.data(), bytes.size()).get(doc); err) {
        throw IOError("'" + what + "': the table metadata is not valid JSON (" + simdjson::error_message(err) + ")");
    }
    return ParseDocument(doc, what);
}

std::vector<PartitionField> ParsePartitionFieldsJson(std::string_view json_text, const std::string& what) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (auto err = parser.parse(json_text.data(), json_text.size()).get(doc); err) {
        throw IOError("'" + what + "': the partition spec is not valid JSON (" + simdjson::error_message(err) + ")");
    }
    simdjson::dom::array fields;
    if (doc.get_array().get(fields) == simdjson::SUCCESS) return ParseFields(fields, what, "partition-spec");
    // Some writers put the whole {"spec-id":..,"fields":[..]} object there (apache/iceberg#13895).
    return ParseSpec(doc, what, "partition-spec").fields;
}

PartitionSpec ParsePartitionSpecJson(simdjson::dom::element json, const std::string& what, const std::string& context) {
    return ParseSpec(json, what, context);
}

SortOrder ParseSortOrderJson(simdjson::dom::element json, const std::string& what, const std::string& context) {
    return ParseSortOrder(json, what, context);
}

Snapshot ParseSnapshotJson(simdjson::dom::element json, const std::string& what, const std::string& context,
                           int format_version) {
    return ParseSnapshot(json, what, context, format_version);
}

}  // namespace floe::iceberg
