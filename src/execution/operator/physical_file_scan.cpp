#include "execution/operator/physical_file_scan.h"

#include "execution/operator/iceberg_deletes.h"

#include <cctype>
#include <map>
#include <set>

#include "common/ascii.h"
#include "common/exception.h"
#include "common/number_text.h"
#include "format/csv/csv_reader.h"
#include "format/json/json_reader.h"
#include "format/parquet/bloom_filter.h"
#include "format/parquet/file_reader.h"
#include "format/parquet/page_index.h"
#include "function/cast.h"
#include "io/file_system.h"
#include "io/s3_file_system.h"

namespace floe {

namespace {

std::string Property(const FileProperties& properties, const std::string& name, const std::string& fallback = "") {
    for (const auto& [k, v] : properties) {
        if (AsciiEqualsIgnoreCase(k, name)) return v;
    }
    return fallback;
}

std::string FormatOf(const FileProperties& properties, const std::string& first_file) {
    std::string format = AsciiLower(Property(properties, "format"));
    if (format.empty()) {
        std::string lower = AsciiLower(first_file);
        auto ends = [&](const std::string& suffix) {
            return lower.size() >= suffix.size() &&
                   lower.compare(lower.size() - suffix.size(), suffix.size(), suffix) == 0;
        };
        if (ends(".parquet") || ends(".parq")) format = "parquet";
        if (ends(".csv") || ends(".tsv") || ends(".txt")) format = "csv";
        if (ends(".json") || ends(".jsonl") || ends(".ndjson")) format = "json";
    }
    if (format.empty()) {
        throw BinderError("FILES() needs \"format\" (parquet, csv or json) for '" + first_file + "'",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    if (format != "parquet" && format != "csv" && format != "json") {
        throw NotSupportedError("FILES() reads parquet, csv and json; '" + format + "' is not supported");
    }
    return format;
}

/// A property under its StarRocks name ("csv.column_separator") or the bare one.
std::string TextProperty(const FileProperties& properties, const std::string& format, const std::string& name,
                         const std::string& fallback) {
    std::string v = Property(properties, format + "." + name);
    return v.empty() ? Property(properties, name, fallback) : v;
}

/// "\t", "\n", "\x01" and the like as the bytes they stand for.
std::string Unescape(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 >= s.size()) {
            out.push_back(s[i]);
            continue;
        }
        char c = s[++i];
        if (c == 't') {
            out.push_back('\t');
        } else if (c == 'n') {
            out.push_back('\n');
        } else if (c == 'r') {
            out.push_back('\r');
        } else if (c == 'x' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
                   std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

CsvOptions CsvOptionsOf(const FileProperties& p) {
    CsvOptions o;
    o.column_separator = Unescape(TextProperty(p, "csv", "column_separator", "\\t"));
    o.row_delimiter = Unescape(TextProperty(p, "csv", "row_delimiter", "\\n"));
    std::string enclose = TextProperty(p, "csv", "enclose", ""), escape = TextProperty(p, "csv", "escape", "");
    if (enclose.size() > 1 || escape.size() > 1) {
        throw BinderError("csv.enclose and csv.escape take one character", ErrorCode::WRONG_ARGUMENTS);
    }
    o.enclose = enclose.empty() ? 0 : enclose[0];
    o.escape = escape.empty() ? 0 : escape[0];
    std::string skip = TextProperty(p, "csv", "skip_header", "0");
    auto lines = ParseInt64(skip);
    if (!lines || *lines < 0) {
        throw BinderError("csv.skip_header must be a whole number of lines, 0 or more, not '" + skip + "'",
                          ErrorCode::WRONG_ARGUMENTS);
    }
    o.skip_header = static_cast<size_t>(*lines);
    return o;
}

JsonOptions JsonOptionsOf(const FileProperties& p) {
    JsonOptions o;
    o.strip_outer_array = AsciiLower(TextProperty(p, "json", "strip_outer_array", "false")) == "true";
    o.json_root = TextProperty(p, "json", "json_root", "");
    return o;
}

/// The file system FILES() reads `path` with. An s3:// path uses the statement's own aws.s3.*
/// properties (anonymous without them), never the keys an Iceberg catalog registered, so FILE
/// privilege alone does not lend a catalog's credentials; local paths pass FileRoots as always.
std::shared_ptr<FileSystem> FilesFileSystem(const std::string& path, const FileProperties& properties) {
    if (IsS3Path(path)) {
        std::map<std::string, std::string> s3;
        for (const auto& [k, v] : properties) {
            if (S3Config::IsProperty(k)) s3[k] = v;
        }
        return std::make_shared<S3FileSystem>(S3Config::FromProperties(s3));
    }
    return std::shared_ptr<FileSystem>(std::shared_ptr<FileSystem>(), &FileSystemFor(path));
}

std::string ReadWholeFile(FileSystem& fs, const std::string& path, const RemoteReadOptions* options = nullptr) {
    auto file = fs.Open(path);
    if (options) file->SetRemoteReadOptions(*options);
    return file->ReadAt(0, file->size());
}

std::unique_ptr<parquet::ParquetFileReader> OpenParquet(FileSystem& fs, const std::string& path) {
    std::shared_ptr<RandomAccessFile> file = fs.Open(path);
    return std::make_unique<parquet::ParquetFileReader>(std::move(file));
}

}  // namespace

FilesDescription DescribeFiles(const FileProperties& properties) {
    std::string path = Property(properties, "path");
    if (path.empty()) throw BinderError("FILES() needs a \"path\" property", ErrorCode::WRONG_ARGUMENTS);
    static const std::set<std::string> kKnown = {
        "path",          "format",     "column_separator",     "row_delimiter",     "skip_header",
        "enclose",       "escape",     "csv.column_separator", "csv.row_delimiter", "csv.skip_header",
        "csv.enclose",   "csv.escape", "strip_outer_array",    "json_root",         "json.strip_outer_array",
        "json.json_root"};
    for (const auto& [k, v] : properties) {
        if (!kKnown.count(AsciiLower(k)) && !S3Config::IsProperty(k)) {
            throw BinderError("FILES() does not know the property \"" + k + "\"", ErrorCode::WRONG_ARGUMENTS);
        }
    }
    FilesDescription d;
    std::shared_ptr<FileSystem> fs = FilesFileSystem(path, properties);
    for (auto& f : fs->List(path)) d.files.push_back(std::move(f.path));
    std::string format = FormatOf(properties, d.files[0]);
    if (format != "parquet") {
        // Text: columns inferred from a sample of the first file.
        std::string text = ReadWholeFile(*fs, d.files[0]);
        std::vector<InferredColumn> columns;
        try {
            columns = format == "csv" ? InferCsvColumns(text, CsvOptionsOf(properties))
                                      : InferJsonColumns(text, JsonOptionsOf(properties));
        } catch (const Exception& e) {
            throw IOError("'" + d.files[0] + "': " + e.what());
        }
        if (columns.empty()) throw IOError("'" + d.files[0] + "' has no columns to infer");
        for (const auto& c : columns) {
            d.names.push_back(c.name);
            d.types.push_back(c.type);
        }
        return d;
    }
    auto reader = OpenParquet(*fs, d.files[0]);
    for (const auto& c : reader->columns()) {
        d.names.push_back(c.name);
        d.types.push_back(c.type.id == TypeId::NULL_TYPE ? LogicalType::Varchar() : c.type);
    }
    return d;
}

PhysicalFileScan::PhysicalFileScan(std::vector<LogicalType> types, std::vector<LogicalType> file_types,
                                   std::vector<size_t> column_ids, std::vector<std::string> files,
                                   FileProperties properties)
    : PhysicalOperator(PhysicalOperatorType::TABLE_FUNCTION, std::move(types)),
      file_types_(std::move(file_types)),
      column_ids_(std::move(column_ids)),
      files_(std::move(files)),
      properties_(std::move(properties)) {}

PhysicalFileScan::~PhysicalFileScan() = default;

void PhysicalFileScan::SetIcebergPlan(std::shared_ptr<const iceberg::IcebergScanPlan> plan) {
    iceberg_ = std::move(plan);
    files_.clear();
    for (const auto& f : iceberg_->files) files_.push_back(f.path);
    names_.clear();
    for (const auto& c : iceberg_->columns) names_.push_back(c.name);
    format_ = "parquet";
    deletes_ = std::make_unique<IcebergDeleteReader>(iceberg_);
    output_of_column_.assign(names_.size(), -1);
    for (size_t i = 0; i < column_ids_.size(); ++i) {
        if (column_ids_[i] < output_of_column_.size()) output_of_column_[column_ids_[i]] = static_cast<int>(i);
    }
}

int PhysicalFileScan::FileColumnOf(const parquet::ParquetFileReader& file, size_t column) const {
    const auto& columns = file.columns();
    const std::string& want = names_[column];
    if (!iceberg_) {
        for (size_t c = 0; c < columns.size(); ++c) {
            if (columns[c].name == want) return static_cast<int>(c);
        }
        return -1;
    }
    // Iceberg binds by field id; a file written without ids goes by the table's name mapping,
    // and without one by name.
    int32_t id = iceberg_->field_ids[column];
    bool has_ids = false;
    for (size_t c = 0; c < columns.size(); ++c) {
        if (columns[c].field_id < 0) continue;
        has_ids = true;
        if (columns[c].field_id == id) return static_cast<int>(c);
    }
    if (has_ids) return -1;
    if (!iceberg_->name_mapping.empty()) {
        for (size_t c = 0; c < columns.size(); ++c) {
            auto it = iceberg_->name_mapping.find(AsciiLower(columns[c].name));
            if (it != iceberg_->name_mapping.end() && it->second == id) return static_cast<int>(c);
        }
        return -1;
    }
    for (size_t c = 0; c < columns.size(); ++c) {
        if (AsciiEqualsIgnoreCase(columns[c].name, want)) return static_cast<int>(c);
    }
    return -1;
}

namespace {

/// Whether statistics (a row group's or a page's, over `rows` rows) leave room for `v op constant`.
bool StatsMayMatch(const parquet::ColumnStatistics& st, int64_t rows, ZoneOp op, const Value& constant) {
    ZoneMap zone;
    zone.rows = static_cast<uint32_t>(std::min<int64_t>(rows, UINT32_MAX));
    if (st.null_count) zone.null_count = static_cast<uint32_t>(std::min<int64_t>(*st.null_count, UINT32_MAX));
    if (!st.min || !st.max) {
        // No bounds: only a column known to be all NULL rules the rows out.
        if (!st.null_count || *st.null_count < rows) return true;
        zone.kind = ZoneMap::NONE;
    } else {
        const LogicalType& t = st.min->type();
        if ((t.IsInteger() && t.id != TypeId::LARGEINT) || t.id == TypeId::DATE || t.id == TypeId::DATETIME) {
            zone.kind = ZoneMap::INT;
            zone.imin = st.min->GetInt();
            zone.imax = st.max->GetInt();
        } else if (t.IsFloating()) {
            zone.kind = ZoneMap::DOUBLE;
            zone.dmin = st.min->GetDouble();
            zone.dmax = st.max->GetDouble();
        } else if (t.id == TypeId::VARCHAR) {
            zone.kind = ZoneMap::STRING;
            std::string lo = st.min->GetString(), hi = st.max->GetString();
            zone.smin = lo.substr(0, std::min(lo.size(), ZoneMap::kZonePrefix));
            zone.has_smax = hi.size() <= ZoneMap::kZonePrefix;
            if (zone.has_smax) zone.smax = hi;
        } else {
            return true;
        }
    }
    return ZoneMayMatch(zone, op, constant);
}

}  // namespace

bool PhysicalFileScan::RowGroupMayMatch(const parquet::ParquetFileReader& file, size_t row_group) {
    for (const auto& f : filters_) {
        int found = FileColumnOf(file, f.column);
        if (found < 0) continue;
        {
            auto c = static_cast<size_t>(found);
            if (!StatsMayMatch(file.Statistics(row_group, c), file.row_group_rows(row_group), f.op, f.constant)) {
                return false;
            }
            // An equality also asks the chunk's bloom filter, when it has one.
            if (f.op == ZoneOp::EQ && !file.columns()[c].nested) {
                auto bytes = parquet::PlainBytes(*file.columns()[c].node, f.constant);
                if (bytes) {
                    auto bloom = parquet::ReadBloomFilter(file, row_group, c);
                    if (bloom && !bloom->MayContain(parquet::BloomFilter::Hash(*bytes))) {
                        ++stats_.bloom_skipped;
                        return false;
                    }
                }
            }
        }
    }
    return true;
}

std::vector<std::pair<size_t, size_t>> PhysicalFileScan::MatchingRows(const parquet::ParquetFileReader& file,
                                                                      size_t g) const {
    auto rows = static_cast<size_t>(file.row_group_rows(g));
    std::vector<std::pair<size_t, size_t>> ranges = {{0, rows}};
    for (const auto& f : filters_) {
        int found = FileColumnOf(file, f.column);
        if (found < 0) continue;
        {
            auto c = static_cast<size_t>(found);
            auto pages = parquet::ReadPageIndex(file, g, c);
            if (!pages) continue;
            // The pages this filter may match, as row ranges (adjacent pages merged) ...
            std::vector<std::pair<size_t, size_t>> keep;
            for (const auto& p : *pages) {
                if (!StatsMayMatch(p.stats, p.rows, f.op, f.constant)) continue;
                auto b = static_cast<size_t>(p.first_row), e = static_cast<size_t>(p.first_row + p.rows);
                if (!keep.empty() && keep.back().second == b) {
                    keep.back().second = e;
                } else {
                    keep.emplace_back(b, e);
                }
            }
            // ... intersected with what the other filters keep.
            std::vector<std::pair<size_t, size_t>> both;
            size_t i = 0, j = 0;
            while (i < ranges.size() && j < keep.size()) {
                size_t b = std::max(ranges[i].first, keep[j].first);
                size_t e = std::min(ranges[i].second, keep[j].second);
                if (b < e) both.emplace_back(b, e);
                (ranges[i].second < keep[j].second) ? ++i : ++j;
            }
            ranges = std::move(both);
        }
    }
    return ranges;
}

/// A task's (or the one thread's) position in the row group it reads.
struct PhysicalFileScan::ScanState : LocalState {
    size_t morsel = SIZE_MAX;
    std::vector<std::unique_ptr<parquet::ColumnReader>> columns;  // per output column; null: absent
    std::vector<int> file_column;                                 // per output column: its file column, -1 absent
    std::vector<bool> cast;                                       // per output column: the file's type differs
    size_t rows_left = 0;                                         // in the row group
    size_t row_pos = 0;                                           // the next row of the row group
    std::vector<std::pair<size_t, size_t>> ranges;                // row ranges [begin, end) filters may match
    size_t range_index = 0;
    size_t rows_read = 0, rows_skipped = 0, rows_filtered = 0;
    std::vector<uint8_t> pass, column_pass;  // late materialization: rows passing the predicates
    std::vector<uint32_t> selected;
    std::vector<Value> constants;                // per output column: a missing column's value
    int64_t position = 0;                        // Iceberg: the file position of the chunk's first row
    std::shared_ptr<const FileDeletes> deletes;  // the file's Iceberg deletes (null: none)
    std::vector<uint8_t> keep;                   // rows the deletes keep
    size_t rows_deleted = 0;
};

void PhysicalFileScan::PlanMorsels() {
    if (planned_) return;
    planned_ = true;
    // The filters on output columns the scan evaluates itself (late materialization).
    predicates_.assign(column_ids_.size(), ScanPredicate());
    value_filters_.assign(column_ids_.size(), nullptr);
    for (const auto& f : filters_) {
        for (size_t i = 0; i < column_ids_.size(); ++i) {
            if (column_ids_[i] == f.column) predicates_[i].Add(types()[i], f.op, f.constant);
        }
    }
    for (size_t i = 0; i < column_ids_.size(); ++i) {
        if (predicates_[i].empty()) continue;
        const ScanPredicate* p = &predicates_[i];
        value_filters_[i] = [p](const Column& values, size_t begin, size_t n, uint8_t* pass) {
            p->Evaluate(values, begin, n, pass);
        };
    }
    for (size_t f = 0; f < files_.size(); ++f) {
        if (iceberg_ && iceberg_->files[f].format != "PARQUET") {
            throw NotSupportedError("'" + files_[f] + "' is an " + iceberg_->files[f].format +
                                    " data file; Floe reads Iceberg tables whose data files are Parquet");
        }
        auto opened = (iceberg_ ? FileSystemFor(files_[f]) : *FilesFileSystem(files_[f], properties_)).Open(files_[f]);
        if (opened->identity()) stats_.remote = true;
        opened->SetRemoteReadOptions(cache_options_);
        readers_.push_back(std::make_unique<parquet::ParquetFileReader>(CountingFile(std::move(opened), bytes_read_)));
        const parquet::ParquetFileReader& file = *readers_.back();
        ++stats_.files;
        if (iceberg_) {
            std::vector<int64_t> first;
            int64_t at = 0;
            for (size_t g = 0; g < file.row_group_count(); ++g) {
                first.push_back(at);
                at += file.row_group_rows(g);
            }
            row_group_first_.push_back(std::move(first));
        }
        if (names_.empty()) {
            // The first file defines the columns (as DescribeFiles saw it).
            for (const auto& c : file.columns()) names_.push_back(c.name);
            if (names_.size() != file_types_.size()) {
                throw ExecutionError("'" + file.path() + "' changed since the statement was planned");
            }
        }
        for (size_t g = 0; g < file.row_group_count(); ++g) {
            if (!filters_.empty() && !RowGroupMayMatch(file, g)) {
                ++stats_.row_groups_skipped;
                continue;
            }
            ++stats_.row_groups_read;
            morsels_.push_back({f, g});
        }
    }
}

size_t PhysicalFileScan::MorselCount(ExecutionContext&) {
    if (format_.empty()) format_ = FormatOf(properties_, files_.empty() ? "" : files_[0]);
    if (format_ != "parquet") return 0;
    PlanMorsels();
    return morsels_.size();
}

std::unique_ptr<LocalState> PhysicalFileScan::MakeSourceState() {
    return std::make_unique<PhysicalFileScan::ScanState>();
}

void PhysicalFileScan::FinishSource(LocalState& state) {
    const auto& st = static_cast<PhysicalFileScan::ScanState&>(state);
    std::lock_guard<std::mutex> lock(stats_mutex_);
    stats_.rows_read += st.rows_read;
    stats_.rows_skipped += st.rows_skipped;
    stats_.rows_filtered += st.rows_filtered;
    stats_.rows_deleted += st.rows_deleted;
}

bool PhysicalFileScan::GetTextData(Chunk& out) {
    std::vector<CsvRowError> errors;
    while (true) {
        if (!csv_ && !json_) {
            if (file_ >= files_.size()) return false;
            const std::string& path = files_[file_++];
            ++stats_.files;
            if (IsS3Path(path)) stats_.remote = true;
            text_ = ReadWholeFile(*FilesFileSystem(path, properties_), path, &cache_options_);
            text_path_ = path;
            if (format_ == "csv") {
                csv_ = std::make_unique<CsvReader>(text_, CsvOptionsOf(properties_), file_types_.size());
            } else {
                try {
                    json_ = std::make_unique<JsonReader>(text_, JsonOptionsOf(properties_), all_names_);
                } catch (const Exception& e) {
                    throw IOError("'" + path + "': " + e.what());
                }
            }
        }
        Chunk raw;
        bool more = csv_ ? csv_->Next(raw, errors) : json_->Next(raw, errors);
        if (!errors.empty()) {
            throw IOError("'" + text_path_ + "' line " + std::to_string(errors[0].line) + ": " + errors[0].reason);
        }
        if (!more) {
            csv_.reset();
            json_.reset();
            continue;
        }
        size_t n = raw.size();
        if (n == 0) continue;
        stats_.rows_read += n;
        out = Chunk(types());
        for (size_t i = 0; i < column_ids_.size(); ++i) {
            Column& col = out.column(i);
            col.Resize(n);
            const Column& text = raw.column(column_ids_[i]);
            if (types()[i].IsString()) {
                for (size_t r = 0; r < n; ++r) {
                    col.SetNull(r, text.IsNull(r));
                    if (!text.IsNull(r)) col.SetString(r, text.Strings()[r].view());
                }
            } else {
                CastColumn(text, n, col);  // text that does not convert is NULL
            }
        }
        out.SetSize(n);
        return true;
    }
}

bool PhysicalFileScan::GetData(ExecutionContext& ctx, Chunk& out) {
    ctx.CheckInterrupted();
    if (format_.empty()) format_ = FormatOf(properties_, files_.empty() ? "" : files_[0]);
    if (format_ != "parquet") {
        if (all_names_.empty() && format_ == "json") {
            // The JSON reader picks fields by name: the names DescribeFiles inferred.
            std::string text = ReadWholeFile(*FilesFileSystem(files_[0], properties_), files_[0]);
            for (const auto& c : InferJsonColumns(text, JsonOptionsOf(properties_))) all_names_.push_back(c.name);
        }
        return GetTextData(out);
    }
    return ReadMorselsInOrder(ctx, serial_, serial_morsel_, out);
}

bool PhysicalFileScan::GetMorselData(ExecutionContext& ctx, LocalState& local, size_t m, Chunk& out) {
    ctx.CheckInterrupted();
    auto& st = static_cast<PhysicalFileScan::ScanState&>(local);
    const parquet::ParquetFileReader& file = *readers_[morsels_[m].file];
    if (st.morsel != m) {
        st.morsel = m;
        size_t g = morsels_[m].row_group;
        st.rows_left = static_cast<size_t>(file.row_group_rows(g));
        st.row_pos = 0;
        st.range_index = 0;
        st.ranges =
            filters_.empty() ? std::vector<std::pair<size_t, size_t>>{{0, st.rows_left}} : MatchingRows(file, g);
        st.columns.clear();
        st.file_column.assign(column_ids_.size(), -1);
        st.cast.assign(column_ids_.size(), false);
        st.constants.assign(column_ids_.size(), Value());
        for (size_t i = 0; i < column_ids_.size(); ++i) {
            std::unique_ptr<parquet::ColumnReader> reader;
            int c = FileColumnOf(file, column_ids_[i]);
            if (c >= 0) {
                const auto& fc = file.columns()[static_cast<size_t>(c)];
                if (!fc.unsupported.empty()) throw NotSupportedError("'" + file.path() + "': " + fc.unsupported);
                reader = std::make_unique<parquet::ColumnReader>(file, g, static_cast<size_t>(c));
                st.file_column[i] = c;
                st.cast[i] = fc.type != types()[i];
            } else if (iceberg_) {
                st.constants[i] = iceberg_->files[morsels_[m].file].missing_values[column_ids_[i]];
            }
            st.columns.push_back(std::move(reader));
        }
        // A remote file: the row group's column chunks come in one or a few requests, not one each.
        if (!st.ranges.empty() && file.file().identity()) {
            std::vector<parquet::ColumnReader*> readers;
            for (auto& column : st.columns) readers.push_back(column.get());
            parquet::PreloadTogether(readers, file.file());
        }
        st.deletes = iceberg_ ? deletes_->ForFile(morsels_[m].file) : nullptr;
    }
    while (true) {
        if (st.rows_left == 0) return false;
        if (st.range_index == st.ranges.size()) {  // no more rows of this group can match
            st.rows_skipped += st.rows_left;
            st.rows_left = 0;
            return false;
        }
        size_t begin = st.ranges[st.range_index].first;
        if (st.row_pos < begin) {  // rows the page index rules out: skipped, whole pages undecoded
            size_t skip = begin - st.row_pos;
            for (auto& column : st.columns) {
                if (column) column->Skip(skip);
            }
            st.row_pos += skip;
            st.rows_left -= skip;
            st.rows_skipped += skip;
        }
        size_t n = std::min(st.ranges[st.range_index].second - st.row_pos, kChunkCapacity);
        st.rows_read += n;
        if (iceberg_) {
            st.position = row_group_first_[morsels_[m].file][morsels_[m].row_group] + static_cast<int64_t>(st.row_pos);
        }
        bool filtered = ReadChunk(st, file, n, out);
        if (st.deletes) {
            int64_t first =
                row_group_first_[morsels_[m].file][morsels_[m].row_group] + static_cast<int64_t>(st.row_pos);
            filtered = ApplyDeletes(st, first, n, out) < n;
        }
        if (iceberg_ && iceberg_->zone) ToLocalTime(out);
        st.rows_left -= n;
        st.row_pos += n;
        if (st.row_pos == st.ranges[st.range_index].second) ++st.range_index;
        if (!filtered || out.live_rows() > 0) return true;
        // No row of these passed the scan's predicates: on to the next rows.
    }
}

namespace {

/// Whether the scan reads output column i straight (no cast, flat).
bool Direct(const PhysicalFileScan::ScanState& st, size_t i) {
    return st.columns[i] && !st.cast[i] && !st.columns[i]->nested();
}

}  // namespace

void PhysicalFileScan::ReadColumn(ScanState& st, const parquet::ParquetFileReader& file, size_t i, size_t n,
                                  Column& col) {
    if (Direct(st, i)) {
        col.ResizeUninitialized(n);  // every row's value and flag is written
        st.columns[i]->Read(n, col, 0);
        return;
    }
    col.Resize(n);
    if (!st.columns[i]) {
        if (iceberg_ && column_ids_[i] == iceberg_->position_column) {  // _pos: the rows' places in the file
            int64_t* values = col.Data<int64_t>();
            for (size_t r = 0; r < n; ++r) values[r] = st.position + static_cast<int64_t>(r);
            return;
        }
        if (!st.constants.empty() && !st.constants[i].is_null()) {
            for (size_t r = 0; r < n; ++r) col.SetValue(r, st.constants[i]);
        } else {
            for (size_t r = 0; r < n; ++r) col.SetNull(r, true);
        }
        return;
    }
    if (!st.cast[i]) {
        st.columns[i]->Read(n, col, 0);
        return;
    }
    Column raw(file.columns()[st.file_column[i]].type, n);
    raw.Resize(n);
    st.columns[i]->Read(n, raw, 0);
    CastColumn(raw, n, col);
}

bool PhysicalFileScan::ReadChunk(ScanState& st, const parquet::ParquetFileReader& file, size_t n, Chunk& out) {
    out = Chunk(types());
    // Late materialization: the columns with predicates are read first (a dictionary page
    // evaluates its entries once), then the others only for the rows that pass.
    std::vector<uint8_t>& pass = st.pass;
    bool filtered = false;
    for (size_t i = 0; i < column_ids_.size(); ++i) {
        // A file with deletes is read whole: deletes go by row position (the filter above decides).
        if (predicates_[i].empty() || !Direct(st, i) || st.deletes) continue;
        Column& col = out.column(i);
        col.ResizeUninitialized(n);
        st.column_pass.resize(n);
        st.columns[i]->ReadFiltered(n, col, value_filters_[i], st.column_pass.data());
        if (!filtered) {
            pass.assign(st.column_pass.begin(), st.column_pass.end());
        } else {
            for (size_t r = 0; r < n; ++r) pass[r] &= st.column_pass[r];
        }
        filtered = true;
    }
    if (!filtered) {
        for (size_t i = 0; i < column_ids_.size(); ++i) ReadColumn(st, file, i, n, out.column(i));
        out.SetSize(n);
        return false;
    }
    std::vector<uint32_t>& sel = st.selected;
    sel.resize(n);
    size_t kept = 0;
    for (size_t r = 0; r < n; ++r) {  // branch-free: each row is written, kept when it passes
        sel[kept] = static_cast<uint32_t>(r);
        kept += pass[r];
    }
    sel.resize(kept);
    const size_t m = sel.size();
    st.rows_filtered += n - m;
    if (m * 2 > n) {
        // Most rows pass: the other columns are read as usual (cheaper than picking rows out),
        // and a selection vector drops the others.
        for (size_t i = 0; i < column_ids_.size(); ++i) {
            if (predicates_[i].empty() || !Direct(st, i)) ReadColumn(st, file, i, n, out.column(i));
        }
        out.SetSize(n);
        if (m < n) out.SetSelection(std::make_unique<SelectionVector>(sel.begin(), sel.end()));
        return true;
    }
    Chunk result(types());
    for (size_t i = 0; i < column_ids_.size(); ++i) {
        if (!predicates_[i].empty() && Direct(st, i)) {
            // Read already: the passing rows (strings keep pointing into the pages' heaps).
            auto col = std::make_shared<Column>(types()[i], m);
            col->AppendRowsReferencing(out.shared_column(i), sel.data(), m);
            result.SetColumn(i, std::move(col));
        } else if (m == 0) {
            if (st.columns[i]) st.columns[i]->Skip(n);
        } else if (Direct(st, i)) {
            Column& col = result.column(i);
            col.ResizeUninitialized(m);
            st.columns[i]->ReadSelected(n, sel.data(), m, col);
        } else {
            auto full = std::make_shared<Column>(types()[i], n);
            ReadColumn(st, file, i, n, *full);
            auto col = std::make_shared<Column>(types()[i], m);
            col->AppendRowsReferencing(full, sel.data(), m);
            result.SetColumn(i, std::move(col));
        }
    }
    result.SetSize(m);
    out = std::move(result);
    return true;
}

size_t PhysicalFileScan::ApplyDeletes(ScanState& st, int64_t first_row, size_t n, Chunk& out) {
    st.keep.assign(n, 1);
    IcebergDeleteReader::Apply(*st.deletes, out, n, first_row, output_of_column_, st.keep.data());
    auto sel = std::make_unique<SelectionVector>();
    sel->reserve(n);
    for (size_t r = 0; r < n; ++r) {
        if (st.keep[r]) sel->push_back(static_cast<uint32_t>(r));
    }
    size_t kept = sel->size();
    st.rows_deleted += n - kept;
    if (kept < n) out.SetSelection(std::move(sel));
    return kept;
}

void PhysicalFileScan::ToLocalTime(Chunk& out) const {
    for (size_t i = 0; i < column_ids_.size(); ++i) {
        size_t c = column_ids_[i];
        if (c >= iceberg_->local_time.size() || !iceberg_->local_time[c]) continue;
        Column& col = out.column(i);
        if (col.type().id != TypeId::DATETIME) continue;
        col.ClearEncoding();
        int64_t* values = col.Data<int64_t>();
        for (size_t r = 0; r < out.size(); ++r) {
            if (!col.IsNull(r)) values[r] = iceberg_->zone->ToLocal(values[r]);
        }
    }
}

}  // namespace floe
