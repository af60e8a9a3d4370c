#include "lake/iceberg/metadata_tables.h"

#include <map>
#include <set>

#include "common/exception.h"
#include "common/json_text.h"
#include "lake/iceberg/manifest.h"
#include "lake/iceberg/single_value.h"

namespace floe::iceberg {

namespace {

Value Text(const std::string& s) {
    return Value::Varchar(s);
}

Value Long(int64_t v) {
    return Value::Integer(v, TypeId::BIGINT);
}

Value OptLong(const std::optional<int64_t>& v) {
    return v ? Long(*v) : Value::Null(TypeId::BIGINT);
}

Value OptInt(const std::optional<int32_t>& v) {
    return v ? Value::Integer(*v, TypeId::INT) : Value::Null(TypeId::INT);
}

Value Millis(int64_t ms) {
    return Value::Datetime(ms * 1000);
}

std::string JsonMap(const std::map<std::string, std::string>& m) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, v] : m) {
        if (!first) out += ",";
        first = false;
        AppendJsonString(out, k);
        out += ":";
        AppendJsonString(out, v);
    }
    return out + "}";
}

template <typename V>
std::string JsonIdMap(const std::map<int32_t, V>& m, const std::function<std::string(int32_t, const V&)>& render) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, v] : m) {
        if (!first) out += ",";
        first = false;
        out += "\"" + std::to_string(k) + "\":" + render(k, v);
    }
    return out + "}";
}

/// A Value as a JSON value (numbers bare, the rest as strings, NULL as null).
std::string JsonValue(const Value& v) {
    if (v.is_null()) return "null";
    const LogicalType& t = v.type();
    if (t.IsInteger() || t.IsFloating() || t.id == TypeId::DECIMAL) return v.ToString();
    if (t.id == TypeId::BOOLEAN) return v.GetBool() ? "true" : "false";
    return JsonString(v.ToString());
}

Value PartitionJson(const TableMetadata& metadata, const Schema& schema, int32_t spec_id,
                    const std::vector<PartitionValue>& values) {
    const PartitionSpec* spec = metadata.FindSpec(spec_id);
    std::string out = "{";
    for (size_t i = 0; i < values.size(); ++i) {
        if (i) out += ",";
        AppendJsonString(out, values[i].name);
        out += ":";
        std::string rendered = "null";
        if (spec && i < spec->fields.size()) {
            const PartitionField& pf = spec->fields[i];
            const NestedField* source = schema.FindField(pf.source_id);
            if (source && CanTransform(pf.transform, source->type)) {
                Type result = TransformResultType(pf.transform, source->type);
                const avro::Datum& d = values[i].value;
                if (!d.is_null()) {
                    using K = avro::Datum::Kind;
                    if (d.kind == K::BYTES || d.kind == K::FIXED) {
                        auto v = DecodeBound(result, d.bytes);
                        if (v) rendered = JsonValue(*v);
                    } else if (d.kind == K::STRING) {
                        rendered = JsonString(d.bytes);
                    } else if (d.kind == K::BOOLEAN) {
                        rendered = d.boolean ? "true" : "false";
                    } else if (d.kind == K::FLOAT || d.kind == K::DOUBLE) {
                        rendered = FormatDouble(d.real);
                    } else {
                        rendered = std::to_string(d.integer);
                    }
                }
            }
        }
        out += rendered;
    }
    return Value::Json(out + "}");
}

std::string BoundsJson(const Schema& schema, const std::map<int32_t, std::string>& bounds) {
    return JsonIdMap<std::string>(bounds, [&](int32_t id, const std::string& bytes) {
        const NestedField* f = schema.FindField(id);
        if (!f) return std::string("null");
        auto v = DecodeBound(f->type, bytes);
        return v ? JsonValue(*v) : std::string("null");
    });
}

std::string CountsJson(const std::map<int32_t, int64_t>& m) {
    return JsonIdMap<int64_t>(m, [](int32_t, const int64_t& v) { return std::to_string(v); });
}

void Columns(TableRows& out, std::initializer_list<std::pair<const char*, LogicalType>> columns) {
    for (const auto& [name, type] : columns) {
        out.names.push_back(name);
        out.types.push_back(type);
    }
}

/// Every live entry of the snapshot's manifests (data and delete files).
std::vector<std::pair<ManifestFile, ManifestEntry>> LiveEntries(const IcebergTable& table) {
    std::vector<std::pair<ManifestFile, ManifestEntry>> out;
    for (const auto& m : table.Manifests()) {
        std::string path = table.resolver().Resolve(m.path);
        for (auto& e : ReadManifest(ReadFileBytes(path), "manifest '" + path + "'", m)) {
            if (e.status == EntryStatus::DELETED) continue;
            out.emplace_back(m, std::move(e));
        }
    }
    return out;
}

}  // namespace

TableRows MetadataTable(const IcebergTable& table, const std::string& kind) {
    const TableMetadata& md = table.metadata();
    const LogicalType varchar = LogicalType::Varchar();
    TableRows out;
    if (kind == "snapshots") {
        Columns(out, {{"committed_at", TypeId::DATETIME},
                      {"snapshot_id", TypeId::BIGINT},
                      {"parent_id", TypeId::BIGINT},
                      {"operation", varchar},
                      {"manifest_list", varchar},
                      {"summary", TypeId::JSON}});
        for (const auto& s : md.snapshots) {
            out.rows.push_back({Millis(s.timestamp_ms), Long(s.snapshot_id), OptLong(s.parent_snapshot_id),
                                Text(s.operation()), Text(s.manifest_list), Value::Json(JsonMap(s.summary))});
        }
    } else if (kind == "history") {
        Columns(out, {{"made_current_at", TypeId::DATETIME},
                      {"snapshot_id", TypeId::BIGINT},
                      {"parent_id", TypeId::BIGINT},
                      {"is_current_ancestor", TypeId::BOOLEAN}});
        std::set<int64_t> ancestors;
        for (const Snapshot* s = md.current_snapshot(); s && !ancestors.count(s->snapshot_id);
             s = s->parent_snapshot_id ? md.FindSnapshot(*s->parent_snapshot_id) : nullptr) {
            ancestors.insert(s->snapshot_id);
        }
        for (const auto& h : md.snapshot_log) {
            const Snapshot* s = md.FindSnapshot(h.snapshot_id);
            out.rows.push_back({Millis(h.timestamp_ms), Long(h.snapshot_id),
                                s ? OptLong(s->parent_snapshot_id) : Value::Null(TypeId::BIGINT),
                                Value::Boolean(ancestors.count(h.snapshot_id) > 0)});
        }
    } else if (kind == "refs") {
        Columns(out, {{"name", varchar},
                      {"type", varchar},
                      {"snapshot_id", TypeId::BIGINT},
                      {"max_reference_age_in_ms", TypeId::BIGINT},
                      {"min_snapshots_to_keep", TypeId::INT},
                      {"max_snapshot_age_in_ms", TypeId::BIGINT}});
        for (const auto& [name, r] : md.refs) {
            out.rows.push_back({Text(name), Text(r.kind == SnapshotRef::Kind::TAG ? "TAG" : "BRANCH"),
                                Long(r.snapshot_id), OptLong(r.max_ref_age_ms), OptInt(r.min_snapshots_to_keep),
                                OptLong(r.max_snapshot_age_ms)});
        }
    } else if (kind == "manifests") {
        Columns(out, {{"content", TypeId::INT},
                      {"path", varchar},
                      {"length", TypeId::BIGINT},
                      {"partition_spec_id", TypeId::INT},
                      {"added_snapshot_id", TypeId::BIGINT},
                      {"sequence_number", TypeId::BIGINT},
                      {"added_data_files_count", TypeId::INT},
                      {"existing_data_files_count", TypeId::INT},
                      {"deleted_data_files_count", TypeId::INT},
                      {"added_rows_count", TypeId::BIGINT},
                      {"existing_rows_count", TypeId::BIGINT},
                      {"deleted_rows_count", TypeId::BIGINT}});
        for (const auto& m : table.Manifests()) {
            out.rows.push_back(
                {Value::Integer(static_cast<int32_t>(m.content), TypeId::INT), Text(m.path), Long(m.length),
                 Value::Integer(m.partition_spec_id, TypeId::INT), Long(m.added_snapshot_id), Long(m.sequence_number),
                 OptInt(m.added_files_count), OptInt(m.existing_files_count), OptInt(m.deleted_files_count),
                 OptLong(m.added_rows_count), OptLong(m.existing_rows_count), OptLong(m.deleted_rows_count)});
        }
    } else if (kind == "files") {
        Columns(out, {{"content", TypeId::INT},
                      {"file_path", varchar},
                      {"file_format", varchar},
                      {"spec_id", TypeId::INT},
                      {"partition", TypeId::JSON},
                      {"record_count", TypeId::BIGINT},
                      {"file_size_in_bytes", TypeId::BIGINT},
                      {"column_sizes", TypeId::JSON},
                      {"value_counts", TypeId::JSON},
                      {"null_value_counts", TypeId::JSON},
                      {"nan_value_counts", TypeId::JSON},
                      {"lower_bounds", TypeId::JSON},
                      {"upper_bounds", TypeId::JSON},
                      {"equality_ids", varchar},
                      {"sort_order_id", TypeId::INT}});
        for (const auto& [m, e] : LiveEntries(table)) {
            const DataFile& f = e.file;
            std::string eq;
            for (size_t i = 0; i < f.equality_ids.size(); ++i) eq += (i ? "," : "") + std::to_string(f.equality_ids[i]);
            out.rows.push_back(
                {Value::Integer(static_cast<int32_t>(f.content), TypeId::INT), Text(f.file_path), Text(f.file_format),
                 Value::Integer(m.partition_spec_id, TypeId::INT),
                 PartitionJson(md, table.schema(), m.partition_spec_id, f.partition), Long(f.record_count),
                 Long(f.file_size_in_bytes), Value::Json(CountsJson(f.column_sizes)),
                 Value::Json(CountsJson(f.value_counts)), Value::Json(CountsJson(f.null_value_counts)),
                 Value::Json(CountsJson(f.nan_value_counts)), Value::Json(BoundsJson(table.schema(), f.lower_bounds)),
                 Value::Json(BoundsJson(table.schema(), f.upper_bounds)),
                 f.equality_ids.empty() ? Value::Null(varchar) : Text(eq), OptInt(f.sort_order_id)});
        }
    } else if (kind == "partitions") {
        Columns(out, {{"partition", TypeId::JSON},
                      {"spec_id", TypeId::INT},
                      {"record_count", TypeId::BIGINT},
                      {"file_count", TypeId::BIGINT},
                      {"total_size", TypeId::BIGINT}});
        struct Totals {
            Value partition;
            int32_t spec = 0;
            int64_t records = 0, files = 0, size = 0;
        };
        std::map<std::string, Totals> by;
        for (const auto& [m, e] : LiveEntries(table)) {
            if (e.file.content != DataFileContent::DATA) continue;
            Value p = PartitionJson(md, table.schema(), m.partition_spec_id, e.file.partition);
            std::string key = std::to_string(m.partition_spec_id) + p.GetString();
            Totals& t = by[key];
            t.partition = p;
            t.spec = m.partition_spec_id;
            t.records += e.file.record_count;
            t.files += 1;
            t.size += e.file.file_size_in_bytes;
        }
        for (auto& [k, t] : by) {
            out.rows.push_back(
                {t.partition, Value::Integer(t.spec, TypeId::INT), Long(t.records), Long(t.files), Long(t.size)});
        }
    } else {
        throw CatalogError("Iceberg tables have no metadata table '" + kind +
                               "' (snapshots, history, refs, manifests, files, partitions)",
                           ErrorCode::UNKNOWN_TABLE);
    }
    return out;
}

}  // namespace floe::iceberg
