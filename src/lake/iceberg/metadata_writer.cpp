#include "lake/iceberg/metadata_writer.h"

#include <string_view>
#include <vector>

#include "common/exception.h"
#include "common/json_text.h"

namespace floe::iceberg {

namespace {

/// A compact JSON text built front to back; it places the commas, the caller the structure.
class JsonBuilder {
  public:
    JsonBuilder& BeginObject() {
        Separate();
        out_ += '{';
        first_.push_back(true);
        return *this;
    }
    JsonBuilder& EndObject() {
        out_ += '}';
        first_.pop_back();
        return *this;
    }
    JsonBuilder& BeginArray() {
        Separate();
        out_ += '[';
        first_.push_back(true);
        return *this;
    }
    JsonBuilder& EndArray() {
        out_ += ']';
        first_.pop_back();
        return *this;
    }
    JsonBuilder& Key(std::string_view key) {
        Separate();
        AppendJsonString(out_, key);
        out_ += ':';
        after_key_ = true;
        return *this;
    }
    JsonBuilder& String(std::string_view value) {
        Separate();
        AppendJsonString(out_, value);
        return *this;
    }
    JsonBuilder& Int(int64_t value) {
        Separate();
        out_ += std::to_string(value);
        return *this;
    }
    JsonBuilder& Bool(bool value) {
        Separate();
        out_ += value ? "true" : "false";
        return *this;
    }
    /// A value that is already JSON text (a default, a statistics entry, a nested object).
    JsonBuilder& Raw(std::string_view json) {
        Separate();
        out_ += json;
        return *this;
    }

    JsonBuilder& Field(std::string_view key, std::string_view value) { return Key(key).String(value); }
    JsonBuilder& Field(std::string_view key, const char* value) { return Key(key).String(value); }
    JsonBuilder& Field(std::string_view key, int64_t value) { return Key(key).Int(value); }
    JsonBuilder& Field(std::string_view key, int32_t value) { return Key(key).Int(value); }
    JsonBuilder& Field(std::string_view key, bool value) { return Key(key).Bool(value); }
    JsonBuilder& IntArray(std::string_view key, const std::vector<int32_t>& values) {
        Key(key).BeginArray();
        for (int32_t v : values) Int(v);
        return EndArray();
    }

    std::string Take() { return std::move(out_); }

  private:
    void Separate() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (first_.empty()) return;
        if (!first_.back()) out_ += ',';
        first_.back() = false;
    }

    std::string out_;
    std::vector<bool> first_;
    bool after_key_ = false;
};

void WriteType(JsonBuilder& json, const Type& type);

void WriteStructFields(JsonBuilder& json, const std::vector<NestedField>& fields) {
    json.Key("fields").BeginArray();
    for (const NestedField& f : fields) {
        json.BeginObject().Field("id", f.id).Field("name", f.name).Field("required", f.required);
        json.Key("type");
        WriteType(json, f.type);
        if (!f.doc.empty()) json.Field("doc", f.doc);
        if (f.initial_default_json) json.Key("initial-default").Raw(*f.initial_default_json);
        if (f.write_default_json) json.Key("write-default").Raw(*f.write_default_json);
        json.EndObject();
    }
    json.EndArray();
}

std::string PrimitiveName(const Type& type) {
    // Java spells decimals "decimal(P, S)"; older Java readers insist on the space.
    if (type.kind == TypeKind::DECIMAL) {
        return "decimal(" + std::to_string(type.precision) + ", " + std::to_string(type.scale) + ")";
    }
    return type.ToString();
}

void WriteType(JsonBuilder& json, const Type& type) {
    switch (type.kind) {
        case TypeKind::STRUCT:
            json.BeginObject().Field("type", "struct");
            WriteStructFields(json, type.fields);
            json.EndObject();
            return;
        case TypeKind::LIST: {
            const NestedField& element = type.element();
            json.BeginObject().Field("type", "list").Field("element-id", element.id).Key("element");
            WriteType(json, element.type);
            json.Field("element-required", element.required).EndObject();
            return;
        }
        case TypeKind::MAP: {
            const NestedField& key = type.key();
            const NestedField& value = type.value();
            json.BeginObject().Field("type", "map").Field("key-id", key.id).Key("key");
            WriteType(json, key.type);
            json.Field("value-id", value.id).Key("value");
            WriteType(json, value.type);
            json.Field("value-required", value.required).EndObject();
            return;
        }
        default:
            json.String(PrimitiveName(type));
            return;
    }
}

void WriteSchema(JsonBuilder& json, const Schema& schema) {
    json.BeginObject().Field("type", "struct").Field("schema-id", schema.schema_id);
    if (!schema.identifier_field_ids.empty()) json.IntArray("identifier-field-ids", schema.identifier_field_ids);
    WriteStructFields(json, schema.fields);
    json.EndObject();
}

/// `source-ids` for a v3 multi-argument transform, else the single `source-id`.
void WriteSourceIds(JsonBuilder& json, int32_t source_id, const std::vector<int32_t>& source_ids) {
    if (source_ids.size() > 1) {
        json.IntArray("source-ids", source_ids);
    } else {
        json.Field("source-id", source_ids.empty() ? source_id : source_ids.front());
    }
}

void WritePartitionFields(JsonBuilder& json, const PartitionSpec& spec) {
    json.BeginArray();
    for (const PartitionField& f : spec.fields) {
        json.BeginObject().Field("name", f.name).Field("transform", f.transform.ToString());
        WriteSourceIds(json, f.source_id, f.source_ids);
        json.Field("field-id", f.field_id).EndObject();
    }
    json.EndArray();
}

void WritePartitionSpec(JsonBuilder& json, const PartitionSpec& spec) {
    json.BeginObject().Field("spec-id", spec.spec_id).Key("fields");
    WritePartitionFields(json, spec);
    json.EndObject();
}

void WriteSortOrder(JsonBuilder& json, const SortOrder& order) {
    json.BeginObject().Field("order-id", order.order_id).Key("fields").BeginArray();
    for (const SortField& f : order.fields) {
        json.BeginObject().Field("transform", f.transform.ToString());
        WriteSourceIds(json, f.source_id, f.source_ids);
        json.Field("direction", f.ascending ? "asc" : "desc")
            .Field("null-order", f.nulls_first ? "nulls-first" : "nulls-last")
            .EndObject();
    }
    json.EndArray().EndObject();
}

void WriteStringMap(JsonBuilder& json, const std::map<std::string, std::string>& map) {
    json.BeginObject();
    for (const auto& [key, value] : map) json.Field(key, value);
    json.EndObject();
}

void WriteSnapshot(JsonBuilder& json, const Snapshot& s, int format_version) {
    json.BeginObject();
    if (format_version >= 2 || s.sequence_number != 0) json.Field("sequence-number", s.sequence_number);
    json.Field("snapshot-id", s.snapshot_id);
    if (s.parent_snapshot_id) json.Field("parent-snapshot-id", *s.parent_snapshot_id);
    json.Field("timestamp-ms", s.timestamp_ms);
    // Java requires `operation` in a summary it reads, so an empty (v1) summary is left out.
    if (!s.summary.empty()) {
        json.Key("summary").BeginObject();
        if (auto it = s.summary.find("operation"); it != s.summary.end()) json.Field("operation", it->second);
        for (const auto& [key, value] : s.summary) {
            if (key != "operation") json.Field(key, value);
        }
        json.EndObject();
    }
    if (s.first_row_id) json.Field("first-row-id", *s.first_row_id);
    if (s.added_rows) json.Field("added-rows", *s.added_rows);
    if (!s.manifest_list.empty() || format_version >= 2) {
        json.Field("manifest-list", s.manifest_list);
    } else {
        json.Key("manifests").BeginArray();
        for (const std::string& m : s.manifests) json.String(m);
        json.EndArray();
    }
    if (s.schema_id) json.Field("schema-id", *s.schema_id);
    if (s.key_id) json.Field("key-id", *s.key_id);
    json.EndObject();
}

void WriteRef(JsonBuilder& json, const SnapshotRef& ref) {
    json.BeginObject()
        .Field("snapshot-id", ref.snapshot_id)
        .Field("type", ref.kind == SnapshotRef::Kind::TAG ? "tag" : "branch");
    if (ref.min_snapshots_to_keep) json.Field("min-snapshots-to-keep", *ref.min_snapshots_to_keep);
    if (ref.max_snapshot_age_ms) json.Field("max-snapshot-age-ms", *ref.max_snapshot_age_ms);
    if (ref.max_ref_age_ms) json.Field("max-ref-age-ms", *ref.max_ref_age_ms);
    json.EndObject();
}

void WriteRawArray(JsonBuilder& json, std::string_view key, const std::vector<std::string>& entries) {
    json.Key(key).BeginArray();
    for (const std::string& e : entries) json.Raw(e);
    json.EndArray();
}

}  // namespace

std::string SerializeTableMetadata(const TableMetadata& m) {
    if (m.format_version < 1 || m.format_version > kMaxFormatVersion) {
        throw InternalError("cannot write Iceberg metadata of format version " + std::to_string(m.format_version));
    }
    if (m.encrypted) {
        throw NotSupportedError("Iceberg table '" + m.location +
                                "' has encryption keys, which Floe does not keep: its metadata cannot be written");
    }
    const bool v1 = m.format_version == 1;
    JsonBuilder json;
    json.BeginObject().Field("format-version", static_cast<int64_t>(m.format_version));
    if (!m.table_uuid.empty()) json.Field("table-uuid", m.table_uuid);
    json.Field("location", m.location);
    if (!v1 || m.last_sequence_number != 0) json.Field("last-sequence-number", m.last_sequence_number);
    json.Field("last-updated-ms", m.last_updated_ms).Field("last-column-id", m.last_column_id);
    if (m.next_row_id) json.Field("next-row-id", *m.next_row_id);

    if (v1) {
        json.Key("schema");
        WriteSchema(json, m.current_schema());
    }
    json.Field("current-schema-id", m.current_schema_id).Key("schemas").BeginArray();
    for (const Schema& s : m.schemas) WriteSchema(json, s);
    json.EndArray();

    if (v1) {
        json.Key("partition-spec");
        WritePartitionFields(json, m.default_spec());
    }
    json.Field("default-spec-id", m.default_spec_id).Key("partition-specs").BeginArray();
    for (const PartitionSpec& s : m.partition_specs) WritePartitionSpec(json, s);
    json.EndArray();
    json.Field("last-partition-id", m.last_partition_id);

    json.Field("default-sort-order-id", m.default_sort_order_id).Key("sort-orders").BeginArray();
    for (const SortOrder& o : m.sort_orders) WriteSortOrder(json, o);
    json.EndArray();

    json.Key("properties");
    WriteStringMap(json, m.properties);

    json.Field("current-snapshot-id", m.current_snapshot_id.value_or(-1));
    json.Key("refs").BeginObject();
    for (const auto& [name, ref] : m.refs) {
        json.Key(name);
        WriteRef(json, ref);
    }
    json.EndObject();

    json.Key("snapshots").BeginArray();
    for (const Snapshot& s : m.snapshots) WriteSnapshot(json, s, m.format_version);
    json.EndArray();

    WriteRawArray(json, "statistics", m.statistics_json);
    WriteRawArray(json, "partition-statistics", m.partition_statistics_json);

    json.Key("snapshot-log").BeginArray();
    for (const SnapshotLogEntry& e : m.snapshot_log) {
        json.BeginObject().Field("timestamp-ms", e.timestamp_ms).Field("snapshot-id", e.snapshot_id).EndObject();
    }
    json.EndArray();
    json.Key("metadata-log").BeginArray();
    for (const MetadataLogEntry& e : m.metadata_log) {
        json.BeginObject().Field("timestamp-ms", e.timestamp_ms).Field("metadata-file", e.metadata_file).EndObject();
    }
    json.EndArray();
    json.EndObject();
    return json.Take();
}

std::string SchemaToJson(const Schema& schema) {
    JsonBuilder json;
    WriteSchema(json, schema);
    return json.Take();
}

std::string TypeToJson(const Type& type) {
    JsonBuilder json;
    WriteType(json, type);
    return json.Take();
}

std::string PartitionSpecToJson(const PartitionSpec& spec) {
    JsonBuilder json;
    WritePartitionSpec(json, spec);
    return json.Take();
}

std::string PartitionFieldsToJson(const PartitionSpec& spec) {
    JsonBuilder json;
    WritePartitionFields(json, spec);
    return json.Take();
}

std::string SortOrderToJson(const SortOrder& order) {
    JsonBuilder json;
    WriteSortOrder(json, order);
    return json.Take();
}

std::string SnapshotToJson(const Snapshot& snapshot, int format_version) {
    JsonBuilder json;
    WriteSnapshot(json, snapshot, format_version);
    return json.Take();
}

std::string SnapshotRefToJson(const SnapshotRef& ref) {
    JsonBuilder json;
    WriteRef(json, ref);
    return json.Take();
}

}  // namespace floe::iceberg
