#include "lake/iceberg/data_file_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "common/exception.h"
#include "common/utf8_text.h"
#include "format/parquet/file_writer.h"
#include "io/file_system.h"
#include "lake/iceberg/metadata_writer.h"
#include "lake/iceberg/single_value.h"
#include "lake/iceberg/transforms.h"

namespace floe::iceberg {

namespace {

/// Whether Floe can write values of `type` yet (and what to say when it cannot).
bool Writable(const Type& type) {
    switch (type.kind) {
        case TypeKind::BOOLEAN:
        case TypeKind::INT:
        case TypeKind::LONG:
        case TypeKind::FLOAT:
        case TypeKind::DOUBLE:
        case TypeKind::DECIMAL:
        case TypeKind::DATE:
        case TypeKind::TIMESTAMP:
        case TypeKind::STRING:
            return true;
        default:
            return false;
    }
}

std::string Property(const TableMetadata& metadata, const std::string& key, const std::string& fallback) {
    auto it = metadata.properties.find(key);
    return it == metadata.properties.end() ? fallback : it->second;
}

/// Percent-encodes what may not appear in a path segment (Java URL-encodes partition values).
std::string EscapePathSegment(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c >= 0x80) {
            out.push_back(static_cast<char>(c));
        } else {
            out += fmt::format("%{:02X}", c);
        }
    }
    return out;
}

std::string CivilDate(int64_t days) {
    // Howard Hinnant's days-to-civil.
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) ++y;
    return fmt::format("{:04d}-{:02d}-{:02d}", y, m, d);
}

int64_t FloorDiv(int64_t a, int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

/// The UTF-8 length of the character starting with byte `c`.
size_t CharLength(unsigned char c) {
    if (c < 0x80) return 1;
    if ((c >> 5) == 0x6) return 2;
    if ((c >> 4) == 0xE) return 3;
    if ((c >> 3) == 0x1E) return 4;
    return 1;
}

/// Byte offsets of the first `chars` characters' ends, or npos when the string is shorter.
size_t PrefixBytes(const std::string& s, size_t chars) {
    size_t pos = 0;
    for (size_t n = 0; n < chars; ++n) {
        if (pos >= s.size()) return std::string::npos;
        pos += CharLength(static_cast<unsigned char>(s[pos]));
    }
    return pos >= s.size() ? std::string::npos : pos;
}

}  // namespace

std::string RandomUuid() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    uint64_t hi = rng(), lo = rng();
    hi = (hi & ~uint64_t{0xF000}) | 0x4000;                      // version 4
    lo = (lo & ~(uint64_t{0xC} << 60)) | (uint64_t{0x8} << 60);  // variant 10
    return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF, hi & 0xFFFF, lo >> 48,
                       lo & 0xFFFFFFFFFFFFULL);
}

std::string TruncateLowerBound(const std::string& value, size_t chars) {
    size_t end = PrefixBytes(value, chars);
    return end == std::string::npos ? value : value.substr(0, end);
}

std::optional<std::string> TruncateUpperBound(const std::string& value, size_t chars) {
    size_t end = PrefixBytes(value, chars);
    if (end == std::string::npos) return value;
    // Decode the prefix's characters, then increment the last one that can be incremented.
    std::vector<uint32_t> cps;
    for (size_t pos = 0; pos < end;) {
        auto c = static_cast<unsigned char>(value[pos]);
        size_t len = std::min(CharLength(c), end - pos);
        uint32_t cp = len == 1 ? c : (c & (0xFF >> (len + 1)));
        for (size_t i = 1; i < len; ++i) cp = (cp << 6) | (static_cast<unsigned char>(value[pos + i]) & 0x3F);
        cps.push_back(cp);
        pos += len;
    }
    while (!cps.empty()) {
        uint32_t next = cps.back() + 1;
        if (next >= 0xD800 && next <= 0xDFFF) next = 0xE000;
        if (next <= 0x10FFFF) {
            cps.back() = next;
            std::string out;
            for (uint32_t cp : cps) AppendUtf8(out, cp);
            return out;
        }
        cps.pop_back();
    }
    return std::nullopt;
}

avro::Datum PartitionDatum(const Type& type, const Value& value) {
    avro::Datum d;
    if (value.is_null()) return d;
    using K = avro::Datum::Kind;
    switch (type.kind) {
        case TypeKind::BOOLEAN:
            d.kind = K::BOOLEAN;
            d.boolean = value.GetBool();
            break;
        case TypeKind::INT:
        case TypeKind::DATE:
            d.kind = K::INT;
            d.integer = value.GetInt();
            break;
        case TypeKind::LONG:
        case TypeKind::TIMESTAMP:
        case TypeKind::TIMESTAMPTZ:
            d.kind = K::LONG;
            d.integer = value.GetInt();
            break;
        case TypeKind::FLOAT:
            d.kind = K::FLOAT;
            d.real = value.GetDouble();
            break;
        case TypeKind::DOUBLE:
            d.kind = K::DOUBLE;
            d.real = value.GetDouble();
            break;
        case TypeKind::STRING:
            d.kind = K::STRING;
            d.bytes = value.GetString();
            break;
        case TypeKind::DECIMAL: {
            // fixed[minBytes(P)]: big-endian two's complement, sign-extended.
            static constexpr int kMaxPrecision[16] = {2, 4, 6, 9, 11, 14, 16, 18, 21, 23, 26, 28, 31, 33, 35, 38};
            int n = 1;
            while (n < 16 && kMaxPrecision[n - 1] < type.precision) ++n;
            int128_t v = value.type().id == TypeId::DECIMAL || value.type().id == TypeId::LARGEINT
                             ? value.GetInt128()
                             : static_cast<int128_t>(value.GetInt());
            d.kind = K::FIXED;
            d.bytes.resize(static_cast<size_t>(n));
            for (int i = n - 1; i >= 0; --i) {
                d.bytes[static_cast<size_t>(i)] = static_cast<char>(static_cast<uint8_t>(v & 0xFF));
                v >>= 8;
            }
            break;
        }
        default:
            throw NotSupportedError("cannot write Iceberg partition values of type " + type.ToString() + " yet");
    }
    return d;
}

std::string PartitionHumanString(const Transform& transform, const Type& result_type, const Value& value) {
    if (value.is_null()) return "null";
    switch (transform.kind) {
        case TransformKind::YEAR:
            return fmt::format("{:04d}", 1970 + value.GetInt());
        case TransformKind::MONTH: {
            int64_t m = value.GetInt();
            return fmt::format("{:04d}-{:02d}", 1970 + FloorDiv(m, 12), m - FloorDiv(m, 12) * 12 + 1);
        }
        case TransformKind::DAY:
            return CivilDate(value.GetInt());
        case TransformKind::HOUR: {
            int64_t h = value.GetInt();
            return fmt::format("{}-{:02d}", CivilDate(FloorDiv(h, 24)), h - FloorDiv(h, 24) * 24);
        }
        default:
            break;
    }
    if (result_type.kind == TypeKind::DATE) return CivilDate(value.GetInt());
    if (result_type.kind == TypeKind::TIMESTAMP || result_type.kind == TypeKind::TIMESTAMPTZ) {
        int64_t us = value.GetInt();
        int64_t days = FloorDiv(us, 86400000000LL);
        int64_t rest = us - days * 86400000000LL;
        return fmt::format("{}T{:02d}:{:02d}:{:02d}.{:06d}", CivilDate(days), rest / 3600000000LL,
                           (rest / 60000000) % 60, (rest / 1000000) % 60, rest % 1000000);
    }
    return value.ToString();
}

DataFile WritePositionDeletes(const std::string& path, const std::string& data_file, std::vector<int64_t> positions,
                              std::vector<PartitionValue> partition, const std::string& codec) {
    std::sort(positions.begin(), positions.end());
    positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
    parquet::WriterOptions options;
    options.codec = parquet::CodecFromName(codec);
    options.field_ids = {kDeleteFilePathFieldId, kDeletePositionFieldId};
    std::vector<LogicalType> types = {LogicalType::Varchar(), TypeId::BIGINT};
    parquet::ParquetFileWriter writer(FileSystemFor(path).Create(path), {"file_path", "pos"}, types, options);
    for (size_t start = 0; start < positions.size(); start += kChunkCapacity) {
        size_t n = std::min(kChunkCapacity, positions.size() - start);
        Chunk chunk(types, n);
        chunk.SetSize(n);
        for (size_t r = 0; r < n; ++r) {
            chunk.column(0).SetValue(r, Value::Varchar(data_file));
            chunk.column(1).SetValue(r, Value::Integer(positions[start + r]));
        }
        writer.Append(chunk);
    }
    writer.Finish();
    DataFile out;
    out.content = DataFileContent::POSITION_DELETES;
    out.file_path = path;
    out.file_format = "PARQUET";
    out.partition = std::move(partition);
    out.record_count = static_cast<int64_t>(positions.size());
    out.file_size_in_bytes = static_cast<int64_t>(writer.bytes_written());
    out.split_offsets = writer.row_group_offsets();
    out.referenced_data_file = data_file;
    const auto& stats = writer.column_statistics();
    out.column_sizes = {{kDeleteFilePathFieldId, stats[0].compressed_bytes},
                        {kDeletePositionFieldId, stats[1].compressed_bytes}};
    out.value_counts = {{kDeleteFilePathFieldId, stats[0].values}, {kDeletePositionFieldId, stats[1].values}};
    out.null_value_counts = {{kDeleteFilePathFieldId, 0}, {kDeletePositionFieldId, 0}};
    out.lower_bounds[kDeleteFilePathFieldId] = data_file;
    out.upper_bounds[kDeleteFilePathFieldId] = data_file;
    if (!positions.empty()) {
        out.lower_bounds[kDeletePositionFieldId] =
            *EncodeBound(Type::Primitive(TypeKind::LONG), Value::Integer(positions.front()));
        out.upper_bounds[kDeletePositionFieldId] =
            *EncodeBound(Type::Primitive(TypeKind::LONG), Value::Integer(positions.back()));
    }
    return out;
}

struct DataFileWriter::OpenFile {
    std::string path;
    std::vector<PartitionValue> partition;
    std::unique_ptr<parquet::ParquetFileWriter> writer;
    int64_t rows = 0;
};

DataFileWriter::DataFileWriter(const TableMetadata& metadata, std::string operation_id, int task)
    : schema_(metadata.current_schema()),
      spec_(metadata.default_spec()),
      operation_id_(std::move(operation_id)),
      task_(task) {
    std::string format = Property(metadata, "write.format.default", "parquet");
    std::transform(format.begin(), format.end(), format.begin(), [](unsigned char c) { return std::tolower(c); });
    if (format != "parquet") {
        throw NotSupportedError(
            "Floe writes Iceberg data files only as Parquet; the table's write.format.default is '" + format + "'");
    }
    for (const auto& field : schema_.fields) {
        if (!Writable(field.type)) {
            throw NotSupportedError("cannot write Iceberg column '" + field.name + "' of type " +
                                    field.type.ToString() + " yet");
        }
        names_.push_back(field.name);
        types_.push_back(ToFloeType(field.type));
        field_ids_.push_back(field.id);
    }
    for (const auto& pf : spec_.fields) {
        int source = -1;
        for (size_t i = 0; i < schema_.fields.size(); ++i) {
            if (schema_.fields[i].id == pf.source_id) source = static_cast<int>(i);
        }
        if (source < 0) {
            throw NotSupportedError("cannot write partition field '" + pf.name +
                                    "': its source is not a top-level column of the current schema");
        }
        if (pf.transform.kind == TransformKind::UNKNOWN) {
            throw NotSupportedError("cannot write partition field '" + pf.name + "' with the unknown transform '" +
                                    pf.transform.text + "'");
        }
        partition_sources_.push_back(source);
        partition_types_.push_back(TransformResultType(pf.transform, schema_.fields[static_cast<size_t>(source)].type));
    }
    std::string location = metadata.location;
    while (!location.empty() && location.back() == '/') location.pop_back();
    data_location_ = Property(metadata, "write.data.path", location + "/data");
    while (!data_location_.empty() && data_location_.back() == '/') data_location_.pop_back();
    try {
        target_size_ =
            std::stoll(Property(metadata, "write.target-file-size-bytes", std::to_string(kDefaultTargetFileSize)));
    } catch (const std::exception&) {
        throw BinderError("table property 'write.target-file-size-bytes' is not a number");
    }
    if (target_size_ <= 0) target_size_ = kDefaultTargetFileSize;
    codec_ = Property(metadata, "write.parquet.compression-codec", "zstd");
    schema_json_ = SchemaToJson(schema_);
}

DataFileWriter::~DataFileWriter() {
    if (!finished_) Abort();
}

DataFileWriter::OpenFile& DataFileWriter::FileFor(const std::string& partition_key,
                                                  const std::vector<Value>& partition_values) {
    auto it = open_.find(partition_key);
    if (it != open_.end()) return *it->second;
    auto file = std::make_unique<OpenFile>();
    std::string dir = data_location_;
    for (size_t i = 0; i < spec_.fields.size(); ++i) {
        const auto& pf = spec_.fields[i];
        file->partition.push_back(
            PartitionValue{pf.field_id, pf.name, PartitionDatum(partition_types_[i], partition_values[i])});
        dir += "/" + EscapePathSegment(pf.name) + "=" +
               EscapePathSegment(PartitionHumanString(pf.transform, partition_types_[i], partition_values[i]));
    }
    file->path =
        fmt::format("{}/{:05d}-{}-{}-{:05d}.parquet", dir, partition_counter_++, task_, operation_id_, ++file_counter_);
    paths_.push_back(file->path);
    parquet::WriterOptions options;
    options.codec = parquet::CodecFromName(codec_);
    options.field_ids = field_ids_;
    options.key_value_metadata = {{"iceberg.schema", schema_json_}};
    // Files roll at the target size once a row group is flushed: a small target gets small row
    // groups (about 8 bytes a row), so it is honoured; the default 512 MiB keeps 1M-row groups.
    options.row_group_rows =
        static_cast<size_t>(std::clamp<int64_t>(target_size_ / 8, int64_t{1024}, int64_t{1} << 20));
    file->writer = std::make_unique<parquet::ParquetFileWriter>(FileSystemFor(file->path).Create(file->path), names_,
                                                                types_, options);
    return *open_.emplace(partition_key, std::move(file)).first->second;
}

void DataFileWriter::Append(const Chunk& chunk) {
    size_t live = chunk.live_rows();
    if (live == 0) return;
    if (spec_.fields.empty()) {
        if (shard_index_ != 0) return;
        OpenFile& file = FileFor("", {});
        file.writer->Append(chunk);
        file.rows += static_cast<int64_t>(live);
        if (static_cast<int64_t>(file.writer->bytes_written()) >= target_size_) Close(file);
        return;
    }
    // Group the rows by partition tuple.
    std::map<std::string, std::pair<std::vector<Value>, std::vector<uint32_t>>> groups;
    std::vector<Value> values(spec_.fields.size());
    // Rows usually come in runs of one partition (a scan of a partitioned table): a row whose
    // source values equal the previous row's joins its group without transforming again.
    std::vector<uint32_t>* previous = nullptr;
    uint32_t previous_row = 0;
    auto same_sources = [&](uint32_t a, uint32_t b) {
        for (int source : partition_sources_) {
            const Column& col = chunk.column(static_cast<size_t>(source));
            bool na = col.IsNull(a), nb = col.IsNull(b);
            if (na != nb || (!na && col.CompareRows(a, col, b) != 0)) return false;
        }
        return true;
    };
    for (size_t i = 0; i < live; ++i) {
        uint32_t row = chunk.LiveRow(i);
        if (previous && same_sources(row, previous_row)) {
            previous->push_back(row);
            previous_row = row;
            continue;
        }
        std::string key;
        for (size_t f = 0; f < spec_.fields.size(); ++f) {
            int source = partition_sources_[f];
            const auto& field = schema_.fields[static_cast<size_t>(source)];
            values[f] = ApplyTransform(spec_.fields[f].transform, field.type,
                                       chunk.column(static_cast<size_t>(source)).GetValue(row));
            key += values[f].is_null() ? std::string("\x01N") : "\x02" + values[f].ToString();
            key.push_back('\0');
        }
        auto& group = groups[key];
        if (group.second.empty()) group.first = values;
        group.second.push_back(row);
        previous = &group.second;
        previous_row = row;
    }
    for (auto& [key, group] : groups) {
        if (shard_count_ > 1 && std::hash<std::string>{}(key) % shard_count_ != shard_index_) continue;
        OpenFile& file = FileFor(key, group.first);
        Chunk part(types_, 0);
        for (size_t c = 0; c < chunk.column_count(); ++c) part.SetColumn(c, chunk.shared_column(c));
        part.SetSize(chunk.size());
        part.SetSelection(std::make_unique<SelectionVector>(std::move(group.second)));
        file.rows += static_cast<int64_t>(part.live_rows());
        file.writer->Append(part);
        if (static_cast<int64_t>(file.writer->bytes_written()) >= target_size_) Close(file);
    }
}

void DataFileWriter::Close(OpenFile& file) {
    file.writer->Finish();
    DataFile out;
    out.content = DataFileContent::DATA;
    out.file_path = file.path;
    out.file_format = "PARQUET";
    out.partition = std::move(file.partition);
    out.record_count = file.rows;
    out.file_size_in_bytes = static_cast<int64_t>(file.writer->bytes_written());
    out.split_offsets = file.writer->row_group_offsets();
    out.sort_order_id = 0;
    const auto& stats = file.writer->column_statistics();
    for (size_t c = 0; c < stats.size(); ++c) {
        int32_t id = field_ids_[c];
        const auto& s = stats[c];
        const Type& type = schema_.fields[c].type;
        out.column_sizes[id] = s.compressed_bytes;
        out.value_counts[id] = s.values;
        out.null_value_counts[id] = s.nulls;
        if (type.kind == TypeKind::FLOAT || type.kind == TypeKind::DOUBLE) out.nan_value_counts[id] = s.nans;
        if (s.min.is_null()) continue;
        if (type.kind == TypeKind::STRING) {
            out.lower_bounds[id] = TruncateLowerBound(s.min.GetString());
            if (auto upper = TruncateUpperBound(s.max.GetString())) out.upper_bounds[id] = *upper;
            continue;
        }
        if (auto lo = EncodeBound(type, s.min)) out.lower_bounds[id] = *lo;
        if (auto hi = EncodeBound(type, s.max)) out.upper_bounds[id] = *hi;
    }
    done_.push_back(std::move(out));
    // Forget the open file: the next row of this partition starts a new one.
    for (auto it = open_.begin(); it != open_.end(); ++it) {
        if (it->second.get() == &file) {
            open_.erase(it);
            break;
        }
    }
}

std::vector<DataFile> DataFileWriter::Finish() {
    while (!open_.empty()) Close(*open_.begin()->second);
    finished_ = true;
    return std::move(done_);
}

void DataFileWriter::Abort() {
    open_.clear();  // unfinished files leave nothing behind
    finished_ = true;
    done_.clear();
    if (paths_.empty()) return;
    try {
        FileSystemFor(paths_.front()).Delete(paths_);
    } catch (const Exception&) {
        // Best effort: files no snapshot lists are orphans that remove_orphan_files cleans.
    }
}

}  // namespace floe::iceberg
