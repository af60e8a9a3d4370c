// ALTER TABLE of Iceberg tables. Every action is a metadata-only change committed as one new
// metadata version through CommitMetadataChange (re-applied to the reloaded table after a lost
// race); no data file is ever rewritten. The rules are the spec's "Schema Evolution", "Partition
// Evolution" and "Snapshot References":
//  - columns are found by name but tracked by field id: ADD COLUMN assigns last-column-id + 1 and
//    up, RENAME keeps the id, DROP removes the id for good (a re-added column gets a new id, so old
//    files never supply it). Each change is a new schema with a new schema-id (or the id of an
//    identical older schema), made current;
//  - types change only by the promotions the spec allows (int -> long, float -> double,
//    decimal(P,S) -> decimal(P',S) with P' > P, and from v3 date -> timestamp when no partition
//    field reads the column);
//  - a partition change is a new spec (or an identical older one) made default; new partition
//    field ids go from last-partition-id + 1, except that a v2+ field that an older spec had is
//    given its old id back (Iceberg Java's rule, so files of both specs agree). v1 never removes
//    a partition field: it becomes a void transform;
//  - branches and tags are refs; rollback_to_snapshot moves main to an ancestor and records it in
//    the snapshot log.
// Privileges: USAGE and ALTER on the catalog, as for every Iceberg write.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "binder/client_context.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "common/json_text.h"
#include "function/cast.h"
#include "lake/external_catalogs.h"
#include "lake/iceberg/data_file_writer.h"
#include "lake/iceberg/name_mapping.h"
#include "lake/iceberg/single_value.h"
#include "lake/iceberg/table_transaction.h"
#include "server/instance.h"
#include "server/lake_maintenance.h"
#include "server/session.h"
#include "server/statement_executor.h"

namespace floe {

namespace {

using iceberg::NestedField;
using iceberg::PartitionField;
using iceberg::PartitionSpec;
using iceberg::Schema;
using iceberg::TableMetadata;
using iceberg::Transform;
using iceberg::TransformKind;
using iceberg::TypeKind;

/// Table properties Iceberg keeps for itself (Java's TableProperties.RESERVED_PROPERTIES but
/// format-version, which SET upgrades).
constexpr const char* kReservedProperties[] = {
    "uuid",           "snapshot-count",         "current-snapshot-id", "current-snapshot-summary",
    "current-schema", "default-partition-spec", "default-sort-order",  "current-snapshot-timestamp-ms"};

/// What one ALTER TABLE does to a table's metadata; `table` names it in messages.
class MetadataChange {
  public:
    MetadataChange(const ast::AlterTableStatement& s, std::string table) : s_(s), table_(std::move(table)) {}

    /// The new metadata from `base`; sets unchanged() when the statement changes nothing (IF
    /// EXISTS / IF NOT EXISTS, a property set to its value). Throws for a change that is not valid.
    TableMetadata Apply(const TableMetadata& base);
    bool unchanged() const { return unchanged_; }

  private:
    void AddColumns(TableMetadata& m);
    void DropColumn(TableMetadata& m);
    void RenameColumn(TableMetadata& m);
    void ModifyColumn(TableMetadata& m);
    void AddPartitionFields(TableMetadata& m);
    void DropPartitionFields(TableMetadata& m);
    void SetProperties(TableMetadata& m);
    void CreateRef(TableMetadata& m);
    void DropRef(TableMetadata& m);
    void Execute(TableMetadata& m);

    /// Makes `schema` current: the id of an identical schema when there is one, else a new id.
    void CommitSchema(TableMetadata& m, Schema schema);
    /// Makes `spec` the default: the id of an identical spec when there is one, else a new id.
    void CommitSpec(TableMetadata& m, PartitionSpec spec);
    /// Points main at `snapshot_id` and records it in the snapshot log.
    void SetMain(TableMetadata& m, int64_t snapshot_id);
    /// The index of the top-level column `name` in `schema` (case-insensitive), or throws 1054.
    size_t FindColumn(const Schema& schema, const std::string& name, const char* context) const;
    /// Where FIRST / AFTER x puts a column in `fields` (without it); `fields.size()` for neither.
    size_t Position(const std::vector<NestedField>& fields, const ast::AlterColumn& a) const;
    /// The JSON single value of a DEFAULT for a column of `type` (v3 only).
    std::string DefaultJson(const iceberg::Type& type, const Value& literal, const std::string& column) const;

    const ast::AlterTableStatement& s_;
    std::string table_;
    bool unchanged_ = false;
};

bool IsTimeTransform(TransformKind k) {
    return k == TransformKind::YEAR || k == TransformKind::MONTH || k == TransformKind::DAY || k == TransformKind::HOUR;
}

/// Java's names for partition fields added by evolution (BaseUpdatePartitionSpec's name generator).
std::string EvolvedFieldName(const std::string& column, const Transform& t) {
    switch (t.kind) {
        case TransformKind::IDENTITY:
            return column;
        case TransformKind::BUCKET:
            return column + "_bucket_" + std::to_string(t.param);
        case TransformKind::TRUNCATE:
            return column + "_trunc_" + std::to_string(t.param);
        case TransformKind::YEAR:
            return column + "_year";
        case TransformKind::MONTH:
            return column + "_month";
        case TransformKind::DAY:
            return column + "_day";
        case TransformKind::HOUR:
            return column + "_hour";
        default:
            return column + "_null";
    }
}

bool SameSchema(const Schema& a, const Schema& b) {
    return a.fields == b.fields && a.identifier_field_ids == b.identifier_field_ids;
}

bool SameSpecFields(const PartitionSpec& a, const PartitionSpec& b) {
    if (a.fields.size() != b.fields.size()) return false;
    for (size_t i = 0; i < a.fields.size(); ++i) {
        const PartitionField& x = a.fields[i];
        const PartitionField& y = b.fields[i];
        if (x.source_id != y.source_id || x.field_id != y.field_id || x.name != y.name ||
            !(x.transform == y.transform)) {
            return false;
        }
    }
    return true;
}

/// Whether the spec allows changing a column of type `from` to `to` in a table of `format_version`.
bool CanPromote(const iceberg::Type& from, const iceberg::Type& to, int format_version) {
    if (from.kind == TypeKind::INT && to.kind == TypeKind::LONG) return true;
    if (from.kind == TypeKind::FLOAT && to.kind == TypeKind::DOUBLE) return true;
    if (from.kind == TypeKind::DECIMAL && to.kind == TypeKind::DECIMAL) {
        return to.scale == from.scale && to.precision > from.precision;
    }
    if (format_version >= 3 && from.kind == TypeKind::DATE &&
        (to.kind == TypeKind::TIMESTAMP || to.kind == TypeKind::TIMESTAMP_NS)) {
        return true;
    }
    return false;
}

int64_t ParseSnapshotId(const std::string& text, const std::string& procedure) {
    std::optional<int64_t> id = ParseInt64(text);
    if (!id) {
        throw BinderError(procedure + ": '" + text + "' is not a snapshot id", ErrorCode::WRONG_ARGUMENTS);
    }
    return *id;
}

}  // namespace

TableMetadata MetadataChange::Apply(const TableMetadata& base) {
    unchanged_ = false;
    TableMetadata m = base;
    switch (s_.action) {
        case ast::AlterTableAction::ADD_COLUMN:
            AddColumns(m);
            break;
        case ast::AlterTableAction::DROP_COLUMN:
            DropColumn(m);
            break;
        case ast::AlterTableAction::RENAME_COLUMN:
            RenameColumn(m);
            break;
        case ast::AlterTableAction::MODIFY_COLUMN:
            ModifyColumn(m);
            break;
        case ast::AlterTableAction::ADD_PARTITION_FIELD:
            AddPartitionFields(m);
            break;
        case ast::AlterTableAction::DROP_PARTITION_FIELD:
            DropPartitionFields(m);
            break;
        case ast::AlterTableAction::SET_PROPERTIES:
            SetProperties(m);
            break;
        case ast::AlterTableAction::CREATE_REF:
            CreateRef(m);
            break;
        case ast::AlterTableAction::DROP_REF:
            DropRef(m);
            break;
        case ast::AlterTableAction::EXECUTE:
            Execute(m);
            break;
        case ast::AlterTableAction::ADD_PARTITION:
        case ast::AlterTableAction::DROP_PARTITION:
            throw NotSupportedError(
                "Iceberg tables have no named partitions to add or drop; change the partition spec with ALTER "
                "TABLE " +
                table_ + " ADD | DROP PARTITION COLUMN <transform>");
        case ast::AlterTableAction::COMPACT:
            throw NotSupportedError("COMPACT is not supported for Iceberg table " + table_);
    }
    return m;
}

size_t MetadataChange::FindColumn(const Schema& schema, const std::string& name, const char* context) const {
    const NestedField* f = schema.FindTopLevel(name);
    if (!f) {
        throw BinderError("Unknown column '" + name + "' in " + context + " of table " + table_,
                          ErrorCode::UNKNOWN_COLUMN);
    }
    return static_cast<size_t>(f - schema.fields.data());
}

size_t MetadataChange::Position(const std::vector<NestedField>& fields, const ast::AlterColumn& a) const {
    if (a.first) return 0;
    if (a.after.empty()) return fields.size();
    for (size_t i = 0; i < fields.size(); ++i) {
        if (AsciiEqualsIgnoreCase(fields[i].name, a.after)) return i + 1;
    }
    throw BinderError("Unknown column '" + a.after + "' in AFTER of table " + table_, ErrorCode::UNKNOWN_COLUMN);
}

std::string MetadataChange::DefaultJson(const iceberg::Type& type, const Value& literal,
                                        const std::string& column) const {
    auto bad = [&](const std::string& why) {
        return BinderError("Invalid default value for column '" + column + "': " + why, ErrorCode::INVALID_DEFAULT);
    };
    if (literal.is_null()) return "null";
    Value v = CastValue(literal, iceberg::ToFloeType(type));
    if (v.is_null()) throw bad("'" + literal.ToString() + "' is not a " + type.ToString());
    std::string json;
    switch (type.kind) {
        case TypeKind::BOOLEAN:
            json = v.GetInt() ? "true" : "false";
            break;
        case TypeKind::INT:
        case TypeKind::LONG:
            json = std::to_string(v.GetInt());
            break;
        case TypeKind::FLOAT:
        case TypeKind::DOUBLE:
            if (!std::isfinite(v.GetDouble())) throw bad("NaN and infinity have no JSON form");
            json = fmt::format("{}", v.GetDouble());
            break;
        case TypeKind::DECIMAL:
        case TypeKind::DATE:
        case TypeKind::STRING:
            json = JsonString(v.ToString());
            break;
        case TypeKind::TIMESTAMP: {
            std::string text = v.ToString();
            std::replace(text.begin(), text.end(), ' ', 'T');
            json = JsonString(text);
            break;
        }
        default:
            throw bad(
                "Floe writes defaults of boolean, int, long, float, double, decimal, date, timestamp and "
                "string columns only, not " +
                type.ToString());
    }
    // The reader's parser is the judge of the form.
    iceberg::ParseJsonSingleValue(type, json, "default of column '" + column + "'");
    return json;
}

void MetadataChange::CommitSchema(TableMetadata& m, Schema schema) {
    if (SameSchema(schema, m.current_schema())) {
        unchanged_ = true;
        return;
    }
    int32_t highest = 0;
    for (const auto& existing : m.schemas) {
        highest = std::max(highest, existing.schema_id);
        if (SameSchema(existing, schema)) {
            m.current_schema_id = existing.schema_id;
            return;
        }
    }
    schema.schema_id = highest + 1;
    m.last_column_id = std::max(m.last_column_id, schema.HighestFieldId());
    m.current_schema_id = schema.schema_id;
    m.schemas.push_back(std::move(schema));
}

void MetadataChange::CommitSpec(TableMetadata& m, PartitionSpec spec) {
    if (SameSpecFields(spec, m.default_spec())) {
        unchanged_ = true;
        return;
    }
    int32_t highest = 0;
    for (const auto& existing : m.partition_specs) {
        highest = std::max(highest, existing.spec_id);
        if (SameSpecFields(existing, spec)) {
            m.default_spec_id = existing.spec_id;
            return;
        }
    }
    spec.spec_id = highest + 1;
    for (const auto& f : spec.fields) m.last_partition_id = std::max(m.last_partition_id, f.field_id);
    m.default_spec_id = spec.spec_id;
    m.partition_specs.push_back(std::move(spec));
}

void MetadataChange::AddColumns(TableMetadata& m) {
    Schema schema = m.current_schema();
    int32_t next_id = m.last_column_id;
    for (const auto& a : s_.columns) {
        const ast::ColumnDefinition& def = a.definition;
        if (schema.FindTopLevel(def.name)) {
            throw BinderError("Duplicate column name '" + def.name + "' in table " + table_,
                              ErrorCode::WRONG_ARGUMENTS);
        }
        if (!def.aggregation.empty()) {
            throw NotSupportedError("column '" + def.name + "': Iceberg tables have no aggregate columns");
        }
        NestedField f;
        f.name = def.name;
        f.type = iceberg::FromFloeType(def.type, def.name);
        f.required = !def.nullable;
        f.doc = def.comment;
        if (def.default_value) {
            if (m.format_version < 3) {
                throw NotSupportedError("column '" + def.name + "': Iceberg column defaults need format version 3; " +
                                        "upgrade with ALTER TABLE " + table_ + " SET ('format-version' = '3')");
            }
            std::string json = DefaultJson(f.type, *def.default_value, def.name);
            // Rows written before the column existed read the initial default; writers use the
            // write default. The spec wants both for a required column.
            f.initial_default_json = json;
            f.write_default_json = json;
        }
        if (f.required && (!f.initial_default_json || *f.initial_default_json == "null")) {
            throw BinderError("Incompatible change: cannot add required column '" + def.name + "' to " + table_ +
                                  " without a non-null DEFAULT (rows already written have no value for it); add "
                                  "it as NULL",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        if (next_id >= 2147483447) {
            throw NotSupportedError("table " + table_ + " has used every column id");
        }
        f.id = ++next_id;
        size_t at = Position(schema.fields, a);
        schema.fields.insert(schema.fields.begin() + static_cast<std::ptrdiff_t>(at), std::move(f));
    }
    m.last_column_id = next_id;
    CommitSchema(m, std::move(schema));
}

void MetadataChange::DropColumn(TableMetadata& m) {
    Schema schema = m.current_schema();
    for (const auto& a : s_.columns) {
        const std::string& name = a.definition.name;
        const NestedField* f = schema.FindTopLevel(name);
        if (!f) {
            throw BinderError("Can't DROP '" + name + "'; check that column exists in table " + table_,
                              ErrorCode::UNKNOWN_COLUMN);
        }
        int32_t id = f->id;
        // The column's id and its nested ids: none may be a partition source, an identifier or a
        // sort key.
        std::vector<int32_t> ids{id};
        std::function<void(const iceberg::Type&)> nested = [&](const iceberg::Type& t) {
            for (const auto& child : t.fields) {
                ids.push_back(child.id);
                nested(child.type);
            }
        };
        nested(f->type);
        auto uses = [&](int32_t source) { return std::find(ids.begin(), ids.end(), source) != ids.end(); };
        for (const auto& pf : m.default_spec().fields) {
            for (int32_t source : pf.source_ids.empty() ? std::vector<int32_t>{pf.source_id} : pf.source_ids) {
                if (!uses(source)) continue;
                throw BinderError("Cannot drop column '" + f->name + "' of " + table_ +
                                      ": it is the source of partition field '" + pf.name + "' (" +
                                      pf.transform.ToString() +
                                      "); drop the partition field first (ALTER TABLE ... DROP PARTITION COLUMN)",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
        }
        for (int32_t identifier : schema.identifier_field_ids) {
            if (uses(identifier)) {
                throw BinderError("Cannot drop column '" + f->name + "' of " + table_ + ": it is an identifier field",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
        }
        for (const auto& order : m.sort_orders) {
            if (order.order_id != m.default_sort_order_id) continue;
            for (const auto& sf : order.fields) {
                if (uses(sf.source_id)) {
                    throw BinderError(
                        "Cannot drop column '" + f->name + "' of " + table_ + ": the table's sort order uses it",
                        ErrorCode::WRONG_ARGUMENTS);
                }
            }
        }
        if (schema.fields.size() == 1) {
            throw BinderError("Cannot drop column '" + f->name + "': a table needs at least one column",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        schema.fields.erase(schema.fields.begin() + (f - schema.fields.data()));
    }
    CommitSchema(m, std::move(schema));
}

void MetadataChange::RenameColumn(TableMetadata& m) {
    Schema schema = m.current_schema();
    size_t index = FindColumn(schema, s_.columns.at(0).definition.name, "RENAME COLUMN");
    const std::string& to = s_.new_name;
    if (to.empty()) throw BinderError("a column name cannot be empty", ErrorCode::WRONG_ARGUMENTS);
    const NestedField* other = schema.FindTopLevel(to);
    if (other && other != &schema.fields[index]) {
        throw BinderError("Duplicate column name '" + to + "' in table " + table_, ErrorCode::WRONG_ARGUMENTS);
    }
    // A partition field may not take a column's name unless it is that column's identity.
    for (const auto& pf : m.default_spec().fields) {
        if (AsciiEqualsIgnoreCase(pf.name, to) &&
            !(pf.source_id == schema.fields[index].id && pf.transform.kind == TransformKind::IDENTITY)) {
            throw BinderError("Cannot rename column '" + schema.fields[index].name + "' to '" + to + "': " + table_ +
                                  " has a partition field of that name",
                              ErrorCode::WRONG_ARGUMENTS);
        }
    }
    schema.fields[index].name = to;
    CommitSchema(m, std::move(schema));
}

void MetadataChange::ModifyColumn(TableMetadata& m) {
    Schema schema = m.current_schema();
    const ast::AlterColumn& a = s_.columns.at(0);
    const ast::ColumnDefinition& def = a.definition;
    size_t index = FindColumn(schema, def.name, "MODIFY COLUMN");
    NestedField f = schema.fields[index];
    if (!def.aggregation.empty()) {
        throw NotSupportedError("column '" + def.name + "': Iceberg tables have no aggregate columns");
    }
    iceberg::Type to = iceberg::FromFloeType(def.type, def.name);
    if (f.type.IsNested()) {
        throw NotSupportedError("Cannot change nested column '" + f.name + "' of " + table_ +
                                "; Floe changes primitive columns only");
    }
    if (to != f.type) {
        if (!CanPromote(f.type, to, m.format_version)) {
            throw NotSupportedError(
                "Cannot change column '" + f.name + "' of " + table_ + " from " + f.type.ToString() + " to " +
                to.ToString() +
                ": Iceberg allows only int -> long (BIGINT), float -> double, decimal(P,S) -> decimal(P',S) with "
                "P' > P" +
                (m.format_version >= 3 ? ", and date -> timestamp" : "") + ", without rewriting data");
        }
        if (f.type.kind == TypeKind::DATE) {
            // Every transform of a date gives another value (or type) for a timestamp.
            for (const auto& spec : m.partition_specs) {
                for (const auto& pf : spec.fields) {
                    if (pf.source_id == f.id && pf.transform.kind != TransformKind::VOID) {
                        throw NotSupportedError("Cannot change column '" + f.name + "' of " + table_ +
                                                " from date to timestamp: partition field '" + pf.name +
                                                "' would change its values");
                    }
                }
            }
        }
        f.type = to;
    }
    if (def.explicit_null) {
        if (!def.nullable && !f.required) {
            throw BinderError("Cannot change column '" + f.name + "' of " + table_ +
                                  " to NOT NULL: rows already written may hold nulls",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        if (def.nullable && f.required) {
            for (int32_t identifier : schema.identifier_field_ids) {
                if (identifier == f.id) {
                    throw BinderError("Cannot make identifier field '" + f.name + "' of " + table_ + " nullable",
                                      ErrorCode::WRONG_ARGUMENTS);
                }
            }
        }
        f.required = !def.nullable;
    }
    if (!def.comment.empty()) f.doc = def.comment;
    if (def.default_value) {
        if (m.format_version < 3) {
            throw NotSupportedError("column '" + f.name + "': Iceberg column defaults need format version 3");
        }
        // The write default may change; the initial default (what old rows read) never does.
        f.write_default_json = DefaultJson(f.type, *def.default_value, f.name);
        if (f.required && *f.write_default_json == "null") {
            throw BinderError("required column '" + f.name + "' cannot default to NULL", ErrorCode::INVALID_DEFAULT);
        }
    }
    schema.fields.erase(schema.fields.begin() + static_cast<std::ptrdiff_t>(index));
    size_t at = index;
    if (a.first || !a.after.empty()) {
        if (AsciiEqualsIgnoreCase(a.after, f.name)) {
            throw BinderError("Cannot move column '" + f.name + "' after itself", ErrorCode::WRONG_ARGUMENTS);
        }
        at = Position(schema.fields, a);
    }
    schema.fields.insert(schema.fields.begin() + static_cast<std::ptrdiff_t>(at), std::move(f));
    CommitSchema(m, std::move(schema));
}

void MetadataChange::AddPartitionFields(TableMetadata& m) {
    const Schema& schema = m.current_schema();
    PartitionSpec spec = m.default_spec();
    int32_t last_id = m.last_partition_id;
    for (size_t i = 0; i < s_.partition_columns.size(); ++i) {
        const NestedField* source = schema.FindTopLevel(s_.partition_columns[i]);
        if (!source) {
            throw BinderError(
                "Unknown column '" + s_.partition_columns[i] + "' in ADD PARTITION COLUMN of table " + table_,
                ErrorCode::UNKNOWN_COLUMN);
        }
        Transform t = iceberg::ParseTransform(s_.partition_transforms[i]);
        if (t.kind == TransformKind::UNKNOWN || t.kind == TransformKind::VOID) {
            throw BinderError("'" + s_.partition_transforms[i] + "' is not a partition transform to add",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        if (!iceberg::CanTransform(t, source->type)) {
            throw BinderError("partition transform " + t.ToString() + " cannot apply to column '" + source->name +
                                  "' of type " + source->type.ToString(),
                              ErrorCode::WRONG_ARGUMENTS);
        }
        for (const auto& pf : spec.fields) {
            if (pf.source_id != source->id || pf.transform.kind == TransformKind::VOID) continue;
            if (pf.transform == t) {
                throw BinderError("Table " + table_ + " is already partitioned by " + t.ToString() + "(" +
                                      source->name + ") (partition field '" + pf.name + "')",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
            if (IsTimeTransform(pf.transform.kind) && IsTimeTransform(t.kind)) {
                throw BinderError("Cannot add redundant partition " + t.ToString() + "(" + source->name +
                                      "): partition field '" + pf.name + "' already is " + pf.transform.ToString() +
                                      "(" + source->name + ")",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
        }
        PartitionField field;
        field.source_id = source->id;
        field.source_ids = {source->id};
        field.transform = t;
        field.name =
            s_.partition_field_names[i].empty() ? EvolvedFieldName(source->name, t) : s_.partition_field_names[i];
        // A partition field may share a column's name only as that column's identity.
        const NestedField* same_name = schema.FindTopLevel(field.name);
        if (same_name && !(same_name->id == source->id && t.kind == TransformKind::IDENTITY)) {
            throw BinderError("partition field name '" + field.name + "' is the name of a column of " + table_ +
                                  "; give another with AS",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        for (auto& pf : spec.fields) {
            if (!AsciiEqualsIgnoreCase(pf.name, field.name)) continue;
            if (pf.transform.kind == TransformKind::VOID) {
                pf.name += "_" + std::to_string(pf.field_id);  // a v1 dropped field gives its name up
                continue;
            }
            throw BinderError("Table " + table_ + " already has a partition field named '" + field.name + "'",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        // v2+: a field an older spec had gets its id back; v1 field ids are only ever new.
        field.field_id = 0;
        if (m.format_version >= 2) {
            for (const auto& old : m.partition_specs) {
                for (const auto& pf : old.fields) {
                    if (pf.source_id == field.source_id && pf.transform == t && field.field_id == 0) {
                        field.field_id = pf.field_id;
                    }
                }
            }
            for (const auto& pf : spec.fields) {
                if (pf.field_id == field.field_id) field.field_id = 0;
            }
        }
        if (field.field_id == 0) field.field_id = ++last_id;
        spec.fields.push_back(std::move(field));
    }
    m.last_partition_id = std::max(m.last_partition_id, last_id);
    CommitSpec(m, std::move(spec));
}

void MetadataChange::DropPartitionFields(TableMetadata& m) {
    const Schema& schema = m.current_schema();
    PartitionSpec spec = m.default_spec();
    for (size_t i = 0; i < s_.partition_columns.size(); ++i) {
        const std::string& column = s_.partition_columns[i];
        Transform t = iceberg::ParseTransform(s_.partition_transforms[i]);
        const NestedField* source = schema.FindTopLevel(column);
        int found = -1;
        for (size_t j = 0; j < spec.fields.size() && found < 0; ++j) {
            const PartitionField& pf = spec.fields[j];
            if (pf.transform.kind == TransformKind::VOID) continue;
            if (source && pf.source_id == source->id && pf.transform == t) found = static_cast<int>(j);
        }
        // DROP PARTITION FIELD <name> (Spark): a bare name is also a partition field's name.
        if (found < 0 && t.kind == TransformKind::IDENTITY) {
            for (size_t j = 0; j < spec.fields.size() && found < 0; ++j) {
                if (spec.fields[j].transform.kind != TransformKind::VOID &&
                    AsciiEqualsIgnoreCase(spec.fields[j].name, column)) {
                    found = static_cast<int>(j);
                }
            }
        }
        if (found < 0) {
            throw BinderError("Table " + table_ + " is not partitioned by " +
                                  (t.kind == TransformKind::IDENTITY ? column : t.ToString() + "(" + column + ")"),
                              ErrorCode::WRONG_ARGUMENTS);
        }
        if (m.format_version == 1) {
            // v1 specs keep every field (their ids are positional): the field becomes void.
            spec.fields[static_cast<size_t>(found)].transform = iceberg::ParseTransform("void");
        } else {
            spec.fields.erase(spec.fields.begin() + found);
        }
    }
    CommitSpec(m, std::move(spec));
}

void MetadataChange::SetProperties(TableMetadata& m) {
    bool changed = false;
    for (const auto& [key, value] : s_.properties) {
        std::string k = AsciiLower(key);
        if (k == "format-version" || k == "format_version") {
            if (value != "1" && value != "2" && value != "3") {
                throw BinderError("Iceberg format-version must be 1, 2 or 3, not '" + value + "'",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
            int version = value[0] - '0';
            if (version < m.format_version) {
                throw NotSupportedError("Cannot downgrade Iceberg table " + table_ + " from format version " +
                                        std::to_string(m.format_version) + " to " + value);
            }
            if (version == m.format_version) continue;
            m.format_version = version;
            if (m.table_uuid.empty()) m.table_uuid = iceberg::RandomUuid();
            if (version >= 3 && !m.next_row_id) m.next_row_id = 0;
            changed = true;
            continue;
        }
        if (k == "location") {
            throw NotSupportedError("Floe does not move Iceberg tables: 'location' cannot be changed");
        }
        for (const char* reserved : kReservedProperties) {
            if (k == reserved) {
                throw BinderError("'" + key + "' is a reserved Iceberg table property", ErrorCode::WRONG_ARGUMENTS);
            }
        }
        std::string name = key;
        std::string v = value;
        if (k == "file_format" || k == "write.format.default") {
            if (!AsciiEqualsIgnoreCase(value, "parquet")) {
                throw NotSupportedError("Floe writes Iceberg data files as Parquet only, not '" + value + "'");
            }
            name = "write.format.default";
            v = "parquet";
        } else if (k == "compression_codec" || k == "write.parquet.compression-codec") {
            std::string codec = AsciiLower(value);
            if (codec != "zstd" && codec != "snappy" && codec != "gzip" && codec != "lz4" && codec != "uncompressed" &&
                codec != "none" && codec != "brotli") {
                throw BinderError(
                    "compression_codec '" + value + "' is not one of zstd, snappy, gzip, lz4, uncompressed",
                    ErrorCode::WRONG_ARGUMENTS);
            }
            name = "write.parquet.compression-codec";
            v = codec == "none" ? "uncompressed" : codec;
        } else if (k == "target_file_size" || k == "write.target-file-size-bytes") {
            std::optional<int64_t> n = ParseInt64(value);
            if (!n || *n <= 0) {
                throw BinderError("target_file_size must be a positive number of bytes, not '" + value + "'",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
            name = "write.target-file-size-bytes";
            v = std::to_string(*n);
        } else if (k == "schema.name-mapping.default") {
            m.name_mapping = iceberg::ParseNameMapping(value, "property 'schema.name-mapping.default'");
        }
        auto it = m.properties.find(name);
        if (it != m.properties.end() && it->second == v) continue;
        m.properties[name] = v;
        changed = true;
    }
    unchanged_ = !changed;
}

void MetadataChange::SetMain(TableMetadata& m, int64_t snapshot_id) {
    if (m.current_snapshot_id == snapshot_id) {
        unchanged_ = true;
        return;
    }
    iceberg::SnapshotRef main;
    auto it = m.refs.find("main");
    if (it != m.refs.end()) main = it->second;
    main.kind = iceberg::SnapshotRef::Kind::BRANCH;
    main.snapshot_id = snapshot_id;
    m.refs["main"] = main;
    m.current_snapshot_id = snapshot_id;
    // The entry's time is the new metadata's last-updated-ms, as the commit stamps it.
    int64_t now = std::max(iceberg::NowMillis(), m.last_updated_ms + 1);
    m.snapshot_log.push_back({now, snapshot_id});
}

void MetadataChange::CreateRef(TableMetadata& m) {
    const ast::AlterTableRef& r = s_.ref;
    const char* kind = r.tag ? "tag" : "branch";
    if (r.name.empty())
        throw BinderError(std::string("a ") + kind + " name cannot be empty", ErrorCode::WRONG_ARGUMENTS);
    auto existing = m.refs.find(r.name);
    if (existing != m.refs.end()) {
        bool existing_tag = existing->second.kind == iceberg::SnapshotRef::Kind::TAG;
        if (r.if_not_exists && !r.or_replace) {
            unchanged_ = true;
            return;
        }
        if (existing_tag != r.tag) {
            throw BinderError(
                "Table " + table_ + " already has a " + (existing_tag ? "tag" : "branch") + " named '" + r.name + "'",
                ErrorCode::WRONG_ARGUMENTS);
        }
        if (!r.or_replace) {
            throw BinderError(std::string("Table ") + table_ + " already has a " + kind + " named '" + r.name +
                                  "' (CREATE OR REPLACE " + (r.tag ? "TAG" : "BRANCH") + " replaces it)",
                              ErrorCode::WRONG_ARGUMENTS);
        }
    }
    if (r.tag && r.name == "main") {
        throw BinderError("'main' is the table's main branch; a tag cannot take its name", ErrorCode::WRONG_ARGUMENTS);
    }
    int64_t snapshot_id = 0;
    if (r.snapshot_id) {
        if (!m.FindSnapshot(*r.snapshot_id)) {
            throw BinderError("Table " + table_ + " has no snapshot " + std::to_string(*r.snapshot_id),
                              ErrorCode::WRONG_ARGUMENTS);
        }
        snapshot_id = *r.snapshot_id;
    } else if (m.current_snapshot_id) {
        snapshot_id = *m.current_snapshot_id;
    } else {
        throw BinderError(std::string("Table ") + table_ + " has no snapshot yet to create " + kind + " '" + r.name +
                              "' on; insert rows first or give AS OF VERSION",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    if (r.name == "main") {
        SetMain(m, snapshot_id);
        return;
    }
    iceberg::SnapshotRef ref;
    ref.kind = r.tag ? iceberg::SnapshotRef::Kind::TAG : iceberg::SnapshotRef::Kind::BRANCH;
    ref.snapshot_id = snapshot_id;
    ref.max_ref_age_ms = r.max_ref_age_ms;
    if (!r.tag) {
        ref.min_snapshots_to_keep = r.min_snapshots_to_keep;
        ref.max_snapshot_age_ms = r.max_snapshot_age_ms;
    }
    m.refs[r.name] = ref;
}

void MetadataChange::DropRef(TableMetadata& m) {
    const ast::AlterTableRef& r = s_.ref;
    const char* kind = r.tag ? "tag" : "branch";
    if (r.name == "main") {
        throw BinderError("Cannot drop the main branch of " + table_, ErrorCode::WRONG_ARGUMENTS);
    }
    auto it = m.refs.find(r.name);
    if (it == m.refs.end()) {
        if (s_.if_exists) {
            unchanged_ = true;
            return;
        }
        throw BinderError(std::string("Table ") + table_ + " has no " + kind + " named '" + r.name + "'",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    bool is_tag = it->second.kind == iceberg::SnapshotRef::Kind::TAG;
    if (is_tag != r.tag) {
        throw BinderError("'" + r.name + "' is a " + (is_tag ? "tag" : "branch") + " of " + table_ + ", not a " + kind,
                          ErrorCode::WRONG_ARGUMENTS);
    }
    m.refs.erase(it);
}

void MetadataChange::Execute(TableMetadata& m) {
    const std::string& p = s_.procedure;
    const auto& args = s_.procedure_arguments;
    auto argument = [&](size_t position, const char* name) -> const std::string* {
        for (const auto& [n, v] : args) {
            if (n == name) return &v;
        }
        if (position < args.size() && args[position].first.empty()) return &args[position].second;
        return nullptr;
    };
    auto required = [&](size_t position, const char* name) -> const std::string& {
        const std::string* v = argument(position, name);
        if (!v) {
            throw BinderError(p + "() needs its argument '" + std::string(name) + "'", ErrorCode::WRONG_ARGUMENTS);
        }
        return *v;
    };
    if (p == "rollback_to_snapshot" || p == "set_current_snapshot") {
        int64_t id = ParseSnapshotId(required(0, "snapshot_id"), p);
        if (!m.FindSnapshot(id)) {
            throw BinderError("Table " + table_ + " has no snapshot " + std::to_string(id), ErrorCode::WRONG_ARGUMENTS);
        }
        if (p == "rollback_to_snapshot") {
            // Only back along main's history (Java's rollbackTo).
            bool ancestor = false;
            for (const iceberg::Snapshot* s = m.current_snapshot(); s && !ancestor;
                 s = s->parent_snapshot_id ? m.FindSnapshot(*s->parent_snapshot_id) : nullptr) {
                ancestor = s->snapshot_id == id;
            }
            if (!ancestor) {
                throw BinderError("Cannot roll back " + table_ + " to snapshot " + std::to_string(id) +
                                      ": it is not an ancestor of the current snapshot",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
        }
        SetMain(m, id);
        return;
    }
    if (p == "fast_forward") {
        std::string from = required(0, "branch");
        std::string to = required(1, "to");
        auto branch_head = [&](const std::string& name) -> int64_t {
            auto it = m.refs.find(name);
            if (it == m.refs.end() || it->second.kind != iceberg::SnapshotRef::Kind::BRANCH) {
                throw BinderError("Table " + table_ + " has no branch named '" + name + "'",
                                  ErrorCode::WRONG_ARGUMENTS);
            }
            return it->second.snapshot_id;
        };
        int64_t target = branch_head(to);
        int64_t head = branch_head(from);
        bool ancestor = false;
        for (const iceberg::Snapshot* s = m.FindSnapshot(target); s && !ancestor;
             s = s->parent_snapshot_id ? m.FindSnapshot(*s->parent_snapshot_id) : nullptr) {
            ancestor = s->snapshot_id == head;
        }
        if (!ancestor) {
            throw BinderError("Cannot fast-forward branch '" + from + "' of " + table_ + " to '" + to +
                                  "': its head is not an ancestor of '" + to + "'",
                              ErrorCode::WRONG_ARGUMENTS);
        }
        if (from == "main") {
            SetMain(m, target);
        } else {
            unchanged_ = head == target;
            m.refs[from].snapshot_id = target;
        }
        return;
    }
    throw NotSupportedError("Iceberg tables have no procedure '" + p +
                            "': Floe runs rollback_to_snapshot, set_current_snapshot, fast_forward, "
                            "rewrite_data_files (optimize), rewrite_manifests, expire_snapshots, "
                            "remove_orphan_files, rewrite_position_delete_files, apply_retention and "
                            "run_maintenance");
}

QueryResult StatementExecutor::IcebergAlterTable(const ast::AlterTableStatement& s, const std::string& catalog) {
    session_.RequirePrivilege("USAGE", ClientContext::CatalogObject(catalog));
    session_.RequirePrivilege("ALTER", ClientContext::CatalogObject(catalog));
    std::string db = s.database;
    if (db.empty()) {
        if (session_.current_catalog() != catalog || session_.current_database().empty()) {
            throw CatalogError("No database selected in catalog '" + catalog + "'", ErrorCode::NO_DATABASE_SELECTED);
        }
        db = session_.current_database();
    }
    auto& externals = session_.instance().external_catalogs();
    if (s.action == ast::AlterTableAction::EXECUTE && LakeMaintenance::IsProcedure(s.procedure)) {
        return session_.instance().lake().Execute(session_, catalog, db, s.table, s);
    }
    if (!s.procedure_where.empty()) {
        throw BinderError(s.procedure + "() takes no WHERE clause", ErrorCode::WRONG_ARGUMENTS);
    }
    auto c = externals.IcebergCatalogFor(catalog);
    iceberg::TableState state = externals.LoadForWrite(catalog, db, s.table);
    MetadataChange change(s, catalog + "." + db + "." + s.table);
    // Checked once on the current metadata, so that a change that is not valid writes nothing and
    // a change of nothing commits nothing.
    change.Apply(*state.metadata);
    if (change.unchanged()) return QueryResult{};
    iceberg::TableLoader reload = [&externals, catalog, db, table = s.table] {
        return externals.LoadForWrite(catalog, db, table);
    };
    iceberg::TableState committed = iceberg::CommitMetadataChange(
        *c, db, s.table, state, reload, [&change](const TableMetadata& base) { return change.Apply(base); });
    externals.Remember(committed);
    return QueryResult{};
}

}  // namespace floe
