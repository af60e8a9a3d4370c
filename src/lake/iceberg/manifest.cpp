#include "lake/iceberg/manifest.h"

#include <cctype>
#include <charconv>
#include <limits>

#include "common/exception.h"

namespace floe::iceberg {

namespace {

using avro::AvroNode;
using avro::AvroType;
using avro::Datum;

/// A value together with the writer schema it was decoded with (after union resolution).
struct Value {
    const AvroNode* node = nullptr;
    const Datum* datum = nullptr;

    bool is_null() const { return datum == nullptr || datum->is_null(); }
};

Value Resolve(const AvroNode& node, const Datum& datum) {
    const AvroNode* n = &node;
    if (n->type == AvroType::UNION && datum.union_branch >= 0 &&
        static_cast<size_t>(datum.union_branch) < n->branches.size()) {
        n = n->branches[datum.union_branch];
    }
    return Value{n, &datum};
}

/// Reads fields of one record value by Iceberg field id; `context` ("manifest list entry 3") and
/// the record's name complete error messages.
class RecordReader {
  public:
    RecordReader(Value record, const std::string& what, std::string context)
        : record_(record), what_(what), context_(std::move(context)) {}

    [[noreturn]] void Error(const std::string& problem) const {
        throw IOError(what_ + ": " + context_ + ": " + problem);
    }

    bool HasField(int32_t id) const { return record_.node->FindFieldById(id) >= 0; }

    /// The field's value; is_null() when the schema lacks the field or the value is null.
    Value Get(int32_t id) const {
        int i = record_.node->FindFieldById(id);
        if (i < 0 || static_cast<size_t>(i) >= record_.datum->items.size()) return Value{};
        return Resolve(*record_.node->fields[i].type, record_.datum->items[i]);
    }

    std::string FieldName(int32_t id) const {
        int i = record_.node->FindFieldById(id);
        std::string name = i >= 0 ? record_.node->fields[i].name : std::string("?");
        return "'" + name + "' (field id " + std::to_string(id) + ")";
    }

    Value Required(int32_t id) const {
        Value v = Get(id);
        if (v.is_null()) {
            if (!HasField(id))
                Error("the required field with id " + std::to_string(id) + " is missing from the schema");
            Error("the required field " + FieldName(id) + " is null");
        }
        return v;
    }

    std::optional<int64_t> Long(int32_t id) const {
        Value v = Get(id);
        if (v.is_null()) return std::nullopt;
        if (v.datum->kind != Datum::Kind::LONG && v.datum->kind != Datum::Kind::INT) {
            Error(FieldName(id) + " is not an integer");
        }
        return v.datum->integer;
    }

    std::optional<int32_t> Int(int32_t id) const {
        auto v = Long(id);
        if (!v) return std::nullopt;
        if (*v < std::numeric_limits<int32_t>::min() || *v > std::numeric_limits<int32_t>::max()) {
            Error(FieldName(id) + " value " + std::to_string(*v) + " is out of the int range");
        }
        return static_cast<int32_t>(*v);
    }

    std::optional<bool> Bool(int32_t id) const {
        Value v = Get(id);
        if (v.is_null()) return std::nullopt;
        if (v.datum->kind != Datum::Kind::BOOLEAN) Error(FieldName(id) + " is not a boolean");
        return v.datum->boolean;
    }

    /// string, bytes or fixed.
    std::optional<std::string> Bytes(int32_t id) const {
        Value v = Get(id);
        if (v.is_null()) return std::nullopt;
        if (v.datum->kind != Datum::Kind::STRING && v.datum->kind != Datum::Kind::BYTES &&
            v.datum->kind != Datum::Kind::FIXED) {
            Error(FieldName(id) + " is not a string or bytes");
        }
        return v.datum->bytes;
    }

    int64_t RequiredLong(int32_t id) const {
        Required(id);
        return *Long(id);
    }
    int32_t RequiredInt(int32_t id) const {
        Required(id);
        return *Int(id);
    }
    std::string RequiredString(int32_t id) const {
        Required(id);
        return *Bytes(id);
    }

    /// The elements of an array field (empty when null or absent), each resolved.
    std::vector<Value> List(int32_t id) const {
        std::vector<Value> out;
        Value v = Get(id);
        if (v.is_null()) return out;
        if (v.node->type != AvroType::ARRAY || v.datum->kind != Datum::Kind::ARRAY)
            Error(FieldName(id) + " is not a list");
        out.reserve(v.datum->items.size());
        for (const Datum& item : v.datum->items) out.push_back(Resolve(*v.node->items, item));
        return out;
    }

    /// A map keyed by column field id: Iceberg's array of {key, value} records, or an Avro map
    /// whose keys are decimal strings. Entries with a null value are skipped.
    std::vector<std::pair<int32_t, Value>> IdMap(int32_t id) const {
        std::vector<std::pair<int32_t, Value>> out;
        Value v = Get(id);
        if (v.is_null()) return out;
        if (v.node->type == AvroType::MAP && v.datum->kind == Datum::Kind::MAP) {
            for (const auto& [key, value] : v.datum->entries) {
                int32_t k = 0;
                auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), k);
                if (ec != std::errc() || end != key.data() + key.size()) {
                    Error(FieldName(id) + " has the non-numeric key '" + key + "'");
                }
                Value resolved = Resolve(*v.node->items, value);
                if (!resolved.is_null()) out.emplace_back(k, resolved);
            }
            return out;
        }
        if (v.node->type != AvroType::ARRAY || v.datum->kind != Datum::Kind::ARRAY)
            Error(FieldName(id) + " is not a map");
        for (const Datum& item : v.datum->items) {
            Value kv = Resolve(*v.node->items, item);
            if (kv.is_null()) continue;
            if (kv.node->type != AvroType::RECORD || kv.node->fields.size() < 2) {
                Error(FieldName(id) + " is an array, but not of {key, value} records");
            }
            int key_index = kv.node->FindFieldByName("key");
            int value_index = kv.node->FindFieldByName("value");
            if (key_index < 0) key_index = 0;
            if (value_index < 0) value_index = 1;
            Value key = Resolve(*kv.node->fields[key_index].type, kv.datum->items[key_index]);
            Value value = Resolve(*kv.node->fields[value_index].type, kv.datum->items[value_index]);
            if (key.is_null() || (key.datum->kind != Datum::Kind::INT && key.datum->kind != Datum::Kind::LONG)) {
                Error(FieldName(id) + " has a key that is not an int");
            }
            if (key.datum->integer < std::numeric_limits<int32_t>::min() ||
                key.datum->integer > std::numeric_limits<int32_t>::max()) {
                Error(FieldName(id) + " has the out-of-range key " + std::to_string(key.datum->integer));
            }
            if (!value.is_null()) out.emplace_back(static_cast<int32_t>(key.datum->integer), value);
        }
        return out;
    }

    std::map<int32_t, int64_t> CountMap(int32_t id) const {
        std::map<int32_t, int64_t> out;
        for (const auto& [k, v] : IdMap(id)) {
            if (v.datum->kind != Datum::Kind::LONG && v.datum->kind != Datum::Kind::INT) {
                Error(FieldName(id) + " has a value that is not an integer");
            }
            out[k] = v.datum->integer;
        }
        return out;
    }

    std::map<int32_t, std::string> BytesMap(int32_t id) const {
        std::map<int32_t, std::string> out;
        for (const auto& [k, v] : IdMap(id)) {
            if (v.datum->kind != Datum::Kind::BYTES && v.datum->kind != Datum::Kind::FIXED &&
                v.datum->kind != Datum::Kind::STRING) {
                Error(FieldName(id) + " has a value that is not bytes");
            }
            out[k] = v.datum->bytes;
        }
        return out;
    }

    Value record() const { return record_; }
    const std::string& what() const { return what_; }
    const std::string& context() const { return context_; }

  private:
    Value record_;
    const std::string& what_;
    std::string context_;
};

void RequireRecordRoot(const avro::AvroContainerReader& reader, const char* expected) {
    if (reader.schema().root().type != AvroType::RECORD) {
        throw IOError(reader.what() + ": the Avro schema's root is a " +
                      std::string(avro::AvroTypeName(reader.schema().root().type)) + ", not the " + expected +
                      " record");
    }
}

RecordReader Nested(const RecordReader& parent, int32_t id, const std::string& context) {
    Value v = parent.Required(id);
    if (v.node->type != AvroType::RECORD || v.datum->kind != Datum::Kind::RECORD) {
        parent.Error(parent.FieldName(id) + " is not a record");
    }
    return RecordReader(v, parent.what(), context);
}

ManifestFile DecodeManifestFile(const RecordReader& r, int format_version) {
    ManifestFile m;
    m.format_version = format_version;
    m.path = r.RequiredString(500);
    m.length = r.RequiredLong(501);
    m.partition_spec_id = r.RequiredInt(502);
    m.added_snapshot_id = r.RequiredLong(503);
    // v2+ requires content and the sequence numbers; a list without them in its schema was written
    // under v1 (before an upgrade), where they read as DATA and 0.
    bool required = format_version >= 2;
    if (r.HasField(517)) {
        int32_t content = required ? r.RequiredInt(517) : r.Int(517).value_or(0);
        if (content != 0 && content != 1) r.Error("unknown manifest content " + std::to_string(content));
        m.content = static_cast<ManifestContent>(content);
    }
    if (r.HasField(515)) m.sequence_number = required ? r.RequiredLong(515) : r.Long(515).value_or(0);
    if (r.HasField(516)) m.min_sequence_number = required ? r.RequiredLong(516) : r.Long(516).value_or(0);
    m.added_files_count = r.Int(504);
    m.existing_files_count = r.Int(505);
    m.deleted_files_count = r.Int(506);
    m.added_rows_count = r.Long(512);
    m.existing_rows_count = r.Long(513);
    m.deleted_rows_count = r.Long(514);
    if (!r.Get(507).is_null()) {
        m.partitions.emplace();
        size_t i = 0;
        for (const Value& summary : r.List(507)) {
            std::string context = r.context() + ", partition summary " + std::to_string(i++);
            if (summary.is_null() || summary.node->type != AvroType::RECORD) {
                r.Error("partition summary " + std::to_string(i - 1) + " is not a record");
            }
            RecordReader s(summary, r.what(), context);
            FieldSummary f;
            f.contains_null = s.Bool(509).value_or(false);
            f.contains_nan = s.Bool(518);
            f.lower_bound = s.Bytes(510);
            f.upper_bound = s.Bytes(511);
            m.partitions->push_back(std::move(f));
        }
    }
    m.key_metadata = r.Bytes(519);
    m.first_row_id = r.Long(520);
    return m;
}

DataFile DecodeDataFile(const RecordReader& d) {
    DataFile f;
    if (auto content = d.Int(134)) {
        if (*content < 0 || *content > 2) d.Error("unknown data file content " + std::to_string(*content));
        f.content = static_cast<DataFileContent>(*content);
    }
    f.file_path = d.RequiredString(100);
    f.file_format = d.RequiredString(101);
    for (char& c : f.file_format) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));

    // The partition tuple: a record whose fields carry the partition field ids. Some writers make
    // the record nullable or omit it when the spec is unpartitioned.
    Value partition = d.Get(102);
    if (!partition.is_null()) {
        if (partition.node->type != AvroType::RECORD || partition.datum->kind != Datum::Kind::RECORD) {
            d.Error(d.FieldName(102) + " is not a record");
        }
        const auto& fields = partition.node->fields;
        for (size_t i = 0; i < fields.size() && i < partition.datum->items.size(); ++i) {
            PartitionValue p;
            p.field_id = fields[i].field_id.value_or(static_cast<int32_t>(1000 + i));
            p.name = fields[i].name;
            p.value = partition.datum->items[i];
            f.partition.push_back(std::move(p));
        }
    }
    f.record_count = d.RequiredLong(103);
    f.file_size_in_bytes = d.RequiredLong(104);
    f.column_sizes = d.CountMap(108);
    f.value_counts = d.CountMap(109);
    f.null_value_counts = d.CountMap(110);
    f.nan_value_counts = d.CountMap(137);
    f.lower_bounds = d.BytesMap(125);
    f.upper_bounds = d.BytesMap(128);
    f.key_metadata = d.Bytes(131);
    for (const Value& v : d.List(132)) {
        if (v.is_null()) continue;
        if (v.datum->kind != Datum::Kind::LONG && v.datum->kind != Datum::Kind::INT)
            d.Error("a split offset is not a long");
        f.split_offsets.push_back(v.datum->integer);
    }
    for (const Value& v : d.List(135)) {
        if (v.is_null()) continue;
        if (v.datum->kind != Datum::Kind::INT && v.datum->kind != Datum::Kind::LONG)
            d.Error("an equality id is not an int");
        if (v.datum->integer < std::numeric_limits<int32_t>::min() ||
            v.datum->integer > std::numeric_limits<int32_t>::max()) {
            d.Error("the equality id " + std::to_string(v.datum->integer) + " is out of the int range");
        }
        f.equality_ids.push_back(static_cast<int32_t>(v.datum->integer));
    }
    f.sort_order_id = d.Int(140);
    f.first_row_id = d.Long(142);
    f.referenced_data_file = d.Bytes(143);
    f.content_offset = d.Long(144);
    f.content_size_in_bytes = d.Long(145);
    return f;
}

}  // namespace

std::vector<ManifestFile> ReadManifestList(std::string bytes, const std::string& what, int format_version) {
    avro::AvroContainerReader reader(std::move(bytes), what);
    RequireRecordRoot(reader, "manifest_file");
    std::vector<ManifestFile> out;
    Datum datum;
    while (reader.Next(datum)) {
        RecordReader r(Resolve(reader.schema().root(), datum), what,
                       "manifest list entry " + std::to_string(out.size()));
        out.push_back(DecodeManifestFile(r, format_version));
    }
    return out;
}

Manifest ReadManifestWithMetadata(std::string bytes, const std::string& what, const ManifestFile& from_list) {
    avro::AvroContainerReader reader(std::move(bytes), what);
    RequireRecordRoot(reader, "manifest_entry");
    Manifest manifest;
    manifest.metadata = reader.metadata();
    // A manifest written under v1 (its header says so, or its schema has no sequence number field)
    // has no sequence numbers: all its files have sequence number 0.
    bool has_sequence_numbers =
        reader.schema().root().FindFieldById(3) >= 0 && reader.Metadata("format-version").value_or("") != "1";
    std::optional<int64_t> next_row_id = from_list.first_row_id;
    Datum datum;
    while (reader.Next(datum)) {
        RecordReader r(Resolve(reader.schema().root(), datum), what,
                       "manifest entry " + std::to_string(manifest.entries.size()));
        ManifestEntry e;
        int32_t status = r.RequiredInt(0);
        if (status < 0 || status > 2) r.Error("unknown entry status " + std::to_string(status));
        e.status = static_cast<EntryStatus>(status);
        e.snapshot_id = r.Long(1);
        e.sequence_number = r.Long(3);
        e.file_sequence_number = r.Long(4);
        e.file = DecodeDataFile(Nested(r, 2, r.context() + ", data_file"));

        if (!e.snapshot_id) e.snapshot_id = from_list.added_snapshot_id;
        if (!has_sequence_numbers) {
            e.sequence_number = 0;
            e.file_sequence_number = 0;
        } else {
            bool inherits = e.status == EntryStatus::ADDED || from_list.sequence_number == 0;
            if (!e.sequence_number && inherits) e.sequence_number = from_list.sequence_number;
            if (!e.file_sequence_number && inherits) e.file_sequence_number = from_list.sequence_number;
        }
        if (e.file.content == DataFileContent::DATA && !e.file.first_row_id && next_row_id) {
            e.file.first_row_id = *next_row_id;
            if (__builtin_add_overflow(*next_row_id, e.file.record_count, &*next_row_id)) {
                r.Error("first_row_id inheritance overflows a long");
            }
        }
        manifest.entries.push_back(std::move(e));
    }
    return manifest;
}

std::vector<ManifestEntry> ReadManifest(std::string bytes, const std::string& what, const ManifestFile& from_list) {
    return ReadManifestWithMetadata(std::move(bytes), what, from_list).entries;
}

}  // namespace floe::iceberg
